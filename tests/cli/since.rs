//! `dlq replay TOPIC --since …` on main topics: rewinding a group or subscription, and copying a
//! time window. Checked by consuming with the official clients as the service would.

use std::process::Command as StdCommand;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    b64, dlq, json_of, kafka_admin, kafka_url, pulsar_url, python, read_topic_kafka,
    read_topic_pulsar, unique, while_peer_holds,
};

fn script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/seed")
        .join(name)
}

fn main_topic(args: &[&str]) -> Value {
    let out = StdCommand::new(python())
        .arg(script("main_topic.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "main_topic.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs a short Python snippet with the official clients; its stdout, parsed as JSON.
fn peer(code: &str, args: &[&str]) -> Value {
    let out = StdCommand::new(python())
        .args(["-c", code])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "peer: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const BASE: i64 = 1_700_000_000_000;

/// What group `group` receives first in each partition, consuming as the service would.
fn first_per_partition_kafka(topic: &str, group: &str, partitions: usize) -> Value {
    peer(
        r#"
import json, sys, time
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[3], 'session.timeout.ms': 6000,
              'auto.offset.reset': 'latest', 'enable.auto.commit': False})
c.subscribe([sys.argv[2]])
first = {}
deadline = time.time() + 60
while len(first) < int(sys.argv[4]) and time.time() < deadline:
    m = c.poll(1)
    if m is not None and not m.error() and m.partition() not in first:
        first[m.partition()] = m.offset()
c.close()
json.dump({str(k): v for k, v in first.items()}, sys.stdout)
"#,
        &[
            kafka_url().trim_start_matches("kafka://"),
            topic,
            group,
            &partitions.to_string(),
        ],
    )
}

#[test]
fn kafka_rewind_moves_the_group_to_the_first_message_at_or_after_the_time() {
    let topic = unique("rw-orders");
    let group = unique("svc");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &topic,
        "--partitions",
        "3",
        "--per-partition",
        "10",
        "--group",
        &group,
    ]);
    // Between the records at 4 s and 5 s: every partition restarts at offset 5.
    let since = jiff::Timestamp::from_millisecond(BASE + 4_500)
        .unwrap()
        .to_string();
    let plan = json_of(dlq().args([
        "replay",
        &topic,
        "--since",
        &since,
        "--group",
        &group,
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    crate::json_contract::rewind(&plan);
    assert_eq!(plan["mode"], "rewind");
    assert_eq!(plan["applied"], true);
    assert_eq!(
        plan["since"],
        since.as_str(),
        "the instant the input resolved to"
    );
    assert_eq!(plan["reprocess"], 15);
    for p in plan["partitions"].as_array().unwrap() {
        assert_eq!(p["current"], "offset 10", "the service had read everything");
        assert_eq!(p["new_position"], "offset 5");
        assert_eq!(
            p["first_timestamp"],
            jiff::Timestamp::from_millisecond(BASE + 5_000)
                .unwrap()
                .to_string()
        );
    }
    let first = first_per_partition_kafka(&topic, &group, 3);
    assert_eq!(
        first,
        serde_json::json!({"0": 5, "1": 5, "2": 5}),
        "the group delivers the first message ≥ TIME first"
    );
}

#[test]
fn kafka_rewind_at_an_exact_timestamp_includes_that_message() {
    let topic = unique("rw-exact");
    let group = unique("svc");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &topic,
        "--partitions",
        "2",
        "--per-partition",
        "6",
        "--group",
        &group,
    ]);
    let since = (BASE + 3_000).to_string(); // epoch milliseconds
    let plan = json_of(dlq().args([
        "replay",
        &topic,
        "--since",
        &since,
        "--group",
        &group,
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(
        plan["since"],
        jiff::Timestamp::from_millisecond(BASE + 3_000)
            .unwrap()
            .to_string()
    );
    assert!(plan["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["new_position"] == "offset 3"));
    assert_eq!(
        first_per_partition_kafka(&topic, &group, 2),
        serde_json::json!({"0": 3, "1": 3})
    );
}

/// A member of `group` on `topic` with the given `group.protocol` ("classic" or "consumer",
/// KIP-848), held by the official client while `during` runs.
fn while_member<R>(protocol: &str, topic: &str, group: &str, during: impl FnOnce() -> R) -> R {
    let member = r#"
import sys
from confluent_kafka import Consumer
conf = {'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[3], 'auto.offset.reset': 'earliest',
        'group.protocol': sys.argv[4], 'enable.auto.commit': False}
if sys.argv[4] == 'classic':
    conf['session.timeout.ms'] = 6000
c = Consumer(conf)
c.subscribe([sys.argv[2]])
while not c.assignment():
    c.poll(0.5)
print('ready', flush=True)
while sys.stdin.read(1):
    pass
c.close()
"#;
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    while_peer_holds(member, &[&bootstrap, topic, group, protocol], during)
}

fn rewind_kafka(topic: &str, group: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(["replay", topic, "--since", "1d", "--group", group])
        .args(["-b", &kafka_url(), "-y", "-o", "json"])
        .args(extra);
    cmd
}

fn one_partition_topic(per_partition: &str) -> String {
    let topic = unique("rw-busy");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &topic,
        "--partitions",
        "1",
        "--per-partition",
        per_partition,
    ]);
    topic
}

#[test]
fn kafka_rewind_refuses_a_classic_group_with_active_members_and_proceeds_once_they_stop() {
    let topic = one_partition_topic("3");
    let group = unique("busy-classic");
    let dir = tempfile::tempdir().unwrap();
    let result = while_member("classic", &topic, &group, || {
        rewind_kafka(&topic, &group, &[])
            .env("XDG_STATE_HOME", dir.path())
            .assert()
    });
    result.code(1).stderr(
        predicate::str::contains("1 active member")
            .and(predicate::str::contains("classic protocol"))
            .and(predicate::str::contains("nothing was changed")),
    );
    assert!(
        !dir.path().join("dlq/positions").exists(),
        "nothing saved for a refused rewind"
    );
    // The member left: the group is Empty, and Apache Kafka says so; no --assume-inactive.
    let done = json_of(rewind_kafka(&topic, &group, &[]).env("XDG_STATE_HOME", dir.path()));
    assert_eq!(done["applied"], true);
}

#[test]
fn kafka_rewind_refuses_a_kip_848_group_with_active_members_and_proceeds_once_they_stop() {
    // group.protocol=consumer: DescribeGroups answers "not a classic group" with no members; dlq
    // asks DescribeConsumerGroups, which describes both kinds.
    let topic = one_partition_topic("3");
    let group = unique("busy-848");
    let result = while_member("consumer", &topic, &group, || {
        rewind_kafka(&topic, &group, &[]).assert()
    });
    result.code(1).stderr(
        predicate::str::contains("active member")
            .and(predicate::str::contains("KIP-848"))
            .and(predicate::str::contains("nothing was changed")),
    );
    let done = json_of(rewind_kafka(&topic, &group, &[]));
    assert_eq!(done["applied"], true);
}

#[test]
fn kafka_rewind_saves_the_previous_offsets_and_restore_positions_puts_them_back() {
    let topic = unique("rw-restore");
    let group = unique("svc");
    consumed_main_topic(&topic, &group);
    let committed = |expected: serde_json::Value, why: &str| {
        assert_eq!(
            kafka_admin(&["committed", &group, &topic]),
            expected,
            "{why}"
        );
    };
    committed(
        serde_json::json!({"0": 10, "1": 10}),
        "the service read everything",
    );
    let dir = tempfile::tempdir().unwrap();
    let since = jiff::Timestamp::from_millisecond(BASE + 4_000)
        .unwrap()
        .to_string();
    let out = dlq()
        .args(["replay", &topic, "--since", &since, "--group", &group])
        .args(["-b", &kafka_url(), "-y", "-o", "json"])
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = plan["positions_file"]
        .as_str()
        .expect("positions_file")
        .to_string();
    assert!(file.starts_with(dir.path().join("dlq/positions").to_str().unwrap()));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&file),
        "the path is printed"
    );
    committed(serde_json::json!({"0": 4, "1": 4}), "rewound");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        (saved["kind"].as_str(), saved["consumer"].as_str()),
        (Some("group"), Some(group.as_str()))
    );
    assert_eq!(
        saved["partitions"],
        serde_json::json!([{"partition": 0, "position": "10"}, {"partition": 1, "position": "10"}])
    );

    // The restore goes through the same guard: refused while a member runs.
    while_member("classic", &topic, &group, || {
        dlq()
            .args([
                "replay",
                &topic,
                "--restore-positions",
                &file,
                "--group",
                &group,
            ])
            .args(["-b", &kafka_url(), "-y"])
            .env("XDG_STATE_HOME", dir.path())
            .assert()
            .code(1)
            .stderr(predicate::str::contains("active member"))
    });
    committed(
        serde_json::json!({"0": 4, "1": 4}),
        "the refused restore changed nothing",
    );
    let restored = json_of(
        dlq()
            .args([
                "replay",
                &topic,
                "--restore-positions",
                &file,
                "--group",
                &group,
            ])
            .args(["-b", &kafka_url(), "-y", "-o", "json"])
            .env("XDG_STATE_HOME", dir.path()),
    );
    assert_eq!(
        (restored["mode"].as_str(), restored["applied"].as_bool()),
        (Some("restore"), Some(true))
    );
    committed(serde_json::json!({"0": 10, "1": 10}), "restored");
    // A file saved for another group is refused.
    dlq()
        .args([
            "replay",
            &topic,
            "--restore-positions",
            &file,
            "--group",
            "another",
        ])
        .args(["-b", &kafka_url(), "-y"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not of group 'another'"));
}

/// A main topic of 2 partitions of 10 messages each (timestamps BASE + 1 s apart), all read by
/// the service's `group`.
fn consumed_main_topic(topic: &str, group: &str) {
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        topic,
        "--partitions",
        "2",
        "--per-partition",
        "10",
        "--group",
        group,
    ]);
}

/// The hint a rewind prints is a command to paste (#22): run as printed, through a shell, it puts
/// the group back.
#[test]
fn the_restore_a_rewind_prints_runs_as_printed_and_puts_the_group_back() {
    let topic = unique("rw-hint");
    let group = format!("{} team", unique("svc"));
    consumed_main_topic(&topic, &group);
    let since = jiff::Timestamp::from_millisecond(BASE + 4_000)
        .unwrap()
        .to_string();
    let out = dlq()
        .args(["replay", &topic, "--since", &since, "--group", &group])
        .args(["-b", &kafka_url(), "-y", "-o", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        kafka_admin(&["committed", &group, &topic]),
        serde_json::json!({"0": 4, "1": 4})
    );
    let hint = stderr
        .split("put them back with:\n  ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no restore hint in: {stderr}"))
        .to_string();
    assert!(hint.starts_with("dlq replay "), "{hint}");
    assert!(
        !hint.contains("TOPIC") && !hint.contains("NAME"),
        "no placeholder: {hint}"
    );
    // As a user pastes it: the same shell environment (the test's home), dlq on the PATH.
    let bin_dir = assert_cmd::cargo::cargo_bin("dlq")
        .parent()
        .unwrap()
        .to_path_buf();
    let home = crate::common::test_home();
    let ran = std::process::Command::new("bash")
        .arg("-c")
        .arg(&hint)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", &home)
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{hint}: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert_eq!(
        kafka_admin(&["committed", &group, &topic]),
        serde_json::json!({"0": 10, "1": 10}),
        "put back by the pasted command"
    );
}

#[test]
fn kafka_copy_of_a_window_is_exact_at_both_ends() {
    let source = unique("cp-orders");
    let target = unique("cp-target");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &source,
        "--partitions",
        "2",
        "--per-partition",
        "10",
    ]);
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &target,
        "--partitions",
        "2",
        "--per-partition",
        "0",
    ]);
    // Exactly the records at 3 s, 4 s, 5 s and 6 s of each partition: since inclusive, until exclusive.
    let since = jiff::Timestamp::from_millisecond(BASE + 3_000)
        .unwrap()
        .to_string();
    let until = jiff::Timestamp::from_millisecond(BASE + 7_000)
        .unwrap()
        .to_string();
    let s = json_of(dlq().args([
        "replay",
        &source,
        "--since",
        &since,
        "--until",
        &until,
        "--to",
        &target,
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"], 8);
    let copies = read_topic_kafka(&target);
    let mut keys: Vec<String> = copies
        .iter()
        .map(|m| String::from_utf8(b64(&m["key"]).unwrap()).unwrap())
        .collect();
    keys.sort();
    let mut expected: Vec<String> = (0..2)
        .flat_map(|p| (3..7).map(move |i| format!("p{p}-{i}")))
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    for m in &copies {
        let names: Vec<&str> = m["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h[0].as_str().unwrap())
            .collect();
        assert_eq!(names[0], "trace", "headers intact");
        assert!(names.contains(&"dlq-replay-of"));
    }
}

#[test]
fn rewind_rejects_until_and_resolves_inputs_to_the_instant_it_prints() {
    let topic = unique("rw-input");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    main_topic(&[
        "--kafka",
        &bootstrap,
        "--topic",
        &topic,
        "--partitions",
        "1",
        "--per-partition",
        "2",
    ]);
    dlq()
        .args([
            "replay",
            &topic,
            "--since",
            "2h",
            "--until",
            "1h",
            "--group",
            "svc",
            "-b",
            &kafka_url(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--until makes no sense for a rewind",
        ));
    let plan = |since: &str, extra: &[&str]| -> String {
        let v = json_of(
            dlq()
                .args([
                    "replay",
                    &topic,
                    "--since",
                    since,
                    "--group",
                    "svc",
                    "-b",
                    &kafka_url(),
                    "--dry-run",
                    "-o",
                    "json",
                ])
                .args(extra),
        );
        assert_eq!(v["applied"], false);
        v["since"].as_str().unwrap().to_string()
    };
    assert_eq!(
        plan("2026-11-21T10:42:00+01:00", &[]),
        "2026-11-21T09:42:00Z"
    );
    assert_eq!(plan("2026-11-21", &[]), "2026-11-21T00:00:00Z");
    assert_eq!(
        plan("2026-11-21 10:42", &["--tz", "Europe/Paris"]),
        "2026-11-21T09:42:00Z"
    );
    assert_eq!(plan("1763721720000", &[]), "2025-11-21T10:42:00Z");
    let relative: jiff::Timestamp = plan("2h", &[]).parse().unwrap();
    let expected = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    assert!(
        (relative - expected).get_seconds().abs() < 30,
        "{relative} vs {expected}"
    );
    dlq()
        .args([
            "replay",
            &topic,
            "--since",
            "2h",
            "--group",
            "svc",
            "--tz",
            "Mars/Olympus",
            "-b",
            &kafka_url(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown zone"));
}

// ---------------------------------------------------------------- Pulsar

#[test]
fn pulsar_rewind_moves_the_subscription_to_the_first_message_at_or_after_the_time() {
    let topic = unique("rw-payments");
    let written = main_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &topic,
        "--batches",
        "2",
        "--per-batch",
        "3",
        "--subscription",
        "svc",
    ]);
    let boundary = written["boundaries_ms"][0].as_i64().unwrap();
    let since = jiff::Timestamp::from_millisecond(boundary)
        .unwrap()
        .to_string();
    let plan = json_of(dlq().args([
        "replay",
        &topic,
        "--since",
        &since,
        "--subscription",
        "svc",
        "-b",
        &pulsar_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(
        (plan["applied"].as_bool(), plan["reprocess"].as_u64()),
        (Some(true), Some(3))
    );
    assert_eq!(plan["subscription"], "svc");
    let got = peer(
        r#"
import json, sys, pulsar
c = pulsar.Client(sys.argv[1], logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
s = c.subscribe(sys.argv[2], 'svc')
out = []
try:
    while True:
        out.append(s.receive(1500).data().decode())
except Exception:
    pass
json.dump(out, sys.stdout)
"#,
        &[
            &pulsar_url(),
            &format!("persistent://public/default/{topic}"),
        ],
    );
    assert_eq!(
        got,
        serde_json::json!(["b1-0", "b1-1", "b1-2"]),
        "redelivered from the first message ≥ TIME, in order"
    );
}

#[test]
fn pulsar_copy_of_a_window_is_exact_at_both_ends() {
    let source = unique("cp-payments");
    let target = unique("cp-ptarget");
    crate::common::create_pulsar_topic(&target, 0);
    let written = main_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &source,
        "--batches",
        "3",
        "--per-batch",
        "2",
    ]);
    let b = written["boundaries_ms"].as_array().unwrap();
    let since = jiff::Timestamp::from_millisecond(b[0].as_i64().unwrap())
        .unwrap()
        .to_string();
    let until = jiff::Timestamp::from_millisecond(b[1].as_i64().unwrap())
        .unwrap()
        .to_string();
    let s = json_of(dlq().args([
        "replay",
        &source,
        "--since",
        &since,
        "--until",
        &until,
        "--to",
        &target,
        "-b",
        &pulsar_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"], 2);
    let copies: Vec<String> = read_topic_pulsar(&target)
        .iter()
        .map(|m| String::from_utf8(b64(&m["value"]).unwrap()).unwrap())
        .collect();
    assert_eq!(copies, ["b1-0", "b1-1"]);
}

#[test]
fn pulsar_rewind_of_a_subscription_in_use_is_refused() {
    let topic = unique("rw-held");
    main_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &topic,
        "--batches",
        "1",
        "--per-batch",
        "2",
    ]);
    let holder = r#"
import sys, pulsar
c = pulsar.Client(sys.argv[1], logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
c.subscribe(sys.argv[2], 'svc', consumer_type=pulsar.ConsumerType.Exclusive)
print('ready', flush=True)
sys.stdin.read()
"#;
    let full = format!("persistent://public/default/{topic}");
    let result = while_peer_holds(holder, &[&pulsar_url(), &full], || {
        dlq()
            .args([
                "replay",
                &topic,
                "--since",
                "1d",
                "--subscription",
                "svc",
                "--timeout",
                "3s",
                "-b",
                &pulsar_url(),
                "-y",
            ])
            .timeout(std::time::Duration::from_secs(60))
            .assert()
    });
    result.code(1).stderr(
        predicate::str::contains("has 1 connected consumer")
            .and(predicate::str::contains("nothing was changed")),
    );
}

/// What subscription `svc`-like `sub` receives on `topic` until a quiet spell, consuming as the
/// service would (the official client; a partitioned topic through all its partitions).
fn receive_all_pulsar(topic: &str, sub: &str) -> Vec<String> {
    let got = peer(
        r#"
import json, sys, pulsar
c = pulsar.Client(sys.argv[1], logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
s = c.subscribe(sys.argv[2], sys.argv[3])
out = []
try:
    while True:
        m = s.receive(2000)
        out.append(m.data().decode())
        s.acknowledge(m)
except Exception:
    pass
s.close()
json.dump(sorted(out), sys.stdout)
"#,
        &[
            &pulsar_url(),
            &format!("persistent://public/default/{topic}"),
            sub,
        ],
    );
    serde_json::from_value(got).unwrap()
}

#[test]
fn pulsar_rewind_of_a_partitioned_topic_moves_every_partition_exactly_and_restores() {
    let topic = unique("rw-parts");
    let sub = unique("svc");
    let written = main_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &topic,
        "--batches",
        "2",
        "--per-batch",
        "2",
        "--pulsar-partitions",
        "3",
        "--admin-url",
        &crate::common::broker_env("DLQ_TEST_PULSAR_ADMIN"),
        "--subscription",
        &sub,
    ]);
    let boundary = written["boundaries_ms"][0].as_i64().unwrap();
    let since = jiff::Timestamp::from_millisecond(boundary)
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    // While the service runs (one consumer over the partitioned topic), nothing moves.
    let holder = r#"
import sys, pulsar
c = pulsar.Client(sys.argv[1], logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
c.subscribe(sys.argv[2], sys.argv[3], consumer_type=pulsar.ConsumerType.Exclusive)
print('ready', flush=True)
sys.stdin.read()
"#;
    let full = format!("persistent://public/default/{topic}");
    while_peer_holds(holder, &[&pulsar_url(), &full, &sub], || {
        dlq()
            .args(["replay", &topic, "--since", &since, "--subscription", &sub])
            .args(["-b", &pulsar_url(), "-y"])
            .env("XDG_STATE_HOME", dir.path())
            .assert()
            .code(1)
            .stderr(predicate::str::contains("connected consumer"))
    });
    assert!(
        !dir.path().join("dlq/positions").exists(),
        "nothing saved, nothing moved"
    );
    let plan = json_of(
        dlq()
            .args(["replay", &topic, "--since", &since, "--subscription", &sub])
            .args(["-b", &pulsar_url(), "-y", "-o", "json"])
            .env("XDG_STATE_HOME", dir.path()),
    );
    crate::json_contract::rewind(&plan);
    assert_eq!(plan["applied"], true, "{plan}");
    assert_eq!(
        plan["reprocess"], 6,
        "two messages after TIME in each of 3 partitions"
    );
    let parts: Vec<i64> = plan["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partition"].as_i64().unwrap())
        .collect();
    assert_eq!(parts, [0, 1, 2], "each partition planned on its own");
    let file = plan["positions_file"].as_str().unwrap().to_string();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["partitions"].as_array().unwrap().len(), 3);

    let mut expected: Vec<String> = (0..3)
        .flat_map(|p| (0..2).map(move |i| format!("b1-p{p}-{i}")))
        .collect();
    expected.sort();
    assert_eq!(
        receive_all_pulsar(&topic, &sub),
        expected,
        "every partition redelivers exactly from its first message ≥ TIME"
    );

    // Rewind again, then put the positions saved by that rewind back: nothing to reprocess.
    let again = json_of(
        dlq()
            .args(["replay", &topic, "--since", &since, "--subscription", &sub])
            .args(["-b", &pulsar_url(), "-y", "-o", "json"])
            .env("XDG_STATE_HOME", dir.path()),
    );
    let file = again["positions_file"].as_str().unwrap().to_string();
    let restored = json_of(
        dlq()
            .args([
                "replay",
                &topic,
                "--restore-positions",
                &file,
                "--subscription",
                &sub,
            ])
            .args(["-b", &pulsar_url(), "-y", "-o", "json"])
            .env("XDG_STATE_HOME", dir.path()),
    );
    assert_eq!(
        (restored["mode"].as_str(), restored["applied"].as_bool()),
        (Some("restore"), Some(true))
    );
    assert!(
        receive_all_pulsar(&topic, &sub).is_empty(),
        "restored to where the service had acknowledged everything"
    );
}
