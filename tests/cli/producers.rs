//! Dead letters written by the real producers on Apache Kafka, not imitations of their headers:
//! Kafka Connect's DeadLetterQueueReporter (a standalone worker running FileStreamSink, fed
//! records it cannot convert; scripts/seed/connect_dlq.sh) and Spring Kafka's
//! DeadLetterPublishingRecoverer (scripts/java/spring-dlt). Each test lists, inspects and replays
//! what the producer wrote, checking every context field against what the producer reports it
//! put there.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{
    b64, broker_env, dlq, json_of, jsonl_of, kafka_url, replayed_copies, run_producer, unique,
};
use crate::json_contract;

fn bootstrap() -> String {
    kafka_url().trim_start_matches("kafka://").to_string()
}

#[test]
fn kafka_connect_dead_letters_show_connects_own_context_and_replay_to_the_origin() {
    let origin = unique("connect-orders");
    let dlq_topic = format!("{origin}.dlq");
    let connector = unique("file-sink");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed/connect_dlq.sh");
    let seeded = run_producer(
        script.to_str().unwrap(),
        &[
            "--bootstrap",
            &bootstrap(),
            "--origin",
            &origin,
            "--dlq",
            &dlq_topic,
            "--count",
            "3",
            "--good",
            "2",
            "--partitions",
            "2",
            "--connector",
            &connector,
        ],
    );
    let records = seeded["records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
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

    let listed = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &kafka_url()]));
    assert_eq!(
        listed.len(),
        3,
        "one entry per record Connect could not convert"
    );
    for v in &listed {
        let e = json_contract::entry(v);
        let r = by_origin[&(e.origin_partition.unwrap() as i64, e.origin_offset.unwrap())];
        let h = &r["dlq_headers"];
        assert_eq!(e.convention.as_deref(), Some("kafka-connect"));
        assert_eq!(e.origin_topic.as_deref(), Some(origin.as_str()));
        assert_eq!(
            e.error_class.as_deref(),
            h["__connect.errors.exception.class.name"].as_str()
        );
        assert_eq!(
            e.error_message.as_deref().map(str::trim_end),
            h["__connect.errors.exception.message"]
                .as_str()
                .map(str::trim_end)
        );
        assert_eq!(e.retry_count, None, "Connect writes no retry count");
        assert_eq!(e.failed_at, None, "nor a failure time");
        assert_eq!(
            e.id,
            format!("{}:{}", r["dlq_partition"], r["dlq_offset"]),
            "where the reporter wrote it"
        );
    }

    // inspect: Connect's own headers, the original headers it kept, the stack trace.
    let first = &listed[0];
    let r = by_origin[&(
        first["origin_partition"].as_i64().unwrap(),
        first["origin_offset"].as_i64().unwrap(),
    )];
    let v = json_of(dlq().args([
        "inspect",
        &dlq_topic,
        first["id"].as_str().unwrap(),
        "-o",
        "json",
        "-b",
        &kafka_url(),
    ]));
    let i = json_contract::inspect(&v);
    let header = |name: &str| {
        i.headers
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| match &h.value {
                Some(json_contract::DataJson::Text(t)) => Some(t.clone()),
                _ => None,
            })
    };
    for name in [
        "__connect.errors.connector.name",
        "__connect.errors.task.id",
        "__connect.errors.stage",
        "__connect.errors.class.name",
        "__connect.errors.partition",
        "__connect.errors.offset",
        "trace_id",
        "source",
    ] {
        assert_eq!(
            header(name).as_deref(),
            r["dlq_headers"][name].as_str(),
            "{name}"
        );
    }
    assert_eq!(
        header("__connect.errors.connector.name"),
        Some(connector.clone())
    );
    assert!(i.stacktrace.as_deref().unwrap().starts_with(
        r["dlq_headers"]["__connect.errors.exception.stacktrace"]["first_line"]
            .as_str()
            .unwrap()
    ));
    assert_eq!(
        i.payload,
        Some(json_contract::DataJson::Text(
            r["value"].as_str().unwrap().into()
        ))
    );

    // replay: each record goes back to its origin as it was, without Connect's context headers
    // but with its own.
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
    assert_eq!(s["sent"], 3);
    let copies = replayed_copies(&origin);
    assert_eq!(copies.len(), 3);
    for r in records {
        let copy = &copies[r["key"].as_str().unwrap()];
        let (value, names) = (&copy.value, copy.names());
        assert_eq!(value.as_slice(), r["value"].as_str().unwrap().as_bytes());
        assert!(names.contains(&"trace_id") && names.contains(&"source"));
        assert!(
            !names.iter().any(|n| n.starts_with("__connect.errors.")),
            "{names:?}"
        );
    }
}

#[test]
fn spring_kafka_dead_letters_show_springs_own_context_and_replay_to_the_origin() {
    let origin = unique("spring-orders");
    let dlq_topic = format!("{origin}.DLT");
    let group = unique("billing");
    let seeded = run_producer(
        &broker_env("DLQ_SPRING_DLT_JAR"),
        &[
            "--bootstrap",
            &bootstrap(),
            "--origin",
            &origin,
            "--dlq",
            &dlq_topic,
            "--count",
            "4",
            "--partitions",
            "2",
            "--group",
            &group,
        ],
    );
    let records = seeded["records"].as_array().unwrap();
    assert_eq!(records.len(), 4);
    let listed = jsonl_of(dlq().args(["list", &dlq_topic, "-o", "jsonl", "-b", &kafka_url()]));
    assert_eq!(listed.len(), 4);
    for v in &listed {
        let e = json_contract::entry(v);
        let r = records
            .iter()
            .find(|r| r["key"].as_str() == Some(v["key"]["text"].as_str().unwrap()))
            .expect("a dead letter of a record the program produced");
        let h = &r["headers"];
        assert_eq!(e.convention.as_deref(), Some("spring-kafka"));
        assert_eq!(
            e.origin_topic.as_deref(),
            h["kafka_dlt-original-topic"].as_str()
        );
        // Binary on the wire: a 4-byte partition, an 8-byte offset, decoded by dlq.
        assert_eq!(
            e.origin_partition.map(i64::from),
            h["kafka_dlt-original-partition"].as_i64()
        );
        assert_eq!(e.origin_offset, h["kafka_dlt-original-offset"].as_i64());
        assert_eq!(e.origin_partition.map(i64::from), r["partition"].as_i64());
        assert_eq!(e.origin_offset, r["offset"].as_i64());
        assert_eq!(
            e.error_class.as_deref(),
            h["kafka_dlt-exception-fqcn"].as_str()
        );
        assert_eq!(
            e.error_message.as_deref(),
            h["kafka_dlt-exception-message"].as_str()
        );
        assert_eq!(e.consumer_group.as_deref(), Some(group.as_str()));
        assert_eq!(
            e.partition.map(i64::from),
            r["dlq_partition"].as_i64(),
            "same partition as the original"
        );
    }

    let first = &listed[0];
    let r = records
        .iter()
        .find(|r| r["key"].as_str() == first["key"]["text"].as_str())
        .unwrap();
    let v = json_of(dlq().args([
        "inspect",
        &dlq_topic,
        first["id"].as_str().unwrap(),
        "-o",
        "json",
        "-b",
        &kafka_url(),
    ]));
    let i = json_contract::inspect(&v);
    let stack = i.stacktrace.as_deref().unwrap();
    assert!(stack.starts_with(
        r["headers"]["kafka_dlt-exception-stacktrace"]["first_line"]
            .as_str()
            .unwrap()
    ));
    // The original timestamp: an 8-byte big-endian number, shown binary-safe as it is.
    let ts = i
        .headers
        .iter()
        .find(|h| h.name == "kafka_dlt-original-timestamp")
        .expect("the original timestamp header");
    let Some(json_contract::DataJson::Bytes(b)) = &ts.value else {
        panic!("binary header shown as {:?}", ts.value)
    };
    let bytes: [u8; 8] = b64(&Value::String(b.clone())).unwrap().try_into().unwrap();
    assert_eq!(i64::from_be_bytes(bytes), r["timestamp"].as_i64().unwrap());

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
    assert_eq!(s["sent"], 4);
    let copies = replayed_copies(&origin);
    assert_eq!(copies.len(), 4);
    for r in records {
        let copy = &copies[r["key"].as_str().unwrap()];
        let (value, names) = (&copy.value, copy.names());
        assert_eq!(value.as_slice(), r["value"].as_str().unwrap().as_bytes());
        assert!(
            !names.iter().any(|n| n.starts_with("kafka_dlt-")),
            "{names:?}"
        );
    }
}

// ---------------------------------------------------------------- Pulsar (the Java client)

/// Dead letters written by the Java client's DeadLetterPolicy (scripts/java/pulsar-dlq) from a
/// partitioned origin topic; `mode` is "nack" (negative acknowledgements) or "retry"
/// (enableRetry + reconsumeLater). The DLQ keeps a subscription of its own so the broker holds
/// the dead letters whatever dlq does.
fn java_dead_letters(topic: &str, mode: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "--url".to_string(),
        crate::common::pulsar_url(),
        "--admin-url".into(),
        broker_env("DLQ_TEST_PULSAR_ADMIN"),
        "--topic".into(),
        topic.into(),
        "--subscription".into(),
        "billing".into(),
        "--count".into(),
        "6".into(),
        "--partitions".into(),
        "3".into(),
        "--mode".into(),
        mode.into(),
        "--dlq-initial-subscription".into(),
        "keep".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_producer(&broker_env("DLQ_PULSAR_DLQ_JAR"), &args)
}

fn pulsar(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = dlq();
    cmd.args(args).args(["-b", &crate::common::pulsar_url()]);
    cmd
}

#[test]
fn pulsar_java_client_nack_dead_letters_show_the_partitioned_origin_and_replay_to_it() {
    let topic = unique("java-orders");
    let dlq_topic = format!("{topic}-billing-DLQ");
    let seeded = java_dead_letters(&topic, "nack", &["--dlq-topic", &dlq_topic]);
    let letters = seeded["dead_letters"].as_array().unwrap();
    let (listed, n) = listed_as_written(&seeded, &dlq_topic);
    for v in &listed {
        let e = json_contract::entry(v);
        // A duplicate the client wrote again carries the same properties as the first copy.
        let d = letters
            .iter()
            .find(|d| d["message_id"].as_str() == Some(e.id.as_str()))
            .or_else(|| {
                letters.iter().find(|d| {
                    d["properties"]["ORIGIN_MESSAGE_ID"].as_str() == e.origin_message_id.as_deref()
                })
            })
            .expect("a dead letter the Java client wrote");
        let props = &d["properties"];
        // REAL_TOPIC names the partition's topic on this path; dlq shows the partitioned topic
        // and the partition apart.
        let real = props["REAL_TOPIC"].as_str().unwrap();
        let (base, n) = real
            .rsplit_once("-partition-")
            .expect("REAL_TOPIC names a partition");
        assert_eq!(e.convention.as_deref(), Some("pulsar-client"));
        assert_eq!(e.origin_topic.as_deref(), Some(base));
        assert_eq!(e.origin_partition, Some(n.parse().unwrap()));
        assert_eq!(
            e.origin_message_id.as_deref(),
            props["ORIGIN_MESSAGE_ID"].as_str()
        );
        assert_eq!(
            e.consumer_group.as_deref(),
            Some("billing"),
            "REAL_SUBSCRIPTION"
        );
        assert_eq!(
            e.retry_count, None,
            "the nack path writes no RECONSUMETIMES"
        );
    }
    let first = &listed[0];
    let v = json_of(pulsar(&[
        "inspect",
        &dlq_topic,
        first["id"].as_str().unwrap(),
        "-o",
        "json",
    ]));
    let i = json_contract::inspect(&v);
    let d = letters
        .iter()
        .find(|d| d["message_id"] == first["id"])
        .unwrap();
    assert_eq!(
        i.payload,
        Some(json_contract::DataJson::Json(
            serde_json::from_str(d["value"].as_str().unwrap()).unwrap()
        ))
    );
    assert!(
        i.headers.iter().any(|h| h.name == "source"),
        "the original properties are kept"
    );

    // Replay to the partitioned origin: every message arrives once, without the DLQ context.
    let s = json_of(pulsar(&["replay", &dlq_topic, "--all", "-y", "-o", "json"]));
    assert_eq!(s["sent"].as_u64(), Some(n as u64), "{s}");
    let copies = crate::common::read_topic_pulsar(&topic);
    let replayed: Vec<&Value> = copies
        .iter()
        .filter(|m| m["properties"].get("dlq-replay-of").is_some())
        .collect();
    assert_eq!(replayed.len(), n, "{copies:?}");
    let marks: BTreeSet<&str> = replayed
        .iter()
        .filter_map(|m| m["properties"]["dlq-replay-of"].as_str())
        .collect();
    assert_eq!(marks.len(), n, "each dead letter replayed once");
    for m in replayed {
        assert!(m["properties"].get("REAL_TOPIC").is_none());
        assert!(m["properties"].get("ORIGIN_MESSAGE_ID").is_none());
        assert_eq!(m["properties"]["source"], "dlq-seed");
    }
    assert!(
        jsonl_of(pulsar(&["list", &dlq_topic, "-o", "jsonl"])).is_empty(),
        "acknowledged"
    );
}

#[test]
fn pulsar_java_client_retry_letters_show_their_retry_count_and_both_topics_are_listed() {
    let topic = unique("java-retry");
    let seeded = java_dead_letters(&topic, "retry", &[]);
    let dlq_topic = format!("{topic}-billing-DLQ");
    assert_eq!(
        seeded["retry_topic"].as_str(),
        Some(format!("persistent://public/default/{topic}-billing-RETRY").as_str())
    );
    let letters = seeded["dead_letters"].as_array().unwrap();
    let listed = jsonl_of(pulsar(&["list", &dlq_topic, "-o", "jsonl"]));
    assert_eq!(listed.len(), letters.len());
    for v in &listed {
        let e = json_contract::entry(v);
        let d = letters
            .iter()
            .find(|d| d["message_id"].as_str() == Some(e.id.as_str()))
            .unwrap();
        let props = &d["properties"];
        assert_eq!(
            e.origin_topic.as_deref(),
            props["REAL_TOPIC"].as_str(),
            "the base name on this path"
        );
        assert_eq!(
            e.retry_count,
            props["RECONSUMETIMES"].as_str().map(|n| n.parse().unwrap())
        );
        let from_id: i32 = props["ORIGIN_MESSAGE_ID"]
            .as_str()
            .unwrap()
            .split(':')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            e.origin_partition,
            Some(from_id),
            "the partition of ORIGIN_MESSAGE_ID"
        );
    }
    let topics = json_of(pulsar(&["topics", "-o", "json"]));
    let names: Vec<&str> = topics
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["topic"].as_str())
        .collect();
    for suffix in ["-billing-DLQ", "-billing-RETRY"] {
        let want = format!("persistent://public/default/{topic}{suffix}");
        assert!(names.contains(&want.as_str()), "{want} in {names:?}");
    }
}

#[test]
fn a_partitioned_pulsar_dlq_is_listed_inspected_counted_exported_replayed_and_purged_by_partition()
{
    let topic = unique("java-parts");
    let dlq_topic = format!("{topic}-billing-DLQ");
    // The DLQ itself is partitioned: the Java client's dead-letter producer spreads over it.
    crate::common::create_pulsar_topic(&dlq_topic, 3);
    let seeded = java_dead_letters(&topic, "nack", &["--dlq-topic", &dlq_topic]);
    let (listed, n) = listed_as_written(&seeded, &dlq_topic);
    let mut by_partition: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for v in &listed {
        let e = json_contract::entry(v);
        let p: i64 = e.id.split(':').nth(2).unwrap().parse().unwrap();
        assert!(p >= 0, "ids name the partition: {}", e.id);
        by_partition.entry(p).or_default().push(e.id.clone());
    }
    assert!(
        by_partition.len() >= 2,
        "spread over partitions: {by_partition:?}"
    );

    // inspect by an id of each partition
    for ids in by_partition.values() {
        let v = json_of(pulsar(&["inspect", &dlq_topic, &ids[0], "-o", "json"]));
        assert_eq!(v["id"], ids[0].as_str());
    }
    // stats by partition
    let stats = json_of(pulsar(&["stats", &dlq_topic, "-o", "json"]));
    assert_eq!(stats["entries"].as_u64(), Some(n as u64));
    let counted: BTreeMap<String, u64> = stats["by_partition"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap_or("?").to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: BTreeMap<String, u64> = by_partition
        .iter()
        .map(|(p, ids)| (p.to_string(), ids.len() as u64))
        .collect();
    assert_eq!(counted, expected, "{stats}");
    // export
    let exported = jsonl_of(pulsar(&["export", &dlq_topic]));
    assert_eq!(exported.len(), n);

    // A selective replay of one entry per partition acknowledges exactly those.
    let picked: Vec<&String> = by_partition.values().map(|ids| &ids[0]).collect();
    let mut replay = vec!["replay", dlq_topic.as_str(), "-y", "-o", "json"];
    for id in &picked {
        replay.extend(["--id", id.as_str()]);
    }
    let s = json_of(pulsar(&replay));
    crate::json_contract::replay_summary(&s);
    assert_eq!(s["sent"].as_u64(), Some(picked.len() as u64), "{s}");
    let left: Vec<String> = jsonl_of(pulsar(&["list", &dlq_topic, "-o", "jsonl"]))
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left.len(), n - picked.len());
    assert!(picked.iter().all(|id| !left.contains(id)));

    // A selective purge of one more entry per partition takes exactly those.
    let mut purge = vec![
        "purge",
        dlq_topic.as_str(),
        "-y",
        "--no-backup",
        "-o",
        "json",
    ];
    let second: Vec<&String> = by_partition.values().filter_map(|ids| ids.get(1)).collect();
    for id in &second {
        purge.extend(["--id", id.as_str()]);
    }
    let s = json_of(pulsar(&purge));
    crate::json_contract::purge_summary(&s);
    assert_eq!(s["purged"].as_u64(), Some(second.len() as u64), "{s}");
    let after: Vec<String> = jsonl_of(pulsar(&["list", &dlq_topic, "-o", "jsonl"]))
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let mut expected_left: Vec<String> = left
        .into_iter()
        .filter(|id| !second.contains(&id))
        .collect();
    expected_left.sort();
    let mut after_sorted = after.clone();
    after_sorted.sort();
    assert_eq!(
        after_sorted, expected_left,
        "exactly the rest stays, in every partition"
    );
}

/// `dlq list` of the DLQ the Java client wrote 6 dead letters to, checked against what it wrote:
/// the entries and their number. The client's dead-letter path is at-least-once: under load it
/// may write a message twice (8 dead letters for 6 messages, seen in CI), so dlq must show exactly
/// what the client wrote, no fewer (each message's dead letter) and no more.
fn listed_as_written(seeded: &Value, dlq_topic: &str) -> (Vec<Value>, usize) {
    let letters = seeded["dead_letters"].as_array().unwrap();
    let n = written_by_the_client(seeded, 6);
    let listed = jsonl_of(pulsar(&["list", dlq_topic, "-o", "jsonl"]));
    assert_eq!(
        listed.len(),
        n,
        "every dead letter in the DLQ, none invented"
    );
    assert!(
        message_ids(letters).is_subset(&ids_of(&listed)),
        "each message's dead letter"
    );
    (listed, n)
}

/// How many dead letters the Java client wrote for `messages` messages: each message once (the
/// seed program's `dead_letters`, one per message by its `seq`), plus the copies its
/// at-least-once dead-letter path wrote again (`duplicate_dead_letters`). That is what the DLQ
/// holds, and what dlq must show.
fn written_by_the_client(seeded: &Value, messages: usize) -> usize {
    let letters = seeded["dead_letters"].as_array().unwrap();
    assert_eq!(
        letters.len(),
        messages,
        "each message dead-lettered: {seeded}"
    );
    letters.len() + seeded["duplicate_dead_letters"].as_u64().unwrap_or(0) as usize
}

/// The dead letters' message ids, as the client read them back.
fn message_ids(letters: &[Value]) -> BTreeSet<String> {
    letters
        .iter()
        .map(|d| d["message_id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids `dlq list -o jsonl` printed.
fn ids_of(listed: &[Value]) -> BTreeSet<String> {
    listed
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}
