//! Repair and resubmit: `replay --patch` (a jq program, or an RFC 6902 JSON Patch with
//! --patch-file) fixing a renamed field in the dead letters' JSON payloads, checked from the
//! origin topic with the official clients; the dry run's redacted diff; entries a patch fails on
//! skipped (exit 3); a patch refused where nothing is sent; Avro written back with its writer
//! schema (registry wire format on Kafka, the topic schema on Pulsar) and a registry JSON
//! Schema checked, both read back by the official clients' own deserializers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{
    b64, dlq, json_of, kafka_url, pulsar_url, read_topic_kafka, read_topic_pulsar, seed_kafka,
    seed_pulsar, unique,
};

/// The deploy renamed `order_id` to `orderId`; the dead letters have the old name.
const RENAME: &str = ".orderId = .order_id | del(.order_id)";

/// What the official client reads back from the origin: the copies dlq sent (they carry
/// `dlq-replay-of`), as (dlq-replay-of, dlq-patched, payload).
fn copies(kafka: bool, origin: &str) -> Vec<(String, Option<String>, Value)> {
    let text = |v: &Value| String::from_utf8(b64(v).unwrap()).unwrap();
    if kafka {
        read_topic_kafka(origin)
            .iter()
            .filter_map(|m| {
                let headers: BTreeMap<String, String> = m["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| (h[0].as_str().unwrap().to_string(), text(&h[1])))
                    .collect();
                let of = headers.get("dlq-replay-of")?.clone();
                let value = serde_json::from_slice(&b64(&m["value"]).unwrap()).unwrap();
                Some((of, headers.get("dlq-patched").cloned(), value))
            })
            .collect()
    } else {
        read_topic_pulsar(origin)
            .iter()
            .filter_map(|m| {
                let p = &m["properties"];
                let of = p["dlq-replay-of"].as_str()?.to_string();
                let value = serde_json::from_slice(&b64(&m["value"]).unwrap()).unwrap();
                Some((of, p["dlq-patched"].as_str().map(String::from), value))
            })
            .collect()
    }
}

fn a_patch_repairs_the_payloads_and_each_is_sent_once(kafka: bool, origin: &str, dlq_topic: &str) {
    let url = if kafka { kafka_url() } else { pulsar_url() };
    let n = json_of(dlq().args(["stats", dlq_topic, "-b", &url, "-o", "json"]))["entries"]
        .as_u64()
        .unwrap();
    assert!(n >= 3);

    // The preview: a redacted diff of the first entries, nothing sent.
    let out = dlq()
        .args(["replay", dlq_topic, "-b", &url, "--all", "--patch", RENAME])
        .args(["--dry-run", "-o", "table"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("patch of ").count(), 3, "{text}");
    assert!(text.contains("-  \"order_id\": "), "{text}");
    assert!(text.contains("+  \"orderId\": "), "{text}");
    assert!(
        !text.contains("4111111111111111"),
        "the card number stays masked: {text}"
    );
    assert!(
        !text.contains("@example.com"),
        "the e-mail stays masked: {text}"
    );
    assert!(
        text.contains(&format!("{n} changed, 0 unchanged, 0 failed")),
        "{text}"
    );
    assert!(copies(kafka, origin).is_empty(), "a dry run sends nothing");

    // A patch that fails on one entry: that one is skipped, with the reason, in the plan.
    let failing =
        format!("if .order_id % 1000 == 1 then error(\"no such order\") else {RENAME} end");
    let out = dlq()
        .args([
            "replay", dlq_topic, "-b", &url, "--all", "--patch", &failing,
        ])
        .args(["--dry-run", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "a skip in the plan is exit 3, as in any dry run"
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = crate::json_contract::replay_summary(&plan);
    let patch = summary.patch.unwrap();
    assert_eq!((patch.changed, patch.failed), (n - 1, 1));
    assert!(summary.skips[0].reason.contains("no such order"), "{plan}");

    // The replay: each entry's repaired copy once, marked, read back by the official client.
    let done = json_of(
        dlq()
            .args(["replay", dlq_topic, "-b", &url, "--all", "--patch", RENAME])
            .args(["-y", "-o", "json"]),
    );
    let summary = crate::json_contract::replay_summary(&done);
    assert_eq!(summary.sent, n);
    let id = summary.patch.unwrap().id;
    let copies = copies(kafka, origin);
    assert_eq!(
        copies.len() as u64,
        n,
        "one copy an entry, never the original as well"
    );
    let mut of: Vec<&String> = copies.iter().map(|(of, _, _)| of).collect();
    of.sort();
    of.dedup();
    assert_eq!(of.len() as u64, n);
    for (_, patched, value) in &copies {
        assert_eq!(patched.as_deref(), Some(id.as_str()));
        assert!(
            value.get("order_id").is_none() && value["orderId"].is_u64(),
            "{value}"
        );
        assert_eq!(
            value["customer"]["email"]
                .as_str()
                .map(|e| e.ends_with("@example.com")),
            Some(true)
        );
    }
    // Every entry handled: nothing left to list.
    let left = crate::common::jsonl_of(dlq().args(["list", dlq_topic, "-b", &url, "-o", "jsonl"]));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn kafka_a_jq_patch_repairs_a_renamed_field_before_replay() {
    let origin = unique("repair-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 3);
    // The origin holds the three original events; only the copies carry dlq-replay-of.
    a_patch_repairs_the_payloads_and_each_is_sent_once(true, &origin, &dlq_topic);
}

#[test]
fn pulsar_a_jq_patch_repairs_a_renamed_field_before_replay() {
    let origin = unique("repair-orders");
    let dlq_topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 3);
    a_patch_repairs_the_payloads_and_each_is_sent_once(false, &origin, &dlq_topic);
}

#[test]
fn kafka_a_json_patch_file_and_entries_it_cannot_patch() {
    let origin = unique("repair-file");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring", "connect"], 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rename.json");
    std::fs::write(
        &file,
        r#"[{"op": "move", "from": "/order_id", "path": "/orderId"}]"#,
    )
    .unwrap();
    // Connect's dead letters hold the event as text that is JSON too: all four are patched.
    let done = json_of(
        dlq()
            .args(["replay", &dlq_topic, "-b", &kafka_url(), "--all"])
            .args(["--patch-file", file.to_str().unwrap(), "-y", "-o", "json"]),
    );
    let summary = crate::json_contract::replay_summary(&done);
    assert_eq!(summary.patch.as_ref().unwrap().changed, 4);
    assert!(copies(true, &origin)
        .iter()
        .all(|(_, p, v)| p.is_some() && v["orderId"].is_u64()));

    // A patch whose path is gone (they are fixed already) fails on every entry: skipped, exit 3.
    let again = unique("repair-again");
    let again_dlq = format!("{again}.DLT");
    seed_kafka(&again, &again_dlq, &["spring"], 2);
    std::fs::write(
        &file,
        r#"[{"op": "move", "from": "/orderIdentifier", "path": "/orderId"}]"#,
    )
    .unwrap();
    let out = dlq()
        .args(["replay", &again_dlq, "-b", &kafka_url(), "--all"])
        .args(["--patch-file", file.to_str().unwrap(), "-y", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sent"], 0);
    assert_eq!(v["patch"]["failed"], 2);
    assert!(v["skips"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("JSON Patch failed"));
    assert!(copies(true, &again).is_empty());
}

#[test]
fn patches_that_cannot_run_or_would_be_dropped_are_refused() {
    // A program that does not compile: exit 2 before anything is read.
    let out = dlq()
        .args(["replay", "orders.DLT", "-b", "kafka://127.0.0.1:1", "--all"])
        .args(["--patch", ".a | nosuch(1)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("undefined filter nosuch/1"), "{err}");
    // The environment is not the program's to read.
    let out = dlq()
        .args(["replay", "orders.DLT", "-b", "kafka://127.0.0.1:1", "--all"])
        .args(["--patch", ".secret = env.HOME"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A rewind sends nothing: --patch would be dropped, so it is refused.
    let out = dlq()
        .args(["replay", "orders", "--since", "1h", "--group", "billing"])
        .args(["-b", "kafka://127.0.0.1:1", "--patch", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--patch does not apply to a rewind"));
}

/// `dlq edit` on a terminal with a scripted editor (`EDITOR`): what it saved is replayed once.
fn edit_on_terminal(editor: &str, answer: &str, args: &[&str]) -> Value {
    let mut all = vec!["edit"];
    all.extend(args);
    crate::common::dlq_on_terminal(
        &[
            "--timeout",
            "120",
            "--expect",
            "Replay 1 entries",
            "--answer",
            answer,
        ],
        &all,
        &[("EDITOR", editor), ("VISUAL", "")],
    )
}

#[test]
fn kafka_dlq_edit_replays_what_the_editor_saved_once() {
    let origin = unique("edit-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    dlq_edit_replays_what_the_editor_saved_once(true, &origin, &dlq_topic);
}

#[test]
fn pulsar_dlq_edit_replays_what_the_editor_saved_once() {
    let origin = unique("edit-orders");
    let dlq_topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 2);
    dlq_edit_replays_what_the_editor_saved_once(false, &origin, &dlq_topic);
}

fn dlq_edit_replays_what_the_editor_saved_once(kafka: bool, origin: &str, dlq_topic: &str) {
    let url = if kafka { kafka_url() } else { pulsar_url() };
    let listed =
        crate::common::jsonl_of(dlq().args(["list", dlq_topic, "-b", &url, "-o", "jsonl"]));
    let id = listed[0]["id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    // The editor notes the file's mode and name, then renames the field.
    let editor = format!(
        "sh -c 'stat -c %a \"$0\" > {seen}; echo \"$0\" >> {seen}; sed -i s/order_id/orderId/ \"$0\"'",
        seen = seen.display()
    );
    let result = edit_on_terminal(&editor, "y", &[dlq_topic, &id, "-b", &url]);
    let output = result["output"].as_str().unwrap();
    assert_eq!(result["exit"], 0, "{output}");
    assert!(output.contains("Your edit (redacted):"), "{output}");
    assert!(output.contains("+  \"orderId\": "), "{output}");
    assert!(
        !output.contains("4111111111111111"),
        "the diff is redacted: {output}"
    );
    let noted = std::fs::read_to_string(&seen).unwrap();
    let mut lines = noted.lines();
    assert_eq!(
        lines.next(),
        Some("600"),
        "only its owner may read the revealed payload"
    );
    let file = lines.next().unwrap();
    assert!(
        !std::path::Path::new(file).exists(),
        "the file is removed afterwards"
    );

    let sent = copies(kafka, origin);
    assert_eq!(sent.len(), 1, "the edited copy alone, once");
    let (of, patched, value) = &sent[0];
    assert!(of.ends_with(&format!("@{id}")), "{of}");
    assert!(patched.as_deref().is_some_and(|p| p.starts_with("sha256:")));
    assert!(value.get("order_id").is_none() && value["orderId"].is_u64());
    // The edited entry is handled; the other is still there.
    let left = crate::common::jsonl_of(dlq().args(["list", dlq_topic, "-b", &url, "-o", "jsonl"]));
    assert_eq!(left.len(), listed.len() - 1);
    assert_ne!(left[0]["id"].as_str(), Some(id.as_str()));

    // Quitting without saving, or emptying the file: nothing is sent (exit 5).
    let other = left[0]["id"].as_str().unwrap().to_string();
    for editor in ["true", "truncate -s 0"] {
        let result = edit_on_terminal(editor, "y", &[dlq_topic, &other, "-b", &url]);
        assert_eq!(result["exit"], 5, "{editor}: {}", result["output"]);
        assert_eq!(result["answered"], false, "no prompt: nothing to send");
    }
    assert_eq!(copies(kafka, origin).len(), 1);
}

/// scripts/seed/failing_service.py, running until `for_seconds` pass: it has said "ready".
struct FailingService(std::process::Child);

impl FailingService {
    fn start(args: &[&str]) -> FailingService {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(crate::common::python())
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scripts/seed/failing_service.py"
            ))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the failing service did not start");
        FailingService(child)
    }
}

impl Drop for FailingService {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The canary comes back (the service still fails): exit 3, the rest unsent. Without the
/// failing service, the canary passes and the rest goes.
fn a_canary_that_comes_back_stops_the_replay(url: &str, dlq_topic: &str, service: &[&str]) {
    let n = json_of(dlq().args(["stats", dlq_topic, "-b", url, "-o", "json"]))["entries"]
        .as_u64()
        .unwrap();
    let failing = FailingService::start(service);
    let out = dlq()
        .args(["replay", dlq_topic, "-b", url, "--all", "--canary", "2"])
        .args(["--canary-wait", "20s", "-y", "-o", "json"])
        .output()
        .unwrap();
    drop(failing);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = crate::json_contract::replay_summary(&v);
    let canary = summary.canary.unwrap();
    assert_eq!((canary.sent, summary.sent), (2, 2), "{v}");
    assert!(canary.returned.len() >= 2, "both canaries came back: {v}");
    assert_eq!(summary.not_sent, n - 2, "{v}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the canary came back"));

    // The consumer is fixed (no failing service): one canary, then everything.
    let left = json_of(dlq().args(["stats", dlq_topic, "-b", url, "-o", "json"]))["entries"]
        .as_u64()
        .unwrap();
    let done = json_of(
        dlq()
            .args(["replay", dlq_topic, "-b", url, "--all", "--canary", "1"])
            .args(["--canary-wait", "1s", "-y", "-o", "json"]),
    );
    let summary = crate::json_contract::replay_summary(&done);
    assert_eq!(summary.sent, left);
    assert!(summary.canary.unwrap().returned.is_empty());
}

#[test]
fn kafka_a_canary_that_comes_back_stops_the_replay() {
    let origin = unique("canary-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 5);
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    a_canary_that_comes_back_stops_the_replay(
        &kafka_url(),
        &dlq_topic,
        &[
            "--kafka", &bootstrap, "--origin", &origin, "--dlq", &dlq_topic, "--for", "60",
        ],
    );
}

#[test]
fn pulsar_a_canary_that_comes_back_stops_the_replay() {
    let origin = unique("canary-orders");
    let dlq_topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 5);
    let url = pulsar_url();
    a_canary_that_comes_back_stops_the_replay(
        &url,
        &dlq_topic,
        &[
            "--pulsar",
            &url,
            "--origin",
            &origin,
            "--subscription",
            "svc",
            "--for",
            "60",
        ],
    );
}

#[test]
fn canary_flags_that_would_be_dropped_are_refused() {
    for args in [
        &["replay", "orders.DLT", "--all", "--canary-wait", "5s"][..],
        &["replay", "orders.DLT", "--all", "--canary", "0"],
        &["replay", "--from-file", "x.jsonl", "--canary", "1"],
        &[
            "replay", "orders", "--since", "1h", "--group", "g", "--canary", "1",
        ],
    ] {
        let out = dlq()
            .args(args)
            .args(["-b", "kafka://127.0.0.1:1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--canary"),
            "{args:?}"
        );
    }
}

/// A seed schema file (scripts/seed).
fn seed_file(name: &str) -> String {
    format!("{}/scripts/seed/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The deploy renamed `customer.name` to `customer.full_name`; the schema carries both while
/// producers migrate, and these dead letters have only the old one (scripts/seed/order-renaming.avsc).
const MOVE_NAME: &str = ".customer.full_name = .customer.name | .customer.name = null";

/// The copies dlq sent to `origin`, read by the official client and its own registry
/// deserializer (`avro` or `json`): (schema id in the wire format, the event).
fn registry_copies(origin: &str, registry: &str, kind: &str) -> Vec<(u32, Value)> {
    let code = r#"
import json, sys
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import SerializationContext, MessageField
bootstrap, topic, registry, kind = sys.argv[1:5]
client = SchemaRegistryClient({"url": registry})
if kind == "avro":
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    des = AvroDeserializer(client)
else:
    # It validates each value against the writer's JSON Schema (the id in the wire format).
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer
    des = JSONDeserializer(None, schema_registry_client=client)
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "repair-check", "enable.partition.eof": True,
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
parts = c.list_topics(topic, timeout=30).topics[topic].partitions
c.assign([TopicPartition(topic, p, 0) for p in parts])
left = set(parts)
out = []
while left:
    m = c.poll(10)
    if m is None:
        sys.exit("no answer")
    if m.error():
        left.discard(m.partition())
        continue
    if not any(k == "dlq-replay-of" for k, _ in (m.headers() or [])):
        continue
    v = m.value()
    event = des(v, SerializationContext(topic, MessageField.VALUE))
    out.append([int.from_bytes(v[1:5], "big"), event])
print(json.dumps(out, default=str))
"#;
    let out = std::process::Command::new(crate::common::python())
        .args([
            "-W",
            "ignore",
            "-c",
            code,
            kafka_url().trim_start_matches("kafka://"),
            origin,
            registry,
            kind,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<(u32, Value)> = serde_json::from_slice(&out.stdout).unwrap();
    rows
}

#[test]
fn kafka_a_patch_repairs_registry_encoded_avro_with_the_same_schema_id() {
    let registry = crate::common::PyServer::start("schema_registry.py", &[]);
    let origin = unique("repair-avro");
    let dlq_topic = format!("{origin}.DLT");
    // confluent-kafka's AvroSerializer registers the schema and writes the wire format.
    crate::common::seed_kafka_encoded(
        &origin,
        &dlq_topic,
        3,
        "avro-registry",
        &[
            "--registry",
            &registry.url,
            "--avro-schema",
            &seed_file("order-renaming.avsc"),
        ],
    );
    let url = kafka_url();
    let replay = |patch: &str, extra: &[&str]| {
        dlq()
            .args(["replay", &dlq_topic, "-b", &url, "--all", "--patch", patch])
            .args(["--schema-registry", &registry.url])
            .args(extra)
            .output()
            .unwrap()
    };
    // The writer schema has no `orderId`: a patch renaming into it breaks the schema, every
    // entry is skipped.
    let out = replay(RENAME, &["--dry-run", "-o", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["patch"]["failed"], 3, "{v}");
    let reason = v["skips"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no field 'orderId'"), "{reason}");
    // An enum value the schema does not have: skipped too.
    let out = replay(".amount.currency = \"JPY\"", &["--dry-run", "-o", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["skips"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("'JPY' is not one of EUR, USD, GBP"),
        "{v}"
    );
    // Without the registry, the payloads are not something a patch can read.
    let out = dlq()
        .args(["replay", &dlq_topic, "-b", &url, "--all", "--patch", "."])
        .args(["--dry-run", "-o", "json"])
        .env_remove("DLQ_SCHEMA_REGISTRY")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["skips"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--schema-registry"),
        "{v}"
    );

    // An export of them, replayed from the file: patched the same way (the registry schema
    // the payloads name is fetched for the patch).
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("dlq.jsonl");
    let export = export.to_str().unwrap();
    let exported = dlq()
        .args(["export", &dlq_topic, "-b", &url, "--out", export])
        .output()
        .unwrap();
    assert!(exported.status.success());
    let v = json_of(
        dlq()
            .args(["replay", "--from-file", export, "-b", &url, "--to", &origin])
            .args(["--patch", MOVE_NAME, "--schema-registry", &registry.url])
            .args(["--dry-run", "-o", "json"]),
    );
    assert_eq!(v["patch"]["changed"], 3, "{v}");

    // The fix: the renamed field filled from the old one, written back with the same schema id.
    let out = replay(MOVE_NAME, &["-y", "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["sent"].as_u64(), v["patch"]["changed"].as_u64()),
        (Some(3), Some(3))
    );
    let copies = registry_copies(&origin, &registry.url, "avro");
    assert_eq!(copies.len(), 3);
    for (id, event) in &copies {
        assert_eq!(*id, 1, "the schema id the dead letters had");
        let full_name = event["customer"]["full_name"].as_str().unwrap_or_default();
        assert!(full_name.starts_with("Customer "), "{event}");
        assert!(event["customer"]["name"].is_null(), "{event}");
        assert_eq!(event["amount"]["currency"], "EUR", "{event}");
        assert!(
            event["order_id"].is_i64() || event["order_id"].is_u64(),
            "{event}"
        );
    }
    let left = crate::common::jsonl_of(dlq().args(["list", &dlq_topic, "-b", &url, "-o", "jsonl"]));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn pulsar_a_patch_repairs_avro_written_with_the_topic_schema() {
    let origin = unique("repair-avro");
    let schema_file = seed_file("order-renaming.avsc");
    // The service's consumer has the Avro schema, so the client's dead-letter producer writes
    // with it: each dead letter names its topic schema version.
    let seeded = crate::common::seed_pulsar_with(
        &origin,
        "svc",
        3,
        &[],
        &["--avro-schema", &schema_file, "--typed-consumer"],
    );
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap();
    let url = pulsar_url();
    let listed = crate::common::jsonl_of(dlq().args(["list", dlq_topic, "-b", &url]));
    let n = listed.len();
    assert!(n >= 3, "{listed:?}");
    let id = listed[0]["id"].as_str().unwrap();
    let shown = json_of(dlq().args(["inspect", dlq_topic, id, "-b", &url, "-o", "json"]));
    assert_eq!(shown["payload_encoding"], "pulsar-schema", "{shown}");

    let dry_run = |patch: &str| {
        dlq()
            .args(["replay", dlq_topic, "-b", &url, "--all", "--patch", patch])
            .args(["--dry-run", "-o", "json"])
            .output()
            .unwrap()
    };
    // A field the schema does not have: every entry skipped, with the reason.
    let out = dry_run(RENAME);
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["patch"]["failed"].as_u64(), Some(n as u64), "{v}");
    let reason = v["skips"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no field 'orderId'"), "{reason}");

    let done = json_of(
        dlq()
            .args([
                "replay", dlq_topic, "-b", &url, "--all", "--patch", MOVE_NAME,
            ])
            .args(["-y", "-o", "json"]),
    );
    assert_eq!(done["sent"].as_u64(), Some(n as u64), "{done}");
    assert_eq!(done["patch"]["changed"].as_u64(), Some(n as u64), "{done}");

    // The official client reads the copies from the origin with the service's Avro schema.
    let code = r#"
import json, sys, time, pulsar
from pulsar.schema import AvroSchema
url, topic, schema_file, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
schema = AvroSchema(None, schema_definition=json.load(open(schema_file)))
client = pulsar.Client(url, logger=pulsar.FileLogger(pulsar.LoggerLevel.Error, "/dev/stderr"))
reader = client.create_reader(topic, pulsar.MessageId.earliest, schema=schema)
out, deadline = [], time.time() + 120
while len(out) < want and time.time() < deadline:
    try:
        m = reader.read_next(timeout_millis=1000)
    except pulsar.Timeout:
        continue
    p = m.properties()
    if "dlq-replay-of" in p:
        out.append([p["dlq-replay-of"], p.get("dlq-patched"), m.value()])
client.close()
print(json.dumps(out, default=str))
"#;
    let out = std::process::Command::new(crate::common::python())
        .args(["-W", "ignore", "-c", code, &url])
        .arg(format!("persistent://public/default/{origin}"))
        .args([&schema_file, &n.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copies: Vec<(String, Option<String>, Value)> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(copies.len(), n);
    for (_, patched, event) in &copies {
        assert_eq!(patched.as_deref(), done["patch"]["id"].as_str());
        let full_name = event["customer"]["full_name"].as_str().unwrap_or_default();
        assert!(full_name.starts_with("Customer "), "{event}");
        assert!(event["customer"]["name"].is_null(), "{event}");
    }
    let left = crate::common::jsonl_of(dlq().args(["list", dlq_topic, "-b", &url, "-o", "jsonl"]));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn kafka_a_registry_json_schema_is_checked_before_sending() {
    let registry = crate::common::PyServer::start("schema_registry.py", &[]);
    let origin = unique("repair-jsonschema");
    let dlq_topic = format!("{origin}.DLT");
    // confluent-kafka's JSONSerializer registers scripts/seed/order.schema.json (id 1) and
    // writes the wire format.
    crate::common::seed_kafka_encoded(
        &origin,
        &dlq_topic,
        3,
        "json-registry",
        &["--registry", &registry.url],
    );
    // The deploy's schema for the topic: `orderId`, an integer, is required.
    let v2 = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"orderId": {"type": "integer"}, "amount": {"type": "object"}},
        "required": ["orderId", "amount"]
    });
    assert_eq!(
        register(&registry.url, &format!("{origin}-value"), &v2, "JSON"),
        2
    );
    let url = kafka_url();
    let replay = |extra: &[&str]| {
        dlq()
            .args(["replay", &dlq_topic, "-b", &url, "--all"])
            .args(["--schema-registry", &registry.url])
            .args(extra)
            .output()
            .unwrap()
    };
    let skips = |out: &std::process::Output| -> Vec<String> {
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["skips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["reason"].as_str().unwrap().to_string())
            .collect()
    };
    // As they are, the dead letters lack what the latest schema requires: all skipped.
    let reasons = skips(&replay(&["--dry-run", "-o", "json"]));
    assert_eq!(reasons.len(), 3);
    assert!(
        reasons[0].contains("latest schema (id 2)")
            && reasons[0].contains("\"orderId\" is a required property"),
        "{reasons:?}"
    );
    // A patch giving the wrong type: skipped, naming where.
    let reasons = skips(&replay(&[
        "--patch",
        ".orderId = (.order_id | tostring) | del(.order_id)",
        "--dry-run",
        "-o",
        "json",
    ]));
    assert!(
        reasons[0].contains("/orderId: ") && reasons[0].contains("is not of type \"integer\""),
        "{reasons:?}"
    );
    // A value the writer's schema (id 1) does not allow: the patch cannot write it back.
    let reasons = skips(&replay(&[
        "--patch",
        ".amount.currency = \"JPY\"",
        "--dry-run",
        "-o",
        "json",
    ]));
    assert!(
        reasons[0].contains("writer's JSON schema (id 1)")
            && reasons[0].contains("/amount/currency"),
        "{reasons:?}"
    );

    // The rename: valid under both, sent once each, read by the official deserializer (which
    // validates against the writer's schema).
    let out = replay(&["--patch", RENAME, "-y", "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sent"], 3, "{v}");
    let copies = registry_copies(&origin, &registry.url, "json");
    assert_eq!(copies.len(), 3);
    for (id, event) in &copies {
        assert_eq!(*id, 1, "the schema id the dead letters had");
        assert!(
            event["orderId"].is_u64() && event.get("order_id").is_none(),
            "{event}"
        );
    }
}

/// Registers `schema` (`AVRO` or `JSON`, as JSON) as the next version of `subject`; its id.
fn register(registry: &str, subject: &str, schema: &Value, kind: &str) -> u64 {
    let body = serde_json::json!({ "schema": schema.to_string(), "schemaType": kind }).to_string();
    let out = std::process::Command::new("curl")
        .args([
            "-sf",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &body,
        ])
        .arg(format!("{registry}/subjects/{subject}/versions"))
        .output()
        .unwrap();
    assert!(out.status.success(), "registering {subject}");
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_u64()
        .unwrap()
}

#[test]
fn kafka_copies_the_target_s_latest_schema_cannot_read_are_skipped_before_sending() {
    let registry = crate::common::PyServer::start("schema_registry.py", &[]);
    let origin = unique("schema-check");
    let dlq_topic = format!("{origin}.DLT");
    crate::common::seed_kafka_encoded(
        &origin,
        &dlq_topic,
        2,
        "avro-registry",
        &["--registry", &registry.url],
    );
    let url = kafka_url();
    let dry_run = |extra: &[&str], registry_url: &str| {
        dlq()
            .args([
                "replay",
                &dlq_topic,
                "-b",
                &url,
                "--all",
                "--dry-run",
                "-o",
                "json",
            ])
            .args(["--schema-registry", registry_url])
            .args(extra)
            .output()
            .unwrap()
    };
    // The origin's consumers moved to a schema with a new required field: version 1's events
    // cannot be read with it.
    let v1: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/seed/order.avsc"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut v2 = v1.clone();
    v2["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "channel", "type": "string"}));
    let subject = format!("{origin}-value");
    let id2 = register(&registry.url, &subject, &v2, "AVRO");
    let out = dry_run(&[], &registry.url);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped"], 2, "{v}");
    let reason = v["skips"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!(
            "not readable with {subject}'s latest schema (id {id2})"
        )),
        "{reason}"
    );
    // On purpose: the check off, both planned.
    let out = dry_run(&["--no-schema-check"], &registry.url);
    assert!(out.status.success());
    // A compatible next version (an optional field with a default) reads them: both planned.
    let mut v3 = v1.clone();
    v3["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "channel", "type": "string", "default": "web"}));
    register(&registry.url, &subject, &v3, "AVRO");
    let out = dry_run(&[], &registry.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A registry that cannot be reached is an error, not a pass.
    let out = dry_run(&[], "http://127.0.0.1:9");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the schema registry"));
    // --no-schema-check without a registry would do nothing: refused.
    let out = dlq()
        .args([
            "replay",
            &dlq_topic,
            "-b",
            &url,
            "--all",
            "--no-schema-check",
        ])
        .env_remove("DLQ_SCHEMA_REGISTRY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pulsar_copies_the_target_topic_s_schema_cannot_read_are_skipped_before_sending() {
    let origin = unique("schema-check");
    let dlq_topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 2);
    // The origin's consumers read JSON with this schema (Pulsar's JSON schema: a record).
    let definition = serde_json::json!({"type": "record", "name": "Order", "fields": [
        {"name": "order_id", "type": "long"},
        {"name": "amount", "type": {"type": "record", "name": "Amount", "fields": [
            {"name": "value", "type": "long"}, {"name": "currency", "type": "string"}]}}
    ]});
    let body =
        serde_json::json!({"type": "JSON", "schema": definition.to_string(), "properties": {}})
            .to_string();
    let admin = crate::common::broker_env("DLQ_TEST_PULSAR_ADMIN");
    let ok = std::process::Command::new("curl")
        .args([
            "-sf",
            "-o",
            "/dev/null",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &body,
        ])
        .arg(format!(
            "{admin}/admin/v2/schemas/public/default/{origin}/schema"
        ))
        .status()
        .unwrap()
        .success();
    assert!(ok, "uploading the schema");
    let url = pulsar_url();
    let dry_run = |patch: &str, extra: &[&str]| {
        dlq()
            .args(["replay", &dlq_topic, "-b", &url, "--all", "--patch", patch])
            .args(["--dry-run", "-o", "json"])
            .args(extra)
            .output()
            .unwrap()
    };
    // A patch that breaks the schema: both skipped before anything is sent.
    let out = dry_run(".order_id = \"abc\"", &[]);
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped"], 2, "{v}");
    let reason = v["skips"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("not readable with the schema of topic"),
        "{reason}"
    );
    assert!(reason.contains("order_id"), "{reason}");
    // Fields the schema does not name are what a JSON reader ignores: planned.
    assert!(dry_run(".note = \"gift\"", &[]).status.success());
    // On purpose: the check off.
    assert!(dry_run(".order_id = \"abc\"", &["--no-schema-check"])
        .status
        .success());
    // The events as they are fit: sent.
    let done = json_of(dlq().args([
        "replay", &dlq_topic, "-b", &url, "--all", "-y", "-o", "json",
    ]));
    assert_eq!(done["sent"], 2, "{done}");
}
