//! Kafka adapter (rdkafka). Reads with `assign()` and explicit offsets: an operator tool must not
//! join the group (joining takes seconds and rebalances anyone else in it) and must not commit
//! while it only looks.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

mod admin;
mod client;
mod follow;
mod group;
mod join;
mod origins;
mod publisher;
mod reader;
mod rewind;

use client::*;

use super::{
    Broker, DlqReader, Publisher, RewindPlan, RewindTarget, ScanRequest, TopicCount, TopicInfo,
};
use crate::domain::entry::{parse_kafka_id, EntryId, Record};
use crate::error::DlqError;

#[derive(Clone)]
pub(super) struct KafkaBroker {
    diagnostics: Diagnostics,
    security: KafkaSecurity,
    bootstrap: String,
    group: String,
    timeout: Duration,
}

/// TLS, SASL and the user's `-X` properties; the Kafka adapter turns them into librdkafka's
/// configuration (`kafka/client.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct KafkaSecurity {
    /// TLS (`--tls`, implied by any certificate file).
    pub tls: bool,
    /// The CA certificate(s) that sign the broker's certificate (PEM).
    pub ca_file: Option<std::path::PathBuf>,
    /// Mutual TLS: the client certificate and its private key (PEM).
    pub cert_file: Option<std::path::PathBuf>,
    pub key_file: Option<std::path::PathBuf>,
    pub sasl: Option<Sasl>,
    /// `-X KEY=VALUE`: librdkafka properties as the user gave them (kcat's -X); they win over
    /// the settings above.
    pub properties: Vec<(String, String)>,
    /// `-X` properties that hold secrets.
    pub secrets: Vec<(String, crate::secret::Secret)>,
}

/// SASL authentication. Without a password, one must come with `-X sasl.password=…`.
#[derive(Debug, Clone)]
pub(crate) struct Sasl {
    pub mechanism: SaslMechanism,
    pub username: String,
    pub password: Option<crate::secret::Secret>,
}

/// The SASL mechanisms dlq offers, by their IANA names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaslMechanism {
    Plain,
    ScramSha256,
    ScramSha512,
}

impl SaslMechanism {
    pub(crate) const NAMES: [&'static str; 3] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    pub(crate) fn name(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    /// The mechanism named `name` (any case).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [Self::Plain, Self::ScramSha256, Self::ScramSha512]
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

#[async_trait]
impl Broker for KafkaBroker {
    fn origins(&self) -> Option<Box<dyn super::OriginFetcher>> {
        Some(Box::new(origins::KafkaOrigins {
            broker: self.clone(),
            names_by_id: None,
        }))
    }

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

    async fn join(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        Ok(Box::new(self.join_reader(req).await?))
    }

    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        tokio::task::block_in_place(|| self.topic_exists_blocking(topic))
    }

    async fn list_topics(&mut self, _namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>> {
        let mut topics = tokio::task::block_in_place(|| self.list_topics_blocking())?;
        self.mark_share_group_dlqs(&mut topics).await?;
        Ok(topics)
    }

    async fn count(&mut self, topic: &str) -> anyhow::Result<Option<TopicCount>> {
        tokio::task::block_in_place(|| self.count_blocking(topic))
    }

    async fn depth(
        &mut self,
        topic: &str,
        since: jiff::Timestamp,
    ) -> anyhow::Result<Option<super::Depth>> {
        tokio::task::block_in_place(|| self.depth_blocking(topic, since)).map(Some)
    }

    async fn follow(&mut self, topic: &str) -> anyhow::Result<Box<dyn super::Follower>> {
        Ok(Box::new(tokio::task::block_in_place(|| {
            self.follow_blocking(topic)
        })?))
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
        if tokio::task::block_in_place(|| self.looks_like_share_group(group))? {
            return Err(super::ShareGroupRewind {
                group: group.to_string(),
            }
            .into());
        }
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
        self.check_cleanup_policy(topic).await
    }

    async fn delete_records(
        &mut self,
        topic: &str,
        before: &BTreeMap<i32, i64>,
    ) -> anyhow::Result<BTreeMap<i32, String>> {
        self.delete_before(topic, before).await
    }

    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>> {
        Ok(Box::new(self.new_publisher()?))
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
    fn scans_use_the_fetch_settings_the_benchmark_justified() {
        // docs/BENCHMARKS.md, "Consumer settings": change these only with a new measurement.
        let c = broker(&[]).consumer_config("dlq-cli");
        assert_eq!(c.get("fetch.wait.max.ms"), Some("50"));
        assert_eq!(c.get("queued.max.messages.kbytes"), Some("4096"));
        assert_eq!(c.get("fetch.queue.backoff.ms"), Some("5"));
    }

    #[test]
    fn tls_and_sasl_become_librdkafka_properties_and_x_wins() {
        let security = KafkaSecurity {
            tls: true,
            ca_file: Some("/etc/ca.pem".into()),
            sasl: Some(crate::broker::Sasl {
                mechanism: crate::broker::SaslMechanism::ScramSha512,
                username: "operator".into(),
                password: Some(crate::secret::Secret::new("hunter2")),
            }),
            properties: vec![(
                "ssl.endpoint.identification.algorithm".into(),
                "none".into(),
            )],
            ..KafkaSecurity::default()
        };
        let c = KafkaBroker::new("b:9093", &security, "dlq-cli", Duration::from_secs(10))
            .consumer_config("dlq-cli");
        assert_eq!(c.get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(c.get("ssl.ca.location"), Some("/etc/ca.pem"));
        assert_eq!(c.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
        assert_eq!(c.get("sasl.username"), Some("operator"));
        assert_eq!(c.get("sasl.password"), Some("hunter2"));
        assert_eq!(c.get("ssl.endpoint.identification.algorithm"), Some("none"));
        let plain = KafkaBroker::new(
            "b:9092",
            &KafkaSecurity::default(),
            "g",
            Duration::from_secs(1),
        )
        .consumer_config("g");
        assert_eq!(plain.get("security.protocol"), None);
    }
}
