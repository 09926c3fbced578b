//! The pulsar-rs client and what every role shares: authentication that names its failures,
//! TLS checks, topic names, subscriptions and errors that say the broker went away.

use std::time::Duration;

use anyhow::Context as _;
use pulsar::consumer::InitialPosition;
use pulsar::message::proto::command_get_topics_of_namespace::Mode;
use pulsar::{
    ConnectionRetryOptions, Consumer, ConsumerOptions, OperationRetryOptions, Pulsar, SubType,
    TokioExecutor,
};

use super::admin::{self, Admin};
use super::PulsarBroker;
use crate::broker::{PulsarSecurity, StartAt};
use crate::domain::entry::Partition;
use crate::error::{DlqError, Unreachable};

/// An authentication provider that keeps its last failure, so that dlq can name it: pulsar-rs
/// logs it and returns a generic connection error.
pub(super) struct Remembering {
    inner: Box<dyn pulsar::authentication::Authentication>,
    failure: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl Remembering {
    pub(super) fn remember<T>(
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
pub(super) fn tls_failure(
    url: &str,
    security: &PulsarSecurity,
    timeout: Duration,
) -> Option<String> {
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
pub(super) fn accepts_connections(url: &str, timeout: Duration) -> bool {
    let authority = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = authority.split(['/', ',']).next().unwrap_or(authority);
    std::net::ToSocketAddrs::to_socket_addrs(authority)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| std::net::TcpStream::connect_timeout(&addr, timeout).is_ok())
}

/// The certificates of a PEM bundle.
pub(super) fn pem_certificates(pem: &[u8]) -> Vec<native_tls::Certificate> {
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

/// The broker's answer to a request, when it answered with a server error.
fn server_error(e: &pulsar::Error) -> Option<pulsar::message::proto::ServerError> {
    use pulsar::error::{ConnectionError, ConsumerError};
    match e {
        pulsar::Error::Connection(ConnectionError::PulsarError(kind, _))
        | pulsar::Error::Consumer(ConsumerError::Connection(ConnectionError::PulsarError(
            kind,
            _,
        ))) => *kind,
        _ => None,
    }
}

/// The broker is up but cannot serve the topic yet: its storage (BookKeeper) refused
/// ("Not enough non-faulty bookies", just after a restart) or it is still loading. The Java
/// client retries these until its operation timeout; so does `subscribe_with`.
pub(super) fn is_not_ready(e: &pulsar::Error) -> bool {
    use pulsar::message::proto::ServerError;
    matches!(
        server_error(e),
        Some(ServerError::PersistenceError | ServerError::ServiceNotReady)
    )
}

/// The client could not authenticate (a token refused, an OAuth2 issuer that refused the client
/// or could not be discovered): a wrong secret, not an absent broker.
pub(super) fn is_authentication_failure(e: &pulsar::Error) -> bool {
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
    pub(crate) async fn connect(
        url: &str,
        security: &PulsarSecurity,
        subscription: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let admin_url = security
            .admin_url
            .clone()
            .unwrap_or_else(|| admin::default_admin_url(url));
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

    pub(super) async fn client(
        url: &str,
        timeout: Duration,
        security: &PulsarSecurity,
    ) -> anyhow::Result<Pulsar<TokioExecutor>> {
        let unreachable = |e: String| {
            Unreachable::cannot_reach(timeout)
                .at(format!("Pulsar at {url}"))
                .why(e)
        };
        let auth_failure = std::sync::Arc::new(std::sync::Mutex::new(None));
        let mut builder = Pulsar::builder(url.to_string(), TokioExecutor)
            // pulsar-rs retries connections in a loop of its own; three attempts of a third of
            // the timeout each keep a broker that went away from holding dlq much longer than
            // --timeout (with the whole timeout per attempt, a purge that lost the broker
            // mid-acknowledgement took 3× the timeout: tests/cli/faults.rs).
            .with_connection_retry_options(ConnectionRetryOptions {
                min_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                max_retries: 3,
                connection_timeout: (timeout / 3).max(Duration::from_secs(1)),
                ..ConnectionRetryOptions::default()
            })
            // An operation (a request on a connection that is up: a ping, a lookup, a send's
            // receipt) waits the whole timeout. pulsar-rs marks the connection failed when one
            // times out and rebuilds every consumer on it, so a shorter wait turned a broker
            // that paused for a third of the timeout (a GC pause, a loaded machine) into a
            // false "lost the connection" (issue #32). dlq bounds each of its own steps by the
            // timeout on top, so the retries cost no more time.
            .with_operation_retry_options(OperationRetryOptions {
                operation_timeout: timeout.max(Duration::from_secs(1)),
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
    pub(super) fn full_name(topic: &str) -> String {
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
    pub(super) fn lost_or(&self, e: pulsar::Error, what: &str) -> anyhow::Error {
        match e {
            pulsar::Error::Connection(_) | pulsar::Error::ServiceDiscovery(_) => {
                Unreachable::lost()
                    .at(format!("Pulsar at {}", self.url))
                    .doing(what)
                    .why(e)
                    .into()
            }
            e => anyhow::Error::new(e).context(what.to_string()),
        }
    }

    /// Fails with `TopicNotFound` unless the namespace lists the topic (or its partitions):
    /// subscribing would silently create a missing topic, so this is asked first.
    pub(super) async fn check_exists(&mut self, full: &str) -> anyhow::Result<()> {
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
        .map_err(|_| self.unreachable("listing the topics of the namespace"))?
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
    pub(super) async fn holders(&self, full: &str, subscription: &str) -> Option<Vec<String>> {
        let partitioned = self.admin.partitions(full).await.ok()? > 0;
        let subs = self.admin.subscriptions(full, partitioned).await.ok()?;
        Some(
            subs.get(subscription)
                .map(|s| s.consumers.clone())
                .unwrap_or_default(),
        )
    }

    /// The partition topics of `full` (`…-partition-N` with their index), or `full` itself when
    /// it is not partitioned.
    pub(super) async fn partition_topics(
        &self,
        full: &str,
    ) -> anyhow::Result<Vec<(Partition, String)>> {
        let n = self.admin.partitions(full).await?;
        Ok(if n == 0 {
            vec![(Partition::NotPartitioned, full.to_string())]
        } else {
            (0..n as i32)
                .map(|i| (Partition::Index(i), format!("{full}-partition-{i}")))
                .collect()
        })
    }

    pub(super) fn unreachable(&self, doing: &str) -> anyhow::Error {
        Unreachable::no_answer(self.timeout)
            .at(format!("Pulsar at {}", self.url))
            .doing(doing)
            .into()
    }

    /// Subscribes the operator subscription. Only one consumer may hold an Exclusive
    /// subscription: Apache Pulsar answers a second one with ConsumerBusy, and a consumer that a
    /// previous `dlq` just closed can linger a moment. A subscription the admin API shows held is
    /// refused at once, naming its consumers; otherwise a busy answer is retried until the
    /// timeout, then reported with what to do.
    pub(super) async fn subscribe(
        &self,
        full: &str,
        start: StartAt,
    ) -> anyhow::Result<Consumer<Vec<u8>, TokioExecutor>> {
        self.subscribe_with(&self.client, full, start, &self.subscription)
            .await
    }

    /// As `subscribe`, on `client`, to the subscription `name`.
    pub(super) async fn subscribe_with(
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
        self.subscribe_as(
            client,
            full,
            &subscription,
            durable,
            SubType::Exclusive,
            "dlq",
        )
        .await
    }

    /// Subscribes `client` to `subscription` as `sub_type` under `consumer_name`, waiting (with
    /// backoff, up to `--timeout`) while another consumer holds it or the broker's storage is
    /// not ready.
    pub(super) async fn subscribe_as(
        &self,
        client: &Pulsar<TokioExecutor>,
        full: &str,
        subscription: &str,
        durable: bool,
        sub_type: SubType,
        consumer_name: &str,
    ) -> anyhow::Result<Consumer<Vec<u8>, TokioExecutor>> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut backoff = Duration::from_millis(100);
        loop {
            let build = client
                .consumer()
                .with_topic(full)
                .with_subscription(subscription)
                // Exclusive keeps the backlog in order and its reader alone; Failover gives each
                // member of a joined replay whole partitions.
                .with_subscription_type(sub_type)
                .with_consumer_name(consumer_name)
                .with_batch_size(super::reader::FLOW_PERMITS)
                // A partition consumer that fails is dropped from a partitioned consumer until
                // the next topic refresh (30 s by default): come back sooner.
                .with_topic_refresh(super::reader::IDLE_END)
                .with_options(
                    ConsumerOptions::default()
                        .durable(durable)
                        .with_initial_position(InitialPosition::Earliest)
                        .with_receiver_queue_size(super::reader::RECEIVER_QUEUE as u32),
                )
                .build::<Vec<u8>>();
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let err = match tokio::time::timeout(left, build).await {
                Err(_) => return Err(self.unreachable("subscribing")),
                Ok(Ok(c)) => return Ok(c),
                Ok(Err(e)) => e,
            };
            let text = err.to_string();
            let busy = text.contains("ConsumerBusy") || text.contains("Disconnected");
            let not_ready = is_not_ready(&err);
            if !busy && !not_ready {
                return Err(err).context(format!("subscribing '{subscription}' to '{full}'"));
            }
            let out_of_time = tokio::time::Instant::now() + backoff >= deadline;
            if out_of_time && not_ready {
                return Err(Unreachable::no_answer(self.timeout)
                    .at(format!("Pulsar at {}", self.url))
                    .doing(format!("subscribing to '{full}'"))
                    .why(text)
                    .advice(
                        "its storage (BookKeeper) may still be starting, or be down: run again once \
                         `pulsar-admin brokers healthcheck` passes",
                    )
                    .into());
            }
            if out_of_time {
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
}

#[cfg(test)]
mod tests {
    use pulsar::error::{ConnectionError, ConsumerError};
    use pulsar::message::proto::ServerError;

    use super::*;

    fn answered(kind: ServerError) -> pulsar::Error {
        pulsar::Error::Consumer(ConsumerError::Connection(ConnectionError::PulsarError(
            Some(kind),
            Some("org.apache.bookkeeper.mledger.ManagedLedgerException: Not enough non-faulty bookies available".into()),
        )))
    }

    #[test]
    fn a_storage_refusal_is_waited_for_and_a_refused_subscription_is_not() {
        assert!(is_not_ready(&answered(ServerError::PersistenceError)));
        assert!(is_not_ready(&answered(ServerError::ServiceNotReady)));
        assert!(!is_not_ready(&answered(ServerError::TopicNotFound)));
        assert!(!is_not_ready(&answered(ServerError::AuthorizationError)));
        assert!(!is_not_ready(&pulsar::Error::Connection(
            ConnectionError::PulsarError(Some(ServerError::AuthenticationError), None)
        )));
    }
}
