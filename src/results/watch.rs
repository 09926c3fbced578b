//! What one refresh of `dlq watch` sees: per DLQ, its size, what arrived and left, its oldest
//! unhandled entry, its top failures and recent arrivals.

use jiff::Timestamp;

use crate::domain::stats::Stats;
use crate::domain::watch::TopFailure;

#[derive(Debug, Clone)]
pub(crate) struct TopicWatch {
    pub topic: String,
    /// Unhandled entries.
    pub entries: u64,
    /// Entries the broker retains, handled or not, where it counts them (Kafka).
    pub retained: Option<u64>,
    /// Since the refresh before.
    pub arrived: u64,
    pub removed: u64,
    /// (arrivals, removals) a minute over the last minute; `None` at the first refresh.
    pub per_minute: Option<(f64, f64)>,
    pub oldest: Option<Timestamp>,
    pub top: Vec<TopFailure>,
    /// Arrivals per minute by DLQ time, the last `SPARK_MINUTES` minutes, oldest first.
    pub spark: Vec<u64>,
    /// What `stats` counts, for the metrics.
    pub stats: Stats,
    /// Why this refresh failed (the figures are the last ones seen); `None` when it did not.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub at: Timestamp,
    /// How long the refresh took.
    pub refresh_seconds: f64,
    /// Refreshes so far, the first read being 1.
    pub refresh: u64,
    pub topics: Vec<TopicWatch>,
}
