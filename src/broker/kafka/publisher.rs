//! Sending: librdkafka's producer, `acks=all`, every message confirmed.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{FutureProducer, FutureRecord};

use super::client::*;
use super::KafkaBroker;
use crate::broker::{Delivery, Publisher};
use crate::domain::replay::Outgoing;
use crate::error::Unreachable;

/// Publishes with librdkafka's producer: `acks=all`, each message confirmed by a delivery report.
pub(super) struct KafkaPublisher {
    producer: FutureProducer,
    bootstrap: String,
    timeout: Duration,
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
                            Ok(Err((e, _))) if outcome_unknown(&e) => Err(Unreachable::lost()
                                .at(format!("Kafka at {bootstrap}"))
                                .doing(format!(
                                    "waiting for the confirmation of a message to '{topic}'"
                                ))
                                .why(e)
                                .into()),
                            Ok(Err((e, _))) => Err(anyhow::anyhow!("{topic}: {e}")),
                            Err(_) => Err(Unreachable::lost()
                                .at(format!("Kafka at {bootstrap}"))
                                .doing(format!(
                                    "waiting for the confirmation of a message to '{topic}'"
                                ))
                                .why("the producer went away before a delivery report")
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
                    return Err(Unreachable::no_answer(self.timeout)
                        .at(format!("Kafka at {}", self.bootstrap))
                        .doing(format!("queueing a message for '{}'", msg.topic))
                        .why("the producer's queue stayed full: nothing was confirmed")
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

impl KafkaBroker {
    pub(super) fn new_publisher(&self) -> anyhow::Result<KafkaPublisher> {
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
                    // librdkafka resends a request it got no answer to; without idempotence the
                    // broker may then write a message twice. Seen: a replay of 20,000 across a
                    // 7-second broker pause (SIGSTOP) exited 0, all confirmed, with 4 copies
                    // written twice (tests/cli/faults.rs, issue #32). With it, the broker drops
                    // the resent copy by its sequence number.
                    ("enable.idempotence", "true"),
                    // The Java client's partitioner: a replayed key lands where the service's
                    // producer put it, keeping per-key order (librdkafka's default hashes
                    // differently).
                    ("partitioner", "murmur2_random"),
                ],
            )
            .create()
            .context("creating the Kafka producer")?;
        Ok(KafkaPublisher {
            producer,
            bootstrap: self.bootstrap.clone(),
            timeout: self.timeout,
        })
    }
}
