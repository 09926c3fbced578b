//! `dlq replay` on both brokers. What dlq sent is read back with the official clients
//! (scripts/seed/read_topic.py), never with dlq itself.

use std::collections::BTreeSet;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    any_with_header, b64, broker_env, create_pulsar_topic, dlq, interrupted, json_of, jsonl_of,
    kafka_url, on_terminal, pulsar_url, read_topic_kafka, read_topic_pulsar, run_script,
    seed_kafka, seed_pulsar, seed_pulsar_with, unique,
};

/// The header (Kafka) value of `name`, decoded.
fn header(msg: &Value, name: &str) -> Option<String> {
    msg["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0] == name)
        .and_then(|h| b64(&h[1]))
        .map(|v| String::from_utf8(v).unwrap())
}

fn replays_in(messages: &[Value]) -> Vec<Value> {
    messages
        .iter()
        .filter(|m| header(m, "dlq-replay-of").is_some())
        .cloned()
        .collect()
}

fn replay(topic: &str, broker: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(["replay", topic, "-b", broker]).args(extra);
    cmd
}

fn summary(topic: &str, broker: &str, extra: &[&str]) -> Value {
    json_of(&mut replay(
        topic,
        broker,
        &[extra, &["-o", "json"]].concat(),
    ))
}

/// Runs a replay that is expected to end with exit code 3 and returns its JSON summary.
fn partial_summary(topic: &str, broker: &str, extra: &[&str]) -> Value {
    let out = replay(topic, broker, &[extra, &["-o", "json"]].concat())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count_listed(topic: &str, broker: &str, extra: &[&str]) -> usize {
    jsonl_of(
        dlq()
            .args(["list", topic, "-o", "jsonl", "-b", broker])
            .args(extra),
    )
    .len()
}

// ---------------------------------------------------------------- Kafka

#[test]
fn kafka_replay_round_trips_payload_key_and_headers_to_the_origin() {
    let origin = unique("rt-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["connect", "spring"], 3);
    let dead = read_topic_kafka(&dlq_topic);
    assert_eq!(dead.len(), 6);

    let s = summary(&dlq_topic, &kafka_url(), &["--all", "-y"]);
    assert_eq!(
        (
            s["selected"].as_u64(),
            s["sent"].as_u64(),
            s["failed"].as_u64()
        ),
        (Some(6), Some(6), Some(0))
    );
    assert_eq!(s["targets"][&origin]["sent"], 6);

    let replays = replays_in(&read_topic_kafka(&origin));
    assert_eq!(replays.len(), 6, "one copy per dead letter");
    for d in &dead {
        let of = format!("{dlq_topic}@{}:{}", d["partition"], d["offset"]);
        let copy = replays
            .iter()
            .find(|r| header(r, "dlq-replay-of").as_deref() == Some(of.as_str()))
            .unwrap_or_else(|| panic!("no replay of {of}"));
        assert_eq!(copy["key"], d["key"], "key byte for byte");
        assert_eq!(copy["value"], d["value"], "payload byte for byte");
        let names: Vec<&str> = copy["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h[0].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["traceparent", "dlq-replay-of", "dlq-replay-count"],
            "context headers removed, markers added"
        );
        assert_eq!(
            header(copy, "traceparent"),
            header(d, "traceparent"),
            "original headers kept"
        );
        assert_eq!(header(copy, "dlq-replay-count").as_deref(), Some("1"));
    }

    assert_eq!(
        count_listed(&dlq_topic, &kafka_url(), &[]),
        0,
        "handled entries leave the listing"
    );
    assert_eq!(
        count_listed(&dlq_topic, &kafka_url(), &["--include-handled"]),
        6,
        "--all still shows them"
    );
    let again = summary(&dlq_topic, &kafka_url(), &["--all", "-y"]);
    assert_eq!(
        (again["selected"].as_u64(), again["sent"].as_u64()),
        (Some(0), Some(0)),
        "a second run sends nothing"
    );
    assert_eq!(replays_in(&read_topic_kafka(&origin)).len(), 6);
}

#[test]
fn kafka_selective_replay_sends_only_the_selection_and_explains_the_gap() {
    let origin = unique("sel-orders");
    let dlq_topic = format!("{origin}.DLT");
    let seeded = seed_kafka(&origin, &dlq_topic, &["connect", "spring"], 2);
    let out = replay(
        &dlq_topic,
        &kafka_url(),
        &["--grep", "ListenerExecutionFailed", "-y", "-o", "json"],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["sent"], 2);
    let spring_ids: BTreeSet<String> = seeded["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["style"] == "spring")
        .map(|e| format!("{dlq_topic}@{}", e["id"].as_str().unwrap()))
        .collect();
    let sent: BTreeSet<String> = replays_in(&read_topic_kafka(&origin))
        .iter()
        .map(|r| header(r, "dlq-replay-of").unwrap())
        .collect();
    assert_eq!(sent, spring_ids);
    // The Connect entries come first in each partition: Kafka cannot mark what lies after them.
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("contiguous prefix"), "{warnings}");
}

#[test]
fn kafka_envelope_replays_its_original_event_and_needs_a_target() {
    let origin = unique("env-orders");
    let dlq_topic = format!("{origin}.DLT");
    let seeded = seed_kafka(&origin, &dlq_topic, &["envelope"], 2);
    let s = partial_summary(&dlq_topic, &kafka_url(), &["--all", "-y"]);
    assert_eq!(
        (s["sent"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(s["skips"][0]["reason"].as_str().unwrap().contains("--to"));

    let s = summary(&dlq_topic, &kafka_url(), &["--all", "--to", &origin, "-y"]);
    assert_eq!(s["sent"], 2);
    let originals: Vec<Value> = read_topic_kafka(&origin)
        .into_iter()
        .filter(|m| header(m, "dlq-replay-of").is_none())
        .collect();
    for copy in replays_in(&read_topic_kafka(&origin)) {
        let event: Value = serde_json::from_slice(&b64(&copy["value"]).unwrap()).unwrap();
        let original = originals
            .iter()
            .find(|o| o["key"] == copy["key"])
            .expect("original with that key");
        let original_event: Value =
            serde_json::from_slice(&b64(&original["value"]).unwrap()).unwrap();
        assert_eq!(
            event, original_event,
            "the envelope's original_event is what is sent"
        );
    }
    assert_eq!(seeded["entries"].as_array().unwrap().len(), 2);
}

#[test]
fn kafka_replay_refuses_likely_loops_until_max_replays_allows() {
    let origin = unique("loop-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["looping"], 2);
    let s = partial_summary(&dlq_topic, &kafka_url(), &["--all", "-y"]);
    assert_eq!(
        (s["sent"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(s["skips"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("likely a loop"));
    assert!(replays_in(&read_topic_kafka(&origin)).is_empty());

    let s = summary(
        &dlq_topic,
        &kafka_url(),
        &["--all", "--max-replays", "5", "-y"],
    );
    assert_eq!(s["sent"], 2);
    for copy in replays_in(&read_topic_kafka(&origin)) {
        assert_eq!(header(&copy, "dlq-replay-count").as_deref(), Some("4"));
        let counts = copy["headers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h[0] == "dlq-replay-count")
            .count();
        assert_eq!(counts, 1);
    }
}

/// A dry run shows what it would send and sends and marks nothing, on either broker (one test
/// for both: the contract suite, src/commands/testing/contract.rs, checks the same on the in-memory
/// broker too).
#[test]
fn a_dry_run_sends_nothing_and_marks_nothing_on_either_broker() {
    let kafka_origin = unique("dry-orders");
    let kafka_dlq = format!("{kafka_origin}.DLT");
    seed_kafka(&kafka_origin, &kafka_dlq, &["spring"], 2);
    let pulsar_origin = unique("dry-payments");
    seed_pulsar(&pulsar_origin, "billing", 2);
    // What reached each origin topic that carries dlq's marker (Pulsar: its properties).
    let replayed_kafka = || replays_in(&read_topic_kafka(&kafka_origin)).len();
    let replayed_pulsar = || {
        read_topic_pulsar(&pulsar_origin)
            .iter()
            .filter(|m| m["properties"].get("dlq-replay-of").is_some())
            .count()
    };
    let cases: [(String, String, &dyn Fn() -> usize); 2] = [
        (kafka_url(), kafka_dlq, &replayed_kafka),
        (
            pulsar_url(),
            format!("{pulsar_origin}-billing-DLQ"),
            &replayed_pulsar,
        ),
    ];
    for (url, dlq_topic, replayed) in cases {
        replay(&dlq_topic, &url, &["--all", "--dry-run", "-o", "table"])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("would send")
                    .and(predicate::str::contains("Dry run: nothing was sent")),
            );
        assert_eq!(replayed(), 0, "{url}: nothing sent");
        assert_eq!(
            count_listed(&dlq_topic, &url, &[]),
            2,
            "{url}: nothing marked"
        );
    }
}

#[test]
fn the_plan_masks_keys_by_the_users_rules_too() {
    let origin = unique("masked-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let out = replay(
        &dlq_topic,
        &kafka_url(),
        &[
            "--all",
            "--dry-run",
            "-o",
            "table",
            "--redact-pattern",
            r"order-\d+",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("[REDACTED:custom]"), "{shown}");
    assert!(!shown.contains("order-5000"), "{shown}");
}

#[test]
fn replay_needs_a_selection_and_a_yes_without_a_terminal() {
    let origin = unique("safe-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 1);
    replay(&dlq_topic, &kafka_url(), &[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--all"));
    replay(&dlq_topic, &kafka_url(), &["--all"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("-y/--yes"));
    assert!(replays_in(&read_topic_kafka(&origin)).is_empty());
}

/// Starts a rate-limited replay, kills it with SIGKILL as soon as the official client sees its
/// first copy arrive (`replay_seen`), then runs the same replay again. Returns how many the
/// second run sent. The rate makes the first run take half a minute unless killed, so the kill
/// lands half-way however slowly the peer polls.
fn killed_half_way_then_rerun(
    dlq_topic: &str,
    broker: &str,
    rate: &str,
    replay_seen: impl Fn() -> bool,
) -> u64 {
    // The test's own environment (its Pulsar admin API among it), as every dlq run here.
    let mut child = crate::common::dlq_std()
        .args([
            "replay", dlq_topic, "-b", broker, "--all", "-y", "-q", "--rate", rate, "-o", "json",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !replay_seen() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the replay ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no replay arrived within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let s = summary(dlq_topic, broker, &["--all", "-y"]);
    s["sent"].as_u64().unwrap()
}

#[test]
fn kafka_replay_killed_half_way_then_rerun_loses_nothing() {
    let origin = unique("kill-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 300);
    let second_run = killed_half_way_then_rerun(&dlq_topic, &kafka_url(), "10", || {
        any_with_header(true, &origin, "dlq-replay-of")
    });
    let replays = replays_in(&read_topic_kafka(&origin));
    let first_run = replays.len() as u64 - second_run;
    assert!(
        first_run > 0 && first_run < 300,
        "the first run was killed half-way ({first_run} sent)"
    );
    let covered: BTreeSet<String> = replays
        .iter()
        .map(|r| header(r, "dlq-replay-of").unwrap())
        .collect();
    let all: BTreeSet<String> = read_topic_kafka(&dlq_topic)
        .iter()
        .map(|d| format!("{dlq_topic}@{}:{}", d["partition"], d["offset"]))
        .collect();
    assert_eq!(covered, all, "every dead letter delivered at least once");
    assert_eq!(count_listed(&dlq_topic, &kafka_url(), &[]), 0);
}

#[test]
fn the_prompt_defaults_to_no_and_yes_goes_ahead() {
    let origin = unique("ask-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let dlq_bin = assert_cmd::cargo::cargo_bin("dlq");
    let cmd = [
        dlq_bin.to_str().unwrap(),
        "replay",
        &dlq_topic,
        "-b",
        &kafka_url(),
        "--all",
    ];
    let declined = on_terminal("Replay 2 entries to 1 topic?", "n", &cmd);
    assert_eq!(declined["answered"], true);
    assert_eq!(declined["exit"], 5, "{}", declined["output"]);
    assert!(declined["output"]
        .as_str()
        .unwrap()
        .contains("nothing was sent"));
    let just_enter = on_terminal("Replay 2 entries to 1 topic?", "\r", &cmd);
    assert_eq!(just_enter["exit"], 5, "Enter takes the default, no");
    assert!(replays_in(&read_topic_kafka(&origin)).is_empty());

    let accepted = on_terminal("Replay 2 entries to 1 topic?", "y", &cmd);
    assert_eq!(accepted["exit"], 0, "{}", accepted["output"]);
    assert_eq!(replays_in(&read_topic_kafka(&origin)).len(), 2);
}

#[test]
fn kafka_replay_by_id_to_the_original_partition() {
    let origin = unique("id-orders");
    let dlq_topic = format!("{origin}.DLT");
    let seeded = seed_kafka(&origin, &dlq_topic, &["spring"], 8);
    let entries = seeded["entries"].as_array().unwrap();
    // One entry from each origin partition; the key alone might hash elsewhere.
    let picks: Vec<&Value> = [0, 1]
        .iter()
        .map(|p| {
            entries
                .iter()
                .find(|e| e["origin_partition"] == *p)
                .expect("both partitions used")
        })
        .collect();
    let mut args = vec!["--keep-partition", "-y"];
    for p in &picks {
        args.extend(["--id", p["id"].as_str().unwrap()]);
    }
    let s = summary(&dlq_topic, &kafka_url(), &args);
    assert_eq!(
        (s["selected"].as_u64(), s["sent"].as_u64()),
        (Some(2), Some(2))
    );
    let copies = replays_in(&read_topic_kafka(&origin));
    assert_eq!(copies.len(), 2);
    for p in picks {
        let of = format!("{dlq_topic}@{}", p["id"].as_str().unwrap());
        let copy = copies
            .iter()
            .find(|c| header(c, "dlq-replay-of").as_deref() == Some(of.as_str()))
            .unwrap();
        assert_eq!(copy["partition"], p["origin_partition"], "--keep-partition");
    }
}

#[test]
fn kafka_replay_to_a_missing_topic_skips_and_reports() {
    let origin = unique("miss-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let missing = unique("no-such-target");
    let s = partial_summary(&dlq_topic, &kafka_url(), &["--all", "--to", &missing, "-y"]);
    assert_eq!(
        (s["sent"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(s["skips"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
    assert_eq!(
        count_listed(&dlq_topic, &kafka_url(), &[]),
        2,
        "nothing marked"
    );
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_5_and_a_rerun_finishes() {
    let origin = unique("int-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 100);
    let slow = [
        "replay",
        &dlq_topic,
        "-b",
        &kafka_url(),
        "--all",
        "--rate",
        "10",
    ];
    let (first, _) = interrupted(&slow, &[], || {
        any_with_header(true, &origin, "dlq-replay-of")
    });
    let sent_first = first["sent"].as_u64().unwrap();
    assert!(
        sent_first > 0 && sent_first < 100,
        "stopped half-way: {sent_first}"
    );
    assert_eq!(
        replays_in(&read_topic_kafka(&origin)).len() as u64,
        sent_first,
        "every confirmed copy counted"
    );

    let second = summary(&dlq_topic, &kafka_url(), &["--all", "-y"]);
    assert_eq!(
        second["sent"].as_u64().unwrap(),
        100 - sent_first,
        "nothing sent twice after a clean stop"
    );
    assert_eq!(replays_in(&read_topic_kafka(&origin)).len(), 100);
}

/// A restore (`--from-file`) marks nothing: what an interrupted one confirmed is kept in its
/// journal, which the stderr names, and the rerun sends the rest, each line once.
#[test]
fn ctrl_c_stops_a_restore_cleanly_and_its_rerun_sends_each_line_once() {
    let origin = unique("int-restore");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 100);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.jsonl");
    let export = export.to_str().unwrap();
    dlq()
        .args(["export", &dlq_topic, "-b", &kafka_url(), "--out", export])
        .assert()
        .success();
    let originals = read_topic_kafka(&dlq_topic);
    assert_eq!(originals.len(), 100);
    let restore = ["replay", "--from-file", export, "-b", &kafka_url()];
    let slow = [&restore[..], &["--rate", "10"]].concat();
    let (first, err) = interrupted(&slow, &[], || read_topic_kafka(&dlq_topic).len() > 100);
    let sent_first = first["sent"].as_u64().unwrap();
    assert!(
        sent_first > 0 && sent_first < 100,
        "stopped half-way: {sent_first}"
    );
    assert!(err.contains("the confirmed lines are kept in"), "{err}");
    assert_eq!(read_topic_kafka(&dlq_topic).len() as u64, 100 + sent_first);

    // The same HOME as the interrupted run: its journal is found.
    let second = json_of(dlq().args(restore).args(["-y", "-o", "json"]));
    assert_eq!(
        (second["resumed"].as_u64(), second["sent"].as_u64()),
        (Some(sent_first), Some(100 - sent_first)),
        "{second}"
    );
    // The DLQ holds the 100 dead letters and, at new positions, exactly one copy of each.
    let at = |m: &Value| (m["partition"].as_i64(), m["offset"].as_i64());
    let essence = |m: &Value| format!("{} {} {}", m["key"], m["value"], m["headers"]);
    let positions: BTreeSet<_> = originals.iter().map(at).collect();
    let mut before: Vec<String> = originals.iter().map(essence).collect();
    let mut copies: Vec<String> = read_topic_kafka(&dlq_topic)
        .iter()
        .filter(|m| !positions.contains(&at(m)))
        .map(essence)
        .collect();
    before.sort();
    copies.sort();
    assert_eq!(copies, before, "each line restored once");
}

// ---------------------------------------------------------------- Pulsar

#[test]
fn pulsar_replay_refuses_likely_loops() {
    let topic = unique("loop-payments");
    seed_pulsar_with(&topic, "billing", 2, &["dlq-replay-count=3"], &[]);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let s = partial_summary(&dlq_topic, &pulsar_url(), &["--all", "-y"]);
    assert_eq!(
        (s["sent"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(s["skips"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("likely a loop"));
    let s = summary(
        &dlq_topic,
        &pulsar_url(),
        &["--all", "--max-replays", "4", "-y"],
    );
    assert_eq!(s["sent"], 2);
    let copies: Vec<Value> = read_topic_pulsar(&topic)
        .into_iter()
        .filter(|m| property(m, "dlq-replay-of").is_some())
        .collect();
    assert_eq!(copies.len(), 2);
    assert!(copies
        .iter()
        .all(|c| property(c, "dlq-replay-count").as_deref() == Some("4")));
}

/// A Pulsar property of a message read back by read_topic.py.
fn property(msg: &Value, name: &str) -> Option<String> {
    msg["properties"][name].as_str().map(str::to_string)
}

#[test]
fn pulsar_replay_round_trips_to_the_origin_and_acknowledges() {
    let topic = unique("rt-payments");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let dead = read_topic_pulsar(&dlq_topic);
    assert_eq!(dead.len(), 4);

    let s = summary(&dlq_topic, &pulsar_url(), &["--all", "-y"]);
    assert_eq!(
        (s["sent"].as_u64(), s["failed"].as_u64()),
        (Some(4), Some(0))
    );

    let replays: Vec<Value> = read_topic_pulsar(&topic)
        .into_iter()
        .filter(|m| property(m, "dlq-replay-of").is_some())
        .collect();
    assert_eq!(replays.len(), 4);
    for sent in seeded["messages"].as_array().unwrap() {
        let key = sent["key"].as_str().unwrap();
        let original = dead
            .iter()
            .find(|d| b64(&d["key"]).as_deref() == Some(key.as_bytes()))
            .unwrap();
        let copy = replays
            .iter()
            .find(|r| b64(&r["key"]).as_deref() == Some(key.as_bytes()))
            .unwrap();
        assert_eq!(copy["value"], original["value"], "payload byte for byte");
        let mut names: Vec<&String> = copy["properties"].as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(
            names,
            ["app", "dlq-replay-count", "dlq-replay-of", "trace-id"],
            "REAL_TOPIC and ORIGIN_MESSAGE_ID removed"
        );
        assert_eq!(
            property(copy, "trace-id"),
            sent["properties"]["trace-id"].as_str().map(str::to_string)
        );
        assert!(property(copy, "dlq-replay-of")
            .unwrap()
            .starts_with(&format!("persistent://public/default/{dlq_topic}@")));
    }
    assert_eq!(
        count_listed(&dlq_topic, &pulsar_url(), &[]),
        0,
        "acknowledged entries leave the backlog"
    );
    assert_eq!(
        count_listed(&dlq_topic, &pulsar_url(), &["--include-handled"]),
        4
    );
    let again = summary(&dlq_topic, &pulsar_url(), &["--all", "-y"]);
    assert_eq!(again["sent"], 0, "a second run sends nothing");
}

#[test]
fn pulsar_selective_replay_acknowledges_only_the_selection() {
    let topic = unique("sel-payments");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let key = seeded["messages"][1]["key"].as_str().unwrap();
    let s = summary(&dlq_topic, &pulsar_url(), &["--key", key, "-y"]);
    assert_eq!(s["sent"], 1);
    let left = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &pulsar_url()]));
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|e| e["key"]["text"] != key));
    let again = summary(&dlq_topic, &pulsar_url(), &["--key", key, "-y"]);
    assert_eq!(
        (again["selected"].as_u64(), again["sent"].as_u64()),
        (Some(0), Some(0))
    );
}

/// 20 dead letters sent at once by the official client's batching producer (one batch, or very
/// few) on `url`; a selective replay of 5 of them to a target; the summary.
fn replay_part_of_a_batch(url: &str, admin: &str) -> (String, String, Value) {
    let dlq_topic = format!(
        "persistent://public/default/{}-billing-DLQ",
        unique("batch-payments")
    );
    run_script(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/seed_bulk.py"),
        &["--url", url, "--topic", &dlq_topic, "--count", "20"],
    );
    let target = unique("batch-target");
    let created = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT"])
        .arg(format!(
            "{admin}/admin/v2/persistent/public/default/{target}"
        ))
        .status()
        .unwrap();
    assert!(created.success());
    let s = json_of(
        dlq()
            .args(["replay", &dlq_topic, "-b", url, "-o", "json"])
            .args(["--all", "--limit", "5", "--to", &target, "-y"])
            .env("DLQ_PULSAR_ADMIN_URL", admin),
    );
    assert_eq!(s["sent"], 5, "{s}");
    (dlq_topic, target, s)
}

fn left_in(dlq_topic: &str, url: &str, admin: &str) -> Vec<String> {
    jsonl_of(
        dlq()
            .args(["list", dlq_topic, "-o", "jsonl", "-b", url])
            .env("DLQ_PULSAR_ADMIN_URL", admin),
    )
    .iter()
    .map(|e| e["id"].as_str().unwrap().to_string())
    .collect()
}

#[test]
fn pulsar_replay_of_part_of_a_batch_leaves_exactly_the_rest_where_the_broker_acks_batch_indexes() {
    // The shared broker runs with acknowledgmentAtBatchIndexLevelEnabled=true: dlq sends an ack
    // set for the handled messages of a partly handled batch, and the broker keeps the others.
    let admin = crate::common::broker_env("DLQ_TEST_PULSAR_ADMIN");
    let (dlq_topic, target, s) = replay_part_of_a_batch(&pulsar_url(), &admin);
    assert!(
        !s["warnings"].to_string().contains("stay in the backlog"),
        "nothing stays that was handled: {s}"
    );
    assert!(
        s["warnings"]
            .to_string()
            .contains("acknowledged by batch index"),
        "and dlq says its own later reads still show them: {s}"
    );
    // The backlog as a client that reads ack sets sees it (the official client, on the operator
    // subscription): exactly the 15 not replayed.
    let sent: BTreeSet<Vec<u8>> = read_topic_pulsar(&target)
        .iter()
        .map(|m| b64(&m["value"]).unwrap())
        .collect();
    assert_eq!(sent.len(), 5);
    let backlog: BTreeSet<Vec<u8>> = crate::common::backlog_pulsar(&dlq_topic, "dlq-cli")
        .iter()
        .map(|m| b64(&m["value"]).unwrap())
        .collect();
    assert_eq!(backlog.len(), 15, "exactly the rest stays");
    assert!(backlog.is_disjoint(&sent), "and none of what was replayed");
}

#[test]
fn pulsar_replay_of_part_of_a_batch_says_what_stays_where_the_broker_acks_whole_batches() {
    let own = crate::common::OwnPulsar::start(&[("DLQ_PULSAR_BATCH_INDEX_ACK", "false")]);
    let (dlq_topic, _, s) = replay_part_of_a_batch(&own.url, &own.admin);
    let warning = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|w| w.contains("stay in the backlog"))
        .unwrap_or_else(|| panic!("no warning about the partly handled batch: {s}"));
    let stuck: usize = warning.split(' ').next().unwrap().parse().unwrap();
    assert!((1..=5).contains(&stuck), "{warning}");
    assert_eq!(
        left_in(&dlq_topic, &own.url, &own.admin).len(),
        15 + stuck,
        "what the warning names is what stays unhandled"
    );
}

#[test]
fn pulsar_replay_killed_half_way_then_rerun_loses_nothing() {
    let topic = unique("kill-payments");
    seed_pulsar(&topic, "billing", 120);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let second_run = killed_half_way_then_rerun(&dlq_topic, &pulsar_url(), "5", || {
        any_with_header(false, &topic, "dlq-replay-of")
    });
    let replays: Vec<Value> = read_topic_pulsar(&topic)
        .into_iter()
        .filter(|m| property(m, "dlq-replay-of").is_some())
        .collect();
    let first_run = replays.len() as u64 - second_run;
    assert!(
        first_run > 0 && first_run < 120,
        "the first run was killed half-way ({first_run} sent)"
    );
    let keys: BTreeSet<Vec<u8>> = replays.iter().map(|r| b64(&r["key"]).unwrap()).collect();
    assert_eq!(keys.len(), 120, "every dead letter delivered at least once");
    assert_eq!(count_listed(&dlq_topic, &pulsar_url(), &[]), 0);
}

/// Ctrl-C during a Pulsar replay: every entry confirmed by then is acknowledged on the broker, so
/// the rerun sends exactly the rest. (The reader stops with the consumer's queue full; pulsar-rs
/// held the acknowledgements behind the messages it could not deliver, and the close dropped
/// them: of 776 confirmed, 78 were acknowledged, and a rerun would have sent 698 twice.)
#[test]
fn ctrl_c_stops_a_pulsar_replay_with_every_confirmed_entry_acknowledged() {
    const N: u64 = 3000;
    let dlq_topic = format!("{}-billing-DLQ", unique("int-pulsar"));
    run_script(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/seed_bulk.py"),
        &[
            "--url",
            &pulsar_url(),
            "--topic",
            &dlq_topic,
            "--count",
            &N.to_string(),
            "--no-batching",
        ],
    );
    let target = unique("int-pulsar-target");
    create_pulsar_topic(&target, 0);
    // Internal stats count at once; the topic stats' msgInCounter only every minute (a loaded
    // run waited past the test's minute for it).
    let stats = format!(
        "{}/admin/v2/persistent/public/default/{target}/internalStats",
        broker_env("DLQ_TEST_PULSAR_ADMIN")
    );
    let written = || -> u64 {
        let out = StdCommand::new("curl")
            .args(["-sf", &stats])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .and_then(|v| v["entriesAddedCounter"].as_u64())
            .unwrap_or(0)
    };
    let replay = [
        "replay",
        &dlq_topic,
        "-b",
        &pulsar_url(),
        "--all",
        "--to",
        &target,
    ];
    let slow = [&replay[..], &["--rate", "500"]].concat();
    let (first, _) = interrupted(&slow, &[], || written() >= 200);
    let sent = first["sent"].as_u64().unwrap();
    assert!(sent > 0 && sent < N, "stopped half-way: {first}");
    assert_eq!(
        count_listed(&dlq_topic, &pulsar_url(), &[]) as u64,
        N - sent,
        "every confirmed entry acknowledged, nothing else"
    );

    let second = json_of(dlq().args(replay).args(["-y", "-o", "json"]));
    assert_eq!(second["sent"].as_u64(), Some(N - sent), "{second}");
    let keys: Vec<Vec<u8>> = read_topic_pulsar(&target)
        .iter()
        .map(|m| b64(&m["key"]).unwrap())
        .collect();
    let distinct: BTreeSet<&Vec<u8>> = keys.iter().collect();
    assert_eq!(
        (keys.len() as u64, distinct.len() as u64),
        (N, N),
        "each entry sent once"
    );
}
