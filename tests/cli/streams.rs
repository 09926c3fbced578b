//! Dead letters written by a Kafka Streams application's own dead-letter queue (KIP-1034, Kafka
//! Streams 4.2+: `errors.dead.letter.queue.topic.name` with the built-in
//! LogAndContinueExceptionHandler and LogAndContinueProcessingExceptionHandler;
//! scripts/java/streams-dlq), not imitations of its headers: a deserialization failure (values
//! that are not JSON) and a processing failure (a processor that throws). dlq must list them as
//! `kafka-streams` with what Streams put in the `__streams.errors.*` headers, and replay them to
//! the origin as they were: Streams keeps the source record's key, value and headers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{
    b64, broker_env, dlq, json_of, kafka_url, read_topic_kafka, run_producer, unique,
};
use crate::json_contract;

/// Runs the Streams application (scripts/java/streams-dlq) against the test Kafka; the one JSON
/// object it prints.
fn streams_dead_letters(args: &[&str]) -> Value {
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    let mut all = vec!["--bootstrap", &bootstrap];
    all.extend(args);
    run_producer(&broker_env("DLQ_STREAMS_DLQ_JAR"), &all)
}

#[test]
fn kafka_streams_dead_letters_show_streams_own_context_and_replay_to_the_origin_byte_for_byte() {
    let origin = unique("streams-orders");
    let dlq_topic = format!("{origin}.dlq");
    let app = unique("pricing");
    let seeded = streams_dead_letters(&[
        "--origin",
        &origin,
        "--dlq",
        &dlq_topic,
        "--deserialization",
        "2",
        "--processing",
        "2",
        "--good",
        "2",
        "--partitions",
        "2",
        "--application-id",
        &app,
    ]);
    let records = seeded["records"].as_array().unwrap();
    assert_eq!(records.len(), 4, "{seeded}");
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "deserialization").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "processing").count(), 2);
    // Streams is at-least-once: what the DLQ holds is each record's dead letter plus any second
    // copy the application reported.
    let held = records.len() + seeded["extra_dead_letters"].as_array().unwrap().len();
    let by_origin: BTreeMap<(i64, i64), &Value> = records
        .iter()
        .map(|r| {
            (
                (
                    r["partition"].as_i64().unwrap(),
                    r["offset"].as_i64().unwrap(),
                ),
                r,
            )
        })
        .collect();

    // list: the convention, the origin coordinates and the error, as Streams wrote them.
    let listed = json_of(dlq().args(["list", &dlq_topic, "-o", "json", "-b", &kafka_url()]));
    let listed = listed.as_array().expect("a JSON array of entries");
    assert_eq!(
        listed.len(),
        held,
        "every dead letter in the DLQ: {listed:?}"
    );
    let mut seen = BTreeMap::new();
    for v in listed {
        let e = json_contract::entry(v);
        let coord = (
            i64::from(e.origin_partition.expect("the origin partition")),
            e.origin_offset.expect("the origin offset"),
        );
        let r = by_origin
            .get(&coord)
            .unwrap_or_else(|| panic!("a dead letter of a record the application read: {v}"));
        *seen.entry(coord).or_insert(0) += 1;
        let h = &r["dlq_headers"];
        assert_eq!(e.convention.as_deref(), Some("kafka-streams"), "{v}");
        assert_eq!(e.origin_topic.as_deref(), Some(origin.as_str()));
        assert_eq!(
            e.error_class.as_deref(),
            h["__streams.errors.exception"].as_str()
        );
        assert_eq!(
            e.error_message.as_deref(),
            h["__streams.errors.message"].as_str()
        );
        let class = match r["kind"].as_str().unwrap() {
            "deserialization" => "org.apache.kafka.common.errors.SerializationException",
            _ => "java.lang.IllegalStateException",
        };
        assert_eq!(e.error_class.as_deref(), Some(class), "{v}");
        assert_eq!(e.retry_count, None, "Streams writes no retry count");
        assert_eq!(e.consumer_group, None, "nor the application id");
        assert_eq!(
            e.key,
            Some(json_contract::DataJson::Text(
                r["key"].as_str().unwrap().into()
            )),
            "the source record's key"
        );
    }
    assert_eq!(seen.len(), records.len(), "each bad record's dead letter");

    // inspect each first copy: the stack trace, the payload as it was, the source's own headers.
    for r in records {
        let id = format!("{}:{}", r["dlq_partition"], r["dlq_offset"]);
        let v = json_of(dlq().args(["inspect", &dlq_topic, &id, "-o", "json", "-b", &kafka_url()]));
        let i = json_contract::inspect(&v);
        let stack = i.stacktrace.as_deref().expect("Streams' stack trace");
        assert!(
            stack.starts_with(
                r["dlq_headers"]["__streams.errors.stacktrace"]["first_line"]
                    .as_str()
                    .unwrap()
            ),
            "{stack}"
        );
        assert!(stack.contains("\n\tat "), "a whole stack trace: {stack}");
        let value = r["value"].as_str().unwrap();
        let expected = match serde_json::from_str::<Value>(value) {
            Ok(json) => json_contract::DataJson::Json(json),
            Err(_) => json_contract::DataJson::Text(value.into()),
        };
        assert_eq!(i.payload, Some(expected), "{id}");
        let header = |name: &str| {
            i.headers
                .iter()
                .find(|h| h.name == name)
                .and_then(|h| match &h.value {
                    Some(json_contract::DataJson::Text(t)) => Some(t.clone()),
                    _ => None,
                })
        };
        for name in ["trace_id", "source"] {
            assert_eq!(
                header(name).as_deref(),
                r["headers"][name].as_str(),
                "{name}: Streams keeps the source's headers"
            );
        }
        for name in [
            "__streams.errors.topic",
            "__streams.errors.partition",
            "__streams.errors.offset",
        ] {
            assert_eq!(
                header(name).as_deref(),
                r["dlq_headers"][name].as_str(),
                "{name}"
            );
        }
    }

    // replay: each goes back to the origin byte for byte (key, value, its own headers in the
    // order the application wrote them: trace_id, source), without Streams' context headers; dlq
    // adds only its own replay marks (dlq-replay-*).
    let s = json_of(dlq().args([
        "replay",
        &dlq_topic,
        "--all",
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    json_contract::replay_summary(&s);
    assert_eq!(s["sent"].as_u64(), Some(held as u64), "{s}");
    let copies: Vec<Value> = read_topic_kafka(&origin)
        .into_iter()
        .filter(|m| {
            m["headers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h[0] == "dlq-replay-of")
        })
        .collect();
    assert_eq!(copies.len(), held);
    for r in records {
        let key = r["key"].as_str().unwrap();
        let copy = copies
            .iter()
            .find(|m| b64(&m["key"]).as_deref() == Some(key.as_bytes()))
            .unwrap_or_else(|| panic!("{key} replayed: {copies:?}"));
        assert_eq!(
            b64(&copy["value"]).unwrap(),
            r["value"].as_str().unwrap().as_bytes(),
            "{key}: the value byte for byte"
        );
        let headers: Vec<(String, Vec<u8>)> = copy["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_string(),
                    b64(&h[1]).unwrap_or_default(),
                )
            })
            .collect();
        let own: Vec<(String, Vec<u8>)> = headers
            .iter()
            .filter(|(n, _)| !n.starts_with("dlq-replay-"))
            .cloned()
            .collect();
        let original: Vec<(String, Vec<u8>)> = ["trace_id", "source"]
            .iter()
            .map(|n| {
                let v = r["headers"][*n]
                    .as_str()
                    .expect("the header the application wrote");
                (n.to_string(), v.as_bytes().to_vec())
            })
            .collect();
        assert_eq!(
            own, original,
            "{key}: the original headers, nothing of Streams'"
        );
    }
}
