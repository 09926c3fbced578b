//! Dead letters Apache Kafka 4.4's brokers write themselves for a share group (KIP-1191), made
//! by a real `KafkaShareConsumer` (scripts/java/share-dlq) that rejects records and releases one
//! until the group's delivery limit. Without `errors.deadletterqueue.copy.record.enable` such a
//! dead letter holds no key and no value: dlq lists it from its `__dlq.errors.*` headers, fetches
//! the original from the origin to inspect or replay it, and skips with its reason an original
//! the origin no longer has.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{
    broker_env, dlq, json_of, jsonl_of, kafka_admin, kafka_url, replayed_copies, run_producer,
    unique,
};
use crate::json_contract::{self, DataJson, OriginalJson};

/// Runs the share-group seeder against the test Kafka; the one JSON object it prints.
fn share_group_dead_letters(args: &[&str]) -> Value {
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    let mut all = vec!["--bootstrap", &bootstrap];
    all.extend(args);
    run_producer(&broker_env("DLQ_SHARE_DLQ_JAR"), &all)
}

/// The seeder's records by origin position.
fn by_origin(seeded: &Value) -> BTreeMap<(i64, i64), Value> {
    seeded["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["partition"].as_i64().unwrap(),
                    r["offset"].as_i64().unwrap(),
                ),
                r.clone(),
            )
        })
        .collect()
}

fn text(d: &Option<DataJson>) -> Option<String> {
    match d {
        Some(DataJson::Text(t)) => Some(t.clone()),
        Some(DataJson::Json(v)) => Some(v.to_string()),
        _ => None,
    }
}

#[test]
fn headers_only_share_group_dead_letters_are_listed_inspected_from_the_origin_and_replayed() {
    let origin = unique("share-orders");
    let dlq_topic = format!("dlq.{origin}");
    let group = unique("share-billing");
    let seeded = share_group_dead_letters(&[
        "--origin",
        &origin,
        "--dlq",
        &dlq_topic,
        "--group",
        &group,
        "--copy",
        "false",
        "--rejected",
        "3",
        "--released",
        "1",
        "--accepted",
        "2",
    ]);
    let records = by_origin(&seeded);
    assert_eq!(
        records.len(),
        4,
        "3 rejected, 1 released to the limit: {seeded}"
    );

    // list: every dead letter explained from the broker's headers alone, without fetching.
    let listed = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &kafka_url()]));
    assert!(listed.len() >= 4, "a dead letter for each failed record");
    for v in &listed {
        let e = json_contract::entry(v);
        let r = &records[&(
            i64::from(e.origin_partition.unwrap()),
            e.origin_offset.unwrap(),
        )];
        let h = &r["dlq_headers"];
        assert_eq!(e.convention.as_deref(), Some("kafka-share-group"));
        assert_eq!(e.origin_topic.as_deref(), Some(origin.as_str()));
        assert_eq!(e.consumer_group.as_deref(), Some(group.as_str()));
        assert_eq!(
            e.retry_count.map(|n| n.to_string()).as_deref(),
            h["__dlq.errors.delivery.count"].as_str(),
            "the delivery count"
        );
        assert_eq!(
            e.error_message.as_deref(),
            h["__dlq.errors.message"].as_str()
        );
        let kind = match r["fate"].as_str().unwrap() {
            "rejected" => "rejected",
            "delivery_limit" => "delivery-limit",
            other => panic!("fate {other}"),
        };
        assert_eq!(e.error_class.as_deref(), Some(kind));
        assert!(e.headers_only, "copying is off: no key, no value");
        assert!(e.key.is_none());
        assert_eq!(
            e.failed_at, e.timestamp,
            "the DLQ write is the failure time"
        );
    }

    // topics: recognised by its configuration, whatever its name.
    let topics = json_of(dlq().args(["topics", "-b", &kafka_url(), "-o", "json"]));
    let row = json_contract::topics(&topics)
        .into_iter()
        .find(|t| t.topic == dlq_topic)
        .expect("the share group's DLQ is listed");
    assert_eq!(
        row.pattern,
        "share-group DLQ (errors.deadletterqueue.group.enable=true)"
    );

    // inspect: the original's key, payload and headers, fetched from the origin.
    let released = listed
        .iter()
        .find(|v| v["error_class"] == "delivery-limit")
        .expect("the record released to the limit");
    let r = &records[&(
        released["origin_partition"].as_i64().unwrap(),
        released["origin_offset"].as_i64().unwrap(),
    )];
    let v = json_of(dlq().args([
        "inspect",
        &dlq_topic,
        released["id"].as_str().unwrap(),
        "-o",
        "json",
        "-b",
        &kafka_url(),
    ]));
    let i = json_contract::inspect(&v);
    assert!(i.headers_only);
    assert_eq!(text(&i.key).as_deref(), r["key"].as_str());
    let payload: Value = match &i.payload {
        Some(DataJson::Json(j)) => j.clone(),
        other => panic!("payload shown as {other:?}"),
    };
    assert_eq!(
        payload,
        serde_json::from_str::<Value>(r["value"].as_str().unwrap()).unwrap()
    );
    let Some(OriginalJson::Fetched {
        fetched_from,
        topic,
        partition,
        offset,
        headers,
        ..
    }) = &i.original
    else {
        panic!("no original: {:?}", i.original)
    };
    assert_eq!(fetched_from, "origin");
    assert_eq!(topic, &origin);
    assert_eq!(
        (partition.map(i64::from), *offset),
        (r["partition"].as_i64(), r["offset"].as_i64())
    );
    for name in ["trace_id", "source"] {
        let h = headers.iter().find(|h| h.name == name).expect(name);
        assert_eq!(text(&h.value).as_deref(), r["headers"][name].as_str());
    }

    // A selection on the key reads the originals' keys.
    let by_key = jsonl_of(dlq().args([
        "list",
        &dlq_topic,
        "--key",
        r["key"].as_str().unwrap(),
        "-o",
        "jsonl",
        "-b",
        &kafka_url(),
    ]));
    assert_eq!(
        by_key.iter().map(|v| v["id"].clone()).collect::<Vec<_>>(),
        vec![released["id"].clone()]
    );

    // export: each line keeps the dead letter as it is (restorable) and adds its original.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("share.jsonl");
    dlq()
        .args(["export", &dlq_topic, "--include-handled", "--out"])
        .arg(&file)
        .args(["-b", &kafka_url()])
        .assert()
        .success();
    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), listed.len());
    for line in &lines {
        assert_eq!(
            line["key"],
            Value::Null,
            "the dead letter itself has no key"
        );
        let o = &line["original"];
        let r = &records[&(
            o["partition"].as_i64().unwrap(),
            o["offset"].as_i64().unwrap(),
        )];
        assert_eq!(o["topic"], origin.as_str());
        assert_eq!(o["key"]["text"], r["key"]);
        assert_eq!(o["payload"]["text"], r["value"]);
        assert_eq!(o["headers"][0]["name"], "trace_id");
    }

    // The origin loses its oldest failed record (as retention would remove it).
    let expired = *records.keys().filter(|(p, _)| *p == 0).min().unwrap();
    kafka_admin(&["delete-before", &origin, "0", &(expired.1 + 1).to_string()]);
    let expired_key = records[&expired]["key"].as_str().unwrap().to_string();

    // replay: the originals, byte for byte with their own headers; the expired one skipped
    // with its reason, exit 3.
    let out = dlq()
        .args([
            "replay",
            &dlq_topic,
            "--all",
            "-y",
            "-o",
            "json",
            "-b",
            &kafka_url(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped_for_expiry = listed
        .iter()
        .filter(|v| {
            (
                v["origin_partition"].as_i64().unwrap(),
                v["origin_offset"].as_i64().unwrap(),
            ) == expired
        })
        .count() as u64;
    assert_eq!(s["skipped"], skipped_for_expiry, "{s}");
    assert_eq!(s["sent"], listed.len() as u64 - skipped_for_expiry, "{s}");
    for skip in s["skips"].as_array().unwrap() {
        let reason = skip["reason"].as_str().unwrap();
        assert!(reason.contains("original is gone"), "{reason}");
        assert!(
            reason.contains(&format!("now starts at offset {}", expired.1 + 1)),
            "{reason}"
        );
    }
    let copies = replayed_copies(&origin);
    assert!(
        !copies.contains_key(&expired_key),
        "nothing empty is ever sent"
    );
    for (pos, r) in &records {
        if *pos == expired {
            continue;
        }
        let copy = &copies[r["key"].as_str().unwrap()];
        assert_eq!(
            copy.value.as_slice(),
            r["value"].as_str().unwrap().as_bytes()
        );
        assert_eq!(
            copy.names(),
            ["trace_id", "source", "dlq-replay-of", "dlq-replay-count"],
            "the original's own headers, then the markers"
        );
        assert_eq!(
            copy.text("trace_id").as_deref(),
            r["headers"]["trace_id"].as_str()
        );
    }
}

#[test]
fn copied_share_group_dead_letters_get_the_originals_headers_back_on_replay() {
    let origin = unique("share-copied");
    let dlq_topic = format!("dlq.{origin}");
    let group = unique("share-copy");
    let seeded = share_group_dead_letters(&[
        "--origin",
        &origin,
        "--dlq",
        &dlq_topic,
        "--group",
        &group,
        "--copy",
        "true",
        "--rejected",
        "2",
        "--released",
        "1",
        "--accepted",
        "1",
        "--partitions",
        "2",
    ]);
    let records = by_origin(&seeded);
    assert_eq!(records.len(), 3, "{seeded}");
    let listed = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &kafka_url()]));
    for v in &listed {
        let e = json_contract::entry(v);
        assert_eq!(e.convention.as_deref(), Some("kafka-share-group"));
        assert!(
            !e.headers_only,
            "copying is on: the dead letter holds key and value"
        );
        let r = &records[&(
            i64::from(e.origin_partition.unwrap()),
            e.origin_offset.unwrap(),
        )];
        assert_eq!(text(&e.key).as_deref(), r["key"].as_str());
    }
    let s = json_of(dlq().args([
        "replay",
        &dlq_topic,
        "--all",
        "-y",
        "-o",
        "json",
        "-b",
        &kafka_url(),
    ]));
    assert_eq!(s["sent"], listed.len() as u64, "{s}");
    let copies = replayed_copies(&origin);
    for r in records.values() {
        let copy = &copies[r["key"].as_str().unwrap()];
        assert_eq!(
            copy.value.as_slice(),
            r["value"].as_str().unwrap().as_bytes()
        );
        assert_eq!(
            copy.names(),
            ["trace_id", "source", "dlq-replay-of", "dlq-replay-count"],
            "the broker does not copy the source's headers; dlq takes them from the origin"
        );
    }
}

#[test]
fn rewinding_a_share_group_is_refused_with_kafkas_own_command_to_paste() {
    let origin = unique("share-rewind");
    let dlq_topic = format!("dlq.{origin}");
    let group = unique("share-rewound");
    share_group_dead_letters(&[
        "--origin",
        &origin,
        "--dlq",
        &dlq_topic,
        "--group",
        &group,
        "--rejected",
        "1",
        "--released",
        "0",
        "--accepted",
        "1",
    ]);
    let out = dlq()
        .args([
            "replay",
            &origin,
            "--since",
            "2026-01-01T00:00:00Z",
            "--group",
            &group,
            "-y",
            "-b",
            &kafka_url(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("'{group}' is a share group")),
        "{stderr}"
    );
    assert!(stderr.contains("AlterShareGroupOffsets"), "{stderr}");
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    assert!(
        stderr.contains(&format!(
            "kafka-share-groups.sh --bootstrap-server {bootstrap} --group {group} --topic {origin} \
             --reset-offsets --to-datetime 2026-01-01T00:00:00.000Z --execute"
        )),
        "{stderr}"
    );
}
