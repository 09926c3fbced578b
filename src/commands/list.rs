//! `dlq list TOPIC`: stream the DLQ, explain each entry, keep those the selection matches.

use crate::broker::{self, ConnectConfig, Flow, ScanRequest};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::Entry;
use crate::domain::selection::Selection;
use crate::domain::view::{view, Detail};
use crate::output::EntrySink;

pub struct ListSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub header_map: HeaderMap,
    pub reveal: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListSummary {
    /// Entries that matched the selection and went to the sink.
    pub shown: u64,
    /// Entries read from the broker.
    pub read: u64,
    /// What the broker adapter wants the user to know.
    pub warnings: Vec<String>,
}

pub async fn run(s: &ListSettings, sink: &mut dyn EntrySink) -> anyhow::Result<ListSummary> {
    let mut broker = broker::connect(&s.connect).await?;
    let req = ScanRequest {
        topic: s.topic.clone(),
        partitions: s.selection.partitions.clone(),
        since: s.selection.since,
    };
    let (mut shown, mut read) = (0u64, 0u64);
    let notes = broker
        .scan(&req, &mut |record| {
            read += 1;
            let entry = Entry {
                context: explain(&record, &s.header_map),
                record,
            };
            if !s.selection.matches(&entry) {
                return Ok(Flow::Continue);
            }
            sink.entry(&view(&entry, Detail::Summary, s.reveal))?;
            shown += 1;
            Ok(if s.selection.limit.is_some_and(|l| shown >= l) {
                Flow::Stop
            } else {
                Flow::Continue
            })
        })
        .await?;
    Ok(ListSummary {
        shown,
        read,
        warnings: notes.warnings,
    })
}
