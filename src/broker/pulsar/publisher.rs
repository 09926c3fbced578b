//! Sending: an unbatched multi-topic producer, each message confirmed by the broker.

use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use base64::Engine as _;
use pulsar::producer::{Message as OutMessage, MultiTopicProducer};
use pulsar::{ProducerOptions, TokioExecutor};

use super::PulsarBroker;
use crate::broker::{Delivery, Publisher};
use crate::domain::replay::Outgoing;
use crate::error::Unreachable;

pub(super) struct PulsarPublisher {
    producer: MultiTopicProducer<TokioExecutor>,
    url: String,
    timeout: Duration,
}

/// Whether a failed send may still have been written: the connection went or timed out (an
/// unknown outcome), rather than the broker refusing the message.
pub(super) fn outcome_unknown(e: &pulsar::Error) -> bool {
    use pulsar::error::{ConnectionError, ProducerError};
    match e {
        pulsar::Error::Connection(ConnectionError::PulsarError(..))
        | pulsar::Error::Producer(ProducerError::Connection(ConnectionError::PulsarError(..)))
        | pulsar::Error::Producer(ProducerError::Fenced | ProducerError::Custom(_))
        | pulsar::Error::Custom(_) => false,
        pulsar::Error::Producer(ProducerError::Batch(inner)) => outcome_unknown(inner),
        _ => true,
    }
}

/// Whether the broker refused for now, not for good: a topic still loading after a broker
/// restart answers ServiceNotReady until it is owned again, and pulsar-rs gives up creating a
/// producer after a few retries; a storage that is not writable yet (BookKeeper: "Not enough
/// non-faulty bookies available") answers PersistenceError when the producer's topic is loaded
/// (a CI run met it right after a restart). Nothing was written, so the message is queued again.
pub(super) fn not_ready_yet(e: &pulsar::Error) -> bool {
    use pulsar::error::{ConnectionError, ProducerError, ServiceDiscoveryError};
    use pulsar::message::proto::ServerError as E;
    let kind = match e {
        pulsar::Error::Connection(ConnectionError::PulsarError(kind, _))
        | pulsar::Error::Producer(ProducerError::Connection(ConnectionError::PulsarError(
            kind,
            _,
        )))
        | pulsar::Error::ServiceDiscovery(ServiceDiscoveryError::Query(kind, _)) => kind,
        _ => return false,
    };
    matches!(
        kind,
        Some(
            E::ServiceNotReady
                | E::PersistenceError
                | E::TooManyRequests
                | E::ProducerBusy
                | E::ProducerBlockedQuotaExceededError
                | E::ProducerBlockedQuotaExceededException
        )
    )
}

#[async_trait]
impl Publisher for PulsarPublisher {
    async fn send(&mut self, msg: Outgoing) -> anyhow::Result<Delivery> {
        let topic = PulsarBroker::full_name(&msg.topic);
        let (partition_key, b64) = match msg.key.as_deref().map(std::str::from_utf8) {
            None => (None, None),
            Some(Ok(k)) => (Some(k.to_string()), None),
            Some(Err(_)) => (
                msg.key
                    .as_deref()
                    .map(|k| base64::engine::general_purpose::STANDARD.encode(k)),
                Some(true),
            ),
        };
        let out = OutMessage {
            payload: msg.payload.unwrap_or_default(),
            // Pulsar properties are text; a header that is not UTF-8 cannot be one.
            properties: msg
                .headers
                .into_iter()
                .map(|h| {
                    (
                        h.name,
                        String::from_utf8_lossy(h.value.as_deref().unwrap_or_default())
                            .into_owned(),
                    )
                })
                .collect(),
            partition_key,
            partition_key_b64_encoded: b64,
            ..OutMessage::default()
        };
        let url = self.url.clone();
        let timeout = self.timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut attempt = self.producer.send_non_blocking(topic.clone(), out.clone());
        let queued = loop {
            let result = tokio::time::timeout_at(deadline, attempt).await;
            match result {
                Ok(Err(e)) if not_ready_yet(&e) && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    attempt = self.producer.send_non_blocking(topic.clone(), out.clone());
                }
                other => break other,
            }
        };
        let queued = match queued {
            Err(_) => {
                return Err(Unreachable::no_answer(timeout)
                    .at(format!("Pulsar at {url}"))
                    .doing(format!("queueing a message for '{topic}'"))
                    .why("the producer is not connected")
                    .into())
            }
            Ok(Err(e)) if outcome_unknown(&e) => {
                return Err(Unreachable::lost()
                    .at(format!("Pulsar at {url}"))
                    .doing(format!("queueing a message for '{topic}'"))
                    .why(e)
                    .into())
            }
            Ok(Err(e)) => {
                return Err(e).with_context(|| format!("queueing a message for '{topic}'"))
            }
            Ok(Ok(queued)) => queued,
        };
        Ok(Box::pin(async move {
            match tokio::time::timeout(timeout, queued).await {
                Err(_) => Err(Unreachable::no_answer(timeout)
                    .at(format!("Pulsar at {url}"))
                    .doing(format!("waiting for the receipt of a message to '{topic}'"))
                    .into()),
                Ok(Err(e)) if outcome_unknown(&e) => Err(Unreachable::lost()
                    .at(format!("Pulsar at {url}"))
                    .doing(format!("waiting for the receipt of a message to '{topic}'"))
                    .why(e)
                    .into()),
                Ok(Err(e)) => Err(anyhow::anyhow!("{topic}: {e}")),
                Ok(Ok(_receipt)) => Ok(()),
            }
        }))
    }

    async fn close(mut self: Box<Self>) -> anyhow::Result<()> {
        for topic in self.producer.topics() {
            let _ = tokio::time::timeout(self.timeout, self.producer.close_producer(topic)).await;
        }
        Ok(())
    }
}

impl PulsarBroker {
    pub(super) fn new_publisher(&mut self) -> PulsarPublisher {
        let producer = self
            .client
            .producer()
            .with_name(format!("dlq-{}", std::process::id()))
            .with_options(ProducerOptions {
                // Unbatched: an acknowledgement covers a whole entry (BROKERS.md), and a replayed
                // message should be one entry of its own.
                batch_size: None,
                block_queue_if_full: true,
                ..ProducerOptions::default()
            })
            .build_multi_topic();
        PulsarPublisher {
            producer,
            url: self.url.clone(),
            timeout: self.timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulsar::error::{ConnectionError, ProducerError, ServiceDiscoveryError};
    use pulsar::message::proto::ServerError as E;

    fn refused(kind: E) -> pulsar::Error {
        pulsar::Error::Connection(ConnectionError::PulsarError(Some(kind), None))
    }

    #[test]
    fn a_topic_still_loading_is_queued_again_and_a_refusal_for_good_is_not() {
        assert!(not_ready_yet(&refused(E::ServiceNotReady)));
        // BookKeeper not writable yet while the producer's topic loads.
        assert!(not_ready_yet(&pulsar::Error::Producer(
            ProducerError::Connection(ConnectionError::PulsarError(
                Some(E::PersistenceError),
                Some("Not enough non-faulty bookies available".into())
            ))
        )));
        assert!(not_ready_yet(&pulsar::Error::ServiceDiscovery(
            ServiceDiscoveryError::Query(Some(E::ServiceNotReady), None)
        )));
        assert!(not_ready_yet(&pulsar::Error::Producer(
            ProducerError::Connection(ConnectionError::PulsarError(Some(E::ProducerBusy), None))
        )));
        for for_good in [E::TopicNotFound, E::AuthorizationError, E::NotAllowedError] {
            assert!(!not_ready_yet(&refused(for_good)));
            assert!(
                !outcome_unknown(&refused(for_good)),
                "a refusal is not a lost send"
            );
        }
        // A connection that went is an unknown outcome, not a refusal to queue again.
        let gone = pulsar::Error::Connection(ConnectionError::Disconnected);
        assert!(!not_ready_yet(&gone) && outcome_unknown(&gone));
    }
}
