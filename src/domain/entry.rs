//! What a broker delivers (a [`Record`]) and what `dlq` makes of it (an [`Entry`]).
//!
//! Nothing here knows rdkafka or pulsar: adapters translate their messages into a `Record`.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The dead-letter context of one entry (`None`: unknown), defined once: conventions fill it,
/// `list`/`inspect` show it (`view`), the JSON output and the archive write it with these
/// names. Adding a field here adds it everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Context {
    /// Which convention explained the entry (`kafka-connect`, `spring-kafka`, …).
    pub convention: Option<String>,
    pub origin_topic: Option<String>,
    pub origin_partition: Option<i32>,
    pub origin_offset: Option<i64>,
    pub origin_message_id: Option<String>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub retry_count: Option<i64>,
    pub consumer_group: Option<String>,
    /// RFC 3339.
    pub failed_at: Option<Timestamp>,
    /// Long, and already in the entry's headers: `inspect` shows it on its own, the archive
    /// keeps it in the headers.
    #[serde(skip)]
    pub stacktrace: Option<String>,
    /// Headers the convention uses to carry its context: a replay leaves them out.
    #[serde(skip)]
    pub context_headers: Vec<String>,
    /// Values that were present but could not be read, and why.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// One header (Kafka) or property (Pulsar), in the order the broker delivered it.
/// Kafka allows repeated names and null values; both are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub name: String,
    pub value: Option<Vec<u8>>,
}

impl Header {
    pub(crate) fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Header {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

/// Where a record sits in its DLQ topic.
/// Which partition of a topic an entry is in, or the one stream of a topic that is not
/// partitioned (Pulsar). Files and JSON write it as the partition index, -1 for "not
/// partitioned" (Pulsar's own notation), and it sorts that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "i32", into = "i32")]
pub(crate) enum Partition {
    NotPartitioned,
    Index(i32),
}

impl From<i32> for Partition {
    fn from(i: i32) -> Self {
        if i < 0 {
            Partition::NotPartitioned
        } else {
            Partition::Index(i)
        }
    }
}

impl From<Partition> for i32 {
    fn from(p: Partition) -> i32 {
        match p {
            Partition::NotPartitioned => -1,
            Partition::Index(i) => i,
        }
    }
}

impl From<Option<i32>> for Partition {
    fn from(p: Option<i32>) -> Self {
        p.map_or(Partition::NotPartitioned, Partition::from)
    }
}

impl Partition {
    /// The index, `None` for a topic that is not partitioned.
    pub(crate) fn index(self) -> Option<i32> {
        match self {
            Partition::NotPartitioned => None,
            Partition::Index(i) => Some(i),
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Partition::NotPartitioned => f.write_str("the topic (not partitioned)"),
            Partition::Index(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EntryId {
    Kafka { partition: i32, offset: i64 },
    Pulsar(PulsarMessageId),
}

impl EntryId {
    /// Is `self` later than `other` in the same partition's order? (Different partitions or
    /// brokers are not comparable and give `false`.)
    pub(crate) fn is_after(&self, other: &EntryId) -> bool {
        match (self, other) {
            (
                EntryId::Kafka {
                    partition: a,
                    offset: x,
                },
                EntryId::Kafka {
                    partition: b,
                    offset: y,
                },
            ) => a == b && x > y,
            (EntryId::Pulsar(a), EntryId::Pulsar(b)) => {
                a.partition == b.partition
                    && (a.ledger, a.entry, a.batch_index) > (b.ledger, b.entry, b.batch_index)
            }
            _ => false,
        }
    }

    pub(crate) fn partition(&self) -> Option<i32> {
        match self {
            EntryId::Kafka { partition, .. } => Some(*partition),
            EntryId::Pulsar(id) => (id.partition >= 0).then_some(id.partition),
        }
    }

    /// The partition the entry is in, or `NotPartitioned`.
    pub(crate) fn in_partition(&self) -> Partition {
        self.partition().into()
    }

    /// The entry's offset where the broker numbers a partition's entries one by one (Kafka):
    /// what deleting a prefix and marking a prefix work with. `None` where it does not (Pulsar).
    pub(crate) fn offset(&self) -> Option<i64> {
        match self {
            EntryId::Kafka { offset, .. } => Some(*offset),
            EntryId::Pulsar(_) => None,
        }
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryId::Kafka { partition, offset } => write!(f, "{partition}:{offset}"),
            EntryId::Pulsar(id) => id.fmt(f),
        }
    }
}

/// A Pulsar message id as the Java client prints it: `ledger:entry:partition`, with
/// `:batch_index` appended for a message that is part of a batch. Partition is -1 on a
/// non-partitioned topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PulsarMessageId {
    pub ledger: u64,
    pub entry: u64,
    pub partition: i32,
    /// -1 when the message is not part of a batch.
    pub batch_index: i32,
}

impl fmt::Display for PulsarMessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.ledger, self.entry, self.partition)?;
        if self.batch_index >= 0 {
            write!(f, ":{}", self.batch_index)?;
        }
        Ok(())
    }
}

impl FromStr for PulsarMessageId {
    type Err = String;

    /// Accepts what `Display` prints and the C++ client's `(ledger,entry,partition,batch)`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("'{s}' is not a Pulsar message id (expected LEDGER:ENTRY:PARTITION[:BATCH], as `dlq list` prints)")
        };
        let inner = s
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .map(|r| r.split(',').collect::<Vec<_>>())
            .unwrap_or_else(|| s.split(':').collect());
        if !(3..=4).contains(&inner.len()) {
            return Err(bad());
        }
        let num = |i: usize| inner[i].trim().parse::<i64>().map_err(|_| bad());
        let (ledger, entry, partition) = (num(0)?, num(1)?, num(2)?);
        let batch_index = if inner.len() == 4 { num(3)? } else { -1 };
        if ledger < 0 || entry < 0 {
            return Err(bad());
        }
        Ok(PulsarMessageId {
            ledger: ledger as u64,
            entry: entry as u64,
            partition: i32::try_from(partition).map_err(|_| bad())?,
            batch_index: i32::try_from(batch_index).map_err(|_| bad())?,
        })
    }
}

/// Parses a Kafka entry id, `PARTITION:OFFSET`.
pub(crate) fn parse_kafka_id(s: &str) -> Result<EntryId, String> {
    let bad = || {
        format!("'{s}' is not a Kafka entry id (expected PARTITION:OFFSET, as `dlq list` prints)")
    };
    let (p, o) = s.split_once(':').ok_or_else(bad)?;
    let partition = p.trim().parse::<i32>().map_err(|_| bad())?;
    let offset = o.trim().parse::<i64>().map_err(|_| bad())?;
    if partition < 0 || offset < 0 {
        return Err(bad());
    }
    Ok(EntryId::Kafka { partition, offset })
}

/// A record as the broker delivered it, before any interpretation.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The DLQ topic as the broker names it (on Pulsar, the partition's topic).
    pub topic: String,
    pub id: EntryId,
    /// The broker's timestamp (Kafka record timestamp, Pulsar publish time).
    pub timestamp: Option<Timestamp>,
    pub key: Option<Vec<u8>>,
    pub headers: Vec<Header>,
    pub payload: Option<Vec<u8>>,
    /// Pulsar: the version of the topic schema the producer wrote with, if any.
    pub schema_version: Option<Vec<u8>>,
}

impl Record {
    /// A record of nothing but a payload (what a decoder is taught from before a send).
    pub(crate) fn of_payload(payload: Option<&[u8]>) -> Record {
        Record {
            topic: String::new(),
            id: EntryId::Kafka {
                partition: 0,
                offset: 0,
            },
            timestamp: None,
            key: None,
            headers: Vec::new(),
            payload: payload.map(<[u8]>::to_vec),
            schema_version: None,
        }
    }

    /// The topic the record was read from, as the user names it: a Pulsar partition
    /// (`T-partition-N`) is named by its partitioned topic `T`; `fallback` when the broker
    /// named none.
    pub(crate) fn logical_topic(&self, fallback: &str) -> String {
        if self.topic.is_empty() {
            return fallback.to_string();
        }
        match self.topic.rsplit_once("-partition-") {
            Some((base, n)) if n.parse::<u32>().is_ok() => base.to_string(),
            _ => self.topic.clone(),
        }
    }

    /// The first header with this exact name.
    pub(crate) fn header(&self, name: &str) -> Option<&Header> {
        self.headers.iter().find(|h| h.name == name)
    }

    pub(crate) fn size_bytes(&self) -> u64 {
        self.payload.as_ref().map_or(0, |p| p.len() as u64)
    }
}

/// A record together with the dead-letter context its conventions explain.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub record: Record,
    pub context: Context,
    /// A dead letter that only points at its original (Kafka share groups): the original as
    /// fetched from the origin topic, or why it could not be. `None` until a command that needs
    /// the message fetched it.
    pub original: Option<Original>,
}

/// The original record a dead letter points at, fetched from its origin topic.
#[derive(Debug, Clone)]
pub(crate) enum Original {
    Fetched(Record),
    /// No longer in the origin (retention, compaction, a deleted topic), or the broker cannot
    /// fetch it: the reason, for the user.
    Missing(String),
}

impl Entry {
    pub(crate) fn new(record: Record, context: Context) -> Entry {
        Entry {
            record,
            context,
            original: None,
        }
    }

    /// The record that holds the message: the original fetched from the origin where there is
    /// one, else the dead letter itself.
    pub(crate) fn message(&self) -> &Record {
        match &self.original {
            Some(Original::Fetched(r)) => r,
            _ => &self.record,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_written_with_its_wire_names_and_read_back() {
        let c = Context {
            convention: Some("spring-kafka".into()),
            origin_topic: Some("orders".into()),
            origin_partition: Some(2),
            retry_count: Some(3),
            failed_at: Some("2026-11-30T08:00:00.123Z".parse().unwrap()),
            stacktrace: Some("at Orders.handle".into()),
            context_headers: vec!["kafka_dlt-exception-stacktrace".into()],
            notes: vec!["retry count: not a number".into()],
            ..Context::default()
        };
        let v = serde_json::to_value(&c).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "consumer_group",
                "convention",
                "error_class",
                "error_message",
                "failed_at",
                "origin_message_id",
                "origin_offset",
                "origin_partition",
                "origin_topic",
                "retry_count"
            ]
        );
        assert_eq!(v["failed_at"], "2026-11-30T08:00:00.123Z");
        let back: Context = serde_json::from_value(v).unwrap();
        assert_eq!(back.failed_at, c.failed_at);
        assert_eq!(back.origin_partition, Some(2));
        assert!(back.stacktrace.is_none() && back.notes.is_empty());
        let bad = serde_json::json!({"failed_at": "yesterday-ish"});
        assert!(serde_json::from_value::<Context>(bad).is_err());
    }

    #[test]
    fn pulsar_ids_round_trip_in_both_spellings() {
        let id: PulsarMessageId = "12:7:-1".parse().unwrap();
        assert_eq!(id.to_string(), "12:7:-1");
        let batched: PulsarMessageId = "(0,2,-1,3)".parse().unwrap();
        assert_eq!(batched.to_string(), "0:2:-1:3");
        let c_style_unbatched: PulsarMessageId = "(0,2,-1,-1)".parse().unwrap();
        assert_eq!(c_style_unbatched.to_string(), "0:2:-1");
        assert!("1:2".parse::<PulsarMessageId>().is_err());
        assert!("a:b:c".parse::<PulsarMessageId>().is_err());
    }

    #[test]
    fn order_within_a_partition() {
        let k = |p, o| EntryId::Kafka {
            partition: p,
            offset: o,
        };
        assert!(k(0, 5).is_after(&k(0, 4)));
        assert!(!k(0, 4).is_after(&k(0, 4)));
        assert!(!k(1, 9).is_after(&k(0, 4)), "other partition");
        let p = |s: &str| EntryId::Pulsar(s.parse().unwrap());
        assert!(p("3:1:-1").is_after(&p("2:9:-1")));
        assert!(p("3:1:-1:2").is_after(&p("3:1:-1:1")));
        assert!(!p("3:1:0").is_after(&p("2:9:1")));
    }

    #[test]
    fn kafka_ids_parse_and_reject() {
        assert_eq!(
            parse_kafka_id("2:41").unwrap(),
            EntryId::Kafka {
                partition: 2,
                offset: 41
            }
        );
        assert!(parse_kafka_id("2").is_err());
        assert!(parse_kafka_id("-1:3").is_err());
        assert!(parse_kafka_id("1:x").is_err());
    }
}

#[cfg(test)]
mod logical_topic_tests {
    use super::*;

    #[test]
    fn a_pulsar_partition_is_named_by_its_partitioned_topic() {
        let record = |topic: &str| Record {
            topic: topic.into(),
            id: EntryId::Kafka {
                partition: 0,
                offset: 0,
            },
            timestamp: None,
            key: None,
            headers: Vec::new(),
            payload: None,
            schema_version: None,
        };
        assert_eq!(
            record("persistent://public/default/t-DLQ-partition-2").logical_topic("x"),
            "persistent://public/default/t-DLQ"
        );
        assert_eq!(
            record("orders-partition-x").logical_topic("x"),
            "orders-partition-x"
        );
        assert_eq!(record("").logical_topic("fallback"), "fallback");
    }
}
