//! What `purge` reports: its plan, its summary and how it asks. The command fills them; the
//! output layer shows them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;

use crate::domain::entry::EntryId;
use crate::error::DlqError;

#[derive(Debug, Clone, Default)]
pub(crate) struct PurgePlan {
    pub topic: String,
    pub broker: String,
    pub selected: u64,
    pub bytes: u64,
    pub oldest: Option<Timestamp>,
    pub newest: Option<Timestamp>,
    /// The most frequent error classes ("unknown" where no convention names one).
    pub classes: Vec<(String, u64)>,
    /// Kafka: per partition, the selected offsets (first, last).
    pub ranges: BTreeMap<i32, (i64, i64)>,
    /// Kafka: per partition, an unselected entry followed by a selected one.
    pub not_prefix: BTreeMap<i32, (i64, i64)>,
    /// Kafka deletes a prefix of each partition; Pulsar acknowledges entries.
    pub by_offset: bool,
    pub mark_handled: bool,
    /// The operator consumer (Kafka: group; Pulsar: subscription).
    pub consumer: String,
    pub backup: Option<PathBuf>,
    pub(crate) ends: BTreeMap<i32, EntryId>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PurgeSummary {
    pub topic: String,
    pub dry_run: bool,
    pub selected: u64,
    pub purged: u64,
    /// How the entries were purged.
    pub how: PurgeHow,
    pub backup: Option<PathBuf>,
    pub warnings: Vec<String>,
    /// Selected entries left in place because the broker refused their partition.
    pub failed: u64,
    /// Kafka: the partitions whose records the broker refused to delete, with its reason.
    pub failed_partitions: BTreeMap<i32, String>,
    /// The broker went away: what dlq was doing, and the broker's words (exit 4).
    pub lost: Option<String>,
    /// Per partition (-1 when unpartitioned), selected entries and how many of them were purged.
    pub partitions: BTreeMap<i32, (u64, u64)>,
}

impl PurgeSummary {
    /// `Err(Partial)` (exit 3) when the broker refused some partitions, naming them.
    pub(crate) fn outcome(&self) -> Result<(), DlqError> {
        if let Some(lost) = &self.lost {
            let (done, not): (Vec<_>, Vec<_>) = self
                .partitions
                .iter()
                .partition(|(_, (sel, purged))| purged == sel);
            let names = |v: Vec<(&i32, &(u64, u64))>| -> String {
                if v.is_empty() {
                    return "none".into();
                }
                v.iter()
                    .map(|(p, _)| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            // pulsar-rs asks for no acknowledgement receipts: the last acknowledgements sent
            // before the broker went away may never have arrived.
            let caveat = if self.how == PurgeHow::Acknowledged && self.purged > 0 {
                " (acknowledged; Pulsar gives dlq no receipt for an acknowledgement, so the last ones \
                 sent before the broker went away may not have arrived)"
            } else {
                ""
            };
            return Err(DlqError::Unreachable(format!(
                "{lost}; {} of {} selected entries were purged{caveat} (partitions purged: {}; not or not \
                 completely purged: {}){}. Run the same command again once the broker is back: it purges \
                 what is still there",
                self.purged,
                self.selected,
                names(done),
                names(not),
                match &self.backup {
                    Some(b) => format!("; every selected entry is in the backup {}", b.display()),
                    None => String::new(),
                }
            )));
        }
        if self.failed_partitions.is_empty() {
            return Ok(());
        }
        let which: Vec<String> = self
            .failed_partitions
            .iter()
            .map(|(p, why)| format!("partition {p}: {why}"))
            .collect();
        Err(DlqError::Partial(format!(
            "{} of {} selected entries were not purged: the broker refused to delete records of {}; \
             they are still in the topic{}. Run the same command again to retry them",
            self.failed,
            self.selected,
            which.join("; "),
            if self.backup.is_some() {
                " and in the backup"
            } else {
                ""
            }
        )))
    }
}

/// How a purge removes entries: what the broker can do, and what the user asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum PurgeHow {
    /// Pulsar: acknowledged on the operator subscription.
    #[default]
    Acknowledged,
    /// Kafka: DeleteRecords, then the operator group moves there.
    Deleted,
    /// Kafka `--mark-handled`: only the operator group moves.
    MarkedHandled,
}

impl PurgeHow {
    /// As the summary and `-o json` (`how`) name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PurgeHow::Acknowledged => "acknowledged",
            PurgeHow::Deleted => "deleted",
            PurgeHow::MarkedHandled => "marked handled",
        }
    }
}

impl std::fmt::Display for PurgeHow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) trait PurgeUi: Send {
    fn plan(&mut self, plan: &PurgePlan) -> std::io::Result<()>;
    /// `None` when there is no terminal to ask on.
    fn confirm(&mut self, plan: &PurgePlan) -> std::io::Result<Option<bool>>;
}
