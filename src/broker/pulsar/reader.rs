//! Reading a topic through the operator subscription: never acknowledging while it only looks,
//! ending at each partition's last message, acknowledging exactly what a purge or replay marks.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use base64::Engine as _;
use futures::TryStreamExt;
use jiff::Timestamp;
use pulsar::consumer::Message;
use pulsar::message::proto::MessageIdData;
use pulsar::{Consumer, Pulsar, TokioExecutor};

use super::admin::Admin;
use super::PulsarBroker;
use crate::broker::{DlqReader, ScanNotes, ScanRequest, StartAt};
use crate::domain::decode::Served;
use crate::domain::entry::{EntryId, Header, PulsarMessageId, Record};
use crate::error::{DlqError, Unreachable};

/// A read ends once every partition's last unacknowledged message has been seen (the broker's
/// cursor says which that is: `cursor.rs`). After a quiet spell this long with partitions still
/// to read, the reader asks whether the broker is there; silence alone never ends a read.
pub(super) const IDLE_END: Duration = Duration::from_secs(3);
/// An answer to the reader's probe within this long shows a broker that is not stalled.
const PROMPT: Duration = Duration::from_secs(1);
/// Messages the consumer's queue holds, delivered ahead of reading.
pub(super) const RECEIVER_QUEUE: usize = 1000;
/// The consumer's flow window: messages the broker may send ahead (pulsar-rs asks for more
/// when fewer than half are left; its `batch_size`). On 200,000 batched dead letters (1,000 a
/// batch) 1,000 keeps one batch in flight and reads in ~3.6 s; 5,000 reads in ~2.6 s but
/// `list -o jsonl`'s peak RSS rises from ~59 to ~71 MiB (pulsar-rs keeps each buffered message
/// with its own clone of the batch's metadata), over the 64 MiB that reads keep.
/// docs/BENCHMARKS.md has the runs.
pub(super) const FLOW_PERMITS: u32 = 1000;
/// How long a read on a throwaway subscription waits for its consumer to close.
pub(super) const THROWAWAY_CLOSE: Duration = Duration::from_millis(500);
/// On a throwaway subscription, acknowledge what was read every this many messages.
pub(super) const RELEASE_EVERY: u32 = 100;

impl PulsarBroker {
    pub(super) async fn open_reader(&mut self, req: &ScanRequest) -> anyhow::Result<PulsarReader> {
        let full = Self::full_name(&req.topic);
        self.check_exists(&full).await?;
        // Asked only where acknowledgements follow; unknown counts as "no" (acknowledge whole
        // batches only, and say what stays).
        let batch_index_ack = req.track && self.admin.batch_index_ack().await == Some(true);
        let mut consumer = self.subscribe(&full, req.start).await?;
        let last = match tokio::time::timeout(self.timeout, consumer.get_last_message_id()).await {
            Err(_) => Err(self.unreachable("asking for the last message id")),
            // Apache Pulsar answers an empty topic with (-1,-1); some brokers (pulsar-lite, the
            // stand-in used before) with this error.
            Ok(Err(e)) if e.to_string().contains("Topic has no messages") => Ok(Vec::new()),
            Ok(r) => r.context("asking for the last message id"),
        };
        let last = match last {
            Ok(last) => last,
            Err(e) => {
                let _ = tokio::time::timeout(self.timeout, consumer.close()).await;
                return Err(e);
            }
        };
        // Per partition index (-1 on a non-partitioned topic): the last id present now.
        let mut pending: BTreeMap<i32, MessageIdData> = last
            .into_iter()
            .filter(|id| id.entry_id != u64::MAX && (id.ledger_id as i64) >= 0)
            .map(|id| (id.partition.unwrap_or(-1), id))
            .collect();
        // A throwaway subscription starts at the earliest message and has acknowledged nothing:
        // it delivers every last id. The operator subscription may have acknowledged its tail.
        let exact = req.start == StartAt::Retained
            || to_unacknowledged(&self.admin, &full, &self.subscription, &mut pending).await;
        Ok(self.reader_on(consumer, full, req, pending, exact, batch_index_ack))
    }

    /// A reader of `consumer` (subscribed to `full`) that ends where `pending` says.
    pub(super) fn reader_on(
        &self,
        consumer: Consumer<Vec<u8>, TokioExecutor>,
        full: String,
        req: &ScanRequest,
        pending: BTreeMap<i32, MessageIdData>,
        exact: bool,
        batch_index_ack: bool,
    ) -> PulsarReader {
        let now = Instant::now();
        PulsarReader {
            client: self.client.clone(),
            admin: self.admin.clone(),
            subscription: self.subscription.clone(),
            exact,
            last_answer: now,
            last_delivery: now,
            quiet_wait: IDLE_END,
            responsive_since: None,
            failed_probe: None,
            ended_by_quiet: Vec::new(),
            consumer,
            full,
            track: req.track,
            batches: HashMap::new(),
            batch_index_ack,
            outstanding: HashMap::new(),
            delivered: HashMap::new(),
            repeats: 0,
            done: pending.is_empty(),
            throwaway: req.start == StartAt::Retained,
            throwaway_name: req.start == StartAt::Retained,
            since_release: 0,
            released: HashMap::new(),
            pending,
            partitions: req.partitions.clone(),
            since: req.since,
            url: self.url.clone(),
            timeout: self.timeout,
            lost: false,
        }
    }

    /// The schema a topic served at `version`, asked on a consumer of the operator subscription.
    pub(super) async fn read_schema(
        &mut self,
        topic: &str,
        version: &[u8],
    ) -> Result<Served, String> {
        let req = ScanRequest {
            topic: topic.to_string(),
            ..ScanRequest::default()
        };
        let mut reader = self.open_reader(&req).await.map_err(|e| e.to_string())?;
        let served = get_topic_schema(&mut reader.consumer, topic, version).await;
        let _ = Box::new(reader).close().await;
        served
    }

    /// Reads the operator subscription's backlog up to the entry: what `list` shows is what
    /// `inspect` finds.
    pub(super) async fn fetch_entry(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let req = ScanRequest {
            topic: topic.to_string(),
            ..ScanRequest::default()
        };
        let mut reader = Box::new(self.open_reader(&req).await?);
        let mut found = None;
        let read = loop {
            match reader.next().await {
                Ok(Some(r)) if r.id == id => {
                    found = Some(r);
                    break Ok(());
                }
                Ok(Some(_)) => {}
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let notes = reader.close().await?;
        read?;
        found.ok_or_else(|| {
            let mut msg = format!(
                "no entry {id} in the backlog of subscription '{}' on '{}'",
                self.subscription,
                Self::full_name(topic)
            );
            for w in notes.warnings {
                msg.push('\n');
                msg.push_str(&w);
            }
            DlqError::NotFound(msg).into()
        })
    }
}

/// Reads the operator subscription's backlog until every partition's last message (as the
/// broker reported it when the reader opened) has been seen.
pub(super) struct PulsarReader {
    pub(super) consumer: Consumer<Vec<u8>, TokioExecutor>,
    /// For probes: a request the broker answers on the client's own connection, which (unlike
    /// a ping through the consumer) waits behind no message the consumer has yet to take.
    pub(super) client: Pulsar<TokioExecutor>,
    /// For the subscription's cursor, asked again when the read goes quiet.
    pub(super) admin: Admin,
    pub(super) subscription: String,
    /// `pending` holds each partition's last unacknowledged message (the cursor said, or the
    /// subscription is a throwaway one): the read ends exactly there. Otherwise it holds the
    /// last message ids, and a quiet spell while the broker answers promptly ends the read.
    exact: bool,
    /// When the broker last answered (a message or a probe): `--timeout` runs from here.
    last_answer: Instant,
    /// When the consumer last delivered a message.
    last_delivery: Instant,
    /// How long to wait for a message before asking whether the broker is there.
    quiet_wait: Duration,
    /// Without `exact`: since when the broker has answered promptly with nothing delivered.
    responsive_since: Option<Instant>,
    /// What the last probe that failed said.
    failed_probe: Option<String>,
    /// Without `exact`: the partitions whose end was taken from a quiet spell.
    ended_by_quiet: Vec<i32>,
    /// The topic as subscribed (partition topics are `{full}-partition-N`).
    pub(super) full: String,
    track: bool,
    /// With `track`: per batched entry (partition, ledger, entry), its size and how many of its
    /// messages were handled. Pulsar acknowledges whole entries, so one is acknowledged only
    /// when all of its messages are handled.
    pub(super) batches: HashMap<(i32, u64, u64), (i32, i32)>,
    /// The broker acknowledges at batch-index level: handled messages of a partly handled batch
    /// are acknowledged with an ack set (the batch indexes still outstanding).
    batch_index_ack: bool,
    /// With `batch_index_ack`: per partly handled batch, the indexes still outstanding.
    outstanding: HashMap<(i32, u64, u64), Vec<u64>>,
    pending: BTreeMap<i32, MessageIdData>,
    /// Per partition, the position (ledger, entry, batch index) of the last message delivered.
    delivered: HashMap<i32, (u64, u64, i32)>,
    /// Messages the broker delivered again, dropped.
    pub(super) repeats: u64,
    /// Reading through a throwaway subscription (everything retained): nothing to keep, so
    /// what was read is acknowledged as it goes (until an acknowledgement fails).
    throwaway: bool,
    /// The subscription is a throwaway one (named for this run only).
    throwaway_name: bool,
    /// Messages read since the last acknowledgement on a throwaway subscription.
    since_release: u32,
    /// Per partition, the entry (ledger, entry) last acknowledged on a throwaway subscription.
    released: HashMap<i32, (u64, u64)>,
    done: bool,
    partitions: Vec<i32>,
    since: Option<Timestamp>,
    pub(super) url: String,
    pub(super) timeout: Duration,
    /// The broker went away: closing does not wait for it.
    pub(super) lost: bool,
}

/// A partition's topic (`full` itself when not partitioned).
pub(super) fn partition_topic(full: &str, partition: i32) -> String {
    if partition >= 0 {
        format!("{full}-partition-{partition}")
    } else {
        full.to_string()
    }
}

/// Moves each pending partition's end back to the last message `subscription` has not
/// acknowledged, and drops the partitions it has acknowledged entirely (their cursors, through
/// the admin API). `false` when the admin API did not say for every partition: those keep their
/// last message id, which a read may never reach.
pub(super) async fn to_unacknowledged(
    admin: &Admin,
    full: &str,
    subscription: &str,
    pending: &mut BTreeMap<i32, MessageIdData>,
) -> bool {
    let asks = pending.keys().map(|&p| async move {
        let topic = partition_topic(full, p);
        (p, admin.cursor(&topic, subscription).await)
    });
    let mut exact = true;
    for (p, cursor) in futures::future::join_all(asks).await {
        let cursor = match cursor {
            Ok(Some(c)) => c,
            other => {
                tracing::debug!(topic = %full, partition = p, ?other, "no cursor from the admin API");
                exact = false;
                continue;
            }
        };
        let Some(last) = pending.get(&p) else {
            continue;
        };
        let at = (last.ledger_id, last.entry_id as i64);
        match cursor.last_unacknowledged(at) {
            None => {
                pending.remove(&p);
            }
            Some(end) if end != at => {
                let id = MessageIdData {
                    ledger_id: end.0,
                    entry_id: end.1 as u64,
                    partition: last.partition,
                    ..Default::default()
                };
                pending.insert(p, id);
            }
            Some(_) => {}
        }
    }
    exact
}

/// The entry that holds `id`, as the broker names it in an acknowledgement.
fn entry_of(id: &PulsarMessageId) -> MessageIdData {
    MessageIdData {
        ledger_id: id.ledger,
        entry_id: id.entry,
        partition: (id.partition >= 0).then_some(id.partition),
        ..Default::default()
    }
}

/// Whether `id` was delivered already: not past the last position seen in its partition (which
/// it becomes otherwise).
pub(super) fn is_repeat(
    delivered: &mut HashMap<i32, (u64, u64, i32)>,
    id: PulsarMessageId,
) -> bool {
    let position = (id.ledger, id.entry, id.batch_index);
    match delivered.get(&id.partition) {
        Some(last) if position <= *last => true,
        _ => {
            delivered.insert(id.partition, position);
            false
        }
    }
}

/// What GetSchema answers, for the decoder.
pub(super) async fn get_topic_schema(
    consumer: &mut Consumer<Vec<u8>, TokioExecutor>,
    topic: &str,
    version: &[u8],
) -> Result<Served, String> {
    use pulsar::message::proto::schema::Type;
    let answer = consumer
        .get_schema(topic, Some(version.to_vec()))
        .await
        .map_err(|e| format!("the broker did not serve the topic schema (GetSchema): {e}"))?;
    let schema = answer.ok_or("the broker has no schema of that version")?;
    match Type::try_from(schema.r#type) {
        Ok(Type::Avro) => {
            let text = String::from_utf8_lossy(&schema.schema_data);
            crate::domain::decode::parse_avro_schema(&text)
                .map(|s| Served::Avro(Box::new(s)))
                .map_err(|e| format!("the topic schema is not valid Avro: {e}"))
        }
        Ok(Type::Json) => Ok(Served::Json(None)),
        Ok(t) => Ok(Served::Other(t.as_str_name().to_string())),
        Err(_) => Ok(Served::Other(format!("type {}", schema.r#type))),
    }
}

impl PulsarReader {
    pub(super) async fn next_record(&mut self) -> anyhow::Result<Option<Record>> {
        while !self.done {
            let next = match tokio::time::timeout(self.quiet_wait, self.consumer.try_next()).await {
                Err(_) => {
                    if self.on_quiet().await? {
                        self.done = true;
                        return Ok(None);
                    }
                    continue;
                }
                // pulsar-rs ends a consumer whose reconnection failed: not the end of the data.
                Ok(Ok(None)) => {
                    return Err(self.lost("the client's consumer ended: it could not reconnect"))
                }
                Ok(Ok(Some(m))) => {
                    let now = Instant::now();
                    (self.last_answer, self.last_delivery) = (now, now);
                    (self.quiet_wait, self.responsive_since) = (IDLE_END, None);
                    m
                }
                Ok(Err(e @ pulsar::Error::Connection(_))) => return Err(self.lost(e)),
                Ok(Err(e)) => return Err(e).context("receiving from the subscription"),
            };
            let part = partition_index(&next);
            if self
                .pending
                .get(&part)
                .is_some_and(|last| at_or_past(&next, last))
            {
                self.pending.remove(&part);
                self.done = self.pending.is_empty();
            }
            let record = to_record(&next);
            // A broker may deliver a message again before it is acknowledged (pulsar-lite, the
            // stand-in used before, re-sent batches as flow permits arrived: a 200,000-message
            // batched DLQ read back 391,079 messages; Apache Pulsar redelivers after a reconnect). Message ids
            // grow within a partition, so anything not past the last one delivered is a repeat.
            if let EntryId::Pulsar(id) = record.id {
                if is_repeat(&mut self.delivered, id) {
                    self.repeats += 1;
                    continue;
                }
            }
            if self.throwaway {
                self.release_behind(&next).await;
            }
            if self.track {
                if let (EntryId::Pulsar(id), Some(size)) =
                    (record.id, next.message_id.batch_size.filter(|s| *s > 1))
                {
                    self.batches
                        .entry((id.partition, id.ledger, id.entry))
                        .or_insert((size, 0));
                }
            }
            let wanted = self.partitions.is_empty() || self.partitions.contains(&part);
            let too_old = self
                .since
                .is_some_and(|s| record.timestamp.is_some_and(|t| t < s));
            if wanted && !too_old {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    pub(super) async fn acknowledge(&mut self, id: EntryId) -> anyhow::Result<()> {
        let EntryId::Pulsar(id) = id else {
            return Ok(());
        };
        if !self.track {
            return Ok(());
        }
        let key = (id.partition, id.ledger, id.entry);
        let topic = partition_topic(&self.full, id.partition);
        let mut msg_id = entry_of(&id);
        if let Some((size, handled)) = self.batches.get_mut(&key) {
            *handled += 1;
            if *handled < *size {
                if !self.batch_index_ack || id.batch_index < 0 {
                    // Acknowledged once the whole batch is handled (never, if it is not).
                    return Ok(());
                }
                // The broker keeps the batch's other messages: the ack set names the indexes
                // still outstanding (Java's BitSet.toLongArray layout), and the broker ANDs it
                // with what it has.
                let size = *size;
                let outstanding = self
                    .outstanding
                    .entry(key)
                    .or_insert_with(|| all_indexes(size));
                clear_index(outstanding, id.batch_index);
                msg_id.batch_index = Some(id.batch_index);
                msg_id.batch_size = Some(size);
                msg_id.ack_set = outstanding.iter().map(|w| *w as i64).collect();
            } else {
                self.batches.remove(&key);
                self.outstanding.remove(&key);
            }
        }
        self.send_ack(&topic, msg_id, format!("acknowledging {id}"))
            .await
    }

    async fn send_ack(
        &mut self,
        topic: &str,
        msg_id: MessageIdData,
        doing: String,
    ) -> anyhow::Result<()> {
        let doing = format!("{doing} on '{}'", self.full);
        let at = format!("Pulsar at {}", self.url);
        match tokio::time::timeout(self.timeout, self.consumer.ack_with_id(topic, msg_id)).await {
            Err(_) => Err(Unreachable::no_answer(self.timeout)
                .at(at)
                .doing(doing)
                .into()),
            Ok(Err(e)) => Err(Unreachable::lost().at(at).doing(doing).why(e).into()),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Forgets what was counted of partition `p`'s batches: a partition taken again counts its
    /// batches' messages afresh as the broker delivers them again.
    pub(super) fn forget_batches(&mut self, p: i32) {
        self.batches.retain(|k, _| k.0 != p);
        self.outstanding.retain(|k, _| k.0 != p);
    }

    /// Acknowledges again a message handled already, which the broker delivered again (its
    /// acknowledgement left on a connection that broke): what is known of its batch is sent as
    /// it stands, without counting it handled twice.
    pub(super) async fn acknowledge_again(&mut self, id: PulsarMessageId) -> anyhow::Result<()> {
        let key = (id.partition, id.ledger, id.entry);
        let mut msg_id = entry_of(&id);
        if let Some((size, _)) = self.batches.get(&key) {
            // Part of the batch is still open: only batch-index acknowledgements say which.
            let Some(outstanding) = self.outstanding.get(&key).filter(|_| self.batch_index_ack)
            else {
                return Ok(());
            };
            msg_id.batch_index = Some(id.batch_index);
            msg_id.batch_size = Some(*size);
            msg_id.ack_set = outstanding.iter().map(|w| *w as i64).collect();
        }
        let topic = partition_topic(&self.full, id.partition);
        self.send_ack(&topic, msg_id, format!("acknowledging {id} again"))
            .await
    }

    /// Makes sure the acknowledgements made so far have left for the broker, ahead of the close.
    ///
    /// pulsar-rs hands an acknowledgement to the consumer's engine task, which does everything
    /// in order, delivering messages to this consumer among it. Once nobody reads any more (the
    /// scan stopped at its boundary, was interrupted, or failed) and the consumer's queue is
    /// full, the engine waits to deliver the next message, and the acknowledgements queued
    /// behind it never leave; nor does a close, which asks the engine for its connection. (Seen
    /// on Apache Pulsar: a purge interrupted after acknowledging 500 entries left all 2,000 in
    /// the backlog.) So what the engine delivers now is read and dropped, unacknowledged (the
    /// broker delivers it again to the next reader), until the engine answers a request queued
    /// after the acknowledgements: then they are on the connection, ahead of the close.
    /// `false` when that did not happen within `within`.
    async fn flush_acknowledgements(&mut self, within: Duration) -> bool {
        use futures::StreamExt as _;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            // What is queued now, at most a few queues' worth (the engine refills as it goes).
            for _ in 0..4 * RECEIVER_QUEUE {
                match tokio::time::timeout(Duration::ZERO, self.consumer.next()).await {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let step = left.min(Duration::from_millis(100));
            if tokio::time::timeout(step, self.consumer.connections())
                .await
                .is_ok()
            {
                return true;
            }
            if left <= step {
                return false;
            }
        }
    }

    /// Closes the consumer, reading and dropping (unacknowledged) what the engine delivers
    /// meanwhile: a close asks the engine for its connection, and an engine waiting to deliver
    /// into a full queue never answers (a scan that stopped inside a batch, such as `inspect`
    /// of an entry in the middle of one, waited the whole --timeout). `false` when the close
    /// did not finish within `within`.
    async fn close_consumer(&mut self, within: Duration) -> bool {
        use futures::StreamExt as _;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            for _ in 0..4 * RECEIVER_QUEUE {
                match tokio::time::timeout(Duration::ZERO, self.consumer.next()).await {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let step = left.min(Duration::from_millis(100));
            if tokio::time::timeout(step, self.consumer.close())
                .await
                .is_ok()
            {
                return true;
            }
            if left <= step {
                return false;
            }
        }
    }

    pub(super) fn lost(&self, why: impl std::fmt::Display) -> anyhow::Error {
        Unreachable::lost()
            .at(format!("Pulsar at {}", self.url))
            .doing(format!("reading '{}'", self.full))
            .why(why)
            .into()
    }

    /// Nothing arrived for `quiet_wait` while partitions are still to be read: `true` only once
    /// the read is complete. Silence alone never ends a read and never condemns the broker:
    /// - the broker is asked (a lookup of a pending partition); an answer restarts `--timeout`,
    ///   a failed or unanswered ask is asked again with backoff, and only `--timeout` without
    ///   any answer is exit 4;
    /// - with `exact` ends the read goes on until they are reached; the cursor is asked again
    ///   (acknowledgements that landed after the reader opened may have ended a partition), and a
    ///   broker that answers but delivers nothing of a partition it still holds for `--timeout`
    ///   is exit 4 too, never a short read;
    /// - without them (the admin API did not say), silence counts only while the broker answers
    ///   promptly at both of its ends: `IDLE_END` between two prompt answers ends the read, and
    ///   the summary says which partitions ended so.
    async fn on_quiet(&mut self) -> anyhow::Result<bool> {
        let left = self.timeout.saturating_sub(self.last_answer.elapsed());
        if left.is_zero() {
            let why = match &self.failed_probe {
                Some(e) => format!(
                    "no answer within {}s; last: {e}",
                    self.timeout.as_secs_f32()
                ),
                None => format!("no answer within {}s", self.timeout.as_secs_f32()),
            };
            return Err(self.lost(why));
        }
        let probe_topic = self
            .pending
            .keys()
            .next()
            .map_or_else(|| self.full.clone(), |&p| partition_topic(&self.full, p));
        let asked = Instant::now();
        match tokio::time::timeout(left, self.client.lookup_topic(probe_topic)).await {
            Err(_) => {
                return Err(Unreachable::no_answer(self.timeout)
                    .at(format!("Pulsar at {}", self.url))
                    .doing(format!("reading '{}'", self.full))
                    .into())
            }
            Ok(Err(e)) => {
                // Asked again soon, still taking whatever arrives meanwhile.
                self.failed_probe = Some(e.to_string());
                self.quiet_wait = (self.quiet_wait / 2).clamp(Duration::from_millis(200), left);
                self.responsive_since = None;
                return Ok(false);
            }
            Ok(Ok(_)) => {
                self.last_answer = Instant::now();
                (self.quiet_wait, self.failed_probe) = (IDLE_END, None);
            }
        }
        let prompt = asked.elapsed() < PROMPT;
        if self.exact {
            let (admin, full, sub) = (&self.admin, &self.full, &self.subscription);
            to_unacknowledged(admin, full, sub, &mut self.pending).await;
            if self.pending.is_empty() {
                return Ok(true);
            }
            if self.last_delivery.elapsed() >= self.timeout {
                let left: Vec<String> = self
                    .pending
                    .iter()
                    .map(|(p, id)| format!("partition {p} up to {}:{}", id.ledger_id, id.entry_id))
                    .collect();
                return Err(self.lost(format!(
                    "the broker answers, but delivered nothing for {}s though subscription '{}' has not \
                     acknowledged {}",
                    self.timeout.as_secs_f32(),
                    self.subscription,
                    left.join(", ")
                )));
            }
            return Ok(false);
        }
        if !prompt {
            self.responsive_since = None;
            return Ok(false);
        }
        let since = *self.responsive_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= IDLE_END || self.last_delivery.elapsed() >= self.timeout {
            self.ended_by_quiet = self.pending.keys().copied().collect();
            return Ok(true);
        }
        Ok(false)
    }

    /// A throwaway subscription keeps nothing, so what the scan has passed is acknowledged now
    /// and then: a broker may re-send what is delivered but unacknowledged (seen on pulsar-lite,
    /// the stand-in used before, as flow permits arrived; kept as a defence, it costs one
    /// cumulative acknowledgement per 100 messages), and each re-send costs bandwidth and memory. Housekeeping
    /// only: a refused acknowledgement stops the releasing, never the read.
    pub(super) async fn release_behind(&mut self, m: &Message<Vec<u8>>) {
        self.since_release += 1;
        let id = &m.message_id.id;
        if self.since_release < RELEASE_EVERY || id.entry_id == 0 {
            return;
        }
        self.since_release = 0;
        // Every entry before this one in its partition was delivered: they come in order. A
        // batch spans many messages; its predecessor is acknowledged once.
        let passed = (partition_index(m), id.ledger_id, id.entry_id - 1);
        if self.released.get(&passed.0) == Some(&(passed.1, passed.2)) {
            return;
        }
        self.released.insert(passed.0, (passed.1, passed.2));
        let before = MessageIdData {
            ledger_id: id.ledger_id,
            entry_id: id.entry_id - 1,
            partition: id.partition,
            ..Default::default()
        };
        let answer = tokio::time::timeout(
            self.timeout,
            self.consumer.cumulative_ack_with_id(&m.topic, before),
        )
        .await;
        if !matches!(answer, Ok(Ok(()))) {
            tracing::debug!(topic = %self.full, ?answer, "acknowledging on the throwaway subscription failed; reading on without");
            self.throwaway = false;
        }
    }
}

#[async_trait]
impl DlqReader for PulsarReader {
    async fn topic_schema(&mut self, topic: &str, version: &[u8]) -> Result<Served, String> {
        get_topic_schema(&mut self.consumer, topic, version).await
    }

    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        let next = self.next_record().await;
        self.lost |= next.as_ref().is_err_and(crate::error::is_unreachable);
        next
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        let marked = self.acknowledge(id).await;
        self.lost |= marked.as_ref().is_err_and(crate::error::is_unreachable);
        marked
    }

    /// Acknowledgements are sent as they are made, without a receipt: pulsar-rs asks for none.
    /// (A ping here would say whether the broker is still there, but its answer queues behind
    /// the messages the connection is delivering to this consumer while the consumer waits for
    /// it: seen as a false "no answer within 5s" in tests/cli/faults.rs.)
    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        Ok(())
    }

    /// Closes, acknowledging nothing more: whatever was not marked handled returns to the backlog.
    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        if self.repeats > 0 {
            tracing::info!(topic = %self.full, repeats = self.repeats, "dropped messages the broker delivered again");
        }
        // A throwaway subscription is never used again, so its close is not worth waiting for:
        // the broker drops the consumer with the connection anyway. pulsar-rs sometimes never
        // completes the close while the broker floods a batched topic (seen on pulsar-lite, the
        // stand-in used before: `list --all --limit 50` waited the whole timeout in 4 runs of 12).
        // Any other subscription is waited for: the same run may subscribe it again (replay's
        // second pass, a rewind), and an unfinished close would hold it.
        let wait = if self.lost {
            Duration::ZERO
        } else if self.throwaway_name {
            self.timeout.min(THROWAWAY_CLOSE)
        } else {
            self.timeout
        };
        if self.track && !self.lost && !self.flush_acknowledgements(wait).await {
            tracing::warn!(topic = %self.full, "the consumer did not take the last acknowledgements in time");
        }
        if !self.close_consumer(wait).await {
            tracing::debug!(topic = %self.full, "the consumer did not close in time; dropping it");
        }
        let mut notes = ScanNotes::default();
        if !self.ended_by_quiet.is_empty() {
            notes.warnings.push(format!(
                "the end of '{}' (partitions {:?}) was taken from a quiet spell while the broker answered: \
                 the admin API did not say where subscription '{}' stops (its cursor, internalStats); \
                 set --admin-url (DLQ_PULSAR_ADMIN_URL) so that reads end exactly",
                self.full, self.ended_by_quiet, self.subscription
            ));
        }
        if self.batch_index_ack {
            notes.warnings.extend(batch_index_acks_note(&self.batches));
        } else {
            notes
                .warnings
                .extend(partial_batches_warning(&self.batches));
        }
        Ok(notes)
    }
}

/// A bit set holding indexes `0..size`, as 64-bit words (bit i of word i / 64).
pub(super) fn all_indexes(size: i32) -> Vec<u64> {
    let size = size.max(0) as usize;
    let mut words = vec![u64::MAX; size / 64];
    if size % 64 != 0 {
        words.push((1u64 << (size % 64)) - 1);
    }
    words
}

pub(super) fn clear_index(words: &mut [u64], index: i32) {
    if let Some(w) = words.get_mut(index as usize / 64) {
        *w &= !(1u64 << (index as usize % 64));
    }
}

/// Pulsar acknowledges a batch as a whole (unless the broker acknowledges at batch-index level): messages handled in a batch that also holds messages
/// this run did not handle stay in the backlog, and a later run offers them again.
pub(super) fn partial_batches_warning(
    batches: &HashMap<(i32, u64, u64), (i32, i32)>,
) -> Option<String> {
    let (messages, batches) = batches
        .values()
        .filter(|(_, handled)| *handled > 0)
        .fold((0i64, 0u32), |(m, b), (_, handled)| {
            (m + i64::from(*handled), b + 1)
        });
    (messages > 0).then(|| {
        format!(
            "{messages} message(s) handled by this run stay in the backlog: this broker acknowledges \
             a batch only as a whole (acknowledgmentAtBatchIndexLevelEnabled is off, or its admin API \
             did not say), and their {batches} batch(es) also hold messages this run did not handle. \
             Later runs show them again, and a replay would send them again (each copy carries \
             dlq-replay-of, so duplicates can be told apart)"
        )
    })
}

/// With batch-index acknowledgement the broker keeps exactly the rest of a partly handled batch,
/// and clients that read ack sets (Java, C++, Go) never see the handled messages again. The pulsar
/// crate drops the ack set the broker sends with such a batch, so dlq's own later reads still
/// show them.
pub(super) fn batch_index_acks_note(
    batches: &HashMap<(i32, u64, u64), (i32, i32)>,
) -> Option<String> {
    let messages: i64 = batches
        .values()
        .filter(|(_, handled)| *handled > 0)
        .map(|(_, handled)| i64::from(*handled))
        .sum();
    (messages > 0).then(|| {
        format!(
            "{messages} message(s) handled by this run were acknowledged by batch index (their batches \
             also hold messages this run did not handle): the broker keeps exactly the rest, but dlq's \
             own later reads of this subscription still show them (the pulsar crate ignores the ack set \
             the broker sends with a partly acknowledged batch); a replay would send them again, each \
             copy carrying dlq-replay-of"
        )
    })
}

pub(super) fn partition_index(m: &Message<Vec<u8>>) -> i32 {
    if let Some(p) = m.message_id.id.partition.filter(|p| *p >= 0) {
        return p;
    }
    m.topic
        .rsplit_once("-partition-")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(-1)
}

/// Has the scan reached `last`? For a batch, only its last message completes the entry.
pub(super) fn at_or_past(m: &Message<Vec<u8>>, last: &MessageIdData) -> bool {
    let id = &m.message_id.id;
    let pos = (id.ledger_id, id.entry_id);
    let end = (last.ledger_id, last.entry_id);
    if pos != end {
        return pos > end;
    }
    match (id.batch_index, m.message_id.batch_size) {
        (Some(i), Some(size)) if size > 1 => i >= size - 1,
        _ => true,
    }
}

pub(super) fn to_record(m: &Message<Vec<u8>>) -> Record {
    let md = m.metadata();
    let id = &m.message_id.id;
    let batched =
        m.message_id.batch_size.is_some_and(|s| s > 1) || id.batch_index.is_some_and(|b| b > 0);
    let key = md.partition_key.as_ref().map(|k| {
        if md.partition_key_b64_encoded() {
            base64::engine::general_purpose::STANDARD
                .decode(k)
                .unwrap_or_else(|_| k.as_bytes().to_vec())
        } else {
            k.as_bytes().to_vec()
        }
    });
    Record {
        topic: m.topic.clone(),
        id: EntryId::Pulsar(PulsarMessageId {
            ledger: id.ledger_id,
            entry: id.entry_id,
            partition: partition_index(m),
            batch_index: if batched {
                id.batch_index.unwrap_or(0)
            } else {
                -1
            },
        }),
        timestamp: Timestamp::from_millisecond(md.publish_time as i64).ok(),
        key,
        headers: md
            .properties
            .iter()
            .map(|kv| Header::new(kv.key.clone(), kv.value.clone().into_bytes()))
            .collect(),
        payload: Some(m.payload.data.clone()),
        schema_version: md.schema_version.clone().filter(|v| !v.is_empty()),
    }
}
