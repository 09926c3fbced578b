//! The redaction leak test: dead letters holding a dozen kinds of secret in every place a value
//! can appear (scripts/seed/leaks.py), read back through every output a person or a CI log sees,
//! on both brokers. No secret may be shown unless `--reveal` is given — and with it, every one
//! is, so the test cannot pass on data that never held them.

use std::process::Command as StdCommand;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{dlq, kafka_url, pulsar_url, python, unique};

fn seed(args: &[&str]) -> Value {
    let out = StdCommand::new(python())
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed/leaks.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "leaks.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// stdout and stderr of a dlq run that must succeed.
fn shown(args: &[&str]) -> String {
    let out = dlq().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "dlq {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn leaks_through_every_output(topic: &str, broker: &str, seeded: &Value) {
    let needles: Vec<&str> = seeded["needles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let ids: Vec<String> = shown(&["list", topic, "-b", broker, "-o", "jsonl"])
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len() as u64, seeded["count"].as_u64().unwrap());

    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut run = |label: &str, args: &[&str]| outputs.push((label.to_string(), shown(args)));
    run("list jsonl", &["list", topic, "-b", broker, "-o", "jsonl"]);
    run(
        "list json -vv",
        &["list", topic, "-b", broker, "-o", "json", "-vv"],
    );
    run("list table", &["list", topic, "-b", broker, "-o", "table"]);
    run("stats", &["stats", topic, "-b", broker, "-o", "json"]);
    run(
        "replay plan and dry run",
        &[
            "replay",
            topic,
            "--all",
            "--dry-run",
            "-b",
            broker,
            "-o",
            "table",
            "-vv",
        ],
    );
    for id in &ids {
        run(
            &format!("inspect {id} json"),
            &["inspect", topic, id, "-b", broker, "-o", "json"],
        );
        run(
            &format!("inspect {id} table -vv"),
            &["inspect", topic, id, "-b", broker, "-o", "table", "-vv"],
        );
    }
    for (label, text) in &outputs {
        for n in &needles {
            assert!(!text.contains(n), "{label} shows '{n}':\n{text}");
        }
    }

    // A redacted export is marked, and replaying it is refused before anything is sent.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.jsonl");
    shown(&[
        "export",
        topic,
        "--redact",
        "-b",
        broker,
        "--out",
        file.to_str().unwrap(),
    ]);
    let lines = std::fs::read_to_string(&file).unwrap();
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<Value>(l).unwrap()["redacted"] == true));
    dlq()
        .args([
            "replay",
            "--from-file",
            file.to_str().unwrap(),
            "-b",
            broker,
            "-y",
        ])
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("redacted export")
                .and(predicates::str::contains("Nothing was sent")),
        );

    // With --reveal every secret is there to be seen: the data really held them.
    let mut revealed = String::new();
    for id in &ids {
        revealed.push_str(&shown(&[
            "inspect", topic, id, "-b", broker, "-o", "json", "--reveal",
        ]));
    }
    for n in &needles {
        // JSON output escapes line breaks; the needles have none.
        assert!(revealed.contains(n), "--reveal shows '{n}'");
    }
}

#[test]
fn no_secret_leaks_from_kafka_dead_letters() {
    let topic = unique("leaks.DLT");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    let seeded = seed(&["--kafka", &bootstrap, "--topic", &topic]);
    leaks_through_every_output(&topic, &kafka_url(), &seeded);
}

#[test]
fn no_secret_leaks_from_pulsar_dead_letters() {
    let topic = unique("leaks-billing-DLQ");
    let seeded = seed(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &format!("persistent://public/default/{topic}"),
    ]);
    leaks_through_every_output(&topic, &pulsar_url(), &seeded);
}

/// Allow-list mode, from a team's policy file and from `--redact-all-except`: only the named
/// payload fields and headers are shown, the key is masked unless named, and the error class and
/// context stay visible.
#[test]
fn allow_list_mode_shows_only_what_is_named_and_the_context() {
    let origin = unique("allow-orders");
    let topic = format!("{origin}.DLT");
    crate::common::seed_kafka(&origin, &topic, &["spring"], 1);
    let id = "0:0";
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "# the payments team's policy\nredaction = \"allow-list\"\nallow = [\"order_id\", \"amount\"]\n",
    )
    .unwrap();
    // A context can name the policy file too.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[contexts.team]\nbroker = \"{}\"\nredaction-policy = \"{}\"\n",
            kafka_url(),
            policy.display()
        ),
    )
    .unwrap();
    let runs: Vec<Vec<String>> = vec![
        vec!["--redaction-policy".into(), policy.display().to_string()],
        vec!["--context".into(), "team".into()],
        vec![
            "--redact-all-except".into(),
            "order_id".into(),
            "--redact-all-except".into(),
            "amount".into(),
        ],
    ];
    for extra in runs {
        let v: Value = serde_json::from_slice(&crate::common::stdout_of(
            dlq()
                .args(["inspect", &topic, id, "-o", "json"])
                .args(&extra)
                .env("DLQ_BROKER", kafka_url())
                .env("DLQ_CONFIG", &config),
        ))
        .unwrap();
        let payload = &v["payload"]["json"];
        assert!(payload["order_id"].is_number(), "{extra:?}: {payload}");
        assert_eq!(
            payload["amount"]["currency"], "EUR",
            "a named object is shown whole: {payload}"
        );
        for (k, val) in payload.as_object().unwrap() {
            if k != "order_id" && k != "amount" {
                assert!(
                    val == "[REDACTED]" || val.is_object() || val.is_array() || val.is_null(),
                    "{k} shown: {val}"
                );
            }
        }
        assert_eq!(v["key"]["text"], "[REDACTED]", "the key is not named");
        assert!(
            v["error_class"].as_str().unwrap().contains("Exception"),
            "context stays"
        );
        assert_eq!(v["origin_topic"], origin.as_str());
        // The convention's headers are context and stay; other headers are masked.
        for h in v["headers"].as_array().unwrap() {
            let name = h["name"].as_str().unwrap();
            if !name.starts_with("kafka_dlt-") && !name.starts_with("retry_topic-") {
                assert_eq!(h["value"]["text"], "[REDACTED]", "{name}");
            }
        }
    }
    // A policy file that is not one is named.
    std::fs::write(&policy, "redaction = \"everything\"\n").unwrap();
    dlq()
        .args(["inspect", &topic, id, "-b", &kafka_url()])
        .args(["--redaction-policy", policy.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a redaction policy"));
}
