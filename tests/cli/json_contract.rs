//! The JSON contract scripts depend on, pinned: every field by name and type, nothing extra
//! (`deny_unknown_fields`), nothing missing (the key set is compared too). Changing dlq's JSON
//! means changing this file, deliberately. The broker tests run every JSON output through it.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

// The structs below pin the schema by existing: deserialising checks every field's name and
// type, whether or not a test goes on to read it.

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DataJson {
    Text(String),
    /// Base64.
    Bytes(String),
    Json(Value),
    Binary {
        size: u64,
        sha256: String,
        preview_hex: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EntryJson {
    pub id: String,
    pub topic: String,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<String>,
    pub timestamp: Option<String>,
    pub key: Option<DataJson>,
    pub convention: Option<String>,
    pub origin_topic: Option<String>,
    pub origin_partition: Option<i32>,
    pub origin_offset: Option<i64>,
    pub origin_message_id: Option<String>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub retry_count: Option<i64>,
    pub consumer_group: Option<String>,
    pub failed_at: Option<String>,
    pub size_bytes: u64,
    pub headers_only: bool,
    pub fingerprint: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct HeaderJson {
    pub name: String,
    pub value: Option<DataJson>,
}

/// `serde(flatten)` cannot be combined with `deny_unknown_fields`, so the entry fields repeat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct InspectJson {
    pub id: String,
    pub topic: String,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<String>,
    pub timestamp: Option<String>,
    pub key: Option<DataJson>,
    pub convention: Option<String>,
    pub origin_topic: Option<String>,
    pub origin_partition: Option<i32>,
    pub origin_offset: Option<i64>,
    pub origin_message_id: Option<String>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub retry_count: Option<i64>,
    pub consumer_group: Option<String>,
    pub failed_at: Option<String>,
    pub size_bytes: u64,
    pub headers: Vec<HeaderJson>,
    pub payload: Option<DataJson>,
    pub stacktrace: Option<String>,
    pub redacted_fields: Vec<String>,
    pub key_encoding: Option<String>,
    pub payload_encoding: Option<String>,
    pub payload_schema: Option<String>,
    pub decode_errors: Vec<String>,
    pub headers_only: bool,
    pub fingerprint: String,
    pub original: Option<OriginalJson>,
    pub root_cause: Option<String>,
}

/// A share group's dead letter: its original as fetched from the origin topic (its key and
/// payload are the entry's), or why it could not be.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, untagged)]
#[allow(dead_code)]
pub enum OriginalJson {
    Fetched {
        fetched_from: String,
        topic: String,
        partition: Option<i32>,
        offset: Option<i64>,
        timestamp: Option<String>,
        headers: Vec<HeaderJson>,
    },
    Missing {
        missing: String,
    },
}

const ENTRY_FIELDS: &[&str] = &[
    "id",
    "topic",
    "partition",
    "offset",
    "message_id",
    "timestamp",
    "key",
    "convention",
    "origin_topic",
    "origin_partition",
    "origin_offset",
    "origin_message_id",
    "error_class",
    "error_message",
    "retry_count",
    "consumer_group",
    "failed_at",
    "size_bytes",
    "headers_only",
    "fingerprint",
];
const INSPECT_EXTRA: &[&str] = &[
    "headers",
    "payload",
    "stacktrace",
    "redacted_fields",
    "key_encoding",
    "payload_encoding",
    "payload_schema",
    "decode_errors",
    "original",
    "root_cause",
];

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect()
}

fn assert_utc_rfc3339(t: &Option<String>) {
    if let Some(t) = t {
        let parsed: jiff::Timestamp = t
            .parse()
            .unwrap_or_else(|e| panic!("'{t}' is not RFC 3339: {e}"));
        assert!(t.ends_with('Z'), "'{t}' is not UTC");
        assert_eq!(parsed.to_string(), *t);
    }
}

/// Checks one `list` object against the contract and returns it typed.
pub fn entry(v: &Value) -> EntryJson {
    let expected: BTreeSet<String> = ENTRY_FIELDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(keys(v), expected, "list entry fields");
    let e: EntryJson = serde_json::from_value(v.clone()).expect("list entry matches the contract");
    assert_utc_rfc3339(&e.timestamp);
    assert_utc_rfc3339(&e.failed_at);
    e
}

/// Checks one `inspect -o json` object against the contract and returns it typed.
pub fn inspect(v: &Value) -> InspectJson {
    let expected: BTreeSet<String> = ENTRY_FIELDS
        .iter()
        .chain(INSPECT_EXTRA)
        .map(|s| s.to_string())
        .collect();
    assert_eq!(keys(v), expected, "inspect fields");
    let e: InspectJson =
        serde_json::from_value(v.clone()).expect("inspect output matches the contract");
    assert_utc_rfc3339(&e.timestamp);
    e
}

/// Checks that `v` has exactly `fields` and matches `T` (names and types).
fn pinned<T: serde::de::DeserializeOwned>(v: &Value, fields: &[&str], what: &str) -> T {
    let expected: BTreeSet<String> = fields.iter().map(|s| s.to_string()).collect();
    assert_eq!(keys(v), expected, "{what} fields: {v}");
    serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{what} matches the contract: {e}: {v}"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TargetJson {
    pub planned: u64,
    pub sent: u64,
    pub failed: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SkipJson {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FailureJson {
    pub id: String,
    pub target: String,
    pub reason: String,
}

/// `replay -o json` (DLQ, window copy, restore).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReplaySummaryJson {
    pub topic: String,
    pub dry_run: bool,
    pub interrupted: bool,
    pub selected: u64,
    pub sent: u64,
    pub skipped: u64,
    pub failed: u64,
    pub unconfirmed: u64,
    pub not_sent: u64,
    pub resumed: u64,
    pub lost: Option<String>,
    pub journal: Option<String>,
    pub targets: std::collections::BTreeMap<String, TargetJson>,
    pub skips: Vec<SkipJson>,
    pub failures: Vec<FailureJson>,
    pub warnings: Vec<String>,
    /// `--patch`: null without one.
    pub patch: Option<PatchJson>,
    /// `--canary`: null without one.
    pub canary: Option<CanaryJson>,
    /// `--join`: absent without it.
    #[serde(default)]
    pub member_id: Option<String>,
    #[serde(default)]
    pub partitions: Option<Vec<String>>,
    #[serde(default)]
    pub taken_over: Option<u64>,
    #[serde(default)]
    pub join_run: Option<u64>,
    #[serde(default)]
    pub group_protocol: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CanaryJson {
    pub sent: u64,
    pub waited_seconds: u64,
    pub returned: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PatchJson {
    pub id: String,
    pub changed: u64,
    pub unchanged: u64,
    pub failed: u64,
}

pub fn replay_summary(v: &Value) -> ReplaySummaryJson {
    pinned(v, REPLAY_FIELDS, "replay summary")
}

/// `replay --join -o json`: a replay summary and the member's own fields.
pub fn joined_replay_summary(v: &Value) -> ReplaySummaryJson {
    let fields = [
        REPLAY_FIELDS,
        &[
            "member_id",
            "partitions",
            "taken_over",
            "join_run",
            "group_protocol",
        ],
    ]
    .concat();
    pinned(v, &fields, "joined replay summary")
}

const REPLAY_FIELDS: &[&str] = &[
    "topic",
    "dry_run",
    "interrupted",
    "selected",
    "sent",
    "skipped",
    "failed",
    "unconfirmed",
    "not_sent",
    "resumed",
    "lost",
    "journal",
    "targets",
    "skips",
    "failures",
    "warnings",
    "patch",
    "canary",
];

/// `purge -o json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PurgeSummaryJson {
    pub topic: String,
    pub dry_run: bool,
    pub selected: u64,
    pub purged: u64,
    /// "deleted", "acknowledged" or "marked handled".
    pub how: String,
    pub backup: Option<String>,
    pub warnings: Vec<String>,
    pub failed: u64,
    pub failed_partitions: std::collections::BTreeMap<String, String>,
    pub lost: Option<String>,
    pub interrupted: bool,
    pub partitions_purged: Vec<i32>,
    pub partitions_not_purged: Vec<i32>,
}

pub fn purge_summary(v: &Value) -> PurgeSummaryJson {
    let s: PurgeSummaryJson = pinned(
        v,
        &[
            "topic",
            "dry_run",
            "selected",
            "purged",
            "how",
            "backup",
            "warnings",
            "failed",
            "failed_partitions",
            "lost",
            "interrupted",
            "partitions_purged",
            "partitions_not_purged",
        ],
        "purge summary",
    );
    assert!(
        ["deleted", "acknowledged", "marked handled"].contains(&s.how.as_str()),
        "how: {}",
        s.how
    );
    s
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RewindPartitionJson {
    pub partition: Option<i32>,
    pub current: Option<String>,
    pub new_position: String,
    pub first_id: Option<String>,
    pub first_timestamp: Option<String>,
    pub reprocess: u64,
}

/// A rewind's plan or outcome (`replay TOPIC --since … --group/--subscription -o json`, and
/// `--restore-positions`): `group` on Kafka, `subscription` on Pulsar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RewindJson {
    pub mode: String,
    pub topic: String,
    pub group: Option<String>,
    pub subscription: Option<String>,
    pub since_input: Option<String>,
    pub since: Option<String>,
    pub restored_from: Option<String>,
    pub positions_file: Option<String>,
    pub partitions: Vec<RewindPartitionJson>,
    pub reprocess: u64,
    pub blocked: Option<String>,
    pub unverified: Option<String>,
    pub dry_run: bool,
    pub applied: bool,
}

pub fn rewind(v: &Value) -> RewindJson {
    let consumer = if v.get("group").is_some() {
        "group"
    } else {
        "subscription"
    };
    let r: RewindJson = pinned(
        v,
        &[
            "mode",
            "topic",
            consumer,
            "since_input",
            "since",
            "restored_from",
            "positions_file",
            "partitions",
            "reprocess",
            "blocked",
            "unverified",
            "dry_run",
            "applied",
        ],
        "rewind",
    );
    assert_utc_rfc3339(&r.since);
    for p in &r.partitions {
        assert_utc_rfc3339(&p.first_timestamp);
    }
    r
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CountJson {
    pub value: Option<String>,
    pub count: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DatedJson {
    pub id: String,
    pub timestamp: String,
    pub age_seconds: i64,
}

/// `stats -o json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct StatsJson {
    pub topic: String,
    pub entries: u64,
    pub read: u64,
    pub bytes: u64,
    pub oldest: Option<DatedJson>,
    pub newest: Option<DatedJson>,
    pub by_error_class: Vec<CountJson>,
    pub by_origin_topic: Vec<CountJson>,
    pub by_convention: Vec<CountJson>,
    pub by_partition: Vec<CountJson>,
    pub by_retry_count: Vec<CountJson>,
    pub arrival_bucket_seconds: i64,
    pub arrivals: Vec<ArrivalJson>,
    /// Only with `--chart-failures N`.
    #[serde(default)]
    pub arrivals_by_failure: Option<Vec<FailureArrivalsJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FailureArrivalsJson {
    pub fingerprint: String,
    pub count: u64,
    pub bucket_seconds: i64,
    pub arrivals: Option<Vec<ArrivalJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ArrivalJson {
    pub start: String,
    pub count: u64,
}

pub fn stats(v: &Value) -> StatsJson {
    let mut fields = vec![
        "topic",
        "entries",
        "read",
        "bytes",
        "oldest",
        "newest",
        "by_error_class",
        "by_origin_topic",
        "by_convention",
        "by_partition",
        "by_retry_count",
        "arrival_bucket_seconds",
        "arrivals",
    ];
    // Only with --chart-failures.
    if v.get("arrivals_by_failure").is_some() {
        fields.push("arrivals_by_failure");
    }
    let s: StatsJson = pinned(v, &fields, "stats");
    for d in s.oldest.iter().chain(&s.newest) {
        assert_utc_rfc3339(&Some(d.timestamp.clone()));
    }
    for a in &s.arrivals {
        assert_utc_rfc3339(&Some(a.start.clone()));
    }
    assert_eq!(
        s.arrivals.iter().map(|a| a.count).sum::<u64>(),
        s.entries,
        "every entry with a time is in a bucket"
    );
    assert!(s.arrivals.windows(2).all(|w| w[0].start < w[1].start));
    s
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WatchFailureJson {
    pub fingerprint: String,
    pub error_class: Option<String>,
    pub template: String,
    pub count: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WatchTopicJson {
    pub topic: String,
    pub entries: u64,
    pub retained: Option<u64>,
    pub arrived: u64,
    pub removed: u64,
    pub arrivals_per_minute: Option<f64>,
    pub removals_per_minute: Option<f64>,
    pub oldest: Option<String>,
    pub oldest_age_seconds: Option<i64>,
    pub payload_bytes: u64,
    pub top_failures: Vec<WatchFailureJson>,
    pub arrivals_by_minute: Vec<u64>,
    pub error: Option<String>,
}

/// One line of `dlq watch -o json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WatchLineJson {
    pub at: String,
    pub refresh: u64,
    pub refresh_seconds: f64,
    pub topics: Vec<WatchTopicJson>,
}

pub fn watch_line(v: &Value) -> WatchLineJson {
    let w: WatchLineJson = pinned(v, &["at", "refresh", "refresh_seconds", "topics"], "watch");
    assert_utc_rfc3339(&Some(w.at.clone()));
    for (t, raw) in w.topics.iter().zip(v["topics"].as_array().unwrap()) {
        assert_eq!(keys(raw).len(), 13, "watch topic fields: {raw}");
        assert_utc_rfc3339(&t.oldest);
        assert_eq!(t.arrivals_by_minute.len(), 30);
        assert!(t.top_failures.windows(2).all(|w| w[0].count >= w[1].count));
    }
    w
}

/// One `topics -o json` row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TopicJson {
    pub topic: String,
    pub pattern: String,
    pub partitions: u32,
    pub retained: Option<u64>,
    pub unhandled: u64,
}

pub fn topics(v: &Value) -> Vec<TopicJson> {
    v.as_array()
        .expect("topics -o json is an array")
        .iter()
        .map(|t| {
            pinned(
                t,
                &["topic", "pattern", "partitions", "retained", "unhandled"],
                "topic",
            )
        })
        .collect()
}

/// `-o json` is one document and `-o jsonl` one line per record, for every command: a summary
/// (replay, purge, stats, inspect) is one line holding the same document; `topics` is one line
/// per topic.
#[test]
fn jsonl_is_one_line_per_record_and_the_same_document_as_json() {
    use crate::common::{dlq, kafka_url, seed_kafka, stdout_of, unique};
    let origin = unique("jsonl-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, &["spring"], 2);
    let url = kafka_url();
    let id = crate::common::json_of(dlq().args(["list", &dlq_topic, "-b", &url, "-o", "json"]))[0]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let commands: [&[&str]; 4] = [
        &["replay", &dlq_topic, "--all", "--dry-run"],
        &["purge", &dlq_topic, "--all", "--dry-run", "--no-backup"],
        &["stats", &dlq_topic],
        &["inspect", &dlq_topic, &id],
    ];
    for args in commands {
        let run = |format: &str| {
            let out = stdout_of(dlq().args(args).args(["-b", &url, "-o", format]));
            String::from_utf8(out).unwrap()
        };
        let json: Value = serde_json::from_str(&run("json")).unwrap();
        let jsonl = run("jsonl");
        let lines: Vec<&str> = jsonl.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, not {jsonl}");
        let line: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(keys(&line), keys(&json), "{args:?}: the same document");
        if args[0] != "stats" {
            // stats says how long ago its oldest entry was: it moves between two runs.
            assert_eq!(line, json, "{args:?}");
        }
    }
    let topics = |format: &str| {
        stdout_of(dlq().args(["topics", "-b", &url, "--pattern", &dlq_topic, "-o", format]))
    };
    let array: Vec<Value> = serde_json::from_slice(&topics("json")).unwrap();
    let lines: Vec<Value> = String::from_utf8(topics("jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Other tests create topics meanwhile: compare this test's topic, and that every line is
    // one topic.
    let ours = |all: &[Value]| -> Vec<Value> {
        all.iter()
            .filter(|t| t["topic"] == dlq_topic.as_str())
            .cloned()
            .collect()
    };
    assert_eq!(ours(&lines).len(), 1, "topics: one line per topic");
    assert_eq!(ours(&lines), ours(&array));
    assert!(lines.iter().all(|l| l.is_object()));
}

/// One `groups -o json` row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct GroupJson {
    pub fingerprint: String,
    pub count: u64,
    pub share: f64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub error_class: Option<String>,
    pub wrapper: Option<String>,
    pub template: String,
    pub origin_topics: Vec<String>,
    pub retry_count_min: Option<i64>,
    pub retry_count_max: Option<i64>,
    pub refailed: u64,
    pub example_id: String,
}

/// `groups -o json`: an array of rows, each with exactly the pinned fields; times UTC RFC 3339.
pub fn groups(v: &Value) -> Vec<GroupJson> {
    v.as_array()
        .expect("groups -o json is an array")
        .iter()
        .map(|g| {
            let g: GroupJson = pinned(
                g,
                &[
                    "fingerprint",
                    "count",
                    "share",
                    "first_seen",
                    "last_seen",
                    "error_class",
                    "wrapper",
                    "template",
                    "origin_topics",
                    "retry_count_min",
                    "retry_count_max",
                    "refailed",
                    "example_id",
                ],
                "groups",
            );
            assert_utc_rfc3339(&g.first_seen);
            assert_utc_rfc3339(&g.last_seen);
            g
        })
        .collect()
}
