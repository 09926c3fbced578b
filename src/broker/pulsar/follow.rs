//! `dlq watch` on Pulsar: a non-durable subscription of its own, from the latest message, reads
//! what arrives (the operator subscription stays free for a purge or replay in another
//! terminal), and the operator subscription's cursor says what was handled.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use futures::TryStreamExt;
use pulsar::consumer::{ConsumerOptions, InitialPosition};
use pulsar::message::proto::command_subscribe::SubType;
use pulsar::message::proto::MessageIdData;
use pulsar::{Consumer, TokioExecutor};

use super::admin::Admin;
use super::reader::{at_or_past, partition_index, to_record};
use super::PulsarBroker;
use crate::broker::Follower;
use crate::domain::entry::Record;
use crate::domain::watch::{Handled, Marks};
use crate::error::Unreachable;

/// How long a follower waits for a message it knows is there before asking again.
const WAIT: Duration = Duration::from_millis(200);

impl PulsarBroker {
    pub(super) async fn follow_topic(&mut self, topic: &str) -> anyhow::Result<PulsarFollower> {
        let full = Self::full_name(topic);
        self.check_exists(&full).await?;
        let name = format!(
            "dlq-watch-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_millisecond()
        );
        let build = self
            .client
            .consumer()
            .with_topic(&full)
            .with_subscription(&name)
            .with_subscription_type(SubType::Exclusive)
            .with_consumer_name("dlq-watch")
            .with_options(
                ConsumerOptions::default()
                    .durable(false)
                    .with_initial_position(InitialPosition::Latest),
            )
            .build::<Vec<u8>>();
        let mut consumer = tokio::time::timeout(self.timeout, build)
            .await
            .map_err(|_| self.unreachable("subscribing to follow the topic"))?
            .with_context(|| format!("subscribing '{name}' to '{full}'"))?;
        let mut follower = PulsarFollower {
            admin: self.admin.clone(),
            subscription: self.subscription.clone(),
            delivered: BTreeMap::new(),
            url: self.url.clone(),
            timeout: self.timeout,
            full,
            consumer: None,
        };
        // What is there now is not delivered to a subscription from the latest message: a
        // partition counts as caught up at it.
        follower.delivered = follower.last_ids(&mut consumer).await?;
        follower.consumer = Some(consumer);
        Ok(follower)
    }
}

pub(super) struct PulsarFollower {
    admin: Admin,
    /// The operator subscription, whose cursor says what was handled.
    subscription: String,
    consumer: Option<Consumer<Vec<u8>, TokioExecutor>>,
    /// Per partition index, the last message delivered (or present when following began).
    delivered: BTreeMap<i32, MessageIdData>,
    full: String,
    url: String,
    timeout: Duration,
}

impl PulsarFollower {
    fn unreachable(&self, doing: &str) -> anyhow::Error {
        Unreachable::no_answer(self.timeout)
            .at(format!("Pulsar at {}", self.url))
            .doing(doing)
            .into()
    }

    /// Each partition's last message id now (empty partitions left out).
    async fn last_ids(
        &self,
        consumer: &mut Consumer<Vec<u8>, TokioExecutor>,
    ) -> anyhow::Result<BTreeMap<i32, MessageIdData>> {
        let last = match tokio::time::timeout(self.timeout, consumer.get_last_message_id()).await {
            Err(_) => return Err(self.unreachable("asking for the last message id")),
            Ok(Err(e)) if e.to_string().contains("Topic has no messages") => Vec::new(),
            Ok(r) => r.context("asking for the last message id")?,
        };
        Ok(last
            .into_iter()
            .filter(|id| id.entry_id != u64::MAX && (id.ledger_id as i64) >= 0)
            .map(|id| (id.partition.unwrap_or(-1), id))
            .collect())
    }
}

/// `a` later than `b` in one partition.
fn later(a: &MessageIdData, b: &MessageIdData) -> bool {
    (a.ledger_id, a.entry_id, a.batch_index.unwrap_or(-1))
        > (b.ledger_id, b.entry_id, b.batch_index.unwrap_or(-1))
}

#[async_trait]
impl Follower for PulsarFollower {
    async fn arrived(&mut self, max: usize) -> anyhow::Result<Vec<Record>> {
        let Some(mut consumer) = self.consumer.take() else {
            return Ok(Vec::new());
        };
        let result = async {
            // The partitions with messages past what was delivered: read until each is reached.
            let mut pending: BTreeMap<i32, MessageIdData> = self
                .last_ids(&mut consumer)
                .await?
                .into_iter()
                .filter(|(p, last)| self.delivered.get(p).is_none_or(|d| later(last, d)))
                .collect();
            let mut out = Vec::new();
            let mut waited = Duration::ZERO;
            let mut acks: BTreeMap<String, MessageIdData> = BTreeMap::new();
            while !pending.is_empty() && out.len() < max {
                let m = match tokio::time::timeout(WAIT, consumer.try_next()).await {
                    Err(_) => {
                        waited += WAIT;
                        if waited > self.timeout {
                            return Err(self.unreachable(&format!(
                                "reading what arrived in '{}' (partitions {:?} hold new messages)",
                                self.full,
                                pending.keys().collect::<Vec<_>>()
                            )));
                        }
                        continue;
                    }
                    Ok(Ok(Some(m))) => m,
                    Ok(Ok(None)) => {
                        return Err(Unreachable::lost()
                            .at(format!("Pulsar at {}", self.url))
                            .doing(format!("following '{}'", self.full))
                            .why("the client's consumer ended: it could not reconnect")
                            .into())
                    }
                    Ok(Err(e)) => return Err(e).context("receiving from the follower"),
                };
                waited = Duration::ZERO;
                let p = partition_index(&m);
                let id = m.message_id.id.clone();
                if self.delivered.get(&p).is_some_and(|d| !later(&id, d)) {
                    continue; // delivered again after a reconnect
                }
                if pending.get(&p).is_some_and(|last| at_or_past(&m, last)) {
                    pending.remove(&p);
                }
                self.delivered.insert(p, id.clone());
                acks.insert(m.topic.clone(), id);
                out.push(to_record(&m));
            }
            // Housekeeping on a subscription of its own: a refused acknowledgement changes
            // nothing read.
            for (topic, id) in acks {
                let _ =
                    tokio::time::timeout(self.timeout, consumer.cumulative_ack_with_id(&topic, id))
                        .await;
            }
            Ok(out)
        }
        .await;
        self.consumer = Some(consumer);
        result
    }

    async fn handled(&mut self) -> anyhow::Result<Handled> {
        let mut handled = Handled::default();
        let n = self.admin.partitions(&self.full).await?;
        let topics: Vec<(i32, String)> = if n == 0 {
            vec![(-1, self.full.clone())]
        } else {
            (0..n as i32)
                .map(|i| (i, format!("{}-partition-{i}", self.full)))
                .collect()
        };
        for (index, name) in topics {
            // No cursor: the operator subscription does not exist, nothing is handled.
            if let Some(c) = self.admin.cursor(&name, &self.subscription).await? {
                handled.partitions.insert(
                    index,
                    Marks {
                        through: Some(c.mark_delete),
                        ranges: c.deleted,
                    },
                );
            }
        }
        Ok(handled)
    }

    async fn close(mut self: Box<Self>) {
        if let Some(mut c) = self.consumer.take() {
            let _ = tokio::time::timeout(Duration::from_millis(500), c.close()).await;
        }
    }
}
