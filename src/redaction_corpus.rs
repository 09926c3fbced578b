//! The redaction corpus (`domain/redact/corpus.rs`) in whole entries: every secret in every
//! placement an entry has (payload text and JSON, a Kafka header, a Pulsar property, the record
//! key, an Avro field, the error and stack-trace headers a producer writes), rendered the way
//! `inspect` shows it (table and JSON) and `export --redact` writes it; and a property test
//! that does the same with generated secrets of every class.

use apache_avro::types::{Record as AvroRecord, Value as Avro};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::archive::ArchivedEntry;
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::decode::{Decoder, SchemaFile};
use crate::domain::entry::{Entry, EntryId, Header, PulsarMessageId, Record};
use crate::domain::redact::corpus::{json_placements, leaks, text_placements, SECRETS, TRIAGE};
use crate::domain::view::{view, Detail, Showing};
use crate::output::{self, OutputFormat};

const NOTE_SCHEMA: &str = r#"{"type": "record", "name": "Note", "fields": [
    {"name": "id", "type": "string"}, {"name": "note", "type": "string"}]}"#;

/// Where in an entry a value is put.
#[derive(Debug, Clone)]
enum Place {
    Text(&'static str, String),
    Json(&'static str, Value),
    KafkaHeader,
    PulsarProperty,
    RecordKey,
    AvroField,
    ErrorHeader,
    StackTraceHeader,
}

impl Place {
    fn name(&self) -> String {
        match self {
            Place::Text(p, _) => format!("text payload, {p}"),
            Place::Json(p, _) => format!("JSON payload, {p}"),
            other => format!("{other:?}"),
        }
    }
}

/// Every placement of `v`.
fn places(v: &str) -> Vec<Place> {
    let mut out: Vec<Place> = text_placements(v)
        .into_iter()
        .map(|(p, t)| Place::Text(p, t))
        .collect();
    out.extend(
        json_placements(v)
            .into_iter()
            .map(|(p, j)| Place::Json(p, j)),
    );
    out.extend([
        Place::KafkaHeader,
        Place::PulsarProperty,
        Place::RecordKey,
        Place::AvroField,
        Place::ErrorHeader,
        Place::StackTraceHeader,
    ]);
    out
}

fn avro_note(schema: &SchemaFile, v: &str) -> Vec<u8> {
    let mut r = AvroRecord::new(&schema.schema).expect("record schema");
    r.put("id", Avro::String("ORD-1".into()));
    r.put("note", Avro::String(v.into()));
    apache_avro::to_avro_datum(&schema.schema, r).expect("datum")
}

/// An entry with `v` at `place`, and how it is shown (redacted, the Avro schema known).
fn entry(place: &Place, v: &str) -> (Entry, Showing) {
    let schema = SchemaFile::parse("note.avsc", NOTE_SCHEMA).expect("schema");
    let mut headers = vec![Header::new("kafka_dlt-original-topic", "orders")];
    let mut key = b"ORD-1".to_vec();
    let mut id = EntryId::Kafka {
        partition: 1,
        offset: 5,
    };
    let mut decoder = Decoder::default();
    let payload = match place {
        Place::Text(_, t) => t.clone().into_bytes(),
        Place::Json(_, j) => j.to_string().into_bytes(),
        Place::KafkaHeader => {
            headers.push(Header::new("x-note", v));
            b"{}".to_vec()
        }
        Place::PulsarProperty => {
            id = EntryId::Pulsar("12:7:-1".parse::<PulsarMessageId>().expect("id"));
            headers.push(Header::new("note", v));
            b"{}".to_vec()
        }
        Place::RecordKey => {
            key = v.as_bytes().to_vec();
            b"{}".to_vec()
        }
        Place::AvroField => {
            let datum = avro_note(&schema, v);
            decoder.value_schema = Some(schema);
            datum
        }
        Place::ErrorHeader => {
            headers.push(Header::new(
                "kafka_dlt-exception-message",
                format!("Listener failed; value {v} rejected"),
            ));
            b"{}".to_vec()
        }
        Place::StackTraceHeader => {
            headers.push(Header::new(
                "kafka_dlt-exception-stacktrace",
                format!("java.lang.IllegalStateException: {v}\n\tat com.example.Pay.charge(Pay.java:42)"),
            ));
            b"{}".to_vec()
        }
    };
    let record = Record {
        schema_version: None,
        topic: "orders.DLT".into(),
        id,
        timestamp: None,
        key: Some(key),
        headers,
        payload: Some(payload),
    };
    let entry = {
        let context = explain(&record, &HeaderMap::default());
        Entry::new(record, context)
    };
    (
        entry,
        Showing {
            decoder,
            ..Showing::default()
        },
    )
}

/// What `inspect` shows (table, JSON) and `export --redact` writes.
fn rendered(e: &Entry, showing: &Showing) -> Vec<(&'static str, String)> {
    let v = view(e, Detail::Full, showing);
    let mut out = Vec::new();
    for (name, format) in [
        ("inspect", OutputFormat::Table),
        ("inspect -o json", OutputFormat::Json),
    ] {
        let mut buf = Vec::new();
        output::inspect(format, &v, &mut buf).expect("render");
        out.push((name, String::from_utf8(buf).expect("utf-8")));
    }
    let line =
        serde_json::to_string(&ArchivedEntry::redacted(e, "orders.DLT", showing)).expect("line");
    out.push(("export --redact", line));
    out
}

#[test]
fn no_secret_survives_inspect_or_export_in_any_placement() {
    let mut leaked = Vec::new();
    for secret in SECRETS {
        for place in places(secret.placed) {
            let (e, showing) = entry(&place, secret.placed);
            for (how, out) in rendered(&e, &showing) {
                if leaks(&out, secret.core) {
                    leaked.push(format!("{} in {} by {how}", secret.class, place.name()));
                }
            }
            // The control: revealed, every rendering shows the secret, so the placement is one
            // the output has and the check above can fail.
            let revealed = Showing {
                reveal: true,
                ..showing.clone()
            };
            for (how, out) in rendered(&e, &revealed) {
                assert!(
                    leaks(&out, secret.core),
                    "{} in {} is not shown by {how} even revealed: {out}",
                    secret.class,
                    place.name()
                );
            }
        }
    }
    assert!(
        leaked.is_empty(),
        "{} leaks:\n{}",
        leaked.len(),
        leaked.join("\n")
    );
}

#[test]
fn triage_values_stay_visible_in_inspect_and_export() {
    let mut hidden = Vec::new();
    for v in TRIAGE {
        for place in places(v) {
            let (e, showing) = entry(&place, v);
            for (how, out) in rendered(&e, &showing) {
                // JSON escapes a quote or a line break; the table may wrap a long value.
                let json = serde_json::to_string(v).expect("json");
                if !out.contains(v) && !out.contains(json.trim_matches('"')) && !leaks(&out, v) {
                    hidden.push(format!("{v:?} in {} by {how}", place.name()));
                }
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "{} hidden:\n{}",
        hidden.len(),
        hidden.join("\n")
    );
}

/// Generated secrets, one strategy per class; each yields (text placed, part never shown).
mod generated {
    use super::*;

    fn chars(alphabet: &'static str, n: std::ops::Range<usize>) -> impl Strategy<Value = String> {
        let a: Vec<char> = alphabet.chars().collect();
        proptest::collection::vec(proptest::sample::select(a), n)
            .prop_map(|v| v.into_iter().collect())
    }

    const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
    const DIGIT: &str = "0123456789";
    const HEX: &str = "0123456789abcdef";

    /// A random token with every third character a digit and both cases: the shape of keys
    /// services issue (base62), which the entropy rule promises to catch at 24 characters
    /// and more.
    pub(super) fn base62_token() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (chars(UPPER, 1..2), chars(LOWER, 1..2), chars(DIGIT, 1..2)),
            8..22,
        )
        .prop_map(|triples| {
            triples
                .into_iter()
                .enumerate()
                .map(|(i, (u, l, d))| {
                    if i % 2 == 0 {
                        format!("{u}{l}{d}")
                    } else {
                        format!("{l}{d}{u}")
                    }
                })
                .collect()
        })
    }

    fn entropy(s: &str) -> f64 {
        let mut counts = std::collections::HashMap::new();
        for c in s.chars() {
            *counts.entry(c).or_insert(0u32) += 1;
        }
        let n = s.chars().count() as f64;
        counts
            .values()
            .map(|&c| {
                let p = f64::from(c) / n;
                -p * p.log2()
            })
            .sum()
    }

    pub(super) fn hex_token() -> impl Strategy<Value = String> {
        chars(HEX, 32..65).prop_filter("above the hex entropy threshold, letters and digits", |t| {
            entropy(t) >= 3.2
                && t.bytes().any(|b| b.is_ascii_digit())
                && t.bytes().any(|b| b.is_ascii_alphabetic())
        })
    }

    fn luhn_complete(body: &str) -> String {
        for check in 0..10 {
            let candidate = format!("{body}{check}");
            if crate::domain::redact::luhn_valid(&candidate) {
                return candidate;
            }
        }
        unreachable!("one check digit completes any body")
    }

    pub(super) fn card() -> impl Strategy<Value = (String, String)> {
        (
            prop_oneof![Just("4"), Just("51"), Just("55")],
            chars(DIGIT, 14..15),
            0..3usize,
        )
            .prop_map(|(prefix, rest, style)| {
                let body: String = format!("{prefix}{rest}").chars().take(15).collect();
                let n = luhn_complete(&body);
                let shown = match style {
                    0 => n.clone(),
                    sep => n
                        .as_bytes()
                        .chunks(4)
                        .map(|c| std::str::from_utf8(c).expect("digits"))
                        .collect::<Vec<_>>()
                        .join(if sep == 1 { " " } else { "-" }),
                };
                (shown.clone(), shown)
            })
    }

    pub(super) fn ssn() -> impl Strategy<Value = (String, String)> {
        (1u32..900, 1u32..100, 1u32..10000)
            .prop_filter("issued areas", |(a, _, _)| *a != 666)
            .prop_map(|(a, g, s)| {
                let n = format!("{a:03}-{g:02}-{s:04}");
                (format!("SSN {n} on file"), n)
            })
    }

    pub(super) fn nino() -> impl Strategy<Value = (String, String)> {
        (
            chars("ABCEGHJKLMNOPRSTWXYZ", 1..2),
            chars("ABCEGHJKLMNPRSTWXYZ", 1..2),
            chars(DIGIT, 6..7),
            chars("ABCD", 1..2),
        )
            .prop_filter("allocated prefixes", |(a, b, _, _)| {
                !matches!(
                    format!("{a}{b}").as_str(),
                    "BG" | "GB" | "KN" | "NK" | "NT" | "TN" | "ZZ"
                )
            })
            .prop_map(|(a, b, d, s)| {
                let n = format!("{a}{b}{d}{s}");
                (format!("NI {n}"), n)
            })
    }

    pub(super) fn phone() -> impl Strategy<Value = (String, String)> {
        (
            1u32..999,
            proptest::collection::vec(chars(DIGIT, 2..5), 2..4),
            prop_oneof![Just(" "), Just("-")],
        )
            .prop_filter("8 to 15 digits", |(cc, groups, _)| {
                let n = cc.to_string().len() + groups.iter().map(String::len).sum::<usize>();
                (8..=15).contains(&n)
            })
            .prop_map(|(cc, groups, sep)| {
                let n = format!("+{cc}{sep}{}", groups.join(sep));
                (format!("call {n} today"), n)
            })
    }

    pub(super) fn email() -> impl Strategy<Value = (String, String)> {
        (
            chars(LOWER, 1..10),
            chars(LOWER, 2..10),
            prop_oneof![Just("com"), Just("org"), Just("io")],
        )
            .prop_map(|(user, host, tld)| {
                let e = format!("{user}.x@{host}.{tld}");
                (format!("notify {e}"), e)
            })
    }

    pub(super) fn provider() -> impl Strategy<Value = (String, String)> {
        let alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (
            prop_oneof![
                Just(("ghp_", 36usize)),
                Just(("sk_live_", 24)),
                Just(("npm_", 36)),
                Just(("xoxb-", 24)),
                Just(("glpat-", 20)),
                Just(("hvs.", 24)),
            ],
            chars(alnum, 40..41),
        )
            .prop_map(|((prefix, n), body)| {
                let t = format!("{prefix}{}", &body[..n]);
                (t.clone(), body[..n].to_string())
            })
    }

    pub(super) fn assignment() -> impl Strategy<Value = (String, String)> {
        (
            prop_oneof![
                Just("password"),
                Just("db_pass"),
                Just("client_secret"),
                Just("api_token"),
                Just("X-Auth-Token"),
                Just("AccountKey"),
                Just("SharedAccessKey"),
                Just("sessionKey"),
            ],
            prop_oneof![Just("="), Just(": "), Just("\": \"")],
            base62_token(),
        )
            .prop_map(|(name, sep, value)| (format!("{name}{sep}{value}"), value))
    }

    pub(super) fn random_token() -> impl Strategy<Value = (String, String)> {
        prop_oneof![base62_token(), hex_token()].prop_map(|t| (format!("token {t} expired"), t))
    }
}

fn any_secret() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        generated::card(),
        generated::ssn(),
        generated::nino(),
        generated::phone(),
        generated::email(),
        generated::provider(),
        generated::assignment(),
        generated::random_token(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_generated_secret_never_survives_inspect_or_export((placed, core) in any_secret(), at in 0usize..17) {
        let all = places(&placed);
        let place = &all[at % all.len()];
        let (e, showing) = entry(place, &placed);
        for (how, out) in rendered(&e, &showing) {
            prop_assert!(!leaks(&out, &core), "{placed:?} in {} by {how}: {out}", place.name());
        }
    }
}

#[test]
fn card_numbers_as_json_numbers_are_masked() {
    let (e, showing) = entry(&Place::Json("number", json!({})), "");
    let mut e = e;
    e.record.payload = Some(br#"{"card": 4111111111111111, "amount": 12}"#.to_vec());
    for (how, out) in rendered(&e, &showing) {
        assert!(!out.contains("4111111111111111"), "{how}: {out}");
        assert!(out.contains("12"), "{how}: {out}");
    }
}
