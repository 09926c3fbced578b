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
