//! How real systems mark a dead letter, and how `dlq` reads it back.
//!
//! Each header convention is a table row: the header prefix that identifies it and which header
//! holds which field, with how its value is encoded. The JSON envelope convention reads the
//! payload instead. `--header-map FIELD=HEADER` adds user mappings on top. Where a value is
//! missing or malformed the field stays unknown and a note says why: nothing is guessed.
//! (shared/DLQ-CONVENTIONS.md lists the producers and the code each was read from.)

use jiff::Timestamp;
use serde_json::Value;

use super::entry::Record;

pub(crate) use super::entry::Context;

/// A context field a header can fill; also the left side of `--header-map FIELD=HEADER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    OriginTopic,
    OriginPartition,
    OriginOffset,
    OriginMessageId,
    ErrorClass,
    ErrorMessage,
    Stacktrace,
    RetryCount,
    ConsumerGroup,
    FailedAt,
}

impl Field {
    pub(crate) const ALL: [(&'static str, Field); 10] = [
        ("origin_topic", Field::OriginTopic),
        ("origin_partition", Field::OriginPartition),
        ("origin_offset", Field::OriginOffset),
        ("origin_message_id", Field::OriginMessageId),
        ("error_class", Field::ErrorClass),
        ("error_message", Field::ErrorMessage),
        ("stacktrace", Field::Stacktrace),
        ("retry_count", Field::RetryCount),
        ("consumer_group", Field::ConsumerGroup),
        ("failed_at", Field::FailedAt),
    ];

    fn default_encoding(self) -> Enc {
        match self {
            Field::OriginPartition | Field::OriginOffset | Field::RetryCount => Enc::Number,
            Field::FailedAt => Enc::Time,
            _ => Enc::Text,
        }
    }
}

impl std::str::FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Field::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<_> = Field::ALL.iter().map(|(n, _)| *n).collect();
                format!("unknown field '{s}' (one of: {})", names.join(", "))
            })
    }
}

/// How a header value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    /// UTF-8 text.
    Text,
    /// A number written as UTF-8 text.
    TextNumber,
    /// A number written as text, or as a 4- or 8-byte big-endian integer when not printable
    /// (Spring Kafka, Spring Cloud Stream; also what a `--header-map` number accepts).
    Number,
    /// RFC 3339 text or epoch milliseconds (text or 8-byte big-endian).
    Time,
}

struct HeaderConvention {
    name: &'static str,
    /// Any header starting with one of these marks a record as written by this convention.
    markers: &'static [&'static str],
    fields: &'static [(Field, &'static str, Enc)],
    /// Context headers the convention writes that map to no field (still removed on replay).
    extra: &'static [&'static str],
}

use Enc::*;
use Field::*;

/// In order of precedence: the first convention whose marker is present explains the entry.
static HEADER_CONVENTIONS: &[HeaderConvention] = &[
    // The broker itself (Apache Kafka 4.4+, KIP-1191): a share group's dead letters. All text;
    // without `errors.deadletterqueue.copy.record.enable` the record has no key and no value,
    // only where the original is (`points_to_original`).
    HeaderConvention {
        name: SHARE_GROUP,
        markers: &["__dlq.errors."],
        fields: &[
            (OriginTopic, "__dlq.errors.topic", Text),
            (OriginPartition, "__dlq.errors.partition", TextNumber),
            (OriginOffset, "__dlq.errors.offset", TextNumber),
            (ConsumerGroup, "__dlq.errors.group", Text),
            (RetryCount, "__dlq.errors.delivery.count", TextNumber),
            (ErrorMessage, "__dlq.errors.message", Text),
        ],
        extra: &[],
    },
    HeaderConvention {
        name: "kafka-connect",
        markers: &["__connect.errors."],
        fields: &[
            (OriginTopic, "__connect.errors.topic", Text),
            (OriginPartition, "__connect.errors.partition", TextNumber),
            (OriginOffset, "__connect.errors.offset", TextNumber),
            (ErrorClass, "__connect.errors.exception.class.name", Text),
            (ErrorMessage, "__connect.errors.exception.message", Text),
            (Stacktrace, "__connect.errors.exception.stacktrace", Text),
        ],
        extra: &[
            "__connect.errors.connector.name",
            "__connect.errors.task.id",
            "__connect.errors.stage",
            "__connect.errors.class.name",
        ],
    },
    HeaderConvention {
        name: "kafka-streams",
        markers: &["__streams.errors."],
        fields: &[
            (OriginTopic, "__streams.errors.topic", Text),
            (OriginPartition, "__streams.errors.partition", TextNumber),
            (OriginOffset, "__streams.errors.offset", TextNumber),
            (ErrorClass, "__streams.errors.exception", Text),
            (ErrorMessage, "__streams.errors.message", Text),
            (Stacktrace, "__streams.errors.stacktrace", Text),
        ],
        extra: &[],
    },
    HeaderConvention {
        name: "spring-kafka",
        markers: &["kafka_dlt-"],
        fields: &[
            (OriginTopic, "kafka_dlt-original-topic", Text),
            (OriginPartition, "kafka_dlt-original-partition", Number),
            (OriginOffset, "kafka_dlt-original-offset", Number),
            (ConsumerGroup, "kafka_dlt-original-consumer-group", Text),
            (ErrorClass, "kafka_dlt-exception-fqcn", Text),
            (ErrorMessage, "kafka_dlt-exception-message", Text),
            (Stacktrace, "kafka_dlt-exception-stacktrace", Text),
            // A key deserialisation failure writes the key-exception twins instead.
            (ErrorClass, "kafka_dlt-key-exception-fqcn", Text),
            (ErrorMessage, "kafka_dlt-key-exception-message", Text),
            (Stacktrace, "kafka_dlt-key-exception-stacktrace", Text),
            (RetryCount, "retry_topic-attempts", Number),
        ],
        extra: &[
            "kafka_dlt-original-timestamp",
            "kafka_dlt-original-timestamp-type",
            "kafka_dlt-exception-cause-fqcn",
            "kafka_dlt-key-exception-cause-fqcn",
            "retry_topic-backoff-timestamp",
            "retry_topic-original-timestamp",
        ],
    },
    HeaderConvention {
        name: "spring-cloud-stream",
        markers: &["x-original-topic", "x-exception-"],
        fields: &[
            (OriginTopic, "x-original-topic", Text),
            (OriginPartition, "x-original-partition", Number),
            (OriginOffset, "x-original-offset", Number),
            (ErrorClass, "x-exception-fqcn", Text),
            (ErrorMessage, "x-exception-message", Text),
            (Stacktrace, "x-exception-stacktrace", Text),
        ],
        extra: &["x-original-timestamp", "x-original-timestamp-type"],
    },
    HeaderConvention {
        name: "smallrye",
        markers: &["dead-letter-"],
        fields: &[
            (OriginTopic, "dead-letter-topic", Text),
            (OriginPartition, "dead-letter-partition", TextNumber),
            (OriginOffset, "dead-letter-offset", TextNumber),
            (ErrorClass, "dead-letter-exception-class-name", Text),
            (ErrorMessage, "dead-letter-reason", Text),
        ],
        extra: &["dead-letter-cause", "dead-letter-cause-class-name"],
    },
    HeaderConvention {
        name: "karafka",
        markers: &["source_topic", "source_offset"],
        fields: &[
            (OriginTopic, "source_topic", Text),
            (OriginPartition, "source_partition", TextNumber),
            (OriginOffset, "source_offset", TextNumber),
            (ConsumerGroup, "source_consumer_group", Text),
            (RetryCount, "source_attempts", TextNumber),
        ],
        extra: &["source_trace_id"],
    },
    HeaderConvention {
        name: "watermill",
        markers: &["reason_poisoned", "topic_poisoned"],
        fields: &[
            (OriginTopic, "topic_poisoned", Text),
            (ErrorMessage, "reason_poisoned", Text),
        ],
        extra: &["handler_poisoned", "subscriber_poisoned"],
    },
    HeaderConvention {
        name: "pulsar-client",
        markers: &["REAL_TOPIC", "ORIGIN_MESSAGE_ID", "RECONSUMETIMES"],
        fields: &[
            (OriginTopic, "REAL_TOPIC", Text),
            (OriginMessageId, "ORIGIN_MESSAGE_ID", Text),
            (RetryCount, "RECONSUMETIMES", TextNumber),
            // Pulsar 4.0's Java client names the subscription that gave up on the message.
            (ConsumerGroup, "REAL_SUBSCRIPTION", Text),
        ],
        extra: &["ORIGIN_MESSAGE_IDY_TIME", "DELAY_TIME"],
    },
];

/// User mappings from `--header-map FIELD=HEADER`, applied over whatever a convention found.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderMap {
    pub mappings: Vec<(Field, String)>,
}

impl HeaderMap {
    /// Parses one `FIELD=HEADER`.
    pub(crate) fn push_spec(&mut self, spec: &str) -> Result<(), String> {
        let (field, header) = spec
            .split_once('=')
            .ok_or_else(|| format!("--header-map takes FIELD=HEADER, got '{spec}'"))?;
        let header = header.trim();
        if header.is_empty() {
            return Err(format!("--header-map '{spec}' names no header"));
        }
        self.mappings
            .push((field.trim().parse()?, header.to_string()));
        Ok(())
    }
}

/// Explains a record: which convention wrote it and the context it carries.
pub(crate) fn explain(record: &Record, custom: &HeaderMap) -> Context {
    let mut ctx = Context::default();
    let header_convention = HEADER_CONVENTIONS.iter().find(|c| {
        record
            .headers
            .iter()
            .any(|h| c.markers.iter().any(|m| h.name.starts_with(m)))
    });
    if let Some(conv) = header_convention {
        ctx.convention = Some(conv.name.to_string());
        for (field, header, enc) in conv.fields {
            if field_is_set(&ctx, *field) {
                continue;
            }
            if let Some(h) = record.header(header) {
                apply(&mut ctx, *field, header, h.value.as_deref(), *enc);
                ctx.context_headers.push(header.to_string());
            }
        }
        for header in conv.extra {
            if record.header(header).is_some() {
                ctx.context_headers.push(header.to_string());
            }
        }
        // Headers under the convention's prefix we did not list are context too (e.g. newer
        // Connect versions add fields); only prefix markers are safe to generalise.
        for h in &record.headers {
            let prefixed = conv
                .markers
                .iter()
                .any(|m| m.ends_with(['.', '-']) && h.name.starts_with(m));
            if prefixed && !ctx.context_headers.contains(&h.name) {
                ctx.context_headers.push(h.name.clone());
            }
        }
        if conv.name == "pulsar-client" {
            pulsar_origin_partition(&mut ctx);
        }
        if conv.name == SHARE_GROUP {
            share_group_failure(&mut ctx, record);
        }
    } else if let Some(payload) = &record.payload {
        explain_envelope(payload, &mut ctx);
    }

    for (field, header) in &custom.mappings {
        if let Some(h) = record.header(header) {
            clear_field(&mut ctx, *field);
            apply(
                &mut ctx,
                *field,
                header,
                h.value.as_deref(),
                field.default_encoding(),
            );
            if !ctx.context_headers.contains(header) {
                ctx.context_headers.push(header.clone());
            }
            ctx.convention = Some(match ctx.convention.take() {
                Some(c) if !c.ends_with("+header-map") && c != "header-map" => {
                    format!("{c}+header-map")
                }
                Some(c) => c,
                None => "header-map".to_string(),
            });
        }
    }
    ctx
}

/// The convention of the dead letters Kafka's brokers write for a share group.
pub(crate) const SHARE_GROUP: &str = "kafka-share-group";

/// What a share group's broker says when a consumer rejected the record, and when its delivery
/// count reached the group's limit (`share.delivery.count.limit`); the failure kinds dlq gives
/// them as the error class.
const SHARE_GROUP_CAUSES: [(&str, &str); 2] = [
    ("Offset rejected by client.", "rejected"),
    (
        "Offset delivery count exceeded the threshold.",
        "delivery-limit",
    ),
];

/// A share group's dead letter: the failure kind as its error class, the time of the DLQ write
/// as the failure time, and a note where the origin is a topic id the broker could not name.
fn share_group_failure(ctx: &mut Context, record: &Record) {
    if let Some(message) = &ctx.error_message {
        let kind = SHARE_GROUP_CAUSES
            .iter()
            .find(|(said, _)| message.trim() == *said)
            .map(|(_, kind)| *kind);
        match kind {
            Some(kind) => ctx.error_class = Some(kind.to_string()),
            None => ctx.notes.push(format!(
                "unknown share-group failure '{}'",
                truncate(message, 80)
            )),
        }
    }
    ctx.failed_at = record.timestamp;
    if ctx.origin_topic.as_deref().is_some_and(is_topic_id) {
        ctx.notes.push(format!(
            "{TOPIC_ID_NOTE}: the broker could not name the topic when it wrote the dead letter"
        ));
    }
}

/// How a note about an origin given as a topic id starts.
pub(crate) const TOPIC_ID_NOTE: &str = "__dlq.errors.topic holds a topic id";

/// A Kafka topic id as the broker writes it where it has no name: 16 bytes in URL-safe base64
/// without padding (22 characters). A topic name can look the same; callers check the topic
/// exists before reading it as an id.
pub(crate) fn is_topic_id(s: &str) -> bool {
    s.len() == 22
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && s.bytes()
            .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
}

/// A dead letter that says where its original is rather than carrying it (a share group's):
/// commands that need the message fetch it from the origin.
pub(crate) fn points_to_original(ctx: &Context) -> bool {
    ctx.convention
        .as_deref()
        .is_some_and(|c| c.split('+').next() == Some(SHARE_GROUP))
}

/// The dead letter carries neither key nor payload: the message is only in the origin.
pub(crate) fn headers_only(entry: &super::entry::Entry) -> bool {
    points_to_original(&entry.context)
        && entry.record.key.as_deref().is_none_or(<[u8]>::is_empty)
        && entry.record.payload.as_deref().is_none_or(<[u8]>::is_empty)
}

/// The Java client's nack path names the partition's own topic in REAL_TOPIC
/// (`orders-partition-2`); the origin is the partitioned topic, and the partition is kept apart.
/// Where REAL_TOPIC is the base name (the retry path), ORIGIN_MESSAGE_ID still names the partition
/// (`ledger:entry:partition[:batch]`, or the C++ client's `(ledger,entry,partition,batch)`).
fn pulsar_origin_partition(ctx: &mut Context) {
    if let Some(topic) = &ctx.origin_topic {
        if let Some((base, n)) = topic.rsplit_once("-partition-") {
            if let Ok(n) = n.parse::<i32>() {
                ctx.origin_partition = Some(n);
                ctx.origin_topic = Some(base.to_string());
            }
        }
    }
    if ctx.origin_partition.is_none() {
        let partition = ctx
            .origin_message_id
            .as_deref()
            .and_then(|id| id.parse::<super::entry::PulsarMessageId>().ok())
            .map(|id| id.partition)
            .filter(|p| *p >= 0);
        ctx.origin_partition = partition;
    }
}

fn field_is_set(ctx: &Context, field: Field) -> bool {
    match field {
        OriginTopic => ctx.origin_topic.is_some(),
        OriginPartition => ctx.origin_partition.is_some(),
        OriginOffset => ctx.origin_offset.is_some(),
        OriginMessageId => ctx.origin_message_id.is_some(),
        ErrorClass => ctx.error_class.is_some(),
        ErrorMessage => ctx.error_message.is_some(),
        Stacktrace => ctx.stacktrace.is_some(),
        RetryCount => ctx.retry_count.is_some(),
        ConsumerGroup => ctx.consumer_group.is_some(),
        FailedAt => ctx.failed_at.is_some(),
    }
}

fn clear_field(ctx: &mut Context, field: Field) {
    match field {
        OriginTopic => ctx.origin_topic = None,
        OriginPartition => ctx.origin_partition = None,
        OriginOffset => ctx.origin_offset = None,
        OriginMessageId => ctx.origin_message_id = None,
        ErrorClass => ctx.error_class = None,
        ErrorMessage => ctx.error_message = None,
        Stacktrace => ctx.stacktrace = None,
        RetryCount => ctx.retry_count = None,
        ConsumerGroup => ctx.consumer_group = None,
        FailedAt => ctx.failed_at = None,
    }
}

/// Reads one header into one field; a value that cannot be read leaves the field unknown and
/// adds a note naming the header.
fn apply(ctx: &mut Context, field: Field, header: &str, value: Option<&[u8]>, enc: Enc) {
    let Some(value) = value else {
        ctx.notes.push(format!("header {header} has a null value"));
        return;
    };
    let result = match enc {
        Text => decode_text(value).map(Parsed::Text),
        TextNumber => decode_text(value)
            .and_then(|t| parse_text_number(&t))
            .map(Parsed::Number),
        Number => decode_number(value).map(Parsed::Number),
        Time => decode_time(value).map(Parsed::Time),
    };
    let parsed = match result {
        Ok(p) => p,
        Err(why) => {
            ctx.notes.push(format!("header {header}: {why}"));
            return;
        }
    };
    if let Err(why) = store(ctx, field, parsed) {
        ctx.notes.push(format!("header {header}: {why}"));
    }
}

enum Parsed {
    Text(String),
    Number(i64),
    Time(Timestamp),
}

fn store(ctx: &mut Context, field: Field, value: Parsed) -> Result<(), String> {
    let text = |v: Parsed| -> Result<String, String> {
        match v {
            Parsed::Text(t) => Ok(t),
            Parsed::Number(n) => Ok(n.to_string()),
            Parsed::Time(t) => Ok(t.to_string()),
        }
    };
    let number = |v: Parsed| match v {
        Parsed::Number(n) => Ok(n),
        Parsed::Text(t) => parse_text_number(&t),
        Parsed::Time(_) => Err("a time where a number was expected".to_string()),
    };
    match field {
        OriginTopic => ctx.origin_topic = Some(text(value)?),
        OriginMessageId => ctx.origin_message_id = Some(text(value)?),
        ErrorClass => ctx.error_class = Some(text(value)?),
        ErrorMessage => ctx.error_message = Some(text(value)?),
        Stacktrace => ctx.stacktrace = Some(text(value)?),
        ConsumerGroup => ctx.consumer_group = Some(text(value)?),
        OriginPartition => {
            let n = number(value)?;
            ctx.origin_partition =
                Some(i32::try_from(n).map_err(|_| format!("partition {n} is out of range"))?)
        }
        OriginOffset => ctx.origin_offset = Some(non_negative(number(value)?, "offset")?),
        RetryCount => ctx.retry_count = Some(non_negative(number(value)?, "retry count")?),
        FailedAt => {
            ctx.failed_at = Some(match value {
                Parsed::Time(t) => t,
                Parsed::Text(t) => decode_time(t.as_bytes())?,
                Parsed::Number(ms) => Timestamp::from_millisecond(ms).map_err(|e| e.to_string())?,
            })
        }
    }
    Ok(())
}

fn non_negative(n: i64, what: &str) -> Result<i64, String> {
    if n < 0 {
        Err(format!("negative {what} {n}"))
    } else {
        Ok(n)
    }
}

fn decode_text(value: &[u8]) -> Result<String, String> {
    std::str::from_utf8(value).map(str::to_string).map_err(|_| {
        format!(
            "not UTF-8 text ({} bytes: {})",
            value.len(),
            hex_preview(value, 16)
        )
    })
}

fn parse_text_number(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| format!("'{}' is not a number", truncate(text, 40)))
}

fn is_printable_ascii(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(|b| (0x20..0x7f).contains(b))
}

/// A number as Spring writes it: text when printable, else a 4- or 8-byte big-endian integer.
/// Anything else is reported (with its bytes in hex), never guessed.
pub(crate) fn decode_number(value: &[u8]) -> Result<i64, String> {
    if is_printable_ascii(value) {
        return parse_text_number(std::str::from_utf8(value).unwrap_or_default());
    }
    match value.len() {
        4 => Ok(i32::from_be_bytes(value.try_into().unwrap()) as i64),
        8 => Ok(i64::from_be_bytes(value.try_into().unwrap())),
        n => Err(format!(
            "neither text nor a 4- or 8-byte big-endian number ({n} bytes: {})",
            hex_preview(value, 16)
        )),
    }
}

/// RFC 3339 text, epoch milliseconds as text, or epoch milliseconds as an 8-byte big-endian long.
fn decode_time(value: &[u8]) -> Result<Timestamp, String> {
    if is_printable_ascii(value) {
        let text = std::str::from_utf8(value).unwrap_or_default().trim();
        if let Ok(ms) = text.parse::<i64>() {
            return Timestamp::from_millisecond(ms).map_err(|e| e.to_string());
        }
        return text
            .parse::<Timestamp>()
            .map_err(|_| format!("'{}' is not an RFC 3339 time", truncate(text, 40)));
    }
    if value.len() == 8 {
        let ms = i64::from_be_bytes(value.try_into().unwrap());
        return Timestamp::from_millisecond(ms).map_err(|e| e.to_string());
    }
    Err(format!(
        "not a time ({} bytes: {})",
        value.len(),
        hex_preview(value, 16)
    ))
}

pub(crate) fn hex_preview(value: &[u8], max: usize) -> String {
    let mut s: String = value.iter().take(max).map(|b| format!("{b:02x}")).collect();
    if value.len() > max {
        s.push('…');
    }
    s
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).chain(['…']).collect()
    }
}

/// The JSON envelope: the payload is an object carrying `original_event` and the failure.
/// Besides the documented fields it reads an explicit `original_topic`/`topic` when present.
fn explain_envelope(payload: &[u8], ctx: &mut Context) {
    let trimmed = payload.trim_ascii_start();
    if !trimmed.starts_with(b"{") {
        return;
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(payload) else {
        // Not JSON (or not an object): no envelope. Say so when it looked like one.
        if memchr_str(payload, b"\"original_event\"") {
            ctx.notes.push(
                "payload mentions original_event but is not valid JSON; no envelope read".into(),
            );
        }
        return;
    };
    if !obj.contains_key("original_event") {
        return;
    }
    ctx.convention = Some("json-envelope".to_string());
    let note = |ctx: &mut Context, key: &str, why: &str| {
        ctx.notes.push(format!("envelope field {key}: {why}"))
    };
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    for (key, v) in &obj {
        match key.as_str() {
            "error" => match v {
                Value::String(s) => ctx.error_message = Some(s.clone()),
                // Some producers nest the error: {"class": …, "message": …}.
                Value::Object(e) => {
                    ctx.error_class = e.get("class").or(e.get("type")).and_then(text);
                    ctx.error_message = e.get("message").and_then(text);
                }
                Value::Null => {}
                _ => note(ctx, key, "not a string"),
            },
            "error_class" | "exception_class" => ctx.error_class = text(v),
            "stack_trace" => ctx.stacktrace = text(v),
            "consumer_group" => ctx.consumer_group = text(v),
            "original_topic" | "topic" => ctx.origin_topic = text(v),
            "partition" | "offset" | "retry_count" => {
                let n = match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                let field = match key.as_str() {
                    "partition" => OriginPartition,
                    "offset" => OriginOffset,
                    _ => RetryCount,
                };
                match n {
                    Some(n) => {
                        if let Err(why) = store(ctx, field, Parsed::Number(n)) {
                            note(ctx, key, &why)
                        }
                    }
                    None if v.is_null() => {}
                    None => note(ctx, key, &format!("{v} is not a whole number")),
                }
            }
            "failed_at" => match v {
                Value::String(s) => match s.parse::<Timestamp>() {
                    Ok(t) => ctx.failed_at = Some(t),
                    Err(_) => note(
                        ctx,
                        key,
                        &format!("'{}' is not an RFC 3339 time", truncate(s, 40)),
                    ),
                },
                Value::Number(n) => match n.as_i64().map(Timestamp::from_millisecond) {
                    Some(Ok(t)) => ctx.failed_at = Some(t),
                    _ => note(ctx, key, "not epoch milliseconds"),
                },
                Value::Null => {}
                _ => note(ctx, key, "not a time"),
            },
            _ => {}
        }
    }
}

fn memchr_str(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{EntryId, Header};

    fn record(headers: Vec<Header>, payload: &[u8]) -> Record {
        Record {
            schema_version: None,
            topic: "orders.DLT".into(),
            id: EntryId::Kafka {
                partition: 0,
                offset: 7,
            },
            timestamp: None,
            key: None,
            headers,
            payload: Some(payload.to_vec()),
        }
    }

    fn h(name: &str, value: &[u8]) -> Header {
        Header::new(name, value)
    }

    fn explain_plain(r: &Record) -> Context {
        explain(r, &HeaderMap::default())
    }

    /// The headers Apache Kafka 4.4.0's broker wrote for a real `KafkaShareConsumer` (BROKERS.md).
    fn share_group_headers(message: &str, count: &str) -> Vec<Header> {
        vec![
            h("__dlq.errors.topic", b"orders"),
            h("__dlq.errors.partition", b"1"),
            h("__dlq.errors.offset", b"42"),
            h("__dlq.errors.group", b"billing"),
            h("__dlq.errors.delivery.count", count.as_bytes()),
            h("__dlq.errors.message", message.as_bytes()),
        ]
    }

    #[test]
    fn share_group_dead_letters_say_where_the_original_is_and_why() {
        let mut r = record(share_group_headers("Offset rejected by client.", "1"), b"");
        r.payload = None;
        r.timestamp = Some("2026-12-06T08:00:00Z".parse().unwrap());
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some(SHARE_GROUP));
        assert_eq!(c.origin_topic.as_deref(), Some("orders"));
        assert_eq!((c.origin_partition, c.origin_offset), (Some(1), Some(42)));
        assert_eq!(c.consumer_group.as_deref(), Some("billing"));
        assert_eq!(c.retry_count, Some(1));
        assert_eq!(c.error_class.as_deref(), Some("rejected"));
        assert_eq!(
            c.error_message.as_deref(),
            Some("Offset rejected by client.")
        );
        assert_eq!(
            c.failed_at, r.timestamp,
            "the DLQ write is the failure time"
        );
        assert_eq!(c.context_headers.len(), 6);
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        assert!(points_to_original(&c));
        assert!(headers_only(&crate::domain::entry::Entry::new(
            r.clone(),
            c
        )));

        let limit = explain_plain(&record(
            share_group_headers("Offset delivery count exceeded the threshold.", "2"),
            b"{}",
        ));
        assert_eq!(limit.error_class.as_deref(), Some("delivery-limit"));
        assert_eq!(limit.retry_count, Some(2));
        let copied = crate::domain::entry::Entry::new(
            record(
                share_group_headers("Offset rejected by client.", "1"),
                b"{}",
            ),
            limit.clone(),
        );
        assert!(
            !headers_only(&copied),
            "a copied dead letter holds the value"
        );

        let odd = explain_plain(&record(share_group_headers("Something new.", "3"), b""));
        assert_eq!(odd.error_class, None, "an unknown cause is not guessed");
        assert!(odd.notes[0].contains("unknown share-group failure"));
    }

    #[test]
    fn a_share_group_origin_given_as_a_topic_id_is_noted() {
        let mut headers = share_group_headers("Offset rejected by client.", "1");
        headers[0] = h("__dlq.errors.topic", b"kZ3x9Qb2TnWvY8aLmP0cRg");
        let c = explain_plain(&record(headers, b""));
        assert!(
            c.notes.iter().any(|n| n.contains("topic id")),
            "{:?}",
            c.notes
        );
        assert!(is_topic_id("kZ3x9Qb2TnWvY8aLmP0cRg"));
        assert!(!is_topic_id("orders"));
        assert!(
            !is_topic_id("orders-dead-letters-ab"),
            "22 characters, but a plain name"
        );
    }

    #[test]
    fn kafka_connect_headers_are_text() {
        let r = record(
            vec![
                h("traceparent", b"00-abc"),
                h("__connect.errors.topic", b"orders"),
                h("__connect.errors.partition", b"2"),
                h("__connect.errors.offset", b"1234"),
                h("__connect.errors.connector.name", b"jdbc-sink"),
                h(
                    "__connect.errors.exception.class.name",
                    b"org.apache.kafka.connect.errors.DataException",
                ),
                h(
                    "__connect.errors.exception.message",
                    b"Converting byte[] to Kafka Connect data failed",
                ),
                h(
                    "__connect.errors.exception.stacktrace",
                    b"org.apache...\n\tat ...",
                ),
            ],
            b"{}",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("kafka-connect"));
        assert_eq!(c.origin_topic.as_deref(), Some("orders"));
        assert_eq!(c.origin_partition, Some(2));
        assert_eq!(c.origin_offset, Some(1234));
        assert_eq!(
            c.error_class.as_deref(),
            Some("org.apache.kafka.connect.errors.DataException")
        );
        assert!(c.stacktrace.unwrap().contains("\tat"));
        assert_eq!(c.retry_count, None, "Connect writes no retry count");
        assert!(c
            .context_headers
            .contains(&"__connect.errors.connector.name".to_string()));
        assert!(!c.context_headers.contains(&"traceparent".to_string()));
        assert!(c.notes.is_empty());
    }

    #[test]
    fn kafka_connect_binary_partition_is_not_guessed() {
        let r = record(
            vec![
                h("__connect.errors.topic", b"orders"),
                h("__connect.errors.partition", &[0, 0, 0, 2]),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.origin_partition, None);
        assert!(
            c.notes[0].contains("__connect.errors.partition"),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn missing_headers_leave_their_fields_unknown_without_notes() {
        let r = record(
            vec![h("__connect.errors.exception.class.name", b"x.Y")],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("kafka-connect"));
        assert_eq!(c.error_class.as_deref(), Some("x.Y"));
        assert_eq!(
            (
                c.origin_topic,
                c.origin_partition,
                c.origin_offset,
                c.error_message
            ),
            (None, None, None, None)
        );
        assert!(c.notes.is_empty(), "absent is not malformed: {:?}", c.notes);
    }

    #[test]
    fn null_header_value_is_noted() {
        let r = record(
            vec![Header {
                name: "kafka_dlt-original-topic".into(),
                value: None,
            }],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.origin_topic, None);
        assert!(c.notes[0].contains("null"));
    }

    #[test]
    fn kafka_streams_headers() {
        let r = record(
            vec![
                h(
                    "__streams.errors.exception",
                    b"java.lang.IllegalStateException",
                ),
                h("__streams.errors.message", b"boom"),
                h("__streams.errors.topic", b"payments"),
                h("__streams.errors.partition", b"1"),
                h("__streams.errors.offset", b"99"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("kafka-streams"));
        assert_eq!(
            (
                c.origin_topic.as_deref(),
                c.origin_partition,
                c.origin_offset
            ),
            (Some("payments"), Some(1), Some(99))
        );
        assert_eq!(
            c.error_class.as_deref(),
            Some("java.lang.IllegalStateException")
        );
    }

    #[test]
    fn spring_kafka_binary_numbers_are_big_endian() {
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"orders"),
                h("kafka_dlt-original-partition", &3i32.to_be_bytes()),
                h("kafka_dlt-original-offset", &4_294_967_296i64.to_be_bytes()),
                h(
                    "kafka_dlt-original-timestamp",
                    &1_700_000_000_000i64.to_be_bytes(),
                ),
                h("kafka_dlt-original-consumer-group", b"order-service"),
                h(
                    "kafka_dlt-exception-fqcn",
                    b"org.springframework.kafka.listener.ListenerExecutionFailedException",
                ),
                h(
                    "kafka_dlt-exception-cause-fqcn",
                    b"java.lang.NumberFormatException",
                ),
                h(
                    "kafka_dlt-exception-message",
                    b"Listener failed; For input string: \"x\"",
                ),
                h("kafka_dlt-exception-stacktrace", b"trace"),
                h("retry_topic-attempts", &4i32.to_be_bytes()),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("spring-kafka"));
        assert_eq!(c.origin_partition, Some(3));
        assert_eq!(c.origin_offset, Some(4_294_967_296));
        assert_eq!(c.consumer_group.as_deref(), Some("order-service"));
        assert_eq!(c.retry_count, Some(4));
        assert!(c
            .context_headers
            .contains(&"kafka_dlt-original-timestamp".to_string()));
        assert!(c
            .context_headers
            .contains(&"retry_topic-attempts".to_string()));
        assert!(c.notes.is_empty(), "{:?}", c.notes);
    }

    #[test]
    fn spring_kafka_text_numbers_are_read_as_text() {
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"orders"),
                h("kafka_dlt-original-partition", b"12"),
                h("kafka_dlt-original-offset", b"12345678"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.origin_partition, Some(12));
        // Eight printable bytes: text, not a big-endian long.
        assert_eq!(c.origin_offset, Some(12_345_678));
    }

    #[test]
    fn spring_kafka_number_of_wrong_size_stays_unknown_with_a_note() {
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"orders"),
                h("kafka_dlt-original-partition", &[0, 0, 3]),
                h("kafka_dlt-original-offset", &[0, 0, 0, 0, 0, 0x10]),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.origin_topic.as_deref(), Some("orders"));
        assert_eq!(c.origin_partition, None);
        assert_eq!(c.origin_offset, None);
        assert_eq!(c.notes.len(), 2);
        assert!(c.notes[0].contains("000003"), "hex shown: {:?}", c.notes);
    }

    #[test]
    fn non_utf8_text_header_stays_unknown() {
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"ord\xffers"),
                h("kafka_dlt-exception-message", b"ok"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.origin_topic, None);
        assert_eq!(c.error_message.as_deref(), Some("ok"));
        assert!(c.notes[0].contains("not UTF-8"));
    }

    #[test]
    fn spring_key_exception_fills_error_when_value_exception_absent() {
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"orders"),
                h(
                    "kafka_dlt-key-exception-fqcn",
                    b"org.apache.kafka.common.errors.SerializationException",
                ),
                h("kafka_dlt-key-exception-message", b"bad key"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(
            c.error_class.as_deref(),
            Some("org.apache.kafka.common.errors.SerializationException")
        );
        assert_eq!(c.error_message.as_deref(), Some("bad key"));
    }

    #[test]
    fn spring_cloud_stream_headers() {
        let r = record(
            vec![
                h("x-original-topic", b"invoices"),
                h("x-original-partition", &0i32.to_be_bytes()),
                h("x-original-offset", &17i64.to_be_bytes()),
                h("x-exception-fqcn", b"java.lang.RuntimeException"),
                h("x-exception-message", b"no"),
                h("x-exception-stacktrace", b"st"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("spring-cloud-stream"));
        assert_eq!((c.origin_partition, c.origin_offset), (Some(0), Some(17)));
    }

    #[test]
    fn smallrye_headers() {
        let r = record(
            vec![
                h("dead-letter-reason", b"Validation failed"),
                h(
                    "dead-letter-exception-class-name",
                    b"jakarta.validation.ValidationException",
                ),
                h("dead-letter-topic", b"shipments"),
                h("dead-letter-partition", b"4"),
                h("dead-letter-offset", b"8"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("smallrye"));
        assert_eq!(c.error_message.as_deref(), Some("Validation failed"));
        assert_eq!(
            (
                c.origin_topic.as_deref(),
                c.origin_partition,
                c.origin_offset
            ),
            (Some("shipments"), Some(4), Some(8))
        );
    }

    #[test]
    fn karafka_headers() {
        let r = record(
            vec![
                h("source_topic", b"events"),
                h("source_partition", b"0"),
                h("source_offset", b"42"),
                h("source_consumer_group", b"app"),
                h("source_attempts", b"3"),
                h("source_trace_id", b"t-1"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("karafka"));
        assert_eq!(
            (c.retry_count, c.consumer_group.as_deref()),
            (Some(3), Some("app"))
        );
        assert_eq!(c.error_message, None);
    }

    #[test]
    fn karafka_non_numeric_attempts_is_noted() {
        let r = record(
            vec![h("source_topic", b"events"), h("source_attempts", b"three")],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.retry_count, None);
        assert!(c.notes[0].contains("source_attempts"));
    }

    #[test]
    fn watermill_headers() {
        let r = record(
            vec![
                h("reason_poisoned", b"max retries exceeded"),
                h("topic_poisoned", b"emails"),
                h("handler_poisoned", b"sender"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("watermill"));
        assert_eq!(
            (c.origin_topic.as_deref(), c.error_message.as_deref()),
            (Some("emails"), Some("max retries exceeded"))
        );
    }

    #[test]
    fn pulsar_client_properties() {
        let r = record(
            vec![
                h("REAL_TOPIC", b"persistent://public/default/orders"),
                h("ORIGIN_MESSAGE_ID", b"(0,2,-1,-1)"),
                h("app", b"kept"),
            ],
            b"x",
        );
        let c = explain_plain(&r);
        assert_eq!(c.convention.as_deref(), Some("pulsar-client"));
        assert_eq!(
            c.origin_topic.as_deref(),
            Some("persistent://public/default/orders")
        );
        assert_eq!(c.origin_message_id.as_deref(), Some("(0,2,-1,-1)"));
        assert_eq!(c.retry_count, None, "nack path writes no RECONSUMETIMES");
        assert_eq!(c.origin_partition, None, "partition -1: not partitioned");
        assert_eq!(c.context_headers, vec!["REAL_TOPIC", "ORIGIN_MESSAGE_ID"]);
    }

    #[test]
    fn pulsar_java_client_on_a_partitioned_topic_names_the_partition_apart() {
        // Nack path (Java client 4.0): REAL_TOPIC is the partition's own topic.
        let r = record(
            vec![
                h(
                    "REAL_TOPIC",
                    b"persistent://public/default/orders-partition-2",
                ),
                h("ORIGIN_MESSAGE_ID", b"14:0:2:0"),
                h("REAL_SUBSCRIPTION", b"billing"),
            ],
            b"x",
        );
        let c = explain_plain(&r);
        assert_eq!(
            (c.origin_topic.as_deref(), c.origin_partition),
            (Some("persistent://public/default/orders"), Some(2))
        );
        assert_eq!(c.consumer_group.as_deref(), Some("billing"));
        assert!(c.context_headers.contains(&"REAL_SUBSCRIPTION".to_string()));
        // Retry path: REAL_TOPIC is the base name, the message id names the partition.
        let r = record(
            vec![
                h("REAL_TOPIC", b"persistent://public/default/orders"),
                h("ORIGIN_MESSAGE_ID", b"205:0:1:0"),
                h("RECONSUMETIMES", b"2"),
            ],
            b"x",
        );
        let c = explain_plain(&r);
        assert_eq!(
            (c.origin_topic.as_deref(), c.origin_partition, c.retry_count),
            (Some("persistent://public/default/orders"), Some(1), Some(2))
        );
        // A topic whose own name holds "-partition-" but no number after it is left alone.
        let r = record(vec![h("REAL_TOPIC", b"t-partition-x")], b"x");
        assert_eq!(
            explain_plain(&r).origin_topic.as_deref(),
            Some("t-partition-x")
        );
    }

    #[test]
    fn pulsar_reconsume_path_has_a_retry_count() {
        let r = record(
            vec![
                h("REAL_TOPIC", b"t"),
                h("RECONSUMETIMES", b"16"),
                h("DELAY_TIME", b"1000"),
            ],
            b"",
        );
        let c = explain_plain(&r);
        assert_eq!(c.retry_count, Some(16));
        assert!(c.context_headers.contains(&"DELAY_TIME".to_string()));
    }

    #[test]
    fn json_envelope_in_payload() {
        let payload = br#"{"original_event":{"id":1},"error":"timeout calling billing","stack_trace":"at x","consumer_group":"billing","partition":5,"offset":77,"failed_at":"2026-11-21T10:42:00Z","retry_count":2,"original_topic":"billing"}"#;
        let c = explain_plain(&record(vec![], payload));
        assert_eq!(c.convention.as_deref(), Some("json-envelope"));
        assert_eq!(c.error_message.as_deref(), Some("timeout calling billing"));
        assert_eq!(
            (c.origin_partition, c.origin_offset, c.retry_count),
            (Some(5), Some(77), Some(2))
        );
        assert_eq!(c.failed_at.unwrap().to_string(), "2026-11-21T10:42:00Z");
        assert_eq!(c.origin_topic.as_deref(), Some("billing"));
        assert_eq!(c.consumer_group.as_deref(), Some("billing"));
    }

    #[test]
    fn envelope_that_is_not_json_is_no_envelope() {
        let c = explain_plain(&record(
            vec![],
            br#"{"original_event": {"id": 1}, "error": "x"#,
        ));
        assert_eq!(c.convention, None);
        assert_eq!(c.error_message, None);
        assert!(c.notes[0].contains("not valid JSON"));
    }

    #[test]
    fn envelope_with_wrong_types_keeps_what_it_can() {
        let payload = br#"{"original_event":"e","error":"bad","partition":"two","offset":-5,"failed_at":"yesterday","retry_count":1.5}"#;
        let c = explain_plain(&record(vec![], payload));
        assert_eq!(c.convention.as_deref(), Some("json-envelope"));
        assert_eq!(c.error_message.as_deref(), Some("bad"));
        assert_eq!(
            (
                c.origin_partition,
                c.origin_offset,
                c.retry_count,
                c.failed_at
            ),
            (None, None, None, None)
        );
        assert_eq!(c.notes.len(), 4, "{:?}", c.notes);
    }

    #[test]
    fn json_without_original_event_is_no_envelope() {
        let c = explain_plain(&record(vec![], br#"{"error":"x"}"#));
        assert_eq!(c, Context::default());
    }

    #[test]
    fn nothing_recognised_stays_unknown() {
        let c = explain_plain(&record(
            vec![h("content-type", b"application/json")],
            b"\x00\x01binary",
        ));
        assert_eq!(c, Context::default());
    }

    #[test]
    fn header_map_fills_custom_names_and_says_so() {
        let mut map = HeaderMap::default();
        map.push_spec("origin_topic=x-source").unwrap();
        map.push_spec("retry_count=x-tries").unwrap();
        map.push_spec("error_message=x-why").unwrap();
        let r = record(
            vec![
                h("x-source", b"ledger"),
                h("x-tries", &7i32.to_be_bytes()),
                h("x-why", b"nope"),
            ],
            b"",
        );
        let c = explain(&r, &map);
        assert_eq!(c.convention.as_deref(), Some("header-map"));
        assert_eq!(
            (
                c.origin_topic.as_deref(),
                c.retry_count,
                c.error_message.as_deref()
            ),
            (Some("ledger"), Some(7), Some("nope"))
        );
        assert_eq!(c.context_headers, vec!["x-source", "x-tries", "x-why"]);
    }

    #[test]
    fn header_map_overrides_a_convention() {
        let mut map = HeaderMap::default();
        map.push_spec("consumer_group=x-group").unwrap();
        let r = record(
            vec![
                h("kafka_dlt-original-topic", b"orders"),
                h("x-group", b"custom"),
            ],
            b"",
        );
        let c = explain(&r, &map);
        assert_eq!(c.convention.as_deref(), Some("spring-kafka+header-map"));
        assert_eq!(c.consumer_group.as_deref(), Some("custom"));
    }

    #[test]
    fn header_map_rejects_bad_specs() {
        let mut map = HeaderMap::default();
        assert!(map.push_spec("origin_topic").is_err());
        assert!(map
            .push_spec("colour=x")
            .unwrap_err()
            .contains("origin_topic"));
        assert!(map.push_spec("origin_topic=").is_err());
    }

    #[test]
    fn numbers_decode_by_the_documented_rule() {
        assert_eq!(decode_number(b"42"), Ok(42));
        assert_eq!(decode_number(&(-1i32).to_be_bytes()), Ok(-1));
        assert_eq!(decode_number(&(1i64 << 40).to_be_bytes()), Ok(1 << 40));
        assert!(decode_number(&[1, 2]).is_err());
        assert!(decode_number(b"").is_err());
    }
}
