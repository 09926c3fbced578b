//! A consumer group's or subscription's positions, saved before a rewind changes them so that
//! `dlq replay TOPIC --restore-positions FILE` can put them back (what `kafka-consumer-groups
//! --reset-offsets --export` and `--from-file` do for Kafka, for both brokers).
//!
//! A position is written in the broker's own cursor notation: on Kafka the committed offset (the
//! next record the group reads), on Pulsar the cursor's mark-delete position `LEDGER:ENTRY` (the
//! last message acknowledged in order; reading resumes after it). `null` where there was none (a
//! Kafka group with no committed offset for that partition).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::entry::Partition;

/// The `format` field of every positions file this version writes and reads.
pub(crate) const FORMAT: &str = "dlq-positions/1";

/// What moves in a rewind: a Kafka consumer group or a Pulsar subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ConsumerKind {
    Group,
    Subscription,
}

impl ConsumerKind {
    /// "group" or "subscription", as messages and files name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ConsumerKind::Group => "group",
            ConsumerKind::Subscription => "subscription",
        }
    }
}

impl std::fmt::Display for ConsumerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedPositions {
    pub format: String,
    /// "kafka" or "pulsar".
    pub broker: String,
    pub topic: String,
    pub kind: ConsumerKind,
    pub consumer: String,
    pub saved_at: Timestamp,
    pub partitions: Vec<SavedPosition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedPosition {
    /// Written as the index, -1 for a Pulsar topic that is not partitioned.
    pub partition: Partition,
    pub position: Option<String>,
}

impl SavedPositions {
    /// Per partition, the saved position.
    pub(crate) fn by_partition(&self) -> BTreeMap<Partition, Option<String>> {
        self.partitions
            .iter()
            .map(|p| (p.partition, p.position.clone()))
            .collect()
    }

    /// Reads and checks a positions file against the topic and consumer it is applied to.
    pub(crate) fn load(
        path: &Path,
        topic: &str,
        kind: ConsumerKind,
        consumer: &str,
    ) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the positions file {}: {e}", path.display()))?;
        let saved: SavedPositions = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a dlq positions file ({e}); dlq writes one before every rewind",
                path.display()
            )
        })?;
        if saved.format != FORMAT {
            return Err(format!(
                "{} has format '{}'; this dlq reads '{FORMAT}'",
                path.display(),
                saved.format
            ));
        }
        if saved.topic != topic || saved.kind != kind || saved.consumer != consumer {
            return Err(format!(
                "{} holds the positions of {} '{}' on '{}', not of {kind} '{consumer}' on '{topic}'",
                path.display(),
                saved.kind,
                saved.consumer,
                saved.topic
            ));
        }
        Ok(saved)
    }

    /// Writes the file (0600: it names the consumer's positions, nothing secret, but it is the
    /// operator's) and syncs it, so it exists before anything moves.
    pub(crate) fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write as _;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path)?;
        serde_json::to_writer_pretty(&mut f, self)?;
        writeln!(f)?;
        f.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved() -> SavedPositions {
        SavedPositions {
            format: FORMAT.into(),
            broker: "kafka".into(),
            topic: "orders".into(),
            kind: ConsumerKind::Group,
            consumer: "billing".into(),
            saved_at: "2026-11-30T10:00:00Z".parse().unwrap(),
            partitions: vec![
                SavedPosition {
                    partition: Partition::Index(0),
                    position: Some("42".into()),
                },
                SavedPosition {
                    partition: Partition::Index(1),
                    position: None,
                },
            ],
        }
    }

    #[test]
    fn a_written_file_loads_back_for_the_same_consumer_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p/billing.json");
        saved().write(&path).unwrap();
        let back = SavedPositions::load(&path, "orders", ConsumerKind::Group, "billing").unwrap();
        assert_eq!(back, saved());
        assert_eq!(back.by_partition()[&Partition::Index(1)], None);
        let e = SavedPositions::load(&path, "orders", ConsumerKind::Group, "shipping").unwrap_err();
        assert!(e.contains("not of group 'shipping'"), "{e}");
        assert!(
            saved().write(&path).is_err(),
            "never overwrites a saved file"
        );
    }

    #[test]
    fn other_files_are_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{\"topic\": 1}").unwrap();
        let e = SavedPositions::load(&path, "orders", ConsumerKind::Group, "billing").unwrap_err();
        assert!(e.contains("not a dlq positions file"), "{e}");
    }
}
