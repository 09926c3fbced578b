//! An in-memory broker behind the same port, for fast tests of command logic (replay's and
//! purge's two passes, partial failures, what gets marked): partitions of records with offsets,
//! a log start per partition (DeleteRecords), one operator group's committed offsets, publishing
//! with confirmations, and injectable faults. It behaves like Kafka where the two brokers differ
//! (offsets, prefix commits, deletion by offset). It judges no broker behaviour: the real brokers
//! do that in tests/cli.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;

use super::{
    Broker, BrokerUrl, ConnectConfig, Delivery, DlqReader, Publisher, RewindPlan, RewindTarget,
    ScanNotes, ScanRequest, StartAt, TopicCount, TopicInfo,
};
use crate::domain::entry::{parse_kafka_id, EntryId, Header, Record};
use crate::domain::prefix::Prefix;
use crate::domain::replay::Outgoing;
use crate::error::{DlqError, Unreachable};

/// Connection settings for commands run on the in-memory broker (they name the broker in plans
/// and read the operator group's name from here).
pub(crate) fn connect_config() -> ConnectConfig {
    ConnectConfig {
        url: BrokerUrl::Kafka {
            bootstrap: "memory".into(),
        },
        timeout: std::time::Duration::from_secs(1),
        consumer: "dlq-cli".into(),
        security: super::Security::default(),
    }
}

/// What to make go wrong.
#[derive(Debug, Default, Clone)]
pub(crate) struct Faults {
    /// DeleteRecords refuses these partitions (with this reason); the others are deleted.
    pub refuse_delete: BTreeMap<i32, String>,
    /// Deliveries of messages with these keys fail.
    pub fail_keys: BTreeSet<Vec<u8>>,
    /// The broker goes silent after confirming this many messages (a deterministic network
    /// cut): later sends are taken but never confirmed, commits fail as unreachable.
    pub lose_after: Option<usize>,
    /// Of the messages sent after the loss, this many were written all the same (the outcome
    /// a client cannot know).
    pub written_after_loss: usize,
    /// DeleteRecords gets no answer (unreachable), and deletes nothing.
    pub lose_on_delete: bool,
    /// The broker stalls once (a GC pause, a frozen VM) while a reader waits for a record.
    pub stall: Option<Stall>,
}

/// A broker that stops answering for a while, then answers again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stall {
    /// Records read (by any reader) after the fault is set, before the stall.
    pub after_reads: usize,
    /// How long nothing answers. Within the timeout the reader waits it out; past it the
    /// reader gives up as unreachable, and the stall is over for whoever comes next.
    pub silent_for: std::time::Duration,
}

#[derive(Debug, Default)]
struct State {
    /// Per topic, per partition: (log start offset, records from it).
    topics: BTreeMap<String, Vec<(i64, Vec<Record>)>>,
    /// The operator group's committed offsets, per (topic, partition).
    committed: BTreeMap<(String, i32), i64>,
    faults: Faults,
    /// Every message a publisher wrote, in order (confirmed or not).
    published: Vec<Outgoing>,
    /// Messages confirmed so far.
    confirmed: usize,
    /// Messages taken after the loss.
    after_loss: usize,
    /// Records handed to readers so far.
    reads: usize,
    /// Topic ids → names, for dead letters that name their origin by id.
    topic_ids: BTreeMap<String, String>,
}

impl State {
    /// A published message joins its topic, if the topic exists (partition 0 unless named).
    fn write(&mut self, msg: &Outgoing) {
        let Some(partitions) = self.topics.get_mut(&msg.topic) else {
            return;
        };
        let partition = msg
            .partition
            .unwrap_or(0)
            .clamp(0, partitions.len() as i32 - 1);
        let (start, records) = &mut partitions[partition as usize];
        let offset = *start + records.len() as i64;
        records.push(Record {
            topic: msg.topic.clone(),
            id: EntryId::Kafka { partition, offset },
            timestamp: Some(Timestamp::from_millisecond(1_700_000_000_000 + offset).unwrap()),
            key: msg.key.clone(),
            headers: msg.headers.clone(),
            payload: msg.payload.clone(),
            schema_version: None,
        });
    }

    fn lost(&self) -> bool {
        self.faults.lose_after.is_some_and(|n| self.confirmed >= n)
    }
}

fn unreachable(doing: &str) -> anyhow::Error {
    Unreachable::lost()
        .at("the in-memory broker")
        .doing(doing)
        .why("it went silent")
        .into()
}

/// A shared in-memory cluster: clone it to keep a handle for checks while a command runs.
#[derive(Clone, Default)]
pub(crate) struct MemoryBroker {
    state: Arc<Mutex<State>>,
}

impl MemoryBroker {
    pub(crate) fn with_topic(self, topic: &str, partitions: usize) -> Self {
        self.add_topic(topic, partitions);
        self
    }

    pub(crate) fn add_topic(&self, topic: &str, partitions: usize) {
        self.state
            .lock()
            .unwrap()
            .topics
            .insert(topic.into(), vec![(0, Vec::new()); partitions]);
    }

    /// Every record a topic retains, partition by partition.
    pub(crate) fn records(&self, topic: &str) -> Vec<Record> {
        self.state.lock().unwrap().topics[topic]
            .iter()
            .flat_map(|(_, records)| records.iter().cloned())
            .collect()
    }

    /// Faults from now on (a stall counts the records read from now on).
    pub(crate) fn faults(&self, faults: Faults) {
        let mut st = self.state.lock().unwrap();
        st.faults = faults;
        st.reads = 0;
    }

    /// Appends a record with this key and headers to a partition; its id.
    pub(crate) fn append(
        &self,
        topic: &str,
        partition: i32,
        key: &str,
        headers: &[(&str, &str)],
    ) -> EntryId {
        let mut st = self.state.lock().unwrap();
        let (start, records) = &mut st
            .topics
            .get_mut(topic)
            .expect("a topic made with with_topic")[partition as usize];
        let offset = *start + records.len() as i64;
        let id = EntryId::Kafka { partition, offset };
        records.push(Record {
            topic: topic.into(),
            id,
            timestamp: Some(Timestamp::from_millisecond(1_700_000_000_000 + offset).unwrap()),
            key: Some(key.as_bytes().to_vec()),
            headers: headers.iter().map(|(n, v)| Header::new(*n, *v)).collect(),
            payload: Some(format!("{{\"key\": \"{key}\"}}").into_bytes()),
            schema_version: None,
        });
        id
    }

    /// Gives topic `name` the id `id`.
    pub(crate) fn set_topic_id(&self, id: &str, name: &str) {
        let mut st = self.state.lock().unwrap();
        st.topic_ids.insert(id.to_string(), name.to_string());
    }

    /// A dead letter without key and payload, as a Kafka share group's broker writes one.
    pub(crate) fn append_headers_only(
        &self,
        topic: &str,
        partition: i32,
        headers: &[(&str, &str)],
    ) -> EntryId {
        let id = self.append(topic, partition, "", headers);
        let mut st = self.state.lock().unwrap();
        let (_, records) = &mut st.topics.get_mut(topic).unwrap()[partition as usize];
        let last = records.last_mut().unwrap();
        last.key = None;
        last.payload = None;
        id
    }

    /// Each partition's log start offset and end.
    pub(crate) fn watermarks(&self, topic: &str) -> Vec<(i64, i64)> {
        self.state.lock().unwrap().topics[topic]
            .iter()
            .map(|(start, records)| (*start, start + records.len() as i64))
            .collect()
    }

    /// As `watermarks`, or `TopicNotFound`.
    fn watermarks_of(&self, topic: &str) -> anyhow::Result<Vec<(i64, i64)>> {
        if !self.state.lock().unwrap().topics.contains_key(topic) {
            return Err(DlqError::TopicNotFound {
                topic: topic.to_string(),
                broker: "memory".into(),
            }
            .into());
        }
        Ok(self.watermarks(topic))
    }

    /// Moves the operator group as another process would (a purge, a replay elsewhere).
    #[cfg(test)]
    pub(crate) fn set_committed(&self, topic: &str, partition: i32, offset: i64) {
        self.state
            .lock()
            .unwrap()
            .committed
            .insert((topic.to_string(), partition), offset);
    }

    pub(crate) fn committed(&self, topic: &str, partition: i32) -> Option<i64> {
        self.state
            .lock()
            .unwrap()
            .committed
            .get(&(topic.to_string(), partition))
            .copied()
    }

    pub(crate) fn published(&self) -> Vec<Outgoing> {
        self.state.lock().unwrap().published.clone()
    }
}

/// Reads what was written to a topic after it opened.
struct MemoryFollower {
    state: Arc<Mutex<State>>,
    topic: String,
    /// Per partition, the next offset to read.
    next: Vec<i64>,
}

#[async_trait]
impl super::Follower for MemoryFollower {
    async fn arrived(&mut self, max: usize) -> anyhow::Result<Vec<Record>> {
        let st = self.state.lock().unwrap();
        let mut out = Vec::new();
        for (p, (start, records)) in st.topics[&self.topic].iter().enumerate() {
            let Some(next) = self.next.get_mut(p) else {
                continue;
            };
            let from = (*next - start).max(0) as usize;
            for r in records.iter().skip(from).take(max - out.len()) {
                out.push(r.clone());
                *next = r.id.offset().unwrap_or(*next) + 1;
            }
        }
        Ok(out)
    }

    async fn handled(&mut self) -> anyhow::Result<crate::domain::watch::Handled> {
        let st = self.state.lock().unwrap();
        let mut handled = crate::domain::watch::Handled::default();
        let mut retained = 0;
        for (p, (start, records)) in st.topics[&self.topic].iter().enumerate() {
            let p = p as i32;
            retained += records.len() as u64;
            let from = st
                .committed
                .get(&(self.topic.clone(), p))
                .copied()
                .unwrap_or(*start)
                .max(*start);
            handled
                .partitions
                .insert(p, crate::domain::watch::Marks::before_offset(from));
        }
        handled.retained = Some(retained);
        Ok(handled)
    }

    async fn close(self: Box<Self>) {}
}

#[async_trait]
impl Broker for MemoryBroker {
    fn origins(&self) -> Option<Box<dyn crate::broker::OriginFetcher>> {
        Some(Box::new(self.clone()))
    }

    fn parse_id(&self, id: &str) -> Result<EntryId, DlqError> {
        parse_kafka_id(id).map_err(DlqError::Usage)
    }

    async fn open(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        let st = self.state.lock().unwrap();
        let Some(partitions) = st.topics.get(&req.topic) else {
            return Err(DlqError::TopicNotFound {
                topic: req.topic.clone(),
                broker: "memory".into(),
            }
            .into());
        };
        // What is there now, from where the read starts: later appends are not seen.
        let mut queue = Vec::new();
        for (p, (start, records)) in partitions.iter().enumerate() {
            let p = p as i32;
            if !req.partitions.is_empty() && !req.partitions.contains(&p) {
                continue;
            }
            let from = match req.start {
                StartAt::Unhandled => st
                    .committed
                    .get(&(req.topic.clone(), p))
                    .copied()
                    .unwrap_or(*start)
                    .max(*start),
                StartAt::Retained => *start,
            };
            queue.extend(
                records
                    .iter()
                    .filter(|r| matches!(r.id, EntryId::Kafka { offset, .. } if offset >= from))
                    .cloned(),
            );
        }
        Ok(Box::new(MemoryReader {
            state: self.state.clone(),
            topic: req.topic.clone(),
            queue: queue.into_iter().collect(),
            track: req.track,
            timeout: connect_config().timeout,
            prefixes: BTreeMap::new(),
        }))
    }

    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let st = self.state.lock().unwrap();
        st.topics
            .get(topic)
            .into_iter()
            .flatten()
            .flat_map(|(_, rs)| rs)
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| DlqError::NotFound(format!("no entry {id} in {topic}")).into())
    }

    async fn list_topics(&mut self, _namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>> {
        let st = self.state.lock().unwrap();
        Ok(st
            .topics
            .iter()
            .map(|(name, ps)| TopicInfo {
                name: name.clone(),
                partitions: ps.len() as u32,
                dlq_by_config: None,
            })
            .collect())
    }

    async fn count(&mut self, _topic: &str) -> anyhow::Result<Option<TopicCount>> {
        Ok(None)
    }

    async fn follow(&mut self, topic: &str) -> anyhow::Result<Box<dyn super::Follower>> {
        let next = self
            .watermarks_of(topic)?
            .into_iter()
            .map(|(_, end)| end)
            .collect();
        Ok(Box::new(MemoryFollower {
            state: self.state.clone(),
            topic: topic.to_string(),
            next,
        }))
    }

    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        Ok(Some(self.state.lock().unwrap().topics.contains_key(topic)))
    }

    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>> {
        Ok(Box::new(MemoryPublisher {
            state: self.state.clone(),
        }))
    }

    async fn delete_records(
        &mut self,
        topic: &str,
        before: &BTreeMap<i32, i64>,
    ) -> anyhow::Result<BTreeMap<i32, String>> {
        let mut st = self.state.lock().unwrap();
        if st.faults.lose_on_delete {
            return Err(unreachable("deleting records"));
        }
        let refuse = st.faults.refuse_delete.clone();
        let partitions = st.topics.get_mut(topic).expect("a known topic");
        let mut refused = BTreeMap::new();
        for (&p, &offset) in before {
            if let Some(why) = refuse.get(&p) {
                refused.insert(p, why.clone());
                continue;
            }
            let (start, records) = &mut partitions[p as usize];
            let drop = (offset - *start).clamp(0, records.len() as i64) as usize;
            records.drain(..drop);
            *start += drop as i64;
        }
        Ok(refused)
    }

    async fn rewind_plan(
        &mut self,
        _topic: &str,
        _consumer: &str,
        _target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        anyhow::bail!("the in-memory broker does not rewind")
    }

    async fn rewind_apply(
        &mut self,
        _topic: &str,
        _consumer: &str,
        _target: &RewindTarget,
        _plan: &RewindPlan,
        _assume_inactive: bool,
    ) -> anyhow::Result<()> {
        anyhow::bail!("the in-memory broker does not rewind")
    }

    fn purges_by_offset(&self) -> bool {
        true
    }
}

#[async_trait]
impl crate::broker::OriginFetcher for MemoryBroker {
    async fn fetch_originals(
        &mut self,
        wanted: &[crate::broker::OriginRef],
    ) -> anyhow::Result<Vec<Result<Record, String>>> {
        let st = self.state.lock().unwrap();
        if st.lost() {
            return Err(unreachable("fetching originals"));
        }
        Ok(wanted
            .iter()
            .map(|w| {
                let partitions = st
                    .topics
                    .get(&w.topic)
                    .ok_or_else(|| format!("the origin topic '{}' no longer exists", w.topic))?;
                let (start, records) = partitions
                    .get(w.partition as usize)
                    .ok_or_else(|| format!("'{}' has no partition {}", w.topic, w.partition))?;
                if w.offset < *start {
                    return Err(format!(
                        "no longer in '{}': partition {} now starts at offset {start}",
                        w.topic, w.partition
                    ));
                }
                records
                    .get((w.offset - start) as usize)
                    .cloned()
                    .ok_or_else(|| format!("offset {} is past the end", w.offset))
            })
            .collect())
    }

    async fn topic_named(&mut self, id: &str) -> anyhow::Result<Option<String>> {
        let st = self.state.lock().unwrap();
        if st.topics.contains_key(id) {
            return Ok(Some(id.to_string()));
        }
        Ok(st.topic_ids.get(id).cloned())
    }
}

struct MemoryReader {
    state: Arc<Mutex<State>>,
    topic: String,
    queue: std::collections::VecDeque<Record>,
    track: bool,
    prefixes: BTreeMap<i32, Prefix>,
    /// How long a read waits for a broker that does not answer (`--timeout`).
    timeout: std::time::Duration,
}

impl MemoryReader {
    fn prefix(&mut self, id: EntryId) -> Option<(&mut Prefix, i64)> {
        match id {
            EntryId::Kafka { partition, offset } if self.track => {
                Some((self.prefixes.entry(partition).or_default(), offset))
            }
            _ => None,
        }
    }
}

#[async_trait]
impl DlqReader for MemoryReader {
    /// The port's rule for a broker that stalls: the read waits for it up to the timeout (a
    /// stall costs time, never records), and only a stall past the timeout is unreachable.
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        if self.queue.is_empty() {
            return Ok(None);
        }
        let stall = {
            let mut st = self.state.lock().unwrap();
            st.reads += 1;
            let due = st.faults.stall.filter(|s| st.reads > s.after_reads);
            if due.is_some() {
                st.faults.stall = None;
            }
            due
        };
        if let Some(stall) = stall {
            tokio::time::sleep(stall.silent_for.min(self.timeout)).await;
            if stall.silent_for >= self.timeout {
                return Err(unreachable(&format!(
                    "reading: no answer within {}s",
                    self.timeout.as_secs_f32()
                )));
            }
        }
        Ok(self.queue.pop_front())
    }

    fn track_pending(&mut self, id: EntryId) {
        if let Some((p, o)) = self.prefix(id) {
            p.pending(o);
        }
    }

    fn track_unhandled(&mut self, id: EntryId) {
        if let Some((p, o)) = self.prefix(id) {
            p.unhandled(o);
        }
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        if let Some((p, o)) = self.prefix(id) {
            p.handled(o);
        }
        Ok(())
    }

    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        let mut st = self.state.lock().unwrap();
        if st.lost() {
            return Err(unreachable("committing"));
        }
        for (&p, prefix) in &self.prefixes {
            if let Some(next) = prefix.commit_offset() {
                st.committed.insert((self.topic.clone(), p), next);
            }
        }
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        self.checkpoint().await?;
        Ok(ScanNotes::default())
    }
}

struct MemoryPublisher {
    state: Arc<Mutex<State>>,
}

#[async_trait]
impl Publisher for MemoryPublisher {
    async fn send(&mut self, msg: Outgoing) -> anyhow::Result<Delivery> {
        let mut st = self.state.lock().unwrap();
        if st.lost() {
            // Taken, and never confirmed: the delivery waits until the caller gives up.
            st.after_loss += 1;
            if st.after_loss <= st.faults.written_after_loss {
                st.published.push(msg);
            }
            return Ok(Box::pin(futures::future::pending()));
        }
        let fails = msg
            .key
            .as_ref()
            .is_some_and(|k| st.faults.fail_keys.contains(k));
        if !fails {
            st.write(&msg);
            st.published.push(msg);
            st.confirmed += 1;
        }
        Ok(Box::pin(async move {
            if fails {
                anyhow::bail!("the broker refused the message (injected)")
            }
            Ok(())
        }))
    }

    async fn close(self: Box<Self>) -> anyhow::Result<()> {
        Ok(())
    }
}
