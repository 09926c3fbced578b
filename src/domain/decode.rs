//! Decoding keys and payloads: JSON, Avro (a raw datum with a schema file, single-object
//! encoding, object container files, the schema-registry wire format) and Pulsar topic schemas.
//!
//! Pure: schemas come in already fetched (see [`Decoder::learn_registry`] and
//! [`Decoder::learn_topic_schema`]); the command asks the registry or the broker for what
//! [`Decoder::wants`] names. A payload that fails to decode is shown raw with the error: never a
//! crash, never a silent fallback.

use std::collections::HashMap;
use std::io::Read;

use apache_avro::headers::{HeaderBuilder, RabinFingerprintHeader};
use apache_avro::types::Value as Avro;
use apache_avro::Schema;
use base64::Engine as _;
use serde_json::Value;

/// What `--decode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// Registry wire format when the magic byte matches and a registry is configured, a Pulsar
    /// topic schema when the message names one, Avro when a schema file is given and the bytes
    /// decode with it, JSON when it parses, text when UTF-8, binary otherwise.
    #[default]
    Auto,
    Json,
    Avro,
    Text,
    Binary,
}

/// A key or a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Key,
    Payload,
}

impl Part {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Part::Key => "key",
            Part::Payload => "payload",
        }
    }
}

/// A schema a registry or a broker serves.
#[derive(Debug, Clone)]
pub(crate) enum Served {
    Avro(Box<Schema>),
    /// JSON; with the registry's JSON Schema when it holds one (Pulsar's JSON schemas are Avro
    /// definitions: `None`, and `TopicSchema` checks them).
    Json(Option<JsonSchema>),
    /// A kind dlq cannot decode (Protobuf, …): named in the error.
    Other(String),
}

/// A registry subject's JSON Schema, compiled once (the registry's own validation: draft from
/// `$schema`, remote references not fetched). One that does not compile still lets payloads be
/// read; checking a value against it is then an error naming why.
#[derive(Debug, Clone)]
pub(crate) struct JsonSchema(std::sync::Arc<Result<jsonschema::Validator, String>>);

impl JsonSchema {
    pub(crate) fn compile(text: &str) -> JsonSchema {
        let compiled = serde_json::from_str::<Value>(text)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|doc| jsonschema::validator_for(&doc).map_err(|e| e.to_string()));
        JsonSchema(std::sync::Arc::new(compiled))
    }

    /// `Ok` when `v` is valid; else its first violations, each with where it is.
    pub(crate) fn check(&self, v: &Value) -> Result<(), String> {
        let validator = self
            .0
            .as_ref()
            .as_ref()
            .map_err(|e| format!("the JSON schema cannot be used: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(v)
            .take(3)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}

/// A target topic's own schema, as the broker keeps it (Pulsar's topic schemas).
#[derive(Debug, Clone)]
pub(crate) enum TopicSchema {
    /// Messages are Avro datums of this schema.
    Avro(Box<Schema>),
    /// Messages are JSON text a consumer maps onto this record (Pulsar's JSON schema).
    JsonRecord(Box<Schema>),
    /// A kind dlq does not check (STRING, PROTOBUF, …).
    Other,
}

impl TopicSchema {
    /// Whether a consumer of the topic can read `payload`: an Avro datum of the latest schema
    /// that uses every byte; JSON text whose fields have the types the record gives them
    /// (fields it does not name are ignored and missing ones left to defaults, as Pulsar's JSON
    /// schema reader does).
    pub(crate) fn reads(&self, payload: &[u8]) -> Result<(), String> {
        limit_avro_allocations();
        match self {
            TopicSchema::Avro(schema) => {
                let mut data = payload;
                guarded(|| {
                    apache_avro::from_avro_datum(schema, &mut data, None)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })?;
                if data.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{} bytes left after the datum", data.len()))
                }
            }
            TopicSchema::JsonRecord(schema) => {
                let v: Value = serde_json::from_slice(payload).map_err(|e| {
                    format!("the topic's schema is JSON, and this payload is not: {e}")
                })?;
                super::reencode::fits(&v, schema)
            }
            TopicSchema::Other => Ok(()),
        }
    }
}

/// How bytes were read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decoded {
    /// A structured value (JSON, or Avro rendered as JSON).
    Structured(Value),
    Text(String),
    Binary,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub decoded: Decoded,
    /// `json`, `avro`, `avro-single-object`, `avro-container`, `avro-registry`,
    /// `pulsar-schema`, `text`, `binary`.
    pub encoding: &'static str,
    /// Where the schema came from (`registry id 7: com.acme.Order`, `order.avsc: …`).
    pub schema: Option<String>,
    /// Why the bytes could not be read as asked; they are then shown raw.
    pub error: Option<String>,
}

impl Outcome {
    fn plain(bytes: &[u8]) -> Outcome {
        match as_text(bytes) {
            Some(t) => Outcome::ok(Decoded::Text(t.to_string()), "text", None),
            None => Outcome::ok(Decoded::Binary, "binary", None),
        }
    }

    fn ok(decoded: Decoded, encoding: &'static str, schema: Option<String>) -> Outcome {
        Outcome {
            decoded,
            encoding,
            schema,
            error: None,
        }
    }

    /// The raw form of `bytes`, with the reason decoding as `encoding` failed.
    fn failed(bytes: &[u8], encoding: &'static str, error: String) -> Outcome {
        Outcome {
            error: Some(error),
            encoding,
            ..Outcome::plain(bytes)
        }
    }
}

/// Bytes shown as text: valid UTF-8 with no control characters other than tab, CR and LF.
pub(crate) fn as_text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    (!s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
    .then_some(s)
}

/// A schema from a file, with the name it is shown by.
#[derive(Debug, Clone)]
pub(crate) struct SchemaFile {
    pub label: String,
    pub schema: Schema,
    /// The single-object encoding headers of this schema (`C3 01` + Rabin fingerprint): the
    /// one the Avro specification gives, and apache-avro's where it differs (see
    /// [`canonical_fingerprint`]).
    headers: Vec<Vec<u8>>,
}

thread_local! {
    /// Set while apache-avro runs under [`guarded`]: its panics are turned into errors there,
    /// so the panic hook stays quiet about them.
    static IN_AVRO: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs apache-avro on untrusted input. apache-avro 0.21 panics on some inputs (it unwraps
/// the result of validating a nested record name, so a container file whose embedded schema
/// names a record `com.exam+le.X` ends the process: found by fuzzing); here such a panic
/// becomes an error, shown with the entry like any decode failure.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_AVRO.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_AVRO.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_AVRO.with(|c| c.set(was));
    result.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no reason given");
        Err(format!("the Avro library failed on this input: {why}"))
    })
}

/// An Avro schema from its JSON text.
pub(crate) fn parse_avro_schema(text: &str) -> Result<Schema, String> {
    guarded(|| Schema::parse_str(text).map_err(|e| e.to_string()))
}

impl SchemaFile {
    pub(crate) fn parse(label: &str, text: &str) -> Result<SchemaFile, String> {
        guarded(|| Self::parse_unguarded(label, text))
    }

    fn parse_unguarded(label: &str, text: &str) -> Result<SchemaFile, String> {
        let schema =
            Schema::parse_str(text).map_err(|e| format!("{label}: not an Avro schema: {e}"))?;
        let mut headers = vec![[SINGLE_OBJECT_MAGIC, &canonical_fingerprint(&schema)].concat()];
        let theirs = RabinFingerprintHeader::from_schema(&schema).build_header();
        if theirs != headers[0] {
            headers.push(theirs);
        }
        let label = match schema_name(&schema) {
            Some(n) => format!("{label}: {n}"),
            None => label.to_string(),
        };
        Ok(SchemaFile {
            label,
            schema,
            headers,
        })
    }
}

/// The CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form, little-endian, as the
/// specification, the Java library and fastavro compute it. apache-avro 0.21 writes a primitive
/// with a logical type as `{"type":"long"}` instead of `"long"` in the canonical form, so its
/// fingerprint differs for such schemas; the form is corrected here first.
pub(crate) fn canonical_fingerprint(schema: &Schema) -> [u8; 8] {
    fn simplify(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    if let Some(Value::String(t)) = m.get("type") {
                        *v = Value::String(t.clone());
                        return;
                    }
                }
                m.values_mut().for_each(simplify);
            }
            Value::Array(items) => items.iter_mut().for_each(simplify),
            _ => {}
        }
    }
    let form = schema.canonical_form();
    let form = match serde_json::from_str::<Value>(&form) {
        Ok(mut v) => {
            simplify(&mut v);
            v.to_string()
        }
        Err(_) => form,
    };
    rabin(form.as_bytes()).to_le_bytes()
}

/// CRC-64-AVRO (Rabin), as the Avro specification gives it.
fn rabin(data: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    let table: Vec<u64> = (0..256u64)
        .map(|i| (0..8).fold(i, |fp, _| (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg())))
        .collect();
    data.iter().fold(EMPTY, |fp, &b| {
        (fp >> 8) ^ table[((fp ^ u64::from(b)) & 0xff) as usize]
    })
}

fn schema_name(schema: &Schema) -> Option<String> {
    schema.name().map(|n| n.fullname(None))
}

/// The schema-registry wire format: magic byte 0, a 4-byte big-endian schema id, the data.
pub(crate) fn registry_id(bytes: &[u8]) -> Option<u32> {
    (bytes.len() >= 5 && bytes[0] == 0).then(|| u32::from_be_bytes(bytes[1..5].try_into().unwrap()))
}

/// The most one Avro string, bytes value or block count may claim. apache-avro reserves room for
/// a block's declared item count before reading the items, and its default limit (512 Mi items)
/// lets a hostile dead letter of a few bytes ask for tens of gigabytes (found by fuzzing,
/// `scripts/fuzz.sh decode`). Longer values are refused with a decode error and shown raw.
pub(crate) const MAX_AVRO_ALLOCATION: usize = 4 * 1024 * 1024;

fn limit_avro_allocations() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        apache_avro::util::max_allocation_bytes(MAX_AVRO_ALLOCATION);
    });
}

const OCF_MAGIC: &[u8] = b"Obj\x01";
const SINGLE_OBJECT_MAGIC: &[u8] = &[0xC3, 0x01];

/// What the command should fetch before decoding a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wanted {
    RegistryId(u32),
    TopicSchema(Vec<u8>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Decoder {
    pub mode: Mode,
    pub key_schema: Option<SchemaFile>,
    pub value_schema: Option<SchemaFile>,
    /// A schema registry is configured: the wire format is read with it.
    pub registry: bool,
    registry_schemas: HashMap<u32, Result<Served, String>>,
    topic_schemas: HashMap<Vec<u8>, Result<Served, String>>,
}

impl Decoder {
    /// What has to be fetched to decode this key or payload (at most one thing each).
    pub(crate) fn wants(&self, bytes: &[u8], schema_version: Option<&[u8]>) -> Option<Wanted> {
        if !matches!(self.mode, Mode::Auto | Mode::Avro) {
            return None;
        }
        if let Some(v) = schema_version.filter(|v| !v.is_empty()) {
            if !self.topic_schemas.contains_key(v) {
                return Some(Wanted::TopicSchema(v.to_vec()));
            }
            return None;
        }
        match registry_id(bytes) {
            Some(id) if self.registry && !self.registry_schemas.contains_key(&id) => {
                Some(Wanted::RegistryId(id))
            }
            _ => None,
        }
    }

    pub(crate) fn learn_registry(&mut self, id: u32, schema: Result<Served, String>) {
        self.registry_schemas.insert(id, schema);
    }

    pub(crate) fn learn_topic_schema(&mut self, version: Vec<u8>, schema: Result<Served, String>) {
        self.topic_schemas.insert(version, schema);
    }

    /// The schemas `other` learned that this decoder lacks (a run fetches each schema once,
    /// whichever of its decoders asked first).
    pub(crate) fn learn_from(&mut self, other: &Decoder) {
        for (id, s) in &other.registry_schemas {
            self.registry_schemas
                .entry(*id)
                .or_insert_with(|| s.clone());
        }
        for (v, s) in &other.topic_schemas {
            self.topic_schemas
                .entry(v.clone())
                .or_insert_with(|| s.clone());
        }
    }

    /// Reads a key or a payload. `schema_version` is the Pulsar message's, if it has one.
    pub(crate) fn decode(
        &self,
        bytes: &[u8],
        part: Part,
        schema_version: Option<&[u8]>,
    ) -> Outcome {
        limit_avro_allocations();
        let file = match part {
            Part::Key => self.key_schema.as_ref(),
            Part::Payload => self.value_schema.as_ref(),
        };
        // `--decode` is about payloads: a key is forced only with a key schema of its own.
        let mode = if part == Part::Key && file.is_none() {
            Mode::Auto
        } else {
            self.mode
        };
        match mode {
            Mode::Text => match std::str::from_utf8(bytes) {
                Ok(t) => Outcome::ok(Decoded::Text(t.to_string()), "text", None),
                Err(e) => Outcome::failed(bytes, "text", format!("not UTF-8: {e}")),
            },
            Mode::Binary => Outcome::ok(Decoded::Binary, "binary", None),
            Mode::Json => json(bytes).unwrap_or_else(|e| Outcome::failed(bytes, "json", e)),
            Mode::Avro => self
                .avro(bytes, file, schema_version)
                .unwrap_or_else(|| {
                    Outcome::failed(
                        bytes,
                        "avro",
                        format!(
                            "no Avro schema for the {}: give --{}-schema FILE.avsc or --schema-registry URL",
                            part.name(),
                            if part == Part::Key { "key" } else { "value" }
                        ),
                    )
                }),
            Mode::Auto => {
                if let Some(o) = self.avro(bytes, file, schema_version) {
                    return o;
                }
                // Only an object or an array is taken for JSON here: anything else (a key such
                // as `order-42`) is not parsed at all, rather than parsed and its error text
                // formatted and dropped for every entry of a scan.
                let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
                if !matches!(first, Some(b'{' | b'[')) {
                    return Outcome::plain(bytes);
                }
                json(bytes)
                    .ok()
                    .filter(|o| matches!(&o.decoded, Decoded::Structured(v) if v.is_object() || v.is_array()))
                    .unwrap_or_else(|| Outcome::plain(bytes))
            }
        }
    }

    /// `--patch`: the payload as the JSON value a patch works on, and how to write the patched
    /// value back the same way (the routes of `decode`, with the schema they found).
    pub(crate) fn for_patch(
        &self,
        bytes: &[u8],
        schema_version: Option<&[u8]>,
    ) -> Result<(Value, super::reencode::Writer), String> {
        use super::reencode::Writer;
        limit_avro_allocations();
        let structured = |o: Outcome| match (o.error, o.decoded) {
            (Some(e), _) => Err(e),
            (None, Decoded::Structured(v)) => Ok(v),
            (None, _) => Err("the payload is not structured data".to_string()),
        };
        if let Some(v) = schema_version.filter(|v| !v.is_empty()) {
            // Pulsar: a message of a topic with a schema is its datum (Avro) or JSON text; the
            // patched value is written the same way, and must fit that schema version.
            let label = format!("topic schema version {}", version_text(v));
            return match self.topic_schemas.get(v) {
                None => Err(format!("{label}: the schema was not fetched")),
                Some(Err(e)) => Err(format!("{label}: {e}")),
                Some(Ok(Served::Avro(schema))) => {
                    let value = structured(datum(schema, bytes, "pulsar-schema", &label))?;
                    Ok((value, Writer::Raw((**schema).clone())))
                }
                Some(Ok(Served::Json(_))) => {
                    let value = structured(json(bytes).map_err(|e| format!("{label}: {e}"))?)?;
                    Ok((value, Writer::Json))
                }
                Some(Ok(Served::Other(kind))) => Err(format!(
                    "{label} is a {kind} schema, which dlq does not write back after a patch"
                )),
            };
        }
        if bytes.starts_with(OCF_MAGIC) {
            let value = structured(container(bytes))?;
            let schema = guarded(|| {
                apache_avro::Reader::new(bytes)
                    .map(|r| r.writer_schema().clone())
                    .map_err(|e| e.to_string())
            })?;
            return Ok((value, Writer::Container(schema)));
        }
        if bytes.starts_with(SINGLE_OBJECT_MAGIC) && bytes.len() >= 10 {
            let known = [self.value_schema.as_ref(), self.key_schema.as_ref()];
            if let Some(f) = known
                .into_iter()
                .flatten()
                .find(|f| f.headers.iter().any(|h| bytes[..10] == h[..]))
            {
                let value = structured(datum(
                    &f.schema,
                    &bytes[10..],
                    "avro-single-object",
                    &f.label,
                ))?;
                return Ok((
                    value,
                    Writer::SingleObject(f.schema.clone(), bytes[..10].to_vec()),
                ));
            }
        }
        if let Some(id) = registry_id(bytes).filter(|_| self.registry) {
            let label = format!("registry id {id}");
            return match self.registry_schemas.get(&id) {
                None => Err(format!("{label}: the schema was not fetched")),
                Some(Err(e)) => Err(format!("{label}: {e}")),
                Some(Ok(Served::Avro(schema))) => {
                    let value = structured(datum(schema, &bytes[5..], "avro-registry", &label))?;
                    Ok((value, Writer::Registry((**schema).clone(), id)))
                }
                Some(Ok(Served::Json(schema))) => {
                    let value: Value = serde_json::from_slice(&bytes[5..])
                        .map_err(|e| format!("{label}: not JSON: {e}"))?;
                    Ok((value, Writer::RegistryJson(id, schema.clone())))
                }
                Some(Ok(Served::Other(kind))) => Err(format!(
                    "{label} is a {kind} schema, which dlq does not write back after a patch"
                )),
            };
        }
        if let Some(f) = &self.value_schema {
            if let Ok(value) = structured(datum(&f.schema, bytes, "avro", &f.label)) {
                return Ok((value, Writer::Raw(f.schema.clone())));
            }
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => Ok((v, Writer::Json)),
            Err(_) => Err(if self.value_schema.is_some() || self.registry {
                "the payload is neither JSON text nor Avro written with the schemas given".into()
            } else {
                "the payload is not JSON text (for Avro, give --value-schema FILE or --schema-registry URL)".into()
            }),
        }
    }

    /// Whether a consumer of a topic whose latest registry schema is `latest` (id `latest_id`)
    /// can read `payload`: Avro by schema resolution from the payload's writer schema (its
    /// registry id, fetched into this decoder), JSON as JSON text valid under the subject's
    /// JSON Schema.
    pub(crate) fn readable_with(
        &self,
        payload: &[u8],
        latest_id: u32,
        latest: &Served,
    ) -> Result<(), String> {
        limit_avro_allocations();
        match latest {
            Served::Avro(reader) => {
                let Some(id) = registry_id(payload) else {
                    return Err(
                        "the subject holds an Avro schema, and this payload is not in the \
                                registry's wire format"
                            .into(),
                    );
                };
                let writer = match self.registry_schemas.get(&id) {
                    Some(Ok(Served::Avro(w))) => w,
                    Some(Ok(_)) => return Err(format!("its schema (id {id}) is not Avro")),
                    Some(Err(e)) => return Err(format!("its schema (id {id}): {e}")),
                    None => return Err(format!("its schema (id {id}) was not fetched")),
                };
                let reader = (id != latest_id).then_some(&**reader);
                let mut data = &payload[5..];
                guarded(|| {
                    apache_avro::from_avro_datum(writer, &mut data, reader)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            }
            Served::Json(schema) => {
                let body = match registry_id(payload) {
                    Some(_) => &payload[5..],
                    None => payload,
                };
                let v = serde_json::from_slice::<Value>(body).map_err(|e| {
                    format!("the subject holds a JSON schema, and this payload is not JSON: {e}")
                })?;
                match schema {
                    Some(schema) => schema.check(&v),
                    None => Ok(()),
                }
            }
            Served::Other(_) => Ok(()),
        }
    }

    /// Avro by whichever route applies; `None` when no route does.
    fn avro(
        &self,
        bytes: &[u8],
        file: Option<&SchemaFile>,
        schema_version: Option<&[u8]>,
    ) -> Option<Outcome> {
        if let Some(v) = schema_version.filter(|v| !v.is_empty()) {
            let label = format!("topic schema version {}", version_text(v));
            return Some(match self.topic_schemas.get(v)? {
                Ok(served) => decode_served(served, bytes, "pulsar-schema", &label),
                Err(e) => Outcome::failed(bytes, "pulsar-schema", format!("{label}: {e}")),
            });
        }
        if bytes.starts_with(OCF_MAGIC) {
            return Some(container(bytes));
        }
        if bytes.starts_with(SINGLE_OBJECT_MAGIC) && bytes.len() >= 10 {
            let known = [self.value_schema.as_ref(), self.key_schema.as_ref()];
            let matches = |f: &&SchemaFile| f.headers.iter().any(|h| bytes[..10] == h[..]);
            if let Some(f) = known.into_iter().flatten().find(matches) {
                return Some(datum(
                    &f.schema,
                    &bytes[10..],
                    "avro-single-object",
                    &f.label,
                ));
            }
            if file.is_some() || self.mode == Mode::Avro {
                return Some(Outcome::failed(
                    bytes,
                    "avro-single-object",
                    format!(
                        "single-object encoding with fingerprint {}, which matches no schema given",
                        hex(&bytes[2..10])
                    ),
                ));
            }
        }
        if self.registry {
            if let Some(id) = registry_id(bytes) {
                let label = format!("registry id {id}");
                return Some(match self.registry_schemas.get(&id)? {
                    Ok(served) => decode_served(served, &bytes[5..], "avro-registry", &label),
                    Err(e) => Outcome::failed(bytes, "avro-registry", format!("{label}: {e}")),
                });
            }
        }
        let f = file?;
        let out = datum(&f.schema, bytes, "avro", &f.label);
        // In auto mode a schema file that does not fit leaves JSON and text their chance, but
        // the failure is still reported.
        if out.error.is_some() && self.mode == Mode::Auto {
            if let Ok(j) = json(bytes) {
                return Some(Outcome {
                    error: out.error,
                    ..j
                });
            }
        }
        Some(out)
    }
}

fn version_text(v: &[u8]) -> String {
    if v.len() == 8 {
        i64::from_be_bytes(v.try_into().unwrap()).to_string()
    } else {
        hex(v)
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn decode_served(served: &Served, data: &[u8], encoding: &'static str, label: &str) -> Outcome {
    match served {
        Served::Avro(schema) => {
            let label = match schema_name(schema) {
                Some(n) => format!("{label}: {n}"),
                None => label.to_string(),
            };
            datum(schema, data, encoding, &label)
        }
        Served::Json(_) => match json(data) {
            Ok(o) => Outcome {
                schema: Some(format!("{label} (JSON)")),
                ..o
            },
            Err(e) => Outcome::failed(data, encoding, format!("{label}: {e}")),
        },
        Served::Other(kind) => Outcome::failed(
            data,
            encoding,
            format!("{label} is a {kind} schema, which dlq does not decode"),
        ),
    }
}

fn json(bytes: &[u8]) -> Result<Outcome, String> {
    serde_json::from_slice::<Value>(bytes)
        .map(|v| Outcome::ok(Decoded::Structured(v), "json", None))
        .map_err(|e| format!("not JSON: {e}"))
}

/// One Avro datum that must use every byte.
fn datum(schema: &Schema, bytes: &[u8], encoding: &'static str, label: &str) -> Outcome {
    let mut reader = bytes;
    let value = match guarded(|| {
        apache_avro::from_avro_datum(schema, &mut reader, None).map_err(|e| e.to_string())
    }) {
        Ok(v) => v,
        Err(e) => return Outcome::failed(bytes, encoding, format!("{label}: {e}")),
    };
    if !reader.is_empty() {
        return Outcome::failed(
            bytes,
            encoding,
            format!(
                "{label}: {} bytes left after the datum; the data was not written with this schema",
                reader.len()
            ),
        );
    }
    Outcome::ok(
        Decoded::Structured(to_json(value)),
        encoding,
        Some(label.to_string()),
    )
}

/// An object container file: its own schema, every record, as a JSON array.
fn container(bytes: &[u8]) -> Outcome {
    guarded(|| Ok(container_unguarded(bytes))).unwrap_or_else(|e| {
        Outcome::failed(bytes, "avro-container", format!("container file: {e}"))
    })
}

fn container_unguarded(bytes: &[u8]) -> Outcome {
    let reader = match apache_avro::Reader::new(bytes) {
        Ok(r) => r,
        Err(e) => return Outcome::failed(bytes, "avro-container", format!("container file: {e}")),
    };
    let label = schema_name(reader.writer_schema()).map_or_else(
        || "container file".to_string(),
        |n| format!("container file: {n}"),
    );
    let mut records = Vec::new();
    for r in reader {
        match r {
            Ok(v) => records.push(to_json(v)),
            Err(e) => {
                return Outcome::failed(
                    bytes,
                    "avro-container",
                    format!("{label}: record {}: {e}", records.len()),
                )
            }
        }
    }
    Outcome::ok(
        Decoded::Structured(Value::Array(records)),
        "avro-container",
        Some(label),
    )
}

/// Avro as JSON for people: unions unwrapped, bytes as base64, dates and timestamps as
/// RFC 3339, UUIDs as strings, floats that JSON cannot hold as strings.
pub(crate) fn to_json(v: Avro) -> Value {
    use jiff::Timestamp;
    let float = |f: f64| {
        serde_json::Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
    };
    let ts = |t: Option<Timestamp>, raw: i64| {
        t.map_or_else(|| Value::from(raw), |t| Value::String(t.to_string()))
    };
    let b64 = |b: &[u8]| Value::String(base64::engine::general_purpose::STANDARD.encode(b));
    match v {
        Avro::Null => Value::Null,
        Avro::Boolean(b) => Value::Bool(b),
        Avro::Int(i) | Avro::TimeMillis(i) => Value::from(i),
        Avro::Long(l) | Avro::TimeMicros(l) => Value::from(l),
        Avro::Float(f) => float(f64::from(f)),
        Avro::Double(d) => float(d),
        Avro::Bytes(b) | Avro::Fixed(_, b) => b64(&b),
        Avro::String(s) | Avro::Enum(_, s) => Value::String(s),
        Avro::Union(_, b) => to_json(*b),
        Avro::Array(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Avro::Map(m) => {
            let mut entries: Vec<_> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        Avro::Record(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        Avro::Date(d) => jiff::civil::Date::constant(1970, 1, 1)
            .checked_add(jiff::Span::new().days(i64::from(d)))
            .map_or_else(|_| Value::from(d), |d| Value::String(d.to_string())),
        Avro::TimestampMillis(t) | Avro::LocalTimestampMillis(t) => {
            ts(Timestamp::from_millisecond(t).ok(), t)
        }
        Avro::TimestampMicros(t) | Avro::LocalTimestampMicros(t) => {
            ts(Timestamp::from_microsecond(t).ok(), t)
        }
        Avro::TimestampNanos(t) | Avro::LocalTimestampNanos(t) => {
            ts(Timestamp::from_nanosecond(i128::from(t)).ok(), t)
        }
        Avro::Uuid(u) => Value::String(u.to_string()),
        Avro::Decimal(d) => match <Vec<u8>>::try_from(&d) {
            Ok(b) => Value::String(format!("unscaled:{}", unscaled(&b))),
            Err(_) => Value::Null,
        },
        Avro::BigDecimal(d) => Value::String(d.to_string()),
        Avro::Duration(d) => serde_json::json!({
            "months": u32::from(d.months()),
            "days": u32::from(d.days()),
            "millis": u32::from(d.millis()),
        }),
    }
}

/// A decimal's two's-complement big-endian unscaled value (the scale is in the schema).
fn unscaled(b: &[u8]) -> String {
    if b.len() <= 16 {
        let fill = if b.first().is_some_and(|x| x & 0x80 != 0) {
            0xFF
        } else {
            0
        };
        let mut buf = [fill; 16];
        buf[16 - b.len()..].copy_from_slice(b);
        i128::from_be_bytes(buf).to_string()
    } else {
        format!("0x{}", hex(b))
    }
}

/// Reads a schema file given on the command line.
pub(crate) fn read_schema_file(path: &std::path::Path) -> Result<SchemaFile, String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    SchemaFile::parse(&name, &text)
}

/// The schema a registry answered for `GET /schemas/ids/{id}`.
pub(crate) fn parse_registry_answer(body: &[u8]) -> Result<Served, String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the registry's answer is not JSON: {e}"))?;
    let kind = v["schemaType"].as_str().unwrap_or("AVRO");
    let text = v["schema"]
        .as_str()
        .ok_or("the registry's answer has no \"schema\"")?;
    match kind {
        "AVRO" => parse_avro_schema(text)
            .map(|s| Served::Avro(Box::new(s)))
            .map_err(|e| format!("the registry's schema is not valid Avro: {e}")),
        "JSON" => Ok(Served::Json(Some(JsonSchema::compile(text)))),
        other => Ok(Served::Other(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apache_avro::types::Record;
    use serde_json::json;

    const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[
        {"name":"id","type":"long"},{"name":"email","type":["null","string"]},
        {"name":"placed","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#;

    fn order_schema() -> SchemaFile {
        SchemaFile::parse("order.avsc", ORDER).unwrap()
    }

    fn order_datum(schema: &Schema) -> Vec<u8> {
        let mut r = Record::new(schema).unwrap();
        r.put("id", 7i64);
        r.put(
            "email",
            Avro::Union(1, Box::new(Avro::String("a@b.io".into()))),
        );
        r.put("placed", Avro::TimestampMillis(1_700_000_000_000));
        apache_avro::to_avro_datum(schema, r).unwrap()
    }

    fn with_value_schema() -> Decoder {
        Decoder {
            value_schema: Some(order_schema()),
            ..Decoder::default()
        }
    }

    #[test]
    fn a_raw_datum_decodes_with_the_schema_file() {
        let d = with_value_schema();
        let bytes = order_datum(&d.value_schema.as_ref().unwrap().schema);
        let o = d.decode(&bytes, Part::Payload, None);
        assert_eq!(o.encoding, "avro");
        assert_eq!(o.error, None);
        assert_eq!(o.schema.as_deref(), Some("order.avsc: com.acme.Order"));
        assert_eq!(
            o.decoded,
            Decoded::Structured(
                json!({"id": 7, "email": "a@b.io", "placed": "2023-11-14T22:13:20Z"})
            )
        );
    }

    #[test]
    fn single_object_encoding_is_matched_by_fingerprint() {
        let d = with_value_schema();
        let schema = &d.value_schema.as_ref().unwrap().schema;
        let mut bytes = RabinFingerprintHeader::from_schema(schema).build_header();
        bytes.extend(order_datum(schema));
        let o = d.decode(&bytes, Part::Payload, None);
        assert_eq!(
            (o.encoding, o.error.as_deref()),
            ("avro-single-object", None)
        );
        bytes[3] ^= 0xFF;
        let o = d.decode(&bytes, Part::Payload, None);
        assert!(o.error.unwrap().contains("matches no schema given"));
        assert_eq!(o.decoded, Decoded::Binary, "shown raw");
    }

    #[test]
    fn fingerprints_follow_the_specification() {
        // The specification's own example: "null".
        assert_eq!(rabin(br#""null""#), 0x63dd_24e7_cc25_8f8a);
        // A logical type leaves the canonical form: fastavro and Java fingerprint this schema
        // as the plain long it is (apache-avro 0.21 does not).
        let logical_text = r#"{"type":"record","name":"T","fields":[{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#;
        let with_logical = Schema::parse_str(logical_text).unwrap();
        let plain = Schema::parse_str(
            r#"{"type":"record","name":"T","fields":[{"name":"t","type":"long"}]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_fingerprint(&with_logical),
            canonical_fingerprint(&plain)
        );
        let f = SchemaFile::parse("t.avsc", &plain.canonical_form()).unwrap();
        assert_eq!(f.headers.len(), 1, "no logical type: one header");
        let f = SchemaFile::parse("t.avsc", logical_text).unwrap();
        assert_eq!(f.headers.len(), 2, "apache-avro's differs: both accepted");
    }

    #[test]
    fn a_container_file_brings_its_own_schema() {
        let schema = order_schema().schema;
        let mut w = apache_avro::Writer::new(&schema, Vec::new());
        for id in [1i64, 2] {
            let mut r = Record::new(&schema).unwrap();
            r.put("id", id);
            r.put("email", Avro::Union(0, Box::new(Avro::Null)));
            r.put("placed", Avro::TimestampMillis(0));
            w.append(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let o = Decoder::default().decode(&bytes, Part::Payload, None);
        assert_eq!(o.encoding, "avro-container");
        let Decoded::Structured(Value::Array(records)) = o.decoded else {
            panic!("{o:?}")
        };
        assert_eq!(records[1]["id"], 2);
        assert!(records[0]["email"].is_null());
    }

    #[test]
    fn the_registry_wire_format_needs_the_schema_fetched_first() {
        let mut d = Decoder {
            registry: true,
            ..Decoder::default()
        };
        let schema = order_schema().schema;
        let mut bytes = vec![0, 0, 0, 0, 42];
        bytes.extend(order_datum(&schema));
        assert_eq!(d.wants(&bytes, None), Some(Wanted::RegistryId(42)));
        d.learn_registry(42, Ok(Served::Avro(Box::new(schema))));
        assert_eq!(d.wants(&bytes, None), None, "cached for the run");
        let o = d.decode(&bytes, Part::Payload, None);
        assert_eq!(o.encoding, "avro-registry");
        assert_eq!(o.schema.as_deref(), Some("registry id 42: com.acme.Order"));
        assert!(o.error.is_none());

        d.learn_registry(43, Err("HTTP 404: schema not found".into()));
        bytes[4] = 43;
        let o = d.decode(&bytes, Part::Payload, None);
        assert_eq!(
            o.error.as_deref(),
            Some("registry id 43: HTTP 404: schema not found")
        );
        assert_eq!(o.decoded, Decoded::Binary);
        // Without a registry the wire format is not guessed at.
        let o = Decoder::default().decode(&bytes, Part::Payload, None);
        assert_eq!((o.encoding, o.error), ("binary", None));
    }

    #[test]
    fn corrupt_avro_is_shown_raw_with_its_error() {
        let d = Decoder {
            mode: Mode::Avro,
            ..with_value_schema()
        };
        let mut bytes = order_datum(&d.value_schema.as_ref().unwrap().schema);
        bytes.truncate(3);
        let o = d.decode(&bytes, Part::Payload, None);
        assert_eq!(o.encoding, "avro");
        assert!(o
            .error
            .as_deref()
            .unwrap()
            .starts_with("order.avsc: com.acme.Order: "));
        let mut bytes = order_datum(&d.value_schema.as_ref().unwrap().schema);
        bytes.extend(b"trailing");
        assert!(d
            .decode(&bytes, Part::Payload, None)
            .error
            .unwrap()
            .contains("bytes left after the datum"));
        // --decode avro without any schema names what is missing.
        let o = Decoder {
            mode: Mode::Avro,
            ..Decoder::default()
        }
        .decode(b"\x02", Part::Payload, None);
        assert!(o.error.unwrap().contains("--value-schema"));
        // Keys are not forced without a key schema of their own.
        let o = Decoder {
            mode: Mode::Avro,
            ..Decoder::default()
        }
        .decode(b"order-1", Part::Key, None);
        assert_eq!((o.encoding, o.error), ("text", None));
    }

    #[test]
    fn a_hostile_block_count_is_refused_not_reserved() {
        // A map of strings whose first block claims 100 million entries, in 4 bytes: under
        // apache-avro's own limit, so only dlq's makes it an error before any reservation.
        let schema = SchemaFile::parse("m.avsc", r#"{"type":"map","values":"string"}"#).unwrap();
        let d = Decoder {
            mode: Mode::Avro,
            value_schema: Some(schema),
            ..Decoder::default()
        };
        let mut bytes = Vec::new();
        let mut n: u64 = 100_000_000 << 1; // zig-zag of a positive count
        while n >= 0x80 {
            bytes.push((n as u8) | 0x80);
            n >>= 7;
        }
        bytes.push(n as u8);
        let o = d.decode(&bytes, Part::Payload, None);
        let error = o.error.unwrap();
        assert!(error.contains("maximum allowed: 4194304"), "{error}");
    }

    #[test]
    fn a_schema_apache_avro_panics_on_is_an_error() {
        // A nested record with an invalid name: apache-avro 0.21 unwraps and panics.
        let text = r#"{"type":"record","name":"A","fields":[{"name":"b","type":
            {"type":"record","name":"com.exam+le.B","fields":[]}}]}"#;
        let err = SchemaFile::parse("bad.avsc", text).unwrap_err();
        assert!(
            err.contains("the Avro library failed on this input"),
            "{err}"
        );
        assert!(parse_avro_schema(text).is_err());
        // The same schema inside a container file: shown raw with the error.
        let mut ocf = b"Obj\x01".to_vec();
        ocf.push(2); // one metadata entry
        let key = b"avro.schema";
        ocf.push((key.len() * 2) as u8);
        ocf.extend(key);
        let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = compact.len() * 2;
        ocf.extend([(len as u8) | 0x80, (len >> 7) as u8]);
        ocf.extend(compact.as_bytes());
        ocf.push(0);
        ocf.extend([0u8; 16]);
        let o = Decoder::default().decode(&ocf, Part::Payload, None);
        assert_eq!(o.encoding, "avro-container");
        assert!(o.error.unwrap().contains("failed on this input"));
    }

    #[test]
    fn auto_prefers_json_then_text_then_binary() {
        let d = Decoder::default();
        let o = d.decode(br#"{"a":1}"#, Part::Payload, None);
        assert_eq!(
            (o.encoding, o.decoded),
            ("json", Decoded::Structured(json!({"a": 1})))
        );
        assert_eq!(
            d.decode(b"42", Part::Payload, None).encoding,
            "text",
            "a scalar is text"
        );
        assert_eq!(d.decode(b"hello", Part::Payload, None).encoding, "text");
        assert_eq!(d.decode(&[0xff, 0], Part::Payload, None).encoding, "binary");
        // A schema file that does not fit a JSON payload: JSON shown, the mismatch reported.
        let o = with_value_schema().decode(br#"{"a":1}"#, Part::Payload, None);
        assert_eq!(o.encoding, "json");
        assert!(o.error.is_some());
    }

    #[test]
    fn forced_modes() {
        let json_mode = Decoder {
            mode: Mode::Json,
            ..Decoder::default()
        };
        let o = json_mode.decode(b"{broken", Part::Payload, None);
        assert_eq!(o.encoding, "json");
        assert!(o.error.unwrap().starts_with("not JSON"));
        assert_eq!(o.decoded, Decoded::Text("{broken".into()));
        let binary = Decoder {
            mode: Mode::Binary,
            ..Decoder::default()
        };
        assert_eq!(
            binary.decode(b"{}", Part::Payload, None).decoded,
            Decoded::Binary
        );
    }

    #[test]
    fn pulsar_topic_schemas_by_version() {
        let mut d = Decoder::default();
        let schema = order_schema().schema;
        let bytes = order_datum(&schema);
        let v = 3i64.to_be_bytes();
        assert_eq!(
            d.wants(&bytes, Some(&v)),
            Some(Wanted::TopicSchema(v.to_vec()))
        );
        d.learn_topic_schema(v.to_vec(), Ok(Served::Avro(Box::new(schema))));
        let o = d.decode(&bytes, Part::Payload, Some(&v));
        assert_eq!(o.encoding, "pulsar-schema");
        assert_eq!(
            o.schema.as_deref(),
            Some("topic schema version 3: com.acme.Order")
        );
        d.learn_topic_schema(vec![9], Ok(Served::Other("PROTOBUF".into())));
        let o = d.decode(&bytes, Part::Payload, Some(&[9]));
        assert!(o.error.unwrap().contains("PROTOBUF schema"));

        // A patch reads the datum with its version's schema and writes it back as a datum.
        let (value, writer) = d.for_patch(&bytes, Some(&v)).unwrap();
        assert_eq!(value["id"], 7);
        assert_eq!(writer.encode(&value).unwrap(), bytes);
        let e = d.for_patch(&bytes, Some(&[4])).unwrap_err();
        assert!(e.contains("version 04: the schema was not fetched"), "{e}");
        d.learn_topic_schema(vec![5], Ok(Served::Json(None)));
        let (value, writer) = d.for_patch(br#"{"id": 8}"#, Some(&[5])).unwrap();
        assert_eq!(writer.encode(&value).unwrap(), br#"{"id":8}"#);
    }

    #[test]
    fn a_registry_json_schema_checks_what_is_sent_and_what_a_patch_writes() {
        let schema = json!({
            "type": "object", "required": ["orderId"],
            "properties": {"orderId": {"type": "integer"}, "status": {"enum": ["NEW", "PAID"]}}
        });
        let answer = json!({"schema": schema.to_string(), "schemaType": "JSON"});
        let served = parse_registry_answer(answer.to_string().as_bytes()).unwrap();
        let mut d = Decoder {
            registry: true,
            ..Decoder::default()
        };
        d.learn_registry(4, Ok(served.clone()));
        let wire = |text: &str| [&[0, 0, 0, 0, 4][..], text.as_bytes()].concat();
        assert!(d
            .readable_with(&wire(r#"{"orderId": 1}"#), 4, &served)
            .is_ok());
        let e = d
            .readable_with(&wire(r#"{"order_id": 1, "status": "LOST"}"#), 4, &served)
            .unwrap_err();
        assert!(e.contains("\"orderId\" is a required property"), "{e}");
        assert!(e.contains("/status: "), "{e}");
        // The patched value must be valid under the writer's schema too.
        let (value, writer) = d.for_patch(&wire(r#"{"orderId": 1}"#), None).unwrap();
        assert_eq!(value["orderId"], 1);
        let e = writer.encode(&json!({"orderId": "one"})).unwrap_err();
        assert!(e.contains("writer's JSON schema (id 4)"), "{e}");
        assert_eq!(
            writer.encode(&json!({"orderId": 2})).unwrap(),
            wire(r#"{"orderId":2}"#)
        );
        // A schema that does not compile reads payloads still; checking against it says why.
        let broken = json!({"schema": r#"{"type": 12}"#, "schemaType": "JSON"});
        let broken = parse_registry_answer(broken.to_string().as_bytes()).unwrap();
        let e = d.readable_with(&wire("{}"), 4, &broken).unwrap_err();
        assert!(e.contains("cannot be used"), "{e}");
    }

    #[test]
    fn registry_answers() {
        let a = parse_registry_answer(format!(r#"{{"schema": {}}}"#, json!(ORDER)).as_bytes());
        assert!(matches!(a, Ok(Served::Avro(_))));
        let a = parse_registry_answer(br#"{"schema": "{}", "schemaType": "PROTOBUF"}"#);
        assert!(matches!(a, Ok(Served::Other(k)) if k == "PROTOBUF"));
        assert!(parse_registry_answer(b"<html>").is_err());
        assert!(parse_registry_answer(br#"{"schema": "not avro"}"#).is_err());
    }

    #[test]
    fn avro_values_read_as_json() {
        assert_eq!(to_json(Avro::Bytes(vec![1, 2])), json!("AQI="));
        assert_eq!(to_json(Avro::Date(19_000)), json!("2022-01-08"));
        assert_eq!(to_json(Avro::Double(f64::NAN)), json!("NaN"));
        assert_eq!(unscaled(&[0xFF, 0x38]), "-200");
        let mut m = HashMap::new();
        m.insert("b".to_string(), Avro::Int(2));
        m.insert("a".to_string(), Avro::Int(1));
        assert_eq!(to_json(Avro::Map(m)).to_string(), r#"{"a":1,"b":2}"#);
    }
}
