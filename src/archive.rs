//! The archive format of `dlq export` and purge backups, read back by `dlq replay --from-file`:
//! JSON Lines, one entry a line, with everything needed to restore it byte for byte.
//!
//! Unlike the display output, nothing here is redacted (a backup that cannot restore is no
//! backup) — except in `export --redact`, whose lines are marked `"redacted": true` and refused
//! by `replay --from-file` — and data is only ever `{"text": …}` (valid UTF-8, control characters escaped by JSON)
//! or `{"bytes": "<base64>"}`, never re-encoded JSON, so a restore is exact. Files are created
//! readable by their owner only.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::domain::decode::{Decoded, Decoder, Outcome, Part};
use crate::domain::entry::{Context, Entry, Header};
use crate::domain::view::{view, Detail, Showing};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Raw {
    Text(String),
    Bytes(String),
}

impl Raw {
    pub(crate) fn of(bytes: &[u8]) -> Raw {
        match std::str::from_utf8(bytes) {
            Ok(t) => Raw::Text(t.to_string()),
            Err(_) => Raw::Bytes(base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }

    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Raw::Text(t) => Ok(t.as_bytes().to_vec()),
            Raw::Bytes(b) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("bad base64: {e}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub name: String,
    pub value: Option<Raw>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchivedEntry {
    /// The DLQ topic the entry was read from.
    pub topic: String,
    pub id: String,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<String>,
    pub timestamp: Option<String>,
    pub key: Option<Raw>,
    pub headers: Vec<RawHeader>,
    pub payload: Option<Raw>,
    /// The dead-letter context as `dlq` read it when archiving (for people; a restore ignores
    /// it).
    pub context: Context,
    /// With `export --decode`/a schema/a registry: the key and payload as decoded, for people
    /// and tools (a restore ignores it and uses the raw bytes above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<ArchivedDecoded>,
    /// `export --redact`: key, headers, payload and context are masked as `inspect` shows them,
    /// for sharing; `replay --from-file` refuses such a line rather than publish the masks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// A dead letter that only points at its original (a Kafka share group's): the original as
    /// fetched from the origin topic when exporting, or why it could not be. For people and
    /// tools; a restore writes the dead letter back as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<ArchivedOriginal>,
}

/// The original a dead letter points at, as fetched from the origin topic at export time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchivedOriginal {
    /// Why the origin no longer has it; the other fields are then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub key: Option<Raw>,
    #[serde(default)]
    pub headers: Vec<RawHeader>,
    #[serde(default)]
    pub payload: Option<Raw>,
}

impl ArchivedOriginal {
    fn of(original: &crate::domain::entry::Original) -> ArchivedOriginal {
        use crate::domain::entry::Original;
        match original {
            Original::Fetched(r) => ArchivedOriginal {
                missing: None,
                topic: Some(r.topic.clone()),
                partition: r.id.partition(),
                offset: r.id.offset(),
                timestamp: r.timestamp.map(|t| t.to_string()),
                key: r.key.as_deref().map(Raw::of),
                headers: raw_headers(&r.headers),
                payload: r.payload.as_deref().map(Raw::of),
            },
            Original::Missing(why) => ArchivedOriginal {
                missing: Some(why.clone()),
                topic: None,
                partition: None,
                offset: None,
                timestamp: None,
                key: None,
                headers: Vec::new(),
                payload: None,
            },
        }
    }
}

fn raw_headers(headers: &[Header]) -> Vec<RawHeader> {
    headers
        .iter()
        .map(|h| RawHeader {
            name: h.name.clone(),
            value: h.value.as_deref().map(Raw::of),
        })
        .collect()
}

/// Decoded copies of an entry's key and payload: JSON for structured data (JSON, Avro), a
/// string for text, `null` for binary; unredacted, like the rest of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchivedDecoded {
    pub key: Option<serde_json::Value>,
    pub key_encoding: Option<String>,
    pub payload: Option<serde_json::Value>,
    pub payload_encoding: Option<String>,
    pub payload_schema: Option<String>,
    pub errors: Vec<String>,
}

impl ArchivedDecoded {
    pub(crate) fn of(record: &crate::domain::entry::Record, decoder: &Decoder) -> ArchivedDecoded {
        let mut d = ArchivedDecoded::default();
        let value = |o: Outcome, part: Part, errors: &mut Vec<String>| {
            if let Some(e) = o.error {
                errors.push(format!("{}: {e}", part.name()));
            }
            match o.decoded {
                Decoded::Structured(v) => v,
                Decoded::Text(t) => serde_json::Value::String(t),
                Decoded::Binary => serde_json::Value::Null,
            }
        };
        if let Some(k) = &record.key {
            let o = decoder.decode(k, Part::Key, None);
            d.key_encoding = Some(o.encoding.to_string());
            d.key = Some(value(o, Part::Key, &mut d.errors));
        }
        if let Some(p) = &record.payload {
            let o = decoder.decode(p, Part::Payload, record.schema_version.as_deref());
            d.payload_encoding = Some(o.encoding.to_string());
            d.payload_schema = o.schema.clone();
            d.payload = Some(value(o, Part::Payload, &mut d.errors));
        }
        d
    }
}

impl ArchivedEntry {
    pub(crate) fn of(e: &Entry, dlq_topic: &str) -> ArchivedEntry {
        let r = &e.record;
        let c = &e.context;
        let (offset, message_id) = match r.id {
            crate::domain::entry::EntryId::Kafka { offset, .. } => (Some(offset), None),
            crate::domain::entry::EntryId::Pulsar(id) => (None, Some(id.to_string())),
        };
        ArchivedEntry {
            topic: dlq_topic.to_string(),
            id: r.id.to_string(),
            partition: r.id.partition(),
            offset,
            message_id,
            timestamp: r.timestamp.map(|t| t.to_string()),
            key: r.key.as_deref().map(Raw::of),
            headers: raw_headers(&r.headers),
            payload: r.payload.as_deref().map(Raw::of),
            context: Context {
                stacktrace: None,
                context_headers: Vec::new(),
                notes: Vec::new(),
                ..c.clone()
            },
            decoded: None,
            redacted: false,
            original: e.original.as_ref().map(ArchivedOriginal::of),
        }
    }

    /// The entry as `inspect` shows it under `showing`'s redaction (decoded payloads as JSON
    /// text, a binary payload as its size and digest), marked `redacted`.
    pub(crate) fn redacted(e: &Entry, dlq_topic: &str, showing: &Showing) -> ArchivedEntry {
        use crate::domain::view::Data;
        let v = view(e, Detail::Full, showing);
        let raw = |d: &Data| match d {
            Data::Text(t) => Raw::Text(t.clone()),
            Data::Json(j) => Raw::Text(j.to_string()),
            Data::Bytes(b) => Raw::of(b),
            Data::Binary { size, sha256, .. } => {
                Raw::Text(format!("[REDACTED:binary, {size} bytes, sha256 {sha256}]"))
            }
        };
        let mut a = ArchivedEntry::of(e, dlq_topic);
        a.key = v.key.as_ref().map(raw);
        a.headers = v
            .headers
            .iter()
            .map(|h| RawHeader {
                name: h.name.clone(),
                value: h.value.as_ref().map(raw),
            })
            .collect();
        a.payload = v.payload.as_ref().map(raw);
        a.context.error_class = v.context.error_class;
        a.context.error_message = v.context.error_message;
        a.redacted = true;
        a
    }

    pub(crate) fn key_bytes(&self) -> Result<Option<Vec<u8>>, String> {
        self.key.as_ref().map(Raw::to_bytes).transpose()
    }

    pub(crate) fn payload_bytes(&self) -> Result<Option<Vec<u8>>, String> {
        self.payload.as_ref().map(Raw::to_bytes).transpose()
    }

    pub(crate) fn header_list(&self) -> Result<Vec<Header>, String> {
        self.headers
            .iter()
            .map(|h| {
                Ok(Header {
                    name: h.name.clone(),
                    value: h.value.as_ref().map(Raw::to_bytes).transpose()?,
                })
            })
            .collect()
    }
}

/// Writes archive lines; `sync` makes everything written so far durable.
pub(crate) struct ArchiveWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    file: Option<File>,
    pub written: u64,
    /// The line being written, kept between lines for its capacity.
    line: Vec<u8>,
}

impl ArchiveWriter {
    /// A new file (never overwriting one), readable by its owner only.
    pub(crate) fn create(path: &Path) -> io::Result<ArchiveWriter> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(path)?;
        let handle = file.try_clone()?;
        Ok(ArchiveWriter {
            out: BufWriter::new(Box::new(file)),
            file: Some(handle),
            written: 0,
            line: Vec::new(),
        })
    }

    pub(crate) fn stdout() -> ArchiveWriter {
        ArchiveWriter {
            out: BufWriter::new(Box::new(io::stdout())),
            file: None,
            written: 0,
            line: Vec::new(),
        }
    }

    pub(crate) fn write(&mut self, entry: &ArchivedEntry) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, entry)?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        Ok(())
    }

    /// Writes `ArchivedEntry::of(e, dlq_topic)` (the same bytes: a property test holds them
    /// equal) straight from the entry, without copying its key, headers and payload into one
    /// first, and escaping text a word at a time (`line::string`). Export's hot path: serde's
    /// byte-at-a-time escaping and the copies were a third of a 1,000,000-entry export's CPU
    /// (docs/BENCHMARKS.md).
    pub(crate) fn write_entry(&mut self, e: &Entry, dlq_topic: &str) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.line);
        buf.clear();
        line::entry(&mut buf, e, dlq_topic)?;
        buf.push(b'\n');
        let written = self.out.write_all(&buf);
        self.line = buf;
        written?;
        self.written += 1;
        Ok(())
    }

    /// Flushes and, for a file, fsyncs: what was written survives a crash.
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        if let Some(f) = &self.file {
            f.sync_all()?;
        }
        Ok(())
    }
}

/// An archive line written by hand, byte for byte as serde_json writes an `ArchivedEntry`.
mod line {
    use std::io;

    use base64::Engine as _;

    use crate::domain::entry::{Entry, EntryId};

    pub(super) fn entry(buf: &mut Vec<u8>, e: &Entry, dlq_topic: &str) -> io::Result<()> {
        let r = &e.record;
        let (offset, message_id) = match r.id {
            EntryId::Kafka { offset, .. } => (Some(offset), None),
            EntryId::Pulsar(id) => (None, Some(id.to_string())),
        };
        buf.extend_from_slice(b"{\"topic\":");
        string(buf, dlq_topic);
        buf.extend_from_slice(b",\"id\":");
        string(buf, &r.id.to_string());
        buf.extend_from_slice(b",\"partition\":");
        serde_json::to_writer(&mut *buf, &r.id.partition())?;
        buf.extend_from_slice(b",\"offset\":");
        serde_json::to_writer(&mut *buf, &offset)?;
        buf.extend_from_slice(b",\"message_id\":");
        optional(buf, message_id.as_deref());
        buf.extend_from_slice(b",\"timestamp\":");
        optional(buf, r.timestamp.map(|t| t.to_string()).as_deref());
        buf.extend_from_slice(b",\"key\":");
        raw(buf, r.key.as_deref());
        buf.extend_from_slice(b",\"headers\":[");
        for (i, h) in r.headers.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\"name\":");
            string(buf, &h.name);
            buf.extend_from_slice(b",\"value\":");
            raw(buf, h.value.as_deref());
            buf.push(b'}');
        }
        buf.extend_from_slice(b"],\"payload\":");
        raw(buf, r.payload.as_deref());
        // The context's stack trace, headers and notes are not serialised (`#[serde(skip)]`),
        // which is what `ArchivedEntry::of` clears them for.
        buf.extend_from_slice(b",\"context\":");
        serde_json::to_writer(&mut *buf, &e.context)?;
        buf.push(b'}');
        Ok(())
    }

    /// `Raw::of` as serde writes it: `{"text":…}`, `{"bytes":…}` or `null`.
    fn raw(buf: &mut Vec<u8>, bytes: Option<&[u8]>) {
        match bytes.map(std::str::from_utf8) {
            None => buf.extend_from_slice(b"null"),
            Some(Ok(t)) => {
                buf.extend_from_slice(b"{\"text\":");
                string(buf, t);
                buf.push(b'}');
            }
            Some(Err(_)) => {
                let bytes = bytes.unwrap_or_default();
                buf.extend_from_slice(b"{\"bytes\":\"");
                let at = buf.len();
                let n = base64::encoded_len(bytes.len(), true).expect("a payload's base64 fits");
                buf.resize(at + n, 0);
                base64::engine::general_purpose::STANDARD
                    .encode_slice(bytes, &mut buf[at..])
                    .expect("sized for it");
                buf.extend_from_slice(b"\"}");
            }
        }
    }

    fn optional(buf: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => string(buf, s),
            None => buf.extend_from_slice(b"null"),
        }
    }

    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;

    /// A high bit in each byte of `x` that JSON must escape (`"`, `\\`, below 0x20). The lowest
    /// flagged byte is always a true one (a borrow only runs upwards from a true hit), which is
    /// all `string` uses.
    fn special(x: u64) -> u64 {
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q & HIGHS;
        let b = x ^ (ONES * u64::from(b'\\'));
        let backslash = b.wrapping_sub(ONES) & !b & HIGHS;
        control | quote | backslash
    }

    fn needs_escape(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\'
    }

    /// A JSON string, escaped exactly as serde_json escapes it (`\b \t \n \f \r \" \\\\`,
    /// other control characters as `\u00xx`, nothing else), eight bytes at a time between
    /// escapes.
    pub(super) fn string(buf: &mut Vec<u8>, s: &str) {
        let bytes = s.as_bytes();
        buf.reserve(bytes.len() + 2);
        buf.push(b'"');
        let (mut start, mut i) = (0, 0);
        loop {
            let next = loop {
                if let Some(word) = bytes.get(i..i + 8) {
                    let m = special(u64::from_le_bytes(word.try_into().expect("8 bytes")));
                    if m == 0 {
                        i += 8;
                        continue;
                    }
                    break Some(i + (m.trailing_zeros() / 8) as usize);
                }
                break bytes[i..]
                    .iter()
                    .position(|&b| needs_escape(b))
                    .map(|p| i + p);
            };
            let Some(at) = next else { break };
            buf.extend_from_slice(&bytes[start..at]);
            let b = bytes[at];
            match b {
                b'"' => buf.extend_from_slice(b"\\\""),
                b'\\' => buf.extend_from_slice(b"\\\\"),
                0x08 => buf.extend_from_slice(b"\\b"),
                0x0c => buf.extend_from_slice(b"\\f"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    buf.extend_from_slice(b"\\u00");
                    buf.push(HEX[usize::from(b >> 4)]);
                    buf.push(HEX[usize::from(b & 0xf)]);
                }
            }
            i = at + 1;
            start = i;
        }
        buf.extend_from_slice(&bytes[start..]);
        buf.push(b'"');
    }
}

/// Reads an archive line; the error names the line number.
pub(crate) fn parse_line(line: &str, number: usize) -> Result<ArchivedEntry, String> {
    serde_json::from_str(line).map_err(|e| format!("line {number}: not a dlq archive entry: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conventions::{explain, HeaderMap};
    use crate::domain::entry::{EntryId, Record};

    #[test]
    fn round_trips_bytes_exactly() {
        let record = Record {
            schema_version: None,
            topic: "t".into(),
            id: EntryId::Kafka {
                partition: 2,
                offset: 9,
            },
            timestamp: Some("2026-11-21T10:42:00.123Z".parse().unwrap()),
            key: Some(vec![0, 0xff, b'k']),
            headers: vec![
                Header::new("kafka_dlt-original-partition", 3i32.to_be_bytes()),
                Header::new("text", "a\u{1b}[31m\n"),
                Header {
                    name: "null".into(),
                    value: None,
                },
            ],
            payload: Some(br#"{ "pretty":  "json" , "kept": "as is" }"#.to_vec()),
        };
        let entry = Entry::new(record.clone(), explain(&record, &HeaderMap::default()));
        let line = serde_json::to_string(&ArchivedEntry::of(&entry, "t")).unwrap();
        let back = parse_line(&line, 1).unwrap();
        assert_eq!(back.key_bytes().unwrap(), record.key);
        assert_eq!(
            back.payload_bytes().unwrap(),
            record.payload,
            "JSON payloads are not re-encoded"
        );
        assert_eq!(back.header_list().unwrap(), record.headers);
        assert_eq!(back.timestamp.as_deref(), Some("2026-11-21T10:42:00.123Z"));
        assert!(parse_line("{}", 7).unwrap_err().starts_with("line 7:"));
    }
}

/// The hand-written line is serde's, byte for byte, for any entry.
#[cfg(test)]
mod line_tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::conventions::{explain, HeaderMap};
    use crate::domain::entry::{EntryId, Record};

    fn written(e: &Entry) -> String {
        let path = tempfile::tempdir().unwrap();
        let file = path.path().join("a.jsonl");
        let mut w = ArchiveWriter::create(&file).unwrap();
        w.write_entry(e, "dlq.orders").unwrap();
        w.sync().unwrap();
        std::fs::read_to_string(file).unwrap()
    }

    fn by_serde(e: &Entry) -> String {
        serde_json::to_string(&ArchivedEntry::of(e, "dlq.orders")).unwrap() + "\n"
    }

    /// Bytes that hit every escape and the word-at-a-time edges: controls, quotes, backslashes,
    /// DEL, multi-byte UTF-8, invalid UTF-8.
    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let interesting = prop::sample::select(vec![
            0u8, 1, 8, 9, 10, 12, 13, 0x1f, b' ', b'"', b'\\', b'/', b'a', b'Z', 0x7f, 0xc3, 0xa9,
            0xe2, 0x82, 0xac, 0xff, 0x80,
        ]);
        prop::collection::vec(prop_oneof![interesting, any::<u8>()], 0..40)
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ -~\u{0}-\u{1f}\u{7f}é€\"\\\\]{0,40}".prop_map(String::from),
        ]
    }

    fn record() -> impl Strategy<Value = Record> {
        (
            any::<bool>(),
            0i32..4,
            0i64..1_000_000,
            prop::option::of(bytes()),
            prop::option::of(prop_oneof![bytes(), text().prop_map(String::into_bytes)]),
            prop::collection::vec((text(), prop::option::of(bytes())), 0..5),
            prop::option::of(0i64..4_000_000_000_000),
        )
            .prop_map(
                |(kafka, partition, offset, key, payload, headers, ms)| Record {
                    schema_version: None,
                    topic: "dlq.orders".into(),
                    id: if kafka {
                        EntryId::Kafka { partition, offset }
                    } else {
                        "5:7:-1:2"
                            .parse::<crate::domain::entry::PulsarMessageId>()
                            .map(EntryId::Pulsar)
                            .unwrap_or(EntryId::Kafka { partition, offset })
                    },
                    timestamp: ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()),
                    key,
                    headers: headers
                        .into_iter()
                        .map(|(name, value)| Header { name, value })
                        .collect(),
                    payload,
                },
            )
    }

    proptest! {
        #[test]
        fn the_direct_line_is_serdes_line(record in record()) {
            let e = { let context = explain(&record, &HeaderMap::default()); Entry::new(record, context) };
            prop_assert_eq!(written(&e), by_serde(&e));
        }
    }

    #[test]
    fn a_spring_dead_letter_with_every_escape_is_serdes_line() {
        let record = Record {
            schema_version: None,
            topic: "orders.DLT".into(),
            id: EntryId::Kafka {
                partition: 1,
                offset: 42,
            },
            timestamp: Some("2026-11-21T10:42:00.123Z".parse().unwrap()),
            key: Some(b"order-42".to_vec()),
            headers: vec![
                Header::new("kafka_dlt-original-topic", "orders"),
                Header::new("kafka_dlt-original-partition", 3i32.to_be_bytes()),
                Header::new(
                    "kafka_dlt-exception-message",
                    "bad \"value\"\t\\ \u{1b}[0m\r\n€",
                ),
                Header {
                    name: "none".into(),
                    value: None,
                },
            ],
            payload: Some(
                br#"{"order_id": 42, "notes": "line\nbreak \u00e9 \"quoted\""}"#.to_vec(),
            ),
        };
        let e = {
            let context = explain(&record, &HeaderMap::default());
            Entry::new(record, context)
        };
        assert!(
            e.context.error_message.is_some(),
            "the control: a context to serialise"
        );
        assert_eq!(written(&e), by_serde(&e));
    }
}
