//! The port every broker adapter implements, and the choice of adapter by URL scheme.

mod kafka;
#[cfg(test)]
pub(crate) mod memory;
mod pulsar;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::domain::decode::Served;
use crate::domain::entry::{EntryId, Partition, Record};
use crate::domain::replay::Outgoing;
use crate::error::DlqError;

/// Where and how to connect, resolved from flags and environment.
#[derive(Debug, Clone)]
pub(crate) struct ConnectConfig {
    pub url: BrokerUrl,
    /// How long to wait for the broker before giving up with exit code 4.
    pub timeout: Duration,
    /// The operator consumer dlq reads and marks with: a Kafka consumer group, a Pulsar
    /// subscription.
    pub consumer: String,
    pub security: Security,
}

/// How to authenticate and encrypt, resolved from flags, environment and files: one variant
/// per backend, chosen with the URL.
#[derive(Debug, Clone)]
pub(crate) enum Security {
    Kafka(KafkaSecurity),
    Pulsar(PulsarSecurity),
}

pub(crate) use kafka::{KafkaSecurity, Sasl, SaslMechanism};
pub(crate) use pulsar::{OAuth2, PulsarSecurity};

impl Default for Security {
    fn default() -> Self {
        Security::Kafka(KafkaSecurity::default())
    }
}

/// A topic as the broker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicInfo {
    /// As the broker names it (Pulsar: the full name, without a partition suffix).
    pub name: String,
    /// 0 for a non-partitioned Pulsar topic.
    pub partitions: u32,
    /// The topic's configuration makes it a dead-letter queue, in the broker's words (Kafka: a
    /// share group's DLQ, `errors.deadletterqueue.group.enable=true`).
    pub dlq_by_config: Option<String>,
}

/// How deep a DLQ is, as the broker tells without reading it (`dlq check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Depth {
    /// Entries the operator has not handled.
    pub unhandled: u64,
    /// The DLQ time of the oldest of them (the first unhandled entry of each partition).
    pub oldest_unhandled: Option<Timestamp>,
    /// Entries written at or after the time asked.
    pub arrived_since: u64,
}

/// Kafka's counts from watermarks and the operator group's committed offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopicCount {
    /// Entries the broker retains (Kafka: high - low watermark); `None` where it cannot say.
    pub retained: Option<u64>,
    /// Retained entries after the operator group's committed offsets.
    pub unhandled: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BrokerUrl {
    /// `kafka://host:port[,host:port]`: the bootstrap list.
    Kafka { bootstrap: String },
    /// `pulsar://host:port`: the service URL.
    Pulsar { url: String },
}

impl BrokerUrl {
    /// "kafka" or "pulsar".
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            BrokerUrl::Kafka { .. } => "kafka",
            BrokerUrl::Pulsar { .. } => "pulsar",
        }
    }

    /// "Kafka" or "Pulsar": the broker's name in what dlq says to people.
    pub(crate) fn product(&self) -> &'static str {
        match self {
            BrokerUrl::Kafka { .. } => "Kafka",
            BrokerUrl::Pulsar { .. } => "Pulsar",
        }
    }

    /// What an operator moves to replay from a time: a consumer group (Kafka) or a
    /// subscription (Pulsar).
    /// "Kafka at kafka://…": the broker, as an error names it.
    pub(crate) fn described(&self) -> String {
        format!("{} at {self}", self.product())
    }

    pub(crate) fn consumer_kind(&self) -> crate::domain::positions::ConsumerKind {
        match self {
            BrokerUrl::Kafka { .. } => crate::domain::positions::ConsumerKind::Group,
            BrokerUrl::Pulsar { .. } => crate::domain::positions::ConsumerKind::Subscription,
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, DlqError> {
        let (scheme, rest) = s.split_once("://").ok_or_else(|| {
            DlqError::Usage(format!(
                "broker '{s}' has no URL scheme; use kafka://HOST:PORT or pulsar://HOST:PORT"
            ))
        })?;
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() {
            return Err(DlqError::Usage(format!("broker '{s}' names no host")));
        }
        match scheme {
            "kafka" => Ok(BrokerUrl::Kafka {
                bootstrap: rest.to_string(),
            }),
            "pulsar" | "pulsar+ssl" => Ok(BrokerUrl::Pulsar {
                url: format!("{scheme}://{rest}"),
            }),
            other => Err(DlqError::Usage(format!(
                "no backend for URL scheme '{other}://' in broker '{s}' (supported: kafka://, pulsar://, pulsar+ssl://)"
            ))),
        }
    }
}

impl std::fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrokerUrl::Kafka { bootstrap } => write!(f, "kafka://{bootstrap}"),
            BrokerUrl::Pulsar { url } => f.write_str(url),
        }
    }
}

/// Where a read of a DLQ starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum StartAt {
    /// What the operator has not handled yet: Kafka, the operator group's committed offsets
    /// (the log start where it has none); Pulsar, the operator subscription's backlog.
    #[default]
    Unhandled,
    /// Everything the broker still retains, handled or not.
    Retained,
}

impl StartAt {
    /// `--all`: from what the broker retains; otherwise from what the operator has not handled.
    pub(crate) fn of(all: bool) -> StartAt {
        if all {
            StartAt::Retained
        } else {
            StartAt::Unhandled
        }
    }
}

/// What part of a DLQ topic to read.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanRequest {
    pub topic: String,
    /// Only these partitions (empty: all).
    pub partitions: Vec<i32>,
    /// A hint: entries older than this may be skipped by the broker. Callers still filter.
    pub since: Option<Timestamp>,
    pub start: StartAt,
    /// The caller will mark entries handled (replay, purge): keep the bookkeeping for it.
    pub track: bool,
}

/// What a read has to tell the user besides the records (printed as warnings on stderr).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ScanNotes {
    pub warnings: Vec<String>,
}

/// An open read of a DLQ topic: records one at a time, so memory holds one record (plus the
/// client's bounded prefetch), not the topic.
#[async_trait]
pub(crate) trait DlqReader: Send {
    /// The next record, or `None` once the end present when the reader opened is reached.
    async fn next(&mut self) -> anyhow::Result<Option<Record>>;

    /// With `track`: a delivery of this entry's copy is under way.
    fn track_pending(&mut self, _id: EntryId) {}

    /// With `track`: this entry will not be handled (not selected, skipped, or its delivery
    /// failed). On Kafka nothing after it can be marked.
    fn track_unhandled(&mut self, _id: EntryId) {}

    /// The entry's copy was confirmed by the broker: mark the entry handled. Kafka: it joins
    /// the operator group's committable prefix; Pulsar: it is acknowledged on the operator
    /// subscription (a batched message once every message of its batch is handled).
    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()>;

    /// Makes the marks so far durable (Kafka: commits the group's offsets).
    async fn checkpoint(&mut self) -> anyhow::Result<()>;

    /// Ends the read, making marks durable. Nothing is acknowledged or committed that was not
    /// marked handled.
    async fn close(self: Box<Self>) -> anyhow::Result<ScanNotes>;

    /// Pulsar: the topic schema a message's schema version names, as the broker serves it.
    async fn topic_schema(&mut self, _topic: &str, _version: &[u8]) -> Result<Served, String> {
        Err("this broker has no topic schemas".into())
    }

    /// A joined read (`replay --join`) whose records ran out: whether the group gave this
    /// member more to read (`true`) or the whole run is done (`false`), after a wait of at most
    /// about a second. Its marks are saved
    /// (`checkpoint`) before it is asked. A read of the whole topic is never joined: `false`.
    /// `None`: still waiting (asked again, so that Ctrl-C is seen in between).
    async fn more_work(&mut self) -> anyhow::Result<Option<bool>> {
        Ok(Some(false))
    }

    /// A joined read: who this member was and what it did.
    fn join_report(&self) -> Option<JoinReport> {
        None
    }
}

/// A member's part of a joined replay (`replay --join`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JoinReport {
    /// As the group knows this member.
    pub member_id: String,
    /// The group protocol it joined with.
    pub protocol: String,
    /// The run it took part in (a count the group's marks keep).
    pub run: u64,
    /// The partitions it held at some point, by number.
    pub partitions: Vec<String>,
    /// Entries it replayed from partitions another member had started.
    pub taken_over: u64,
}

/// One partition of a rewind: where the consumer group (Kafka) or subscription (Pulsar) stands,
/// where it will stand, and what that means.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RewindPartition {
    pub partition: Partition,
    /// The current position as the broker names it; `None` when the broker does not say.
    pub current: Option<String>,
    /// The first message at or after the time; `None` when nothing is that recent.
    pub target: Option<EntryId>,
    pub target_timestamp: Option<Timestamp>,
    /// The new position as the broker names it (a Kafka offset, a Pulsar message id, or "end").
    pub new_position: String,
    /// Messages from the new position to the end of the partition now.
    pub reprocess: u64,
    /// Where `rewind_apply` moves the consumer, in the adapter's notation (like `saved`); `None`
    /// where the adapter works from `target` alone.
    pub apply_position: Option<String>,
    /// The consumer's position now, as a positions file saves it, in the adapter's notation
    /// (Kafka: the committed offset, the next to read; Pulsar: the cursor's mark-delete position
    /// `LEDGER:ENTRY`, the last acknowledged). `None` where it has none.
    pub saved: Option<String>,
}

/// Where a rewind moves a consumer to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RewindTarget {
    /// Per partition, the first message whose own timestamp is at or after the time.
    Since(Timestamp),
    /// Per partition, a saved position (`--restore-positions`) in the adapter's own notation
    /// (see `RewindPartition::saved`), or `None` where the consumer had none.
    Positions(BTreeMap<Partition, Option<String>>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RewindPlan {
    pub partitions: Vec<RewindPartition>,
    /// Why the rewind cannot be applied now (for example, a Kafka group with active members).
    pub blocked: Option<String>,
    /// Why the broker could not rule that out (a missing capability); `--assume-inactive`
    /// proceeds anyway.
    pub unverified: Option<String>,
}

/// Resolves once the broker confirmed the message, or with the reason it did not.
pub(crate) type Delivery = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// Publishes messages with delivery confirmation, several in flight at once.
#[async_trait]
pub(crate) trait Publisher: Send {
    /// Queues a message; the returned future resolves when the broker confirmed it.
    async fn send(&mut self, msg: Outgoing) -> anyhow::Result<Delivery>;

    /// Waits for everything queued, then releases the producers.
    async fn close(self: Box<Self>) -> anyhow::Result<()>;
}

/// The consumer a rewind names is a Kafka share group (KIP-932): librdkafka, the client dlq is
/// built on, has no AlterShareGroupOffsets, so dlq cannot move it. Nothing was changed.
#[derive(Debug, thiserror::Error)]
#[error(
    "'{group}' is a share group: moving a share group's start offsets needs Kafka's \
     AlterShareGroupOffsets, which librdkafka (the client dlq is built on) does not offer; \
     nothing was changed"
)]
pub(crate) struct ShareGroupRewind {
    pub group: String,
}

/// Where a dead letter's original record is: a record of the origin topic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OriginRef {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// Fetches the originals that dead letters point at (Kafka share groups), batched: one read per
/// run of nearby offsets of a partition, not one consumer per entry.
#[async_trait]
pub(crate) trait OriginFetcher: Send {
    /// Each wanted record, in the order asked, or why the origin no longer has it (retention,
    /// compaction, a deleted topic). A broker that stalls or is lost is an error, as in a read.
    async fn fetch_originals(
        &mut self,
        wanted: &[OriginRef],
    ) -> anyhow::Result<Vec<Result<Record, String>>>;

    /// The name of the topic with this id (a dead letter's origin where the broker could not
    /// name it), from the cluster metadata; `None` when no topic has it now. A topic whose
    /// name is `id` is that topic.
    async fn topic_named(&mut self, _id: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
}

/// What arrives in a DLQ, read as it comes (`dlq watch`): from the end present when it opened,
/// never acknowledging, never a member of the operator group or subscription.
#[async_trait]
pub(crate) trait Follower: Send {
    /// What arrived since the last call, up to the end the broker has now; at most `max`
    /// records (the rest come with the next call). A broker that does not answer within the
    /// timeout is an error, as in a read.
    async fn arrived(&mut self, max: usize) -> anyhow::Result<Vec<Record>>;

    /// The broker's bookkeeping of what the operator handled in the topic, read without reading
    /// the topic (Kafka: the operator group's offsets and the log starts; Pulsar: the operator
    /// subscription's cursor), for a watcher to forget what left.
    async fn handled(&mut self) -> anyhow::Result<crate::domain::watch::Handled>;

    /// Lets go of the broker's resources (Pulsar: the follower's own subscription).
    async fn close(self: Box<Self>);
}

#[async_trait]
pub(crate) trait Broker: Send {
    /// A fetcher of originals for dead letters that only point at them; `None` where the broker
    /// writes no such dead letters (Pulsar).
    fn origins(&self) -> Option<Box<dyn OriginFetcher>> {
        None
    }

    /// Reads an entry id as this broker's `list` prints it.
    fn parse_id(&self, id: &str) -> Result<EntryId, DlqError>;

    /// Opens the topic for reading from the start of what the operator may see (Kafka: the log
    /// start; Pulsar: the operator subscription's backlog) to the end present now.
    async fn open(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>>;

    /// One entry by id; `DlqError::NotFound` when the topic does not hold it.
    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record>;

    /// Reads the topic as one member of the operator group or subscription (`replay --join`):
    /// the broker's own protocol gives this process its partitions. Each partition is read from
    /// where the run left it to its boundary, fixed when the run first received it (see
    /// kafka/join.rs, pulsar/join.rs).
    async fn join(&mut self, _req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        Err(DlqError::Usage(
            "replay --join needs a broker that shares a topic's partitions among its consumers \
             (Apache Kafka's consumer groups, Apache Pulsar's Failover subscriptions); replay \
             without --join reads the whole DLQ in one process"
                .into(),
        )
        .into())
    }

    /// Pulsar: the topic schema a message's schema version names, as the broker serves it.
    async fn topic_schema(&mut self, _topic: &str, _version: &[u8]) -> Result<Served, String> {
        Err("this broker has no topic schemas".into())
    }

    /// A topic's own schema, the latest version (Pulsar's topic schemas), for replay to check
    /// what it sends; `None` where the topic has none or the broker keeps none (Kafka: a schema
    /// registry does, apart).
    async fn target_schema(
        &mut self,
        _topic: &str,
    ) -> anyhow::Result<Option<crate::domain::decode::TopicSchema>> {
        Ok(None)
    }

    /// The topics the broker lists (Pulsar: of `namespace`, `public/default` by default),
    /// partitions grouped, internal topics left out.
    async fn list_topics(&mut self, namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>>;

    /// Entries in a topic as the broker counts them without reading: retained, and not yet
    /// handled by the operator group. `None` where the broker cannot say that way (Pulsar).
    async fn count(&mut self, topic: &str) -> anyhow::Result<Option<TopicCount>>;

    /// How deep `topic` is and how many entries arrived since `since`, without reading it whole
    /// (Kafka: watermarks, the operator group's offsets, a time lookup and each partition's
    /// first unhandled record); `None` where the broker cannot tell that way (a reader counts).
    async fn depth(&mut self, _topic: &str, _since: Timestamp) -> anyhow::Result<Option<Depth>> {
        Ok(None)
    }

    /// A follower of `topic` from its end now (`dlq watch`).
    async fn follow(&mut self, _topic: &str) -> anyhow::Result<Box<dyn Follower>> {
        Err(DlqError::Unsupported {
            broker: "this broker".into(),
            capability: "following a topic".into(),
            alternative: "run `dlq stats` again instead".into(),
        }
        .into())
    }

    /// Whether a topic exists; `None` when the broker cannot tell.
    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>>;

    /// A publisher for replays.
    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>>;

    /// Refuses early, before anything is read or backed up, when `topic`'s records cannot be
    /// deleted (Kafka: a `cleanup.policy` without `delete`).
    async fn check_deletable(&mut self, _topic: &str) -> anyhow::Result<()> {
        Ok(())
    }

    /// Physically deletes each partition's records before the given offset (Kafka's
    /// DeleteRecords) and returns the partitions the broker refused, with its reason; the
    /// others are deleted. A broker that cannot delete at all says so by type:
    /// `DlqError::Unsupported`.
    async fn delete_records(
        &mut self,
        _topic: &str,
        _before: &BTreeMap<i32, i64>,
    ) -> anyhow::Result<BTreeMap<i32, String>> {
        Err(DlqError::Unsupported {
            broker: "this broker".into(),
            capability: "deleting records by offset".into(),
            alternative: "entries are purged by acknowledging them".into(),
        }
        .into())
    }

    /// Where `consumer` (a Kafka group, a Pulsar subscription) would start if moved to
    /// `target`, with its position now (what a positions file saves).
    async fn rewind_plan(
        &mut self,
        topic: &str,
        consumer: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan>;

    /// Moves `consumer` to the plan's positions and confirms it. `assume_inactive`: the user
    /// vouches that no consumer is running where the broker cannot tell.
    async fn rewind_apply(
        &mut self,
        topic: &str,
        consumer: &str,
        target: &RewindTarget,
        plan: &RewindPlan,
        assume_inactive: bool,
    ) -> anyhow::Result<()>;

    /// Whether a purge deletes a prefix of each partition (Kafka) rather than acknowledging
    /// the selected entries one by one (Pulsar).
    fn purges_by_offset(&self) -> bool {
        false
    }
}

/// `topic_exists` from a check that fails with `TopicNotFound` for a topic the broker does not
/// have: `Some(false)` then, any other failure as it is.
pub(crate) fn exists_from(check: anyhow::Result<()>) -> anyhow::Result<Option<bool>> {
    match check {
        Ok(()) => Ok(Some(true)),
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
}

pub(crate) async fn connect(cfg: &ConnectConfig) -> anyhow::Result<Box<dyn Broker>> {
    match (&cfg.url, &cfg.security) {
        (BrokerUrl::Kafka { bootstrap }, Security::Kafka(security)) => Ok(Box::new(
            kafka::KafkaBroker::new(bootstrap, security, &cfg.consumer, cfg.timeout),
        )),
        (BrokerUrl::Pulsar { url }, Security::Pulsar(security)) => {
            tracing::info!(broker = %cfg.url, timeout = ?cfg.timeout, "connecting");
            Ok(Box::new(
                pulsar::PulsarBroker::connect(url, security, &cfg.consumer, cfg.timeout).await?,
            ))
        }
        _ => Err(DlqError::Usage(format!(
            "the connection settings given are for another kind of broker than {}",
            cfg.url
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            BrokerUrl::parse("kafka://a:9092,b:9092").unwrap(),
            BrokerUrl::Kafka {
                bootstrap: "a:9092,b:9092".into()
            }
        );
        assert_eq!(
            BrokerUrl::parse("pulsar://localhost:6650/").unwrap(),
            BrokerUrl::Pulsar {
                url: "pulsar://localhost:6650".into()
            }
        );
        assert!(BrokerUrl::parse("amqp://x")
            .unwrap_err()
            .to_string()
            .contains("no backend for URL scheme 'amqp://'"));
        assert!(BrokerUrl::parse("localhost:9092").is_err());
        assert!(BrokerUrl::parse("kafka://").is_err());
    }
}
