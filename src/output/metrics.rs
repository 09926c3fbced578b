//! `stats -o openmetrics` / `-o prometheus`: a DLQ's counts as metrics, for a Prometheus
//! textfile collector or a scraper (OpenMetrics text through the `prometheus-client` crate).
//! Label values are topic names, error classes and fingerprints, never payloads; cardinality is
//! bounded (`MAX_LABELS` values a dimension, the rest summed under `(other)`).

use std::io::{self, Write};
use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::domain::stats::{Counts, OTHER};
use crate::results::stats::StatsResult;

/// Values a labelled dimension shows; the rest count under `(other)`.
pub(crate) const MAX_LABELS: usize = 50;

type Labels = Vec<(String, String)>;
type IntFamily = Family<Labels, Gauge<i64>>;
type FloatFamily = Family<Labels, Gauge<f64, AtomicU64>>;

fn gauge(registry: &mut Registry, name: &str, help: &str) -> IntFamily {
    let family = IntFamily::default();
    registry.register(name, help, family.clone());
    family
}

fn seconds(registry: &mut Registry, name: &str, help: &str) -> FloatFamily {
    let family = FloatFamily::default();
    registry.register(name, help, family.clone());
    family
}

/// The top `MAX_LABELS` values of a dimension, the rest summed as `(other)`.
fn bounded(c: &Counts) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    let mut other = 0u64;
    for (i, (value, n)) in c.sorted().into_iter().enumerate() {
        let value = value.unwrap_or_else(|| "(unknown)".to_string());
        if i < MAX_LABELS && value != OTHER {
            out.push((value, n));
        } else {
            other += n;
        }
    }
    if other > 0 {
        out.push((OTHER.to_string(), other));
    }
    out
}

/// Writes the metrics of one topic: OpenMetrics text (`openmetrics`), else Prometheus' text
/// format.
pub(crate) fn stats(
    topic: &str,
    r: &StatsResult,
    openmetrics: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(render(&[(topic, r)], openmetrics)?.as_bytes())
}

/// The metrics of several topics in one exposition (`dlq watch --serve`): each family once,
/// a `topic` label apart.
pub(crate) fn render(topics: &[(&str, &StatsResult)], openmetrics: bool) -> io::Result<String> {
    let mut registry = Registry::default();
    let retained = gauge(
        &mut registry,
        "dlq_entries",
        "Entries the broker retains in the DLQ",
    );
    let unhandled = gauge(
        &mut registry,
        "dlq_unhandled_entries",
        "Entries the operator group or subscription has not handled (replayed or purged)",
    );
    let oldest = seconds(
        &mut registry,
        "dlq_oldest_entry_timestamp_seconds",
        "The DLQ time of the oldest entry counted",
    );
    let newest = seconds(
        &mut registry,
        "dlq_newest_entry_timestamp_seconds",
        "The DLQ time of the newest entry counted",
    );
    let bytes = gauge(
        &mut registry,
        "dlq_payload_bytes",
        "Payload bytes of the entries counted",
    );
    let by_class = gauge(
        &mut registry,
        "dlq_entries_by_error_class",
        "Entries counted, by error class",
    );
    let by_fp = gauge(
        &mut registry,
        "dlq_entries_by_fingerprint",
        "Entries counted, by failure fingerprint (dlq groups)",
    );
    for (topic, r) in topics {
        let s = &r.stats;
        let t = || vec![("topic".to_string(), topic.to_string())];
        if let Some(n) = r.retained {
            retained.get_or_create(&t()).set(n as i64);
        }
        // What the read counted from the operator's position, else what the broker counts.
        let n = if r.unhandled_only {
            Some(s.entries)
        } else {
            r.unhandled
        };
        if let Some(n) = n {
            unhandled.get_or_create(&t()).set(n as i64);
        }
        if let Some(o) = &s.oldest {
            oldest
                .get_or_create(&t())
                .set(o.timestamp.as_millisecond() as f64 / 1000.0);
        }
        if let Some(n) = &s.newest {
            newest
                .get_or_create(&t())
                .set(n.timestamp.as_millisecond() as f64 / 1000.0);
        }
        bytes.get_or_create(&t()).set(s.bytes as i64);
        for (class, n) in bounded(&s.by_error_class) {
            let mut l = t();
            l.push(("error_class".into(), class));
            by_class.get_or_create(&l).set(n as i64);
        }
        for (fp, n) in bounded(&s.by_fingerprint) {
            let mut l = t();
            l.push(("fingerprint".into(), fp));
            by_fp.get_or_create(&l).set(n as i64);
        }
    }
    let mut text = String::new();
    let encoded = if openmetrics {
        prometheus_client::encoding::text::encode(&mut text, &registry)
    } else {
        prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)
    };
    encoded.map_err(|_| io::Error::other("encoding the metrics failed"))?;
    Ok(text)
}
