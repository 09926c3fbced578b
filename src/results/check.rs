//! What `check` reports: one verdict per DLQ.

use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub topic: String,
    /// Entries the operator has not handled.
    pub entries: u64,
    /// The oldest of them.
    pub oldest: Option<Timestamp>,
    /// Entries written in the last minute.
    pub per_minute: u64,
    /// The thresholds crossed, in words ("12 entries > --max-entries 10").
    pub exceeded: Vec<String>,
}
