//! What `dlq` shows of an entry: its context plus data already redacted (unless revealed).
//! Every output format renders an [`EntryView`]; none sees raw sensitive data unless the user
//! asked for `--reveal`.

use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::conventions::{headers_only, hex_preview};
use super::decode::{Decoded, Decoder, Outcome, Part};
use super::entry::{Context, Entry, EntryId, Original};
use super::redact::{Masked, Recall, Redactor, MASK};

/// How many bytes of a binary payload a redacted view previews.
pub(crate) const BINARY_PREVIEW_BYTES: usize = 64;

/// A key, payload or header value, in the form it is shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    /// Valid UTF-8.
    Text(String),
    /// A JSON object or array (a payload only).
    Json(Value),
    /// Raw bytes (not UTF-8), shown in full.
    Bytes(Vec<u8>),
    /// A binary payload under redaction: what it is, not what it says.
    Binary {
        size: u64,
        sha256: String,
        preview_hex: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderView {
    pub name: String,
    pub value: Option<Data>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// The context columns `list` shows.
    Summary,
    /// Everything: headers, payload, stack trace (`inspect`).
    Full,
}

#[derive(Debug, Clone)]
pub(crate) struct EntryView {
    pub id: String,
    pub topic: String,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub message_id: Option<String>,
    pub timestamp: Option<Timestamp>,
    pub key: Option<Data>,
    /// The dead-letter context, its error texts redacted; its stack trace only with
    /// `Detail::Full`.
    pub context: Context,
    pub size_bytes: u64,
    /// `Detail::Full` only.
    pub headers: Vec<HeaderView>,
    pub payload: Option<Data>,
    /// Paths that were masked (`payload.customer.email`, `headers.authorization`, `key`, …).
    pub redacted_fields: Vec<String>,
    /// How the key and (`Detail::Full`) the payload were read: `json`, `avro`,
    /// `avro-registry`, `text`, `binary`, …
    pub key_encoding: Option<&'static str>,
    pub payload_encoding: Option<&'static str>,
    /// The schema the payload was read with, and where it came from.
    pub payload_schema: Option<String>,
    /// Why a key or payload could not be read as asked (it is then shown raw).
    pub decode_errors: Vec<String>,
    /// The dead letter holds no key and no payload, only where its original is (a share
    /// group's): `key` and `payload` are the original's once fetched (`original`).
    pub headers_only: bool,
    /// The failure's fingerprint (`domain::fingerprint`): the same bug, the same id.
    pub fingerprint: String,
    /// The root cause's class where a trace names one under the entry's own class (a wrapper's).
    pub root_cause: Option<String>,
    /// `Detail::Full`, for a dead letter that points at its original: the original as fetched
    /// from the origin topic (its key and payload are `key` and `payload`), or why it could not
    /// be.
    pub original: Option<OriginalView>,
}

/// A dead letter's original, fetched from the origin topic.
#[derive(Debug, Clone)]
pub(crate) enum OriginalView {
    Fetched {
        /// Where it was read: `TOPIC` partition and offset.
        topic: String,
        partition: Option<i32>,
        offset: Option<i64>,
        timestamp: Option<Timestamp>,
        /// The original's own headers (the broker does not copy them into the dead letter).
        headers: Vec<HeaderView>,
    },
    Missing(String),
}

pub(crate) use super::decode::as_text;

/// How entries are shown: redacted by these rules unless `reveal`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Showing {
    pub reveal: bool,
    pub redactor: Redactor,
    pub decoder: Decoder,
    /// The error texts this run has redacted already (shared by the clones of this value).
    pub recall: Recall,
}

/// Builds the view of an entry, redacting unless `reveal`.
pub(crate) fn view(entry: &Entry, detail: Detail, showing: &Showing) -> EntryView {
    let reveal = showing.reveal;
    let redactor = &showing.redactor;
    let r = &entry.record;
    let c = &entry.context;
    // The key and payload the message has: a share group's original where it was fetched.
    let message = entry.message();
    let mut masked = Masked::default();
    let text = |t: &Option<String>, path: &str, masked: &mut Masked| -> Option<String> {
        t.as_ref().map(|t| {
            if reveal {
                t.clone()
            } else {
                redactor.redact_text(t, path, masked).into_owned()
            }
        })
    };
    let (partition, offset, message_id) = match r.id {
        EntryId::Kafka { partition, offset } => (Some(partition), Some(offset), None),
        EntryId::Pulsar(id) => (r.id.partition(), None, Some(id.to_string())),
    };
    // The error texts one failure's entries share are redacted once (`Recall`).
    let recalled = |t: &Option<String>, path: &str, masked: &mut Masked| -> Option<String> {
        t.as_ref().map(|t| {
            if reveal {
                t.clone()
            } else {
                showing
                    .recall
                    .redact_text(redactor, t, path, masked)
                    .into_owned()
            }
        })
    };
    let error_class = recalled(&c.error_class, "error_class", &mut masked);
    let error_message = recalled(&c.error_message, "error_message", &mut masked);
    let mut decode_errors = Vec::new();
    let key_read = message
        .key
        .as_ref()
        .map(|k| (k, showing.decoder.decode(k, Part::Key, None)));
    let key_encoding = key_read.as_ref().map(|(_, o)| o.encoding);
    let key = key_read.map(|(k, o)| {
        note_error(&o, Part::Key, showing, &mut decode_errors, &mut masked);
        if !reveal && !redactor.allows("key") {
            masked.add("key");
            return Data::Text(MASK.to_string());
        }
        match (o.decoded, as_text(k)) {
            // A key that is JSON text stays text: it is usually an id, not a document.
            (Decoded::Structured(v), _) if o.encoding != "json" => {
                Data::Json(structured(v, "key", showing, &mut masked))
            }
            (_, Some(t)) if !reveal => {
                Data::Text(redactor.redact_text(t, "key", &mut masked).into_owned())
            }
            (_, Some(t)) => Data::Text(t.to_string()),
            (_, None) => Data::Bytes(k.clone()),
        }
    });

    let mut v = EntryView {
        id: r.id.to_string(),
        topic: r.topic.clone(),
        partition,
        offset,
        message_id,
        timestamp: r.timestamp,
        key,
        context: Context {
            error_class,
            error_message,
            stacktrace: None,
            ..c.clone()
        },
        size_bytes: r.size_bytes(),
        headers: Vec::new(),
        payload: None,
        redacted_fields: Vec::new(),
        key_encoding,
        payload_encoding: None,
        payload_schema: None,
        decode_errors: Vec::new(),
        headers_only: headers_only(entry),
        fingerprint: String::new(),
        root_cause: None,
        original: None,
    };
    // From the raw context: the same failure has the same id however it is shown.
    let failure = super::fingerprint::failure(c);
    v.fingerprint = failure.fingerprint.clone();
    if failure.wrapper.is_some() {
        v.root_cause = failure.error_class.clone();
    }
    if detail == Detail::Full {
        v.context.stacktrace = text(&c.stacktrace, "stacktrace", &mut masked);
        v.headers = r
            .headers
            .iter()
            .map(|h| HeaderView {
                name: h.name.clone(),
                value: h.value.as_ref().map(|val| {
                    // Allow-list mode keeps the convention's context headers visible (they say
                    // what failed and where), masking every other header not named.
                    let context = c.context_headers.contains(&h.name);
                    header_value(&h.name, val, context, showing, &mut masked)
                }),
            })
            .collect();
        v.original = match &entry.original {
            Some(Original::Fetched(o)) => Some(OriginalView::Fetched {
                topic: o.topic.clone(),
                partition: o.id.partition(),
                offset: o.id.offset(),
                timestamp: o.timestamp,
                headers: o
                    .headers
                    .iter()
                    .map(|h| HeaderView {
                        name: h.name.clone(),
                        value: h
                            .value
                            .as_ref()
                            .map(|val| header_value(&h.name, val, false, showing, &mut masked)),
                    })
                    .collect(),
            }),
            Some(Original::Missing(why)) => Some(OriginalView::Missing(why.clone())),
            None => None,
        };
        if let Some(p) = &message.payload {
            let o = showing
                .decoder
                .decode(p, Part::Payload, message.schema_version.as_deref());
            note_error(&o, Part::Payload, showing, &mut decode_errors, &mut masked);
            v.payload_encoding = Some(o.encoding);
            v.payload_schema = o.schema.clone();
            v.payload = Some(payload(p, o.decoded, showing, &mut masked));
        }
    }
    v.decode_errors = decode_errors;
    v.redacted_fields = masked.0;
    v
}

fn header_value(
    name: &str,
    value: &[u8],
    context: bool,
    showing: &Showing,
    masked: &mut Masked,
) -> Data {
    let path = format!("headers.{name}");
    let allowed = context || showing.redactor.allows(name);
    match as_text(value) {
        _ if showing.reveal => bytes_or_text(value),
        t if !allowed
            || showing.redactor.is_sensitive_name(name)
            || t.is_some_and(|t| showing.redactor.is_secret(name, t)) =>
        {
            masked.add(&path);
            Data::Text(MASK.to_string())
        }
        Some(t) => Data::Text(showing.redactor.redact_text(t, &path, masked).into_owned()),
        None => Data::Bytes(value.to_vec()),
    }
}

fn bytes_or_text(value: &[u8]) -> Data {
    match as_text(value) {
        Some(t) => Data::Text(t.to_string()),
        None => Data::Bytes(value.to_vec()),
    }
}

/// A decode failure, redacted like any text that may quote the data.
fn note_error(
    o: &Outcome,
    part: Part,
    showing: &Showing,
    errors: &mut Vec<String>,
    masked: &mut Masked,
) {
    if let Some(e) = &o.error {
        let path = format!("decode_errors.{}", part.name());
        let e = if showing.reveal {
            e.clone()
        } else {
            showing.redactor.redact_text(e, &path, masked).into_owned()
        };
        errors.push(format!("{}: {e}", part.name()));
    }
}

fn structured(mut value: Value, path: &str, showing: &Showing, masked: &mut Masked) -> Value {
    if !showing.reveal {
        showing.redactor.redact_json(&mut value, path, masked);
    }
    value
}

/// A payload as decoded: structured data redacted field by field, text by pattern, binary
/// summarised (or raw with `--reveal`).
fn payload(p: &[u8], decoded: Decoded, showing: &Showing, masked: &mut Masked) -> Data {
    match decoded {
        Decoded::Structured(value) => Data::Json(structured(value, "payload", showing, masked)),
        Decoded::Text(t) if showing.reveal => Data::Text(t),
        Decoded::Text(_) if !showing.redactor.allows("payload") => {
            masked.add("payload");
            Data::Text(MASK.to_string())
        }
        Decoded::Text(t) => Data::Text(
            showing
                .redactor
                .redact_text(&t, "payload", masked)
                .into_owned(),
        ),
        Decoded::Binary if showing.reveal => Data::Bytes(p.to_vec()),
        Decoded::Binary => Data::Binary {
            size: p.len() as u64,
            sha256: Sha256::digest(p)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            preview_hex: hex_preview(p, BINARY_PREVIEW_BYTES)
                .trim_end_matches('…')
                .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conventions::{explain, HeaderMap};
    use crate::domain::entry::{Header, Record};

    fn revealed() -> Showing {
        Showing {
            reveal: true,
            ..Showing::default()
        }
    }

    fn entry(payload: &[u8], headers: Vec<Header>, key: &[u8]) -> Entry {
        let record = Record {
            schema_version: None,
            topic: "orders.DLT".into(),
            id: EntryId::Kafka {
                partition: 1,
                offset: 5,
            },
            timestamp: None,
            key: Some(key.to_vec()),
            headers,
            payload: Some(payload.to_vec()),
        };
        {
            let context = explain(&record, &HeaderMap::default());
            Entry::new(record, context)
        }
    }

    #[test]
    fn redacted_by_default_and_listed() {
        let e = entry(
            br#"{"user":{"email":"ann@example.com"},"amount":3}"#,
            vec![
                Header::new("Authorization", "Basic dXNlcjpwYXNz"),
                Header::new(
                    "kafka_dlt-exception-message",
                    "could not charge 4111 1111 1111 1111",
                ),
                Header::new("kafka_dlt-original-partition", 3i32.to_be_bytes()),
            ],
            b"ann@example.com",
        );
        let v = view(&e, Detail::Full, &Showing::default());
        assert_eq!(v.key, Some(Data::Text("[REDACTED:email]".into())));
        let Some(Data::Json(p)) = &v.payload else {
            panic!("json payload")
        };
        assert_eq!(p["user"]["email"], MASK);
        assert_eq!(p["amount"], 3);
        assert_eq!(v.headers[0].value, Some(Data::Text(MASK.into())));
        assert_eq!(
            v.context.error_message.as_deref(),
            Some("could not charge [REDACTED:card-number]")
        );
        assert_eq!(
            v.headers[2].value,
            Some(Data::Bytes(3i32.to_be_bytes().to_vec()))
        );
        assert_eq!(
            v.redacted_fields,
            vec![
                "error_message",
                "key",
                "headers.Authorization",
                "headers.kafka_dlt-exception-message",
                "payload.user.email"
            ]
        );
    }

    #[test]
    fn reveal_shows_raw_data() {
        let e = entry(
            br#"{"password":"hunter2"}"#,
            vec![Header::new("token", "t0k")],
            b"k",
        );
        let v = view(&e, Detail::Full, &revealed());
        let Some(Data::Json(p)) = &v.payload else {
            panic!()
        };
        assert_eq!(p["password"], "hunter2");
        assert_eq!(v.headers[0].value, Some(Data::Text("t0k".into())));
        assert!(v.redacted_fields.is_empty());
    }

    #[test]
    fn binary_payload_is_summarised_not_shown() {
        let data: Vec<u8> = (0..=255u8).cycle().take(300).map(|b| b ^ 0x80).collect();
        let v = view(
            &entry(&data, vec![], b"k"),
            Detail::Full,
            &Showing::default(),
        );
        let Some(Data::Binary {
            size,
            sha256,
            preview_hex,
        }) = v.payload
        else {
            panic!("{:?}", v.payload)
        };
        assert_eq!(size, 300);
        assert_eq!(sha256.len(), 64);
        assert_eq!(preview_hex.len(), 2 * BINARY_PREVIEW_BYTES);
        let v = view(&entry(&data, vec![], b"k"), Detail::Full, &revealed());
        assert_eq!(v.payload, Some(Data::Bytes(data)));
    }

    #[test]
    fn text_payload_patterns_are_masked() {
        let v = view(
            &entry(b"contact bob@corp.example now", vec![], b"k"),
            Detail::Full,
            &Showing::default(),
        );
        assert_eq!(
            v.payload,
            Some(Data::Text("contact [REDACTED:email] now".into()))
        );
        assert_eq!(v.redacted_fields, vec!["payload"]);
    }

    #[test]
    fn summary_skips_payload_and_headers() {
        let v = view(
            &entry(b"{}", vec![Header::new("a", "b")], b"k"),
            Detail::Summary,
            &Showing::default(),
        );
        assert!(v.headers.is_empty() && v.payload.is_none());
        assert_eq!(v.size_bytes, 2);
        assert_eq!(
            (v.partition, v.offset, v.message_id.as_deref()),
            (Some(1), Some(5), None)
        );
    }
}
