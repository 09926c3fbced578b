//! Redaction: what `dlq` masks before anything reaches a terminal or a script.
//!
//! Two rules. A JSON field or header whose *name* looks sensitive is masked whole, at any depth.
//! A *value* that looks like a secret or personal data (a Luhn-valid card number, an email
//! address, a JWT, a bearer token, a cloud access key) is masked wherever it appears: JSON
//! strings, text payloads, keys, header values, error messages and stack traces. Every mask
//! records the path it was applied at, so the output can list what was hidden.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::Value;

pub const MASK: &str = "[REDACTED]";

/// Collects the paths that were masked, in order, without repeats.
#[derive(Debug, Default, Clone)]
pub struct Masked(pub Vec<String>);

impl Masked {
    pub fn add(&mut self, path: &str) {
        if !self.0.iter().any(|p| p == path) {
            self.0.push(path.to_string());
        }
    }
}

/// Word parts of a field name: `cardNumber`, `card_number`, `Card-Number` → `card`, `number`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Single words that make a name sensitive.
const SENSITIVE_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "authorization",
    "auth",
    "credential",
    "credentials",
    "cookie",
    "jwt",
    "bearer",
    "otp",
    "pin",
    "pan",
    "cvv",
    "cvv2",
    "cvc",
    "ssn",
    "email",
    "phone",
    "mobile",
    "msisdn",
    "iban",
    "dob",
    "passport",
    "creditcard",
    "cardnumber",
    "accesskey",
    "privatekey",
    "signature",
];

/// Adjacent word pairs that make a name sensitive.
const SENSITIVE_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("card", "number"),
    ("card", "no"),
    ("credit", "card"),
    ("cc", "number"),
    ("account", "number"),
    ("routing", "number"),
    ("social", "security"),
    ("tax", "id"),
    ("session", "id"),
    ("e", "mail"),
    ("birth", "date"),
    ("date", "birth"),
    ("security", "code"),
];

/// Does this JSON field or header name look sensitive?
pub fn is_sensitive_name(name: &str) -> bool {
    let w = words(name);
    if w.iter().any(|w| SENSITIVE_WORDS.contains(&w.as_str())) {
        return true;
    }
    // "date of birth": skip filler words when pairing.
    let content: Vec<&str> = w
        .iter()
        .map(String::as_str)
        .filter(|w| !matches!(*w, "of" | "the"))
        .collect();
    content
        .windows(2)
        .any(|p| SENSITIVE_PAIRS.contains(&(p[0], p[1])))
}

struct Pattern {
    kind: &'static str,
    re: Regex,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |kind, re: &str| Pattern {
        kind,
        re: Regex::new(re).expect("redaction pattern"),
    };
    vec![
        p(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        ),
        p("bearer-token", r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*"),
        p(
            "aws-access-key",
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b",
        ),
        p("google-api-key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        p("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        p("slack-token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
        p(
            "email",
            r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b",
        ),
        // Card numbers, Luhn-checked below: 13 to 19 contiguous digits, or grouped as printed
        // on cards (4-4-4-4, 4-4-4-4-3, Amex 4-6-5) with spaces or dashes. Issuers' numbers
        // start with 2 to 6, which keeps epoch-millisecond timestamps (starting with 1) out.
        p(
            "card-number",
            concat!(
                r"\b(?:[2-6]\d{12,18}",
                r"|[2-6]\d{3} \d{4} \d{4} \d{4}(?: \d{3})?|[2-6]\d{3}-\d{4}-\d{4}-\d{4}(?:-\d{3})?",
                r"|3\d{3} \d{6} \d{5}|3\d{3}-\d{6}-\d{5})\b",
            ),
        ),
    ]
});

pub fn luhn_valid(digits: &str) -> bool {
    let ds: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&ds.len()) {
        return false;
    }
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The redaction rules in force: the built-in ones plus the user's (context keys
/// `redact-fields`/`redact-patterns`, flags `--redact-field`/`--redact-pattern`). Users can add
/// rules, never remove built-in ones.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Field and header names masked whole, as word lists (`order_ref` also matches `orderRef`).
    fields: Vec<Vec<String>>,
    /// Values masked wherever they appear, shown as `[REDACTED:custom]`.
    patterns: Vec<Regex>,
}

impl Redactor {
    /// The built-in rules plus these. A pattern that is not a valid regex is an error.
    pub fn with_rules(fields: &[String], patterns: &[String]) -> Result<Self, String> {
        let fields = fields
            .iter()
            .map(|f| words(f))
            .filter(|w| !w.is_empty())
            .collect();
        let patterns = patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("redaction pattern '{p}': {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Redactor { fields, patterns })
    }

    /// Does this field or header name look sensitive, by the built-in or the user's rules?
    pub fn is_sensitive_name(&self, name: &str) -> bool {
        is_sensitive_name(name) || (!self.fields.is_empty() && self.fields.contains(&words(name)))
    }

    /// Masks sensitive-looking values inside free text. Records `path` when anything was masked.
    ///
    /// Passes repeat until one changes nothing: a mask can give a neighbour the word boundary
    /// its pattern needs (`AKIA…EXAMPLECUST-123456`: once `CUST-123456` is masked, the access
    /// key stands alone), and what is shown must not be something a pass would still mask
    /// (found by fuzzing, `scripts/fuzz.sh redact`).
    pub fn redact_text<'a>(&self, text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
        let mut out = self.pass(text, path, masked);
        for _ in 0..8 {
            let Cow::Owned(current) = &out else { break };
            match self.pass(current, path, masked) {
                Cow::Borrowed(_) => break,
                Cow::Owned(next) => out = Cow::Owned(next),
            }
        }
        out
    }

    fn pass<'a>(&self, text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
        let mut out = builtin_pass(text, path, masked);
        for re in &self.patterns {
            if re.is_match(&out) {
                out = Cow::Owned(re.replace_all(&out, "[REDACTED:custom]").into_owned());
                masked.add(path);
            }
        }
        out
    }

    /// Masks a JSON document in place: sensitive names whole, sensitive-looking values by pattern.
    pub fn redact_json(&self, value: &mut Value, path: &str, masked: &mut Masked) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let child = format!("{path}.{k}");
                    if self.is_sensitive_name(k) && !v.is_null() {
                        *v = Value::String(MASK.to_string());
                        masked.add(&child);
                    } else {
                        self.redact_json(v, &child, masked);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.redact_json(v, &format!("{path}[{i}]"), masked);
                }
            }
            Value::String(s) => {
                if let Cow::Owned(r) = self.redact_text(s, path, masked) {
                    *s = r;
                }
            }
            Value::Number(n) => {
                let digits = n.to_string();
                let card = digits.len() >= 13
                    && digits.starts_with(['2', '3', '4', '5', '6'])
                    && luhn_valid(&digits);
                if card || self.patterns.iter().any(|re| re.is_match(&digits)) {
                    let kind = if card { "card-number" } else { "custom" };
                    *value = Value::String(format!("[REDACTED:{kind}]"));
                    masked.add(path);
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// Masks sensitive-looking values inside free text by the built-in patterns. Records `path`
/// when anything was masked.
pub fn redact_text<'a>(text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
    Redactor::default().redact_text(text, path, masked)
}

/// One pass of the built-in patterns.
fn builtin_pass<'a>(text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for p in PATTERNS.iter() {
        if !p.re.is_match(&out) {
            continue;
        }
        let mut hit = false;
        let replaced = p.re.replace_all(&out, |c: &Captures| {
            let m = &c[0];
            if p.kind == "card-number" && !luhn_valid(m) {
                return m.to_string();
            }
            hit = true;
            format!("[REDACTED:{}]", p.kind)
        });
        if hit {
            out = Cow::Owned(replaced.into_owned());
            masked.add(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_names_in_every_spelling() {
        for name in [
            "password",
            "userPassword",
            "db_password",
            "client_secret",
            "accessToken",
            "api_key",
            "apiKey",
            "X-Api-Key",
            "Authorization",
            "cardNumber",
            "card_number",
            "credit_card",
            "cvv",
            "ssn",
            "email",
            "emailAddress",
            "phone",
            "phoneNumber",
            "iban",
            "private_key",
            "date_of_birth",
            "AWS_ACCESS_KEY_ID",
            "pin",
        ] {
            assert!(is_sensitive_name(name), "{name} should be sensitive");
        }
        for name in [
            "classname",
            "exception_class_name",
            "amount",
            "order_id",
            "topic",
            "lessons",
            "spinner",
            "company",
            "author",
        ] {
            assert!(!is_sensitive_name(name), "{name} should not be sensitive");
        }
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(luhn_valid("5555-5555-5555-4444"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
        assert!(!luhn_valid("411111"));
    }

    #[test]
    fn json_masks_names_at_any_depth_and_values_anywhere() {
        let mut v = json!({
            "order": {"id": 7, "customer": {"email": "a@b.io", "name": "Ann"},
                      "payment": {"card_number": "4111111111111111", "cvv": 123}},
            "note": "call me at ann@example.com or charge 4111-1111-1111-1111",
            "items": [{"sku": "x", "apiKey": "k"}],
            "raw_card": 4111111111111111u64,
            "ts": 1700000000000u64,
            "empty_token": null
        });
        let mut m = Masked::default();
        Redactor::default().redact_json(&mut v, "payload", &mut m);
        assert_eq!(v["order"]["customer"]["email"], MASK);
        assert_eq!(v["order"]["customer"]["name"], "Ann");
        assert_eq!(v["order"]["payment"]["card_number"], MASK);
        assert_eq!(v["order"]["payment"]["cvv"], MASK);
        assert_eq!(v["items"][0]["apiKey"], MASK);
        assert_eq!(
            v["note"],
            "call me at [REDACTED:email] or charge [REDACTED:card-number]"
        );
        assert_eq!(v["raw_card"], "[REDACTED:card-number]");
        assert_eq!(v["ts"], 1700000000000u64, "timestamps are not card numbers");
        assert!(v["empty_token"].is_null());
        assert_eq!(
            m.0,
            vec![
                "payload.order.customer.email",
                "payload.order.payment.card_number",
                "payload.order.payment.cvv",
                "payload.note",
                "payload.items[0].apiKey",
                "payload.raw_card",
            ]
        );
    }

    #[test]
    fn text_patterns() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let text = format!(
            "auth failed: Authorization: Bearer abcdefghijklmnop123 jwt={jwt} key AKIAIOSFODNN7EXAMPLE user bob@corp.example"
        );
        let mut m = Masked::default();
        let out = redact_text(&text, "error_message", &mut m);
        assert!(!out.contains("abcdefghijklmnop123"), "{out}");
        assert!(!out.contains("eyJ"), "{out}");
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        assert!(!out.contains("bob@corp.example"), "{out}");
        assert_eq!(m.0, vec!["error_message"]);
    }

    #[test]
    fn card_numbers_as_written_on_cards_are_masked() {
        for card in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "5555-5555-5555-4444",
            "378282246310005",
            "3782 822463 10005",
        ] {
            let mut m = Masked::default();
            let text = format!("card {card} declined");
            let out = redact_text(&text, "p", &mut m);
            assert_eq!(out, "card [REDACTED:card-number] declined", "{card}");
        }
    }

    #[test]
    fn ids_with_digit_runs_and_dashes_are_not_card_numbers() {
        // Regression: a topic named with a 12-digit run and a counter was masked when the
        // digits happened to pass Luhn.
        for text in [
            "orders-480691980806-1",
            "order 4806919808-06-12",
            "4111-1111-1111-111",
            "v2-4111 1111 1111 111",
        ] {
            let mut m = Masked::default();
            assert_eq!(redact_text(text, "p", &mut m), text, "{text}");
        }
    }

    #[test]
    fn the_users_rules_add_to_the_built_in_ones() {
        let r = Redactor::with_rules(
            &["order_ref".into()],
            &[r"CUST-\d{6}".into(), r"^4242\d+$".into()],
        )
        .unwrap();
        let mut v = json!({"orderRef": "R-1", "ORDER-REF": "R-2", "order": "kept",
                           "note": "customer CUST-123456 failed", "password": "x",
                           "n": 42420000});
        let mut m = Masked::default();
        r.redact_json(&mut v, "payload", &mut m);
        assert_eq!(v["orderRef"], MASK);
        assert_eq!(v["ORDER-REF"], MASK);
        assert_eq!(v["order"], "kept");
        assert_eq!(v["note"], "customer [REDACTED:custom] failed");
        assert_eq!(v["password"], MASK, "built-in rules stay");
        assert_eq!(v["n"], "[REDACTED:custom]");
        assert!(r.is_sensitive_name("order_ref") && !r.is_sensitive_name("order"));
        let err = Redactor::with_rules(&[], &["(".into()]).unwrap_err();
        assert!(err.contains("redaction pattern '('"), "{err}");
    }

    #[test]
    fn a_mask_that_frees_a_neighbour_is_followed_by_another_pass() {
        let r = Redactor::with_rules(&[], &[r"CUST-\d{6}".into()]).unwrap();
        let mut m = Masked::default();
        let out = r.redact_text("key AKIAIOSFODNN7EXAMPLECUST-123456 seen", "p", &mut m);
        assert_eq!(out, "key [REDACTED:aws-access-key][REDACTED:custom] seen");
        assert_eq!(
            r.redact_text(&out, "p", &mut m),
            out,
            "nothing left to mask"
        );
    }

    #[test]
    fn clean_text_is_borrowed_and_unrecorded() {
        let mut m = Masked::default();
        let out = redact_text("order 1234 failed: timeout", "error_message", &mut m);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert!(m.0.is_empty());
    }
}
