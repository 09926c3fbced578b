//! The redactor on arbitrary text and JSON, with the built-in rules and a user's; masking must
//! never panic, and a second pass must find nothing new to mask.
#![no_main]

use std::sync::LazyLock;

use domain::redact::{Masked, Redactor};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/domain/mod.rs"]
mod domain;

static RULES: LazyLock<Vec<Redactor>> = LazyLock::new(|| {
    vec![
        Redactor::default(),
        Redactor::with_rules(&["order_ref".into()], &[r"CUST-\d{6}".into()]).expect("rules"),
    ]
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for r in RULES.iter() {
        let mut masked = Masked::default();
        let once = r.redact_text(&text, "payload", &mut masked).into_owned();
        let mut again = Masked::default();
        let twice = r.redact_text(&once, "payload", &mut again);
        assert_eq!(once, twice, "redaction is idempotent");
        // The same text as a string field of a JSON document (JSON inside a string, when the
        // text is one, is redacted as JSON and re-serialised): idempotent too.
        let mut doc = serde_json::json!({ "wire": text.as_ref() });
        r.redact_json(&mut doc, "payload", &mut Masked::default());
        let once_doc = doc.clone();
        r.redact_json(&mut doc, "payload", &mut Masked::default());
        assert_eq!(once_doc, doc, "JSON-in-string redaction is idempotent");
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(data) {
            r.redact_json(&mut v, "payload", &mut masked);
            let once = v.clone();
            r.redact_json(&mut v, "payload", &mut Masked::default());
            assert_eq!(once, v, "JSON redaction is idempotent");
        }
    }
});
