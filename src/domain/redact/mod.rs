//! Redaction: what `dlq` masks before anything reaches a terminal or a script.
//!
//! Two rules. A JSON field or header whose *name* looks sensitive is masked whole, at any depth
//! (a name with a weak secret word, `AccountKey`, `session`, only when its value looks like a
//! credential). A *value* that looks like a secret or personal data is masked wherever it
//! appears: JSON strings, text payloads, keys, header values, error messages and stack traces.
//! Values are found by list (a private-key PEM block, HTTP Basic, Digest or Bearer credentials,
//! a password in a URL, known providers' token forms) and by shape (`shape.rs`): any
//! `name=value` / `name: value` / `;name=value;` whose name has a secret word part, random-looking
//! base64 and hex tokens, and checked personal data (Luhn-valid cards, mod-97-valid IBANs, US
//! SSNs in issued ranges, UK National Insurance numbers, international phone numbers, e-mail
//! addresses). Each mask names its detector: `[REDACTED:ssn]`. docs/REDACTION.md says what each
//! catches and keeps, with the rates measured by `corpus.rs`. Text that is itself a JSON object or array (a JSON document a producer
//! serialised into a string field, or a header) is parsed and redacted as JSON at any depth, then
//! shown as the string it was. Every mask records the path it was applied at, so the output can
//! list what was hidden.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};
use serde_json::Value;

#[cfg(test)]
pub(crate) mod corpus;
mod recall;
mod shape;

pub(crate) use recall::Recall;

pub(crate) const MASK: &str = "[REDACTED]";

/// Collects the paths that were masked, in order, without repeats.
#[derive(Debug, Default, Clone)]
pub(crate) struct Masked(pub Vec<String>);

impl Masked {
    pub(crate) fn add(&mut self, path: &str) {
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
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let w = words(name);
    if w.iter()
        .any(|w| SENSITIVE_WORDS.contains(&w.as_str()) || shape::SECRET_WORDS.contains(&w.as_str()))
    {
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
    /// The match's capture groups `prefix` and `suffix` are kept and the group `secret` masked
    /// (`password=…`, `https://user:…@host`); otherwise the whole match is masked.
    keeps_context: bool,
}

/// `name=value`, `name: value`, `"name": "value"`, `;name=value;` in free text (connection
/// strings, URL queries, `.properties`, YAML, env dumps, stack traces): the name and its
/// separator. Whether the value is a secret is decided by the name's words, and where it ends
/// by `value_at` (`assignments`).
static NAME_SEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?P<name>\b[A-Za-z_][\w.\-]*)["']?\s*[=:]\s*"#).expect("assignment pattern")
});

/// The longest value a name with a weak secret word (`AccountKey`) is checked for: a credential
/// is shorter, and the bound keeps hostile text linear.
const MAX_WEAK_VALUE: usize = 1024;
/// The longest quoted value looked for.
const MAX_QUOTED_VALUE: usize = 4096;

/// Where the value starting at `at` ends: a quoted string (with its quotes), an authorization
/// scheme and its credentials (`Token abc`), or a bare token up to a delimiter. For a weak name
/// (`weak`) a bare value stops at `=` except for base64's trailing padding, and is not followed
/// past [`MAX_WEAK_VALUE`]; `None` when there is no value, or none short enough.
fn value_end(text: &str, at: usize, weak: bool) -> Option<usize> {
    let rest = &text[at..];
    let bytes = rest.as_bytes();
    let q = *bytes.first()?;
    if q == b'"' || q == b'\'' {
        let mut i = 1;
        let window = bytes.len().min(MAX_QUOTED_VALUE);
        while i < window {
            match bytes[i] {
                b'\\' => i += 2,
                b if b == q => return Some(at + i + 1),
                _ => i += 1,
            }
        }
        return None;
    }
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"\"',;&)}]".contains(&b);
    let bare_from = |from: usize| -> usize {
        let mut i = from;
        while i < bytes.len() && !delimiter(bytes[i]) {
            if weak && bytes[i] == b'=' {
                // Padding ends a weak value; `=` inside it starts another assignment.
                let pad = bytes[i..].iter().take_while(|b| **b == b'=').count();
                let after = bytes.get(i + pad).copied();
                return if after.is_none_or(delimiter) {
                    i + pad
                } else {
                    i
                };
            }
            i += 1;
            if weak && i > MAX_WEAK_VALUE {
                return usize::MAX;
            }
        }
        i
    };
    // An authorization scheme: `Token abc`, `Bearer abc` (after `Authorization:`).
    let word = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let scheme = rest[..word].to_ascii_lowercase();
    let blanks = bytes[word..]
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if !weak
        && blanks > 0
        && matches!(
            scheme.as_str(),
            "basic" | "bearer" | "token" | "digest" | "negotiate" | "apikey" | "key"
        )
    {
        let end = bare_from(word + blanks);
        if end > word + blanks {
            return Some(at + end);
        }
    }
    match bare_from(0) {
        0 | usize::MAX => None,
        end => Some(at + end),
    }
}

/// Candidate tokens for the entropy rule: runs of base64/base64url characters.
static TOKEN_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/_\-]{20,}={0,2}").expect("token run"));

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |kind, re: &str| Pattern {
        kind,
        re: Regex::new(re).expect("redaction pattern"),
        keeps_context: false,
    };
    let keep = |kind, re: &str| Pattern {
        kind,
        re: Regex::new(re).expect("redaction pattern"),
        keeps_context: true,
    };
    vec![
        // A private key in PEM, any type, with real line breaks or `\n` escapes; a block cut off
        // before its END line is masked to the end of the text.
        p(
            "private-key",
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]*-----|[\s\S]*)",
        ),
        // `scheme://user:secret@host`: the URL stays readable, the password does not.
        keep(
            "url-credentials",
            r"(?P<prefix>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@\[\]]+:)(?P<secret>[^\s@/]+)(?P<suffix>@)",
        ),
        // HTTP credentials wherever they appear (an Authorization header repeated in an error
        // message, a curl command in a stack trace).
        p(
            "basic-credentials",
            r"(?i)\bbasic\s+[A-Za-z0-9+/]{6,}={0,2}",
        ),
        p(
            "digest-credentials",
            r#"(?i)\bdigest\s+[a-z]+=(?:"[^"]*"|[^\s,]+)(?:\s*,\s*[a-z\-]+=(?:"[^"]*"|[^\s,]+))*"#,
        ),
        p("bearer-token", r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*"),
        p(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        ),
        p(
            "aws-access-key",
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b",
        ),
        p("google-api-key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        p("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        p("github-token", r"\bgithub_pat_[A-Za-z0-9_]{22,}"),
        p("slack-token", r"\bxox[a-z]-[A-Za-z0-9-]{10,}\b"),
        p("stripe-key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"),
        p("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        p("vault-token", r"\bhv[sbr]\.[A-Za-z0-9_\-]{20,}"),
        p("gitlab-token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
        p(
            "sendgrid-key",
            r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}",
        ),
        p("pypi-token", r"\bpypi-[A-Za-z0-9_\-]{50,}"),
        p("api-key", r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}"),
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
        // US social security numbers in the ranges the SSA issues (checked below).
        p("ssn", r"\b\d{3}-\d{2}-\d{4}\b"),
        // UK National Insurance numbers, with the prefixes HMRC allocates (checked below).
        p(
            "uk-nino",
            r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        ),
        // Phone numbers in international form: `+`, a country code, 8 to 15 digits in all
        // (checked below), grouped by spaces, dashes or a bracketed area code. Not after a
        // letter or digit (`1e+10`).
        p(
            "phone",
            r"\B\+[1-9]\d{0,3}(?:[ \-]?(?:\(\d{1,4}\)|\d{1,4})){1,6}\b",
        ),
        // IBANs, mod-97 checked below: a country code, two check digits, then 11 to 30
        // letters and digits, compact or in groups of four.
        p(
            "iban",
            r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b",
        ),
    ]
});

/// `Basic <base64>` whose base64 decodes to `user:password` (so "basic validation" is no
/// secret).
fn basic_credentials(m: &str) -> bool {
    use base64::Engine as _;
    let token = m.split_whitespace().nth(1).unwrap_or("");
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(token)
        .is_ok_and(|bytes| bytes.contains(&b':'))
}

/// The IBAN check (ISO 13616): the first four characters moved to the end, letters as 10..35,
/// the number modulo 97 is 1.
pub(crate) fn iban_valid(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

pub(crate) fn luhn_valid(digits: &str) -> bool {
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
pub(crate) struct Redactor {
    /// Field and header names masked whole, as word lists (`order_ref` also matches `orderRef`).
    fields: Vec<Vec<String>>,
    /// Values masked wherever they appear, shown as `[REDACTED:custom]`.
    patterns: Vec<Regex>,
    /// Allow-list mode: every payload field, header value and the key are masked unless named
    /// here (as word lists; `key` names the key, `payload` a payload that is not JSON). What
    /// is shown is still redacted by the rules above.
    allow: Option<Vec<Vec<String>>>,
}

impl Redactor {
    /// The built-in rules plus these. A pattern that is not a valid regex is an error.
    pub(crate) fn with_rules(fields: &[String], patterns: &[String]) -> Result<Self, String> {
        let fields = fields
            .iter()
            .map(|f| words(f))
            .filter(|w| !w.is_empty())
            .collect();
        let patterns = patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("redaction pattern '{p}': {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Redactor {
            fields,
            patterns,
            allow: None,
        })
    }

    /// Switches to allow-list mode, showing only these names (more can be added later).
    pub(crate) fn allow_only(mut self, names: &[String]) -> Self {
        let allow = self.allow.get_or_insert_with(Vec::new);
        allow.extend(names.iter().map(|n| words(n)).filter(|w| !w.is_empty()));
        self
    }

    /// In allow-list mode, whether `name` (a payload field, a header, `key`, `payload`) may be
    /// shown; always true otherwise.
    pub(crate) fn allows(&self, name: &str) -> bool {
        self.allow
            .as_ref()
            .is_none_or(|allow| allow.contains(&words(name)))
    }

    /// Does this field or header name look sensitive, by the built-in or the user's rules?
    pub(crate) fn is_sensitive_name(&self, name: &str) -> bool {
        is_sensitive_name(name) || (!self.fields.is_empty() && self.fields.contains(&words(name)))
    }

    /// Is a header or field with this name and text value a secret: a sensitive name, or a weak
    /// secret word (`AccountKey`) with a value that looks like a credential?
    pub(crate) fn is_secret(&self, name: &str, value: &str) -> bool {
        self.is_sensitive_name(name) || is_secret(name, value)
    }

    /// Masks sensitive-looking values inside free text. Records `path` when anything was masked.
    ///
    /// Passes repeat until one changes nothing: a mask can give a neighbour the word boundary
    /// its pattern needs (`AKIA…EXAMPLECUST-123456`: once `CUST-123456` is masked, the access
    /// key stands alone), and what is shown must not be something a pass would still mask
    /// (found by fuzzing, `scripts/fuzz.sh redact`).
    pub(crate) fn redact_text<'a>(
        &self,
        text: &'a str,
        path: &str,
        masked: &mut Masked,
    ) -> Cow<'a, str> {
        match self.redact_embedded_json(text, path, masked) {
            // A JSON document: redacted as JSON, field by field (values by the same patterns);
            // the text patterns are not run over its syntax as well, or a second pass would
            // find `"password": null` and mask the null (found by fuzzing).
            Embedded::Masked(redacted) => return Cow::Owned(redacted),
            Embedded::Clean => return Cow::Borrowed(text),
            Embedded::NotJson => {}
        }
        let mut out = self.pass(text, path, masked);
        for _ in 0..8 {
            let Cow::Owned(current) = &out else { break };
            match self.pass(current, path, masked) {
                Cow::Borrowed(_) => break,
                Cow::Owned(next) => out = Cow::Owned(next),
            }
        }
        // A mask can make text a JSON document (an invalid escape inside a masked value was
        // what kept it from being one: found by fuzzing). Shown as the JSON redaction shows it,
        // so that a second pass finds nothing new.
        if let Cow::Owned(current) = &out {
            if let Embedded::Masked(redacted) = self.redact_embedded_json(current, path, masked) {
                return Cow::Owned(redacted);
            }
        }
        out
    }

    /// Text that is a whole JSON object or array (a document serialised into a string field or
    /// a header): redacted as JSON, at any depth, and given back as compact JSON text when
    /// anything in it was masked (otherwise shown as it was).
    fn redact_embedded_json(&self, text: &str, path: &str, masked: &mut Masked) -> Embedded {
        let t = text.trim();
        let looks =
            (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
        if !looks {
            return Embedded::NotJson;
        }
        let Ok(mut v) = serde_json::from_str::<Value>(t) else {
            return Embedded::NotJson;
        };
        let mut inner = Masked::default();
        self.redact_json(&mut v, path, &mut inner);
        if inner.0.is_empty() {
            return Embedded::Clean;
        }
        for p in inner.0 {
            masked.add(&p);
        }
        match serde_json::to_string(&v) {
            Ok(s) => Embedded::Masked(s),
            Err(_) => Embedded::NotJson,
        }
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

    /// Masks a JSON document in place: sensitive names whole, sensitive-looking values by pattern
    /// (and, in allow-list mode, every field not named).
    pub(crate) fn redact_json(&self, value: &mut Value, path: &str, masked: &mut Masked) {
        self.redact_json_in(value, path, masked, self.allow.is_some());
    }

    /// `allow_listing`: outside any named field in allow-list mode. A named field's whole
    /// subtree is shown (redacted by the other rules).
    fn redact_json_in(
        &self,
        value: &mut Value,
        path: &str,
        masked: &mut Masked,
        allow_listing: bool,
    ) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let child = format!("{path}.{k}");
                    let named = allow_listing && self.allows(k);
                    let scalar = !matches!(v, Value::Object(_) | Value::Array(_));
                    // Allow-list mode: a field not named is masked; an object or array not
                    // named is entered, so the names inside it can still be shown.
                    let not_allowed = allow_listing && !named && scalar;
                    let weak_secret = shape::is_weak_secret_name(k)
                        && v.as_str().is_some_and(shape::looks_like_credential);
                    if (self.is_sensitive_name(k) || weak_secret || not_allowed) && !v.is_null() {
                        if v.as_str() != Some(MASK) {
                            *v = Value::String(MASK.to_string());
                        }
                        masked.add(&child);
                    } else {
                        self.redact_json_in(v, &child, masked, allow_listing && !named);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.redact_json_in(v, &format!("{path}[{i}]"), masked, allow_listing);
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

/// What a text that may be a JSON document became.
enum Embedded {
    NotJson,
    /// A JSON document with nothing to mask.
    Clean,
    /// A JSON document, masked and re-serialised.
    Masked(String),
}

/// One pass of the built-in patterns.
/// All the patterns at once: one scan says which of them can match (most text matches none).
static PATTERN_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(PATTERNS.iter().map(|p| p.re.as_str())).expect("redaction patterns")
});

fn builtin_pass<'a>(text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    // Which patterns match the text as given; one masked by an earlier pattern is looked at
    // again by the next pass (`redact_text` repeats passes until nothing changes).
    let candidates = PATTERN_SET.matches(text);
    for (i, p) in PATTERNS.iter().enumerate() {
        if !candidates.matched(i) || !p.re.is_match(&out) {
            continue;
        }
        let mut hit = false;
        let replaced = p.re.replace_all(&out, |c: &Captures| {
            let m = &c[0];
            let checked = match p.kind {
                "card-number" => luhn_valid(m),
                "iban" => iban_valid(m),
                "basic-credentials" => basic_credentials(m),
                "ssn" => shape::ssn_valid(m),
                "uk-nino" => shape::nino_valid(m),
                "phone" => shape::phone_valid(m),
                _ => true,
            };
            if !checked {
                return m.to_string();
            }
            if p.keeps_context {
                let secret = c.name("secret").map_or("", |s| s.as_str());
                // Already masked (a later pass of the fixpoint): nothing new.
                if secret.trim_matches(['"', '\'']).starts_with("[REDACTED") {
                    return m.to_string();
                }
                hit = true;
                let quote = if secret.starts_with('"') { "\"" } else { "" };
                return format!(
                    "{}{quote}[REDACTED:{}]{quote}{}",
                    c.name("prefix").map_or("", |s| s.as_str()),
                    p.kind,
                    c.name("suffix").map_or("", |s| s.as_str())
                );
            }
            hit = true;
            format!("[REDACTED:{}]", p.kind)
        });
        if hit {
            out = Cow::Owned(replaced.into_owned());
            masked.add(path);
        }
    }
    if let Cow::Owned(a) = assignments(&out) {
        out = Cow::Owned(a);
        masked.add(path);
    }
    if let Cow::Owned(r) = random_tokens(&out, path) {
        out = Cow::Owned(r);
        masked.add(path);
    }
    out
}

/// Is a field, header or assignment with this name and value a secret: a sensitive name, or a
/// weak secret word with a value that looks like a credential?
fn is_secret(name: &str, value: &str) -> bool {
    // A number under a plural (`max_tokens: 100`, `secrets=3`) is a count.
    let count = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && words(name)
            .last()
            .is_some_and(|w| matches!(w.as_str(), "tokens" | "secrets" | "keys" | "passwords"));
    !count
        && (is_sensitive_name(name)
            || (shape::is_weak_secret_name(name) && shape::looks_like_credential(value)))
}

/// Masks the values of secret-named assignments in `text`, keeping the names. A name that is no
/// secret's does not hide what its value holds: the search goes on inside the value
/// (`url=jdbc:…?password=…`). Linear in the text: a value is only followed for a secret's name,
/// and what is masked is passed over.
fn assignments(text: &str) -> Cow<'_, str> {
    if !text.contains(['=', ':']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    // `find_at`, not `captures_at`: a search without groups is several times faster (every
    // error message of a scan comes through here). The name is the match up to the quote,
    // space or separator after it: none of those can be in a name.
    while let Some(m) = NAME_SEP.find_at(text, at) {
        let found = m.as_str();
        let name = &found[..found
            .find(|c: char| matches!(c, '"' | '\'' | '=' | ':') || c.is_whitespace())
            .unwrap_or(found.len())];
        let strong = is_sensitive_name(name);
        let weak = !strong && shape::is_weak_secret_name(name);
        let end = if strong || weak {
            value_end(text, m.end(), weak)
        } else {
            None
        };
        let Some(end) = end else {
            at = m.start() + name.len().max(1);
            continue;
        };
        let secret = &text[m.end()..end];
        let value = secret.trim_matches(['"', '\'']);
        if !value.starts_with("[REDACTED") && is_secret(name, value) {
            let quote = if secret.starts_with('"') { "\"" } else { "" };
            out.push_str(&text[copied..m.end()]);
            out.push_str(&format!("{quote}[REDACTED:assignment]{quote}"));
            copied = end;
            at = end;
        } else {
            at = m.start() + name.len().max(1);
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The last component of a path (`payload.items[2].commitSha` → `commitSha`): the name a value
/// was found under.
fn label_of(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// The two words just before `at` in `text`, on its line, joined by `_` (`commit 9fce…`,
/// `"traceId": "4bf9…"`, `etag: W/"…"`).
fn words_before(text: &str, at: usize) -> String {
    // A window, not the whole line: every token looks back, and a long line must not make
    // that quadratic.
    let mut from = at.saturating_sub(64);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let head = &text[from..at];
    let line = head.rfind('\n').map_or(head, |i| &head[i + 1..]);
    let mut last: Vec<&str> = line
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    last.reverse();
    last.join("_")
}

/// Masks random-looking base64/base64url and hex tokens (`shape::random_spans`), except under a
/// label that keeps hashes, ids and trace context (the path's, or the word before the token).
fn random_tokens<'a>(text: &'a str, path: &str) -> Cow<'a, str> {
    if text.len() < shape::MIN_BASE64 {
        return Cow::Borrowed(text);
    }
    // The field's or header's name labels its value when the value is one token (`"commit":
    // "9fce…"`), not a whole text that a secret could sit in.
    let one_token = !text.trim().contains(char::is_whitespace);
    let by_path = if one_token {
        shape::label_keeps(label_of(path))
    } else {
        shape::Keep::Nothing
    };
    let mut out = String::new();
    let mut copied = 0;
    for run in TOKEN_RUN.find_iter(text) {
        let spans = shape::random_spans(run.as_str());
        if spans.is_empty() {
            continue;
        }
        let keep = by_path.max(shape::label_keeps(&words_before(text, run.start())));
        for span in spans.into_iter().filter(|s| !s.kept_by(keep)) {
            let (s, e) = (run.start() + span.start, run.start() + span.end);
            out.push_str(&text[copied..s]);
            out.push_str("[REDACTED:high-entropy]");
            copied = e;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in patterns alone.
    fn redact_text<'a>(text: &'a str, path: &str, masked: &mut Masked) -> Cow<'a, str> {
        Redactor::default().redact_text(text, path, masked)
    }
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

    /// `text` redacted by the built-in rules, and the kinds of mask it holds.
    fn masked(text: &str) -> String {
        let mut m = Masked::default();
        let out = redact_text(text, "t", &mut m).into_owned();
        assert_eq!(
            redact_text(&out, "t", &mut Masked::default()),
            out,
            "idempotent: {out}"
        );
        out
    }

    #[test]
    fn pem_private_keys_of_any_type_multi_line_or_escaped() {
        for kind in [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ] {
            let pem = format!("-----BEGIN {kind}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END {kind}-----");
            let out = masked(&format!("config: {pem} (rest)"));
            assert!(!out.contains("MIIEvQ") && !out.contains("BKcwgg"), "{out}");
            assert!(out.contains("[REDACTED:private-key] (rest)"), "{out}");
            // The same with `\n` escapes, as JSON-in-text carries it.
            let escaped = pem.replace('\n', "\\n");
            let out = masked(&format!("key={escaped}"));
            assert!(!out.contains("MIIEvQ"), "{out}");
        }
        let cut = masked("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7 truncated");
        assert_eq!(cut, "[REDACTED:private-key]");
        let public = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert_eq!(masked(public), public, "certificates are public");
    }

    #[test]
    fn http_credentials_wherever_they_appear() {
        let out = masked("401 from https://api: request had Authorization: Basic YWxpY2U6czNjcjN0UGFzcw== and failed");
        assert!(!out.contains("YWxpY2U6"), "{out}");
        assert!(out.contains("[REDACTED:basic-credentials]"), "{out}");
        let out = masked(
            r#"Authorization: Digest username="alice", realm="api", nonce="dcd98b", response="6629fae49393a05397450978507c4ef1""#,
        );
        assert!(!out.contains("6629fae4") && !out.contains("alice"), "{out}");
        let out = masked("retrying with bearer abcdefghijklmnop.qrstu");
        assert!(!out.contains("abcdefghij"), "{out}");
        assert_eq!(masked("basic validation failed"), "basic validation failed");
    }

    #[test]
    fn passwords_in_urls_are_masked_and_the_url_kept() {
        let out = masked("cannot connect to postgres://app:s3cr3t-Pa55@db.internal:5432/orders");
        assert_eq!(
            out,
            "cannot connect to postgres://app:[REDACTED:url-credentials]@db.internal:5432/orders"
        );
        assert_eq!(
            masked("see https://example.com/a:b"),
            "see https://example.com/a:b"
        );
    }

    #[test]
    fn ibans_checked_by_mod_97() {
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
        assert!(!iban_valid("GB82WEST12345698765433"));
        let out =
            masked("refund to DE89 3704 0044 0532 0130 00 failed; also GB82WEST12345698765432");
        assert!(!out.contains("3704") && !out.contains("WEST1234"), "{out}");
        assert_eq!(
            masked("order GB00NOTANIBAN00000000"),
            "order GB00NOTANIBAN00000000"
        );
    }

    #[test]
    fn assignments_in_text_and_stack_traces() {
        for (text, secret) in [
            (
                "java.sql.SQLException: login failed (password=hunter2x)",
                "hunter2x",
            ),
            ("db_password=Tr0ub4dor&3", "Tr0ub4dor"),
            ("spring.datasource.password: correct-horse", "correct-horse"),
            ("secret: 'open sesame'", "open sesame"),
            (
                r#"{"note": 1, "api_key" : "k-123456789"} in text"#,
                "k-123456789",
            ),
            (
                "client_secret=abc123def&grant_type=client_credentials",
                "abc123def",
            ),
            ("ACCESS_TOKEN=tok_live_9f8e7d", "tok_live_9f8e7d"),
        ] {
            let out = masked(text);
            assert!(!out.contains(secret), "{text} → {out}");
            assert!(out.contains("[REDACTED:assignment]"), "{out}");
        }
        assert_eq!(masked("max_tokens: 100"), "max_tokens: 100");
        assert_eq!(masked("passwordless login"), "passwordless login");
    }

    #[test]
    fn json_inside_strings_is_redacted_at_any_depth_and_kept_a_string() {
        let mut v = json!({
            "wire": "{\"user\": \"ann\", \"password\": \"hunter2\", \"nested\": \"{\\\"token\\\": \\\"t0k\\\"}\"}",
            "list": "[{\"iban\": \"x\"}]",
            "plain": "{not json}"
        });
        let mut m = Masked::default();
        Redactor::default().redact_json(&mut v, "payload", &mut m);
        let wire = v["wire"].as_str().expect("still a string");
        assert!(!wire.contains("hunter2") && !wire.contains("t0k"), "{wire}");
        let inner: Value = serde_json::from_str(wire).unwrap();
        assert_eq!(inner["user"], "ann");
        assert_eq!(inner["password"], MASK);
        assert!(v["list"].as_str().unwrap().contains(MASK));
        assert_eq!(v["plain"], "{not json}");
        assert!(
            m.0.contains(&"payload.wire.password".to_string()),
            "{:?}",
            m.0
        );
        // A whole text (a header value, an error message) that is a JSON document.
        let out = masked(r#"{"secret": "s", "ok": 1}"#);
        assert_eq!(out, r#"{"secret":"[REDACTED]","ok":1}"#);
        // Found by fuzzing: a JSON document is redacted as JSON only, so a second pass does not
        // mask the null of `"password": null` as if it were `password: <value>` in text.
        let doc = r#"{"a":[{"n":4111111111111111}],"password":null}"#;
        let once = masked(doc);
        assert_eq!(
            once,
            r#"{"a":[{"n":"[REDACTED:card-number]"}],"password":null}"#
        );
    }

    #[test]
    fn allow_list_mode_shows_only_the_named_fields_and_still_masks_values_in_them() {
        let r =
            Redactor::default().allow_only(&["order_id".into(), "status".into(), "amount".into()]);
        let mut v = json!({
            "order_id": 7,
            "status": "failed for ann@example.com",
            "amount": {"value": 10, "currency": "EUR", "card_number": "4111111111111111"},
            "customer": {"name": "Ann", "order_id": 9},
            "lines": [{"sku": "x", "status": "ok"}],
            "password": null
        });
        let mut m = Masked::default();
        r.redact_json(&mut v, "payload", &mut m);
        assert_eq!(v["order_id"], 7);
        assert_eq!(v["status"], "failed for [REDACTED:email]");
        assert_eq!(
            v["amount"]["currency"], "EUR",
            "a named object is shown whole…"
        );
        assert_eq!(v["amount"]["card_number"], MASK, "…by the other rules");
        assert_eq!(v["customer"]["name"], MASK);
        assert_eq!(
            v["customer"]["order_id"], 9,
            "named fields inside objects stay"
        );
        assert_eq!(v["lines"][0]["sku"], MASK);
        assert_eq!(v["lines"][0]["status"], "ok");
        assert!(r.allows("orderId") && !r.allows("key") && Redactor::default().allows("key"));
        let again = v.clone();
        r.redact_json(&mut v, "payload", &mut Masked::default());
        assert_eq!(v, again, "idempotent");
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
