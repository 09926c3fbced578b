//! What `purge` reports: its plan, its summary and how it asks. The command fills them; the
//! output layer shows them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::domain::entry::{EntryId, Partition};
use crate::domain::stats::Stats;
use crate::error::{DlqError, Unreachable};
use crate::results::Interruption;

#[derive(Debug, Clone, Default)]
pub(crate) struct PurgePlan {
    pub topic: String,
    pub broker: String,
    /// What the selection holds: how many, how big, how old, which error classes (the same
    /// tally `dlq stats` shows).
    pub stats: Stats,
    /// Per partition, the entries selected.
    pub per_partition: BTreeMap<Partition, u64>,
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
    pub(crate) ends: BTreeMap<Partition, EntryId>,
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
    pub lost: Option<Unreachable>,
    /// Stopped by Ctrl-C (exit 5): entries not purged by then stay in the topic.
    pub interrupted: bool,
    /// Per partition, selected entries and how many of them were purged.
    pub partitions: BTreeMap<Partition, (u64, u64)>,
    /// Per partition, the entries the plan selected (the second pass may stop before it reads
    /// them all).
    pub planned: BTreeMap<Partition, u64>,
}

impl PurgeSummary {
    /// The partitions all of whose selected entries were purged, and the others. A run cut
    /// short (interrupted, broker lost) did not read all it planned: what it planned counts.
    pub(crate) fn split_partitions(&self) -> (Vec<Partition>, Vec<Partition>) {
        let mut counts = self.partitions.clone();
        if self.interrupted || self.lost.is_some() {
            for (p, planned) in &self.planned {
                let c = counts.entry(*p).or_default();
                c.0 = c.0.max(*planned);
            }
        }
        let (done, not): (Vec<_>, Vec<_>) = counts
            .iter()
            .partition(|(_, (selected, purged))| purged >= selected);
        let keys = |v: Vec<(&Partition, &(u64, u64))>| v.into_iter().map(|(p, _)| *p).collect();
        (keys(done), keys(not))
    }

    /// `Err(Partial)` (exit 3) when the broker refused some partitions, naming them.
    pub(crate) fn outcome(&self) -> Result<(), DlqError> {
        if let Some(lost) = &self.lost {
            let (done, not) = self.split_partitions();
            let names = |v: Vec<Partition>| -> String {
                if v.is_empty() {
                    return "none".into();
                }
                v.iter()
                    .map(Partition::to_string)
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
            return Err(DlqError::from(lost.clone().settled(format!(
                "{} of {} selected entries were purged{caveat} (partitions purged: {}; not or not \
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
            ))));
        }
        if self.interrupted {
            let read: u64 = self.partitions.values().map(|(read, _)| read).sum();
            return Err(DlqError::Interrupted(format!(
                "interrupted: {} of {} selected entries were purged ({}); the rest are still in the topic{}. \
                 Run the same command again to purge what is still there",
                self.purged,
                self.selected,
                self.how,
                match &self.backup {
                    Some(b) if read > self.purged => format!(
                        "; the backup {} holds the {read} entries read, {} of them not purged (restoring it \
                         would send those twice)",
                        b.display(),
                        read - self.purged
                    ),
                    _ => String::new(),
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
    /// Ctrl-C, asked for as the second pass begins: nothing more is purged, and a Kafka purge
    /// not yet at its deletion deletes nothing.
    fn interruption(&mut self) -> Interruption;
}
