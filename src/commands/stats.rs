//! `dlq stats TOPIC [selection]`: counts while streaming; nothing is kept per entry.

use crate::broker::{self, ConnectConfig, ScanRequest, StartAt};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::Entry;
use crate::domain::selection::Selection;
use crate::domain::stats::Stats;

pub struct StatsSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub header_map: HeaderMap,
    pub start: StartAt,
}

pub struct StatsResult {
    pub stats: Stats,
    /// Entries read from the broker (before the selection).
    pub read: u64,
    pub warnings: Vec<String>,
}

/// Reads the topic once; `progress` hears how many entries were read so far.
pub async fn run(
    s: &StatsSettings,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<StatsResult> {
    let mut broker = broker::connect(&s.connect).await?;
    let mut reader = broker
        .open(&ScanRequest {
            topic: s.topic.clone(),
            partitions: s.selection.partitions.clone(),
            since: s.selection.since,
            start: s.start,
            track: false,
        })
        .await?;
    let mut stats = Stats::default();
    let mut read = 0u64;
    let counted: anyhow::Result<()> = async {
        while let Some(record) = reader.next().await? {
            read += 1;
            if read % 1024 == 0 {
                progress(read);
            }
            let entry = Entry {
                context: explain(&record, &s.header_map),
                record,
            };
            if !s.selection.matches(&entry) {
                continue;
            }
            stats.add(&entry);
            if s.selection.limit.is_some_and(|l| stats.entries >= l) {
                break;
            }
        }
        Ok(())
    }
    .await;
    let notes = reader.close().await?;
    counted?;
    progress(read);
    Ok(StatsResult {
        stats,
        read,
        warnings: notes.warnings,
    })
}
