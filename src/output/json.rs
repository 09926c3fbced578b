//! The JSON contract scripts rely on (pinned by tests/cli/json_contract.rs). Keys, payloads and
//! header values are `{"text": …}` when UTF-8, `{"bytes": "<base64>"}` otherwise; a JSON payload
//! (or an Avro payload decoded) is `{"json": …}`; a redacted binary payload is `{"binary": {size, sha256, preview_hex}}`.

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use crate::domain::view::{Data, EntryView, HeaderView};

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataJson<'a> {
    Text(&'a str),
    Bytes(String),
    Json(&'a Value),
    Binary {
        size: u64,
        sha256: &'a str,
        preview_hex: &'a str,
    },
}

impl<'a> From<&'a Data> for DataJson<'a> {
    fn from(d: &'a Data) -> Self {
        match d {
            Data::Text(t) => DataJson::Text(t),
            Data::Json(v) => DataJson::Json(v),
            Data::Bytes(b) => DataJson::Bytes(base64::engine::general_purpose::STANDARD.encode(b)),
            Data::Binary {
                size,
                sha256,
                preview_hex,
            } => DataJson::Binary {
                size: *size,
                sha256,
                preview_hex,
            },
        }
    }
}

#[derive(Serialize)]
pub struct EntryJson<'a> {
    pub id: &'a str,
    pub topic: &'a str,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<&'a str>,
    pub timestamp: Option<String>,
    pub key: Option<DataJson<'a>>,
    pub convention: Option<&'a str>,
    pub origin_topic: Option<&'a str>,
    pub origin_partition: Option<i32>,
    pub origin_offset: Option<i64>,
    pub origin_message_id: Option<&'a str>,
    pub error_class: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub retry_count: Option<i64>,
    pub consumer_group: Option<&'a str>,
    pub failed_at: Option<String>,
    pub size_bytes: u64,
}

impl<'a> From<&'a EntryView> for EntryJson<'a> {
    fn from(v: &'a EntryView) -> Self {
        EntryJson {
            id: &v.id,
            topic: &v.topic,
            partition: v.partition,
            offset: v.offset,
            message_id: v.message_id.as_deref(),
            timestamp: v.timestamp.map(|t| t.to_string()),
            key: v.key.as_ref().map(DataJson::from),
            convention: v.convention.as_deref(),
            origin_topic: v.origin_topic.as_deref(),
            origin_partition: v.origin_partition,
            origin_offset: v.origin_offset,
            origin_message_id: v.origin_message_id.as_deref(),
            error_class: v.error_class.as_deref(),
            error_message: v.error_message.as_deref(),
            retry_count: v.retry_count,
            consumer_group: v.consumer_group.as_deref(),
            failed_at: v.failed_at.map(|t| t.to_string()),
            size_bytes: v.size_bytes,
        }
    }
}

#[derive(Serialize)]
pub struct HeaderJson<'a> {
    pub name: &'a str,
    pub value: Option<DataJson<'a>>,
}

impl<'a> From<&'a HeaderView> for HeaderJson<'a> {
    fn from(h: &'a HeaderView) -> Self {
        HeaderJson {
            name: &h.name,
            value: h.value.as_ref().map(DataJson::from),
        }
    }
}

#[derive(Serialize)]
pub struct InspectJson<'a> {
    #[serde(flatten)]
    pub entry: EntryJson<'a>,
    pub headers: Vec<HeaderJson<'a>>,
    pub payload: Option<DataJson<'a>>,
    pub stacktrace: Option<&'a str>,
    pub redacted_fields: &'a [String],
    pub key_encoding: Option<&'a str>,
    pub payload_encoding: Option<&'a str>,
    pub payload_schema: Option<&'a str>,
    pub decode_errors: &'a [String],
}

impl<'a> From<&'a EntryView> for InspectJson<'a> {
    fn from(v: &'a EntryView) -> Self {
        InspectJson {
            entry: EntryJson::from(v),
            headers: v.headers.iter().map(HeaderJson::from).collect(),
            payload: v.payload.as_ref().map(DataJson::from),
            stacktrace: v.stacktrace.as_deref(),
            redacted_fields: &v.redacted_fields,
            key_encoding: v.key_encoding,
            payload_encoding: v.payload_encoding,
            payload_schema: v.payload_schema.as_deref(),
            decode_errors: &v.decode_errors,
        }
    }
}
