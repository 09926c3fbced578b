//! Pulsar adapter (pulsar-rs). An operator reads a DLQ through a durable subscription of its
//! own (default `dlq-cli`), created at the earliest position on first use. Reading never
//! acknowledges: unacknowledged messages go back to the subscription's backlog when the
//! consumer closes, so `list` and `inspect` change nothing.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use base64::Engine as _;
use futures::TryStreamExt;
use jiff::Timestamp;
use pulsar::consumer::{InitialPosition, Message};
use pulsar::message::proto::command_get_topics_of_namespace::Mode;
use pulsar::message::proto::MessageIdData;
use pulsar::producer::{Message as OutMessage, MultiTopicProducer};
use pulsar::{
    ConnectionRetryOptions, Consumer, ConsumerOptions, OperationRetryOptions, ProducerOptions,
    Pulsar, SubType, TokioExecutor,
};

use super::pulsar_admin::Admin;
use super::{
    Broker, Delivery, DlqReader, Publisher, RewindPartition, RewindPlan, RewindTarget, ScanNotes,
    ScanRequest, StartAt, TopicCount, TopicInfo,
};
use crate::domain::decode::Served;
use crate::domain::entry::{EntryId, Header, PulsarMessageId, Record};
use crate::domain::replay::Outgoing;
use crate::error::DlqError;

/// Once every partition's last message has been seen the scan ends at once. A backlog whose
/// tail was already acknowledged never reaches that id, so a quiet spell this long also ends it.
const IDLE_END: Duration = Duration::from_secs(3);
/// How long a read on a throwaway subscription waits for its consumer to close.
const THROWAWAY_CLOSE: Duration = Duration::from_millis(500);
/// On a throwaway subscription, acknowledge what was read every this many messages.
const RELEASE_EVERY: u32 = 100;

pub struct PulsarBroker {
    client: Pulsar<TokioExecutor>,
    /// The admin REST API: namespace listings, subscription stats, cursor resets.
    admin: Admin,
    url: String,
    subscription: String,
    timeout: Duration,
}

/// An authentication provider that keeps its last failure, so that dlq can name it: pulsar-rs
/// logs it and returns a generic connection error.
struct Remembering {
    inner: Box<dyn pulsar::authentication::Authentication>,
    failure: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl Remembering {
    fn remember<T>(
        &self,
        r: Result<T, pulsar::error::AuthenticationError>,
    ) -> Result<T, pulsar::error::AuthenticationError> {
        if let (Err(e), Ok(mut slot)) = (&r, self.failure.lock()) {
            *slot = Some(e.to_string());
        }
        r
    }
}

#[async_trait::async_trait]
impl pulsar::authentication::Authentication for Remembering {
    fn auth_method_name(&self) -> String {
        self.inner.auth_method_name()
    }

    async fn initialize(&mut self) -> Result<(), pulsar::error::AuthenticationError> {
        let r = self.inner.initialize().await;
        self.remember(r)
    }

    async fn auth_data(&mut self) -> Result<Vec<u8>, pulsar::error::AuthenticationError> {
        let r = self.inner.auth_data().await;
        self.remember(r)
    }
}

/// pulsar-rs reports a failed TLS handshake as a generic "fatal error when connecting"; a
/// handshake of dlq's own, with the same CA and host-name check, tells what went wrong.
fn tls_failure(url: &str, security: &super::PulsarSecurity, timeout: Duration) -> Option<String> {
    let authority = url.strip_prefix("pulsar+ssl://")?;
    let authority = authority.split(['/', ',']).next()?;
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:6651")
    };
    let mut tls = native_tls::TlsConnector::builder();
    if let Some(ca) = &security.ca_file {
        let pem = std::fs::read(ca).ok()?;
        for cert in pem_certificates(&pem) {
            tls.add_root_certificate(cert);
        }
    }
    let tls = tls.build().ok()?;
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&address)
        .ok()?
        .next()?;
    let tcp = std::net::TcpStream::connect_timeout(&addr, timeout).ok()?;
    tcp.set_read_timeout(Some(timeout)).ok()?;
    match tls.connect(host.trim_matches(['[', ']']), tcp) {
        Ok(_) => None,
        Err(native_tls::HandshakeError::Failure(e)) => Some(e.to_string()),
        Err(native_tls::HandshakeError::WouldBlock(_)) => None,
    }
}

/// Whether something accepts TCP connections at the service URL's first address.
fn accepts_connections(url: &str, timeout: Duration) -> bool {
    let authority = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = authority.split(['/', ',']).next().unwrap_or(authority);
    std::net::ToSocketAddrs::to_socket_addrs(authority)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| std::net::TcpStream::connect_timeout(&addr, timeout).is_ok())
}

/// The certificates of a PEM bundle.
fn pem_certificates(pem: &[u8]) -> Vec<native_tls::Certificate> {
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(end) = rest.windows(END.len()).position(|w| w == END) {
        let (block, tail) = rest.split_at(end + END.len());
        if let Ok(c) = native_tls::Certificate::from_pem(block) {
            out.push(c);
        }
        rest = tail;
    }
    out
}

/// The client could not authenticate (a token refused, an OAuth2 issuer that refused the client
/// or could not be discovered): a wrong secret, not an absent broker.
fn is_authentication_failure(e: &pulsar::Error) -> bool {
    use pulsar::error::ConnectionError;
    use pulsar::message::proto::ServerError;
    match e {
        pulsar::Error::Authentication(_) => true,
        pulsar::Error::Connection(c) => matches!(
            c,
            ConnectionError::Authentication(_)
                | ConnectionError::PulsarError(Some(ServerError::AuthenticationError), _)
        ),
        _ => false,
    }
}

impl PulsarBroker {
    pub async fn connect(
        url: &str,
        security: &super::PulsarSecurity,
        subscription: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let admin_url = security
            .admin_url
            .clone()
            .unwrap_or_else(|| super::pulsar_admin::default_admin_url(url));
        let admin = Admin::new(
            &admin_url,
            security.token.clone(),
            security.ca_file.as_deref(),
            timeout,
        )?;
        Ok(PulsarBroker {
            client: Self::client(url, timeout, security).await?,
            admin,
            url: url.to_string(),
            subscription: subscription.to_string(),
            timeout,
        })
    }

    async fn client(
        url: &str,
        timeout: Duration,
        security: &super::PulsarSecurity,
    ) -> anyhow::Result<Pulsar<TokioExecutor>> {
        let unreachable = |e: String| {
            DlqError::Unreachable(format!(
                "cannot reach Pulsar at {url} within {}s ({e})",
                timeout.as_secs_f32()
            ))
        };
        let auth_failure = std::sync::Arc::new(std::sync::Mutex::new(None));
        let mut builder = Pulsar::builder(url.to_string(), TokioExecutor)
            // pulsar-rs retries connections and operations in loops of its own; three attempts
            // of a third of the timeout each keep a broker that went away from holding dlq much
            // longer than --timeout (with the whole timeout per attempt, a purge that lost the
            // broker mid-acknowledgement took 3× the timeout: tests/cli/faults.rs).
            .with_connection_retry_options(ConnectionRetryOptions {
                min_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                max_retries: 3,
                connection_timeout: (timeout / 3).max(Duration::from_secs(1)),
                ..ConnectionRetryOptions::default()
            })
            .with_operation_retry_options(OperationRetryOptions {
                operation_timeout: (timeout / 3).max(Duration::from_secs(1)),
                retry_delay: Duration::from_millis(200),
                max_retries: Some(3),
            });
        if let Some(token) = &security.token {
            builder = builder.with_auth(pulsar::Authentication {
                name: "token".into(),
                data: token.expose().as_bytes().to_vec(),
            });
        }
        if let Some(o) = &security.oauth2 {
            let params = pulsar::authentication::oauth2::OAuth2Params {
                issuer_url: o.issuer_url.clone(),
                credentials_url: format!("file://{}", o.credentials_file.display()),
                audience: o.audience.clone(),
                scope: o.scope.clone(),
            };
            builder = builder.with_auth_provider(Box::new(Remembering {
                inner: pulsar::authentication::oauth2::OAuth2Authentication::client_credentials(
                    params,
                ),
                failure: auth_failure.clone(),
            }));
        }
        if let Some(ca) = &security.ca_file {
            builder = builder
                .with_certificate_chain_file(ca)
                .with_context(|| format!("reading the CA certificates in {}", ca.display()))?;
        }
        let built = tokio::time::timeout(timeout, builder.build())
            .await
            .map_err(|_| unreachable("timed out".into()))?;
        let remembered = auth_failure.lock().ok().and_then(|mut f| f.take());
        built.map_err(|e| {
            // pulsar-rs reports a refused OAuth2 client as a generic "fatal error when connecting".
            if let Some(reason) = remembered {
                anyhow::anyhow!(
                    "authentication with Pulsar at {url} failed: {reason}; check --oauth2-issuer-url and \
                     the client id and secret in --oauth2-credentials-file"
                )
            } else if is_authentication_failure(&e) {
                anyhow::anyhow!(
                    "authentication with Pulsar at {url} failed ({e}); check --token-file/DLQ_PULSAR_TOKEN \
                     or --oauth2-issuer-url and the client id and secret in --oauth2-credentials-file"
                )
            } else if let Some(reason) = tls_failure(url, security, timeout) {
                anyhow::anyhow!(
                    "TLS with Pulsar at {url} failed: {reason}; check --ca-file (the CA that signed \
                     the broker's certificate) and that the host name matches the certificate"
                )
            } else if security.token.is_some() && accepts_connections(url, timeout) {
                // pulsar-rs reports the broker's AuthenticationError as a generic "fatal error when
                // connecting": the broker took the connection and refused the handshake.
                anyhow::anyhow!(
                    "authentication with Pulsar at {url} failed: the broker accepted the connection and \
                     refused the token ({e}); check --token-file/DLQ_PULSAR_TOKEN (is it signed for this \
                     cluster, and not expired?)"
                )
            } else {
                unreachable(e.to_string()).into()
            }
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

    /// A failed request: a connection that went (or never came back) is the broker lost (exit
    /// 4); anything else is an error of its own.
    fn lost_or(&self, e: pulsar::Error, what: &str) -> anyhow::Error {
        match e {
            pulsar::Error::Connection(_) | pulsar::Error::ServiceDiscovery(_) => {
                DlqError::Unreachable(format!(
                    "lost the connection to Pulsar at {} while {what} ({e})",
                    self.url
                ))
                .into()
            }
            e => anyhow::Error::new(e).context(what.to_string()),
        }
    }

    /// Fails with `TopicNotFound` unless the namespace lists the topic (or its partitions):
    /// subscribing would silently create a missing topic, so this is asked first.
    async fn check_exists(&mut self, full: &str) -> anyhow::Result<()> {
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
        .map_err(|_| self.unreachable("listing the topics of the namespace timed out"))?
        .map_err(|e| self.lost_or(e, &format!("listing the topics of namespace {tenant}/{ns}")))?;
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

    /// The consumers connected to `subscription` on `full`, when the admin API can say; `None`
    /// when it cannot (not reachable, not allowed), which callers treat as "not known".
    async fn holders(&self, full: &str, subscription: &str) -> Option<Vec<String>> {
        let partitioned = self.admin.partitions(full).await.ok()? > 0;
        let subs = self.admin.subscriptions(full, partitioned).await.ok()?;
        Some(
            subs.get(subscription)
                .map(|s| s.consumers.clone())
                .unwrap_or_default(),
        )
    }

    /// The partition topics of `full` (`…-partition-N` with their index), or `full` itself with
    /// index -1 when it is not partitioned.
    async fn partition_topics(&self, full: &str) -> anyhow::Result<Vec<(i32, String)>> {
        let n = self.admin.partitions(full).await?;
        Ok(if n == 0 {
            vec![(-1, full.to_string())]
        } else {
            (0..n as i32)
                .map(|i| (i, format!("{full}-partition-{i}")))
                .collect()
        })
    }

    fn unreachable(&self, why: &str) -> anyhow::Error {
        DlqError::Unreachable(format!(
            "Pulsar at {} did not answer within {}s ({why})",
            self.url,
            self.timeout.as_secs_f32()
        ))
        .into()
    }

    /// Subscribes the operator subscription. Only one consumer may hold an Exclusive
    /// subscription: Apache Pulsar answers a second one with ConsumerBusy, and a consumer that a
    /// previous `dlq` just closed can linger a moment. A subscription the admin API shows held is
    /// refused at once, naming its consumers; otherwise a busy answer is retried until the
    /// timeout, then reported with what to do.
    async fn subscribe(
        &self,
        full: &str,
        start: StartAt,
    ) -> anyhow::Result<Consumer<Vec<u8>, TokioExecutor>> {
        self.subscribe_with(&self.client, full, start, &self.subscription)
            .await
    }

    /// As `subscribe`, on `client`, to the subscription `name`.
    async fn subscribe_with(
        &self,
        client: &Pulsar<TokioExecutor>,
        full: &str,
        start: StartAt,
        name: &str,
    ) -> anyhow::Result<Consumer<Vec<u8>, TokioExecutor>> {
        // Everything retained: a throwaway non-durable subscription from the earliest message,
        // which leaves the operator subscription untouched.
        let (subscription, durable) = match start {
            StartAt::Unhandled => (name.to_string(), true),
            StartAt::Retained => (
                format!(
                    "dlq-peek-{}-{}",
                    std::process::id(),
                    jiff::Timestamp::now().as_millisecond()
                ),
                false,
            ),
        };
        if durable {
            if let Some(held) = self
                .holders(full, &subscription)
                .await
                .filter(|h| !h.is_empty())
            {
                return Err(anyhow::anyhow!(
                    "subscription '{subscription}' on '{full}' is held by {} consumer(s) ({}): another dlq, or a \
                     service using the same name. Wait for it, or read through another subscription with \
                     --subscription NAME",
                    held.len(),
                    held.join(", ")
                ));
            }
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut backoff = Duration::from_millis(100);
        loop {
            let build = client
                .consumer()
                .with_topic(full)
                .with_subscription(&subscription)
                // Exclusive keeps the backlog in order and its reader alone.
                .with_subscription_type(SubType::Exclusive)
                .with_consumer_name("dlq")
                .with_options(
                    ConsumerOptions::default()
                        .durable(durable)
                        .with_initial_position(InitialPosition::Earliest)
                        .with_receiver_queue_size(1000),
                )
                .build::<Vec<u8>>();
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let err = match tokio::time::timeout(left, build).await {
                Err(_) => return Err(self.unreachable("subscribing timed out")),
                Ok(Ok(c)) => return Ok(c),
                Ok(Err(e)) => e,
            };
            let text = err.to_string();
            let busy = text.contains("ConsumerBusy") || text.contains("Disconnected");
            if !busy {
                return Err(err).context(format!("subscribing '{subscription}' to '{full}'"));
            }
            if tokio::time::Instant::now() + backoff >= deadline {
                return Err(anyhow::anyhow!(
                    "subscription '{subscription}' on '{full}' is held by another consumer (another dlq, or a \
                     service using the same name) and was not released within {}s; wait for it, or use another \
                     subscription with --subscription NAME ({text})",
                    self.timeout.as_secs_f32()
                ));
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(1));
        }
    }

    async fn open_reader(&mut self, req: &ScanRequest) -> anyhow::Result<PulsarReader> {
        let full = Self::full_name(&req.topic);
        self.check_exists(&full).await?;
        // Asked only where acknowledgements follow; unknown counts as "no" (acknowledge whole
        // batches only, and say what stays).
        let batch_index_ack = req.track && self.admin.batch_index_ack().await == Some(true);
        let mut consumer = self.subscribe(&full, req.start).await?;
        let last = match tokio::time::timeout(self.timeout, consumer.get_last_message_id()).await {
            Err(_) => Err(self.unreachable("asking for the last message id timed out")),
            // Apache Pulsar answers an empty topic with (-1,-1); some brokers (pulsar-lite, the
            // stand-in used before) with this error.
            Ok(Err(e)) if e.to_string().contains("Topic has no messages") => Ok(Vec::new()),
            Ok(r) => r.context("asking for the last message id"),
        };
        let last = match last {
            Ok(last) => last,
            Err(e) => {
                let _ = tokio::time::timeout(self.timeout, consumer.close()).await;
                return Err(e);
            }
        };
        // Per partition index (-1 on a non-partitioned topic): the last id present now.
        let pending: BTreeMap<i32, MessageIdData> = last
            .into_iter()
            .filter(|id| id.entry_id != u64::MAX && (id.ledger_id as i64) >= 0)
            .map(|id| (id.partition.unwrap_or(-1), id))
            .collect();
        Ok(PulsarReader {
            consumer,
            full,
            track: req.track,
            batches: HashMap::new(),
            batch_index_ack,
            outstanding: HashMap::new(),
            delivered: HashMap::new(),
            repeats: 0,
            done: pending.is_empty(),
            throwaway: req.start == StartAt::Retained,
            throwaway_name: req.start == StartAt::Retained,
            since_release: 0,
            released: HashMap::new(),
            pending,
            partitions: req.partitions.clone(),
            since: req.since,
            url: self.url.clone(),
            timeout: self.timeout,
            lost: false,
        })
    }
}

/// Reads the operator subscription's backlog until every partition's last message (as the
/// broker reported it when the reader opened) has been seen.
pub struct PulsarReader {
    consumer: Consumer<Vec<u8>, TokioExecutor>,
    /// The topic as subscribed (partition topics are `{full}-partition-N`).
    full: String,
    track: bool,
    /// With `track`: per batched entry (partition, ledger, entry), its size and how many of its
    /// messages were handled. Pulsar acknowledges whole entries, so one is acknowledged only
    /// when all of its messages are handled.
    batches: HashMap<(i32, u64, u64), (i32, i32)>,
    /// The broker acknowledges at batch-index level: handled messages of a partly handled batch
    /// are acknowledged with an ack set (the batch indexes still outstanding).
    batch_index_ack: bool,
    /// With `batch_index_ack`: per partly handled batch, the indexes still outstanding.
    outstanding: HashMap<(i32, u64, u64), Vec<u64>>,
    pending: BTreeMap<i32, MessageIdData>,
    /// Per partition, the position (ledger, entry, batch index) of the last message delivered.
    delivered: HashMap<i32, (u64, u64, i32)>,
    /// Messages the broker delivered again, dropped.
    repeats: u64,
    /// Reading through a throwaway subscription (everything retained): nothing to keep, so
    /// what was read is acknowledged as it goes (until an acknowledgement fails).
    throwaway: bool,
    /// The subscription is a throwaway one (named for this run only).
    throwaway_name: bool,
    /// Messages read since the last acknowledgement on a throwaway subscription.
    since_release: u32,
    /// Per partition, the entry (ledger, entry) last acknowledged on a throwaway subscription.
    released: HashMap<i32, (u64, u64)>,
    done: bool,
    partitions: Vec<i32>,
    since: Option<Timestamp>,
    url: String,
    timeout: Duration,
    /// The broker went away: closing does not wait for it.
    lost: bool,
}

/// Whether `id` was delivered already: not past the last position seen in its partition (which
/// it becomes otherwise).
fn is_repeat(delivered: &mut HashMap<i32, (u64, u64, i32)>, id: PulsarMessageId) -> bool {
    let position = (id.ledger, id.entry, id.batch_index);
    match delivered.get(&id.partition) {
        Some(last) if position <= *last => true,
        _ => {
            delivered.insert(id.partition, position);
            false
        }
    }
}

/// What GetSchema answers, for the decoder.
async fn get_topic_schema(
    consumer: &mut Consumer<Vec<u8>, TokioExecutor>,
    topic: &str,
    version: &[u8],
) -> Result<Served, String> {
    use pulsar::message::proto::schema::Type;
    let answer = consumer
        .get_schema(topic, Some(version.to_vec()))
        .await
        .map_err(|e| format!("the broker did not serve the topic schema (GetSchema): {e}"))?;
    let schema = answer.ok_or("the broker has no schema of that version")?;
    match Type::try_from(schema.r#type) {
        Ok(Type::Avro) => {
            let text = String::from_utf8_lossy(&schema.schema_data);
            crate::domain::decode::parse_avro_schema(&text)
                .map(|s| Served::Avro(Box::new(s)))
                .map_err(|e| format!("the topic schema is not valid Avro: {e}"))
        }
        Ok(Type::Json) => Ok(Served::Json),
        Ok(t) => Ok(Served::Other(t.as_str_name().to_string())),
        Err(_) => Ok(Served::Other(format!("type {}", schema.r#type))),
    }
}

impl PulsarReader {
    async fn next_record(&mut self) -> anyhow::Result<Option<Record>> {
        while !self.done {
            let next = match tokio::time::timeout(IDLE_END, self.consumer.try_next()).await {
                // Quiet before every partition's last message was seen: either the rest of the
                // backlog was already acknowledged, or the broker went away. A ping tells them
                // apart (pulsar-rs reconnects on its own; the ping waits at most the timeout).
                Err(_) if !self.pending.is_empty() => {
                    self.check_connection().await?;
                    self.done = true;
                    return Ok(None);
                }
                Err(_) | Ok(Ok(None)) => {
                    self.done = true;
                    return Ok(None);
                }
                Ok(Ok(Some(m))) => m,
                Ok(Err(e @ pulsar::Error::Connection(_))) => {
                    return Err(DlqError::Unreachable(format!(
                        "lost the connection to Pulsar at {} while reading '{}' ({e})",
                        self.url, self.full
                    ))
                    .into())
                }
                Ok(Err(e)) => return Err(e).context("receiving from the subscription"),
            };
            let part = partition_index(&next);
            if self
                .pending
                .get(&part)
                .is_some_and(|last| at_or_past(&next, last))
            {
                self.pending.remove(&part);
                self.done = self.pending.is_empty();
            }
            let record = to_record(&next);
            // A broker may deliver a message again before it is acknowledged (pulsar-lite, the
            // stand-in used before, re-sent batches as flow permits arrived: a 200,000-message
            // batched DLQ read back 391,079 messages; Apache Pulsar redelivers after a reconnect). Message ids
            // grow within a partition, so anything not past the last one delivered is a repeat.
            if let EntryId::Pulsar(id) = record.id {
                if is_repeat(&mut self.delivered, id) {
                    self.repeats += 1;
                    continue;
                }
            }
            if self.throwaway {
                self.release_behind(&next).await;
            }
            if self.track {
                if let (EntryId::Pulsar(id), Some(size)) =
                    (record.id, next.message_id.batch_size.filter(|s| *s > 1))
                {
                    self.batches
                        .entry((id.partition, id.ledger, id.entry))
                        .or_insert((size, 0));
                }
            }
            let wanted = self.partitions.is_empty() || self.partitions.contains(&part);
            let too_old = self
                .since
                .is_some_and(|s| record.timestamp.is_some_and(|t| t < s));
            if wanted && !too_old {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    async fn acknowledge(&mut self, id: EntryId) -> anyhow::Result<()> {
        let EntryId::Pulsar(id) = id else {
            return Ok(());
        };
        if !self.track {
            return Ok(());
        }
        let key = (id.partition, id.ledger, id.entry);
        let topic = if id.partition >= 0 {
            format!("{}-partition-{}", self.full, id.partition)
        } else {
            self.full.clone()
        };
        let mut msg_id = MessageIdData {
            ledger_id: id.ledger,
            entry_id: id.entry,
            partition: (id.partition >= 0).then_some(id.partition),
            ..Default::default()
        };
        if let Some((size, handled)) = self.batches.get_mut(&key) {
            *handled += 1;
            if *handled < *size {
                if !self.batch_index_ack || id.batch_index < 0 {
                    // Acknowledged once the whole batch is handled (never, if it is not).
                    return Ok(());
                }
                // The broker keeps the batch's other messages: the ack set names the indexes
                // still outstanding (Java's BitSet.toLongArray layout), and the broker ANDs it
                // with what it has.
                let size = *size;
                let outstanding = self
                    .outstanding
                    .entry(key)
                    .or_insert_with(|| all_indexes(size));
                clear_index(outstanding, id.batch_index);
                msg_id.batch_index = Some(id.batch_index);
                msg_id.batch_size = Some(size);
                msg_id.ack_set = outstanding.iter().map(|w| *w as i64).collect();
            } else {
                self.batches.remove(&key);
                self.outstanding.remove(&key);
            }
        }
        let lost = |why: String| -> anyhow::Error {
            DlqError::Unreachable(format!(
                "lost the connection to Pulsar at {} while acknowledging {id} on '{}' ({why})",
                self.url, self.full
            ))
            .into()
        };
        match tokio::time::timeout(self.timeout, self.consumer.ack_with_id(&topic, msg_id)).await {
            Err(_) => Err(lost(format!(
                "no answer within {}s",
                self.timeout.as_secs_f32()
            ))),
            Ok(Err(e)) => Err(lost(e.to_string())),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// `Unreachable` (exit 4) when the broker does not answer a ping within the timeout.
    async fn check_connection(&mut self) -> anyhow::Result<()> {
        match tokio::time::timeout(self.timeout, self.consumer.check_connection()).await {
            Ok(Ok(())) => Ok(()),
            answer => Err(DlqError::Unreachable(format!(
                "lost the connection to Pulsar at {} while reading '{}' ({})",
                self.url,
                self.full,
                match answer {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {}s", self.timeout.as_secs_f32()),
                }
            ))
            .into()),
        }
    }

    /// A throwaway subscription keeps nothing, so what the scan has passed is acknowledged now
    /// and then: a broker may re-send what is delivered but unacknowledged (seen on pulsar-lite,
    /// the stand-in used before, as flow permits arrived; kept as a defence, it costs one
    /// cumulative acknowledgement per 100 messages), and each re-send costs bandwidth and memory. Housekeeping
    /// only: a refused acknowledgement stops the releasing, never the read.
    async fn release_behind(&mut self, m: &Message<Vec<u8>>) {
        self.since_release += 1;
        let id = &m.message_id.id;
        if self.since_release < RELEASE_EVERY || id.entry_id == 0 {
            return;
        }
        self.since_release = 0;
        // Every entry before this one in its partition was delivered: they come in order. A
        // batch spans many messages; its predecessor is acknowledged once.
        let passed = (partition_index(m), id.ledger_id, id.entry_id - 1);
        if self.released.get(&passed.0) == Some(&(passed.1, passed.2)) {
            return;
        }
        self.released.insert(passed.0, (passed.1, passed.2));
        let before = MessageIdData {
            ledger_id: id.ledger_id,
            entry_id: id.entry_id - 1,
            partition: id.partition,
            ..Default::default()
        };
        let answer = tokio::time::timeout(
            self.timeout,
            self.consumer.cumulative_ack_with_id(&m.topic, before),
        )
        .await;
        if !matches!(answer, Ok(Ok(()))) {
            tracing::debug!(topic = %self.full, ?answer, "acknowledging on the throwaway subscription failed; reading on without");
            self.throwaway = false;
        }
    }
}

#[async_trait]
impl DlqReader for PulsarReader {
    async fn topic_schema(&mut self, topic: &str, version: &[u8]) -> Result<Served, String> {
        get_topic_schema(&mut self.consumer, topic, version).await
    }

    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        let next = self.next_record().await;
        self.lost |= next.as_ref().is_err_and(crate::error::is_unreachable);
        next
    }

    async fn mark_handled(&mut self, id: EntryId) -> anyhow::Result<()> {
        let marked = self.acknowledge(id).await;
        self.lost |= marked.as_ref().is_err_and(crate::error::is_unreachable);
        marked
    }

    /// Acknowledgements are sent as they are made, without a receipt: pulsar-rs asks for none.
    /// (A ping here would say whether the broker is still there, but its answer queues behind
    /// the messages the connection is delivering to this consumer while the consumer waits for
    /// it: seen as a false "no answer within 5s" in tests/cli/faults.rs.)
    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        Ok(())
    }

    /// Closes, acknowledging nothing more: whatever was not marked handled returns to the backlog.
    async fn close(mut self: Box<Self>) -> anyhow::Result<ScanNotes> {
        if self.repeats > 0 {
            tracing::info!(topic = %self.full, repeats = self.repeats, "dropped messages the broker delivered again");
        }
        // A throwaway subscription is never used again, so its close is not worth waiting for:
        // the broker drops the consumer with the connection anyway. pulsar-rs sometimes never
        // completes the close while the broker floods a batched topic (seen on pulsar-lite, the
        // stand-in used before: `list --all --limit 50` waited the whole timeout in 4 runs of 12).
        // Any other subscription is waited for: the same run may subscribe it again (replay's
        // second pass, a rewind), and an unfinished close would hold it.
        let wait = if self.lost {
            Duration::ZERO
        } else if self.throwaway_name {
            self.timeout.min(THROWAWAY_CLOSE)
        } else {
            self.timeout
        };
        if tokio::time::timeout(wait, self.consumer.close())
            .await
            .is_err()
        {
            tracing::debug!(topic = %self.full, "the consumer did not close in time; dropping it");
        }
        let mut notes = ScanNotes::default();
        if self.batch_index_ack {
            notes.warnings.extend(batch_index_acks_note(&self.batches));
        } else {
            notes
                .warnings
                .extend(partial_batches_warning(&self.batches));
        }
        Ok(notes)
    }
}

/// A bit set holding indexes `0..size`, as 64-bit words (bit i of word i / 64).
fn all_indexes(size: i32) -> Vec<u64> {
    let size = size.max(0) as usize;
    let mut words = vec![u64::MAX; size / 64];
    if size % 64 != 0 {
        words.push((1u64 << (size % 64)) - 1);
    }
    words
}

fn clear_index(words: &mut [u64], index: i32) {
    if let Some(w) = words.get_mut(index as usize / 64) {
        *w &= !(1u64 << (index as usize % 64));
    }
}

/// Pulsar acknowledges a batch as a whole (unless the broker acknowledges at batch-index level): messages handled in a batch that also holds messages
/// this run did not handle stay in the backlog, and a later run offers them again.
fn partial_batches_warning(batches: &HashMap<(i32, u64, u64), (i32, i32)>) -> Option<String> {
    let (messages, batches) = batches
        .values()
        .filter(|(_, handled)| *handled > 0)
        .fold((0i64, 0u32), |(m, b), (_, handled)| {
            (m + i64::from(*handled), b + 1)
        });
    (messages > 0).then(|| {
        format!(
            "{messages} message(s) handled by this run stay in the backlog: this broker acknowledges \
             a batch only as a whole (acknowledgmentAtBatchIndexLevelEnabled is off, or its admin API \
             did not say), and their {batches} batch(es) also hold messages this run did not handle. \
             Later runs show them again, and a replay would send them again (each copy carries \
             dlq-replay-of, so duplicates can be told apart)"
        )
    })
}

/// With batch-index acknowledgement the broker keeps exactly the rest of a partly handled batch,
/// and clients that read ack sets (Java, C++, Go) never see the handled messages again. The pulsar
/// crate drops the ack set the broker sends with such a batch, so dlq's own later reads still
/// show them.
fn batch_index_acks_note(batches: &HashMap<(i32, u64, u64), (i32, i32)>) -> Option<String> {
    let messages: i64 = batches
        .values()
        .filter(|(_, handled)| *handled > 0)
        .map(|(_, handled)| i64::from(*handled))
        .sum();
    (messages > 0).then(|| {
        format!(
            "{messages} message(s) handled by this run were acknowledged by batch index (their batches \
             also hold messages this run did not handle): the broker keeps exactly the rest, but dlq's \
             own later reads of this subscription still show them (the pulsar crate ignores the ack set \
             the broker sends with a partly acknowledged batch); a replay would send them again, each \
             copy carrying dlq-replay-of"
        )
    })
}

struct PulsarPublisher {
    producer: MultiTopicProducer<TokioExecutor>,
    url: String,
    timeout: Duration,
}

/// Whether a failed send may still have been written: the connection went or timed out (an
/// unknown outcome), rather than the broker refusing the message.
fn outcome_unknown(e: &pulsar::Error) -> bool {
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
        let queued = match tokio::time::timeout(
            timeout,
            self.producer.send_non_blocking(topic.clone(), out),
        )
        .await
        {
            Err(_) => {
                return Err(DlqError::Unreachable(format!(
                    "Pulsar at {url} took no message for '{topic}' within {}s (the producer is not connected)",
                    timeout.as_secs_f32()
                ))
                .into())
            }
            Ok(Err(e)) if outcome_unknown(&e) => {
                return Err(DlqError::Unreachable(format!(
                    "Pulsar at {url} took no message for '{topic}' ({e})"
                ))
                .into())
            }
            Ok(Err(e)) => return Err(e).with_context(|| format!("queueing a message for '{topic}'")),
            Ok(Ok(queued)) => queued,
        };
        Ok(Box::pin(async move {
            match tokio::time::timeout(timeout, queued).await {
                Err(_) => Err(DlqError::Unreachable(format!(
                    "Pulsar at {url} sent no receipt for a message to '{topic}' within {}s",
                    timeout.as_secs_f32()
                ))
                .into()),
                Ok(Err(e)) if outcome_unknown(&e) => Err(DlqError::Unreachable(format!(
                    "Pulsar at {url} sent no receipt for a message to '{topic}' ({e})"
                ))
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
        schema_version: md.schema_version.clone().filter(|v| !v.is_empty()),
    }
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

    async fn topic_exists(&mut self, topic: &str) -> anyhow::Result<Option<bool>> {
        match self.check_exists(&Self::full_name(topic)).await {
            Ok(()) => Ok(Some(true)),
            Err(e)
                if matches!(
                    e.downcast_ref::<DlqError>(),
                    Some(DlqError::TopicNotFound { .. })
                ) =>
            {
                Ok(Some(false))
            }
            Err(e) => Err(e),
        }
    }

    async fn list_topics(&mut self, namespace: Option<&str>) -> anyhow::Result<Vec<TopicInfo>> {
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
                .map_err(|_| self.unreachable("listing the topics of the namespace timed out"))?
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
            .map(|(name, partitions)| TopicInfo { name, partitions })
            .collect())
    }

    /// The operator subscription's backlog, as the admin API counts it; `None` when the
    /// subscription does not exist yet (or the admin API cannot say): then it is read through.
    async fn count(&mut self, topic: &str) -> anyhow::Result<Option<TopicCount>> {
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

    async fn publisher(&mut self) -> anyhow::Result<Box<dyn Publisher>> {
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
        Ok(Box::new(PulsarPublisher {
            producer,
            url: self.url.clone(),
            timeout: self.timeout,
        }))
    }

    async fn rewind_plan(
        &mut self,
        topic: &str,
        subscription: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        let full = Self::full_name(topic);
        self.check_exists(&full).await?;
        let partitions = self.partition_topics(&full).await?;
        if let RewindTarget::Positions(saved) = target {
            let known: Vec<i32> = partitions.iter().map(|(i, _)| *i).collect();
            if let Some(p) = saved.keys().find(|p| !known.contains(p)) {
                anyhow::bail!(
                    "the positions file names partition {p}, which '{full}' does not have"
                );
            }
        }
        let mut rows: BTreeMap<i32, RewindPartition> = BTreeMap::new();
        for (i, partition_topic) in &partitions {
            let mark = self
                .admin
                .mark_delete(partition_topic, subscription)
                .await?;
            let Some((ledger, entry)) = mark else {
                anyhow::bail!(
                    "subscription '{subscription}' does not exist on '{partition_topic}'; a rewind moves an \
                     existing subscription (the service's), it does not create one"
                );
            };
            rows.insert(
                *i,
                RewindPartition {
                    partition: *i,
                    current: Some(format!("acknowledged up to {ledger}:{entry}")),
                    saved: Some(format!("{ledger}:{entry}")),
                    target: None,
                    target_timestamp: None,
                    new_position: "end".into(),
                    reprocess: 0,
                    apply_position: None,
                },
            );
        }
        // A throwaway non-durable read of everything retained (the subscription is not touched):
        // per partition, the first message at or after the time, or after the saved position,
        // and how many follow it.
        let mut reader = Box::new(
            self.open_reader(&ScanRequest {
                topic: topic.to_string(),
                start: StartAt::Retained,
                ..ScanRequest::default()
            })
            .await?,
        );
        let read: anyhow::Result<()> = async {
            while let Some(r) = reader.next().await? {
                let EntryId::Pulsar(id) = r.id else { continue };
                let Some(row) = rows.get_mut(&id.partition) else {
                    continue;
                };
                if row.target.is_none() {
                    let starts_here = match target {
                        RewindTarget::Since(since) => r.timestamp.is_some_and(|t| t >= *since),
                        RewindTarget::Positions(saved) => match saved.get(&id.partition) {
                            Some(Some(pos)) => after_mark(id, pos)?,
                            // Nothing saved for it: this partition stays where it is.
                            _ => false,
                        },
                    };
                    if starts_here {
                        row.target = Some(r.id);
                        row.target_timestamp = r.timestamp;
                        row.new_position = r.id.to_string();
                    }
                }
                if row.target.is_some() {
                    row.reprocess += 1;
                }
            }
            Ok(())
        }
        .await;
        reader.close().await?;
        read?;
        if let RewindTarget::Positions(saved) = target {
            // Partitions without a saved position are left alone.
            rows.retain(|p, _| matches!(saved.get(p), Some(Some(_))));
        }
        let blocked = match self.holders(&full, subscription).await {
            Some(held) if !held.is_empty() => Some(format!(
                "subscription '{subscription}' on '{full}' has {} connected consumer(s) ({}); a cursor moved \
                 under them is not seen by what they already fetched. Stop them, then rewind",
                held.len(),
                held.join(", ")
            )),
            _ => None,
        };
        Ok(RewindPlan {
            partitions: rows.into_values().collect(),
            blocked,
            unverified: None,
        })
    }

    async fn rewind_apply(
        &mut self,
        topic: &str,
        subscription: &str,
        _target: &RewindTarget,
        plan: &RewindPlan,
        _assume_inactive: bool,
    ) -> anyhow::Result<()> {
        let full = Self::full_name(topic);
        // Checked again: a consumer may have connected since the plan was shown.
        if let Some(held) = self
            .holders(&full, subscription)
            .await
            .filter(|h| !h.is_empty())
        {
            anyhow::bail!(
                "subscription '{subscription}' on '{full}' has {} connected consumer(s) ({}); nothing was changed",
                held.len(),
                held.join(", ")
            );
        }
        let partitions: BTreeMap<i32, String> =
            self.partition_topics(&full).await?.into_iter().collect();
        // Partition by partition: the admin API refuses a reset by message id on a partitioned
        // topic as a whole.
        let mut moved: Vec<String> = Vec::new();
        for row in &plan.partitions {
            let Some(partition_topic) = partitions.get(&row.partition) else {
                continue;
            };
            if !moved.is_empty() {
                fail::fail_point!("rewind-between-partitions", |_| Ok(()));
            }
            let done = match row.target {
                Some(EntryId::Pulsar(id)) => {
                    self.admin
                        .reset_cursor(partition_topic, subscription, &id)
                        .await
                }
                // Nothing that recent (or after the saved position): to the end.
                _ => self.admin.skip_all(partition_topic, subscription).await,
            };
            if let Err(e) = done {
                return Err(e.context(format!(
                    "moving subscription '{subscription}' partition by partition; moved before the failure: {}; \
                     the positions file saved before the change puts them back",
                    if moved.is_empty() {
                        "none".to_string()
                    } else {
                        moved.join(", ")
                    }
                )));
            }
            moved.push(row.partition.to_string());
        }
        Ok(())
    }

    /// Reads the operator subscription's backlog up to the entry: what `list` shows is what
    /// `inspect` finds.
    async fn topic_schema(&mut self, topic: &str, version: &[u8]) -> Result<Served, String> {
        let req = ScanRequest {
            topic: topic.to_string(),
            ..ScanRequest::default()
        };
        let mut reader = self.open_reader(&req).await.map_err(|e| e.to_string())?;
        let served = get_topic_schema(&mut reader.consumer, topic, version).await;
        let _ = Box::new(reader).close().await;
        served
    }

    async fn fetch(&mut self, topic: &str, id: EntryId) -> anyhow::Result<Record> {
        let req = ScanRequest {
            topic: topic.to_string(),
            ..ScanRequest::default()
        };
        let mut reader = Box::new(self.open_reader(&req).await?);
        let mut found = None;
        let read = loop {
            match reader.next().await {
                Ok(Some(r)) if r.id == id => {
                    found = Some(r);
                    break Ok(());
                }
                Ok(Some(_)) => {}
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let notes = reader.close().await?;
        read?;
        found.ok_or_else(|| {
            let mut msg = format!(
                "no entry {id} in the backlog of subscription '{}' on '{}'",
                self.subscription,
                Self::full_name(topic)
            );
            for w in notes.warnings {
                msg.push('\n');
                msg.push_str(&w);
            }
            DlqError::NotFound(msg).into()
        })
    }
}

/// Whether `id` comes after the saved mark-delete position `LEDGER:ENTRY` (entry -1: nothing
/// of that ledger was acknowledged).
fn after_mark(id: PulsarMessageId, saved: &str) -> anyhow::Result<bool> {
    let bad = || {
        DlqError::Usage(format!(
            "the positions file gives '{saved}'; a Pulsar position is LEDGER:ENTRY (the mark-delete position)"
        ))
    };
    let (l, e) = saved.split_once(':').ok_or_else(bad)?;
    let ledger: u64 = l.parse().map_err(|_| bad())?;
    let entry: i64 = e.parse().map_err(|_| bad())?;
    Ok((id.ledger, id.entry as i64) > (ledger, entry))
}

#[cfg(test)]
mod tests {
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
