//! Kafka adapter (rdkafka). Reads with `assign()` and explicit offsets: an operator tool must not
//! join the group (joining takes seconds and rebalances anyone else in it) and must not commit
//! while it only looks.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use jiff::Timestamp;
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::ClientContext;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

use super::{
    Broker, Delivery, DlqReader, Publisher, RewindPartition, RewindPlan, RewindTarget, ScanNotes,
    ScanRequest, StartAt, TopicCount, TopicInfo,
};
use crate::domain::entry::{parse_kafka_id, EntryId, Header, Record};
use crate::domain::prefix::Prefix;
use crate::domain::replay::Outgoing;
use crate::domain::rewind::exact_start;
use crate::error::DlqError;

const POLL: Duration = Duration::from_millis(100);

/// A consumer whose context remembers librdkafka's last error.
type KConsumer = BaseConsumer<Diagnostics>;

/// Keeps the last error librdkafka reported. A failed request shows an authentication or TLS
/// failure only as a transport failure; this says which.
#[derive(Clone, Default)]
struct Diagnostics(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl ClientContext for Diagnostics {
    fn error(&self, error: KafkaError, reason: &str) {
        self.keep(if reason.is_empty() {
            error.to_string()
        } else {
            reason.to_string()
        });
    }

    /// librdkafka logs a failed connection (authentication, TLS) from its own threads at once;
    /// its error events wait for a poll that a failed metadata request never makes.
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, message: &str) {
        use rdkafka::config::RDKafkaLogLevel::*;
        if matches!(level, Emerg | Alert | Critical | Error | Warning) && fac != "CONFWARN" {
            // "host:port/id: SASL authentication error: …" → what follows the address.
            let reason = message.split_once(": ").map_or(message, |(_, r)| r);
            self.keep(reason.to_string());
        }
    }
}

impl ConsumerContext for Diagnostics {}

impl Diagnostics {
    fn keep(&self, reason: String) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(reason);
        }
    }

    fn last(&self) -> Option<String> {
        self.0.lock().ok().and_then(|l| l.clone())
    }
}

pub struct KafkaBroker {
    diagnostics: Diagnostics,
    security: super::KafkaSecurity,
    bootstrap: String,
    group: String,
    timeout: Duration,
}

impl KafkaBroker {
    pub fn new(
        bootstrap: &str,
        security: &super::KafkaSecurity,
        group: &str,
        timeout: Duration,
    ) -> Self {
        KafkaBroker {
            diagnostics: Diagnostics::default(),
            security: security.clone(),
            bootstrap: bootstrap.to_string(),
            group: group.to_string(),
            timeout,
        }
    }

    fn consumer(&self) -> anyhow::Result<KConsumer> {
        self.consumer_for(&self.group)
    }

    /// What every client of this broker shares (where it is, who we are), then `tuning` for
    /// this kind of client, then the user's TLS, SASL and `-X` settings, which win over the
    /// tuning, then `fixed`: what dlq's guarantees rest on (offsets committed only by dlq, the
    /// end of a partition seen, confirmed sends), which no `-X` can change.
    fn client_config(&self, tuning: &[(&str, &str)], fixed: &[(&str, &str)]) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap)
            .set("client.id", "dlq");
        for (k, v) in tuning {
            c.set(*k, *v);
        }
        for (k, v) in &self.security.properties {
            c.set(k, v);
        }
        for (k, v) in &self.security.secrets {
            c.set(k, v.expose());
        }
        for (k, v) in fixed {
            c.set(*k, *v);
        }
        c
    }

    /// A consumer that assigns partitions itself; `group` is the group whose offsets it reads
    /// and commits (librdkafka wants one even for assign()).
    fn consumer_for(&self, group: &str) -> anyhow::Result<KConsumer> {
        self.consumer_config(group)
            .create_with_context(self.diagnostics.clone())
            .context("creating the Kafka client")
    }

    fn consumer_config(&self, group: &str) -> ClientConfig {
        let ms = self.timeout.as_millis().max(1000).to_string();
        self.client_config(
            &[
                // librdkafka prefetches up to 64 MB by default; a scan needs far less to keep up.
                ("queued.max.messages.kbytes", "8192"),
                // How long the broker may hold a fetch that has less than fetch.min.bytes. A
                // scan reads what is there and ends at the partition's end, so waiting buys
                // nothing (tansu, the stand-in used before, held every fetch for at least half
                // this time even with data: 500 ms read ~30,000 records/s, 50 ms ~100,000/s).
                ("fetch.wait.max.ms", "50"),
                ("socket.timeout.ms", &ms),
            ],
            &[
                ("group.id", group),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("enable.partition.eof", "true"),
                ("auto.offset.reset", "earliest"),
                ("allow.auto.create.topics", "false"),
                // Dead letters written in a transaction that was aborted never happened: they are
                // not listed, counted, exported or replayed (librdkafka's default, pinned here).
                ("isolation.level", "read_committed"),
            ],
        )
    }

    /// A request failed: authentication and TLS failures are named as such (exit 1), anything
    /// else counts as the broker being unreachable (exit 4).
    fn unreachable(&self, what: &str, e: &KafkaError) -> anyhow::Error {
        let last = self.diagnostics.last();
        if let Some(reason) = last.as_deref() {
            let r = reason.to_ascii_lowercase();
            if r.contains("sasl") || r.contains("authentication") {
                return anyhow::anyhow!(
                    "authentication with Kafka at {} failed ({reason}); check --sasl-mechanism, --sasl-username and \
                     the password in DLQ_SASL_PASSWORD or --password-file",
                    self.bootstrap
                );
            }
            if r.contains("ssl") || r.contains("certificate") || r.contains("tls") {
                return anyhow::anyhow!(
                    "TLS with Kafka at {} failed ({reason}); check --ca-file (and --cert-file/--key-file)",
                    self.bootstrap
                );
            }
        }
        let mut detail = last
            .map(|l| format!("; last broker error: {l}"))
            .unwrap_or_default();
        let tls = self
            .security
            .properties
            .iter()
            .any(|(k, v)| k == "security.protocol" && v.contains("SSL"));
        if tls {
            detail.push_str("; TLS is on: a plaintext listener hangs up on it");
        }
        DlqError::Unreachable(format!(
            "cannot reach Kafka at {} within {}s ({what}: {e}{detail})",
            self.bootstrap,
            self.timeout.as_secs_f32()
        ))
        .into()
    }

    /// The topic's partitions, or `TopicNotFound`.
    fn partitions(&self, consumer: &KConsumer, topic: &str) -> anyhow::Result<Vec<i32>> {
        let md = consumer
            .fetch_metadata(Some(topic), self.timeout)
            .map_err(|e| {
                // Errors and log lines wait in the consumer's queue: serve it so `unreachable`
                // can tell an authentication or TLS failure from an absent broker.
                for _ in 0..3 {
                    let _ = consumer.poll(Duration::from_millis(10));
                }
                self.unreachable("metadata request", &e)
            })?;
        let not_found = || DlqError::TopicNotFound {
            topic: topic.to_string(),
            broker: format!("kafka://{}", self.bootstrap),
        };
        let t = md
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .ok_or_else(not_found)?;
        match t.error() {
            None => {}
            Some(rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) => {
                return Err(not_found().into())
            }
            Some(code) => {
                let code: RDKafkaErrorCode = code.into();
                anyhow::bail!("metadata for topic '{topic}' reports an error: {code}");
            }
        }
        if t.partitions().is_empty() {
            return Err(not_found().into());
        }
        Ok(t.partitions().iter().map(|p| p.id()).collect())
    }

    fn watermarks(&self, consumer: &KConsumer, topic: &str, p: i32) -> anyhow::Result<(i64, i64)> {
        consumer
            .fetch_watermarks(topic, p, self.timeout)
            .map_err(|e| self.unreachable(&format!("watermarks of partition {p}"), &e))
    }

    fn open_blocking(&self, req: &ScanRequest) -> anyhow::Result<KafkaReader> {
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

    /// The operator group's committed offsets for these partitions (absent: none committed).
    fn committed(
        &self,
        consumer: &KConsumer,
        topic: &str,
        partitions: &[i32],
    ) -> anyhow::Result<BTreeMap<i32, i64>> {
        let mut tpl = TopicPartitionList::new();
        for &p in partitions {
            tpl.add_partition(topic, p);
        }
        let got = coordinator_retry(self.timeout, || {
            consumer.committed_offsets(tpl.clone(), self.timeout)
        })
        .map_err(|e| {
            self.unreachable(&format!("committed offsets of group '{}'", self.group), &e)
        })?;
        Ok(got
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) if o >= 0 => Some((e.partition(), o)),
                _ => None,
            })
            .collect())
    }

    /// Starts each partition at the first offset with a timestamp at or after `since`.
    /// Partitions with nothing that recent are dropped from the assignment.
    fn seek_to_time(
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

    /// Whether the group has members: Kafka overwrites offsets committed while members run.
    /// Both kinds of group are described (classic and KIP-848 `group.protocol=consumer`; see
    /// kafka_group.rs). A broker that describes neither leaves it `Unknown`.
    fn membership(&self, consumer: &KConsumer, group: &str) -> Membership {
        match super::kafka_group::describe(consumer.client(), group, self.timeout) {
            Err(e)
                if ["Timed out", "no answer", "Transport", "brokers are down", "Broker transport"]
                    .iter()
                    .any(|t| e.contains(t)) =>
            {
                Membership::Lost(format!(
                    "lost the connection to Kafka at {} while describing group '{group}' ({e}); nothing was changed",
                    self.bootstrap
                ))
            }
            Err(e) => Membership::Unknown(format!(
                "dlq cannot check whether group '{group}' has active members: the broker does not answer \
                 DescribeConsumerGroups ({e}). Kafka would overwrite a rewind committed while members run. \
                 Stop the group's consumers, then pass --assume-inactive"
            )),
            Ok(Some(g)) if g.members > 0 => {
                let n = g.members;
                let protocol = if g.kind.eq_ignore_ascii_case("consumer") {
                    "consumer protocol, KIP-848"
                } else {
                    "classic protocol"
                };
                Membership::Active(format!(
                    "group '{group}' has {n} active member{} (state {}, {protocol}); Kafka would overwrite offsets \
                     committed while they run. Stop its consumers (the group becomes Empty), then rewind",
                    if n == 1 { "" } else { "s" },
                    g.state
                ))
            }
            Ok(_) => Membership::Inactive,
        }
    }

    fn rewind_plan_blocking(
        &self,
        topic: &str,
        group: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        let consumer = self.consumer_for(group)?;
        let partitions = self.partitions(&consumer, topic)?;
        let committed = self.committed(&consumer, topic, &partitions)?;
        let hints = match target {
            RewindTarget::Since(since) => {
                let mut query = TopicPartitionList::new();
                for &p in &partitions {
                    query.add_partition_offset(topic, p, Offset::Offset(since.as_millisecond()))?;
                }
                // Only a hint: checked against the records below.
                consumer.offsets_for_times(query, self.timeout).ok()
            }
            RewindTarget::Positions(saved) => {
                if let Some(p) = saved.keys().find(|p| !partitions.contains(p)) {
                    anyhow::bail!(
                        "the positions file names partition {p}, which '{topic}' does not have (it has {})",
                        partitions.len()
                    );
                }
                None
            }
        };
        let mut probe = TimestampProbe {
            consumer: self.consumer()?,
            topic: topic.to_string(),
            at: None,
            timeout: self.timeout,
        };
        let mut rows = Vec::new();
        for &p in &partitions {
            let (low, high) = self.watermarks(&consumer, topic, p)?;
            let start = match target {
                RewindTarget::Since(since) => {
                    let hint = hints
                        .as_ref()
                        .and_then(|h| h.find_partition(topic, p))
                        .and_then(|e| match e.offset() {
                            Offset::Offset(o) => Some(o),
                            Offset::End => Some(high),
                            _ => None,
                        });
                    exact_start(*since, low, high, hint, |o| probe.ts_from(p, o))?
                }
                RewindTarget::Positions(saved) => match saved.get(&p) {
                    Some(Some(offset)) => offset.parse::<i64>().map_err(|_| {
                        DlqError::Usage(format!(
                            "the positions file gives '{offset}' for partition {p}; a Kafka position is an offset"
                        ))
                    })?,
                    // No position saved (none was committed): Kafka cannot take a committed
                    // offset back, so this partition stays where it is.
                    _ => match committed.get(&p) {
                        Some(&c) => c,
                        None => continue,
                    },
                },
            };
            let target_timestamp = if start >= low && start < high {
                probe.ts_from(p, start)?.map(|(_, t)| t)
            } else {
                None
            };
            rows.push(RewindPartition {
                partition: p,
                current: Some(match committed.get(&p) {
                    Some(c) => format!("offset {c}"),
                    None => "none committed".into(),
                }),
                saved: committed.get(&p).map(|offset| offset.to_string()),
                target: (start < high).then_some(EntryId::Kafka {
                    partition: p,
                    offset: start,
                }),
                target_timestamp,
                new_position: if start < high {
                    format!("offset {start}")
                } else {
                    format!("offset {start} (end)")
                },
                reprocess: (high - start.max(low)).max(0) as u64,
                apply_position: Some(start.to_string()),
            });
        }
        let (blocked, unverified) = match self.membership(&consumer, group) {
            Membership::Active(why) => (Some(why), None),
            Membership::Unknown(why) => (None, Some(why)),
            Membership::Inactive => (None, None),
            Membership::Lost(why) => return Err(DlqError::Unreachable(why).into()),
        };
        Ok(RewindPlan {
            partitions: rows,
            blocked,
            unverified,
        })
    }

    fn rewind_apply_blocking(
        &self,
        topic: &str,
        group: &str,
        plan: &RewindPlan,
        assume_inactive: bool,
    ) -> anyhow::Result<()> {
        let consumer = std::sync::Arc::new(self.consumer_for(group)?);
        // Checked again: a consumer may have joined since the plan was shown.
        match self.membership(&consumer, group) {
            Membership::Active(why) => return Err(anyhow::anyhow!("{why}; nothing was changed")),
            Membership::Lost(why) => return Err(DlqError::Unreachable(why).into()),
            Membership::Unknown(why) if !assume_inactive => {
                return Err(DlqError::Unsupported {
                    broker: format!("Kafka at {}", self.bootstrap),
                    capability: "describing consumer groups (DescribeGroups)".into(),
                    alternative: format!("{why}; nothing was changed"),
                }
                .into())
            }
            _ => {}
        }
        let offset_of = |row: &RewindPartition| -> anyhow::Result<Option<i64>> {
            row.apply_position
                .as_deref()
                .map(|o| {
                    o.parse::<i64>()
                        .map_err(|_| anyhow::anyhow!("'{o}' is not a Kafka offset"))
                })
                .transpose()
        };
        let mut tpl = TopicPartitionList::new();
        let mut moves = BTreeMap::new();
        for row in &plan.partitions {
            if let Some(o) = offset_of(row)? {
                tpl.add_partition_offset(topic, row.partition, Offset::Offset(o))?;
                moves.insert(row.partition, o);
            }
        }
        fail::fail_point!("rewind-before-commit");
        let deadline = Instant::now() + self.timeout;
        coordinator_retry(self.timeout, || commit_within(&consumer, &tpl, deadline)).map_err(
            |e| {
                commit_error(
                    &self.bootstrap,
                    format!(
                        "committing the offsets of group '{group}' on '{topic}' (one request for \
                         every partition: either all moved or none; the positions file saved \
                         before puts them back either way)"
                    ),
                    e,
                )
            },
        )?;
        // Read back what the broker now holds.
        let partitions: Vec<i32> = plan.partitions.iter().map(|r| r.partition).collect();
        let now = self.committed(&consumer, topic, &partitions)?;
        for (partition, offset) in &moves {
            if now.get(partition) != Some(offset) {
                anyhow::bail!(
                    "group '{group}' reads {:?} for partition {partition} after the commit, not {offset}",
                    now.get(partition),
                );
            }
        }
        Ok(())
    }

    fn fetch_blocking(&self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
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
            return Err(DlqError::Unreachable(format!(
                "Kafka at {} did not deliver {id} of '{topic}' within {}s",
                self.bootstrap,
                self.timeout.as_secs_f32()
            ))
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
pub struct KafkaReader {
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
    fn next_blocking(&mut self) -> anyhow::Result<Option<Record>> {
        let mut last_progress = Instant::now();
        while !self.open.is_empty() {
            match self.consumer.poll(POLL) {
                None => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(DlqError::Unreachable(format!(
                            "Kafka at {} sent nothing for partitions {:?} of '{}' within {}s, though they hold \
                             records; a slow broker may need a longer --timeout",
                            self.bootstrap,
                            self.open,
                            self.topic,
                            self.timeout.as_secs_f32()
                        ))
                        .into());
                    }
                }
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    self.open.remove(&p);
                    last_progress = Instant::now();
                }
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context(format!("reading '{}'", self.topic)),
                Some(Ok(m)) => return Ok(Some(to_record(&m))),
            }
        }
        Ok(None)
    }

    fn prefix(&mut self, id: EntryId) -> Option<(&mut Prefix, i64)> {
        match id {
            EntryId::Kafka { partition, offset } if self.track => {
                Some((self.prefixes.entry(partition).or_default(), offset))
            }
            _ => None,
        }
    }

    fn commit_blocking(&mut self) -> anyhow::Result<()> {
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
        let deadline = Instant::now() + self.timeout;
        coordinator_retry(self.timeout, || {
            commit_within(&self.consumer, &tpl, deadline)
        })
        .map_err(|e| {
            commit_error(
                &self.bootstrap,
                format!(
                    "committing the offsets of group '{}' on '{}'",
                    self.group, self.topic
                ),
                e,
            )
        })?;
        self.committed.extend(moved);
        Ok(())
    }

    fn gap_warnings(&self) -> Vec<String> {
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
        // librdkafka's calls block; keep them off the async workers' hands.
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

enum Membership {
    Active(String),
    Inactive,
    Unknown(String),
    /// The broker did not answer at all: it went away (exit 4), which says nothing of support.
    Lost(String),
}

/// Reads record timestamps by offset, sequentially where it can (a seek only when asked for an
/// offset other than the next one).
struct TimestampProbe {
    consumer: KConsumer,
    topic: String,
    /// (partition, next offset the assignment will deliver)
    at: Option<(i32, i64)>,
    timeout: Duration,
}

impl TimestampProbe {
    /// The first record at or after `offset`: its offset and timestamp.
    fn ts_from(&mut self, partition: i32, offset: i64) -> anyhow::Result<Option<(i64, Timestamp)>> {
        if self.at != Some((partition, offset)) {
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&self.topic, partition, Offset::Offset(offset))?;
            self.consumer.assign(&tpl)?;
        }
        let deadline = Instant::now() + self.timeout;
        while Instant::now() < deadline {
            match self.consumer.poll(POLL) {
                None => {}
                Some(Err(KafkaError::PartitionEOF(_))) => {
                    self.at = None;
                    return Ok(None);
                }
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context("reading a record's timestamp"),
                Some(Ok(m)) if m.offset() >= offset => {
                    self.at = Some((partition, m.offset() + 1));
                    let ts = m
                        .timestamp()
                        .to_millis()
                        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
                    return match ts {
                        Some(t) => Ok(Some((m.offset(), t))),
                        None => anyhow::bail!("record {partition}:{} has no timestamp", m.offset()),
                    };
                }
                Some(Ok(_)) => {}
            }
        }
        anyhow::bail!(
            "no record from partition {partition} at offset {offset} within {}s",
            self.timeout.as_secs_f32()
        )
    }
}

/// Publishes with librdkafka's producer: `acks=all`, each message confirmed by a delivery report.
struct KafkaPublisher {
    producer: FutureProducer,
    bootstrap: String,
    timeout: Duration,
}

/// Whether a failed delivery may still have been written: the broker did not answer in time or
/// the connection went (an unknown outcome, not a refusal).
fn outcome_unknown(e: &KafkaError) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        code_of(e),
        Some(
            MessageTimedOut
                | RequestTimedOut
                | OperationTimedOut
                | BrokerTransportFailure
                | AllBrokersDown
                | NetworkException
                | NotEnoughReplicasAfterAppend
        )
    )
}

#[async_trait]
impl Publisher for KafkaPublisher {
    async fn send(&mut self, msg: Outgoing) -> anyhow::Result<Delivery> {
        let mut headers = OwnedHeaders::new_with_capacity(msg.headers.len());
        for h in &msg.headers {
            headers = headers.insert(rdkafka::message::Header {
                key: &h.name,
                value: h.value.as_deref(),
            });
        }
        let mut record: FutureRecord<'_, [u8], [u8]> =
            FutureRecord::to(&msg.topic).headers(headers);
        if let Some(k) = msg.key.as_deref() {
            record = record.key(k);
        }
        if let Some(p) = msg.payload.as_deref() {
            record = record.payload(p);
        }
        if let Some(p) = msg.partition {
            record = record.partition(p);
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.producer.send_result(record) {
                Ok(delivery) => {
                    let topic = msg.topic.clone();
                    let bootstrap = self.bootstrap.clone();
                    return Ok(Box::pin(async move {
                        match delivery.await {
                            Ok(Ok(_)) => Ok(()),
                            Ok(Err((e, _))) if outcome_unknown(&e) => {
                                Err(DlqError::Unreachable(format!(
                                    "Kafka at {bootstrap} did not confirm a message to '{topic}' ({e})"
                                ))
                                .into())
                            }
                            Ok(Err((e, _))) => Err(anyhow::anyhow!("{topic}: {e}")),
                            Err(_) => Err(DlqError::Unreachable(format!(
                                "{topic}: the producer went away before a delivery report"
                            ))
                            .into()),
                        }
                    }));
                }
                // librdkafka's queue is full: let deliveries drain, then try again.
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r))
                    if Instant::now() < deadline =>
                {
                    record = r;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    return Err(DlqError::Unreachable(format!(
                        "Kafka at {} confirmed nothing for {}s (the producer's queue stayed full)",
                        self.bootstrap,
                        self.timeout.as_secs_f32()
                    ))
                    .into())
                }
                Err((e, _)) => {
                    return Err(e).context(format!("queueing a message for '{}'", msg.topic))
                }
            }
        }
    }

    async fn close(self: Box<Self>) -> anyhow::Result<()> {
        let timeout = self.timeout;
        tokio::task::block_in_place(|| rdkafka::producer::Producer::flush(&self.producer, timeout))
            .context("waiting for the last deliveries")
    }
}

/// The error's code; rdkafka's `rdkafka_error_code` leaves out an admin operation's.
fn code_of(e: &KafkaError) -> Option<RDKafkaErrorCode> {
    match e {
        KafkaError::AdminOp(code) => Some(*code),
        e => e.rdkafka_error_code(),
    }
}

/// A broker that lacks DeleteRecords refuses it. (A connection lost or a request timed out is
/// the broker going away, not a missing capability: see `outcome_unknown`.)
fn classify_delete_error(
    e: KafkaError,
    unsupported: &dyn Fn(String) -> anyhow::Error,
) -> anyhow::Error {
    use RDKafkaErrorCode::*;
    match code_of(&e) {
        Some(
            UnsupportedVersion | InvalidRequest | UnsupportedForMessageFormat | PolicyViolation,
        ) => unsupported(e.to_string()),
        _ => anyhow::Error::new(e).context("deleting records"),
    }
}

/// Runs `f` again while the group coordinator is moving or loading (NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE: a broker answers these while it
/// creates `__consumer_offsets` on first use, or after a coordinator failover), for at most
/// `timeout`. Anything else, and the last answer once the time is up, is returned as it is.
/// Commits on a thread of its own and waits for it until `deadline`: librdkafka's synchronous
/// commit waits for a group coordinator as long as it takes (45 s with the broker killed, seen
/// in tests/cli/faults.rs). After the deadline the commit counts as timed out (an unknown
/// outcome) and its thread is left to finish or to end with the process.
fn commit_within(
    consumer: &std::sync::Arc<KConsumer>,
    tpl: &TopicPartitionList,
    deadline: Instant,
) -> Result<(), KafkaError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (c, tpl) = (consumer.clone(), tpl.clone());
    std::thread::spawn(move || {
        let _ = tx.send(c.commit(&tpl, CommitMode::Sync));
    });
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    match rx.recv_timeout(wait) {
        Ok(result) => result,
        Err(_) => Err(KafkaError::ConsumerCommit(
            RDKafkaErrorCode::OperationTimedOut,
        )),
    }
}

/// A commit that failed: the broker going away (or its coordinator never coming back within the
/// timeout) is exit 4; a refusal is an error of its own.
fn commit_error(bootstrap: &str, what: String, e: KafkaError) -> anyhow::Error {
    let coordinator_gone = matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::NotCoordinator
                | RDKafkaErrorCode::CoordinatorLoadInProgress
                | RDKafkaErrorCode::CoordinatorNotAvailable
                | RDKafkaErrorCode::WaitingForCoordinator
                | RDKafkaErrorCode::TimedOutQueue
        )
    );
    if coordinator_gone || outcome_unknown(&e) {
        DlqError::Unreachable(format!(
            "lost the connection to Kafka at {bootstrap} while {what} ({e})"
        ))
        .into()
    } else {
        anyhow::Error::new(e).context(what)
    }
}

fn coordinator_retry<T>(
    timeout: Duration,
    mut f: impl FnMut() -> Result<T, KafkaError>,
) -> Result<T, KafkaError> {
    let deadline = Instant::now() + timeout;
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.rdkafka_error_code(),
                    Some(
                        RDKafkaErrorCode::NotCoordinator
                            | RDKafkaErrorCode::CoordinatorLoadInProgress
                            | RDKafkaErrorCode::CoordinatorNotAvailable
                    )
                ) && Instant::now() < deadline =>
            {
                tracing::debug!(error = %e, "group coordinator not ready; asking again");
                std::thread::sleep(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn is_transient(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::OperationTimedOut
        )
    )
}

fn to_record(m: &BorrowedMessage<'_>) -> Record {
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

#[async_trait]
impl Broker for KafkaBroker {
    fn parse_id(&self, id: &str) -> Result<EntryId, DlqError> {
        parse_kafka_id(id).map_err(DlqError::Usage)
    }

    async fn open(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        Ok(Box::new(tokio::task::block_in_place(|| {
            self.open_blocking(req)
        })?))
    }

    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        tokio::task::block_in_place(|| self.fetch_blocking(topic, id))
    }

    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        tokio::task::block_in_place(|| {
            let consumer = self.consumer()?;
            match self.partitions(&consumer, topic) {
                Ok(_) => Ok(Some(true)),
                Err(e)
                    if matches!(
                        e.downcast_ref::<DlqError>(),
                        Some(DlqError::TopicNotFound { .. })
                    ) =>
                {
                    Ok(Some(false))
                }
                Err(e) => Err(e),
            }
        })
    }

    async fn list_topics(&mut self, _namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>> {
        tokio::task::block_in_place(|| {
            let consumer = self.consumer()?;
            let md = consumer
                .fetch_metadata(None, self.timeout)
                .map_err(|e| self.unreachable("metadata request", &e))?;
            let mut topics: Vec<TopicInfo> = md
                .topics()
                .iter()
                .filter(|t| !t.name().starts_with("__") && t.error().is_none())
                .map(|t| TopicInfo {
                    name: t.name().to_string(),
                    partitions: t.partitions().len() as u32,
                })
                .collect();
            topics.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(topics)
        })
    }

    async fn count(&mut self, topic: &str) -> anyhow::Result<Option<TopicCount>> {
        tokio::task::block_in_place(|| {
            let consumer = self.consumer()?;
            let partitions = self.partitions(&consumer, topic)?;
            let committed = self.committed(&consumer, topic, &partitions)?;
            let (mut retained, mut unhandled) = (0u64, 0u64);
            for p in partitions {
                let (low, high) = self.watermarks(&consumer, topic, p)?;
                let from = committed.get(&p).copied().unwrap_or(low).max(low);
                retained += (high - low).max(0) as u64;
                unhandled += (high - from).max(0) as u64;
            }
            Ok(Some(TopicCount {
                retained: Some(retained),
                unhandled,
            }))
        })
    }

    fn purges_by_offset(&self) -> bool {
        true
    }

    async fn rewind_plan(
        &mut self,
        topic: &str,
        group: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        tokio::task::block_in_place(|| self.rewind_plan_blocking(topic, group, target))
    }

    async fn rewind_apply(
        &mut self,
        topic: &str,
        group: &str,
        _target: &RewindTarget,
        plan: &RewindPlan,
        assume_inactive: bool,
    ) -> anyhow::Result<()> {
        tokio::task::block_in_place(|| {
            self.rewind_apply_blocking(topic, group, plan, assume_inactive)
        })
    }

    async fn check_deletable(&mut self, topic: &str) -> anyhow::Result<()> {
        let admin: AdminClient<DefaultClientContext> = self
            .client_config(&[], &[])
            .create()
            .context("creating the Kafka admin client")?;
        let opts = AdminOptions::new().request_timeout(Some(self.timeout));
        let answer = tokio::time::timeout(
            self.timeout + Duration::from_secs(2),
            admin.describe_configs([&ResourceSpecifier::Topic(topic)], &opts),
        )
        .await
        .map_err(|_| {
            DlqError::Unreachable(format!(
                "Kafka at {} did not describe topic '{topic}' within {}s",
                self.bootstrap,
                self.timeout.as_secs_f32()
            ))
        })?
        .with_context(|| format!("describing the configuration of '{topic}'"))?;
        let policy = answer
            .into_iter()
            .next()
            .and_then(|r| r.ok())
            .and_then(|r| r.get("cleanup.policy").and_then(|e| e.value.clone()));
        match policy {
            Some(policy) if !policy.split(',').any(|p| p.trim() == "delete") => {
                Err(DlqError::Unsupported {
                    broker: format!("Kafka at {}", self.bootstrap),
                    capability: format!(
                        "deleting records of '{topic}': its cleanup.policy={policy} has no 'delete', \
                         and Kafka refuses DeleteRecords on such a topic (POLICY_VIOLATION)"
                    ),
                    alternative: "nothing was read, backed up or changed. `dlq purge … --mark-handled` \
                                  advances the operator group past the selected entries instead: they stop \
                                  showing and are never replayed, and the broker keeps them as its policy says"
                        .into(),
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    async fn delete_records(
        &mut self,
        topic: &str,
        before: &BTreeMap<i32, i64>,
    ) -> anyhow::Result<BTreeMap<i32, String>> {
        let admin: AdminClient<DefaultClientContext> = self
            .client_config(&[], &[])
            .create()
            .context("creating the Kafka admin client")?;
        let mut tpl = TopicPartitionList::new();
        for (&p, &o) in before {
            tpl.add_partition_offset(topic, p, Offset::Offset(o))?;
        }
        let opts = AdminOptions::new()
            .request_timeout(Some(self.timeout))
            .operation_timeout(Some(self.timeout));
        let unsupported = |why: String| -> anyhow::Error {
            DlqError::Unsupported {
                broker: format!("Kafka at {}", self.bootstrap),
                capability: "deleting records (DeleteRecords)".into(),
                alternative: format!(
                    "it did not complete the request ({why}) and the operator group was not moved. \
                     `dlq purge … --mark-handled` advances the operator group past these entries instead: \
                     they stop showing and are never replayed, and the broker keeps them until retention \
                     removes them"
                ),
            }
            .into()
        };
        let answer = tokio::time::timeout(
            self.timeout + Duration::from_secs(2),
            admin.delete_records(&tpl, &opts),
        )
        .await;
        let lost = |why: String| -> anyhow::Error {
            DlqError::Unreachable(format!(
                "lost the connection to Kafka at {} while deleting records ({why})",
                self.bootstrap
            ))
            .into()
        };
        let result = match answer {
            Err(_) => {
                return Err(lost(format!(
                    "no answer within {}s",
                    self.timeout.as_secs_f32()
                )))
            }
            Ok(Err(e)) if outcome_unknown(&e) => return Err(lost(e.to_string())),
            Ok(Err(e)) => return Err(classify_delete_error(e, &unsupported)),
            Ok(Ok(result)) => result,
        };
        let mut refused = BTreeMap::new();
        for e in result.elements() {
            if let Err(err) = e.error() {
                refused.insert(e.partition(), err.to_string());
            }
        }
        Ok(refused)
    }

    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>> {
        // librdkafka retries a send until message.timeout.ms (5 minutes by default), so a broker
        // that went away would hold the replay that long: the user's --timeout bounds it, and
        // no -X can lengthen it.
        let message_timeout = self.timeout.as_millis().max(1000).to_string();
        let producer: FutureProducer = self
            .client_config(
                &[("linger.ms", "5")],
                &[
                    ("message.timeout.ms", &message_timeout),
                    ("acks", "all"),
                    // The Java client's partitioner: a replayed key lands where the service's
                    // producer put it, keeping per-key order (librdkafka's default hashes
                    // differently).
                    ("partitioner", "murmur2_random"),
                ],
            )
            .create()
            .context("creating the Kafka producer")?;
        Ok(Box::new(KafkaPublisher {
            producer,
            bootstrap: self.bootstrap.clone(),
            timeout: self.timeout,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::KafkaSecurity;

    fn broker(settings: &[(&str, &str)]) -> KafkaBroker {
        let security = KafkaSecurity {
            properties: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..KafkaSecurity::default()
        };
        KafkaBroker::new(
            "localhost:9092",
            &security,
            "dlq-cli",
            Duration::from_secs(10),
        )
    }

    #[test]
    fn user_settings_win_over_tuning_but_not_over_what_guarantees_rest_on() {
        let c = broker(&[
            ("fetch.wait.max.ms", "500"),
            ("enable.auto.commit", "true"),
            ("group.id", "someone-else"),
        ])
        .consumer_config("dlq-cli");
        assert_eq!(c.get("fetch.wait.max.ms"), Some("500"));
        assert_eq!(c.get("enable.auto.commit"), Some("false"));
        assert_eq!(c.get("group.id"), Some("dlq-cli"));
        assert_eq!(c.get("enable.partition.eof"), Some("true"));
    }

    #[test]
    fn scans_do_not_let_the_broker_hold_fetches_by_default() {
        let c = broker(&[]).consumer_config("dlq-cli");
        assert_eq!(c.get("fetch.wait.max.ms"), Some("50"));
        assert_eq!(c.get("queued.max.messages.kbytes"), Some("8192"));
    }
}
