//! `dlq purge`, `dlq export` and `dlq replay --from-file` on both brokers. What is left is
//! checked with dlq's own listing and with the official clients (read_topic.py).

use std::collections::BTreeMap;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    dlq, interrupted, json_of, jsonl_of, kafka_admin, kafka_url, on_terminal, pulsar_url,
    read_topic_kafka, read_topic_pulsar, seed_kafka, seed_pulsar, unique,
};

fn ids(topic: &str, broker: &str, extra: &[&str]) -> Vec<String> {
    jsonl_of(
        dlq()
            .args(["list", topic, "-o", "jsonl", "-b", broker])
            .args(extra),
    )
    .iter()
    .map(|e| e["id"].as_str().unwrap().to_string())
    .collect()
}

fn purge(topic: &str, broker: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(["purge", topic, "-b", broker]).args(extra);
    cmd
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The parts of a message read back by read_topic.py that a restore must reproduce.
fn essence(m: &Value) -> (Value, Value, Value) {
    let props = m.get("properties").cloned().unwrap_or(Value::Null);
    let headers = m.get("headers").cloned().unwrap_or(Value::Null);
    (
        m["key"].clone(),
        m["value"].clone(),
        if props.is_null() { headers } else { props },
    )
}

// ---------------------------------------------------------------- Kafka

/// Each partition's `[log start offset, high watermark]`, read by the official client.
fn watermarks(topic: &str) -> BTreeMap<String, (i64, i64)> {
    kafka_admin(&["watermarks", topic])
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, w)| (p.clone(), (w[0].as_i64().unwrap(), w[1].as_i64().unwrap())))
        .collect()
}

#[test]
fn kafka_purge_all_deletes_the_records_and_the_backup_restores_them_byte_for_byte() {
    let origin = unique("pdel-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["connect", "spring", "malformed"], 2);
    let before = read_topic_kafka(&dlq_topic);
    let marks = watermarks(&dlq_topic);
    assert!(marks.values().all(|(low, _)| *low == 0));
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.jsonl");
    let s = json_of(purge(
        &dlq_topic,
        &kafka_url(),
        &[
            "--all",
            "-y",
            "--backup",
            backup.to_str().unwrap(),
            "-o",
            "json",
        ],
    ));
    crate::json_contract::purge_summary(&s);
    assert_eq!(s["how"], "deleted");
    assert_eq!(s["purged"].as_u64(), Some(before.len() as u64));
    // An independent client sees every partition's log start moved to its end.
    let after = watermarks(&dlq_topic);
    for (p, (_, high)) in &marks {
        assert_eq!(
            after[p],
            (*high, *high),
            "partition {p}: deleted up to its end"
        );
    }
    assert!(
        read_topic_kafka(&dlq_topic).is_empty(),
        "nothing left to read"
    );
    assert!(ids(&dlq_topic, &kafka_url(), &["--include-handled"]).is_empty());
    assert_eq!(lines(&backup).len(), before.len(), "the backup holds them");

    let s = json_of(dlq().args([
        "replay",
        "--from-file",
        backup.to_str().unwrap(),
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"].as_u64(), Some(before.len() as u64));
    let mut restored: Vec<_> = read_topic_kafka(&dlq_topic).iter().map(essence).collect();
    let mut original: Vec<_> = before.iter().map(essence).collect();
    original.sort_by_key(|e| format!("{:?}", e));
    restored.sort_by_key(|e| format!("{:?}", e));
    assert_eq!(
        restored, original,
        "keys, payloads and headers restored byte for byte"
    );
}

#[test]
fn kafka_purge_before_a_time_deletes_the_older_prefix_only() {
    let origin = unique("pdbef-orders");
    let dlq_topic = format!("{origin}.DLT");
    let older = seed_kafka(&origin, &dlq_topic, &["spring"], 3);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let cut = jiff::Timestamp::now().to_string();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let newer = seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let s = json_of(purge(
        &dlq_topic,
        &kafka_url(),
        &["--before", &cut, "-y", "--no-backup", "-o", "json"],
    ));
    assert_eq!(
        (s["purged"].as_u64(), s["how"].as_str()),
        (Some(3), Some("deleted"))
    );
    // Each partition now starts at its first entry written after the cut.
    let mut first_newer: BTreeMap<String, i64> = BTreeMap::new();
    for e in newer["entries"].as_array().unwrap() {
        let (p, o) = e["id"].as_str().unwrap().split_once(':').unwrap();
        let o: i64 = o.parse().unwrap();
        let f = first_newer.entry(p.to_string()).or_insert(o);
        *f = (*f).min(o);
    }
    let marks = watermarks(&dlq_topic);
    for e in older["entries"].as_array().unwrap() {
        let (p, _) = e["id"].as_str().unwrap().split_once(':').unwrap();
        let low = marks[p].0;
        assert_eq!(
            Some(&low),
            first_newer.get(p).or(Some(&marks[p].1)),
            "partition {p}"
        );
    }
    let mut left = ids(&dlq_topic, &kafka_url(), &["--include-handled"]);
    left.sort();
    let mut expected: Vec<String> = newer["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(
        left, expected,
        "exactly the entries written after the cut remain"
    );
}

#[test]
fn kafka_purge_of_a_compacted_topic_names_its_cleanup_policy_and_deletes_nothing() {
    let origin = unique("pcomp-orders");
    let dlq_topic = format!("{origin}.DLT");
    kafka_admin(&[
        "create",
        &dlq_topic,
        "--partitions",
        "2",
        "--config",
        "cleanup.policy=compact",
    ]);
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    purge(&dlq_topic, &kafka_url(), &["--all", "-y", "--no-backup"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cleanup.policy=compact")
                .and(predicate::str::contains("--mark-handled")),
        );
    assert!(watermarks(&dlq_topic).values().all(|(low, _)| *low == 0));
    assert_eq!(
        ids(&dlq_topic, &kafka_url(), &[]).len(),
        2,
        "nothing purged"
    );
}

#[test]
fn kafka_purge_everything_by_marking_handled_with_a_backup() {
    let origin = unique("pall-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["connect", "spring"], 2);
    let dir = tempfile::tempdir().unwrap();
    let s = json_of(
        purge(
            &dlq_topic,
            &kafka_url(),
            &["--all", "--mark-handled", "-y", "-o", "json"],
        )
        .env("XDG_STATE_HOME", dir.path()),
    );
    assert_eq!(
        (s["selected"].as_u64(), s["purged"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(s["how"], "marked handled");
    let backup = Path::new(s["backup"].as_str().unwrap());
    assert!(
        backup.starts_with(dir.path().join("dlq/backups")),
        "default place: {backup:?}"
    );
    assert_eq!(lines(backup).len(), 4);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(backup).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(ids(&dlq_topic, &kafka_url(), &[]).is_empty());
    assert_eq!(
        ids(&dlq_topic, &kafka_url(), &["--include-handled"]).len(),
        4
    );
}

#[test]
fn kafka_purge_before_a_time_takes_the_older_prefix() {
    let origin = unique("pbef-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 3);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let cut = jiff::Timestamp::now().to_string();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let newer = seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let s = json_of(purge(
        &dlq_topic,
        &kafka_url(),
        &[
            "--before",
            &cut,
            "--mark-handled",
            "-y",
            "--no-backup",
            "-o",
            "json",
        ],
    ));
    assert_eq!(s["purged"], 3);
    let mut left = ids(&dlq_topic, &kafka_url(), &[]);
    left.sort();
    let mut expected: Vec<String> = newer["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(
        left, expected,
        "exactly the entries written after the cut remain"
    );
}

#[test]
fn kafka_purge_of_a_non_prefix_is_refused_with_the_alternative() {
    let origin = unique("pgap-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["connect", "spring"], 2);
    purge(
        &dlq_topic,
        &kafka_url(),
        &["--grep", "ListenerExecutionFailed", "-y"],
    )
    .assert()
    .code(2)
    .stderr(
        predicate::str::contains("not a prefix").and(predicate::str::contains("--mark-handled")),
    );
    assert_eq!(
        ids(&dlq_topic, &kafka_url(), &[]).len(),
        4,
        "nothing changed"
    );
}

#[test]
fn kafka_entries_arriving_while_the_prompt_is_open_survive() {
    let origin = unique("prace-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 3);
    let more = format!(
        "'{}' '{}' --bootstrap '{}' --origin '{origin}' --dlq '{dlq_topic}' --style connect --count 2 > /dev/null",
        crate::common::python(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed/kafka_dlq.py").display(),
        kafka_url().trim_start_matches("kafka://"),
    );
    let bin = assert_cmd::cargo::cargo_bin("dlq");
    let result = on_terminal_with(
        "Purge 3 entries",
        "y",
        &more,
        &[
            bin.to_str().unwrap(),
            "purge",
            &dlq_topic,
            "-b",
            &kafka_url(),
            "--all",
            "--mark-handled",
            "--no-backup",
        ],
    );
    assert_eq!(result["exit"], 0, "{}", result["output"]);
    let left = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &kafka_url()]));
    assert_eq!(
        left.len(),
        2,
        "the two entries produced after the selection survive"
    );
    assert!(left.iter().all(|e| e["convention"] == "kafka-connect"));
}

/// `on_terminal`, running `before_answer` (a shell command) while the prompt is open.
fn on_terminal_with(expect: &str, answer: &str, before_answer: &str, command: &[&str]) -> Value {
    let out = std::process::Command::new(crate::common::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed/pty_run.py"))
        .args([
            "--expect",
            expect,
            "--answer",
            answer,
            "--before-answer",
            before_answer,
            "--",
        ])
        .args(command)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_unwritable_backup_purges_nothing() {
    let origin = unique("pbak-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    // A path below a regular file can never be created.
    let file = tempfile::NamedTempFile::new().unwrap();
    let bad = file.path().join("backup.jsonl");
    purge(
        &dlq_topic,
        &kafka_url(),
        &[
            "--all",
            "--mark-handled",
            "-y",
            "--backup",
            bad.to_str().unwrap(),
        ],
    )
    .assert()
    .code(1)
    .stderr(
        predicate::str::contains("cannot write the backup")
            .and(predicate::str::contains("nothing was purged")),
    );
    assert_eq!(ids(&dlq_topic, &kafka_url(), &[]).len(), 2);

    let topic = unique("pbak-payments");
    seed_pulsar(&topic, "billing", 2);
    let pdlq = format!("{topic}-billing-DLQ");
    purge(
        &pdlq,
        &pulsar_url(),
        &["--all", "-y", "--backup", bad.to_str().unwrap()],
    )
    .assert()
    .code(1);
    assert_eq!(
        ids(&pdlq, &pulsar_url(), &[]).len(),
        2,
        "nothing acknowledged"
    );
}

#[test]
fn purge_needs_a_selection_and_a_yes_without_a_terminal() {
    let origin = unique("psafe-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 1);
    purge(&dlq_topic, &kafka_url(), &["--mark-handled"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--all"));
    purge(&dlq_topic, &kafka_url(), &["--all", "--mark-handled"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("-y/--yes"));
    purge(
        &dlq_topic,
        &kafka_url(),
        &["--all", "--mark-handled", "--dry-run", "-o", "table"],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("Dry run"));
    assert_eq!(ids(&dlq_topic, &kafka_url(), &[]).len(), 1);
}

#[test]
fn kafka_export_purge_restore_is_byte_for_byte() {
    let origin = unique("pexp-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["connect", "spring", "malformed"], 2);
    let before = read_topic_kafka(&dlq_topic);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.jsonl");
    dlq()
        .args([
            "export",
            &dlq_topic,
            "-b",
            &kafka_url(),
            "--out",
            export.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "exported {} entries",
            before.len()
        )));
    json_of(purge(
        &dlq_topic,
        &kafka_url(),
        &["--all", "--mark-handled", "-y", "--no-backup", "-o", "json"],
    ));
    assert!(ids(&dlq_topic, &kafka_url(), &[]).is_empty());

    let s = json_of(dlq().args([
        "replay",
        "--from-file",
        export.to_str().unwrap(),
        "-b",
        &kafka_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"].as_u64(), Some(before.len() as u64));
    // The read-back interleaves partitions: the restored records are those at new positions.
    let at = |m: &Value| (m["partition"].as_i64(), m["offset"].as_i64());
    let old_positions: Vec<_> = before.iter().map(at).collect();
    let after = read_topic_kafka(&dlq_topic);
    let mut restored: Vec<_> = after
        .iter()
        .filter(|m| !old_positions.contains(&at(m)))
        .map(essence)
        .collect();
    let mut original: Vec<_> = before.iter().map(essence).collect();
    original.sort_by_key(|e| format!("{:?}", e));
    restored.sort_by_key(|e| format!("{:?}", e));
    assert_eq!(
        restored, original,
        "keys, payloads and headers restored byte for byte"
    );
    assert_eq!(
        ids(&dlq_topic, &kafka_url(), &[]).len(),
        before.len(),
        "restored entries are listed again"
    );
}

#[test]
fn export_refuses_to_print_raw_data_on_a_terminal_but_pipes_it() {
    let origin = unique("pterm-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let bin = assert_cmd::cargo::cargo_bin("dlq");
    let r = on_terminal(
        "never",
        "",
        &[
            bin.to_str().unwrap(),
            "export",
            &dlq_topic,
            "-b",
            &kafka_url(),
        ],
    );
    assert_eq!(r["exit"], 2);
    assert!(r["output"].as_str().unwrap().contains("--out FILE"));
    let piped = jsonl_of(dlq().args(["export", &dlq_topic, "-b", &kafka_url()]));
    assert_eq!(piped.len(), 2);
    assert!(
        piped[0]["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("4111111111111111"),
        "exports are raw"
    );
}

// ---------------------------------------------------------------- Pulsar

#[test]
fn pulsar_purge_everything_acknowledges_and_backs_up() {
    let topic = unique("pall-payments");
    seed_pulsar(&topic, "billing", 3);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.jsonl");
    let s = json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &[
            "--all",
            "-y",
            "--backup",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
    ));
    assert_eq!(
        (s["purged"].as_u64(), s["how"].as_str()),
        (Some(3), Some("acknowledged"))
    );
    assert_eq!(lines(&file).len(), 3);
    assert!(ids(&dlq_topic, &pulsar_url(), &[]).is_empty());
    assert_eq!(
        ids(&dlq_topic, &pulsar_url(), &["--include-handled"]).len(),
        3,
        "the broker keeps them; the subscription moved"
    );
}

/// scripts/bench/seed_bulk.py: dead letters in bulk, unbatched, as the Java client's
/// dead-letter producer writes them.
fn seed_bulk() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/seed_bulk.py")
}

fn seed_bulk_pulsar(topic: &str, n: u64) {
    let args = bulk_args(topic, n);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::common::run_script(&seed_bulk(), &args);
}

fn bulk_args(topic: &str, n: u64) -> Vec<String> {
    [
        "--url",
        &pulsar_url(),
        "--topic",
        topic,
        "--count",
        &n.to_string(),
        "--no-batching",
    ]
    .map(String::from)
    .to_vec()
}

/// `dlq purge DLQ --all` on a terminal, on Pulsar: the prompt for `n` entries, then `meanwhile`
/// (a shell command) while it is open, then yes. Returns pty_run.py's report, exit 0 checked.
fn purge_all_at_the_prompt(dlq_topic: &str, n: u32, meanwhile: &str) -> Value {
    let bin = assert_cmd::cargo::cargo_bin("dlq");
    let result = on_terminal_with(
        &format!("Purge {n} entries"),
        "y",
        meanwhile,
        &[
            bin.to_str().unwrap(),
            "purge",
            dlq_topic,
            "-b",
            &pulsar_url(),
            "--all",
            "--no-backup",
        ],
    );
    assert_eq!(result["exit"], 0, "{}", result["output"]);
    result
}

/// Thousands of dead letters arriving while the prompt is open, more than the consumer's queue
/// holds (`pulsar_entries_arriving_while_the_prompt_is_open_survive` sends two): the second pass
/// still ends exactly at the plan, the purge's acknowledgements are all on the broker, and the
/// late arrivals are all left.
#[test]
fn pulsar_a_purge_ends_at_its_plan_while_thousands_arrive_at_the_prompt() {
    let dlq_topic = format!("{}-billing-DLQ", unique("pflood-payments"));
    seed_bulk_pulsar(&dlq_topic, 600);
    let more = format!(
        "'{}' '{}' {} > /dev/null",
        crate::common::python(),
        seed_bulk().display(),
        bulk_args(&dlq_topic, 3000).join(" ")
    );
    let result = purge_all_at_the_prompt(&dlq_topic, 600, &more);
    assert!(
        result["output"]
            .as_str()
            .is_some_and(|o| o.contains("600 of 600 entries acknowledged")),
        "{}",
        result["output"]
    );
    assert_eq!(
        ids(&dlq_topic, &pulsar_url(), &[]).len(),
        3000,
        "the 600 purged, the 3,000 later ones left"
    );
}

/// Ctrl-C during a purge of 2,000 dead letters, while dlq pauses before acknowledging a batch of
/// 500 (the `purge-before-marking` fail point): exit 5, whole batches acknowledged and counted,
/// the rest still listed, and the rerun purges exactly the rest.
#[test]
fn ctrl_c_stops_a_pulsar_purge_between_batches_and_the_rerun_purges_the_rest() {
    const N: u64 = 2000;
    let dlq_topic = format!("{}-billing-DLQ", unique("int-purge"));
    seed_bulk_pulsar(&dlq_topic, N);
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("first.jsonl");
    let backup_arg = backup.to_str().unwrap();
    let args = ["purge", &dlq_topic, "-b", &pulsar_url(), "--all"];
    let (first, err) = interrupted(
        &[&args[..], &["--backup", backup_arg]].concat(),
        &[("FAILPOINTS", "purge-before-marking=sleep(3000)")],
        || std::fs::read_to_string(&backup).is_ok_and(|t| t.lines().count() >= 500),
    );
    let purged = first["purged"].as_u64().unwrap();
    assert!(purged % 500 == 0 && purged < N, "{first}");
    crate::json_contract::purge_summary(&first);
    assert_eq!(
        first["partitions_not_purged"],
        serde_json::json!([-1]),
        "{first}"
    );
    assert_eq!(first["partitions_purged"], serde_json::json!([]), "{first}");
    assert!(err.contains("the rest are still in the topic"), "{err}");
    assert_eq!(
        ids(&dlq_topic, &pulsar_url(), &[]).len() as u64,
        N - purged,
        "what was not acknowledged is still listed"
    );

    let again = json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &["--all", "-y", "--no-backup", "-o", "json"],
    ));
    assert_eq!(again["purged"].as_u64(), Some(N - purged), "{again}");
    assert!(ids(&dlq_topic, &pulsar_url(), &[]).is_empty());
}

#[test]
fn pulsar_selective_purge_takes_exactly_the_selection() {
    let topic = unique("psel-payments");
    let seeded = seed_pulsar(&topic, "billing", 4);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let listed = ids(&dlq_topic, &pulsar_url(), &[]);
    let s = json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &[
            "--id",
            &listed[1],
            "--id",
            &listed[3],
            "-y",
            "--no-backup",
            "-o",
            "json",
        ],
    ));
    assert_eq!(s["purged"], 2);
    assert_eq!(
        ids(&dlq_topic, &pulsar_url(), &[]),
        vec![listed[0].clone(), listed[2].clone()]
    );
    let key = seeded["messages"][0]["key"].as_str().unwrap();
    json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &["--key", key, "-y", "--no-backup", "-o", "json"],
    ));
    assert_eq!(ids(&dlq_topic, &pulsar_url(), &[]), vec![listed[2].clone()]);
}

#[test]
fn pulsar_purge_before_a_time() {
    let topic = unique("pbef-payments");
    seed_pulsar(&topic, "billing", 2);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let cut = jiff::Timestamp::now().to_string();
    std::thread::sleep(std::time::Duration::from_millis(500));
    seed_pulsar(&topic, "billing", 3);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let s = json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &["--before", &cut, "-y", "--no-backup", "-o", "json"],
    ));
    assert_eq!(s["purged"], 2);
    assert_eq!(ids(&dlq_topic, &pulsar_url(), &[]).len(), 3);
}

#[test]
fn pulsar_entries_arriving_while_the_prompt_is_open_survive() {
    let topic = unique("prace-payments");
    seed_pulsar(&topic, "billing", 3);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let more = format!(
        "'{}' '{}' --url '{}' --topic '{topic}' --subscription billing --count 2 > /dev/null",
        crate::common::python(),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts/seed/pulsar_dlq.py")
            .display(),
        crate::common::pulsar_url(),
    );
    purge_all_at_the_prompt(&dlq_topic, 3, &more);
    assert_eq!(
        ids(&dlq_topic, &pulsar_url(), &[]).len(),
        2,
        "the two later dead letters survive"
    );
}

#[test]
fn pulsar_export_purge_restore_is_byte_for_byte() {
    let topic = unique("pexp-payments");
    seed_pulsar(&topic, "billing", 3);
    let dlq_topic = format!("{topic}-billing-DLQ");
    let before = read_topic_pulsar(&dlq_topic);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.jsonl");
    dlq()
        .args([
            "export",
            &dlq_topic,
            "-b",
            &pulsar_url(),
            "--out",
            export.to_str().unwrap(),
        ])
        .assert()
        .success();
    json_of(purge(
        &dlq_topic,
        &pulsar_url(),
        &["--all", "-y", "--no-backup", "-o", "json"],
    ));
    assert!(ids(&dlq_topic, &pulsar_url(), &[]).is_empty());
    let s = json_of(dlq().args([
        "replay",
        "--from-file",
        export.to_str().unwrap(),
        "-b",
        &pulsar_url(),
        "-y",
        "-o",
        "json",
    ]));
    assert_eq!(s["sent"], 3);
    let after = read_topic_pulsar(&dlq_topic);
    assert_eq!(after.len(), 6);
    let original: Vec<_> = before.iter().map(essence).collect();
    let restored: Vec<_> = after.iter().skip(3).map(essence).collect();
    assert_eq!(
        restored, original,
        "keys, payloads and properties restored exactly, in order"
    );
    assert_eq!(ids(&dlq_topic, &pulsar_url(), &[]).len(), 3);
}
