//! `dlq list` and `dlq inspect` against Apache Kafka (scripts/kafka.sh), on dead letters written by
//! the official librdkafka client (confluent-kafka) the way the conventions no runnable producer
//! covers here write them (Streams, Cloud Stream, SmallRye, Karafka, Watermill, envelopes,
//! malformed input); Kafka Connect's and Spring Kafka's own are in producers.rs.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::sync::OnceLock;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{dlq, json_of, jsonl_of, kafka_url, seed_kafka, unique};
use crate::json_contract::{self, DataJson};

struct Seeded {
    dlq: String,
    origin: String,
    entries: Vec<Value>,
}

/// One DLQ with three dead letters of each style, shared by the read-only tests below.
fn mixed() -> &'static Seeded {
    static S: OnceLock<Seeded> = OnceLock::new();
    S.get_or_init(|| {
        let origin = unique("orders");
        let dlq_topic = format!("{origin}.DLT");
        let out = seed_kafka(&origin, &dlq_topic, &["connect", "spring", "envelope"], 3);
        Seeded {
            dlq: dlq_topic,
            origin,
            entries: out["entries"].as_array().unwrap().clone(),
        }
    })
}

fn list(topic: &str, extra: &[&str]) -> Vec<Value> {
    jsonl_of(
        dlq()
            .args(["list", topic, "-o", "jsonl", "-b", &kafka_url()])
            .args(extra),
    )
}

#[test]
fn list_shows_origin_error_and_retry_context_for_every_convention() {
    let s = mixed();
    let listed = list(&s.dlq, &[]);
    assert_eq!(listed.len(), 9, "every dead letter listed once");
    for seeded in &s.entries {
        let id = seeded["id"].as_str().unwrap();
        let got = listed
            .iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("entry {id} not listed"));
        let e = json_contract::entry(got);
        let style = seeded["style"].as_str().unwrap();
        assert_eq!(
            e.convention.as_deref(),
            seeded["convention"].as_str(),
            "{style}"
        );
        assert_eq!(e.topic, s.dlq);
        assert_eq!(
            (e.partition, e.offset),
            (
                seeded["partition"].as_i64().map(|p| p as i32),
                seeded["offset"].as_i64()
            )
        );
        assert_eq!(e.message_id, None);
        assert_eq!(
            e.origin_partition,
            seeded["origin_partition"].as_i64().map(|p| p as i32),
            "{style}"
        );
        assert_eq!(e.origin_offset, seeded["origin_offset"].as_i64(), "{style}");
        assert_eq!(
            e.error_class.as_deref(),
            seeded["error_class"].as_str(),
            "{style}"
        );
        assert_eq!(e.retry_count, seeded["retry_count"].as_i64(), "{style}");
        assert_eq!(
            e.consumer_group.as_deref(),
            seeded["consumer_group"].as_str(),
            "{style}"
        );
        assert_eq!(
            e.key,
            Some(DataJson::Text(seeded["key"].as_str().unwrap().to_string()))
        );
        assert!(e.timestamp.is_some() && e.size_bytes > 0);
        match style {
            "connect" => {
                assert_eq!(e.origin_topic.as_deref(), Some(s.origin.as_str()));
                assert_eq!(e.error_message.as_deref(), seeded["error_message"].as_str());
            }
            "spring" => {
                assert_eq!(e.origin_topic.as_deref(), Some(s.origin.as_str()));
                // The exception message names the customer's email: listed, but masked.
                let msg = e.error_message.unwrap();
                assert!(
                    msg.starts_with("Listener method threw exception: Unknown currency for "),
                    "{msg}"
                );
                assert!(
                    msg.contains("[REDACTED:email]") && !msg.contains("@example.com"),
                    "{msg}"
                );
            }
            "envelope" => {
                assert_eq!(
                    e.origin_topic, None,
                    "the envelope names no topic: unknown, not guessed"
                );
                assert_eq!(e.error_message.as_deref(), seeded["error_message"].as_str());
                assert_eq!(e.failed_at.as_deref(), seeded["failed_at"].as_str());
            }
            other => panic!("unexpected style {other}"),
        }
    }
}

#[test]
fn list_json_is_one_array_with_the_same_entries() {
    let s = mixed();
    let all = json_of(dlq().args(["list", &s.dlq, "-o", "json", "-b", &kafka_url()]));
    let arr = all.as_array().expect("an array");
    assert_eq!(arr.len(), 9);
    for e in arr {
        json_contract::entry(e);
    }
}

#[test]
fn filters_narrow_the_listing() {
    let s = mixed();
    let count = |extra: &[&str]| list(&s.dlq, extra).len();
    let spring_key = s.entries.iter().find(|e| e["style"] == "spring").unwrap()["key"]
        .as_str()
        .unwrap();

    assert_eq!(
        count(&["--grep", "DataException"]),
        3,
        "grep on the error class"
    );
    assert_eq!(
        count(&["--grep", "(?i)timeout calling billing"]),
        3,
        "grep on the message"
    );
    assert_eq!(
        count(&["--grep", "OrderListener.java"]),
        6,
        "grep on the stack trace"
    );
    assert_eq!(
        count(&["--origin", &s.origin]),
        6,
        "envelopes have no origin topic"
    );
    assert_eq!(count(&["--key", spring_key]), 1);
    assert_eq!(count(&["--limit", "4"]), 4);
    assert_eq!(count(&["--since", "2h"]), 9);
    assert_eq!(count(&["--until", "2h"]), 0);
    assert_eq!(count(&["--since", "2099-01-01"]), 0);
    let in_p0 = s.entries.iter().filter(|e| e["partition"] == 0).count();
    assert_eq!(count(&["--partition", "0"]), in_p0);
    assert_eq!(count(&["--partition", "0,1"]), 9);
}

#[test]
fn reading_twice_gives_the_same_entries() {
    let s = mixed();
    let ids = |v: Vec<Value>| -> Vec<String> {
        let mut ids: Vec<String> = v
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(list(&s.dlq, &[])), ids(list(&s.dlq, &[])));
}

#[test]
fn inspect_shows_everything_and_redacts_by_default() {
    let s = mixed();
    for seeded in &s.entries {
        let id = seeded["id"].as_str().unwrap();
        let v = json_of(dlq().args(["inspect", &s.dlq, id, "-o", "json", "-b", &kafka_url()]));
        let e = json_contract::inspect(&v);
        assert_eq!(e.id, id);
        assert!(e.stacktrace.is_some(), "{id}: stack trace shown");
        let payload = match e.payload {
            Some(DataJson::Json(p)) => p,
            other => panic!("{id}: JSON payload expected, got {other:?}"),
        };
        let event = if seeded["style"] == "envelope" {
            &payload["original_event"]
        } else {
            &payload
        };
        assert_eq!(event["customer"]["email"], "[REDACTED]");
        assert_eq!(event["payment"]["card_number"], "[REDACTED]");
        assert_eq!(
            event["customer"]["name"]
                .as_str()
                .map(|n| n.starts_with("Customer")),
            Some(true)
        );
        let prefix = if seeded["style"] == "envelope" {
            "payload.original_event"
        } else {
            "payload"
        };
        assert!(
            e.redacted_fields
                .contains(&format!("{prefix}.customer.email")),
            "{:?}",
            e.redacted_fields
        );
        assert!(e
            .redacted_fields
            .contains(&format!("{prefix}.payment.card_number")));
        let text = v.to_string();
        assert!(
            !text.contains("@example.com") && !text.contains("4111111111111111"),
            "{id}: nothing sensitive printed"
        );
        if seeded["style"] == "spring" {
            let partition = e
                .headers
                .iter()
                .find(|h| h.name == "kafka_dlt-original-partition")
                .unwrap();
            assert!(
                matches!(partition.value, Some(DataJson::Bytes(_))),
                "binary header stays bytes"
            );
            assert_eq!(e.retry_count, Some(3));
        }
        if seeded["style"] == "connect" {
            assert!(
                e.headers.iter().any(|h| h.name == "traceparent"),
                "original headers kept"
            );
        }
    }
}

#[test]
fn inspect_table_is_redacted_and_reveal_shows_raw_with_a_warning() {
    let s = mixed();
    let spring = s.entries.iter().find(|e| e["style"] == "spring").unwrap();
    let id = spring["id"].as_str().unwrap();
    dlq()
        .args(["inspect", &s.dlq, id, "-o", "table", "-b", &kafka_url()])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Convention        spring-kafka")
                .and(predicate::str::contains("Redacted"))
                .and(predicate::str::contains("@example.com").not())
                .and(predicate::str::contains("4111111111111111").not()),
        );
    dlq()
        .args([
            "inspect",
            &s.dlq,
            id,
            "-o",
            "json",
            "--reveal",
            "-b",
            &kafka_url(),
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("4111111111111111")
                .and(predicate::str::contains("@example.com")),
        )
        .stderr(predicate::str::contains("warning: --reveal"));
}

#[test]
fn unknown_topic_says_so() {
    dlq()
        .args(["list", &unique("no-such-topic"), "-b", &kafka_url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn inspect_of_an_offset_past_the_end_is_not_found() {
    let s = mixed();
    dlq()
        .args(["inspect", &s.dlq, "0:99999", "-b", &kafka_url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no entry 0:99999"));
    dlq()
        .args(["inspect", &s.dlq, "7:0", "-b", &kafka_url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("partitions"));
}

#[test]
fn non_dlq_records_are_listed_with_unknown_context() {
    // The origin topic holds the plain events: nothing explains them, nothing is invented.
    let s = mixed();
    for e in list(&s.origin, &[]) {
        let e = json_contract::entry(&e);
        assert_eq!(e.convention, None);
        assert_eq!(
            (
                e.origin_topic,
                e.error_class,
                e.error_message,
                e.retry_count
            ),
            (None, None, None, None)
        );
    }
}

#[test]
fn header_map_reads_custom_headers() {
    // The Spring headers, read through a user mapping instead of the built-in convention.
    let s = mixed();
    let listed = list(
        &s.dlq,
        &[
            "--header-map",
            "consumer_group=kafka_dlt-original-topic",
            "--grep",
            "ListenerExecutionFailed",
        ],
    );
    assert_eq!(listed.len(), 3);
    for e in listed {
        assert_eq!(e["convention"], "spring-kafka+header-map");
        assert_eq!(e["consumer_group"], s.origin.as_str());
    }
}

#[test]
fn list_into_a_closed_pipe_exits_0() {
    // Enough entries that the output outgrows the pipe buffer, then the reader goes away
    // after one line, as `dlq list … | head -1` does.
    let origin = unique("bulk");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 250);
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("dlq"))
        .args(["list", &topic, "-o", "jsonl", "-b", &kafka_url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'));
    // The reader (and our end of the pipe) is dropped here.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no error printed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn malformed_dead_letters_are_shown_without_guessing() {
    use base64::Engine as _;
    let b64 = |hex: &str| {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        (
            base64::engine::general_purpose::STANDARD.encode(&bytes),
            bytes,
        )
    };
    let origin = unique("hostile");
    let topic = format!("{origin}.DLT");
    let seeded = seed_kafka(&origin, &topic, &["malformed"], 1);
    let case = |name: &str| {
        seeded["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["case"] == name)
            .unwrap()
            .clone()
    };
    let listed = list(&topic, &[]);
    assert_eq!(listed.len(), 4, "every entry listed, none dropped");
    for e in &listed {
        json_contract::entry(e);
    }
    let inspect = |id: &str, extra: &[&str]| {
        json_of(
            dlq()
                .args(["inspect", &topic, id, "-o", "json", "-b", &kafka_url()])
                .args(extra),
        )
    };

    // Binary key and payload, a 3-byte partition, a non-UTF-8 topic name.
    let bin = case("binary");
    let v = inspect(bin["id"].as_str().unwrap(), &[]);
    let e = json_contract::inspect(&v);
    let (key_b64, _) = b64(bin["key_hex"].as_str().unwrap());
    assert_eq!(e.key, Some(DataJson::Bytes(key_b64)));
    assert_eq!(
        (e.origin_topic, e.origin_partition, e.origin_offset),
        (None, None, Some(77))
    );
    match e.payload {
        Some(DataJson::Binary {
            size,
            sha256,
            preview_hex,
        }) => {
            assert_eq!(size, 514);
            assert_eq!(sha256.len(), 64);
            assert_eq!(preview_hex, bin["payload_hex"].as_str().unwrap()[..128]);
        }
        other => panic!("a redacted binary payload is summarised: {other:?}"),
    }
    let revealed = json_contract::inspect(&inspect(bin["id"].as_str().unwrap(), &["--reveal"]));
    let (payload_b64, _) = b64(bin["payload_hex"].as_str().unwrap());
    assert_eq!(
        revealed.payload,
        Some(DataJson::Bytes(payload_b64)),
        "byte for byte with --reveal"
    );
    dlq()
        .args([
            "inspect",
            &topic,
            bin["id"].as_str().unwrap(),
            "-o",
            "table",
            "-b",
            &kafka_url(),
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Note")
                .and(predicate::str::contains("kafka_dlt-original-partition"))
                .and(predicate::str::contains("000003"))
                .and(predicate::str::contains("sha256")),
        );

    // A tombstone: no payload, a null header value, a non-numeric offset.
    let v = json_contract::inspect(&inspect(case("tombstone")["id"].as_str().unwrap(), &[]));
    assert_eq!(v.payload, None);
    assert_eq!(
        (
            v.origin_topic.as_deref(),
            v.origin_partition,
            v.origin_offset
        ),
        (Some("orders"), Some(1), None)
    );
    let null_header = v
        .headers
        .iter()
        .find(|h| h.name == "__connect.errors.exception.message")
        .unwrap();
    assert_eq!(null_header.value, None);

    // Looks like an envelope, is not JSON: no convention, shown as text.
    let v = json_contract::inspect(&inspect(case("bad-envelope")["id"].as_str().unwrap(), &[]));
    assert_eq!(v.convention, None);
    assert!(matches!(v.payload, Some(DataJson::Text(ref t)) if t.contains("original_event")));

    // A terminal escape sequence in an error message is shown, not executed.
    let id = case("escape")["id"].as_str().unwrap().to_string();
    let out = dlq()
        .args([
            "list",
            &topic,
            "-o",
            "table",
            "--key",
            "escape",
            "-b",
            &kafka_url(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&id) && text.contains("\\u{1b}[2J"), "{text}");
    assert!(!text.contains('\u{1b}'), "no raw ESC reaches the terminal");
}

#[test]
fn verbose_logs_name_entries_but_never_payloads() {
    let s = mixed();
    let out = dlq()
        .args(["-vv", "list", &s.dlq, "-o", "jsonl", "-b", &kafka_url()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let first = s.entries[0]["id"].as_str().unwrap();
    assert!(
        err.contains(&format!("id={first}"))
            && err.contains("convention=")
            && err.contains("status="),
        "{err}"
    );
    assert!(err.contains(&format!("topic={}", s.dlq)));
    for sensitive in ["@example.com", "4111111111111111", "order_id"] {
        assert!(
            !err.contains(sensitive),
            "no payload data in logs: {sensitive}"
        );
    }
}

#[test]
fn kafka_dead_letters_of_an_aborted_transaction_are_never_listed_counted_exported_or_replayed() {
    // A transactional producer writes three dead letters, aborts, then commits one more: Apache
    // Kafka keeps the aborted records (and the transaction markers) in the log.
    let dlq_topic = unique("tx-orders.DLT");
    let target = unique("tx-orders");
    crate::common::kafka_admin(&["create", &dlq_topic, "--partitions", "1"]);
    crate::common::kafka_admin(&["create", &target, "--partitions", "1"]);
    crate::common::kafka_admin(&["aborted", &dlq_topic, "--count", "3", "--key-prefix", "tx"]);
    let marks = crate::common::kafka_admin(&["watermarks", &dlq_topic]);
    assert!(
        marks["0"][1].as_i64().unwrap() >= 5,
        "the log holds the aborted records and markers: {marks}"
    );
    let key = |e: &Value| e["key"]["text"].as_str().unwrap_or_default().to_string();
    let listed = jsonl_of(dlq().args([
        "list",
        &dlq_topic,
        "--all",
        "-o",
        "jsonl",
        "-b",
        &kafka_url(),
    ]));
    assert_eq!(listed.iter().map(key).collect::<Vec<_>>(), ["tx-committed"]);
    let stats = json_of(dlq().args(["stats", &dlq_topic, "-b", &kafka_url(), "-o", "json"]));
    assert_eq!(stats["entries"], 1, "counted: {stats}");
    let exported = jsonl_of(dlq().args(["export", &dlq_topic, "-b", &kafka_url()]));
    assert_eq!(exported.len(), 1, "exported");
    let s = json_of(dlq().args([
        "replay",
        &dlq_topic,
        "--all",
        "--to",
        &target,
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    crate::json_contract::replay_summary(&s);
    assert_eq!(s["sent"], 1, "replayed: {s}");
    assert_eq!(crate::common::read_topic_kafka(&target).len(), 1);
}
