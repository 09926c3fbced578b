//! What `stats` and `topics` report. The commands fill them; the output layer shows them.

use crate::domain::stats::Stats;

pub(crate) struct StatsResult {
    pub stats: Stats,
    /// Entries read from the broker (before the selection).
    pub read: u64,
    /// The size of the arrivals chart's buckets, in seconds.
    pub arrival_bucket: i64,
    /// Charts of arrivals for this many of the most frequent failures (0: none).
    pub chart_failures: usize,
    /// For metrics: the entries the broker retains and those the operator has not handled, as it
    /// counts them without reading (Kafka's watermarks and the operator group's offsets); `None`
    /// where it cannot (Pulsar), or when not asked.
    pub retained: Option<u64>,
    pub unhandled: Option<u64>,
    /// The read started at what the operator has not handled (no `--include-handled`).
    pub unhandled_only: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DlqTopic {
    pub topic: String,
    /// The naming pattern that made it a DLQ.
    pub pattern: String,
    pub partitions: u32,
    /// Kafka: entries the broker retains (offsets, so transaction markers count too); `None`
    /// where the broker cannot count without reading.
    pub retained: Option<u64>,
    /// Entries the operator group/subscription has not handled.
    pub unhandled: u64,
}
