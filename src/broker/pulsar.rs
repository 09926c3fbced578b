//! Pulsar adapter (pulsar-rs). An operator reads a DLQ through a durable subscription of its
//! own (default `dlq-cli`), created at the earliest position on first use. Reading never
//! acknowledges: unacknowledged messages go back to the subscription's backlog when the
//! consumer closes, so `list` and `inspect` change nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use base64::Engine as _;
use futures::TryStreamExt;
use jiff::Timestamp;
use pulsar::consumer::{InitialPosition, Message};
use pulsar::message::proto::command_get_topics_of_namespace::Mode;
use pulsar::message::proto::MessageIdData;
use pulsar::{
    ConnectionRetryOptions, Consumer, ConsumerOptions, OperationRetryOptions, Pulsar, SubType,
    TokioExecutor,
};

use super::{Broker, ConnectConfig, Flow, ScanRequest, Visitor};
use crate::domain::entry::{EntryId, Header, PulsarMessageId, Record};
use crate::error::DlqError;

/// Once every partition's last message has been seen the scan ends at once. A backlog whose
/// tail was already acknowledged never reaches that id, so a quiet spell this long also ends it.
const IDLE_END: Duration = Duration::from_secs(3);

pub struct PulsarBroker {
    client: Pulsar<TokioExecutor>,
    url: String,
    subscription: String,
    timeout: Duration,
}

impl PulsarBroker {
    pub async fn connect(cfg: &ConnectConfig) -> anyhow::Result<Self> {
        let super::BrokerUrl::Pulsar { url } = &cfg.url else {
            unreachable!("chosen by scheme")
        };
        let unreachable = |e: String| {
            DlqError::Unreachable(format!(
                "cannot reach Pulsar at {url} within {}s ({e})",
                cfg.timeout.as_secs_f32()
            ))
        };
        let builder = Pulsar::builder(url.clone(), TokioExecutor)
            .with_connection_retry_options(ConnectionRetryOptions {
                min_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                max_retries: 3,
                connection_timeout: cfg.timeout,
                ..ConnectionRetryOptions::default()
            })
            .with_operation_retry_options(OperationRetryOptions {
                operation_timeout: cfg.timeout,
                retry_delay: Duration::from_millis(200),
                max_retries: Some(3),
            });
        let client = tokio::time::timeout(cfg.timeout, builder.build())
            .await
            .map_err(|_| unreachable("timed out".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(PulsarBroker {
            client,
            url: url.clone(),
            subscription: cfg.subscription.clone(),
            timeout: cfg.timeout,
        })
    }

    /// `orders-sub-DLQ` → `persistent://public/default/orders-sub-DLQ`; full names pass through.
    fn full_name(topic: &str) -> String {
        if topic.contains("://") {
            topic.to_string()
        } else if topic.matches('/').count() == 2 {
            format!("persistent://{topic}")
        } else {
            format!("persistent://public/default/{topic}")
        }
    }

    /// Fails with `TopicNotFound` unless the namespace lists the topic (or its partitions).
    /// Subscribing would silently create a missing topic, so this is asked first.
    async fn ensure_exists(&self, full: &str) -> anyhow::Result<()> {
        let rest = full.split_once("://").map_or(full, |(_, r)| r);
        let mut parts = rest.splitn(3, '/');
        let (Some(tenant), Some(ns), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(DlqError::Usage(format!("'{full}' is not a Pulsar topic name")).into());
        };
        let topics = tokio::time::timeout(
            self.timeout,
            self.client
                .get_topics_of_namespace(format!("{tenant}/{ns}"), Mode::All),
        )
        .await
        .map_err(|_| self.unreachable("listing topics timed out"))?
        .map_err(|e| self.unreachable(&e.to_string()))?;
        let partition_prefix = format!("{full}-partition-");
        if topics
            .iter()
            .any(|t| t == full || t.starts_with(&partition_prefix))
        {
            Ok(())
        } else {
            Err(DlqError::TopicNotFound {
                topic: full.to_string(),
                broker: self.url.clone(),
            }
            .into())
        }
    }

    fn unreachable(&self, why: &str) -> anyhow::Error {
        DlqError::Unreachable(format!(
            "Pulsar at {} did not answer within {}s ({why})",
            self.url,
            self.timeout.as_secs_f32()
        ))
        .into()
    }

    async fn subscribe(&self, full: &str) -> anyhow::Result<Consumer<Vec<u8>, TokioExecutor>> {
        let build = self
            .client
            .consumer()
            .with_topic(full)
            .with_subscription(&self.subscription)
            // Exclusive keeps the backlog in order; a second reader gets a clear "busy" error.
            .with_subscription_type(SubType::Exclusive)
            .with_consumer_name("dlq")
            .with_options(
                ConsumerOptions::default()
                    .durable(true)
                    .with_initial_position(InitialPosition::Earliest)
                    .with_receiver_queue_size(1000),
            )
            .build::<Vec<u8>>();
        match tokio::time::timeout(self.timeout, build).await {
            Err(_) => Err(self.unreachable("subscribing timed out")),
            Ok(Err(e)) if e.to_string().contains("ConsumerBusy") => Err(anyhow::anyhow!(
                "subscription '{}' on '{full}' is in use by another consumer; close it or pass --subscription NAME",
                self.subscription
            )),
            Ok(Err(e)) => Err(e).context(format!("subscribing '{}' to '{full}'", self.subscription)),
            Ok(Ok(c)) => Ok(c),
        }
    }

    async fn scan_inner(
        &mut self,
        req: &ScanRequest,
        visit: &mut Visitor<'_>,
    ) -> anyhow::Result<()> {
        let full = Self::full_name(&req.topic);
        self.ensure_exists(&full).await?;
        let mut consumer = self.subscribe(&full).await?;
        let result = self.drain(&mut consumer, req, visit).await;
        // Close without acknowledging: everything read returns to the backlog.
        let _ = tokio::time::timeout(self.timeout, consumer.close()).await;
        result
    }

    async fn drain(
        &self,
        consumer: &mut Consumer<Vec<u8>, TokioExecutor>,
        req: &ScanRequest,
        visit: &mut Visitor<'_>,
    ) -> anyhow::Result<()> {
        let last = tokio::time::timeout(self.timeout, consumer.get_last_message_id())
            .await
            .map_err(|_| self.unreachable("asking for the last message id timed out"))?
            .context("asking for the last message id")?;
        // Per partition index (-1 on a non-partitioned topic): the last id present now.
        let mut pending: BTreeMap<i32, MessageIdData> = last
            .into_iter()
            .filter(|id| id.entry_id != u64::MAX && (id.ledger_id as i64) >= 0)
            .map(|id| (id.partition.unwrap_or(-1), id))
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        loop {
            let next = match tokio::time::timeout(IDLE_END, consumer.try_next()).await {
                Err(_) => return Ok(()), // quiet: the rest of the backlog was acknowledged
                Ok(Ok(None)) => return Ok(()),
                Ok(Ok(Some(m))) => m,
                Ok(Err(e)) => return Err(e).context("receiving from the subscription"),
            };
            let record = to_record(&next);
            let part = partition_index(&next);
            let reached = pending
                .get(&part)
                .is_some_and(|last| at_or_past(&next, last));
            let wanted = req.partitions.is_empty() || req.partitions.contains(&part);
            let too_old = req
                .since
                .is_some_and(|s| record.timestamp.is_some_and(|t| t < s));
            if wanted && !too_old && visit(record)? == Flow::Stop {
                return Ok(());
            }
            if reached {
                pending.remove(&part);
                if pending.is_empty() {
                    return Ok(());
                }
            }
        }
    }
}

fn partition_index(m: &Message<Vec<u8>>) -> i32 {
    if let Some(p) = m.message_id.id.partition.filter(|p| *p >= 0) {
        return p;
    }
    m.topic
        .rsplit_once("-partition-")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(-1)
}

/// Has the scan reached `last`? For a batch, only its last message completes the entry.
fn at_or_past(m: &Message<Vec<u8>>, last: &MessageIdData) -> bool {
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

fn to_record(m: &Message<Vec<u8>>) -> Record {
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
    }
}

#[async_trait]
impl Broker for PulsarBroker {
    fn parse_id(&self, id: &str) -> Result<EntryId, DlqError> {
        id.parse::<PulsarMessageId>()
            .map(EntryId::Pulsar)
            .map_err(DlqError::Usage)
    }

    async fn scan(&mut self, req: &ScanRequest, visit: &mut Visitor<'_>) -> anyhow::Result<()> {
        self.scan_inner(req, visit).await
    }

    /// Reads the operator subscription's backlog up to the entry: what `list` shows is what
    /// `inspect` finds.
    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let mut found = None;
        let req = ScanRequest {
            topic: topic.to_string(),
            ..ScanRequest::default()
        };
        self.scan_inner(&req, &mut |r: Record| {
            if r.id == id {
                found = Some(r);
                Ok(Flow::Stop)
            } else {
                Ok(Flow::Continue)
            }
        })
        .await?;
        found.ok_or_else(|| {
            DlqError::NotFound(format!(
                "no entry {id} in the backlog of subscription '{}' on '{}'",
                self.subscription,
                Self::full_name(topic)
            ))
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_are_completed() {
        assert_eq!(
            PulsarBroker::full_name("t-sub-DLQ"),
            "persistent://public/default/t-sub-DLQ"
        );
        assert_eq!(
            PulsarBroker::full_name("acme/prod/t"),
            "persistent://acme/prod/t"
        );
        assert_eq!(
            PulsarBroker::full_name("non-persistent://a/b/t"),
            "non-persistent://a/b/t"
        );
    }
}
