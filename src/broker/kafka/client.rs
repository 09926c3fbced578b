//! The librdkafka clients every role shares: configuration (dlq's fixed settings over the
//! user's), errors named for what they mean, partitions, watermarks, committed offsets and
//! bounded commits.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use rdkafka::{Offset, TopicPartitionList};

use super::KafkaBroker;
use crate::broker::KafkaSecurity;
use crate::error::{DlqError, Unreachable};

pub(super) const POLL: Duration = Duration::from_millis(100);

/// A consumer whose context remembers librdkafka's last error.
pub(super) type KConsumer = BaseConsumer<Diagnostics>;

/// Keeps the last error librdkafka reported. A failed request shows an authentication or TLS
/// failure only as a transport failure; this says which.
#[derive(Clone, Default)]
pub(super) struct Diagnostics(std::sync::Arc<std::sync::Mutex<Option<String>>>);

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
    pub(super) fn keep(&self, reason: String) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(reason);
        }
    }

    pub(super) fn last(&self) -> Option<String> {
        self.0.lock().ok().and_then(|l| l.clone())
    }
}

impl KafkaBroker {
    pub(crate) fn new(
        bootstrap: &str,
        security: &KafkaSecurity,
        group: &str,
        timeout: Duration,
    ) -> Self {
        let mut security_config = ClientConfig::new();
        security_properties(security, &mut security_config);
        // Property names only: values may be secrets.
        let properties: Vec<&str> = security_config.config_map().into_keys().collect();
        tracing::info!(broker = %bootstrap, ?timeout, ?properties, "connecting");
        KafkaBroker {
            diagnostics: Diagnostics::default(),
            security: security.clone(),
            bootstrap: bootstrap.to_string(),
            group: group.to_string(),
            timeout,
        }
    }

    pub(super) fn consumer(&self) -> anyhow::Result<KConsumer> {
        self.consumer_for(&self.group)
    }

    /// What every client of this broker shares (where it is, who we are), then `tuning` for
    /// this kind of client, then the user's TLS, SASL and `-X` settings, which win over the
    /// tuning, then `fixed`: what dlq's guarantees rest on (offsets committed only by dlq, the
    /// end of a partition seen, confirmed sends), which no `-X` can change.
    pub(super) fn client_config(
        &self,
        tuning: &[(&str, &str)],
        fixed: &[(&str, &str)],
    ) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap)
            .set("client.id", "dlq");
        for (k, v) in tuning {
            c.set(*k, *v);
        }
        security_properties(&self.security, &mut c);
        for (k, v) in fixed {
            c.set(*k, *v);
        }
        c
    }

    /// A consumer that assigns partitions itself; `group` is the group whose offsets it reads
    /// and commits (librdkafka wants one even for assign()).
    pub(super) fn consumer_for(&self, group: &str) -> anyhow::Result<KConsumer> {
        self.consumer_config(group)
            .create_with_context(self.diagnostics.clone())
            .context("creating the Kafka client")
    }

    pub(super) fn consumer_config(&self, group: &str) -> ClientConfig {
        let ms = self.timeout.as_millis().max(1000).to_string();
        self.client_config(
            &[
                // The scan's fetch settings, each measured on Apache Kafka (docs/BENCHMARKS.md,
                // "Consumer settings"; scripts/bench/kafka_settings.sh reproduces the grid).
                // A prefetch queue of 4 MB per partition: librdkafka's 64 MB default was no
                // faster and took 200 MiB; 2 MB was 1.6× slower, 8 MB near the 64 MiB bound.
                ("queued.max.messages.kbytes", "4096"),
                // How long librdkafka waits before fetching a partition again once its queue was
                // full. Its default (1,000 ms) stalled every scan: the queue fills within one
                // fetch, the scan drains it in milliseconds, then waited out the second (dlq's
                // old 8 MB queue with it: 78.7 s for the 1,000,000 entries export reads in 4.6 s
                // at 5 ms; 100 ms: 17.6 s, 20 ms: 5.5 s).
                ("fetch.queue.backoff.ms", "5"),
                // How long the broker may hold a fetch that has less than fetch.min.bytes. A
                // scan reads what is there and ends at the partition's end, so waiting buys
                // nothing (500 ms, librdkafka's default, measured 7 % slower).
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
    pub(super) fn unreachable(&self, what: &str, e: &KafkaError) -> anyhow::Error {
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
        Unreachable::cannot_reach(self.timeout)
            .at(format!("Kafka at {}", self.bootstrap))
            .why(format!("{what}: {e}{detail}"))
            .into()
    }

    /// The topic's partitions, or `TopicNotFound`.
    pub(super) fn partitions(&self, consumer: &KConsumer, topic: &str) -> anyhow::Result<Vec<i32>> {
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

    pub(super) fn watermarks(
        &self,
        consumer: &KConsumer,
        topic: &str,
        p: i32,
    ) -> anyhow::Result<(i64, i64)> {
        consumer
            .fetch_watermarks(topic, p, self.timeout)
            .map_err(|e| self.unreachable(&format!("watermarks of partition {p}"), &e))
    }

    /// Each partition's log start and end in two requests (ListOffsets for the earliest and the
    /// latest, all partitions at once): `watermarks` asks one partition at a time, which cost
    /// ~40 ms a partition here.
    pub(super) fn all_watermarks(
        &self,
        consumer: &KConsumer,
        topic: &str,
        partitions: &[i32],
    ) -> anyhow::Result<BTreeMap<i32, (i64, i64)>> {
        let ask = |at: Offset| -> anyhow::Result<BTreeMap<i32, i64>> {
            let mut tpl = TopicPartitionList::new();
            for &p in partitions {
                tpl.add_partition_offset(topic, p, at)?;
            }
            let found = consumer
                .offsets_for_times(tpl, self.timeout)
                .map_err(|e| self.unreachable("a ListOffsets request", &e))?;
            found
                .elements()
                .iter()
                .map(|e| match e.offset() {
                    Offset::Offset(o) => Ok((e.partition(), o)),
                    other => Err(anyhow::anyhow!(
                        "the broker gave no offset for partition {} of '{topic}' ({other:?})",
                        e.partition()
                    )),
                })
                .collect()
        };
        let (low, high) = (ask(Offset::Beginning)?, ask(Offset::End)?);
        Ok(partitions
            .iter()
            .filter_map(|p| Some((*p, (*low.get(p)?, *high.get(p)?))))
            .collect())
    }

    /// The operator group's committed offsets for these partitions (absent: none committed).
    pub(super) fn committed(
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
}

/// The error's code; rdkafka's `rdkafka_error_code` leaves out an admin operation's.
pub(super) fn code_of(e: &KafkaError) -> Option<RDKafkaErrorCode> {
    match e {
        KafkaError::AdminOp(code) => Some(*code),
        e => e.rdkafka_error_code(),
    }
}

/// Commits on a thread of its own and waits for it until `deadline`: librdkafka's synchronous
/// commit waits for a group coordinator as long as it takes (45 s with the broker killed, seen
/// in tests/cli/faults.rs). After the deadline the commit counts as timed out (an unknown
/// outcome) and its thread is left to finish or to end with the process.
pub(super) fn commit_within<C: ConsumerContext + 'static>(
    consumer: &std::sync::Arc<BaseConsumer<C>>,
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

/// Commits `tpl` for the operator group within `timeout`, asking again while the coordinator
/// moves or loads (`coordinator_retry`).
pub(super) fn commit_group<C: ConsumerContext + 'static>(
    consumer: &std::sync::Arc<BaseConsumer<C>>,
    tpl: &TopicPartitionList,
    timeout: Duration,
) -> Result<(), KafkaError> {
    let deadline = Instant::now() + timeout;
    coordinator_retry(timeout, || commit_within(consumer, tpl, deadline))
}

/// A commit the group refused for its generation or member epoch: a member's, after a rebalance
/// moved it; or a commit from outside a group that has members.
pub(super) fn between_generations(e: &KafkaError) -> bool {
    use rdkafka::error::RDKafkaErrorCode as C;
    matches!(
        e.rdkafka_error_code(),
        Some(
            C::IllegalGeneration
                | C::RebalanceInProgress
                | C::UnknownMemberId
                | C::FencedMemberEpoch
                | C::StaleMemberEpoch
        )
    )
}

/// A scan's commit that failed, named for the group and topic (see `commit_error`).
pub(super) fn group_commit_error(
    bootstrap: &str,
    group: &str,
    topic: &str,
    e: KafkaError,
) -> anyhow::Error {
    commit_error(
        bootstrap,
        format!("committing the offsets of group '{group}' on '{topic}'"),
        e,
    )
}

/// A commit that failed: the broker going away (or its coordinator never coming back within the
/// timeout) is exit 4; a refusal is an error of its own.
pub(super) fn commit_error(bootstrap: &str, what: String, e: KafkaError) -> anyhow::Error {
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
        Unreachable::lost()
            .at(format!("Kafka at {bootstrap}"))
            .doing(what)
            .why(e)
            .into()
    } else {
        anyhow::Error::new(e).context(what)
    }
}

/// Runs `f` again while the group coordinator is moving or loading (NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE: a broker answers these while it
/// creates `__consumer_offsets` on first use, or after a coordinator failover), for at most
/// `timeout`. Anything else, and the last answer once the time is up, is returned as it is.
pub(super) fn coordinator_retry<T>(
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

pub(super) fn is_transient(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::OperationTimedOut
        )
    )
}

/// Whether a failed delivery may still have been written: the broker did not answer in time or
/// the connection went (an unknown outcome, not a refusal).
pub(super) fn outcome_unknown(e: &KafkaError) -> bool {
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

/// TLS and SASL as librdkafka properties, then the user's `-X` ones, which win.
pub(super) fn security_properties(sec: &KafkaSecurity, c: &mut ClientConfig) {
    let protocol = match (sec.tls, sec.sasl.is_some()) {
        (false, false) => None,
        (true, false) => Some("SSL"),
        (false, true) => Some("SASL_PLAINTEXT"),
        (true, true) => Some("SASL_SSL"),
    };
    if let Some(p) = protocol {
        c.set("security.protocol", p);
    }
    for (key, file) in [
        ("ssl.ca.location", &sec.ca_file),
        ("ssl.certificate.location", &sec.cert_file),
        ("ssl.key.location", &sec.key_file),
    ] {
        if let Some(f) = file {
            c.set(key, f.display().to_string());
        }
    }
    if let Some(sasl) = &sec.sasl {
        c.set("sasl.mechanism", sasl.mechanism.name())
            .set("sasl.username", &sasl.username);
        if let Some(p) = &sasl.password {
            c.set("sasl.password", p.expose());
        }
    }
    for (k, v) in &sec.properties {
        c.set(k, v);
    }
    for (k, v) in &sec.secrets {
        c.set(k, v.expose());
    }
}
