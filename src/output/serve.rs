//! `dlq watch --serve ADDR`: the metrics of the last refresh over HTTP for Prometheus to scrape
//! (`/metrics`: OpenMetrics text when the scraper's Accept asks for it, else Prometheus' text
//! format) and `/healthz` (200 while refreshes succeed, 503 with the reason otherwise). Only
//! counts, topic names, error classes and fingerprints are served; never a payload or a
//! credential. Requests are not logged.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use crate::results::stats::StatsResult;
use crate::results::watch::Snapshot;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Default)]
struct Published {
    openmetrics: String,
    prometheus: String,
    /// When the last snapshot came, and why its refresh failed (per DLQ).
    at: Option<Instant>,
    failures: Vec<String>,
}

pub(crate) struct Server {
    address: SocketAddr,
    state: Arc<Mutex<Published>>,
}

impl Server {
    /// Binds now (a port in use fails before anything is read) and serves in the background.
    pub(crate) async fn bind(address: SocketAddr, interval: Duration) -> anyhow::Result<Server> {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| anyhow::anyhow!("--serve {address}: cannot listen there: {e}"))?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(Published::default()));
        // Healthy while a refresh came within three intervals (and a minute for a slow one).
        let stale_after = interval * 3 + Duration::from_secs(60);
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(respond(&state, &req, stale_after)) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Server { address, state })
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves this refresh's figures from now on.
    pub(crate) fn publish(&self, s: &Snapshot) {
        let results: Vec<(String, StatsResult)> = s
            .topics
            .iter()
            .map(|t| {
                (
                    t.topic.clone(),
                    StatsResult {
                        stats: t.stats.clone(),
                        read: 0,
                        arrival_bucket: 60,
                        chart_failures: 0,
                        retained: t.retained,
                        unhandled: Some(t.entries),
                        unhandled_only: true,
                        warnings: Vec::new(),
                    },
                )
            })
            .collect();
        let refs: Vec<(&str, &StatsResult)> =
            results.iter().map(|(t, r)| (t.as_str(), r)).collect();
        let openmetrics = super::metrics::render(&refs, true).unwrap_or_default();
        let prometheus = super::metrics::render(&refs, false).unwrap_or_default();
        let failures = s
            .topics
            .iter()
            .filter_map(|t| t.error.as_ref().map(|e| format!("{}: {e}", t.topic)))
            .collect();
        let mut p = self.state.lock().expect("the metrics lock");
        *p = Published {
            openmetrics,
            prometheus,
            at: Some(Instant::now()),
            failures,
        };
    }
}

fn response(status: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn respond(
    state: &Mutex<Published>,
    req: &Request<Incoming>,
    stale_after: Duration,
) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return response(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "GET /metrics or /healthz\n".into(),
        );
    }
    let p = state.lock().expect("the metrics lock");
    match req.uri().path() {
        "/metrics" => {
            let wants_openmetrics = req
                .headers()
                .get(hyper::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("application/openmetrics-text"));
            if wants_openmetrics {
                response(StatusCode::OK, OPENMETRICS, p.openmetrics.clone())
            } else {
                response(StatusCode::OK, PROMETHEUS, p.prometheus.clone())
            }
        }
        "/healthz" => match p.at {
            None => response(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "no refresh yet\n".into(),
            ),
            Some(at) if at.elapsed() > stale_after => response(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                format!("no refresh for {}s\n", at.elapsed().as_secs()),
            ),
            Some(_) if !p.failures.is_empty() => response(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                format!("the last refresh failed: {}\n", p.failures.join("; ")),
            ),
            Some(_) => response(StatusCode::OK, "text/plain", "ok\n".into()),
        },
        _ => response(
            StatusCode::NOT_FOUND,
            "text/plain",
            "GET /metrics or /healthz\n".into(),
        ),
    }
}
