//! The read every command shares: open a reader on a topic, explain each record against the
//! dead-letter conventions, hand over the entries a filter keeps (until it has all it wants),
//! and close the reader whatever happened. A second pass (replay's and purge's) is bounded by
//! where the first one ended: an entry that arrived in between is left alone, and counted.
//!
//! Records a scan does not hand over are marked unhandled for the reader's bookkeeping (on Kafka
//! nothing after them can be marked), so the commands that mark entries need not think of them.

use std::collections::BTreeMap;

use std::collections::VecDeque;

use crate::broker::{Broker, DlqReader, OriginFetcher, OriginRef, ScanNotes, ScanRequest, StartAt};
use crate::domain::conventions::{
    explain, is_topic_id, points_to_original, HeaderMap, TOPIC_ID_NOTE,
};
use crate::domain::entry::{Context, Entry, EntryId, Original, Partition, Record};
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

/// Dead letters whose originals are fetched together: a share group's dead letter makes the
/// scan read up to this many records ahead and fetch their originals in one batch.
const ORIGINALS_BATCH: usize = 1_000;

pub(crate) struct Scan {
    reader: Box<dyn DlqReader>,
    header_map: HeaderMap,
    /// Where the broker has dead letters that only point at their original (Kafka share
    /// groups): names an origin given as a topic id and, with `with_originals`, fetches the
    /// originals before the filter sees them.
    originals: Option<Box<dyn OriginFetcher>>,
    /// `with_originals`: the entries handed over carry their originals.
    fetch_messages: bool,
    /// Topic ids named so far (`None`: no topic has that id now).
    topic_names: BTreeMap<String, Option<String>>,
    /// `--where` on payloads that need a schema fetched first (registry, Pulsar topic schema).
    where_decoding: Option<(super::decoding::Sources, crate::domain::expression::Where)>,
    /// Entries read ahead to fetch their originals in one batch, in the order read.
    ahead: VecDeque<Entry>,
    /// An error the read-ahead met, returned once what was read before it is served.
    ahead_error: Option<anyhow::Error>,
    /// The read-ahead reached the end of the topic.
    ahead_done: bool,
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
        let reader = broker.open(req).await?;
        Ok(Scan::open_with(reader, broker, header_map))
    }

    fn open_with(
        reader: Box<dyn crate::broker::DlqReader>,
        broker: &mut dyn Broker,
        header_map: &HeaderMap,
    ) -> Scan {
        Scan {
            reader,
            header_map: header_map.clone(),
            originals: broker.origins(),
            fetch_messages: false,
            where_decoding: None,
            topic_names: BTreeMap::new(),
            ahead: VecDeque::new(),
            ahead_error: None,
            ahead_done: false,
            bound: None,
            ends: BTreeMap::new(),
            read: 0,
            beyond: 0,
        }
    }

    /// `replay --join`: the partitions the operator group gives this process, each to the
    /// boundary of the run (no first pass: `Broker::join`).
    pub(crate) async fn join(
        broker: &mut dyn Broker,
        req: &ScanRequest,
        header_map: &HeaderMap,
    ) -> anyhow::Result<Scan> {
        let reader = broker.join(req).await?;
        Ok(Scan::open_with(reader, broker, header_map))
    }

    /// A joined read the group gave more to: read on after an end.
    pub(crate) fn resume(&mut self) {
        self.ahead_done = false;
    }

    /// A second pass: never beyond where the first one (`ends`) stopped.
    pub(crate) fn bounded_by(mut self, ends: &BTreeMap<Partition, EntryId>) -> Scan {
        self.bound = Some(ends.clone());
        self
    }

    /// When `needed`, the entries handed over carry their originals where the dead letter only
    /// points at one (`Entry::original`): for commands that show, export, send or select on the
    /// message. Nothing is fetched for a topic without such dead letters.
    pub(crate) fn with_originals(mut self, needed: bool) -> Scan {
        self.fetch_messages = needed;
        self
    }

    /// `--where` reads payloads with the registry (and Pulsar topic schemas) of `sources`: the
    /// schemas an entry needs are fetched before the filter sees it.
    pub(crate) fn with_where_decoding(
        mut self,
        selection: &Selection,
        sources: super::decoding::Sources,
    ) -> Scan {
        self.where_decoding = selection.where_.clone().map(|w| (sources, w));
        self
    }

    /// A record explained; an origin the broker gave as a topic id is named.
    async fn explained(&mut self, record: Record) -> anyhow::Result<Entry> {
        let mut context = explain(&record, &self.header_map);
        let id = context
            .origin_topic
            .clone()
            .filter(|t| points_to_original(&context) && is_topic_id(t));
        if let (Some(id), Some(fetcher)) = (id, self.originals.as_mut()) {
            let name = match self.topic_names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = fetcher.topic_named(&id).await?;
                    self.topic_names.insert(id.clone(), name.clone());
                    name
                }
            };
            name_origin(&mut context, &id, name);
        }
        Ok(Entry::new(record, context))
    }

    /// The next entry read, explained (and with its original, when fetching them).
    async fn read_entry(&mut self) -> anyhow::Result<Option<Entry>> {
        if let Some(entry) = self.ahead.pop_front() {
            return Ok(Some(entry));
        }
        if let Some(e) = self.ahead_error.take() {
            return Err(e);
        }
        if self.ahead_done {
            return Ok(None);
        }
        let Some(record) = self.reader.next().await? else {
            return Ok(None);
        };
        let entry = self.explained(record).await?;
        if !self.fetch_messages || self.originals.is_none() || !points_to_original(&entry.context) {
            return Ok(Some(entry));
        }
        // Read ahead, so that the originals of a run of dead letters come in one fetch.
        self.ahead.push_back(entry);
        while self.ahead.len() < ORIGINALS_BATCH {
            match self.reader.next().await {
                Ok(Some(record)) => match self.explained(record).await {
                    Ok(entry) => self.ahead.push_back(entry),
                    Err(e) => {
                        self.ahead_error = Some(e);
                        break;
                    }
                },
                Ok(None) => {
                    self.ahead_done = true;
                    break;
                }
                Err(e) => {
                    self.ahead_error = Some(e);
                    break;
                }
            }
        }
        let fetcher = self.originals.as_mut().expect("checked above");
        attach_originals(fetcher.as_mut(), self.ahead.make_contiguous()).await?;
        Ok(self.ahead.pop_front())
    }

    /// The next record, kept or passed; `None` at the end (or once the filter is done).
    pub(crate) async fn step(&mut self, filter: &mut dyn Filter) -> anyhow::Result<Option<Step>> {
        loop {
            if filter.done() {
                return Ok(None);
            }
            let Some(entry) = self.read_entry().await? else {
                return Ok(None);
            };
            self.read += 1;
            read_hook();
            let id = entry.record.id;
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
            if let Some((sources, w)) = &self.where_decoding {
                if w.wants_schema(entry.message()) {
                    let mut decoder = w.decoder();
                    let reader = &mut self.reader;
                    sources
                        .prepare(&mut decoder, entry.message(), async |t, v| {
                            reader.topic_schema(t, v).await
                        })
                        .await;
                    w.learned(decoder);
                }
            }
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

/// What a counting read (stats, groups) tells besides its counts.
pub(crate) struct Counted {
    /// Entries read from the broker (before the selection).
    pub read: u64,
    /// The broker's notes and the selection's (`--where` left entries out).
    pub warnings: Vec<String>,
}

/// Reads `topic` once for counting: every entry `selection` keeps goes to `count`, nothing is
/// kept or marked; `progress` hears how many entries were read so far. With `sources`, `--where`
/// reads registry-encoded payloads.
pub(crate) async fn count_selected(
    broker: &mut dyn Broker,
    req: &ScanRequest,
    header_map: &HeaderMap,
    selection: &Selection,
    sources: Option<super::decoding::Sources>,
    progress: &mut (dyn FnMut(u64) + Send),
    mut count: impl FnMut(&Entry) + Send,
) -> anyhow::Result<Counted> {
    let mut scan = Scan::open(broker, req, header_map)
        .await?
        .with_originals(selection.reads_the_message());
    if let Some(sources) = sources {
        scan = scan.with_where_decoding(selection, sources);
    }
    let mut filter = Selected::new(selection);
    let counted = async |scan: &mut Scan| {
        while let Some(step) = scan.step(&mut filter).await? {
            if scan.read % 1024 == 0 {
                progress(scan.read);
            }
            if let Step::Selected(entry) = step {
                count(&entry);
            }
        }
        Ok(scan.read)
    };
    let (read, notes) = scan.run(counted).await?;
    progress(read);
    let mut warnings = notes.warnings;
    warnings.extend(selection.where_warning());
    Ok(Counted { read, warnings })
}

/// One entry by the id `list` printed, explained, with the original a dead letter points at
/// (what `inspect` shows and `edit` repairs).
pub(crate) async fn fetch_entry(
    broker: &mut dyn Broker,
    topic: &str,
    id: &str,
    header_map: &HeaderMap,
) -> anyhow::Result<Entry> {
    let id = broker.parse_id(id)?;
    let record = broker.fetch(topic, id).await?;
    let mut entry = {
        let context = explain(&record, header_map);
        Entry::new(record, context)
    };
    if let Some(mut fetcher) = broker.origins() {
        name_origin_topic(fetcher.as_mut(), &mut entry.context).await?;
        attach_originals(fetcher.as_mut(), std::slice::from_mut(&mut entry)).await?;
    }
    Ok(entry)
}

/// Names an origin the dead letter gave as a topic id (for one entry; a scan keeps the names it
/// learned).
pub(crate) async fn name_origin_topic(
    fetcher: &mut dyn OriginFetcher,
    context: &mut Context,
) -> anyhow::Result<()> {
    let id = context
        .origin_topic
        .clone()
        .filter(|t| points_to_original(context) && is_topic_id(t));
    if let Some(id) = id {
        let name = fetcher.topic_named(&id).await?;
        name_origin(context, &id, name);
    }
    Ok(())
}

/// Puts the topic's name where the dead letter gave its id, or says no topic has that id.
fn name_origin(context: &mut Context, id: &str, name: Option<String>) {
    context.notes.retain(|n| !n.starts_with(TOPIC_ID_NOTE));
    match name {
        Some(name) if name == id => {}
        Some(name) => {
            context.notes.push(format!(
                "{TOPIC_ID_NOTE} ({id}); the cluster metadata names it '{name}'"
            ));
            context.origin_topic = Some(name);
        }
        None => context.notes.push(format!(
            "{TOPIC_ID_NOTE} ({id}), and no topic has that id now (deleted?): the origin cannot \
             be named"
        )),
    }
}

/// Fetches, in one batch, the originals of the entries that only point at theirs and have none
/// yet; an entry that does not say where its original is gets that as its reason.
pub(crate) async fn attach_originals(
    fetcher: &mut dyn OriginFetcher,
    entries: &mut [Entry],
) -> anyhow::Result<()> {
    let mut asked = Vec::new();
    let mut wanted = Vec::new();
    for (i, e) in entries.iter_mut().enumerate() {
        if e.original.is_some() || !points_to_original(&e.context) {
            continue;
        }
        let c = &e.context;
        match (&c.origin_topic, c.origin_partition, c.origin_offset) {
            (Some(topic), Some(partition), Some(offset)) => {
                asked.push(i);
                wanted.push(OriginRef {
                    topic: topic.clone(),
                    partition,
                    offset,
                });
            }
            _ => {
                e.original = Some(Original::Missing(
                    "the dead letter does not say where its original is (origin topic, \
                     partition and offset)"
                        .into(),
                ))
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let found = fetcher.fetch_originals(&wanted).await?;
    for (i, got) in asked.into_iter().zip(found) {
        entries[i].original = Some(match got {
            Ok(record) => Original::Fetched(record),
            Err(why) => Original::Missing(why),
        });
    }
    Ok(())
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
    async fn an_origin_given_as_a_topic_id_is_named_or_said_to_be_unknown() {
        let b = MemoryBroker::default()
            .with_topic("dlq.t", 1)
            .with_topic("orders", 1);
        b.set_topic_id("kZ3x9Qb2TnWvY8aLmP0cRg", "orders");
        for id in ["kZ3x9Qb2TnWvY8aLmP0cRg", "Qq1w2E3r4T5y6U7i8O9p0A"] {
            b.append_headers_only(
                "dlq.t",
                0,
                &[
                    ("__dlq.errors.topic", id),
                    ("__dlq.errors.partition", "0"),
                    ("__dlq.errors.offset", "0"),
                    ("__dlq.errors.message", "Offset rejected by client."),
                ],
            );
        }
        let mut scan = Scan::open(&mut b.clone(), &req("dlq.t"), &HeaderMap::default())
            .await
            .unwrap();
        let everything = Selection::default();
        let mut filter = Selected::new(&everything);
        let named = scan.next(&mut filter).await.unwrap().unwrap();
        assert_eq!(named.context.origin_topic.as_deref(), Some("orders"));
        assert!(
            named.context.notes[0].contains("the cluster metadata names it 'orders'"),
            "{:?}",
            named.context.notes
        );
        let unknown = scan.next(&mut filter).await.unwrap().unwrap();
        assert_eq!(
            unknown.context.origin_topic.as_deref(),
            Some("Qq1w2E3r4T5y6U7i8O9p0A")
        );
        assert!(
            unknown.context.notes[0].contains("no topic has that id now"),
            "{:?}",
            unknown.context.notes
        );
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
