//! `dlq list` and `dlq inspect` against Apache Pulsar (scripts/pulsar.sh), on dead letters that
//! the official Python client's dead-letter policy moved to `<topic>-<subscription>-DLQ` (the
//! Java client's are in producers.rs).

use std::sync::OnceLock;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{dlq, json_of, jsonl_of, pulsar_url, seed_pulsar, unique, while_peer_holds};
use crate::json_contract::{self, DataJson};

struct Seeded {
    dlq: String,
    origin: String,
    messages: Vec<Value>,
}

fn seeded() -> &'static Seeded {
    static S: OnceLock<Seeded> = OnceLock::new();
    S.get_or_init(|| {
        let topic = unique("payments");
        let out = seed_pulsar(&topic, "billing", 4);
        Seeded {
            dlq: format!("{topic}-billing-DLQ"),
            origin: out["topic"].as_str().unwrap().to_string(),
            messages: out["messages"].as_array().unwrap().clone(),
        }
    })
}

/// Tests read the shared DLQ at the same time, so each reads through its own operator
/// subscription (`--subscription`); one Exclusive subscription admits one reader at a time.
fn list(topic: &str, sub: &str, extra: &[&str]) -> Vec<Value> {
    jsonl_of(
        dlq()
            .args([
                "list",
                topic,
                "-o",
                "jsonl",
                "-b",
                &pulsar_url(),
                "--subscription",
                sub,
            ])
            .args(extra),
    )
}

#[test]
fn list_shows_the_pulsar_clients_dead_letter_context() {
    let s = seeded();
    let listed = list(&s.dlq, "ops-context", &[]);
    assert_eq!(listed.len(), s.messages.len());
    for got in &listed {
        let e = json_contract::entry(got);
        // Matched by key: the client dead-letters in the order nacks expire, not send order.
        let sent = s
            .messages
            .iter()
            .find(|m| e.key == Some(DataJson::Text(m["key"].as_str().unwrap().to_string())))
            .expect("every listed entry was seeded");
        assert_eq!(e.convention.as_deref(), Some("pulsar-client"));
        assert_eq!(e.origin_topic.as_deref(), Some(s.origin.as_str()));
        assert_eq!(
            e.origin_message_id.as_deref(),
            sent["origin_message_id"].as_str()
        );
        assert_eq!(
            e.key,
            Some(DataJson::Text(sent["key"].as_str().unwrap().to_string()))
        );
        assert_eq!(e.message_id.as_deref(), Some(e.id.as_str()));
        assert_eq!(
            (e.offset, e.partition),
            (None, None),
            "non-partitioned topic, no offsets"
        );
        // The nack path writes no retry count and no error: unknown, not invented.
        assert_eq!(
            (e.retry_count, e.error_class, e.error_message),
            (None, None, None)
        );
        assert_eq!(e.topic, format!("persistent://public/default/{}", s.dlq));
    }
}

#[test]
fn listing_never_acknowledges() {
    let s = seeded();
    let first = list(&s.dlq, "ops-twice", &[]);
    let second = list(&s.dlq, "ops-twice", &[]);
    assert_eq!(first.len(), s.messages.len());
    assert_eq!(
        first, second,
        "the operator subscription's backlog is unchanged"
    );
}

#[test]
fn filters_and_limit() {
    let s = seeded();
    let key = s.messages[2]["key"].as_str().unwrap();
    assert_eq!(list(&s.dlq, "ops-filters", &["--key", key]).len(), 1);
    assert_eq!(list(&s.dlq, "ops-filters", &["--limit", "2"]).len(), 2);
    assert_eq!(
        list(&s.dlq, "ops-filters", &["--origin", &s.origin]).len(),
        s.messages.len()
    );
    let short = s.origin.rsplit('/').next().unwrap();
    assert_eq!(
        list(&s.dlq, "ops-filters", &["--origin", short]).len(),
        s.messages.len(),
        "short topic names match"
    );
    assert_eq!(
        list(&s.dlq, "ops-filters", &["--since", "2099-01-01"]).len(),
        0
    );
}

#[test]
fn inspect_by_the_id_list_prints_redacted() {
    let s = seeded();
    let listed = list(&s.dlq, "ops-inspect", &[]);
    let id = listed[1]["id"].as_str().unwrap();
    // The same subscription right after list: a just-closed consumer must not get in the way.
    let v = json_of(dlq().args([
        "inspect",
        &s.dlq,
        id,
        "-o",
        "json",
        "-b",
        &pulsar_url(),
        "--subscription",
        "ops-inspect",
    ]));
    let e = json_contract::inspect(&v);
    assert_eq!(e.id, id);
    assert_eq!(
        e.origin_message_id.as_deref(),
        s.messages[1]["origin_message_id"].as_str()
    );
    let Some(DataJson::Json(p)) = &e.payload else {
        panic!("JSON payload: {:?}", e.payload)
    };
    assert_eq!(p["customer"]["email"], "[REDACTED]");
    assert_eq!(p["payment"]["card_number"], "[REDACTED]");
    assert_eq!(p["order_id"], s.messages[1]["event"]["order_id"]);
    let names: Vec<&str> = e.headers.iter().map(|h| h.name.as_str()).collect();
    for expected in ["app", "trace-id", "REAL_TOPIC", "ORIGIN_MESSAGE_ID"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(!v.to_string().contains("@example.com"));
    dlq()
        .args([
            "inspect",
            &s.dlq,
            id,
            "-o",
            "table",
            "-b",
            &pulsar_url(),
            "--subscription",
            "ops-inspect",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Convention        pulsar-client")
                .and(predicate::str::contains(format!(
                    "Origin topic      {}",
                    s.origin
                )))
                .and(predicate::str::contains("@example.com").not()),
        );
}

#[test]
fn inspect_of_an_absent_id_is_not_found_and_a_bad_id_is_usage() {
    let s = seeded();
    dlq()
        .args([
            "inspect",
            &s.dlq,
            "999:0:-1",
            "-b",
            &pulsar_url(),
            "--subscription",
            "ops-absent",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no entry 999:0:-1"));
    dlq()
        .args(["inspect", &s.dlq, "0:42", "-b", &pulsar_url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("LEDGER:ENTRY:PARTITION"));
}

#[test]
fn an_unknown_topic_is_named_and_not_created() {
    // Subscribing would create the topic: dlq asks the namespace first, and says it is missing.
    let name = unique("nothing-here-DLQ");
    dlq()
        .args(["list", &name, "-o", "jsonl", "-b", &pulsar_url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "topic 'persistent://public/default/{name}' does not exist"
        )));
    let topics = jsonl_of(dlq().args([
        "topics",
        "-b",
        &pulsar_url(),
        "-o",
        "jsonl",
        "--pattern",
        "*",
    ]));
    assert!(
        !topics
            .iter()
            .any(|t| t["topic"].as_str().is_some_and(|n| n.contains(&name))),
        "not created by asking"
    );
}

#[test]
fn a_subscription_held_by_another_consumer_is_explained_not_hung_on() {
    let s = seeded();
    let full = format!("persistent://public/default/{}", s.dlq);
    // The official client holds the Exclusive subscription "held" meanwhile.
    let holder = r#"
import pulsar, sys
c = pulsar.Client(sys.argv[1], logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
c.subscribe(sys.argv[2], 'held', consumer_type=pulsar.ConsumerType.Exclusive)
print('ready', flush=True)
sys.stdin.read()
"#;
    let result = while_peer_holds(holder, &[&pulsar_url(), &full], || {
        dlq()
            .args([
                "list",
                &s.dlq,
                "-b",
                &pulsar_url(),
                "--subscription",
                "held",
                "--timeout",
                "3s",
            ])
            .timeout(std::time::Duration::from_secs(60))
            .assert()
    });
    result.code(1).stderr(
        predicate::str::contains("is held by 1 consumer")
            .and(predicate::str::contains("--subscription")),
    );
}
