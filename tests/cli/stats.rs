//! `dlq stats` and `dlq topics`, checked against counts made with the official clients.

use std::collections::BTreeMap;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    b64, dlq, json_of, kafka_url, pulsar_url, read_topic_kafka, read_topic_pulsar, seed_kafka,
    seed_pulsar, unique,
};

/// `[{"value", "count"}]` as a map, `null` values as "(unknown)".
fn by(v: &Value, dimension: &str) -> BTreeMap<String, u64> {
    v[dimension]
        .as_array()
        .unwrap_or_else(|| panic!("{dimension} in {v}"))
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap_or("(unknown)").to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Payload bytes as the peer read them.
fn payload_bytes(peer: &[Value]) -> u64 {
    peer.iter()
        .map(|m| b64(&m["value"]).map_or(0, |v| v.len() as u64))
        .sum()
}

fn tally(values: impl Iterator<Item = String>) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    m
}

#[test]
fn kafka_stats_agree_with_the_official_clients_count() {
    let origin = unique("stats-orders");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["connect", "spring", "envelope"], 3);
    let peer = read_topic_kafka(&topic);
    assert_eq!(peer.len(), 9);

    let s = json_of(dlq().args(["stats", &topic, "-b", &kafka_url(), "-o", "json"]));
    crate::json_contract::stats(&s);
    assert_eq!(s["entries"], 9);
    assert_eq!(s["read"], 9);
    assert_eq!(s["bytes"], payload_bytes(&peer));
    assert_eq!(
        by(&s, "by_partition"),
        tally(peer.iter().map(|m| m["partition"].to_string()))
    );
    // The error class as the peer reads it from the frameworks' headers.
    let class_of = |m: &Value| {
        m["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| {
                h[0] == "__connect.errors.exception.class.name"
                    || h[0] == "kafka_dlt-exception-fqcn"
            })
            .map(|h| String::from_utf8(b64(&h[1]).unwrap()).unwrap())
            .unwrap_or_else(|| "(unknown)".into())
    };
    assert_eq!(by(&s, "by_error_class"), tally(peer.iter().map(class_of)));
    assert_eq!(
        by(&s, "by_convention"),
        BTreeMap::from([
            ("kafka-connect".into(), 3),
            ("spring-kafka".into(), 3),
            ("json-envelope".into(), 3)
        ])
    );
    assert_eq!(
        by(&s, "by_retry_count"),
        BTreeMap::from([("(unknown)".into(), 3), ("3".into(), 3), ("2".into(), 3)])
    );
    assert_eq!(
        by(&s, "by_origin_topic")[&origin],
        6,
        "envelopes name no origin topic"
    );
    let (oldest, newest) = (&s["oldest"], &s["newest"]);
    // Compared as instants: RFC 3339 text does not sort ("…:01Z" > "…:01.2Z").
    let at = |v: &Value| -> jiff::Timestamp { v["timestamp"].as_str().unwrap().parse().unwrap() };
    assert!(at(oldest) <= at(newest), "{oldest} {newest}");
    assert!(oldest["age_seconds"].as_i64().unwrap() >= 0);

    // A selection narrows what is counted, not what is read.
    let s = json_of(
        dlq()
            .args(["stats", &topic, "-b", &kafka_url(), "-o", "json"])
            .args(["--grep", "DataException"]),
    );
    assert_eq!(
        (s["entries"].as_u64(), s["read"].as_u64()),
        (Some(3), Some(9))
    );
    // The table for people.
    dlq()
        .args(["stats", &topic, "-b", &kafka_url(), "-o", "table"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("9 entries")
                .and(predicate::str::contains(
                    "org.apache.kafka.connect.errors.DataException",
                ))
                .and(predicate::str::contains("33.3%")),
        );
}

#[test]
fn pulsar_stats_agree_with_the_official_clients_count() {
    let topic = unique("stats-pulsar");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap();
    let peer = read_topic_pulsar(dlq_topic);
    let s = json_of(dlq().args(["stats", dlq_topic, "-b", &pulsar_url(), "-o", "json"]));
    crate::json_contract::stats(&s);
    assert_eq!(s["entries"], peer.len() as u64);
    assert_eq!(s["bytes"], payload_bytes(&peer));
    assert_eq!(
        by(&s, "by_origin_topic"),
        BTreeMap::from([(seeded["topic"].as_str().unwrap().to_string(), 4)])
    );
    assert_eq!(
        by(&s, "by_convention"),
        BTreeMap::from([("pulsar-client".into(), 4)])
    );
}

#[test]
fn topics_finds_dlqs_by_name_with_their_counts() {
    let origin = unique("topics-orders");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 3);
    let found = json_of(dlq().args(["topics", "-b", &kafka_url(), "-o", "json"]));
    crate::json_contract::topics(&found);
    let entry = |name: &str| {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["topic"] == name)
            .cloned()
    };
    let t = entry(&topic).expect("the DLQ is listed");
    assert_eq!(t["pattern"], "*.DLT");
    assert_eq!(
        (t["retained"].as_u64(), t["unhandled"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(t["partitions"], 2);
    assert!(entry(&origin).is_none(), "the origin topic is not a DLQ");

    // Handled entries leave the unhandled count, not the retained one.
    dlq()
        .args([
            "purge",
            &topic,
            "-b",
            &kafka_url(),
            "--all",
            "--mark-handled",
            "-y",
        ])
        .env("XDG_STATE_HOME", tempfile::tempdir().unwrap().path())
        .assert()
        .success();
    let found = json_of(
        dlq()
            .args(["topics", "-b", &kafka_url(), "-o", "json"])
            .args(["--pattern", &origin]),
    );
    crate::json_contract::topics(&found);
    let listed: Vec<&Value> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["topic"] == topic.as_str() || t["topic"] == origin.as_str())
        .collect();
    assert_eq!(listed.len(), 2, "--pattern adds the origin: {listed:?}");
    let dlq_row = listed
        .iter()
        .find(|t| t["topic"] == topic.as_str())
        .unwrap();
    assert_eq!(
        (dlq_row["retained"].as_u64(), dlq_row["unhandled"].as_u64()),
        (Some(3), Some(0))
    );
}

#[test]
fn pulsar_topics_list_a_partitioned_dlq_once_and_fall_back_to_the_broker_without_the_admin_api() {
    // A namespace of its own, so the listing holds only this test's topics.
    let ns = format!("public/{}", unique("ns"));
    let admin = crate::common::broker_env("DLQ_TEST_PULSAR_ADMIN");
    let name = "orders-billing-DLQ";
    let full = format!("persistent://{ns}/{name}");
    for (path, body) in [
        (format!("{admin}/admin/v2/namespaces/{ns}"), None),
        (
            format!("{admin}/admin/v2/persistent/{ns}/{name}/partitions"),
            Some("3"),
        ),
        (
            format!("{admin}/admin/v2/persistent/{ns}/orders-billing-RETRY"),
            None,
        ),
    ] {
        let mut curl = std::process::Command::new("curl");
        curl.args(["-sf", "-X", "PUT", "-H", "Content-Type: application/json"]);
        if let Some(b) = body {
            curl.args(["--data", b]);
        }
        assert!(curl.arg(&path).status().unwrap().success(), "PUT {path}");
    }
    let find = |topics: &[Value]| -> Vec<Value> {
        topics
            .iter()
            .filter(|t| t["topic"] == full.as_str())
            .cloned()
            .collect()
    };
    let listed = json_of(dlq().args([
        "topics",
        "-b",
        &pulsar_url(),
        "--namespace",
        &ns,
        "-o",
        "json",
    ]));
    let ours = find(listed.as_array().unwrap());
    assert_eq!(ours.len(), 1, "once, not per partition: {listed}");
    assert_eq!(ours[0]["partitions"], 3);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["topic"] == format!("persistent://{ns}/orders-billing-RETRY").as_str()),
        "the retry-letter topic too: {listed}"
    );
    // Without the admin API, the binary protocol's listing (partitions only) is grouped too.
    let listed = json_of(
        dlq()
            .args([
                "topics",
                "-b",
                &pulsar_url(),
                "--namespace",
                &ns,
                "-o",
                "json",
            ])
            .args(["--admin-url", "http://127.0.0.1:9", "--timeout", "3s"]),
    );
    let ours = find(listed.as_array().unwrap());
    assert_eq!((ours.len(), ours[0]["partitions"].as_u64()), (1, Some(3)));
}

/// Dead letters written at chosen times (CreateTime), by the official client.
fn produce_at(topic: &str, millis: &[i64]) {
    produce_failing_at(topic, "java.lang.IllegalStateException", millis)
}

/// As `produce_at`, failed with `class`.
fn produce_failing_at(topic: &str, class: &str, millis: &[i64]) {
    let code = r#"
import sys, json
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1]})
for i, ms in enumerate(json.loads(sys.argv[3])):
    p.produce(sys.argv[2], key=f"k{i}".encode(), value=b'{"x": 1}', timestamp=ms,
              headers=[("kafka_dlt-exception-fqcn", sys.argv[4].encode())])
assert p.flush(30) == 0
"#;
    let out = std::process::Command::new(crate::common::python())
        .args([
            "-c",
            code,
            kafka_url().trim_start_matches("kafka://"),
            topic,
            &serde_json::to_string(millis).unwrap(),
            class,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_arrivals_chart_counts_entries_in_the_buckets_of_their_times() {
    let topic = unique("arrivals.DLT");
    // Three hours ago, on the hour (retention keeps a week).
    let hour = jiff::Timestamp::now().as_second() / 3600 * 3600 - 3 * 3600;
    let at = |minutes: i64, seconds: i64| (hour + minutes * 60 + seconds) * 1000;
    produce_at(
        &topic,
        &[at(0, 10), at(0, 50), at(2, 0), at(7, 0), at(119, 59)],
    );
    let s = json_of(dlq().args([
        "stats",
        &topic,
        "--bucket",
        "5m",
        "-b",
        &kafka_url(),
        "-o",
        "json",
    ]));
    let stats = crate::json_contract::stats(&s);
    assert_eq!(stats.arrival_bucket_seconds, 300);
    let counts: Vec<u64> = stats.arrivals.iter().map(|a| a.count).collect();
    assert_eq!(
        counts.len(),
        24,
        "two hours in 5-minute buckets, empty ones too"
    );
    assert_eq!(&counts[..3], [3, 1, 0]);
    assert_eq!(counts[23], 1);
    assert_eq!(counts.iter().sum::<u64>(), 5);
    let first: jiff::Timestamp = stats.arrivals[0].start.parse().unwrap();
    assert_eq!(first.as_second(), hour);
    // Without --bucket: chosen from the range (two hours: 5 minutes, at most 48 bars).
    let s = json_of(dlq().args(["stats", &topic, "-b", &kafka_url(), "-o", "json"]));
    assert_eq!(s["arrival_bucket_seconds"], 300);
    // The chart on a terminal's table output.
    dlq()
        .args([
            "stats",
            &topic,
            "--bucket",
            "1h",
            "-b",
            &kafka_url(),
            "-o",
            "table",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Arrivals per hour (UTC):"))
        .stdout(predicate::str::is_match(r"\n\d{4}-\d\d-\d\d \d\d:00\s+4 █+").unwrap());
    dlq()
        .args(["stats", &topic, "--bucket", "soon", "-b", &kafka_url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--bucket"));
    dlq()
        .args([
            "stats",
            &topic,
            "--bucket",
            "1h",
            "-o",
            "openmetrics",
            "-b",
            &kafka_url(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--bucket sizes the chart"));
}

/// Pulsar's DLQ time is the broker's publish time (not chosen by a producer): the chart's
/// minutes hold the dead letters the official client reads with those publish times.
#[test]
fn pulsar_the_arrivals_chart_counts_entries_in_the_minutes_of_their_publish_times() {
    let origin = unique("arrivals-p");
    let topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 6);
    let mut expected: BTreeMap<i64, u64> = BTreeMap::new();
    for m in read_topic_pulsar(&topic) {
        let ms = m["publish_timestamp_ms"].as_i64().unwrap();
        *expected.entry(ms.div_euclid(60_000) * 60).or_default() += 1;
    }
    let s = json_of(dlq().args([
        "stats",
        &topic,
        "--bucket",
        "1m",
        "-b",
        &pulsar_url(),
        "-o",
        "json",
    ]));
    let stats = crate::json_contract::stats(&s);
    assert_eq!(stats.arrival_bucket_seconds, 60);
    let charted: BTreeMap<i64, u64> = stats
        .arrivals
        .iter()
        .filter(|a| a.count > 0)
        .map(|a| {
            (
                a.start.parse::<jiff::Timestamp>().unwrap().as_second(),
                a.count,
            )
        })
        .collect();
    assert_eq!(charted, expected);
}

#[test]
fn each_top_failure_s_arrivals_are_charted_on_the_whole_chart_s_axis() {
    let topic = unique("arrivals-by-failure.DLT");
    let hour = jiff::Timestamp::now().as_second() / 3600 * 3600 - 3 * 3600;
    let at = |minutes: i64| (hour + minutes * 60) * 1000;
    produce_failing_at(&topic, "com.acme.BadOrder", &[at(0), at(1), at(2)]);
    produce_failing_at(&topic, "com.acme.Timeout", &[at(7), at(59)]);
    let args = ["stats", &topic, "--bucket", "5m", "-b", &kafka_url()];
    let s = json_of(
        dlq()
            .args(args)
            .args(["--chart-failures", "2", "-o", "json"]),
    );
    let stats = crate::json_contract::stats(&s);
    let failures = stats.arrivals_by_failure.unwrap();
    assert_eq!(failures.len(), 2);
    let whole: Vec<&str> = stats.arrivals.iter().map(|a| a.start.as_str()).collect();
    let counts = |i: usize| -> Vec<u64> {
        let a = failures[i].arrivals.as_ref().unwrap();
        let starts: Vec<&str> = a.iter().map(|a| a.start.as_str()).collect();
        assert_eq!(starts, whole, "the same axis as the whole chart");
        a.iter().map(|a| a.count).collect()
    };
    assert_eq!((failures[0].count, failures[0].bucket_seconds), (3, 300));
    let bad = counts(0);
    assert_eq!((bad[0], bad.iter().sum::<u64>()), (3, 3));
    let timeouts = counts(1);
    assert_eq!(
        (timeouts[1], timeouts[11], timeouts.iter().sum::<u64>()),
        (1, 1, 2)
    );
    // Without the flag, no such field; on a terminal, one chart a failure after the whole one.
    assert!(json_of(dlq().args(args).args(["-o", "json"]))
        .get("arrivals_by_failure")
        .is_none());
    dlq()
        .args(args)
        .args(["--chart-failures", "1", "-o", "table"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Arrivals of failure {} (3 entries) per 5 minutes (UTC):",
            failures[0].fingerprint
        )))
        .stdout(predicate::str::contains("Arrivals of failure").count(1));
    dlq()
        .args(args)
        .args(["--chart-failures", "1", "-o", "prometheus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--chart-failures"));
}

/// Metrics text read by the Python `prometheus_client` package's parsers (OpenMetrics, or
/// Prometheus' text format): `name{label=value,…}` → value, labels sorted.
pub(crate) fn parsed_metrics(text: &[u8], openmetrics: bool) -> BTreeMap<String, f64> {
    let code = r#"
import json, sys
if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        out[f"{s.name}{{{labels}}}"] = s.value
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new(crate::common::python())
        .args([
            "-c",
            code,
            if openmetrics {
                "openmetrics"
            } else {
                "prometheus"
            },
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the parser refused the metrics: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(text)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The metrics of `topic` agree with its `stats -o json`, in both text formats.
fn metrics_match_stats(url: &str, topic: &str, retained: Option<u64>) {
    let s = json_of(dlq().args(["stats", topic, "-b", url, "-o", "json"]));
    for (format, openmetrics) in [("openmetrics", true), ("prometheus", false)] {
        let text = dlq()
            .args(["stats", topic, "-b", url, "-o", format])
            .output()
            .unwrap();
        assert!(text.status.success());
        if openmetrics {
            assert!(text.stdout.ends_with(b"# EOF\n"));
        }
        let m = parsed_metrics(&text.stdout, openmetrics);
        let l = format!("topic={topic}");
        let get = |name: &str, extra: &str| {
            let labels = if extra.is_empty() {
                l.clone()
            } else {
                // Sorted by label name: topic comes last after error_class / fingerprint.
                format!("{extra},{l}")
            };
            m.get(&format!("{name}{{{labels}}}")).copied()
        };
        assert_eq!(get("dlq_unhandled_entries", ""), s["entries"].as_f64());
        assert_eq!(get("dlq_payload_bytes", ""), s["bytes"].as_f64());
        assert_eq!(get("dlq_entries", ""), retained.map(|n| n as f64));
        let oldest: jiff::Timestamp = s["oldest"]["timestamp"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            get("dlq_oldest_entry_timestamp_seconds", ""),
            Some(oldest.as_millisecond() as f64 / 1000.0)
        );
        for (class, n) in by(&s, "by_error_class") {
            assert_eq!(
                get(
                    "dlq_entries_by_error_class",
                    &format!("error_class={class}")
                ),
                Some(n as f64),
                "{class}"
            );
        }
        let fingerprints: f64 = m
            .iter()
            .filter(|(k, _)| k.starts_with("dlq_entries_by_fingerprint{"))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(Some(fingerprints), s["entries"].as_f64());
    }
}

#[test]
fn kafka_metrics_parse_with_an_independent_parser_and_match_stats() {
    let origin = unique("metrics-orders");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["connect", "spring", "envelope"], 3);
    metrics_match_stats(&kafka_url(), &topic, Some(9));
}

#[test]
fn pulsar_metrics_parse_with_an_independent_parser_and_match_stats() {
    let topic = unique("metrics-pulsar");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap();
    metrics_match_stats(&pulsar_url(), dlq_topic, None);
}

/// `dlq check` on `topic` with `args`: its exit code and its JSON verdicts.
fn check(url: &str, topic: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let out = dlq()
        .args(["check", topic, "-b", url, "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v.as_array().unwrap().clone())
}

#[test]
fn kafka_check_returns_6_when_a_threshold_is_crossed_and_0_otherwise() {
    let origin = unique("check-orders");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 3);
    let url = kafka_url();
    let (code, v) = check(&url, &topic, &["--max-entries", "5", "--max-age", "1h"]);
    assert_eq!(code, 0, "{v:?}");
    assert_eq!(v[0]["ok"], true);
    assert_eq!(v[0]["entries"], 3);
    assert!(v[0]["oldest_age_seconds"].as_i64().unwrap() < 3600);
    let (code, v) = check(&url, &topic, &["--max-entries", "2"]);
    assert_eq!(code, 6);
    assert_eq!(v[0]["exceeded"][0], "3 entries > --max-entries 2");
    // Written just now: three in the last minute.
    let (code, v) = check(&url, &topic, &["--max-rate", "2/min"]);
    assert_eq!(code, 6, "{v:?}");
    assert_eq!(v[0]["entries_last_minute"], 3);
    // Once handled, the DLQ passes a CI job's "must be empty".
    dlq()
        .args(["purge", &topic, "--all", "--mark-handled", "-y", "-b", &url])
        .assert()
        .success();
    let (code, v) = check(&url, &topic, &["--max-entries", "0"]);
    assert_eq!((code, v[0]["entries"].as_u64()), (0, Some(0)));
    dlq()
        .args(["check", &topic, "-b", &url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a threshold"));
}

#[test]
fn pulsar_check_reads_the_backlog_and_returns_6_past_a_threshold() {
    let topic = unique("check-pulsar");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap();
    let url = pulsar_url();
    let (code, v) = check(&url, dlq_topic, &["--max-entries", "3"]);
    assert_eq!(code, 6, "{v:?}");
    assert_eq!(v[0]["entries"], 4);
    let (code, _) = check(&url, dlq_topic, &["--max-entries", "4", "--max-age", "1d"]);
    assert_eq!(code, 0);
}
