//! `replay --patch`: repair a dead letter's payload before it is sent back. A patch is a jq
//! program (run by jaq), an RFC 6902 JSON Patch document, or (`dlq edit`) the whole value a
//! person saved; it works on the payload's JSON value, and the result is written back as JSON
//! text. An entry whose patch fails, yields no value or several, or whose payload is not JSON,
//! is not sent: it is skipped with the reason, never sent half-made.
//!
//! The copy carries `dlq-patched: sha256:…` (a hash of the program, or of the saved value) next
//! to the replay markers, so consumers and later triage can tell a repaired message.
//!
//! jq programs run without access to the environment (`env`, `$ENV`) or to stderr (`debug`,
//! `stderr`: they would print payloads), and `halt` ends the program, not dlq.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Ctx, Vars};
use jaq_json::Val;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::decode::Decoder;

/// The header a patched copy carries.
pub(crate) const PATCHED: &str = "dlq-patched";

/// jaq's filters that reach outside the payload: the environment and stderr (natives, and the
/// definitions built on them).
const WITHHELD: &[&str] = &["env", "debug_empty", "stderr_empty", "input", "now"];
const WITHHELD_DEFS: &[&str] = &["debug", "stderr", "halt_error", "input", "inputs"];

type Filter = jaq_core::Filter<data::JustLut<Val>>;

enum Program {
    Jq(Filter),
    JsonPatch(json_patch::Patch),
    Replace(Value),
}

/// A compiled patch.
pub(crate) struct Patch {
    program: Program,
    /// `sha256:` and 16 hex digits of what the patch is made from.
    pub(crate) id: String,
}

impl std::fmt::Debug for Patch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Patch({})", self.id)
    }
}

fn id_of(text: &[u8]) -> String {
    let digest = Sha256::digest(text);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `line:column` of byte `at` in `source`, and the line with a caret under it.
fn locate(source: &str, at: usize) -> String {
    let at = at.min(source.len());
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[start..at].chars().count() + 1;
    let text = source[start..].lines().next().unwrap_or("");
    format!(
        "at line:column {line}:{column}\n| {text}\n| {:>column$}",
        "^"
    )
}

/// Where a slice of `source` (as jaq's errors give them) begins.
fn offset_in(source: &str, part: &str) -> usize {
    let (s, p) = (source.as_ptr() as usize, part.as_ptr() as usize);
    if p >= s && p <= s + source.len() {
        p - s
    } else {
        0
    }
}

impl Patch {
    /// Compiles a jq program; the error says where it is wrong.
    pub(crate) fn jq(code: &str) -> Result<Patch, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .filter(|d| !WITHHELD_DEFS.contains(&d.name));
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .filter(|(name, _, _)| !WITHHELD.contains(name));
        let arena = Arena::default();
        let loader = Loader::new(defs);
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let mut words = Vec::new();
                for (_, e) in errors {
                    match e {
                        jaq_core::load::Error::Io(io) => {
                            words.extend(io.into_iter().map(|(path, why)| format!("{path}: {why}")))
                        }
                        jaq_core::load::Error::Lex(lex) => {
                            words.extend(lex.into_iter().map(|(expected, at)| {
                                format!(
                                    "expected {} {}",
                                    expected.as_str(),
                                    locate(code, offset_in(code, at))
                                )
                            }))
                        }
                        jaq_core::load::Error::Parse(parse) => {
                            words.extend(parse.into_iter().map(|(expected, at)| {
                                format!(
                                    "expected {} {}",
                                    expected.as_str(),
                                    locate(code, offset_in(code, at))
                                )
                            }))
                        }
                    }
                }
                format!(
                    "--patch: the jq program does not parse: {}",
                    words.join("; ")
                )
            })?;
        let filter = jaq_core::Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let words: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, es)| es)
                    .map(|(name, undefined)| {
                        let what = match undefined {
                            jaq_core::compile::Undefined::Filter(arity) => {
                                format!("filter {name}/{arity}")
                            }
                            other => format!("{other:?} {name}").to_lowercase(),
                        };
                        let withheld = if WITHHELD.iter().chain(WITHHELD_DEFS).any(|w| *w == name)
                            || name.starts_with("$ENV")
                            || name == "ENV"
                        {
                            " (dlq runs patches without the environment, input or stderr)"
                        } else {
                            ""
                        };
                        format!(
                            "undefined {what}{withheld} {}",
                            locate(code, offset_in(code, name))
                        )
                    })
                    .collect();
                format!("--patch: {}", words.join("; "))
            })?;
        Ok(Patch {
            program: Program::Jq(filter),
            id: id_of(code.as_bytes()),
        })
    }

    /// `--patch-file`: a JSON array is an RFC 6902 JSON Patch document, anything else a jq
    /// program.
    pub(crate) fn from_file_text(text: &str) -> Result<Patch, String> {
        if text.trim_start().starts_with('[') {
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                let doc: json_patch::Patch = serde_json::from_value(v).map_err(|e| {
                    format!("--patch-file: a JSON array, but not an RFC 6902 JSON Patch: {e}")
                })?;
                return Ok(Patch {
                    program: Program::JsonPatch(doc),
                    id: id_of(text.as_bytes()),
                });
            }
        }
        Patch::jq(text)
    }

    /// The value a person saved (`dlq edit`): every entry it applies to becomes it.
    pub(crate) fn replace(v: Value) -> Patch {
        let id = id_of(&serde_json::to_vec(&v).unwrap_or_default());
        Patch {
            program: Program::Replace(v),
            id,
        }
    }

    /// The patched value, or why there is none.
    pub(crate) fn apply(&self, v: &Value) -> Result<Value, String> {
        match &self.program {
            Program::Replace(new) => Ok(new.clone()),
            Program::JsonPatch(doc) => {
                let mut out = v.clone();
                json_patch::patch(&mut out, doc)
                    .map_err(|e| format!("the JSON Patch failed: {e}"))?;
                Ok(out)
            }
            Program::Jq(filter) => {
                let text = serde_json::to_vec(v).map_err(|e| e.to_string())?;
                let input = jaq_json::read::parse_single(&text).map_err(|e| e.to_string())?;
                let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
                let mut outputs = Vec::new();
                for out in filter.id.run((ctx, input)) {
                    match out {
                        Ok(val) => outputs.push(val),
                        Err(exn) => {
                            return Err(match exn.get_err() {
                                Ok(e) => format!("the jq program failed: {e}"),
                                Err(_) => "the jq program halted".into(),
                            })
                        }
                    }
                    if outputs.len() > 1 {
                        return Err(
                            "the jq program gave more than one value; a patch gives one".into()
                        );
                    }
                }
                let Some(val) = outputs.pop() else {
                    return Err("the jq program gave no value (empty)".into());
                };
                serde_json::from_str(&val.to_string())
                    .map_err(|e| format!("the jq program gave a value that is not JSON ({e})"))
            }
        }
    }
}

/// What a patch made of one payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Patched {
    /// The new payload, with the values before and after (for a preview).
    Changed {
        payload: Vec<u8>,
        before: Value,
        after: Value,
    },
    /// The patch left the value as it was: the payload is sent as it was.
    Unchanged,
    /// Not sent: why.
    Failed(String),
}

/// Applies `patch` to a payload: read as `decoder` reads it for a patch (JSON text, or Avro with
/// its writer schema), written back the same way.
pub(crate) fn patch_payload(
    patch: &Patch,
    payload: Option<&[u8]>,
    decoder: &Decoder,
    schema_version: Option<&[u8]>,
) -> Patched {
    let Some(bytes) = payload else {
        return Patched::Failed("the patch has no payload to work on (a tombstone)".into());
    };
    let (before, writer) = match decoder.for_patch(bytes, schema_version) {
        Ok(read) => read,
        Err(why) => return Patched::Failed(why),
    };
    match patch.apply(&before) {
        Err(why) => Patched::Failed(why),
        Ok(after) if after == before => Patched::Unchanged,
        Ok(after) => match writer.encode(&after) {
            Ok(payload) => Patched::Changed {
                payload,
                before,
                after,
            },
            Err(e) => Patched::Failed(format!(
                "the patched value cannot be written as {}: {e}",
                writer.name()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn applied(program: &str, input: Value) -> Result<Value, String> {
        Patch::jq(program)?.apply(&input)
    }

    #[test]
    fn a_jq_program_renames_a_field() {
        let out = applied(
            ".customer_id = .customerId | del(.customerId)",
            json!({"customerId": 7, "amount": 1.5}),
        );
        assert_eq!(out, Ok(json!({"customer_id": 7, "amount": 1.5})));
        assert_eq!(
            applied(
                "if .status == \"NEW\" then .status = \"CREATED\" else . end",
                json!({"status": "NEW"})
            ),
            Ok(json!({"status": "CREATED"}))
        );
    }

    #[test]
    fn bad_programs_say_where_and_never_reach_outside() {
        let e = Patch::jq(".a |").unwrap_err();
        assert!(
            e.starts_with("--patch: the jq program does not parse"),
            "{e}"
        );
        let e = Patch::jq(".a | nosuchfilter(1)").unwrap_err();
        assert!(
            e.contains("undefined filter nosuchfilter/1 at line:column 1:6"),
            "{e}"
        );
        for outside in ["env", "$ENV", "debug", "input", "stderr"] {
            let e = Patch::jq(outside).unwrap_err();
            assert!(e.contains("undefined"), "{outside}: {e}");
        }
        // `halt` ends the program, not dlq.
        assert_eq!(
            applied("halt", json!(1)),
            Err("the jq program halted".into())
        );
        assert!(applied("error(\"no\")", json!(1))
            .unwrap_err()
            .contains("failed"));
        assert!(applied("empty", json!(1)).unwrap_err().contains("no value"));
        assert!(applied(".[]", json!([1, 2]))
            .unwrap_err()
            .contains("more than one"));
    }

    #[test]
    fn a_json_patch_document_is_applied_and_a_failing_one_says_why() {
        let p = Patch::from_file_text(
            r#"[{"op": "move", "from": "/customerId", "path": "/customer_id"}]"#,
        )
        .unwrap();
        assert_eq!(
            p.apply(&json!({"customerId": 7})),
            Ok(json!({"customer_id": 7}))
        );
        assert!(p
            .apply(&json!({"other": 1}))
            .unwrap_err()
            .contains("JSON Patch failed"));
        // Not a JSON array: a jq program.
        let q = Patch::from_file_text(".a = 1\n").unwrap();
        assert_eq!(q.apply(&json!({})), Ok(json!({"a": 1})));
        assert_ne!(p.id, q.id);
        assert!(p.id.starts_with("sha256:") && p.id.len() == 23);
    }

    #[test]
    fn payloads_are_changed_left_alone_or_refused() {
        let p = Patch::jq(".fixed = true").unwrap();
        let d = Decoder::default();
        let patch_payload = |p: &Patch, b: Option<&[u8]>| patch_payload(p, b, &d, None);
        match patch_payload(&p, Some(br#"{"fixed": false}"#)) {
            Patched::Changed { payload, .. } => assert_eq!(payload, br#"{"fixed":true}"#),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            patch_payload(&p, Some(br#"{"fixed": true}"#)),
            Patched::Unchanged
        );
        assert!(matches!(
            patch_payload(&p, Some(b"\x00\x01avro")),
            Patched::Failed(_)
        ));
        assert!(matches!(patch_payload(&p, None), Patched::Failed(_)));
    }
}
