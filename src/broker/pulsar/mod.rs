//! Pulsar adapter (pulsar-rs). An operator reads a DLQ through a durable subscription of its
//! own (default `dlq-cli`), created at the earliest position on first use. Reading never
//! acknowledges: unacknowledged messages go back to the subscription's backlog when the
//! consumer closes, so `list` and `inspect` change nothing.

use std::time::Duration;

use async_trait::async_trait;
use pulsar::{Pulsar, TokioExecutor};

mod admin;
mod client;
mod cursor;
mod follow;
mod join;
mod publisher;
mod reader;
mod rewind;

use admin::Admin;

use super::{
    Broker, DlqReader, Publisher, RewindPlan, RewindTarget, ScanRequest, TopicCount, TopicInfo,
};
use crate::domain::decode::Served;
use crate::domain::entry::{EntryId, PulsarMessageId, Record};
use crate::error::DlqError;

pub(super) struct PulsarBroker {
    client: Pulsar<TokioExecutor>,
    /// The admin REST API: namespace listings, subscription stats, cursor resets.
    admin: Admin,
    url: String,
    subscription: String,
    timeout: Duration,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PulsarSecurity {
    /// Token authentication.
    pub token: Option<crate::secret::Secret>,
    /// OAuth2 client credentials.
    pub oauth2: Option<OAuth2>,
    /// CA certificates for `pulsar+ssl://` (and an `https://` admin API).
    pub ca_file: Option<std::path::PathBuf>,
    /// The admin REST API (`--admin-url`); derived from the service URL when absent.
    pub admin_url: Option<String>,
}

/// OAuth2 client credentials (the secret stays in the key file).
#[derive(Debug, Clone)]
pub(crate) struct OAuth2 {
    pub issuer_url: String,
    pub credentials_file: std::path::PathBuf,
    pub audience: Option<String>,
    pub scope: Option<String>,
}

#[async_trait]
impl Broker for PulsarBroker {
    fn parse_id(&self, id: &str) -> Result<EntryId, DlqError> {
        id.parse::<PulsarMessageId>()
            .map(EntryId::Pulsar)
            .map_err(DlqError::Usage)
    }

    async fn open(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        Ok(Box::new(self.open_reader(req).await?))
    }

    async fn join(&mut self, req: &ScanRequest) -> anyhow::Result<Box<dyn DlqReader>> {
        Ok(Box::new(self.join_reader(req).await?))
    }

    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        self.exists(topic).await
    }

    async fn list_topics(&mut self, namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>> {
        self.namespace_topics(namespace).await
    }

    /// The operator subscription's backlog, as the admin API counts it; `None` when the
    /// subscription does not exist yet (or the admin API cannot say): then it is read through.
    async fn count(&mut self, topic: &str) -> anyhow::Result<Option<TopicCount>> {
        self.backlog_count(topic).await
    }

    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>> {
        Ok(Box::new(self.new_publisher()))
    }

    async fn follow(&mut self, topic: &str) -> anyhow::Result<Box<dyn crate::broker::Follower>> {
        Ok(Box::new(self.follow_topic(topic).await?))
    }

    async fn rewind_plan(
        &mut self,
        topic: &str,
        subscription: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        self.plan_rewind(topic, subscription, target).await
    }

    async fn rewind_apply(
        &mut self,
        topic: &str,
        subscription: &str,
        target: &RewindTarget,
        plan: &RewindPlan,
        assume_inactive: bool,
    ) -> anyhow::Result<()> {
        self.apply_rewind(topic, subscription, target, plan, assume_inactive)
            .await
    }

    async fn topic_schema(&mut self, topic: &str, version: &[u8]) -> Result<Served, String> {
        self.read_schema(topic, version).await
    }

    async fn target_schema(
        &mut self,
        topic: &str,
    ) -> anyhow::Result<Option<crate::domain::decode::TopicSchema>> {
        use crate::domain::decode::{parse_avro_schema, TopicSchema};
        let full = Self::full_name(topic);
        let Some(v) = self.admin.topic_schema_latest(&full).await? else {
            return Ok(None);
        };
        let kind = v["type"].as_str().unwrap_or("").to_ascii_uppercase();
        let definition = v["data"].as_str().unwrap_or("");
        let record = || {
            parse_avro_schema(definition).map(Box::new).map_err(|e| {
                anyhow::anyhow!("the schema of {full} is not a record definition dlq reads: {e}")
            })
        };
        Ok(Some(match kind.as_str() {
            "AVRO" => TopicSchema::Avro(record()?),
            "JSON" => TopicSchema::JsonRecord(record()?),
            _ => TopicSchema::Other,
        }))
    }

    /// Reads the operator subscription's backlog up to the entry: what `list` shows is what
    /// `inspect` finds.
    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        self.fetch_entry(topic, id).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::reader::*;
    use super::rewind::*;
    use super::*;

    #[test]
    fn ack_sets_name_the_indexes_still_outstanding() {
        assert_eq!(all_indexes(3), vec![0b111]);
        assert_eq!(all_indexes(64), vec![u64::MAX]);
        let mut w = all_indexes(66);
        assert_eq!(w, vec![u64::MAX, 0b11]);
        clear_index(&mut w, 0);
        clear_index(&mut w, 65);
        assert_eq!(w, vec![u64::MAX - 1, 0b01]);
        clear_index(&mut w, 99); // out of range: ignored
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn a_saved_mark_delete_position_is_passed_by_what_follows_it() {
        let id = |ledger, entry| PulsarMessageId {
            ledger,
            entry,
            partition: 0,
            batch_index: -1,
        };
        assert!(!after_mark(id(5, 3), "5:3").unwrap());
        assert!(after_mark(id(5, 4), "5:3").unwrap());
        assert!(after_mark(id(5, 0), "5:-1").unwrap());
        assert!(after_mark(id(6, 0), "5:9").unwrap());
        assert!(after_mark(id(5, 0), "x").is_err());
    }

    #[test]
    fn a_partly_handled_batch_is_named_and_a_whole_or_untouched_one_is_not() {
        let mut batches = HashMap::new();
        batches.insert((-1, 1, 7), (10, 0));
        assert_eq!(partial_batches_warning(&batches), None);
        batches.insert((-1, 1, 8), (10, 4));
        batches.insert((-1, 1, 9), (5, 1));
        let warning = partial_batches_warning(&batches).unwrap();
        assert!(warning.starts_with("5 message(s) handled"), "{warning}");
        assert!(warning.contains("their 2 batch(es)"), "{warning}");
    }

    #[test]
    fn repeated_deliveries_are_recognised_per_partition() {
        let id = |partition, ledger, entry, batch_index| PulsarMessageId {
            ledger,
            entry,
            partition,
            batch_index,
        };
        let mut seen = HashMap::new();
        assert!(!is_repeat(&mut seen, id(-1, 5, 0, 0)));
        assert!(!is_repeat(&mut seen, id(-1, 5, 0, 1)));
        assert!(is_repeat(&mut seen, id(-1, 5, 0, 0)), "the batch re-sent");
        assert!(is_repeat(&mut seen, id(-1, 5, 0, 1)));
        assert!(!is_repeat(&mut seen, id(-1, 5, 1, -1)), "the next entry");
        assert!(!is_repeat(&mut seen, id(2, 1, 0, -1)), "another partition");
        assert!(is_repeat(&mut seen, id(-1, 4, 9, -1)), "an older ledger");
    }

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
