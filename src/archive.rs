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
            headers: r
                .headers
                .iter()
                .map(|h| RawHeader {
                    name: h.name.clone(),
                    value: h.value.as_deref().map(Raw::of),
                })
                .collect(),
            payload: r.payload.as_deref().map(Raw::of),
            context: Context {
                stacktrace: None,
                context_headers: Vec::new(),
                notes: Vec::new(),
                ..c.clone()
            },
            decoded: None,
            redacted: false,
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
        })
    }

    pub(crate) fn stdout() -> ArchiveWriter {
        ArchiveWriter {
            out: BufWriter::new(Box::new(io::stdout())),
            file: None,
            written: 0,
        }
    }

    pub(crate) fn write(&mut self, entry: &ArchivedEntry) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, entry)?;
        self.out.write_all(b"\n")?;
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
        let entry = Entry {
            context: explain(&record, &HeaderMap::default()),
            record: record.clone(),
        };
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
