//! The redaction leak test: dead letters holding a dozen kinds of secret in every place a value
//! can appear (scripts/seed/leaks.py), read back through every output a person or a CI log sees,
//! on both brokers. No secret may be shown unless `--reveal` is given — and with it, every one
//! is, so the test cannot pass on data that never held them.

use std::process::Command as StdCommand;

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
