//! `dlq edit`: the person's editor on one payload. The payload is revealed (with the usual
//! warning) in a file only its owner can read (created 0600, new, in the temporary directory)
//! and removed afterwards, whatever happens. Saving nothing, or an empty file, sends nothing.

use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Removes the payload's file when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `$VISUAL`, else `$EDITOR`, else `vi`.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".into())
}

/// Runs the editor on `path` (through the shell, so `EDITOR="code --wait"` works).
fn run_editor(path: &Path) -> io::Result<bool> {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("{} \"$1\"", editor()), "dlq-edit"])
        .arg(path)
        .status()?;
    Ok(status.success())
}

/// What the person saved.
pub(crate) enum Saved {
    /// The edited value.
    Value(Value),
    /// Nothing saved (the file is as it was), or an empty file, or the editor failed: why.
    Nothing(String),
}

/// Opens the editor on `value`, pretty-printed; asks again on a terminal when what was saved is
/// not JSON.
pub(crate) fn edit(value: &Value, id: &str) -> io::Result<Saved> {
    super::warn(&format!(
        "the payload of {id} is shown unredacted in your editor (a file only you can read, removed afterwards)"
    ));
    let original = serde_json::to_string_pretty(value)? + "\n";
    let path = std::env::temp_dir().join(format!(
        "dlq-edit-{}-{}.json",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    let _scratch = Scratch(path.clone());
    file.write_all(original.as_bytes())?;
    file.sync_all()?;
    drop(file);
    loop {
        if !run_editor(&path)? {
            return Ok(Saved::Nothing(format!(
                "the editor ({}) exited with an error",
                editor()
            )));
        }
        let saved = std::fs::read_to_string(&path)?;
        if saved.trim().is_empty() {
            return Ok(Saved::Nothing("the file was emptied".into()));
        }
        if saved == original {
            return Ok(Saved::Nothing("nothing was changed".into()));
        }
        match serde_json::from_str::<Value>(&saved) {
            Ok(v) if &v == value => return Ok(Saved::Nothing("nothing was changed".into())),
            Ok(v) => return Ok(Saved::Value(v)),
            Err(e) => {
                let again = format!(
                    "what was saved is not JSON (line {}, column {}: {e}); edit again?",
                    e.line(),
                    e.column()
                );
                if !(io::stdin().is_terminal() && io::stderr().is_terminal()) {
                    return Ok(Saved::Nothing(format!(
                        "what was saved is not JSON (line {}, column {})",
                        e.line(),
                        e.column()
                    )));
                }
                if super::confirm_on_terminal(&again)? != Some(true) {
                    return Ok(Saved::Nothing("what was saved is not JSON".into()));
                }
            }
        }
    }
}

/// The edit, redacted like everything shown: a unified diff on stderr.
pub(crate) fn show_diff(before: &Value, after: &Value, redactor: &crate::domain::redact::Redactor) {
    let mut e = io::stderr().lock();
    let _ = writeln!(e, "Your edit (redacted):");
    for line in super::replay::patch_diff(before, after, redactor) {
        let _ = writeln!(e, "  {line}");
    }
}
