//! `replay --join`: this process replays as one member of the operator group. The group's own
//! protocol (KIP-848's `consumer` protocol where the broker has it, else the classic one with
//! cooperative-sticky assignment) decides which partitions each member reads, moves them when a
//! member leaves or dies, and keeps the positions.
//!
//! There is no plan pass, so each partition's boundary is fixed the first time any member of
//! the run receives it: its end offset then. The boundary travels with the partition in the
//! group's committed metadata (`dlq-join/1 run=R end=E pos=P`), so a member that takes a
//! partition over keeps it: entries that arrive during the replay are not sent. `pos` is where
//! every entry before it is settled (its copy confirmed, or skipped, or not selected): a new
//! owner starts there, while the committed offset itself stays the handled prefix `list` reads.
//! A run is numbered: once every partition is done in run R, the next `--join` starts R+1.
//!
//! A member ends when the whole run is done: every partition's metadata says `pos >= end` for
//! this run (it asks the group's committed offsets, which any member can read). Until then it
//! stays in the group, so the partitions of a member that dies are taken over.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::reader::to_record;
use super::KafkaBroker;
use crate::broker::{DlqReader, JoinReport, ScanNotes, ScanRequest};
use crate::domain::entry::{EntryId, Record};
use crate::domain::join::run_to_join;
use crate::domain::prefix::Prefix;
use crate::error::Unreachable;

/// The prefix of a joined replay's commit metadata.
const MARK: &str = "dlq-join/1";
/// How often a member with nothing to read asks whether the run is done.
const GROUP_CHECK: Duration = Duration::from_millis(500);

/// A partition's place in a joined run, as its committed metadata carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JoinMark {
    pub run: u64,
    /// The boundary: offsets before it are this run's work.
    pub end: i64,
    /// Every entry before it is settled.
    pub pos: i64,
}

impl JoinMark {
    pub(crate) fn parse(text: &str) -> Option<JoinMark> {
        let mut words = text.split_whitespace();
        if words.next()? != MARK {
            return None;
        }
        let (mut run, mut end, mut pos) = (None, None, None);
        for w in words {
            let (k, v) = w.split_once('=')?;
            match k {
                "run" => run = v.parse().ok(),
                "end" => end = v.parse().ok(),
                "pos" => pos = v.parse().ok(),
                _ => {}
            }
        }
        Some(JoinMark {
            run: run?,
            end: end?,
            pos: pos?,
        })
    }

    pub(crate) fn text(&self) -> String {
        format!("{MARK} run={} end={} pos={}", self.run, self.end, self.pos)
    }

    pub(crate) fn done(&self) -> bool {
        self.pos >= self.end
    }
}

/// A partition this member holds.
struct Held {
    end: i64,
    /// The group's committed offset when received (the handled prefix so far).
    committed: i64,
    /// What was last committed, offset and `pos`.
    saved: (i64, i64),
    prefix: Prefix,
    /// Read and not yet settled.
    open: BTreeSet<i64>,
    /// The next offset to read.
    read_to: i64,
    /// Everything before `end` was read.
    finished: bool,
    /// Another member started this partition in this run.
    taken_over: bool,
    /// The group takes it away: nothing more is read; it is handed over once what was read
    /// of it is settled.
    revoking: bool,
}

impl Held {
    fn mark(&self, run: u64) -> (i64, JoinMark) {
        let pos = self.open.first().copied().unwrap_or(self.read_to);
        let offset = self.prefix.commit_offset().unwrap_or(self.committed);
        (
            offset,
            JoinMark {
                run,
                end: self.end,
                pos,
            },
        )
    }
}

struct JoinState {
    topic: String,
    run: u64,
    held: BTreeMap<i32, Held>,
    /// Every partition this member held at some point.
    ever: BTreeSet<i32>,
    /// Entries sent from partitions another member had started.
    taken_over: u64,
    /// A commit or a lookup the rebalance callback could not make (for the next call to say).
    error: Option<String>,
    /// Revoked by the group, not yet handed over (`hand_over`).
    revoked: Option<TopicPartitionList>,
}

/// The member's context: librdkafka's errors kept (`Diagnostics`), and the rebalance callback
/// that gives each received partition its boundary and commits a revoked one's progress.
#[derive(Clone)]
pub(super) struct JoinContext {
    diagnostics: Diagnostics,
    state: Arc<Mutex<JoinState>>,
    /// A client that never joins, for offsets and committed metadata.
    meta: Arc<KConsumer>,
    timeout: Duration,
}

impl ClientContext for JoinContext {
    fn error(&self, error: KafkaError, reason: &str) {
        self.diagnostics.error(error, reason);
    }
}

type Member = BaseConsumer<JoinContext>;

impl ConsumerContext for JoinContext {
    fn rebalance(&self, consumer: &Member, err: RDKafkaRespErr, tpl: &mut TopicPartitionList) {
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                if let Err(e) = self.received(consumer, tpl) {
                    self.failed(format!("taking partitions: {e:#}"));
                }
                if let Err(e) = consumer.incremental_assign(tpl) {
                    self.failed(format!("taking partitions: {e}"));
                }
                // A partition paused while it was here before (read to its end, or revoked)
                // stays paused in librdkafka: each is paused or resumed for what it is now.
                let (finished, unfinished) = self.finished_of(tpl);
                if finished.count() > 0 {
                    let _ = consumer.pause(&finished);
                }
                if unfinished.count() > 0 {
                    let _ = consumer.resume(&unfinished);
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                // A partition leaves only once what was read of it is settled (its copies
                // confirmed) and committed: the group waits for the unassign, which
                // `hand_over` makes once that is so, here or from the reader later. Nothing
                // more of it is read meanwhile.
                let _ = consumer.pause(tpl);
                {
                    let mut s = self.state.lock().unwrap();
                    for e in tpl.elements() {
                        if let Some(h) = s.held.get_mut(&e.partition()) {
                            h.revoking = true;
                        }
                    }
                    s.revoked = Some(tpl.clone());
                }
                if let Err(e) = hand_over(consumer, &self.state) {
                    self.failed(format!("handing partitions over: {e}"));
                }
            }
            _ => {
                tracing::warn!(?err, "rebalance error");
                let _ = consumer.incremental_unassign(tpl);
            }
        }
    }
}

/// The partitions the group revoked, committed and unassigned, once nothing read of them is
/// still in flight.
fn hand_over(consumer: &Member, state: &Mutex<JoinState>) -> Result<(), KafkaError> {
    let (revoked, commit) = {
        let mut s = state.lock().unwrap();
        let Some(revoked) = s.revoked.as_ref() else {
            return Ok(());
        };
        let parts: Vec<i32> = revoked.elements().iter().map(|e| e.partition()).collect();
        if parts
            .iter()
            .any(|p| s.held.get(p).is_some_and(|h| !h.open.is_empty()))
        {
            return Ok(());
        }
        let revoked = s.revoked.take().expect("checked above");
        let run = s.run;
        let mut commit = TopicPartitionList::new();
        for p in parts {
            if let Some(h) = s.held.remove(&p) {
                let (offset, mark) = h.mark(run);
                add_marked(&mut commit, &s.topic, p, offset, &mark);
            }
        }
        (revoked, commit)
    };
    let committed = if commit.count() > 0 {
        consumer.commit(&commit, CommitMode::Sync)
    } else {
        Ok(())
    };
    consumer.incremental_unassign(&revoked)?;
    committed
}

impl JoinContext {
    fn failed(&self, why: String) {
        tracing::warn!(%why, "joined replay");
        self.state.lock().unwrap().error.get_or_insert(why);
    }

    /// Partitions received: each starts where the run left it (or where the group stands),
    /// with the run's boundary, set now when no member had it yet.
    fn received(&self, consumer: &Member, tpl: &mut TopicPartitionList) -> anyhow::Result<()> {
        let topic = self.state.lock().unwrap().topic.clone();
        let parts: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
        let marks = committed_marks(&self.meta, &topic, &parts, self.timeout)?;
        let mut new_marks = TopicPartitionList::new();
        let mut s = self.state.lock().unwrap();
        let run = s.run;
        for p in parts {
            let (low, high) = self
                .meta
                .fetch_watermarks(&topic, p, self.timeout)
                .with_context(|| format!("watermarks of partition {p}"))?;
            let (committed, mark) = marks.get(&p).copied().unwrap_or((None, None));
            let committed = committed.unwrap_or(low).max(low);
            let mine = mark.filter(|m| m.run == run);
            let (end, start) = match mine {
                Some(m) => (m.end, m.pos.max(committed)),
                None => (high, committed),
            };
            let taken_over = mine.is_some() && !s.ever.contains(&p);
            if mine.is_none() {
                let m = JoinMark {
                    run,
                    end,
                    pos: start,
                };
                add_marked(&mut new_marks, &topic, p, committed, &m);
            }
            tpl.set_partition_offset(&topic, p, Offset::Offset(start))?;
            s.ever.insert(p);
            s.held.insert(
                p,
                Held {
                    end,
                    committed,
                    saved: (committed, start),
                    prefix: Prefix::default(),
                    open: BTreeSet::new(),
                    read_to: start,
                    finished: start >= end,
                    taken_over,
                    revoking: false,
                },
            );
        }
        drop(s);
        if new_marks.count() > 0 {
            consumer
                .commit(&new_marks, CommitMode::Sync)
                .context("recording the partitions' boundaries")?;
        }
        Ok(())
    }

    /// The received partitions read to their end already, and the others.
    fn finished_of(&self, tpl: &TopicPartitionList) -> (TopicPartitionList, TopicPartitionList) {
        let s = self.state.lock().unwrap();
        let (mut done, mut not) = (TopicPartitionList::new(), TopicPartitionList::new());
        for e in tpl.elements() {
            if s.held.get(&e.partition()).is_some_and(|h| h.finished) {
                done.add_partition(e.topic(), e.partition());
            } else {
                not.add_partition(e.topic(), e.partition());
            }
        }
        (done, not)
    }
}

fn add_marked(tpl: &mut TopicPartitionList, topic: &str, p: i32, offset: i64, mark: &JoinMark) {
    if tpl
        .add_partition_offset(topic, p, Offset::Offset(offset))
        .is_ok()
    {
        if let Some(mut e) = tpl.find_partition(topic, p) {
            e.set_metadata(mark.text());
        }
    }
}

/// Per partition, the group's committed offset and join mark.
type Marks = BTreeMap<i32, (Option<i64>, Option<JoinMark>)>;

/// The group's committed offset and join mark of each partition.
fn committed_marks(
    meta: &KConsumer,
    topic: &str,
    partitions: &[i32],
    timeout: Duration,
) -> Result<Marks, KafkaError> {
    let mut tpl = TopicPartitionList::new();
    for &p in partitions {
        tpl.add_partition(topic, p);
    }
    let got = coordinator_retry(timeout, || meta.committed_offsets(tpl.clone(), timeout))?;
    Ok(got
        .elements()
        .iter()
        .map(|e| {
            let offset = match e.offset() {
                Offset::Offset(o) if o >= 0 => Some(o),
                _ => None,
            };
            (e.partition(), (offset, JoinMark::parse(e.metadata())))
        })
        .collect())
}

impl KafkaBroker {
    /// Whether the brokers offer KIP-848's consumer group protocol (Kafka 4.0+ by default):
    /// their `group.coordinator.rebalance.protocols` names `consumer`.
    async fn offers_consumer_protocol(&self) -> bool {
        use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
        use rdkafka::client::DefaultClientContext;
        let Ok(admin) = self
            .client_config(&[], &[])
            .create::<AdminClient<DefaultClientContext>>()
        else {
            return false;
        };
        let Ok(md) = admin.inner().fetch_metadata(None, self.timeout) else {
            return false;
        };
        let Some(broker) = md.brokers().first().map(|b| b.id()) else {
            return false;
        };
        let opts = AdminOptions::new().request_timeout(Some(self.timeout));
        let asked = tokio::time::timeout(
            self.timeout + Duration::from_secs(2),
            admin.describe_configs([&ResourceSpecifier::Broker(broker)], &opts),
        )
        .await;
        let Ok(Ok(answer)) = asked else { return false };
        answer.into_iter().flatten().any(|c| {
            c.get("group.coordinator.rebalance.protocols")
                .and_then(|e| e.value.as_deref())
                .is_some_and(|v| v.split(',').any(|p| p.trim() == "consumer"))
        })
    }

    pub(super) async fn join_reader(&mut self, req: &ScanRequest) -> anyhow::Result<JoinedReader> {
        let consumer_protocol = self.offers_consumer_protocol().await;
        tokio::task::block_in_place(|| self.join_blocking(req, consumer_protocol))
    }

    fn join_blocking(
        &self,
        req: &ScanRequest,
        consumer_protocol: bool,
    ) -> anyhow::Result<JoinedReader> {
        let meta = Arc::new(self.consumer()?);
        let partitions = self.partitions(&meta, &req.topic)?;
        let marks = committed_marks(&meta, &req.topic, &partitions, self.timeout).map_err(|e| {
            self.unreachable(&format!("committed offsets of group '{}'", self.group), &e)
        })?;
        let run = run_to_join(
            &partitions
                .iter()
                .map(|p| marks.get(p).and_then(|m| m.1).map(|m| (m.run, m.done())))
                .collect::<Vec<_>>(),
        );
        let state = Arc::new(Mutex::new(JoinState {
            topic: req.topic.clone(),
            run,
            held: BTreeMap::new(),
            ever: BTreeSet::new(),
            taken_over: 0,
            error: None,
            revoked: None,
        }));
        let context = JoinContext {
            diagnostics: Diagnostics::default(),
            state: state.clone(),
            meta: meta.clone(),
            timeout: self.timeout,
        };
        let mut config = self.consumer_config(&self.group);
        // The scan's settings, as a member: no partition EOF needed (the boundary ends a
        // partition), and the group's protocol.
        if consumer_protocol {
            config.set("group.protocol", "consumer");
        } else {
            config.set("partition.assignment.strategy", "cooperative-sticky");
        }
        let consumer: Member = config
            .create_with_context(context)
            .context("creating the Kafka client")?;
        consumer
            .subscribe(&[&req.topic])
            .context("joining the operator group")?;
        tracing::info!(topic = %req.topic, group = %self.group, run, consumer_protocol, "joined");
        Ok(JoinedReader {
            consumer: Arc::new(consumer),
            meta,
            state,
            topic: req.topic.clone(),
            partitions,
            bootstrap: self.bootstrap.clone(),
            group: self.group.clone(),
            timeout: self.timeout,
            stash: None,
            answered: Instant::now(),
            protocol: if consumer_protocol {
                "consumer"
            } else {
                "classic (cooperative-sticky)"
            },
        })
    }
}

/// A joined replay's reader: the records of the partitions the group gives this member, up to
/// each partition's boundary.
pub(super) struct JoinedReader {
    consumer: Arc<Member>,
    meta: Arc<KConsumer>,
    state: Arc<Mutex<JoinState>>,
    topic: String,
    partitions: Vec<i32>,
    bootstrap: String,
    group: String,
    timeout: Duration,
    /// A record `more_work` polled, served by the next `next`.
    stash: Option<Record>,
    /// When the group's offsets last answered.
    answered: Instant,
    protocol: &'static str,
}

enum Polled {
    Record(Record),
    Progress,
    Nothing,
}

impl JoinedReader {
    fn check(&self) -> anyhow::Result<()> {
        match self.state.lock().unwrap().error.take() {
            Some(why) => Err(Unreachable::cannot_reach(self.timeout)
                .at(format!("Kafka at {}", self.bootstrap))
                .why(why)
                .into()),
            None => Ok(()),
        }
    }

    /// Partitions held and not read to their boundary.
    fn reading(&self) -> bool {
        self.state
            .lock()
            .unwrap()
            .held
            .values()
            .any(|h| !h.finished && !h.revoking)
    }

    /// Hands revoked partitions over when nothing read of them is in flight; whether a
    /// revocation still waits for that.
    fn handing_over(&mut self) -> anyhow::Result<bool> {
        hand_over(&self.consumer, &self.state)
            .context("handing partitions over to another member")?;
        Ok(self.state.lock().unwrap().revoked.is_some())
    }

    fn poll_once(&mut self) -> anyhow::Result<Polled> {
        let polled = self.consumer.poll(POLL);
        self.check()?;
        let m = match polled {
            None => return Ok(Polled::Nothing),
            Some(Err(KafkaError::PartitionEOF(p))) => {
                let mut s = self.state.lock().unwrap();
                // The partition's end now, at or past the boundary (transaction markers and
                // compaction leave offsets without records).
                if let Some(h) = s.held.get_mut(&p) {
                    h.finished = true;
                    h.read_to = h.read_to.max(h.end);
                }
                return Ok(Polled::Progress);
            }
            Some(Err(e)) if is_transient(&e) => return Ok(Polled::Nothing),
            Some(Err(e)) => return Err(e).context(format!("reading '{}'", self.topic)),
            Some(Ok(m)) => m,
        };
        let (p, offset) = (m.partition(), m.offset());
        let mut s = self.state.lock().unwrap();
        let Some(h) = s.held.get_mut(&p).filter(|h| !h.revoking) else {
            // Revoked since it was fetched: its new owner reads it from where it was settled.
            return Ok(Polled::Progress);
        };
        if offset >= h.end {
            h.finished = true;
            h.read_to = h.read_to.max(h.end);
            drop(s);
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition(&self.topic, p);
            let _ = self.consumer.pause(&tpl);
            return Ok(Polled::Progress);
        }
        h.open.insert(offset);
        h.read_to = offset + 1;
        if h.read_to >= h.end {
            h.finished = true;
        }
        Ok(Polled::Record(to_record(&m)))
    }

    fn next_blocking(&mut self) -> anyhow::Result<Option<Record>> {
        if let Some(r) = self.stash.take() {
            return Ok(Some(r));
        }
        let mut last_progress = Instant::now();
        loop {
            // librdkafka pauses every partition until the revocation is answered, and what was
            // read of the revoked ones settles only in the caller: end this read so that it
            // settles, then `more_work` hands them over and reading goes on.
            if self.handing_over()? || !self.reading() {
                return Ok(None);
            }
            match self.poll_once()? {
                Polled::Record(r) => return Ok(Some(r)),
                Polled::Progress => last_progress = Instant::now(),
                Polled::Nothing => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(Unreachable::no_answer(self.timeout)
                            .at(format!("Kafka at {}", self.bootstrap))
                            .doing(format!(
                                "reading the partitions of '{}' this member holds",
                                self.topic
                            ))
                            .why("they hold records, and nothing came")
                            .advice("a slow broker may need a longer --timeout")
                            .into());
                    }
                }
            }
        }
    }

    /// Whether every partition is done in this run: this member's read to their boundaries
    /// with nothing unsettled, the others' as their committed marks say.
    fn run_done(&self) -> Result<bool, KafkaError> {
        let (run, mine) = {
            let s = self.state.lock().unwrap();
            let mine: BTreeMap<i32, bool> = s
                .held
                .iter()
                .map(|(p, h)| (*p, h.finished && h.open.is_empty()))
                .collect();
            (s.run, mine)
        };
        if mine.values().any(|done| !done) {
            return Ok(false);
        }
        let marks = committed_marks(&self.meta, &self.topic, &self.partitions, self.timeout)?;
        Ok(self.partitions.iter().all(|p| {
            mine.contains_key(p)
                || marks
                    .get(p)
                    .and_then(|m| m.1)
                    .is_some_and(|m| m.run == run && m.done())
        }))
    }

    fn more_work_blocking(&mut self) -> anyhow::Result<Option<bool>> {
        let until = Instant::now() + GROUP_CHECK;
        while Instant::now() < until {
            if !self.handing_over()? && self.reading() {
                return Ok(Some(true));
            }
            if let Polled::Record(r) = self.poll_once()? {
                self.stash = Some(r);
                return Ok(Some(true));
            }
        }
        // Marks a rebalance kept from the last save go now: the others wait for them.
        self.commit_blocking()?;
        match self.run_done() {
            Ok(true) => Ok(Some(false)),
            Ok(false) => {
                self.answered = Instant::now();
                Ok(None)
            }
            Err(e) if self.answered.elapsed() > self.timeout => Err(self_unreachable(
                &self.bootstrap,
                &self.group,
                &e,
                self.timeout,
            )),
            Err(_) => Ok(None),
        }
    }

    fn commit_blocking(&mut self) -> anyhow::Result<()> {
        let mut tpl = TopicPartitionList::new();
        let mut moved = Vec::new();
        {
            let s = self.state.lock().unwrap();
            for (&p, h) in &s.held {
                let (offset, mark) = h.mark(s.run);
                if (offset, mark.pos) != h.saved {
                    add_marked(&mut tpl, &self.topic, p, offset, &mark);
                    moved.push((p, (offset, mark.pos)));
                }
            }
        }
        if moved.is_empty() {
            return Ok(());
        }
        match commit_group(&self.consumer, &tpl, self.timeout) {
            Ok(()) => {}
            // A rebalance under way (the classic protocol's generation, KIP-848's member
            // epoch): the same marks are committed at the next save, or by the hand-over.
            Err(e) if between_generations(&e) => {
                tracing::debug!(error = %e, "commit refused during a rebalance; kept for the next save");
                return Ok(());
            }
            Err(e) => {
                return Err(group_commit_error(
                    &self.bootstrap,
                    &self.group,
                    &self.topic,
                    e,
                ))
            }
        }
        let mut s = self.state.lock().unwrap();
        for (p, saved) in moved {
            if let Some(h) = s.held.get_mut(&p) {
                h.saved = saved;
            }
        }
        Ok(())
    }

    fn with_held(&self, id: EntryId, f: impl FnOnce(&mut Held, i64) -> bool) {
        if let EntryId::Kafka { partition, offset } = id {
            let mut s = self.state.lock().unwrap();
            let counted = s.held.get_mut(&partition).is_some_and(|h| f(h, offset));
            if counted {
                s.taken_over += 1;
            }
        }
    }
}

fn self_unreachable(
    bootstrap: &str,
    group: &str,
    e: &KafkaError,
    timeout: Duration,
) -> anyhow::Error {
    Unreachable::cannot_reach(timeout)
        .at(format!("Kafka at {bootstrap}"))
        .why(format!("committed offsets of group '{group}': {e}"))
        .into()
}

#[async_trait]
impl DlqReader for JoinedReader {
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        tokio::task::block_in_place(|| self.next_blocking())
    }

    fn track_pending(&mut self, id: EntryId) {
        self.with_held(id, |h, offset| {
            h.prefix.pending(offset);
            false
        });
    }

    fn track_unhandled(&mut self, id: EntryId) {
        self.with_held(id, |h, offset| {
            h.prefix.unhandled(offset);
            h.open.remove(&offset);
            false
        });
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        self.with_held(id, |h, offset| {
            h.prefix.handled(offset);
            h.open.remove(&offset);
            h.taken_over
        });
        Ok(())
    }

    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        tokio::task::block_in_place(|| self.commit_blocking())
    }

    async fn more_work(&mut self) -> anyhow::Result<Option<bool>> {
        tokio::task::block_in_place(|| self.more_work_blocking())
    }

    fn join_report(&self) -> Option<JoinReport> {
        let s = self.state.lock().unwrap();
        Some(JoinReport {
            member_id: super::group::member_id(self.consumer.client()),
            protocol: self.protocol.to_string(),
            run: s.run,
            partitions: s.ever.iter().map(|p| p.to_string()).collect(),
            taken_over: s.taken_over,
        })
    }

    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        tokio::task::block_in_place(|| self.commit_blocking())?;
        // Leaving the group hands the partitions over (the revocation commits them again).
        tokio::task::block_in_place(|| {
            self.consumer.unsubscribe();
            let until = Instant::now() + Duration::from_secs(2);
            while Instant::now() < until && !self.state.lock().unwrap().held.is_empty() {
                let _ = self.consumer.poll(Duration::from_millis(50));
            }
        });
        Ok(ScanNotes::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_read_what_they_write_and_nothing_else() {
        let m = JoinMark {
            run: 3,
            end: 120,
            pos: 80,
        };
        assert_eq!(JoinMark::parse(&m.text()), Some(m));
        assert_eq!(JoinMark::parse(""), None);
        assert_eq!(JoinMark::parse("dlq-join/1 run=3 end=x pos=1"), None);
        assert_eq!(JoinMark::parse("someone else's metadata"), None);
        assert!(!m.done());
        assert!(JoinMark { pos: 120, ..m }.done());
    }
}
