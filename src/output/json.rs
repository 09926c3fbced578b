//! The JSON contract scripts rely on (pinned by tests/cli/json_contract.rs). Keys, payloads and
//! header values are `{"text": …}` when UTF-8, `{"bytes": "<base64>"}` otherwise; a JSON payload
//! (or an Avro payload decoded) is `{"json": …}`; a redacted binary payload is `{"binary": {size, sha256, preview_hex}}`.

use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use super::OutputFormat;

use crate::domain::entry::Context;
use crate::domain::view::{Data, EntryView, HeaderView, OriginalView};

/// The one JSON writer for a result: `-o json` writes one indented document, `-o jsonl` one
/// compact line (a summary is one record). Every command's summary goes through here.
pub(crate) fn document(
    format: OutputFormat,
    out: &mut dyn Write,
    doc: &impl Serialize,
) -> io::Result<()> {
    if format == OutputFormat::Jsonl {
        serde_json::to_writer(&mut *out, doc)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, doc)?;
    }
    out.write_all(b"\n")?;
    out.flush()
}

/// The one JSON writer for a list of records: `-o json` writes them as one indented array,
/// `-o jsonl` one compact line each.
pub(crate) fn records<T: Serialize>(
    format: OutputFormat,
    out: &mut dyn Write,
    items: &[T],
) -> io::Result<()> {
    if format == OutputFormat::Jsonl {
        for item in items {
            serde_json::to_writer(&mut *out, item)?;
            out.write_all(b"\n")?;
        }
        return out.flush();
    }
    document(format, out, &items)
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DataJson<'a> {
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
pub(super) struct EntryJson<'a> {
    pub id: &'a str,
    pub topic: &'a str,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<&'a str>,
    pub timestamp: Option<String>,
    pub key: Option<DataJson<'a>>,
    /// The dead-letter context's fields, with the names the entry model gives them.
    #[serde(flatten)]
    pub context: &'a Context,
    pub size_bytes: u64,
    /// The dead letter holds no key and no payload, only where its original is (a Kafka share
    /// group's).
    pub headers_only: bool,
    /// The failure's fingerprint: `dlq groups` groups by it, `--fingerprint` selects by it.
    pub fingerprint: &'a str,
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
            context: &v.context,
            size_bytes: v.size_bytes,
            headers_only: v.headers_only,
            fingerprint: &v.fingerprint,
        }
    }
}

#[derive(Serialize)]
pub(super) struct HeaderJson<'a> {
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
pub(super) struct InspectJson<'a> {
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
    /// A dead letter that points at its original: where `key` and `payload` were fetched from,
    /// with the original's own headers, or why it could not be (`null` for other entries).
    pub original: Option<OriginalJson<'a>>,
    /// The root cause's class where a trace names one under the entry's own (wrapper) class.
    pub root_cause: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum OriginalJson<'a> {
    Fetched {
        /// Always "origin": the message was read from the origin topic, not the dead letter.
        fetched_from: &'static str,
        topic: &'a str,
        partition: Option<i32>,
        offset: Option<i64>,
        timestamp: Option<String>,
        headers: Vec<HeaderJson<'a>>,
    },
    Missing {
        missing: &'a str,
    },
}

impl<'a> From<&'a OriginalView> for OriginalJson<'a> {
    fn from(o: &'a OriginalView) -> Self {
        match o {
            OriginalView::Fetched {
                topic,
                partition,
                offset,
                timestamp,
                headers,
            } => OriginalJson::Fetched {
                fetched_from: "origin",
                topic,
                partition: *partition,
                offset: *offset,
                timestamp: timestamp.map(|t| t.to_string()),
                headers: headers.iter().map(HeaderJson::from).collect(),
            },
            OriginalView::Missing(why) => OriginalJson::Missing { missing: why },
        }
    }
}

impl<'a> From<&'a EntryView> for InspectJson<'a> {
    fn from(v: &'a EntryView) -> Self {
        InspectJson {
            entry: EntryJson::from(v),
            headers: v.headers.iter().map(HeaderJson::from).collect(),
            payload: v.payload.as_ref().map(DataJson::from),
            stacktrace: v.context.stacktrace.as_deref(),
            redacted_fields: &v.redacted_fields,
            key_encoding: v.key_encoding,
            payload_encoding: v.payload_encoding,
            payload_schema: v.payload_schema.as_deref(),
            decode_errors: &v.decode_errors,
            original: v.original.as_ref().map(OriginalJson::from),
            root_cause: v.root_cause.as_deref(),
        }
    }
}
