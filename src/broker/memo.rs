//! What a broker was seen not to support, remembered for a day so that later runs skip the probe
//! that found it out (pulsar-lite never answers a topic listing: each command would otherwise
//! wait for it). Best effort: an unwritable cache only means probing again.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How long a finding holds; a broker upgraded meanwhile is probed again after this.
const LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

pub struct Memo {
    path: Option<PathBuf>,
}

impl Memo {
    /// `$XDG_CACHE_HOME/dlq/brokers/<broker>.<finding>` (`~/.cache` without XDG_CACHE_HOME).
    pub fn for_broker(broker: &str, finding: &str) -> Memo {
        let base = crate::paths::xdg_dir("XDG_CACHE_HOME", ".cache");
        let safe = crate::paths::safe_file_name(broker);
        Memo {
            path: base.map(|b| b.join("dlq/brokers").join(format!("{safe}.{finding}"))),
        }
    }

    #[cfg(test)]
    fn at(path: PathBuf) -> Memo {
        Memo { path: Some(path) }
    }

    /// Whether the finding was made within the last day.
    pub fn holds(&self) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < LIFETIME)
    }

    pub fn remember(&self) {
        let Some(path) = &self.path else {
            return;
        };
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, b""));
        if let Err(e) = written {
            tracing::debug!(path = %path.display(), error = %e, "could not remember a broker finding");
        }
    }

    /// Forgets the finding (the broker answered after all).
    pub fn forget(&self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_holds_for_a_day_then_lapses() {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::at(dir.path().join("sub/pulsar___h_6650.no-topic-list"));
        assert!(!memo.holds());
        memo.remember();
        assert!(memo.holds());
        let old = SystemTime::now() - LIFETIME - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("sub/pulsar___h_6650.no-topic-list"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(!memo.holds(), "lapsed after a day");
        memo.remember();
        memo.forget();
        assert!(!memo.holds());
    }

    #[test]
    fn broker_urls_become_one_file_name() {
        let memo = Memo::for_broker("pulsar+ssl://broker.example:6651/", "no-topic-list");
        let name = memo.path.unwrap();
        let name = name.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "pulsar_ssl___broker.example_6651_.no-topic-list");
    }
}
