//! `replay --join` on Pulsar: this process replays as one member of the operator subscription,
//! subscribed as a Failover consumer under a name of its own. On a partitioned topic the broker
//! delivers each partition to one member (the consumers sorted by name, partition i to the
//! (i mod n)-th) and moves it when a member joins, leaves or dies, redelivering from the
//! subscription's cursor what that partition has not acknowledged.
//!
//! The broker does not wait for the member it takes a partition from (pulsar-rs does not even
//! tell it), so the members hand a partition over through its subscription properties
//! (`dlq-join`: `dlq-join/1 run=R end=L:E settled=L:E:B acked=L:E:B done=0|1 owner=NAME`):
//! - `end` is the run's boundary, the partition's last message when the run first took it: what
//!   arrives later is not this run's work.
//! - `owner` is the member that replays it now. A member takes a partition only when the broker
//!   delivers it to that member (the admin API's `activeConsumerName`) and the owner has let it
//!   go or is no longer connected (killed: it never lets go).
//! - `settled`: every message at or before it was dealt with by an owner (its copy confirmed and
//!   the message acknowledged, or skipped). The next owner drops those, so a partition handed
//!   over sends nothing twice; one taken from a killed member sends again only what it did after
//!   its last save (saved every second, with each `checkpoint`).
//! - `acked`: every message at or before it had its copy confirmed (none skipped). The next owner
//!   acknowledges those the broker delivers again without sending them: their acknowledgements
//!   had left a member whose connection was cut or killed before the broker took them. Between
//!   `acked` and `settled` (after a skipped entry) it cannot tell a skipped entry from a handled
//!   one whose acknowledgement was lost, and leaves both to the backlog.
//! - A member that sees the broker deliver a partition it holds to another lets it go once what
//!   it read of it is settled: its read ends (the caller settles), then `more_work` writes the
//!   mark with no owner. A view with no active consumer (the topic loading after a restart, this
//!   member reconnecting) moves nothing.
//! - The broker counts a message delivered to this member until it is acknowledged, the member
//!   reconnects, or the partition moves. A member that dropped messages of a partition it did
//!   not hold (or was letting go) and then takes it asks the broker to deliver it again from its
//!   first unacknowledged entry, and drops what arrives before that (sent before the rewind):
//!   a view that said the partition moved when the broker had not moved it would otherwise
//!   leave those messages unsent, the run done. A message delivered again that this member
//!   handled is acknowledged again (its acknowledgement left on a connection that broke).
//!
//! A run is numbered as on Kafka (`domain::join`): once every partition is done in run R, the
//! next `--join` starts R+1. A member ends when every partition's mark says done in its run.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use futures::TryStreamExt;
use pulsar::consumer::Message;
use pulsar::message::proto::MessageIdData;
use pulsar::SubType;

use super::admin::FailoverView;
use super::reader::{
    at_or_past, is_repeat, partition_index, partition_topic, to_record, to_unacknowledged,
    PulsarReader, IDLE_END, RECEIVER_QUEUE,
};
use super::PulsarBroker;
use crate::broker::{DlqReader, JoinReport, ScanNotes, ScanRequest};
use crate::domain::entry::{EntryId, PulsarMessageId, Record};
use crate::domain::join::run_to_join;
use crate::error::{DlqError, Unreachable};

/// The subscription property that carries a partition's mark.
const PROPERTY: &str = "dlq-join";
/// The prefix of a mark.
const MARK: &str = "dlq-join/1";
/// How often a member asks the admin API which partitions the broker delivers to whom.
const HOLD_CHECK: Duration = Duration::from_millis(500);

/// A message's place in its partition: ledger, entry, batch index (-1 when not batched).
type Pos = (u64, u64, i32);
/// An entry's place: ledger, entry.
type EntryPos = (u64, u64);

/// A partition's place in a joined run, as its subscription property carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    pub run: u64,
    /// The boundary: the partition's last entry when the run first took it (`None`: empty).
    pub end: Option<EntryPos>,
    /// Every message at or before it was dealt with.
    pub settled: Option<Pos>,
    /// Every message at or before it had its copy confirmed.
    pub acked: Option<Pos>,
    /// Nothing is left of the run's work in this partition.
    pub done: bool,
    /// The member that replays it now.
    pub owner: Option<String>,
}

impl Mark {
    pub(crate) fn parse(text: &str) -> Option<Mark> {
        let mut words = text.split_whitespace();
        if words.next()? != MARK {
            return None;
        }
        let mut m = Mark::default();
        let mut run = None;
        for w in words {
            let (k, v) = w.split_once('=')?;
            if v == "-" {
                continue;
            }
            match k {
                "run" => run = Some(v.parse().ok()?),
                "end" => {
                    let (l, e) = v.split_once(':')?;
                    m.end = Some((l.parse().ok()?, e.parse().ok()?));
                }
                "settled" => m.settled = Some(parse_pos(v)?),
                "acked" => m.acked = Some(parse_pos(v)?),
                "done" => m.done = v == "1",
                "owner" => m.owner = Some(v.to_string()),
                _ => {}
            }
        }
        m.run = run?;
        Some(m)
    }

    pub(crate) fn text(&self) -> String {
        let end = self
            .end
            .map_or_else(|| "-".to_string(), |(l, e)| format!("{l}:{e}"));
        let pos =
            |p: Option<Pos>| p.map_or_else(|| "-".to_string(), |(l, e, b)| format!("{l}:{e}:{b}"));
        let (settled, acked) = (pos(self.settled), pos(self.acked));
        format!(
            "{MARK} run={} end={end} settled={settled} acked={acked} done={} owner={}",
            self.run,
            u8::from(self.done),
            self.owner.as_deref().unwrap_or("-")
        )
    }
}

fn parse_pos(v: &str) -> Option<Pos> {
    let mut it = v.split(':');
    let (l, e, b) = (it.next()?, it.next()?, it.next()?);
    Some((l.parse().ok()?, e.parse().ok()?, b.parse().ok()?))
}

fn mark_of(view: &FailoverView) -> Option<Mark> {
    view.properties.get(PROPERTY).and_then(|t| Mark::parse(t))
}

fn position(m: &Message<Vec<u8>>) -> Pos {
    let id = &m.message_id.id;
    let batched = m.message_id.batch_size.is_some_and(|s| s > 1);
    let index = if batched {
        id.batch_index.unwrap_or(0)
    } else {
        -1
    };
    (id.ledger_id, id.entry_id, index)
}

/// A redelivery asked for and not yet begun.
#[derive(Debug, Clone, Copy)]
struct Gate {
    /// The partition's first unacknowledged entry: the broker delivers again from there.
    first: EntryPos,
    /// The last message dropped since: a message not after it is the redelivery beginning.
    last: Option<Pos>,
}

impl Gate {
    /// Whether `pos` begins the redelivery: the first unacknowledged entry's first message
    /// (pulsar-rs delivers a batch whole, whatever its ack set says), or a message not after
    /// the last dropped (a client that honours ack sets starts a partly acknowledged batch
    /// further in). Otherwise it was sent before the rewind: dropped.
    fn opens(&mut self, pos: Pos) -> bool {
        let entry = (pos.0, pos.1);
        let opens = entry < self.first
            || (entry == self.first && pos.2 <= 0)
            || self.last.is_some_and(|l| pos <= l);
        self.last = Some(pos);
        opens
    }
}

/// A partition this member holds.
#[derive(Debug)]
struct Held {
    end: Option<EntryPos>,
    /// The last entry still to read: the last the subscription has not acknowledged at or
    /// before `end` (`None`: nothing is).
    limit: Option<EntryPos>,
    /// What earlier owners settled: dropped when delivered again.
    before: Option<Pos>,
    /// What earlier owners handled, every copy confirmed: acknowledged when delivered again.
    before_acked: Option<Pos>,
    /// Read by this member, in order: `None` while open, then whether it was handled.
    read: BTreeMap<Pos, Option<bool>>,
    /// The last of this member's settled prefix.
    settled: Option<Pos>,
    /// The last of the handled prefix (from `before_acked` on, while nothing was skipped).
    acked: Option<Pos>,
    /// Nothing was skipped since `acked`: it still grows.
    contiguous: bool,
    /// Everything up to the limit was read.
    finished: bool,
    /// Another member started it in this run.
    taken_over: bool,
    /// The broker delivers it to another member now: nothing more is read; it is let go once
    /// what was read of it is settled.
    releasing: bool,
    /// The mark last written.
    saved: Option<Mark>,
    /// Asked the broker to deliver again from its first unacknowledged entry: what arrives
    /// before it does was sent before the broker rewound, and comes again.
    gate: Option<Gate>,
}

impl Held {
    /// Taken now, with the run's boundary and what earlier owners settled and acknowledged.
    fn new(
        end: Option<EntryPos>,
        limit: Option<EntryPos>,
        before: Option<Pos>,
        before_acked: Option<Pos>,
        taken_over: bool,
    ) -> Held {
        Held {
            end,
            limit,
            before,
            before_acked,
            read: BTreeMap::new(),
            settled: None,
            acked: None,
            contiguous: before_acked == before,
            finished: limit.is_none(),
            taken_over,
            releasing: false,
            saved: None,
            gate: None,
        }
    }

    fn settle(&mut self, pos: Pos, handled: bool) {
        if let Some(s) = self.read.get_mut(&pos) {
            *s = Some(handled);
        }
        while let Some(entry) = self.read.first_entry() {
            let Some(handled) = *entry.get() else { break };
            let pos = *entry.key();
            self.settled = Some(pos);
            self.contiguous &= handled;
            if self.contiguous {
                self.acked = Some(pos);
            }
            entry.remove();
        }
    }

    fn done(&self) -> bool {
        self.finished && self.read.is_empty()
    }

    /// Whether a message delivered again was handled (its copy confirmed and acknowledged).
    fn handled(&self, pos: Pos) -> bool {
        self.read.get(&pos) == Some(&Some(true))
            || self.acked.is_some_and(|a| pos <= a)
            || self.before_acked.is_some_and(|a| pos <= a)
    }

    fn mark(&self, run: u64, owner: Option<&str>) -> Mark {
        Mark {
            run,
            end: self.end,
            settled: self.settled.max(self.before),
            acked: self.acked.max(self.before_acked),
            done: self.done(),
            owner: owner.map(String::from),
        }
    }
}

impl PulsarBroker {
    pub(super) async fn join_reader(&mut self, req: &ScanRequest) -> anyhow::Result<JoinedReader> {
        let full = Self::full_name(&req.topic);
        self.check_exists(&full).await?;
        let n = self.admin.partitions(&full).await?;
        if n == 0 {
            return Err(DlqError::Usage(format!(
                "replay --join needs a partitioned DLQ on Pulsar: its members share the DLQ by \
                 partition (a Failover subscription delivers each partition to one of them), and \
                 '{full}' is not partitioned; replay it without --join"
            ))
            .into());
        }
        let batch_index_ack = self.admin.batch_index_ack().await == Some(true);
        let name = format!(
            "dlq-join-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond() % 1_000_000_000_000
        );
        let consumer = self
            .subscribe_as(
                &self.client,
                &full,
                &self.subscription,
                true,
                SubType::Failover,
                &name,
            )
            .await?;
        let scan = ScanRequest {
            topic: req.topic.clone(),
            track: true,
            ..ScanRequest::default()
        };
        let inner = self.reader_on(
            consumer,
            full.clone(),
            &scan,
            BTreeMap::new(),
            true,
            batch_index_ack,
        );
        let mut reader = JoinedReader {
            inner,
            name,
            run: 0,
            partitions: (0..n as i32).collect(),
            held: BTreeMap::new(),
            ever: BTreeSet::new(),
            taken_over: 0,
            view: BTreeMap::new(),
            viewed: Instant::now(),
            stash: None,
            ready: None,
            buffer: VecDeque::new(),
            dropped: HashMap::new(),
            unread: BTreeSet::new(),
            delivered: HashMap::new(),
            last_answer: Instant::now(),
            admin_answer: Instant::now(),
            last_delivery: Instant::now(),
            last_probe: Instant::now(),
        };
        let closing = match reader.start().await {
            Ok(()) => return Ok(reader),
            Err(e) => e,
        };
        let _ = Box::new(reader).close().await;
        Err(closing)
    }
}

/// A joined replay's reader on Pulsar: the messages of the partitions this member holds, up to
/// each partition's boundary.
pub(super) struct JoinedReader {
    /// The subscription's consumer, its acknowledgements (batches included) and its close.
    inner: PulsarReader,
    /// The consumer's name: the member as the broker and the marks know it.
    name: String,
    run: u64,
    partitions: Vec<i32>,
    held: BTreeMap<i32, Held>,
    /// Every partition this member held at some point.
    ever: BTreeSet<i32>,
    /// Entries sent from partitions another member had started.
    taken_over: u64,
    /// Who the broker delivers each partition to, and its mark, as last asked.
    view: BTreeMap<i32, FailoverView>,
    viewed: Instant,
    /// A message of a partition this member is to take once its owner lets it go.
    stash: Option<Message<Vec<u8>>>,
    /// A record `more_work` read, for the next `next`.
    ready: Option<Record>,
    /// Messages taken from the consumer while its acknowledgements were flushed, served before
    /// what it delivers next.
    buffer: VecDeque<Message<Vec<u8>>>,
    /// Per partition not held: the last message dropped since the view was asked (delivered
    /// before the broker moved the partition away).
    dropped: HashMap<i32, Pos>,
    /// Partitions of which a message was dropped unread (not held, or being let go). Unless the
    /// broker moved the partition, it counts that message delivered here and never delivers it
    /// again by itself: taking the partition asks it to.
    unread: BTreeSet<i32>,
    /// Per partition held, the last message delivered (a broker that delivers again).
    delivered: HashMap<i32, (u64, u64, i32)>,
    /// When the broker last answered (a message or a probe), and its admin API.
    last_answer: Instant,
    admin_answer: Instant,
    last_delivery: Instant,
    /// When the broker was last asked whether it is there.
    last_probe: Instant,
}

impl JoinedReader {
    /// Takes the run to join from the marks, and the partitions the broker delivers here.
    async fn start(&mut self) -> anyhow::Result<()> {
        // The run comes from every partition's mark: without them no run is joined.
        let (admin, full, sub) = (
            &self.inner.admin,
            &self.inner.full,
            &self.inner.subscription,
        );
        self.view = admin
            .failover_view(full, sub)
            .await
            .map_err(|e| self.admin_unreachable(e))?;
        self.viewed = Instant::now();
        let marks: Vec<Option<(u64, bool)>> = self
            .partitions
            .iter()
            .map(|p| self.view.get(p).and_then(mark_of).map(|m| (m.run, m.done)))
            .collect();
        self.run = run_to_join(&marks);
        tracing::info!(topic = %self.inner.full, member = %self.name, run = self.run, "joined");
        self.look(true).await
    }

    fn admin_unreachable(&self, e: anyhow::Error) -> anyhow::Error {
        if crate::error::is_unreachable(&e) {
            return e;
        }
        Unreachable::cannot_reach(self.inner.timeout)
            .at(format!("the Pulsar admin API for {}", self.inner.url))
            .doing(format!(
                "asking which member reads each partition of '{}'",
                self.inner.full
            ))
            .why(format!("{e:#}"))
            .into()
    }

    /// Whether the view is new; an admin API that does not answer keeps the last one until
    /// --timeout.
    async fn refresh_view(&mut self) -> anyhow::Result<bool> {
        let (admin, full, sub) = (
            &self.inner.admin,
            &self.inner.full,
            &self.inner.subscription,
        );
        match admin.failover_view(full, sub).await {
            Ok(view) => {
                self.view = view;
                // FAILPOINT `join-view-moved` (tests/cli/join.rs): this answer says every
                // partition is delivered to another member, as a view taken while the broker
                // moves partitions can.
                #[cfg(feature = "failpoints")]
                if fail::eval("join-view-moved", |_| ()).is_some() {
                    for v in self.view.values_mut() {
                        v.active = Some("dlq-join-elsewhere".to_string());
                    }
                }
                self.viewed = Instant::now();
                self.admin_answer = self.viewed;
                self.dropped.clear();
                Ok(true)
            }
            Err(e) if self.admin_answer.elapsed() < self.inner.timeout => {
                tracing::debug!(error = %format!("{e:#}"), "the admin API did not answer; asked again");
                Ok(false)
            }
            Err(e) => Err(self.admin_unreachable(e)),
        }
    }

    fn active_here(&self, p: i32) -> bool {
        self.view
            .get(&p)
            .and_then(|v| v.active.as_deref())
            .is_some_and(|a| a == self.name)
    }

    /// Asks the admin API again (when `force`, or every `HOLD_CHECK`): lets go of the partitions
    /// delivered to another member whose reads are settled, and takes those delivered here.
    async fn look(&mut self, force: bool) -> anyhow::Result<()> {
        if !force && self.viewed.elapsed() < HOLD_CHECK {
            return Ok(());
        }
        if !self.refresh_view().await? {
            return Ok(());
        }
        // A partition with no active consumer in the view (this member reconnecting, the topic
        // loading after a restart) has not moved: it stays.
        let moved: Vec<i32> = self
            .held
            .keys()
            .copied()
            .filter(|p| {
                self.view
                    .get(p)
                    .and_then(|v| v.active.as_deref())
                    .is_some_and(|a| a != self.name)
            })
            .collect();
        for p in moved {
            if let Some(h) = self.held.get_mut(&p) {
                h.releasing = true;
            }
        }
        self.let_go(false).await?;
        for p in self.partitions.clone() {
            if !self.held.contains_key(&p) && self.active_here(p) {
                self.claim(p).await?;
            }
        }
        Ok(())
    }

    /// Writes the marks of the partitions being let go (all, with `all`) whose reads are
    /// settled, with no owner, and forgets them.
    async fn let_go(&mut self, all: bool) -> anyhow::Result<()> {
        let ready: Vec<i32> = self
            .held
            .iter()
            .filter(|(_, h)| (all || h.releasing) && h.read.is_empty())
            .map(|(p, _)| *p)
            .collect();
        if ready.is_empty() || !self.flush_acks(Duration::from_millis(500)).await {
            return Ok(());
        }
        for p in ready {
            let mark = self.held[&p].mark(self.run, None);
            self.write(p, &mark).await?;
            self.held.remove(&p);
            self.delivered.remove(&p);
            tracing::debug!(partition = p, mark = %mark.text(), "let go");
        }
        Ok(())
    }

    async fn write(&mut self, p: i32, mark: &Mark) -> anyhow::Result<()> {
        let mut properties = self
            .view
            .get(&p)
            .map(|v| v.properties.clone())
            .unwrap_or_default();
        properties.insert(PROPERTY.to_string(), mark.text());
        let topic = partition_topic(&self.inner.full, p);
        // The broker stores a subscription's properties with its cursor's metadata, which it also
        // writes itself (a consumer closing, the cursor's ledger rolling): a write that meets one
        // of its own is refused (500, "BadVersionException: Version mismatch") and asked again.
        let deadline = Instant::now() + self.inner.timeout;
        let mut backoff = Duration::from_millis(50);
        loop {
            let written = self
                .inner
                .admin
                .set_subscription_properties(&topic, &self.inner.subscription, &properties)
                .await;
            match written {
                Ok(()) => break,
                Err(e) if crate::error::is_unreachable(&e) => return Err(e),
                Err(e) if Instant::now() + backoff >= deadline => {
                    return Err(e.context(format!(
                        "writing the mark of partition {p} of a joined replay (the \
                         '{PROPERTY}' property of subscription '{}')",
                        self.inner.subscription
                    )))
                }
                Err(e) => {
                    tracing::debug!(partition = p, error = %format!("{e:#}"), "writing a mark refused; asked again");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
            }
        }
        if let Some(v) = self.view.get_mut(&p) {
            v.properties = properties;
        }
        Ok(())
    }

    /// Takes partition `p`, which the broker delivers here, unless its owner is still
    /// connected (it lets go once it sees the broker moved it). `false` when not taken.
    async fn claim(&mut self, p: i32) -> anyhow::Result<bool> {
        let view = self.view.get(&p).cloned().unwrap_or_default();
        let mark = mark_of(&view).filter(|m| m.run == self.run);
        if let Some(owner) = mark.as_ref().and_then(|m| m.owner.as_deref()) {
            if owner != self.name && view.consumers.iter().any(|c| c == owner) {
                return Ok(false);
            }
        }
        let (end, before, before_acked) = match &mark {
            Some(m) => (m.end, m.settled, m.acked),
            None => (self.last_entry(p).await?, None, None),
        };
        // Read again up to the limit even where the mark says done: an owner killed or cut
        // off may have left acknowledgements unsent (`acked`).
        let limit = self.limit(p, end).await;
        let taken_over = mark.is_some() && !self.ever.contains(&p);
        if self.ever.contains(&p) {
            // Taken again: its batches are counted afresh as they come again.
            self.inner.forget_batches(p);
        }
        let held = Held::new(end, limit, before, before_acked, taken_over);
        let written = held.mark(self.run, Some(&self.name));
        self.write(p, &written).await?;
        tracing::debug!(partition = p, mark = %written.text(), "taken");
        self.held.insert(
            p,
            Held {
                saved: Some(written),
                ..held
            },
        );
        self.ever.insert(p);
        // The broker delivers it again from the subscription's cursor when it moved it here;
        // what it delivered here before and this member dropped it delivers again when asked.
        self.delivered.remove(&p);
        if self.unread.remove(&p) {
            self.redeliver(p).await?;
        }
        Ok(true)
    }

    /// Asks the broker to deliver partition `p` again from its first unacknowledged entry (a
    /// Failover subscription rewinds its cursor for the active consumer). Until that entry
    /// arrives, what arrives was sent before the rewind and comes again: `take` drops it.
    async fn redeliver(&mut self, p: i32) -> anyhow::Result<()> {
        let Some(end) = self.held.get(&p).and_then(|h| h.limit) else {
            return Ok(());
        };
        let topic = partition_topic(&self.inner.full, p);
        let cursor = self
            .inner
            .admin
            .cursor(&topic, &self.inner.subscription)
            .await
            .map_err(|e| self.admin_unreachable(e))?;
        let first = cursor.and_then(|c| c.first_unacknowledged((end.0, end.1 as i64)));
        let Some((ledger_id, entry)) = first else {
            return Ok(());
        };
        let first = (ledger_id, entry as u64);
        let id = MessageIdData {
            ledger_id,
            entry_id: first.1,
            partition: Some(p),
            ..Default::default()
        };
        let asked = tokio::time::timeout(
            self.inner.timeout,
            self.inner.consumer.nack_with_id(&topic, id),
        )
        .await;
        match asked {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(self.inner.lost(e)),
            Err(_) => {
                return Err(Unreachable::no_answer(self.inner.timeout)
                    .at(format!("Pulsar at {}", self.inner.url))
                    .doing(format!(
                        "asking for partition {p} of '{}' again",
                        self.inner.full
                    ))
                    .into())
            }
        }
        tracing::debug!(partition = p, from = ?first, "asked for the partition's unacknowledged messages again");
        if let Some(h) = self.held.get_mut(&p) {
            h.gate = Some(Gate { first, last: None });
        }
        Ok(())
    }

    /// The partition's last entry now (`None`: it holds none).
    async fn last_entry(&mut self, p: i32) -> anyhow::Result<Option<EntryPos>> {
        let asked = tokio::time::timeout(
            self.inner.timeout,
            self.inner.consumer.get_last_message_id(),
        )
        .await;
        let ids = match asked {
            Err(_) => {
                return Err(Unreachable::no_answer(self.inner.timeout)
                    .at(format!("Pulsar at {}", self.inner.url))
                    .doing("asking for the last message id")
                    .into())
            }
            Ok(Err(e)) if e.to_string().contains("Topic has no messages") => Vec::new(),
            Ok(r) => r.context("asking for the last message id")?,
        };
        Ok(ids
            .into_iter()
            .find(|id| id.partition.unwrap_or(-1) == p)
            .filter(|id| id.entry_id != u64::MAX && (id.ledger_id as i64) >= 0)
            .map(|id| (id.ledger_id, id.entry_id)))
    }

    /// The last entry at or before `end` the subscription has not acknowledged (the cursor);
    /// `end` itself when the admin API does not say.
    async fn limit(&self, p: i32, end: Option<EntryPos>) -> Option<EntryPos> {
        let (ledger_id, entry_id) = end?;
        let mut pending = BTreeMap::from([(
            p,
            MessageIdData {
                ledger_id,
                entry_id,
                partition: Some(p),
                ..Default::default()
            },
        )]);
        let (admin, full, sub) = (
            &self.inner.admin,
            &self.inner.full,
            &self.inner.subscription,
        );
        to_unacknowledged(admin, full, sub, &mut pending).await;
        pending.get(&p).map(|id| (id.ledger_id, id.entry_id))
    }

    /// Partitions held and not read to their limit.
    fn reading(&self) -> bool {
        self.held.values().any(|h| !h.finished && !h.releasing)
    }

    /// A partition being let go still has reads in flight: the caller settles them.
    fn settling(&self) -> bool {
        self.held
            .values()
            .any(|h| h.releasing && !h.read.is_empty())
    }

    /// What a delivered message is to this member: a record to replay, or nothing (dropped:
    /// beyond the boundary, settled by an earlier owner, delivered again, or of a partition the
    /// broker moved away). A message of a partition it is to take but cannot yet is stashed.
    async fn take(&mut self, m: Message<Vec<u8>>) -> anyhow::Result<Option<Record>> {
        let p = partition_index(&m);
        let pos = position(&m);
        if !self.held.contains_key(&p) {
            // Delivered before the broker moved the partition away (it delivers it again to
            // the member it moved to), or delivered here now. The view tells which, once it is
            // newer than the message: a message after one dropped since the view came with it.
            let known_stale = self.dropped.get(&p).is_some_and(|d| pos > *d);
            if !known_stale {
                let asked = Instant::now();
                self.look(true).await?;
                if self.viewed < asked {
                    // The admin API did not answer (within --timeout it is asked again): the
                    // message waits, as a dropped one would not come back.
                    self.stash = Some(m);
                    return Ok(None);
                }
            }
            if !self.active_here(p) {
                self.dropped.insert(p, pos);
                self.drop_unread(p);
                return Ok(None);
            }
            if !self.held.contains_key(&p) && !self.claim(p).await? {
                self.stash = Some(m);
                return Ok(None);
            }
        }
        let h = self.held.get_mut(&p).expect("held or claimed above");
        if h.releasing {
            self.drop_unread(p);
            return Ok(None);
        }
        if h.finished {
            return Ok(None);
        }
        if let Some(gate) = h.gate.as_mut() {
            if !gate.opens(pos) {
                return Ok(None);
            }
            h.gate = None;
        }
        if let Some((ledger_id, entry_id)) = h.limit {
            let limit = MessageIdData {
                ledger_id,
                entry_id,
                ..Default::default()
            };
            if at_or_past(&m, &limit) {
                h.finished = true;
                if (pos.0, pos.1) > (ledger_id, entry_id) {
                    return Ok(None);
                }
            }
        }
        let (before, before_acked) = (h.before, h.before_acked);
        let id = PulsarMessageId {
            ledger: pos.0,
            entry: pos.1,
            partition: p,
            batch_index: pos.2,
        };
        if is_repeat(&mut self.delivered, id) {
            self.inner.repeats += 1;
            if self.held[&p].handled(pos) {
                // Its acknowledgement left on a connection that broke.
                self.inner.acknowledge_again(id).await?;
            }
            return Ok(None);
        }
        if let Some(size) = m.message_id.batch_size.filter(|s| *s > 1) {
            self.inner
                .batches
                .entry((p, pos.0, pos.1))
                .or_insert((size, 0));
        }
        if before_acked.is_some_and(|a| pos <= a) {
            // Its copy was confirmed; its acknowledgement did not reach the broker.
            self.inner.acknowledge(EntryId::Pulsar(id)).await?;
            return Ok(None);
        }
        if before.is_some_and(|b| pos <= b) {
            return Ok(None);
        }
        let h = self.held.get_mut(&p).expect("held above");
        h.read.insert(pos, None);
        Ok(Some(to_record(&m)))
    }

    /// A message of partition `p` is dropped unread: the broker is asked for it again if this
    /// member takes `p`.
    fn drop_unread(&mut self, p: i32) {
        if self.unread.insert(p) {
            tracing::debug!(
                partition = p,
                "a message dropped unread; asked for again if taken"
            );
        }
    }

    async fn receive(&mut self, wait: Duration) -> anyhow::Result<Option<Message<Vec<u8>>>> {
        if let Some(m) = self.buffer.pop_front() {
            return Ok(Some(m));
        }
        match tokio::time::timeout(wait, self.inner.consumer.try_next()).await {
            Err(_) => Ok(None),
            Ok(Ok(None)) => Err(self
                .inner
                .lost("the client's consumer ended: it could not reconnect")),
            Ok(Ok(Some(m))) => {
                let now = Instant::now();
                (self.last_answer, self.last_delivery) = (now, now);
                Ok(Some(m))
            }
            Ok(Err(e @ pulsar::Error::Connection(_))) => Err(self.inner.lost(e)),
            Ok(Err(e)) => Err(e).context("receiving from the subscription"),
        }
    }

    async fn next_record(&mut self) -> anyhow::Result<Option<Record>> {
        if let Some(r) = self.ready.take() {
            return Ok(Some(r));
        }
        loop {
            self.look(false).await?;
            // What was read of a partition to let go settles in the caller first; a stashed
            // message waits for its owner in `more_work`.
            if self.settling() {
                return Ok(None);
            }
            let m = match self.stash.take() {
                Some(m) => m,
                None if !self.reading() => return Ok(None),
                None => match self.receive(HOLD_CHECK).await? {
                    Some(m) => m,
                    None => {
                        self.on_quiet().await?;
                        continue;
                    }
                },
            };
            if let Some(r) = self.take(m).await? {
                return Ok(Some(r));
            }
            if self.stash.is_some() {
                return Ok(None);
            }
        }
    }

    /// Nothing delivered while partitions are still to be read: the broker is asked (exit 4
    /// after `--timeout` without an answer), and each partition's limit again (acknowledgements
    /// by an earlier owner may have ended it). A broker that answers but delivers nothing of a
    /// partition it gave this member for `--timeout` is exit 4 too, never a short read.
    async fn on_quiet(&mut self) -> anyhow::Result<()> {
        if self.last_delivery.elapsed() < IDLE_END || self.last_probe.elapsed() < IDLE_END {
            return Ok(());
        }
        self.last_probe = Instant::now();
        let left = self
            .inner
            .timeout
            .saturating_sub(self.last_answer.elapsed());
        let probe = partition_topic(&self.inner.full, 0);
        match tokio::time::timeout(left, self.inner.client.lookup_topic(probe)).await {
            Ok(Ok(_)) => self.last_answer = Instant::now(),
            Ok(Err(e)) if left.is_zero() => return Err(self.inner.lost(e)),
            Ok(Err(_)) => {}
            Err(_) => {
                return Err(Unreachable::no_answer(self.inner.timeout)
                    .at(format!("Pulsar at {}", self.inner.url))
                    .doing(format!("reading '{}'", self.inner.full))
                    .into())
            }
        }
        let open: Vec<(i32, Option<EntryPos>)> = self
            .held
            .iter()
            .filter(|(_, h)| !h.finished && !h.releasing)
            .map(|(p, h)| (*p, h.end))
            .collect();
        for (p, end) in &open {
            let limit = self.limit(*p, *end).await;
            let last = self.delivered.get(p).map(|d| (d.0, d.1));
            if let Some(h) = self.held.get_mut(p) {
                h.limit = limit;
                h.finished = match (limit, last) {
                    (None, _) => true,
                    (Some(l), Some(d)) => d > l,
                    (Some(_), None) => false,
                };
            }
        }
        // A redelivery asked for and not begun (the broker passes over a request that meets a
        // read it cannot cancel): asked again.
        let gated: Vec<i32> = self
            .held
            .iter()
            .filter(|(_, h)| h.gate.is_some() && !h.finished && !h.releasing)
            .map(|(p, _)| *p)
            .collect();
        for p in gated {
            self.redeliver(p).await?;
        }
        if self.reading() && self.last_delivery.elapsed() >= self.inner.timeout {
            let left: Vec<String> = self
                .held
                .iter()
                .filter(|(_, h)| !h.finished && !h.releasing)
                .map(|(p, h)| {
                    let (l, e) = h.limit.unwrap_or_default();
                    format!("partition {p} up to {l}:{e}")
                })
                .collect();
            return Err(self.inner.lost(format!(
                "the broker answers, but delivered nothing for {}s though subscription '{}' has not \
                 acknowledged {}",
                self.inner.timeout.as_secs_f32(),
                self.inner.subscription,
                left.join(", ")
            )));
        }
        Ok(())
    }

    /// Whether every partition is done in this run: this member's (read to their limits and
    /// settled, the marks saved), the others' as their marks say.
    fn run_done(&self) -> bool {
        if self
            .held
            .values()
            .any(|h| !h.done() || h.saved.as_ref().is_none_or(|s| !s.done))
        {
            return false;
        }
        // A partition whose owner is gone without letting go (killed, cut off) is not done
        // until another member took it: acknowledgements may be missing.
        self.partitions.iter().all(|p| {
            self.held.contains_key(p)
                || self.view.get(p).is_some_and(|v| {
                    mark_of(v).is_some_and(|m| {
                        m.run == self.run
                            && m.done
                            && m.owner.is_none_or(|o| v.consumers.contains(&o))
                    })
                })
        })
    }

    async fn more_work_now(&mut self) -> anyhow::Result<Option<bool>> {
        let until = Instant::now() + HOLD_CHECK;
        while Instant::now() < until {
            self.look(false).await?;
            self.let_go(false).await?;
            if let Some(m) = self.stash.take() {
                if let Some(r) = self.take(m).await? {
                    self.ready = Some(r);
                    return Ok(Some(true));
                }
                if self.stash.is_some() {
                    // Its owner has yet to let it go, or the admin API to answer.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
            if self.reading() {
                return Ok(Some(true));
            }
            // A partition given to this member may deliver before the view says so.
            if let Some(m) = self.receive(Duration::from_millis(100)).await? {
                if let Some(r) = self.take(m).await? {
                    self.ready = Some(r);
                    return Ok(Some(true));
                }
            }
        }
        self.save().await?;
        self.look(true).await?;
        Ok(if self.run_done() { Some(false) } else { None })
    }

    /// Makes sure the acknowledgements made so far have left for the broker, so that a mark
    /// never says settled what the broker still holds unacknowledged (a member killed after
    /// writing it would leave those in the backlog, and the next owner would not send them).
    ///
    /// pulsar-rs sends an acknowledgement from the consumer's engine task, in order with
    /// delivering messages to this consumer; with the consumer's queue full the engine waits to
    /// deliver and the acknowledgements wait behind (seen: a member killed mid-run left its
    /// first batches unacknowledged though its marks had passed them). So what the engine
    /// delivers meanwhile is kept (`buffer`, read before anything else) until it answers a
    /// request queued after the acknowledgements. `false` when that did not happen within
    /// `within`, or the buffer is full: the marks wait for the next save.
    async fn flush_acks(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while self.buffer.len() < 8 * RECEIVER_QUEUE {
                match tokio::time::timeout(Duration::ZERO, self.inner.consumer.try_next()).await {
                    Ok(Ok(Some(m))) => self.buffer.push_back(m),
                    _ => break,
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let step = left.min(Duration::from_millis(50));
            if tokio::time::timeout(step, self.inner.consumer.connections())
                .await
                .is_ok()
            {
                return true;
            }
            if left <= step || self.buffer.len() >= 8 * RECEIVER_QUEUE {
                return false;
            }
        }
    }

    /// Writes the marks that moved since they were last written.
    async fn save(&mut self) -> anyhow::Result<()> {
        let changed: Vec<(i32, Mark)> = self
            .held
            .iter()
            .map(|(p, h)| (*p, h.mark(self.run, Some(&self.name))))
            .filter(|(p, m)| self.held[p].saved.as_ref() != Some(m))
            .collect();
        if changed.is_empty() || !self.flush_acks(Duration::from_millis(500)).await {
            return Ok(());
        }
        for (p, mark) in changed {
            self.write(p, &mark).await?;
            if let Some(h) = self.held.get_mut(&p) {
                h.saved = Some(mark);
            }
        }
        Ok(())
    }

    fn settle(&mut self, id: EntryId, handled: bool) {
        let EntryId::Pulsar(id) = id else { return };
        if let Some(h) = self.held.get_mut(&id.partition) {
            h.settle((id.ledger, id.entry, id.batch_index), handled);
            if handled && h.taken_over {
                self.taken_over += 1;
            }
        }
    }
}

#[async_trait]
impl DlqReader for JoinedReader {
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        let next = self.next_record().await;
        self.inner.lost |= next.as_ref().is_err_and(crate::error::is_unreachable);
        next
    }

    fn track_unhandled(&mut self, id: EntryId) {
        self.settle(id, false);
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        let acked = self.inner.acknowledge(id).await;
        self.inner.lost |= acked.as_ref().is_err_and(crate::error::is_unreachable);
        acked?;
        self.settle(id, true);
        Ok(())
    }

    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        self.save().await
    }

    async fn more_work(&mut self) -> anyhow::Result<Option<bool>> {
        let more = self.more_work_now().await;
        self.inner.lost |= more.as_ref().is_err_and(crate::error::is_unreachable);
        more
    }

    async fn topic_schema(
        &mut self,
        topic: &str,
        version: &[u8],
    ) -> Result<crate::domain::decode::Served, String> {
        self.inner.topic_schema(topic, version).await
    }

    fn join_report(&self) -> Option<JoinReport> {
        Some(JoinReport {
            member_id: self.name.clone(),
            protocol: "failover".into(),
            run: self.run,
            partitions: self.ever.iter().map(|p| p.to_string()).collect(),
            taken_over: self.taken_over,
        })
    }

    /// Saves the marks and lets every partition go (what was read and not settled stays with
    /// its mark's `settled`, for the next owner), then closes the consumer.
    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        if !self.inner.lost {
            let saved = self.save().await;
            for h in self.held.values_mut() {
                h.read.clear();
            }
            let let_go = self.let_go(true).await;
            if let Err(e) = saved.and(let_go) {
                tracing::warn!(error = %format!("{e:#}"), "the marks of a joined replay were not all written");
            }
        }
        Box::new(self.inner).close().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_read_what_they_write_and_nothing_else() {
        let m = Mark {
            run: 3,
            end: Some((12, 40)),
            settled: Some((12, 33, -1)),
            acked: Some((12, 30, 4)),
            done: false,
            owner: Some("dlq-join-1-2".into()),
        };
        assert_eq!(Mark::parse(&m.text()), Some(m.clone()));
        let empty = Mark {
            run: 1,
            ..Mark::default()
        };
        assert_eq!(
            empty.text(),
            "dlq-join/1 run=1 end=- settled=- acked=- done=0 owner=-"
        );
        assert_eq!(Mark::parse(&empty.text()), Some(empty));
        assert_eq!(Mark::parse("dlq-join/1 run=3 end=x:1"), None);
        assert_eq!(Mark::parse("someone else's property"), None);
    }

    #[test]
    fn a_redelivery_begins_at_the_first_unacknowledged_entry_s_first_message() {
        // Sent before the rewind: the rest of the batch at 5:3, then 5:4.
        let mut g = Gate {
            first: (5, 3),
            last: None,
        };
        assert!(!g.opens((5, 3, 7)));
        assert!(!g.opens((5, 3, 8)));
        assert!(!g.opens((5, 4, -1)));
        // The rewind: 5:3 again, from its first message.
        assert!(g.opens((5, 3, 0)));
        // A message not batched at the first entry.
        let mut g = Gate {
            first: (5, 3),
            last: None,
        };
        assert!(g.opens((5, 3, -1)));
        // A client that passes over acknowledged indexes starts the batch further in: a step
        // back is the beginning.
        let mut g = Gate {
            first: (5, 3),
            last: None,
        };
        assert!(!g.opens((5, 3, 9)));
        assert!(g.opens((5, 3, 4)));
    }

    fn held(before: Option<Pos>, before_acked: Option<Pos>) -> Held {
        Held::new(Some((5, 9)), Some((5, 9)), before, before_acked, true)
    }

    #[test]
    fn a_partition_settles_in_order_and_is_done_once_read_to_its_limit() {
        let mut h = held(Some((5, 1, -1)), Some((5, 1, -1)));
        for e in 2..5 {
            h.read.insert((5, e, -1), None);
        }
        h.settle((5, 3, -1), true);
        let m = h.mark(1, None);
        assert_eq!(
            (m.settled, m.acked),
            (Some((5, 1, -1)), Some((5, 1, -1))),
            "2 is open"
        );
        h.settle((5, 2, -1), true);
        let m = h.mark(1, None);
        assert_eq!((m.settled, m.acked), (Some((5, 3, -1)), Some((5, 3, -1))));
        // A skipped entry ends the handled prefix; the settled one goes on.
        h.settle((5, 4, -1), false);
        h.read.insert((5, 5, -1), None);
        h.settle((5, 5, -1), true);
        h.finished = true;
        let m = h.mark(1, Some("me"));
        assert!(m.done, "{m:?}");
        assert_eq!((m.settled, m.acked), (Some((5, 5, -1)), Some((5, 3, -1))));
    }

    #[test]
    fn after_an_earlier_owner_skipped_nothing_more_counts_as_acknowledged() {
        let mut h = held(Some((5, 4, -1)), Some((5, 2, -1)));
        h.read.insert((5, 5, -1), None);
        h.settle((5, 5, -1), true);
        let m = h.mark(1, None);
        assert_eq!((m.settled, m.acked), (Some((5, 5, -1)), Some((5, 2, -1))));
    }
}
