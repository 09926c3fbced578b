//! The replay journal: the entries whose copies the broker confirmed, kept on disk while a
//! replay runs, so that a replay cut short by a broker that went away can be continued
//! without sending those entries again.
//!
//! dlq marks an entry handled on the broker (Kafka: the operator group's committed offset;
//! Pulsar: an acknowledgement) only after the broker confirmed its copy. When the broker goes
//! away those marks may not be made (a commit that cannot reach the coordinator) or may be
//! lost (Pulsar persists acknowledgements a moment later, so a killed broker forgets the last
//! ones). The journal keeps them: the same command run again reads it first, marks the entries
//! it names handled without sending them, and deletes it once the run completes. What remains
//! to arrive twice is only what was sent without a confirmation.
//!
//! One file per (broker, topic, consumer) under `$XDG_STATE_HOME/dlq/journal/`: a first line
//! naming what it is for, then one confirmed entry per line (the id as `list` prints it, or
//! `line N` of a `--from-file` restore).

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "dlq-replay-journal/1";

pub(crate) struct Journal {
    key: String,
    path: PathBuf,
    /// What an earlier run confirmed (read when opened).
    earlier: HashSet<String>,
    /// Confirmed by this run, not yet written.
    pending: Vec<String>,
    file: Option<std::fs::File>,
    /// Whether this run wrote anything (or the file held an earlier run's entries).
    used: bool,
}

impl Journal {
    /// The journal of `key` (broker, topic, consumer) under `dir`; what an earlier, unfinished
    /// run of the same replay confirmed is read now.
    pub(crate) fn open_in(dir: &Path, key: &str) -> anyhow::Result<Journal> {
        let name = format!(
            "{}-{:016x}.journal",
            crate::paths::safe_file_name(&key.chars().take(80).collect::<String>()),
            fnv1a(key.as_bytes())
        );
        let path = dir.join(name);
        let mut earlier = HashSet::new();
        if let Ok(f) = std::fs::File::open(&path) {
            let mut lines = std::io::BufReader::new(f).lines();
            let first = lines.next().transpose()?.unwrap_or_default();
            if first != format!("{HEADER} {key}") {
                anyhow::bail!(
                    "{} is not the replay journal of {key}; move it away to start afresh",
                    path.display()
                );
            }
            for line in lines {
                let line = line?;
                if !line.is_empty() {
                    earlier.insert(line);
                }
            }
        }
        Ok(Journal {
            key: key.to_string(),
            used: !earlier.is_empty(),
            path,
            earlier,
            pending: Vec::new(),
            file: None,
        })
    }

    /// `$XDG_STATE_HOME/dlq/journal` (`~/.local/state` without XDG_STATE_HOME).
    pub(crate) fn default_dir() -> Option<PathBuf> {
        crate::paths::xdg_dir("XDG_STATE_HOME", ".local/state").map(|b| b.join("dlq/journal"))
    }

    /// The journal of `key` under `dir`; without a directory, one that keeps nothing (a rerun
    /// then sends again what was not marked on the broker).
    pub(crate) fn open(dir: Option<&Path>, key: &str) -> anyhow::Result<Journal> {
        match dir {
            Some(dir) => Journal::open_in(dir, key),
            None => Ok(Journal {
                key: key.to_string(),
                path: PathBuf::new(),
                earlier: HashSet::new(),
                pending: Vec::new(),
                file: None,
                used: false,
            }),
        }
    }

    /// Whether an earlier run had this entry's copy confirmed.
    pub(crate) fn confirmed_earlier(&self, label: &str) -> bool {
        self.earlier.contains(label)
    }

    /// Whether the journal's file holds entries (this run's or an earlier one's).
    pub(crate) fn is_kept(&self) -> bool {
        self.used
    }

    #[cfg(test)]
    fn earlier(&self) -> usize {
        self.earlier.len()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// This run had `label`'s copy confirmed (kept in memory until `flush`).
    pub(crate) fn confirmed(&mut self, label: String) {
        if !self.path.as_os_str().is_empty() {
            self.pending.push(label);
        }
    }

    /// Writes what was confirmed since the last flush.
    pub(crate) fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.file.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let fresh = !self.path.exists();
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot write the replay journal {}: {e}",
                        self.path.display()
                    )
                })?;
            if fresh {
                writeln!(f, "{HEADER} {}", self.key)?;
            }
            self.file = Some(f);
        }
        let f = self.file.as_mut().expect("opened above");
        let mut text = String::new();
        for l in self.pending.drain(..) {
            text.push_str(&l);
            text.push('\n');
        }
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
        self.used = true;
        Ok(())
    }

    /// The run completed and its marks are on the broker: the journal is no longer needed.
    pub(crate) fn finish(mut self) -> anyhow::Result<()> {
        self.pending.clear();
        self.file = None;
        if self.used && self.path.exists() {
            std::fs::remove_file(&self.path)?;
        }
        Ok(())
    }
}

/// FNV-1a: a stable short hash, so that two keys that make the same safe file name differ.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_run_confirmed_is_read_by_the_next_and_gone_once_one_completes() {
        let dir = tempfile::tempdir().unwrap();
        let key = "kafka://h:9092 orders.DLT dlq-operator";
        let mut j = Journal::open_in(dir.path(), key).unwrap();
        assert_eq!(j.earlier(), 0);
        j.confirmed("0:1".into());
        j.confirmed("1:7".into());
        j.flush().unwrap();
        drop(j);
        let j = Journal::open_in(dir.path(), key).unwrap();
        assert!(j.confirmed_earlier("0:1") && j.confirmed_earlier("1:7"));
        assert!(!j.confirmed_earlier("0:2"));
        // Another topic's journal is another file.
        let other = Journal::open_in(dir.path(), "kafka://h:9092 other dlq-operator").unwrap();
        assert_eq!(other.earlier(), 0);
        let path = j.path().to_path_buf();
        j.finish().unwrap();
        assert!(!path.exists());
        assert_eq!(Journal::open_in(dir.path(), key).unwrap().earlier(), 0);
    }

    #[test]
    fn a_file_that_is_not_this_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = "pulsar://h:6650 t s";
        let j = Journal::open_in(dir.path(), key).unwrap();
        std::fs::write(j.path(), "something else\n0:1\n").unwrap();
        assert!(Journal::open_in(dir.path(), key).is_err());
    }
}
