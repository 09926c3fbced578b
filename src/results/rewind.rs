//! What a rewind reports: where it goes, its plan and outcome, and how it asks. The command fills
//! them; the output layer shows them.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::broker::RewindPlan;
use crate::domain::positions::ConsumerKind;

/// Where the rewind goes.
#[derive(Debug, Clone)]
pub(crate) enum Destination {
    /// `--since TIME`: what the user typed, and the instant it resolved to.
    Since { at: Timestamp, input: String },
    /// `--restore-positions FILE`.
    Restore(PathBuf),
}

#[derive(Debug, Clone)]
pub(crate) struct RewindOutcome {
    pub topic: String,
    pub kind: ConsumerKind,
    pub consumer: String,
    pub destination: Destination,
    pub plan: RewindPlan,
    pub dry_run: bool,
    pub applied: bool,
    /// The file holding the positions from before the rewind, once written.
    pub positions_file: Option<PathBuf>,
}

impl RewindOutcome {
    pub(crate) fn reprocess(&self) -> u64 {
        self.plan.partitions.iter().map(|p| p.reprocess).sum()
    }
}

pub(crate) trait RewindUi: Send {
    fn plan(&mut self, outcome: &RewindOutcome) -> std::io::Result<()>;
    /// `None` when there is no terminal to ask on.
    fn confirm(&mut self, outcome: &RewindOutcome) -> std::io::Result<Option<bool>>;
    /// The positions from before were saved here (said before anything moves, so the path is
    /// known even if the rewind then fails).
    fn saved(&mut self, path: &std::path::Path) -> std::io::Result<()>;
}
