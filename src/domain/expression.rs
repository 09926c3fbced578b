//! `--where EXPR`: a Common Expression Language (CEL) filter over one entry, the way Kafbat UI
//! and Conduktor filter messages. The expression sees raw values (what is printed stays
//! redacted):
//!
//! - `payload`: the payload decoded (JSON, or Avro with `--value-schema`), else its text;
//! - `key`: the key as text; `headers`: name → value as text (the last one of a repeated name),
//!   `headers_all`: name → every value;
//! - the context: `error_class`, `error_message`, `origin_topic`, `origin_partition`,
//!   `origin_offset`, `retry_count`, `consumer_group`, `timestamp` (RFC 3339, UTC: it compares
//!   as text), `fingerprint`, `partition` (the DLQ's), `convention`.
//!
//! Only what the expression names is built. An expression that cannot be evaluated on an entry
//! (a missing field, a type that does not fit) does not select it; such entries are counted, and
//! the command's summary says how many.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use cel::objects::{Key, Map};
use cel::{Context as CelContext, Program, Value};

use super::decode::{Decoded, Decoder, Part};
use super::entry::Entry;

/// The variables an expression may name.
pub(crate) const VARIABLES: [&str; 15] = [
    "payload",
    "key",
    "headers",
    "headers_all",
    "error_class",
    "error_message",
    "origin_topic",
    "origin_partition",
    "origin_offset",
    "retry_count",
    "consumer_group",
    "timestamp",
    "fingerprint",
    "partition",
    "convention",
];

/// CEL's standard functions, built once (a context of its own per entry would rebuild them).
static STDLIB: LazyLock<Arc<cel::Env>> = LazyLock::new(|| Arc::new(cel::Env::stdlib()));

/// A compiled `--where`.
#[derive(Clone)]
pub(crate) struct Where {
    source: String,
    program: Arc<Program>,
    /// The variables the expression names: only these are built for an entry.
    names: Vec<&'static str>,
    /// The payload's top-level fields the expression reads, where it reads the payload only as
    /// `payload.NAME` or `payload["NAME"]`: a JSON payload then has only these materialised.
    payload_fields: Option<Vec<String>>,
    /// Shared by the clones of this value: what it learns (registry and topic schemas) serves
    /// them all.
    decoder: Arc<Mutex<Decoder>>,
    failures: Arc<AtomicU64>,
    first_failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Where {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Where")
            .field("source", &self.source)
            .finish()
    }
}

impl Where {
    /// Compiles `source`; the error says where it is wrong (line:column and a caret), or which
    /// name it does not know.
    pub(crate) fn compile(source: &str, decoder: Decoder) -> Result<Where, String> {
        let program = Program::compile(source).map_err(|e| {
            format!(
                "--where: {}",
                e.to_string().replace("ERROR: <input>:", "at line:column ")
            )
        })?;
        let referenced: Vec<String> = program
            .references()
            .variables()
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut names = Vec::new();
        for name in &referenced {
            match VARIABLES.iter().find(|v| **v == name.as_str()) {
                Some(v) => names.push(*v),
                None => {
                    let column = source.find(name.as_str()).map_or(0, |i| i + 1);
                    return Err(format!(
                        "--where: unknown name '{name}' at column {column}\n| {source}\n| {:.>column$}\n(names: {})",
                        "^",
                        VARIABLES.join(", ")
                    ));
                }
            }
        }
        type_check(&program, &names)?;
        Ok(Where {
            source: source.to_string(),
            program: Arc::new(program),
            payload_fields: payload_fields(source),
            names,
            decoder: Arc::new(Mutex::new(decoder)),
            failures: Arc::default(),
            first_failure: Arc::default(),
        })
    }

    /// The same expression, reading payloads with `decoder`.
    pub(crate) fn recompiled_with(&self, decoder: Decoder) -> Result<Where, String> {
        Where::compile(&self.source, decoder)
    }

    /// The payload of `record` needs a schema the decoder has not learned yet (a registry id, a
    /// Pulsar topic schema): fetch it (`decoder`, then `learned`) before `matches`.
    pub(crate) fn wants_schema(&self, record: &super::entry::Record) -> bool {
        self.names.contains(&"payload")
            && record.payload.as_deref().is_some_and(|p| {
                self.decoder
                    .lock()
                    .expect("where decoder")
                    .wants(p, record.schema_version.as_deref())
                    .is_some()
            })
    }

    /// A copy of the decoder, to teach it a schema.
    pub(crate) fn decoder(&self) -> Decoder {
        self.decoder.lock().expect("where decoder").clone()
    }

    /// The decoder, having learned what it wanted.
    pub(crate) fn learned(&self, decoder: Decoder) {
        *self.decoder.lock().expect("where decoder") = decoder;
    }

    /// Whether the expression is true for `entry`; an expression that fails on it (or is not a
    /// boolean) is false, and counted.
    pub(crate) fn matches(&self, entry: &Entry) -> bool {
        let mut ctx = CelContext::with_env(STDLIB.clone());
        for name in &self.names {
            ctx.add_variable_from_value(*name, self.variable(name, entry));
        }
        let why = match self.program.execute(&ctx) {
            Ok(Value::Bool(b)) => return b,
            Ok(other) => format!(
                "the expression gave {} where true or false was needed",
                type_name(&other)
            ),
            Err(e) => e.to_string(),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_failure.lock().expect("where lock");
        if first.is_none() {
            *first = Some(format!("{} ({why})", entry.record.id));
        }
        false
    }

    /// Entries the expression could not be evaluated on, and the first of them with why.
    pub(crate) fn failures(&self) -> (u64, Option<String>) {
        (
            self.failures.load(Ordering::Relaxed),
            self.first_failure.lock().expect("where lock").clone(),
        )
    }

    /// Whether the expression reads the message itself (its payload, key or headers).
    pub(crate) fn reads_the_message(&self) -> bool {
        self.names
            .iter()
            .any(|n| ["payload", "key", "headers", "headers_all"].contains(n))
    }

    fn variable(&self, name: &str, entry: &Entry) -> Value {
        let c = &entry.context;
        let message = entry.message();
        let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::from);
        match name {
            "payload" => match &message.payload {
                None => Value::Null,
                Some(p) if self.plain_json() && self.payload_fields.is_some() => {
                    let fields = self.payload_fields.as_deref().unwrap_or_default();
                    match fields_of(p, fields) {
                        Some(map) => json(&serde_json::Value::Object(map)),
                        None => self.decoded(p, message),
                    }
                }
                Some(p) => self.decoded(p, message),
            },
            "key" => message.key.as_ref().map_or(Value::Null, |k| {
                Value::from(String::from_utf8_lossy(k).into_owned())
            }),
            "headers" | "headers_all" => {
                let mut all: HashMap<Key, Vec<Value>> = HashMap::new();
                for h in &message.headers {
                    let v = h.value.as_ref().map_or(Value::Null, |v| {
                        Value::from(String::from_utf8_lossy(v).into_owned())
                    });
                    all.entry(Key::String(Arc::new(h.name.clone())))
                        .or_default()
                        .push(v);
                }
                let map: HashMap<Key, Value> = all
                    .into_iter()
                    .map(|(k, mut vs)| {
                        let v = if name == "headers" {
                            vs.pop().unwrap_or(Value::Null)
                        } else {
                            Value::List(Arc::new(vs))
                        };
                        (k, v)
                    })
                    .collect();
                Value::Map(Map { map: Arc::new(map) })
            }
            "error_class" => text(&c.error_class),
            "error_message" => text(&c.error_message),
            "origin_topic" => text(&c.origin_topic),
            "consumer_group" => text(&c.consumer_group),
            "convention" => text(&c.convention),
            "origin_partition" => c
                .origin_partition
                .map_or(Value::Null, |p| Value::Int(p.into())),
            "origin_offset" => c.origin_offset.map_or(Value::Null, Value::Int),
            "retry_count" => c.retry_count.map_or(Value::Null, Value::Int),
            "partition" => entry
                .record
                .id
                .partition()
                .map_or(Value::Null, |p| Value::Int(p.into())),
            "timestamp" => entry
                .record
                .timestamp
                .map_or(Value::Null, |t| Value::from(t.to_string())),
            "fingerprint" => Value::from(super::fingerprint::fingerprint(c)),
            _ => Value::Null,
        }
    }
}

impl Where {
    /// Payloads are read as JSON when they are (no schema, no registry).
    fn plain_json(&self) -> bool {
        use super::decode::Mode;
        let d = self.decoder.lock().expect("where decoder");
        matches!(d.mode, Mode::Auto | Mode::Json) && d.value_schema.is_none() && !d.registry
    }

    fn decoded(&self, p: &[u8], message: &super::entry::Record) -> Value {
        let o = self.decoder.lock().expect("where decoder").decode(
            p,
            Part::Payload,
            message.schema_version.as_deref(),
        );
        match o.decoded {
            Decoded::Structured(v) => json(&v),
            Decoded::Text(t) => Value::from(t),
            Decoded::Binary => Value::Bytes(Arc::new(p.to_vec())),
        }
    }
}

/// Evaluates the expression once on a probe entry whose names hold values of their types (text,
/// numbers, an empty payload, no headers): an error only a type mismatch gives (comparing text
/// with a number, a function on the wrong type) or a result that is not true or false is a usage
/// error now rather than every entry skipped later. Errors that depend on the data (a missing
/// field) pass; a branch the probe does not take is not checked.
fn type_check(program: &Program, names: &[&'static str]) -> Result<(), String> {
    use cel::ExecutionError as E;
    let mut ctx = CelContext::with_env(STDLIB.clone());
    for name in names {
        let probe = match *name {
            "payload" | "headers" | "headers_all" => Value::Map(Map {
                map: Arc::new(HashMap::new()),
            }),
            "origin_partition" | "origin_offset" | "retry_count" | "partition" => Value::Int(0),
            "timestamp" => Value::from("1970-01-01T00:00:00Z"),
            "fingerprint" => Value::from("00000000"),
            _ => Value::from(""),
        };
        ctx.add_variable_from_value(*name, probe);
    }
    let why = match program.execute(&ctx) {
        Ok(Value::Bool(_)) => return Ok(()),
        Ok(other) => format!(
            "it gives {} where true or false is needed",
            type_name(&other)
        ),
        Err(
            e @ (E::ValuesNotComparable(..)
            | E::UnsupportedBinaryOperator(..)
            | E::NoSuchOverload(..)
            | E::UnexpectedType { .. }
            | E::NotSupportedAsMethod { .. }
            | E::UnsupportedTargetType { .. }
            | E::InvalidArgumentCount { .. }),
        ) => e.to_string(),
        Err(_) => return Ok(()),
    };
    Err(format!("--where: a type error: {why}"))
}

/// The top-level payload fields an expression reads, when it reads the payload only through
/// them (`payload.NAME…`, `payload["NAME"]…`); `None` when it uses the payload otherwise.
fn payload_fields(source: &str) -> Option<Vec<String>> {
    static WORD: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\bpayload\b").unwrap());
    static FIELD: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"^payload\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*"([^"\\]*)"\s*\]|\[\s*'([^'\\]*)'\s*\])"#,
        )
        .unwrap()
    });
    let mut fields = Vec::new();
    for m in WORD.find_iter(source) {
        let c = FIELD.captures(&source[m.start()..])?;
        let name = c.get(1).or(c.get(2)).or(c.get(3))?.as_str().to_string();
        if !fields.contains(&name) {
            fields.push(name);
        }
    }
    Some(fields)
}

/// The named fields of a JSON object payload, the rest skipped without being built; `None` when
/// the payload is not a JSON object.
fn fields_of(
    payload: &[u8],
    wanted: &[String],
) -> Option<serde_json::Map<String, serde_json::Value>> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Fields<'a>(&'a [String]);
    impl<'de> Visitor<'de> for Fields<'_> {
        type Value = serde_json::Map<String, serde_json::Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.iter().any(|w| *w == key) {
                    let value: serde_json::Value = map.next_value()?;
                    out.insert(key.into_owned(), value);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(out)
        }
    }
    impl<'de> DeserializeSeed<'de> for Fields<'_> {
        type Value = serde_json::Map<String, serde_json::Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(payload);
    let map = Fields(wanted).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(map)
}

/// A JSON value as CEL's.
fn json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(json).collect())),
        serde_json::Value::Object(o) => Value::Map(Map {
            map: Arc::new(
                o.iter()
                    .map(|(k, v)| (Key::String(Arc::new(k.clone())), json(v)))
                    .collect(),
            ),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Null => "null",
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conventions::{explain, HeaderMap};
    use crate::domain::entry::{EntryId, Header, Record};

    fn entry(payload: &str, headers: Vec<Header>) -> Entry {
        let record = Record {
            schema_version: None,
            topic: "orders.DLT".into(),
            id: EntryId::Kafka {
                partition: 1,
                offset: 9,
            },
            timestamp: Some("2026-12-06T08:00:00Z".parse().unwrap()),
            key: Some(b"order-9".to_vec()),
            headers,
            payload: Some(payload.as_bytes().to_vec()),
        };
        let context = explain(&record, &HeaderMap::default());
        Entry::new(record, context)
    }

    fn spring(retries: i32) -> Vec<Header> {
        vec![
            Header::new("kafka_dlt-original-topic", "orders"),
            Header::new(
                "kafka_dlt-exception-fqcn",
                "java.lang.IllegalStateException",
            ),
            Header::new("retry_topic-attempts", retries.to_be_bytes()),
            Header::new("tenant", "acme"),
            Header::new("tenant", "globex"),
        ]
    }

    fn w(src: &str) -> Where {
        Where::compile(src, Decoder::default()).unwrap()
    }

    #[test]
    fn selects_on_a_nested_payload_field_a_header_and_the_retry_count() {
        let gold = entry(
            r#"{"customer": {"tier": "gold"}, "amount": 12.5}"#,
            spring(3),
        );
        let silver = entry(
            r#"{"customer": {"tier": "silver"}, "amount": 2}"#,
            spring(1),
        );
        let e = w(r#"payload.customer.tier == "gold""#);
        assert!(e.matches(&gold) && !e.matches(&silver));
        let e = w(r#"headers.tenant == "globex" && "acme" in headers_all.tenant"#);
        assert!(e.matches(&gold), "the last value, and every value");
        let e = w("retry_count >= 3 && origin_topic == 'orders' && partition == 1");
        assert!(e.matches(&gold) && !e.matches(&silver));
        let e = w(r#"key.startsWith("order-") && error_class.endsWith("IllegalStateException")"#);
        assert!(e.matches(&gold));
        let e = w(r#"timestamp >= "2026-12-01" && payload.amount > 10.0"#);
        assert!(e.matches(&gold) && !e.matches(&silver));
        assert_eq!(e.failures().0, 0);
    }

    #[test]
    fn an_entry_the_expression_fails_on_is_not_selected_and_counted() {
        let e = w("payload.customer.tier == 'gold'");
        let no_customer = entry(r#"{"amount": 1}"#, spring(1));
        let not_json = entry("not json", vec![]);
        assert!(!e.matches(&no_customer));
        assert!(!e.matches(&not_json));
        let (n, first) = e.failures();
        assert_eq!(n, 2);
        assert!(first.unwrap().starts_with("1:9 ("));
        // Not a boolean where the data decides: counted too.
        let e = w("payload.amount");
        assert!(!e.matches(&entry(r#"{"amount": 1}"#, spring(1))));
        assert_eq!(e.failures().0, 1);
    }

    #[test]
    fn syntax_errors_and_unknown_names_point_at_their_place() {
        let err = Where::compile("retry_count >", Decoder::default()).unwrap_err();
        assert!(err.starts_with("--where: at line:column 1:"), "{err}");
        let err = Where::compile("retry_cuont > 2", Decoder::default()).unwrap_err();
        assert!(
            err.contains("unknown name 'retry_cuont' at column 1"),
            "{err}"
        );
        assert!(err.contains("names: payload, key"), "{err}");
        for bad in [
            "retry_count > \"three\"",
            "size(retry_count) > 1",
            "error_class + 1 == 2",
            "retry_count",
        ] {
            let err = Where::compile(bad, Decoder::default()).unwrap_err();
            assert!(err.starts_with("--where: a type error"), "{bad}: {err}");
        }
        // What only the data can decide passes.
        for fine in [
            "payload.customer.tier == 'gold'",
            "headers.tenant == 'acme'",
            "has(payload.x)",
        ] {
            Where::compile(fine, Decoder::default()).unwrap();
        }
    }

    #[test]
    fn a_payload_read_through_its_fields_materialises_only_those() {
        assert_eq!(
            payload_fields(
                r#"payload.customer.tier == "gold" && payload["amount"] > 1 && has(payload.lines)"#
            ),
            Some(vec!["customer".into(), "amount".into(), "lines".into()])
        );
        assert_eq!(
            payload_fields("size(payload) > 2"),
            None,
            "the whole payload"
        );
        assert_eq!(payload_fields("retry_count > 2"), Some(vec![]));
        let map = fields_of(
            br#"{"a": {"b": [1, 2]}, "big": {"x": "yyyy"}, "c": 3}"#,
            &["a".into(), "c".into()],
        )
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(map),
            serde_json::json!({"a": {"b": [1, 2]}, "c": 3})
        );
        assert!(fields_of(b"[1]", &[]).is_none());
        assert!(fields_of(b"not json", &[]).is_none());
        // The same answers as with the whole payload.
        let e = entry(
            r#"{"customer": {"tier": "gold"}, "amount": 12.5, "notes": "long"}"#,
            spring(3),
        );
        assert!(w(r#"payload.customer.tier == "gold" && payload["amount"] > 10.0"#).matches(&e));
        assert!(w("size(payload) == 3").matches(&e));
    }

    #[test]
    fn only_the_message_s_names_make_a_scan_fetch_originals() {
        assert!(w("payload.x == 1").reads_the_message());
        assert!(w("headers.a == 'b'").reads_the_message());
        assert!(!w("retry_count > 1").reads_the_message());
    }
}
