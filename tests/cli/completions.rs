//! The committed completion scripts must be what the binary generates.

use std::path::PathBuf;

use crate::common::dlq;

#[test]
fn committed_completions_match_the_binary() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "dlq.bash"),
        ("zsh", "_dlq"),
        ("fish", "dlq.fish"),
        ("powershell", "_dlq.ps1"),
        ("elvish", "dlq.elv"),
    ] {
        let generated = dlq().args(["completions", shell]).output().unwrap();
        assert!(generated.status.success());
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == generated.stdout,
            "completions/{file} differs from `dlq completions {shell}`; run scripts/gen-completions.sh and commit the result"
        );
    }
}
