//! Reading a topic: `assign()` with explicit offsets, never joining the group.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use jiff::Timestamp;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::KafkaBroker;
use crate::broker::{DlqReader, ScanNotes, ScanRequest, StartAt};
use crate::domain::entry::{EntryId, Header, Record};
use crate::domain::prefix::Prefix;
use crate::error::{DlqError, Unreachable};

impl KafkaBroker {
    pub(super) fn open_blocking(&self, req: &ScanRequest) -> anyhow::Result<KafkaReader> {
        let consumer = self.consumer()?;
        let all = self.partitions(&consumer, &req.topic)?;
        let wanted: Vec<i32> = if req.partitions.is_empty() {
            all.clone()
        } else {
            for p in &req.partitions {
                if !all.contains(p) {
                    return Err(DlqError::Usage(format!(
                        "topic '{}' has no partition {p} (it has {})",
                        req.topic,
                        all.len()
                    ))
                    .into());
                }
            }
            req.partitions.clone()
        };

        let committed = match req.start {
            StartAt::Unhandled => self.committed(&consumer, &req.topic, &wanted)?,
            StartAt::Retained => BTreeMap::new(),
        };
        let mut tpl = TopicPartitionList::new();
        for &p in &wanted {
            let (low, high) = self.watermarks(&consumer, &req.topic, p)?;
            // The group's position, unless retention already removed what it points at.
            let start = committed.get(&p).map_or(low, |&c| c.max(low));
            if high > start {
                tpl.add_partition_offset(&req.topic, p, Offset::Offset(start))?;
            }
        }
        if let Some(since) = req.since {
            self.seek_to_time(&consumer, &mut tpl, since)?;
        }
        let open: BTreeSet<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
        if !open.is_empty() {
            consumer.assign(&tpl).context("assigning partitions")?;
        }
        Ok(KafkaReader {
            consumer: std::sync::Arc::new(consumer),
            open,
            topic: req.topic.clone(),
            bootstrap: self.bootstrap.clone(),
            group: self.group.clone(),
            timeout: self.timeout,
            track: req.track,
            prefixes: BTreeMap::new(),
            committed: BTreeMap::new(),
        })
    }

    /// Starts each partition at the first offset with a timestamp at or after `since`.
    /// Partitions with nothing that recent are dropped from the assignment.
    pub(super) fn seek_to_time(
        &self,
        consumer: &KConsumer,
        tpl: &mut TopicPartitionList,
        since: Timestamp,
    ) -> anyhow::Result<()> {
        let mut query = TopicPartitionList::new();
        for e in tpl.elements() {
            query.add_partition_offset(
                e.topic(),
                e.partition(),
                Offset::Offset(since.as_millisecond()),
            )?;
        }
        let found = match consumer.offsets_for_times(query, self.timeout) {
            Ok(found) => found,
            // A broker that cannot look up times is still read from the start; the filter
            // keeps the result exact.
            Err(_) => return Ok(()),
        };
        let mut next = TopicPartitionList::new();
        for e in tpl.elements() {
            let start = found
                .find_partition(e.topic(), e.partition())
                .map(|f| f.offset())
                .unwrap_or(e.offset());
            match start {
                Offset::Offset(o) => {
                    let from = match e.offset() {
                        Offset::Offset(low) => o.max(low),
                        _ => o,
                    };
                    next.add_partition_offset(e.topic(), e.partition(), Offset::Offset(from))?;
                }
                // Nothing at or after `since` in this partition.
                Offset::End => {}
                _ => next.add_partition_offset(e.topic(), e.partition(), e.offset())?,
            }
        }
        *tpl = next;
        Ok(())
    }

    pub(super) fn fetch_blocking(&self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let EntryId::Kafka { partition, offset } = id else {
            return Err(DlqError::Usage(format!(
                "{id} is not a Kafka entry id (PARTITION:OFFSET)"
            ))
            .into());
        };
        let consumer = self.consumer()?;
        let all = self.partitions(&consumer, topic)?;
        let not_found =
            |why: String| DlqError::NotFound(format!("no entry {id} in '{topic}': {why}"));
        if !all.contains(&partition) {
            return Err(not_found(format!("the topic has {} partitions", all.len())).into());
        }
        let (low, high) = self.watermarks(&consumer, topic, partition)?;
        if offset < low || offset >= high {
            return Err(not_found(format!(
                "partition {partition} holds offsets {low} to {}",
                high - 1
            ))
            .into());
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, Offset::Offset(offset))?;
        consumer.assign(&tpl)?;
        let deadline = Instant::now() + self.timeout;
        while Instant::now() < deadline {
            match consumer.poll(POLL) {
                None => {}
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context(format!("reading {id} of '{topic}'")),
                Some(Ok(m)) if m.offset() == offset => return Ok(to_record(&m)),
                // Compacted away or a transaction marker: the log skips this offset.
                Some(Ok(_)) => break,
            }
        }
        if Instant::now() >= deadline {
            return Err(Unreachable::no_answer(self.timeout)
                .at(format!("Kafka at {}", self.bootstrap))
                .doing(format!("fetching {id} of '{topic}'"))
                .into());
        }
        Err(
            not_found("the offset holds no record (compacted or a transaction marker)".into())
                .into(),
        )
    }
}

/// Reads assigned partitions until each reports librdkafka's partition EOF. The end is not
/// taken from a watermark read up front: some brokers report a high watermark below the last
/// record (BROKERS.md).
pub(super) struct KafkaReader {
    /// Shared with a commit's own thread (`commit_within`).
    consumer: std::sync::Arc<KConsumer>,
    open: BTreeSet<i32>,
    topic: String,
    bootstrap: String,
    group: String,
    timeout: Duration,
    track: bool,
    /// Per partition, the handled prefix the group may be moved over.
    prefixes: BTreeMap<i32, Prefix>,
    /// Per partition, the offset last committed by this reader.
    committed: BTreeMap<i32, i64>,
}

impl KafkaReader {
    pub(super) fn next_blocking(&mut self) -> anyhow::Result<Option<Record>> {
        let mut last_progress = Instant::now();
        while !self.open.is_empty() {
            match self.poll_once(POLL)? {
                Polled::Record(r) => return Ok(Some(r)),
                Polled::Progress => last_progress = Instant::now(),
                Polled::Nothing => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(Unreachable::no_answer(self.timeout)
                            .at(format!("Kafka at {}", self.bootstrap))
                            .doing(format!(
                                "reading partitions {:?} of '{}'",
                                self.open, self.topic
                            ))
                            .why("they hold records, and nothing came")
                            .advice("a slow broker may need a longer --timeout")
                            .into());
                    }
                }
            }
        }
        Ok(None)
    }

    /// One poll of the consumer, waiting at most `wait`.
    fn poll_once(&mut self, wait: Duration) -> anyhow::Result<Polled> {
        match self.consumer.poll(wait) {
            None => Ok(Polled::Nothing),
            Some(Err(KafkaError::PartitionEOF(p))) => {
                self.open.remove(&p);
                Ok(Polled::Progress)
            }
            Some(Err(e)) if is_transient(&e) => Ok(Polled::Nothing),
            Some(Err(e)) => Err(e).context(format!("reading '{}'", self.topic)),
            Some(Ok(m)) => Ok(Polled::Record(to_record(&m))),
        }
    }

    pub(super) fn prefix(&mut self, id: EntryId) -> Option<(&mut Prefix, i64)> {
        match id {
            EntryId::Kafka { partition, offset } if self.track => {
                Some((self.prefixes.entry(partition).or_default(), offset))
            }
            _ => None,
        }
    }

    pub(super) fn commit_blocking(&mut self) -> anyhow::Result<()> {
        let mut tpl = TopicPartitionList::new();
        let mut moved = Vec::new();
        for (&p, prefix) in &self.prefixes {
            if let Some(next) = prefix.commit_offset() {
                if self.committed.get(&p) != Some(&next) {
                    tpl.add_partition_offset(&self.topic, p, Offset::Offset(next))?;
                    moved.push((p, next));
                }
            }
        }
        if moved.is_empty() {
            return Ok(());
        }
        commit_group(&self.consumer, &tpl, self.timeout).map_err(|e| {
            if between_generations(&e) {
                // This reader commits from outside the group: the broker takes that only while
                // the group has no members.
                anyhow::anyhow!(
                    "group '{}' refused the commit of what was handled in '{}' ({e}): the group \
                     has members now (a `dlq replay --join`, or a service using the name). Wait \
                     for them to finish, or give this command a group of its own with --group NAME",
                    self.group,
                    self.topic
                )
            } else {
                group_commit_error(&self.bootstrap, &self.group, &self.topic, e)
            }
        })?;
        self.committed.extend(moved);
        Ok(())
    }

    pub(super) fn gap_warnings(&self) -> Vec<String> {
        self.prefixes
            .iter()
            .filter_map(|(p, prefix)| prefix.gap().map(|(at, n)| (p, at, n)))
            .map(|(p, at, n)| {
                format!(
                    "partition {p}: {n} handled entr{} after offset {at}, which was not handled; Kafka's group \
                     offset marks only a contiguous prefix, so group '{}' stays at {at} and those entries will be \
                     offered again",
                    if n == 1 { "y lies" } else { "ies lie" },
                    self.group
                )
            })
            .collect()
    }
}

#[async_trait]
impl DlqReader for KafkaReader {
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        // A record librdkafka has fetched already is taken without waiting, on this thread:
        // handing every record to a blocking section moved the scan between threads (and
        // their allocation caches) once per entry.
        if !self.open.is_empty() {
            if let Polled::Record(r) = self.poll_once(Duration::ZERO)? {
                return Ok(Some(r));
            }
        }
        // Waiting for the broker blocks; keep it off the async workers' hands.
        tokio::task::block_in_place(|| self.next_blocking())
    }

    fn track_pending(&mut self, id: EntryId) {
        if let Some((prefix, offset)) = self.prefix(id) {
            prefix.pending(offset);
        }
    }

    fn track_unhandled(&mut self, id: EntryId) {
        if let Some((prefix, offset)) = self.prefix(id) {
            prefix.unhandled(offset);
        }
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        if let Some((prefix, offset)) = self.prefix(id) {
            prefix.handled(offset);
        }
        Ok(())
    }

    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        tokio::task::block_in_place(|| self.commit_blocking())
    }

    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        tokio::task::block_in_place(|| self.commit_blocking())?;
        Ok(ScanNotes {
            warnings: self.gap_warnings(),
        })
    }
}

/// What one poll gave.
enum Polled {
    Record(Record),
    /// A partition reached its end.
    Progress,
    Nothing,
}

pub(super) fn to_record(m: &BorrowedMessage<'_>) -> Record {
    let headers = m
        .headers()
        .map(|hs| {
            hs.iter()
                .map(|h| Header {
                    name: h.key.to_string(),
                    value: h.value.map(<[u8]>::to_vec),
                })
                .collect()
        })
        .unwrap_or_default();
    Record {
        schema_version: None,
        topic: m.topic().to_string(),
        id: EntryId::Kafka {
            partition: m.partition(),
            offset: m.offset(),
        },
        timestamp: m
            .timestamp()
            .to_millis()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        key: m.key().map(<[u8]>::to_vec),
        headers,
        payload: m.payload().map(<[u8]>::to_vec),
    }
}
