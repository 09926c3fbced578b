//! Pulsar's admin REST API (`/admin/v2`), for what the binary protocol does not offer: listing a
//! namespace with partition counts and backlogs, a subscription's consumers and positions, and
//! moving a subscription's cursor partition by partition (the API refuses a reset by message id
//! on a partitioned topic as a whole).
//!
//! The same token and CA as the binary protocol are used. The URL comes from `--admin-url`
//! (`DLQ_PULSAR_ADMIN_URL`); without it, from the service URL: `pulsar://HOST:PORT` →
//! `http://HOST:8080`, `pulsar+ssl://HOST:PORT` → `https://HOST:8443` (Pulsar's default ports).

use std::time::Duration;

use anyhow::Context as _;
use serde::Deserialize;
use serde_json::Value;

use super::PulsarBroker;
use crate::broker::{TopicCount, TopicInfo};
use crate::domain::entry::PulsarMessageId;
use crate::error::{DlqError, Unreachable};
use pulsar::message::proto::command_get_topics_of_namespace::Mode;
use std::collections::BTreeMap;

/// `persistent://tenant/ns/topic` → `persistent/tenant/ns/topic` (the REST path form).
pub(super) fn rest_path(full: &str) -> String {
    full.replacen("://", "/", 1)
}

/// The admin URL Pulsar's defaults give for a service URL.
pub(crate) fn default_admin_url(service_url: &str) -> String {
    let (scheme, rest) = service_url
        .split_once("://")
        .unwrap_or(("pulsar", service_url));
    let host = rest
        .split([',', '/'])
        .next()
        .unwrap_or(rest)
        .rsplit_once(':')
        .map_or(rest, |(h, _)| h);
    if scheme == "pulsar+ssl" {
        format!("https://{host}:8443")
    } else {
        format!("http://{host}:8080")
    }
}

#[derive(Clone)]
pub(crate) struct Admin {
    base: String,
    http: reqwest::Client,
    token: Option<crate::secret::Secret>,
    timeout: Duration,
}

/// One subscription of a topic (or of one partition), from the topic's stats.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SubscriptionStats {
    pub backlog: u64,
    /// Names of the connected consumers (empty: nobody is reading).
    pub consumers: Vec<String>,
}

/// One partition of a Failover subscription, from the topic's stats.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FailoverView {
    /// The consumer the broker delivers this partition to.
    pub active: Option<String>,
    /// The consumers connected.
    pub consumers: Vec<String>,
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PartitionedMetadata {
    partitions: u32,
}

impl Admin {
    pub(crate) fn new(
        base: &str,
        token: Option<crate::secret::Secret>,
        ca_file: Option<&std::path::Path>,
        timeout: Duration,
    ) -> anyhow::Result<Admin> {
        let mut http = reqwest::Client::builder().timeout(timeout);
        if let Some(ca) = ca_file {
            let pem = std::fs::read(ca)
                .with_context(|| format!("reading the CA certificates in {}", ca.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("reading the CA certificates in {}", ca.display()))?
            {
                http = http.add_root_certificate(cert);
            }
        }
        Ok(Admin {
            base: base.trim_end_matches('/').to_string(),
            http: http.build().context("building the HTTP client")?,
            token,
            timeout,
        })
    }

    pub(super) async fn send(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> anyhow::Result<Value> {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t.expose()),
            None => req,
        };
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() || e.is_connect() {
                Unreachable::no_answer(self.timeout)
                    .at(format!("the Pulsar admin API at {}", self.base))
                    .doing(what)
                    .why(e)
                    .advice("set --admin-url (DLQ_PULSAR_ADMIN_URL) if it is elsewhere")
                    .into()
            } else {
                anyhow::anyhow!(
                    "the Pulsar admin API at {} failed while {what}: {e}",
                    self.base
                )
            }
        })?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(DlqError::NotFound(format!(
                "the Pulsar admin API at {} answered 404 while {what}: {}",
                self.base,
                reason(&body)
            ))
            .into());
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            anyhow::bail!(
                "the Pulsar admin API at {} refused dlq ({status}) while {what}: {}; check --token-file/DLQ_PULSAR_TOKEN",
                self.base,
                reason(&body)
            );
        }
        if !status.is_success() {
            anyhow::bail!(
                "the Pulsar admin API at {} answered {status} while {what}: {}",
                self.base,
                reason(&body)
            );
        }
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&body)
            .with_context(|| format!("reading the Pulsar admin API's answer while {what}"))
    }

    pub(super) async fn get(&self, path: &str, what: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base)), what)
            .await
    }

    /// The topic's latest schema (`GET /admin/v2/schemas/{tenant}/{namespace}/{topic}/schema`):
    /// its type and definition; `None` when it has none.
    pub(crate) async fn topic_schema_latest(&self, full: &str) -> anyhow::Result<Option<Value>> {
        let path = rest_path(full);
        let short = path.split_once('/').map_or(path.as_str(), |(_, rest)| rest);
        match self
            .get(
                &format!("/admin/v2/schemas/{short}/schema"),
                &format!("reading the schema of {full}"),
            )
            .await
        {
            Ok(v) => Ok(Some(v)),
            Err(e) if matches!(e.downcast_ref::<DlqError>(), Some(DlqError::NotFound(_))) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// 0 for a non-partitioned topic (or one that does not exist).
    pub(crate) async fn partitions(&self, full: &str) -> anyhow::Result<u32> {
        let v = self
            .get(
                &format!("/admin/v2/{}/partitions", rest_path(full)),
                &format!("reading the partitions of {full}"),
            )
            .await?;
        let m: PartitionedMetadata = serde_json::from_value(v)?;
        Ok(m.partitions)
    }

    /// The namespace's persistent topics, partitions of a partitioned topic included as
    /// `…-partition-N`, plus the partitioned topics by their base names.
    pub(crate) async fn list(&self, namespace: &str) -> anyhow::Result<(Vec<String>, Vec<String>)> {
        let what = format!("listing the topics of {namespace}");
        let all = self
            .get(&format!("/admin/v2/persistent/{namespace}"), &what)
            .await?;
        let partitioned = self
            .get(
                &format!("/admin/v2/persistent/{namespace}/partitioned"),
                &what,
            )
            .await?;
        let names = |v: Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok((names(all), names(partitioned)))
    }

    /// Per subscription, its backlog and consumers, summed over the partitions of a
    /// partitioned topic (`partitioned-stats`).
    pub(crate) async fn subscriptions(
        &self,
        full: &str,
        partitioned: bool,
    ) -> anyhow::Result<std::collections::BTreeMap<String, SubscriptionStats>> {
        let path = if partitioned {
            format!("/admin/v2/{}/partitioned-stats", rest_path(full))
        } else {
            format!("/admin/v2/{}/stats", rest_path(full))
        };
        let v = self
            .get(&path, &format!("reading the stats of {full}"))
            .await?;
        let mut out = std::collections::BTreeMap::new();
        if let Some(subs) = v["subscriptions"].as_object() {
            for (name, s) in subs {
                let consumers = s["consumers"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .map(|c| c["consumerName"].as_str().unwrap_or("?").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(
                    name.clone(),
                    SubscriptionStats {
                        backlog: s["msgBacklog"].as_u64().unwrap_or(0),
                        consumers,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Per partition of a partitioned topic, `subscription` as a Failover subscription shows
    /// it (`partitioned-stats?perPartition=true`): the consumer the broker delivers to, those
    /// connected, and the subscription's properties.
    pub(crate) async fn failover_view(
        &self,
        full: &str,
        subscription: &str,
    ) -> anyhow::Result<BTreeMap<i32, FailoverView>> {
        let v = self
            .get(
                &format!(
                    "/admin/v2/{}/partitioned-stats?perPartition=true",
                    rest_path(full)
                ),
                &format!("reading the stats of {full}"),
            )
            .await?;
        let mut out = BTreeMap::new();
        for (topic, stats) in v["partitions"].as_object().into_iter().flatten() {
            let Some(p) = topic
                .rsplit_once("-partition-")
                .and_then(|(_, n)| n.parse::<i32>().ok())
            else {
                continue;
            };
            let s = &stats["subscriptions"][subscription];
            let text = |v: &Value| v.as_str().map(String::from);
            out.insert(
                p,
                FailoverView {
                    active: text(&s["activeConsumerName"]),
                    consumers: s["consumers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| text(&c["consumerName"]))
                        .collect(),
                    properties: s["subscriptionProperties"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
                        .collect(),
                },
            );
        }
        Ok(out)
    }

    /// Replaces the properties of `subscription` on one (partition) topic (Pulsar 2.11+).
    pub(crate) async fn set_subscription_properties(
        &self,
        topic: &str,
        subscription: &str,
        properties: &BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let body = serde_json::to_string(properties)?;
        self.send(
            self.http
                .put(format!(
                    "{}/admin/v2/{}/subscription/{}/properties",
                    self.base,
                    rest_path(topic),
                    encode(subscription)
                ))
                .header("content-type", "application/json")
                .body(body),
            &format!("writing the properties of subscription '{subscription}' on {topic}"),
        )
        .await
        .map(drop)
    }

    /// Whether the broker acknowledges at batch-index level (`acknowledgmentAtBatchIndexLevelEnabled`,
    /// a static setting; on by default from Pulsar 4.1). `None` when the admin API does not say.
    pub(crate) async fn batch_index_ack(&self) -> Option<bool> {
        let v = self
            .get(
                "/admin/v2/brokers/configuration/runtime",
                "reading the broker's configuration",
            )
            .await
            .ok()?;
        v["acknowledgmentAtBatchIndexLevelEnabled"]
            .as_str()
            .and_then(|b| b.parse().ok())
    }

    /// The subscription's mark-delete position on one (partition) topic: everything up to and
    /// including it is acknowledged. `None` when the topic has no such cursor.
    pub(crate) async fn mark_delete(
        &self,
        topic: &str,
        subscription: &str,
    ) -> anyhow::Result<Option<(u64, i64)>> {
        let v = self
            .get(
                &format!("/admin/v2/{}/internalStats", rest_path(topic)),
                &format!("reading the cursors of {topic}"),
            )
            .await?;
        Ok(v["cursors"][subscription]["markDeletePosition"]
            .as_str()
            .and_then(|p| p.split_once(':'))
            .and_then(|(l, e)| Some((l.parse().ok()?, e.parse().ok()?))))
    }

    /// The subscription's cursor on one (partition) topic: what it has acknowledged. `None` when
    /// the topic has no such cursor.
    pub(super) async fn cursor(
        &self,
        topic: &str,
        subscription: &str,
    ) -> anyhow::Result<Option<super::cursor::Cursor>> {
        let v = self
            .get(
                &format!("/admin/v2/{}/internalStats", rest_path(topic)),
                &format!("reading the cursors of {topic}"),
            )
            .await?;
        Ok(super::cursor::Cursor::from_internal_stats(&v, subscription))
    }

    /// Moves the subscription on one non-partitioned (or partition) topic so that `id` is the
    /// first message it delivers.
    pub(crate) async fn reset_cursor(
        &self,
        topic: &str,
        subscription: &str,
        id: &PulsarMessageId,
    ) -> anyhow::Result<()> {
        let body = serde_json::json!({
            "ledgerId": id.ledger,
            "entryId": id.entry,
            "partitionIndex": -1,
            "isExcluded": false,
        });
        self.send(
            self.http
                .post(format!(
                    "{}/admin/v2/{}/subscription/{}/resetcursor",
                    self.base,
                    rest_path(topic),
                    encode(subscription)
                ))
                .header("content-type", "application/json")
                .body(body.to_string()),
            &format!("moving subscription '{subscription}' of {topic} to {id}"),
        )
        .await
        .map(drop)
    }

    /// Moves the subscription on one (partition) topic past everything: nothing left to read.
    pub(crate) async fn skip_all(&self, topic: &str, subscription: &str) -> anyhow::Result<()> {
        self.send(
            self.http.post(format!(
                "{}/admin/v2/{}/subscription/{}/skip_all",
                self.base,
                rest_path(topic),
                encode(subscription)
            )),
            &format!("moving subscription '{subscription}' of {topic} to the end"),
        )
        .await
        .map(drop)
    }
}

/// A subscription name as one URL path segment.
pub(super) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Pulsar's error body is `{"reason": "…"}`; anything else is shown cut short.
pub(super) fn reason(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["reason"].as_str().map(String::from))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

impl PulsarBroker {
    pub(super) async fn exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        crate::broker::exists_from(self.check_exists(&Self::full_name(topic)).await)
    }

    pub(super) async fn namespace_topics(
        &mut self,
        namespace: Option<&str>,
    ) -> anyhow::Result<Vec<TopicInfo>> {
        let ns = namespace.unwrap_or("public/default");
        // The admin API names partitioned topics once; the binary protocol only lists their
        // partitions, so it is the fallback where the admin API cannot be reached.
        let names = match self.admin.list(ns).await {
            Ok((all, partitioned)) => all.into_iter().chain(partitioned).collect::<Vec<_>>(),
            Err(admin_error) => {
                tracing::debug!(error = %admin_error, "admin listing failed; asking the broker");
                tokio::time::timeout(
                    self.timeout,
                    self.client
                        .get_topics_of_namespace(ns.to_string(), Mode::Persistent),
                )
                .await
                .map_err(|_| self.unreachable("listing the topics of the namespace"))?
                .map_err(|e| self.lost_or(e, &format!("listing the topics of namespace {ns}")))?
            }
        };
        let mut grouped: BTreeMap<String, u32> = BTreeMap::new();
        for name in names {
            match name.rsplit_once("-partition-") {
                Some((base, n)) if n.parse::<u32>().is_ok() => {
                    *grouped.entry(base.to_string()).or_default() += 1;
                }
                _ => {
                    grouped.entry(name).or_default();
                }
            }
        }
        Ok(grouped
            .into_iter()
            .map(|(name, partitions)| TopicInfo {
                name,
                partitions,
                dlq_by_config: None,
            })
            .collect())
    }

    /// The operator subscription's backlog, as the admin API counts it; `None` when the
    /// subscription does not exist yet (or the admin API cannot say): then it is read through.
    pub(super) async fn backlog_count(
        &mut self,
        topic: &str,
    ) -> anyhow::Result<Option<TopicCount>> {
        let full = Self::full_name(topic);
        let Ok(n) = self.admin.partitions(&full).await else {
            return Ok(None);
        };
        let Ok(subs) = self.admin.subscriptions(&full, n > 0).await else {
            return Ok(None);
        };
        Ok(subs.get(&self.subscription).map(|s| TopicCount {
            retained: None,
            unhandled: s.backlog,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn the_default_admin_url_follows_the_service_url() {
        assert_eq!(
            default_admin_url("pulsar://broker.example:6650"),
            "http://broker.example:8080"
        );
        assert_eq!(
            default_admin_url("pulsar+ssl://10.0.0.1:6651/"),
            "https://10.0.0.1:8443"
        );
        assert_eq!(
            rest_path("persistent://public/default/x"),
            "persistent/public/default/x"
        );
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    pub(super) fn error_bodies_are_read_for_their_reason() {
        assert_eq!(reason(r#"{"reason":"Topic not found"}"#), "Topic not found");
        assert_eq!(reason("plain"), "plain");
    }
}
