//! What `--patch` writes back: a payload read as JSON for the patch (`Decoder::for_patch`) is
//! written again in the form it came in — JSON text, or Avro with the writer schema it was read
//! with (a raw datum, single-object encoding with its fingerprint, the schema registry's wire
//! format with the same schema id, an object container file). The JSON side is the one
//! `decode::to_json` gives people: bytes as base64, dates and timestamps as RFC 3339, unions
//! unwrapped; this is its inverse, guided by the schema. A value the schema does not take is an
//! error (the entry is skipped), never a datum written half-right.

use std::collections::HashMap;

use apache_avro::schema::{Name, ResolvedSchema};
use apache_avro::types::Value as Avro;
use apache_avro::Schema;
use base64::Engine as _;
use serde_json::Value;

/// How a payload was written, to write its patched value the same way.
#[derive(Debug, Clone)]
pub(crate) enum Writer {
    Json,
    /// A raw datum (`--value-schema`).
    Raw(Schema),
    /// `C3 01` + fingerprint, then the datum.
    SingleObject(Schema, Vec<u8>),
    /// Magic byte 0, the schema id, then the datum.
    Registry(Schema, u32),
    /// Magic byte 0, the schema id, then JSON text (a registry JSON Schema subject, which the
    /// patched value must be valid under).
    RegistryJson(u32, Option<super::decode::JsonSchema>),
    /// An object container file (its records were patched as a JSON array).
    Container(Schema),
}

impl Writer {
    /// The payload of `v` written as this writer writes.
    pub(crate) fn encode(&self, v: &Value) -> Result<Vec<u8>, String> {
        match self {
            Writer::Json => serde_json::to_vec(v).map_err(|e| e.to_string()),
            Writer::RegistryJson(id, schema) => {
                if let Some(schema) = schema {
                    schema.check(v).map_err(|e| {
                        format!("the patched value is not valid under the writer's JSON schema (id {id}): {e}")
                    })?;
                }
                let mut out = vec![0];
                out.extend(id.to_be_bytes());
                out.extend(serde_json::to_vec(v).map_err(|e| e.to_string())?);
                Ok(out)
            }
            Writer::Raw(schema) => datum(schema, v),
            Writer::SingleObject(schema, header) => {
                let mut out = header.clone();
                out.extend(datum(schema, v)?);
                Ok(out)
            }
            Writer::Registry(schema, id) => {
                let mut out = vec![0];
                out.extend(id.to_be_bytes());
                out.extend(datum(schema, v)?);
                Ok(out)
            }
            Writer::Container(schema) => {
                let records = v
                    .as_array()
                    .ok_or("a container file's records are patched as a JSON array; the patch gave something else")?;
                let mut w = apache_avro::Writer::new(schema, Vec::new());
                for r in records {
                    w.append(avro_of(r, schema)?).map_err(|e| e.to_string())?;
                }
                w.into_inner().map_err(|e| e.to_string())
            }
        }
    }

    /// `avro-registry`, `json`, …: how the payload is written, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Writer::Json => "JSON",
            Writer::RegistryJson(..) => "the registry's JSON wire format",
            Writer::Raw(_) => "Avro (a raw datum)",
            Writer::SingleObject(..) => "Avro single-object encoding",
            Writer::Registry(..) => "the registry's Avro wire format",
            Writer::Container(_) => "an Avro container file",
        }
    }
}

fn datum(schema: &Schema, v: &Value) -> Result<Vec<u8>, String> {
    let avro = avro_of(v, schema)?;
    apache_avro::to_avro_datum(schema, avro)
        .map_err(|e| format!("the patched value does not fit the writer schema: {e}"))
}

/// `v` as an Avro value of `schema`.
pub(crate) fn avro_of(v: &Value, schema: &Schema) -> Result<Avro, String> {
    from_json(v, schema, &names_in(schema)?, "")
}

/// The named types `schema` defines, for its references.
fn names_in(schema: &Schema) -> Result<HashMap<Name, &Schema>, String> {
    let resolved = ResolvedSchema::try_from(schema).map_err(|e| e.to_string())?;
    Ok(resolved
        .get_names()
        .iter()
        .map(|(n, s)| (n.clone(), *s))
        .collect())
}

fn from_json(
    v: &Value,
    schema: &Schema,
    names: &HashMap<Name, &Schema>,
    at: &str,
) -> Result<Avro, String> {
    from_json_as(v, schema, names, at, false)
}

/// Whether `v` fits `schema` the way a JSON reader takes it: fields the record does not name
/// are ignored and missing ones left to defaults; the ones present must have its types.
pub(crate) fn fits(v: &Value, schema: &Schema) -> Result<(), String> {
    from_json_as(v, schema, &names_in(schema)?, "", true).map(|_| ())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn from_json_as(
    v: &Value,
    schema: &Schema,
    names: &HashMap<Name, &Schema>,
    at: &str,
    lenient: bool,
) -> Result<Avro, String> {
    let from_json = |v: &Value, schema: &Schema, names: &HashMap<Name, &Schema>, at: &str| {
        from_json_as(v, schema, names, at, lenient)
    };
    let here = if at.is_empty() { "the value" } else { at };
    let wrong = |want: &str| {
        format!(
            "{here}: the schema wants {want}, the patch gave {}",
            kind(v)
        )
    };
    let int = |v: &Value| v.as_i64().ok_or_else(|| wrong("an integer"));
    let b64 = |v: &Value| {
        let s = v.as_str().ok_or_else(|| wrong("base64 text (bytes)"))?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| format!("{here}: not base64 ({e})"))
    };
    let time = |v: &Value, unit: i128| -> Result<i64, String> {
        match v {
            Value::String(s) => {
                let t: jiff::Timestamp = s
                    .parse()
                    .map_err(|e| format!("{here}: not an RFC 3339 time ({e})"))?;
                i64::try_from(t.as_nanosecond() / unit).map_err(|e| e.to_string())
            }
            _ => int(v),
        }
    };
    Ok(match schema {
        Schema::Null if v.is_null() => Avro::Null,
        Schema::Null => return Err(wrong("null")),
        Schema::Boolean => Avro::Boolean(v.as_bool().ok_or_else(|| wrong("a boolean"))?),
        Schema::Int => Avro::Int(
            i32::try_from(int(v)?).map_err(|_| format!("{here}: out of an int's range"))?,
        ),
        Schema::Long => Avro::Long(int(v)?),
        Schema::Float => Avro::Float(v.as_f64().ok_or_else(|| wrong("a number"))? as f32),
        Schema::Double => Avro::Double(v.as_f64().ok_or_else(|| wrong("a number"))?),
        Schema::String => Avro::String(v.as_str().ok_or_else(|| wrong("a string"))?.to_string()),
        Schema::Bytes => Avro::Bytes(b64(v)?),
        Schema::Fixed(f) => {
            let b = b64(v)?;
            if b.len() != f.size {
                return Err(format!("{here}: {} bytes for a fixed of {}", b.len(), f.size));
            }
            Avro::Fixed(f.size, b)
        }
        Schema::Enum(e) => {
            let s = v.as_str().ok_or_else(|| wrong("an enum symbol"))?;
            let i = e
                .symbols
                .iter()
                .position(|x| x == s)
                .ok_or_else(|| format!("{here}: '{s}' is not one of {}", e.symbols.join(", ")))?;
            Avro::Enum(i as u32, s.to_string())
        }
        Schema::Array(a) => {
            let items = v.as_array().ok_or_else(|| wrong("an array"))?;
            Avro::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| from_json(x, &a.items, names, &format!("{here}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        Schema::Map(m) => {
            let o = v.as_object().ok_or_else(|| wrong("an object (map)"))?;
            Avro::Map(
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), from_json(x, &m.types, names, &format!("{here}.{k}"))?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        Schema::Record(r) => {
            let o = v.as_object().ok_or_else(|| wrong("an object (record)"))?;
            let extra = o.keys().find(|k| !r.fields.iter().any(|f| &f.name == *k));
            if let Some(extra) = extra.filter(|_| !lenient) {
                return Err(format!(
                    "{here}: the schema's record {} has no field '{extra}'",
                    r.name.fullname(None)
                ));
            }
            let mut fields = Vec::with_capacity(r.fields.len());
            for f in &r.fields {
                let path = if at.is_empty() {
                    f.name.clone()
                } else {
                    format!("{at}.{}", f.name)
                };
                let value = match (o.get(&f.name), &f.default) {
                    (Some(x), _) => from_json(x, &f.schema, names, &path)?,
                    (None, Some(d)) => from_json(d, &f.schema, names, &path)?,
                    (None, None) if lenient => Avro::Null,
                    (None, None) => {
                        return Err(format!("{path}: missing, and the schema gives no default"))
                    }
                };
                fields.push((f.name.clone(), value));
            }
            Avro::Record(fields)
        }
        Schema::Union(u) => {
            let mut why = Vec::new();
            for (i, branch) in u.variants().iter().enumerate() {
                match from_json(v, branch, names, at) {
                    Ok(x) => return Ok(Avro::Union(i as u32, Box::new(x))),
                    Err(e) => why.push(e),
                }
            }
            return Err(format!("{here}: no branch of the union takes it ({})", why.join("; ")));
        }
        Schema::Ref { name } => {
            let s = names
                .get(name)
                .ok_or_else(|| format!("{here}: the schema names {name:?}, which it does not define"))?;
            return from_json(v, s, names, at);
        }
        Schema::Uuid => {
            let s = v.as_str().ok_or_else(|| wrong("a UUID"))?;
            Avro::Uuid(s.parse().map_err(|e| format!("{here}: not a UUID ({e})"))?)
        }
        Schema::Date => match v {
            Value::String(s) => {
                let d: jiff::civil::Date =
                    s.parse().map_err(|e| format!("{here}: not a date ({e})"))?;
                let days = jiff::civil::Date::constant(1970, 1, 1)
                    .until(d)
                    .map_err(|e| e.to_string())?
                    .get_days();
                Avro::Date(days)
            }
            _ => Avro::Date(i32::try_from(int(v)?).map_err(|e| e.to_string())?),
        },
        Schema::TimeMillis => Avro::TimeMillis(i32::try_from(int(v)?).map_err(|e| e.to_string())?),
        Schema::TimeMicros => Avro::TimeMicros(int(v)?),
        Schema::TimestampMillis => Avro::TimestampMillis(time(v, 1_000_000)?),
        Schema::TimestampMicros => Avro::TimestampMicros(time(v, 1_000)?),
        Schema::TimestampNanos => Avro::TimestampNanos(time(v, 1)?),
        Schema::LocalTimestampMillis => Avro::LocalTimestampMillis(time(v, 1_000_000)?),
        Schema::LocalTimestampMicros => Avro::LocalTimestampMicros(time(v, 1_000)?),
        Schema::LocalTimestampNanos => Avro::LocalTimestampNanos(time(v, 1)?),
        Schema::Decimal(_) | Schema::BigDecimal | Schema::Duration => {
            return Err(format!(
                "{here}: dlq does not write decimals and durations back from JSON; repair such payloads with export and replay --from-file"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Schema {
        Schema::parse_str(
            r#"{"type": "record", "name": "Order", "namespace": "shop", "fields": [
                {"name": "orderId", "type": "long"},
                {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
                {"name": "note", "type": ["null", "string"], "default": null},
                {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "raw", "type": "bytes"}
            ]}"#,
        )
        .unwrap()
    }

    #[test]
    fn what_to_json_shows_is_written_back_as_it_was() {
        let schema = order();
        let value = json!({
            "orderId": 7, "status": "PAID", "note": "gift",
            "placed_at": "2023-11-14T22:13:20Z", "tags": ["a"], "raw": "AAE="
        });
        let bytes = Writer::Registry(schema.clone(), 42).encode(&value).unwrap();
        assert_eq!(&bytes[..5], &[0, 0, 0, 0, 42]);
        let back = apache_avro::from_avro_datum(&schema, &mut &bytes[5..], None).unwrap();
        assert_eq!(crate::domain::decode::to_json(back), value);
        // A field left out takes its default.
        let mut without_note = value.clone();
        without_note.as_object_mut().unwrap().remove("note");
        assert!(Writer::Raw(schema).encode(&without_note).is_ok());
    }

    #[test]
    fn values_the_schema_does_not_take_are_refused_with_where() {
        let schema = order();
        let base = json!({"orderId": 7, "status": "PAID", "placed_at": 0, "tags": [], "raw": ""});
        let mut renamed = base.clone();
        renamed["order_id"] = json!(7);
        let e = Writer::Raw(schema.clone()).encode(&renamed).unwrap_err();
        assert!(e.contains("no field 'order_id'"), "{e}");
        let mut bad_enum = base.clone();
        bad_enum["status"] = json!("LOST");
        let e = Writer::Raw(schema.clone()).encode(&bad_enum).unwrap_err();
        assert!(e.contains("'LOST' is not one of NEW, PAID"), "{e}");
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("orderId");
        let e = Writer::Raw(schema).encode(&missing).unwrap_err();
        assert!(e.contains("orderId: missing"), "{e}");
    }
}
