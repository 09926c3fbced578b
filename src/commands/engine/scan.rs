//! The read every command shares: open a reader on a topic, explain each record against the
//! dead-letter conventions, hand over the entries a filter keeps (until it has all it wants),
//! and close the reader whatever happened. A second pass (replay's and purge's) is bounded by
//! where the first one ended: an entry that arrived in between is left alone, and counted.
//!
//! Records a scan does not hand over are marked unhandled for the reader's bookkeeping (on Kafka
//! nothing after them can be marked), so the commands that mark entries need not think of them.

use std::collections::BTreeMap;

use crate::broker::{Broker, DlqReader, ScanNotes, ScanRequest, StartAt};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::{Entry, EntryId, Partition};
use crate::domain::selection::Selection;

/// A fail point after each record read (the `failpoints` feature; nothing without it): with
/// `FAILPOINTS='scan-read=N*off->1*return(PATH)->off'` the (N+1)th record read writes PATH and holds
/// the scan for a second, so that a test can stall the broker while the read is mid-way
/// (tests/cli/faults.rs).
fn read_hook() {
    fail::fail_point!("scan-read", |marker: Option<String>| {
        if let Some(path) = marker {
            let _ = std::fs::write(path, b"");
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    });
}

/// Decides which entries a scan hands over.
pub(crate) trait Filter {
    fn select(&mut self, entry: &Entry) -> bool;
    /// Nothing more will be selected (a limit was reached): the scan ends early.
    fn done(&self) -> bool {
        false
    }
}

/// A selection with its `--limit`.
pub(crate) struct Selected<'a> {
    selection: &'a Selection,
    taken: u64,
}

impl<'a> Selected<'a> {
    pub(crate) fn new(selection: &'a Selection) -> Self {
        Selected {
            selection,
            taken: 0,
        }
    }
}

impl Filter for Selected<'_> {
    fn select(&mut self, entry: &Entry) -> bool {
        let hit = !self.done() && self.selection.matches(entry);
        self.taken += u64::from(hit);
        hit
    }

    fn done(&self) -> bool {
        self.selection.limit.is_some_and(|l| self.taken >= l)
    }
}

/// One record of a scan, as `Scan::step` reports it.
pub(crate) enum Step {
    /// The filter kept it.
    Selected(Box<Entry>),
    /// The filter did not keep it (already marked unhandled).
    Passed(EntryId),
}

pub(crate) struct Scan {
    reader: Box<dyn DlqReader>,
    header_map: HeaderMap,
    /// Second pass: per partition, the last record the first pass read.
    bound: Option<BTreeMap<Partition, EntryId>>,
    /// Per partition, the last record read: where a second pass over the same topic stops.
    pub ends: BTreeMap<Partition, EntryId>,
    /// Records read from the broker.
    pub read: u64,
    /// Second pass: records past the first pass's end, left alone.
    pub beyond: u64,
}

/// What to read of `topic` for `selection`: only its partitions, from its `--since` on (the
/// broker seeks there), starting at `start`; `track` when the read marks entries handled.
pub(crate) fn request(
    topic: &str,
    selection: &Selection,
    start: StartAt,
    track: bool,
) -> ScanRequest {
    ScanRequest {
        topic: topic.to_string(),
        partitions: selection.partitions.clone(),
        since: selection.since,
        start,
        track,
    }
}

impl Scan {
    pub(crate) async fn open(
        broker: &mut dyn Broker,
        req: &ScanRequest,
        header_map: &HeaderMap,
    ) -> anyhow::Result<Scan> {
        Ok(Scan {
            reader: broker.open(req).await?,
            header_map: header_map.clone(),
            bound: None,
            ends: BTreeMap::new(),
            read: 0,
            beyond: 0,
        })
    }

    /// A second pass: never beyond where the first one (`ends`) stopped.
    pub(crate) fn bounded_by(mut self, ends: &BTreeMap<Partition, EntryId>) -> Scan {
        self.bound = Some(ends.clone());
        self
    }

    /// The next record, kept or passed; `None` at the end (or once the filter is done).
    pub(crate) async fn step(&mut self, filter: &mut dyn Filter) -> anyhow::Result<Option<Step>> {
        loop {
            if filter.done() {
                return Ok(None);
            }
            let Some(record) = self.reader.next().await? else {
                return Ok(None);
            };
            self.read += 1;
            read_hook();
            let id = record.id;
            self.ends.insert(id.in_partition(), id);
            let beyond = self
                .bound
                .as_ref()
                .is_some_and(|b| b.get(&id.in_partition()).is_none_or(|end| id.is_after(end)));
            if beyond {
                self.beyond += 1;
                self.reader.track_unhandled(id);
                continue;
            }
            let entry = Entry {
                context: explain(&record, &self.header_map),
                record,
            };
            let kept = filter.select(&entry);
            tracing::trace!(topic = %entry.record.topic, %id, kept, "scanned");
            if kept {
                return Ok(Some(Step::Selected(Box::new(entry))));
            }
            self.reader.track_unhandled(id);
            return Ok(Some(Step::Passed(id)));
        }
    }

    /// The next entry the filter keeps.
    pub(crate) async fn next(&mut self, filter: &mut dyn Filter) -> anyhow::Result<Option<Entry>> {
        while let Some(step) = self.step(filter).await? {
            if let Step::Selected(entry) = step {
                return Ok(Some(*entry));
            }
        }
        Ok(None)
    }

    /// The reader, for marks and topic schemas.
    pub(crate) fn reader(&mut self) -> &mut dyn DlqReader {
        self.reader.as_mut()
    }

    /// Runs `body` on the scan, then closes the reader on every path (the body's error first,
    /// then the close's): the read-then-close every command does.
    pub(crate) async fn run<T>(
        mut self,
        body: impl AsyncFnOnce(&mut Scan) -> anyhow::Result<T>,
    ) -> anyhow::Result<(T, ScanNotes)> {
        let result = body(&mut self).await;
        self.close_after(result).await
    }

    /// Closes the reader (making its marks durable), whatever `result` is; the scan's own error
    /// comes first, then the close's.
    pub(crate) async fn close_after<T>(
        self,
        result: anyhow::Result<T>,
    ) -> anyhow::Result<(T, ScanNotes)> {
        let closed = self.reader.close().await;
        let value = result?;
        Ok((value, closed?))
    }

    /// The reader itself, for whoever closes (or abandons) it.
    pub(crate) fn into_reader(self) -> Box<dyn DlqReader> {
        self.reader
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::MemoryBroker;
    use crate::broker::StartAt;

    fn req(topic: &str) -> ScanRequest {
        ScanRequest {
            topic: topic.into(),
            start: StartAt::Retained,
            ..ScanRequest::default()
        }
    }

    #[tokio::test]
    async fn a_scan_keeps_what_the_selection_matches_up_to_its_limit() {
        let b = MemoryBroker::default().with_topic("t", 2);
        for i in 0..4 {
            b.append("t", i % 2, &format!("k{i}"), &[]);
        }
        let selection = Selection {
            limit: Some(2),
            ..Selection::default()
        };
        let mut scan = Scan::open(&mut b.clone(), &req("t"), &HeaderMap::default())
            .await
            .unwrap();
        let mut filter = Selected::new(&selection);
        let mut keys = Vec::new();
        while let Some(e) = scan.next(&mut filter).await.unwrap() {
            keys.push(String::from_utf8(e.record.key.unwrap()).unwrap());
        }
        assert_eq!(keys.len(), 2, "the limit ends the scan");
        assert_eq!(scan.read, 2, "and nothing more is read");
        scan.close_after(Ok(())).await.unwrap();
    }

    #[tokio::test]
    async fn a_second_pass_stops_where_the_first_ended() {
        let b = MemoryBroker::default().with_topic("t", 1);
        for i in 0..3 {
            b.append("t", 0, &format!("k{i}"), &[]);
        }
        let everything = Selection::default();
        let mut first = Scan::open(&mut b.clone(), &req("t"), &HeaderMap::default())
            .await
            .unwrap();
        while first
            .next(&mut Selected::new(&everything))
            .await
            .unwrap()
            .is_some()
        {}
        let ends = first.ends.clone();
        first.close_after(Ok(())).await.unwrap();
        b.append("t", 0, "late", &[]);
        let mut second = Scan::open(&mut b.clone(), &req("t"), &HeaderMap::default())
            .await
            .unwrap()
            .bounded_by(&ends);
        let mut n = 0;
        while second
            .next(&mut Selected::new(&everything))
            .await
            .unwrap()
            .is_some()
        {
            n += 1;
        }
        assert_eq!(
            (n, second.beyond),
            (3, 1),
            "the late entry is left alone, and counted"
        );
    }
}
