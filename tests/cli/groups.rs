//! Failure groups and the expression filter on dead letters from the real producers: Spring
//! Kafka (scripts/java/spring-dlt), Kafka Connect (scripts/seed/connect_dlq.sh) and a Go service
//! on segmentio/kafka-go failing three ways (scripts/go/envelope-dlq) write into one Kafka DLQ;
//! the Pulsar Java client's DeadLetterPolicy (scripts/java/pulsar-dlq) from two origins into one
//! Pulsar DLQ. `dlq groups` must separate the failures exactly and group the repeats of each;
//! `--fingerprint` acts on exactly one group; `--where` selects on a nested payload field, a
//! header and the retry count.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{
    broker_env, dlq, json_of, jsonl_of, kafka_url, pulsar_url, read_topic_kafka, run_producer,
    unique,
};
use crate::json_contract;

fn bootstrap() -> String {
    kafka_url().trim_start_matches("kafka://").to_string()
}

fn kafka(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(args).args(["-b", &kafka_url()]);
    cmd
}

fn pulsar(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(args).args(["-b", &pulsar_url()]);
    cmd
}

#[test]
fn groups_separate_spring_connect_and_go_failures_and_act_on_exactly_one() {
    let dlq_topic = unique("triage.DLT");
    let spring_origin = unique("spring-orders");
    let connect_origin = unique("connect-orders");
    let go_origin = unique("go-orders");
    run_producer(
        &broker_env("DLQ_SPRING_DLT_JAR"),
        &[
            "--bootstrap",
            &bootstrap(),
            "--origin",
            &spring_origin,
            "--dlq",
            &dlq_topic,
            "--count",
            "3",
            "--partitions",
            "2",
            "--group",
            &unique("billing"),
        ],
    );
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed/connect_dlq.sh");
    run_producer(
        script.to_str().unwrap(),
        &[
            "--bootstrap",
            &bootstrap(),
            "--origin",
            &connect_origin,
            "--dlq",
            &dlq_topic,
            "--count",
            "3",
            "--connector",
            &unique("file-sink"),
        ],
    );
    let go = run_producer(
        &broker_env("DLQ_ENVELOPE_DLQ_BIN"),
        &[
            "--bootstrap",
            &bootstrap(),
            "--origin",
            &go_origin,
            "--dlq",
            &dlq_topic,
            "--group",
            &unique("fulfilment"),
            "--parse",
            "3",
            "--invalid",
            "3",
            "--panic",
            "2",
            "--good",
            "2",
            "--partitions",
            "2",
        ],
    );
    let go_kind: BTreeMap<String, String> = go["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    // Which failure each entry is, from what its producer says it did.
    let listed = jsonl_of(kafka(&["list", &dlq_topic, "-o", "jsonl"]));
    let kind_of = |v: &Value| -> String {
        let origin = v["origin_topic"].as_str().unwrap();
        if origin == spring_origin {
            "spring".into()
        } else if origin == connect_origin {
            "connect".into()
        } else {
            assert_eq!(origin, go_origin);
            let key = v["key"]["text"].as_str().unwrap();
            format!("go-{}", go_kind[key])
        }
    };
    let mut fingerprints_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut kinds_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut count_of: BTreeMap<String, u64> = BTreeMap::new();
    for v in &listed {
        let e = json_contract::entry(v);
        fingerprints_of
            .entry(kind_of(v))
            .or_default()
            .insert(e.fingerprint.clone());
        kinds_of
            .entry(e.fingerprint.clone())
            .or_default()
            .insert(kind_of(v));
        *count_of.entry(e.fingerprint).or_default() += 1;
    }
    assert_eq!(
        fingerprints_of.keys().cloned().collect::<Vec<_>>(),
        ["connect", "go-invalid", "go-panic", "go-parse", "spring"]
    );
    for (kind, fps) in &fingerprints_of {
        assert_eq!(
            fps.len(),
            1,
            "the repeats of {kind} are one failure: {fps:?}"
        );
    }
    for (fp, kinds) in &kinds_of {
        assert_eq!(kinds.len(), 1, "{fp} is one failure, not {kinds:?}");
    }

    // groups: one row per failure, with the pinned fields, most frequent first.
    let rows = json_contract::groups(&json_of(kafka(&["groups", &dlq_topic, "-o", "json"])));
    assert_eq!(rows.len(), 5, "{rows:?}");
    for r in &rows {
        assert_eq!(r.count, count_of[&r.fingerprint], "{r:?}");
        assert_eq!(r.refailed, 0);
        assert!(r.first_seen <= r.last_seen);
        assert!(listed.iter().any(
            |v| v["id"] == r.example_id.as_str() && v["fingerprint"] == r.fingerprint.as_str()
        ));
    }
    assert!(rows.windows(2).all(|w| w[0].count >= w[1].count));
    let row_of = |kind: &str| {
        let fp = fingerprints_of[kind].iter().next().unwrap().clone();
        rows.iter().find(|r| r.fingerprint == fp).unwrap()
    };
    // The root cause, not Connect's wrapper; Go's error types and panic.
    assert_eq!(
        row_of("connect").error_class.as_deref(),
        Some("com.fasterxml.jackson.core.JsonParseException")
    );
    assert_eq!(
        row_of("connect").wrapper.as_deref(),
        Some("org.apache.kafka.connect.errors.DataException")
    );
    assert_eq!(
        row_of("go-invalid").error_class.as_deref(),
        Some("*main.ValidationError")
    );
    assert_eq!(
        row_of("go-invalid").template,
        "order <n>: amount <n> must be positive"
    );
    assert_eq!(
        row_of("go-panic").error_class.as_deref(),
        Some("runtime error")
    );
    assert_eq!(
        row_of("go-invalid").origin_topics,
        std::slice::from_ref(&go_origin)
    );

    // --fingerprint: exactly one failure, in list and in replay.
    let invalid = row_of("go-invalid").fingerprint.clone();
    let only = jsonl_of(kafka(&[
        "list",
        &dlq_topic,
        "--fingerprint",
        &invalid,
        "-o",
        "jsonl",
    ]));
    assert_eq!(only.len() as u64, count_of[&invalid]);
    let s = json_of(kafka(&[
        "replay",
        &dlq_topic,
        "--fingerprint",
        &invalid,
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"], count_of[&invalid], "{s}");
    let replayed_keys: BTreeSet<String> = read_topic_kafka(&go_origin)
        .iter()
        .filter(|m| {
            m["headers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h[0] == "dlq-replay-of")
        })
        .map(|m| String::from_utf8(crate::common::b64(&m["key"]).unwrap()).unwrap())
        .collect();
    assert!(!replayed_keys.is_empty());
    assert!(
        replayed_keys.iter().all(|k| go_kind[k] == "invalid"),
        "only the invalid orders went back: {replayed_keys:?}"
    );

    // --where: a nested payload field, the retry count, a header.
    let negative = jsonl_of(kafka(&[
        "list",
        &dlq_topic,
        "--where",
        "payload.original_event.amount < 0.0",
        "-o",
        "jsonl",
    ]));
    assert_eq!(
        negative.len() as u64,
        count_of[&invalid],
        "the invalid orders have amount < 0"
    );
    let retried = jsonl_of(kafka(&[
        "list",
        &dlq_topic,
        "--where",
        "retry_count == 1",
        "-o",
        "jsonl",
    ]));
    assert!(retried.iter().all(|v| v["fingerprint"] == invalid.as_str()));
    assert_eq!(
        retried.len() as u64,
        count_of[&invalid],
        "the Go service retries a validation once"
    );
    let connect_fp = row_of("connect").fingerprint.clone();
    let by_header = jsonl_of(kafka(&[
        "list", &dlq_topic, "--where", r#"headers["__connect.errors.topic"] == "CONNECT""#.replace("CONNECT", &connect_origin).as_str(), "-o", "jsonl",
    ]));
    assert_eq!(by_header.len() as u64, count_of[&connect_fp]);
}

#[test]
fn bad_expressions_are_usage_errors_that_point_at_the_place() {
    let out = dlq()
        .args([
            "list",
            "any.DLT",
            "--where",
            "retry_count >= && true",
            "-b",
            "kafka://127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--where: at line:column 1:16"), "{err}");
    assert!(err.contains("| retry_count >= && true"), "{err}");
    let out = dlq()
        .args([
            "stats",
            "any.DLT",
            "--where",
            "payload.x == 1 && retries > 2",
            "-b",
            "kafka://127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown name 'retries' at column 19"), "{err}");
    let out = dlq()
        .args([
            "purge",
            "any.DLT",
            "--fingerprint",
            "nothex!!",
            "-y",
            "-b",
            "kafka://127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn on_pulsar_groups_follow_the_origin_and_purge_by_fingerprint_acks_exactly_one() {
    let dlq_topic = unique("pulsar-triage-DLQ");
    let origins = [unique("pulsar-orders"), unique("pulsar-payments")];
    for (i, origin) in origins.iter().enumerate() {
        let mode = if i == 0 { "retry" } else { "nack" };
        run_producer(
            &broker_env("DLQ_PULSAR_DLQ_JAR"),
            &[
                "--url",
                &pulsar_url(),
                "--admin-url",
                &broker_env("DLQ_TEST_PULSAR_ADMIN"),
                "--topic",
                origin,
                "--subscription",
                "billing",
                "--count",
                "4",
                "--partitions",
                "2",
                "--mode",
                mode,
                "--dlq-topic",
                &dlq_topic,
                "--dlq-initial-subscription",
                "keep",
            ],
        );
    }
    let listed = jsonl_of(pulsar(&["list", &dlq_topic, "-o", "jsonl"]));
    let rows = json_contract::groups(&json_of(pulsar(&["groups", &dlq_topic, "-o", "json"])));
    assert_eq!(rows.len(), 2, "one failure per origin: {rows:?}");
    for r in &rows {
        let of_row: Vec<&Value> = listed
            .iter()
            .filter(|v| v["fingerprint"] == r.fingerprint.as_str())
            .collect();
        assert_eq!(r.count, of_row.len() as u64);
        let origins: BTreeSet<&str> = of_row
            .iter()
            .map(|v| v["origin_topic"].as_str().unwrap())
            .collect();
        assert_eq!(origins.len(), 1);
    }

    // --where on Pulsar: the payload, a property, the retry count (the retry path's).
    let rich = jsonl_of(pulsar(&[
        "list",
        &dlq_topic,
        "--where",
        r#"payload.amount >= 25 && headers.source == "dlq-seed""#,
        "-o",
        "jsonl",
    ]));
    assert_eq!(
        rich.len(),
        listed
            .iter()
            .filter(|v| v["key"]["text"].as_str().is_some_and(|k| k >= "key-2"))
            .count()
    );
    let retried = jsonl_of(pulsar(&[
        "list",
        &dlq_topic,
        "--where",
        "retry_count >= 1",
        "-o",
        "jsonl",
    ]));
    assert!(!retried.is_empty());
    assert!(retried
        .iter()
        .all(|v| v["origin_topic"].as_str().unwrap().ends_with(&origins[0])));

    // purge --fingerprint: exactly that group is acknowledged; the other stays.
    let payments = rows
        .iter()
        .find(|r| r.origin_topics.iter().any(|o| o.ends_with(&origins[1])))
        .unwrap();
    let s = json_of(pulsar(&[
        "purge",
        &dlq_topic,
        "--fingerprint",
        &payments.fingerprint,
        "-y",
        "-o",
        "json",
        "--backup",
        &std::env::temp_dir()
            .join(unique("groups-backup"))
            .with_extension("jsonl")
            .display()
            .to_string(),
    ]));
    assert_eq!(s["selected"], payments.count, "{s}");
    let left = json_contract::groups(&json_of(pulsar(&["groups", &dlq_topic, "-o", "json"])));
    assert_eq!(left.len(), 1, "{left:?}");
    assert_ne!(left[0].fingerprint, payments.fingerprint);
}
