//! Kafka adapter (rdkafka). Reads with `assign()` and explicit offsets: an operator tool must not
//! join the group (joining takes seconds and rebalances anyone else in it) and must not commit
//! while it only looks.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use jiff::Timestamp;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::{Broker, ConnectConfig, DlqReader, ScanNotes, ScanRequest};
use crate::domain::entry::{parse_kafka_id, EntryId, Header, Record};
use crate::error::DlqError;

const POLL: Duration = Duration::from_millis(100);

pub struct KafkaBroker {
    bootstrap: String,
    group: String,
    timeout: Duration,
}

impl KafkaBroker {
    pub fn new(cfg: &ConnectConfig) -> anyhow::Result<Self> {
        let super::BrokerUrl::Kafka { bootstrap } = &cfg.url else {
            unreachable!("chosen by scheme")
        };
        Ok(KafkaBroker {
            bootstrap: bootstrap.clone(),
            group: cfg.group.clone(),
            timeout: cfg.timeout,
        })
    }

    fn consumer(&self) -> anyhow::Result<BaseConsumer> {
        let ms = self.timeout.as_millis().max(1000).to_string();
        ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            // librdkafka wants a group even for assign(); nothing is committed while reading.
            .set("group.id", &self.group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "true")
            .set("auto.offset.reset", "earliest")
            .set("allow.auto.create.topics", "false")
            // librdkafka prefetches up to 64 MB by default; a scan needs far less to keep up.
            .set("queued.max.messages.kbytes", "8192")
            .set("socket.timeout.ms", &ms)
            .set("client.id", "dlq")
            .create()
            .context("creating the Kafka client")
    }

    fn unreachable(&self, what: &str, e: &KafkaError) -> anyhow::Error {
        DlqError::Unreachable(format!(
            "cannot reach Kafka at {} within {}s ({what}: {e})",
            self.bootstrap,
            self.timeout.as_secs_f32()
        ))
        .into()
    }

    /// The topic's partitions, or `TopicNotFound`.
    fn partitions(&self, consumer: &BaseConsumer, topic: &str) -> anyhow::Result<Vec<i32>> {
        let md = consumer
            .fetch_metadata(Some(topic), self.timeout)
            .map_err(|e| self.unreachable("metadata request", &e))?;
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

    fn watermarks(
        &self,
        consumer: &BaseConsumer,
        topic: &str,
        p: i32,
    ) -> anyhow::Result<(i64, i64)> {
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

        let mut tpl = TopicPartitionList::new();
        for &p in &wanted {
            let (low, high) = self.watermarks(&consumer, &req.topic, p)?;
            if high > low {
                tpl.add_partition_offset(&req.topic, p, Offset::Offset(low))?;
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
            consumer,
            open,
            topic: req.topic.clone(),
            bootstrap: self.bootstrap.clone(),
            timeout: self.timeout,
        })
    }

    /// Starts each partition at the first offset with a timestamp at or after `since`.
    /// Partitions with nothing that recent are dropped from the assignment.
    fn seek_to_time(
        &self,
        consumer: &BaseConsumer,
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

    fn fetch_blocking(&self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let EntryId::Kafka { partition, offset } = id else {
            unreachable!("parsed by this adapter")
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
    consumer: BaseConsumer,
    open: BTreeSet<i32>,
    topic: String,
    bootstrap: String,
    timeout: Duration,
}

impl KafkaReader {
    fn next_blocking(&mut self) -> anyhow::Result<Option<Record>> {
        let mut last_progress = Instant::now();
        while !self.open.is_empty() {
            match self.consumer.poll(POLL) {
                None => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(DlqError::Unreachable(format!(
                            "Kafka at {} sent nothing for partitions {:?} of '{}' within {}s",
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
}

#[async_trait]
impl DlqReader for KafkaReader {
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        // librdkafka's calls block; keep them off the async workers' hands.
        tokio::task::block_in_place(|| self.next_blocking())
    }

    async fn close(self: Box<Self>) -> anyhow::Result<ScanNotes> {
        Ok(ScanNotes::default())
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
}
