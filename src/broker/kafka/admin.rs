//! Topics, counts and DeleteRecords.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::KafkaBroker;
use crate::broker::{TopicCount, TopicInfo};
use crate::error::{DlqError, Unreachable};

/// A broker that lacks DeleteRecords refuses it. (A connection lost or a request timed out is
/// the broker going away, not a missing capability: see `outcome_unknown`.)
pub(super) fn classify_delete_error(
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

/// The topic configuration that lets a share group write its dead letters to a topic.
const SHARE_GROUP_DLQ_CONFIG: &str = "errors.deadletterqueue.group.enable";

impl KafkaBroker {
    pub(super) fn topic_exists_blocking(&self, topic: &str) -> anyhow::Result<Option<bool>> {
        let consumer = self.consumer()?;
        crate::broker::exists_from(self.partitions(&consumer, topic).map(drop))
    }

    pub(super) fn list_topics_blocking(&self) -> anyhow::Result<Vec<TopicInfo>> {
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
                dlq_by_config: None,
            })
            .collect();
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(topics)
    }

    /// Marks the topics whose configuration makes them a share group's DLQ (Kafka 4.4+,
    /// `errors.deadletterqueue.group.enable=true`): one DescribeConfigs for all of them. A broker
    /// that does not know the setting (before 4.4) simply has none.
    pub(super) async fn mark_share_group_dlqs(
        &self,
        topics: &mut [TopicInfo],
    ) -> anyhow::Result<()> {
        if topics.is_empty() {
            return Ok(());
        }
        let admin: AdminClient<DefaultClientContext> = self
            .client_config(&[], &[])
            .create()
            .context("creating the Kafka admin client")?;
        let opts = AdminOptions::new().request_timeout(Some(self.timeout));
        let specs: Vec<ResourceSpecifier> = topics
            .iter()
            .map(|t| ResourceSpecifier::Topic(&t.name))
            .collect();
        let answer = tokio::time::timeout(
            self.timeout + Duration::from_secs(2),
            admin.describe_configs(&specs, &opts),
        )
        .await
        .map_err(|_| {
            Unreachable::no_answer(self.timeout)
                .at(format!("Kafka at {}", self.bootstrap))
                .doing("describing the topics' configuration")
        })?;
        // A refusal (no DescribeConfigs permission) leaves the topics to their names.
        let Ok(answer) = answer else {
            return Ok(());
        };
        for (t, config) in topics.iter_mut().zip(answer) {
            let enabled = config
                .ok()
                .and_then(|c| c.get(SHARE_GROUP_DLQ_CONFIG).and_then(|e| e.value.clone()));
            if enabled.as_deref() == Some("true") {
                t.dlq_by_config = Some(format!("{SHARE_GROUP_DLQ_CONFIG}=true"));
            }
        }
        Ok(())
    }

    pub(super) fn count_blocking(&self, topic: &str) -> anyhow::Result<Option<TopicCount>> {
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
    }

    /// The unhandled entries, the oldest one's time and the arrivals since `since`, from the
    /// watermarks, the operator group's offsets, one time lookup and one record a partition.
    pub(super) fn depth_blocking(
        &self,
        topic: &str,
        since: jiff::Timestamp,
    ) -> anyhow::Result<crate::broker::Depth> {
        let consumer = self.consumer()?;
        let partitions = self.partitions(&consumer, topic)?;
        let committed = self.committed(&consumer, topic, &partitions)?;
        let mut unhandled = 0u64;
        let mut firsts = TopicPartitionList::new();
        let mut ends = BTreeMap::new();
        let mut at_time = TopicPartitionList::new();
        for &p in &partitions {
            let (low, high) = self.watermarks(&consumer, topic, p)?;
            let from = committed.get(&p).copied().unwrap_or(low).max(low);
            unhandled += (high - from).max(0) as u64;
            if high > from {
                firsts.add_partition_offset(topic, p, Offset::Offset(from))?;
            }
            ends.insert(p, high);
            at_time.add_partition_offset(topic, p, Offset::Offset(since.as_millisecond()))?;
        }
        let found = consumer
            .offsets_for_times(at_time, self.timeout)
            .map_err(|e| self.unreachable("a time lookup (ListOffsets)", &e))?;
        let mut arrived_since = 0u64;
        for e in found.elements() {
            if let Offset::Offset(o) = e.offset() {
                arrived_since += (ends.get(&e.partition()).copied().unwrap_or(o) - o).max(0) as u64;
            }
        }
        Ok(crate::broker::Depth {
            unhandled,
            oldest_unhandled: self.first_times(&consumer, topic, &firsts)?,
            arrived_since,
        })
    }

    /// The earliest time among the records at `firsts` (one a partition; a partition whose
    /// offset holds no record gives its next one).
    fn first_times(
        &self,
        consumer: &KConsumer,
        topic: &str,
        firsts: &TopicPartitionList,
    ) -> anyhow::Result<Option<jiff::Timestamp>> {
        let mut waiting: std::collections::BTreeSet<i32> =
            firsts.elements().iter().map(|e| e.partition()).collect();
        if waiting.is_empty() {
            return Ok(None);
        }
        consumer.assign(firsts).context("assigning partitions")?;
        let mut oldest: Option<jiff::Timestamp> = None;
        let mut last_progress = std::time::Instant::now();
        while !waiting.is_empty() {
            match consumer.poll(POLL) {
                None if last_progress.elapsed() > self.timeout => {
                    return Err(crate::error::Unreachable::no_answer(self.timeout)
                        .at(format!("Kafka at {}", self.bootstrap))
                        .doing(format!("reading the first unhandled entry of '{topic}'"))
                        .into())
                }
                None => {}
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    waiting.remove(&p);
                }
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context(format!("reading '{topic}'")),
                Some(Ok(m)) => {
                    use rdkafka::message::Message as _;
                    last_progress = std::time::Instant::now();
                    if waiting.remove(&m.partition()) {
                        if let Some(ms) = m.timestamp().to_millis() {
                            let t = jiff::Timestamp::from_millisecond(ms)?;
                            oldest = Some(oldest.map_or(t, |o| o.min(t)));
                        }
                    }
                }
            }
        }
        Ok(oldest)
    }

    pub(super) async fn check_cleanup_policy(&self, topic: &str) -> anyhow::Result<()> {
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
            Unreachable::no_answer(self.timeout)
                .at(format!("Kafka at {}", self.bootstrap))
                .doing(format!("describing topic '{topic}'"))
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

    pub(super) async fn delete_before(
        &self,
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
        let at = format!("Kafka at {}", self.bootstrap);
        let result = match answer {
            Err(_) => {
                return Err(Unreachable::no_answer(self.timeout)
                    .at(at)
                    .doing("deleting records")
                    .into())
            }
            Ok(Err(e)) if outcome_unknown(&e) => {
                return Err(Unreachable::lost()
                    .at(at)
                    .doing("deleting records")
                    .why(e)
                    .into())
            }
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
}
