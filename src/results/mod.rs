//! What commands report, and the traits through which they talk to the person (or script)
//! running them: the one place `commands/` and `output/` both depend on, so that neither
//! imports the other.

pub(crate) mod check;
pub(crate) mod groups;
pub(crate) mod purge;
pub(crate) mod replay;
pub(crate) mod rewind;
pub(crate) mod stats;
pub(crate) mod watch;

use std::io;

use crate::domain::view::EntryView;

/// What `list` did: how many entries it showed of how many it read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ListSummary {
    /// Entries that matched the selection and went to the sink.
    pub shown: u64,
    /// Entries read from the broker.
    pub read: u64,
    /// What the broker adapter wants the user to know.
    pub warnings: Vec<String>,
}

/// Resolves when the person asks a run that changes the broker (replay, restore, purge) to stop:
/// Ctrl-C on a terminal. Asked for once, as the run begins; the run then takes no more entries,
/// settles what is under way and reports (exit 5).
pub(crate) type Interruption = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Receives the entries a command selected, one at a time.
pub(crate) trait EntrySink: Send {
    fn entry(&mut self, v: &EntryView) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}
