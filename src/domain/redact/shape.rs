//! Secrets and personal data recognised by their shape rather than by a list: how random a
//! token looks, which names say "secret", which labels say "this is a hash, an id or trace
//! context: keep it", and the checks that make a personal-data pattern a real one (US SSN
//! ranges, UK National Insurance prefixes, a phone number's digit count).
//!
//! The thresholds and the rates they give are in docs/REDACTION.md; the tests in `corpus.rs`
//! measure them.

use std::sync::LazyLock;

use regex::Regex;

use super::words;

/// Word parts that make any name a secret's name (`AccountKey` is not one; `SharedAccessSignature`,
/// `db_pass`, `X-Session-Cookie` are).
pub(super) const SECRET_WORDS: &[&str] = &[
    "pass",
    "passcode",
    "sig",
    "cookies",
    "creds",
    "secretkey",
    "sessiontoken",
    "sessionkey",
];

/// Word parts that make a name a secret's name only when its value also looks like a credential
/// (`AccountKey=<88 base64 characters>` is one, `partitionKey=order-17` is not).
const WEAK_WORDS: &[&str] = &["key", "keys", "session", "private", "cert", "salt"];

/// Does the name hold a word that makes it a secret's name when the value looks like one?
pub(super) fn is_weak_secret_name(name: &str) -> bool {
    words(name).iter().any(|w| WEAK_WORDS.contains(&w.as_str()))
}

/// Labels (a field's, header's or assignment's name, or the words before a token in text) under
/// which a random-looking *hex* token is shown: trace context, commits and hashes, which are hex.
const KEEP_HEX_WORDS: &[&str] = &[
    "trace",
    "traceid",
    "traceparent",
    "tracestate",
    "span",
    "spanid",
    "commit",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "crc",
    "revision",
    "rev",
    "git",
    "build",
    "version",
];

/// Labels under which any random-looking token is shown: digests and ids, which may be base64
/// (`etag`, `requestId` holding a nanoid).
const KEEP_ANY_WORDS: &[&str] = &["digest", "etag", "hash", "checksum", "fingerprint"];

/// Last word parts of a label that name an identifier (`orderId`, `request_ref`).
const ID_WORDS: &[&str] = &["id", "ids", "uuid", "guid", "ref", "reference"];

/// What a label keeps of the random-looking tokens under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Keep {
    Nothing,
    Hex,
    Any,
}

/// What random-looking tokens under this label operators need to see.
pub(super) fn label_keeps(label: &str) -> Keep {
    let w = words(label);
    if w.iter().any(|w| KEEP_ANY_WORDS.contains(&w.as_str()))
        || w.last().is_some_and(|w| ID_WORDS.contains(&w.as_str()))
    {
        Keep::Any
    } else if w.iter().any(|w| KEEP_HEX_WORDS.contains(&w.as_str())) {
        Keep::Hex
    } else {
        Keep::Nothing
    }
}

/// A random-looking stretch of a token run: where it is, and whether it is hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub hex: bool,
}

impl Span {
    /// Is this span shown under a label that keeps `keep`?
    pub(super) fn kept_by(&self, keep: Keep) -> bool {
        keep == Keep::Any || (keep == Keep::Hex && self.hex)
    }
}

/// Shannon entropy of `s`, in bits per character.
pub(super) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 128];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Entropy as a share of the most `s` could have (log2 of its length, at most 64 symbols).
fn entropy_ratio(s: &str) -> f64 {
    let most = (s.len().min(64) as f64).log2();
    if most <= 0.0 {
        return 0.0;
    }
    entropy(s) / most
}

/// The share of `s` that reads as words: letter runs of three or more with a word's share of
/// vowels (`Listener`, `orders`, `HTTP` does not count, `xQzk` does not either).
fn wordiness(s: &str) -> f64 {
    let bytes = s.as_bytes();
    let mut in_words = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        // A run: an optional capital, then lower-case letters; or capitals alone.
        let start = i;
        if bytes[i].is_ascii_uppercase() {
            i += 1;
            if i < bytes.len() && bytes[i].is_ascii_lowercase() {
                while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                    i += 1;
                }
            } else {
                while i < bytes.len()
                    && bytes[i].is_ascii_uppercase()
                    && !(i + 1 < bytes.len() && bytes[i + 1].is_ascii_lowercase())
                {
                    i += 1;
                }
            }
        } else if bytes[i].is_ascii_lowercase() {
            while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                i += 1;
            }
        } else {
            i += 1;
            continue;
        }
        let run = &s[start..i];
        let vowels = run.bytes().filter(|b| b"aeiouyAEIOUY".contains(b)).count();
        let share = vowels as f64 / run.len() as f64;
        if run.len() >= 3 && (0.15..=0.75).contains(&share) {
            in_words += run.len();
        }
    }
    in_words as f64 / s.len().max(1) as f64
}

/// Shortest base64/base64url token the entropy rule considers.
pub(super) const MIN_BASE64: usize = 20;
/// Shortest hex token the entropy rule considers.
pub(super) const MIN_HEX: usize = 32;
/// A random token's entropy is at least this share of the most its length allows (random
/// base64 of 20 to 88 characters: 0.1st percentile at 0.81; identifiers: 0.73 to 0.92, which
/// is why wordiness decides between them).
const BASE64_ENTROPY_RATIO: f64 = 0.7;
/// At most this share of a random token reads as words (random base64: median 0.1, identifiers
/// and class names 0.65 to 1.0).
const BASE64_MAX_WORDINESS: f64 = 0.6;
/// Bits per character a random hex token has at least (random 32 hex characters: 0.1st
/// percentile at 3.13 of at most 4).
const HEX_ENTROPY: f64 = 3.0;
/// Bits per character a random single-case letters-and-digits token has at least (random 32 of
/// 36 symbols: 0.1st percentile at 4.2; a pod name such as `payments-service-7f9c8b6d5-x2k4p`
/// stays below through its words).
const ALNUM_ENTROPY: f64 = 4.0;
const ALNUM_MAX_WORDINESS: f64 = 0.7;

/// Does a base64/base64url token (at least [`MIN_BASE64`] characters, padding stripped) look
/// random: both cases, high entropy, few words?
pub(super) fn base64_looks_random(t: &str) -> bool {
    let t = t.trim_end_matches('=');
    t.len() >= MIN_BASE64
        && t.bytes().any(|b| b.is_ascii_uppercase())
        && t.bytes().any(|b| b.is_ascii_lowercase())
        && entropy_ratio(t) >= BASE64_ENTROPY_RATIO
        && wordiness(t) < BASE64_MAX_WORDINESS
}

/// Does a single-case token of letters and digits (at least [`MIN_HEX`] characters: Mailgun's
/// `key-…`, many providers' lower-case keys) look random: digits and letters well mixed, high
/// entropy, few words?
pub(super) fn alnum_looks_random(t: &str) -> bool {
    let n = t.len();
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    let letters = t.bytes().filter(u8::is_ascii_alphabetic).count();
    n >= MIN_HEX
        && digits + letters == n
        && digits * 10 >= n
        && letters * 5 >= n
        && entropy(t) >= ALNUM_ENTROPY
        && wordiness(t) < ALNUM_MAX_WORDINESS
}

/// Does a hex token (at least [`MIN_HEX`] characters) look random: letters and digits, high
/// entropy?
pub(super) fn hex_looks_random(t: &str) -> bool {
    t.len() >= MIN_HEX
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes().any(|b| b.is_ascii_alphabetic())
        && entropy(t) >= HEX_ENTROPY
}

/// Does the value of a name with a weak secret word (`AccountKey`, `session`) look like a
/// credential: one token of at least 16 characters, of more than one kind of character, random
/// rather than words, and no UUID?
pub(super) fn looks_like_credential(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    let kinds = [
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
    ];
    v.len() >= 16
        && !v.contains(char::is_whitespace)
        && kinds.iter().filter(|k| **k).count() >= 2
        && !KEPT_STRUCTURES.is_match(v)
        && entropy_ratio(v) >= BASE64_ENTROPY_RATIO
        && wordiness(v) < BASE64_MAX_WORDINESS
}

/// Structures inside a token run that are kept whatever their entropy: UUIDs and W3C trace
/// context (`traceparent`).
static KEPT_STRUCTURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        r"|[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}",
    ))
    .expect("kept structures")
});

static ALNUM_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9]{32,}").expect("alnum run"));

static HEX_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9a-fA-F]{32,}").expect("hex run"));

/// The ranges of `run` (a maximal run of base64/base64url characters) that are random-looking
/// secrets: the whole run when it looks like random base64, else its random hex stretches.
/// UUIDs and trace context inside the run are never part of one.
pub(super) fn random_spans(run: &str) -> Vec<Span> {
    let mut pieces = Vec::new();
    let mut at = 0;
    // Both kept structures have dashes; most runs (class names, words) have none, and a scan
    // meets one in every error text.
    if run.contains('-') {
        for kept in KEPT_STRUCTURES.find_iter(run) {
            pieces.push((at, kept.start()));
            at = kept.end();
        }
    }
    pieces.push((at, run.len()));
    let mut out = Vec::new();
    for (start, end) in pieces {
        let piece = &run[start..end];
        let trimmed = piece.trim_matches(['-', '_']);
        let offset = start + (piece.len() - piece.trim_start_matches(['-', '_']).len());
        if trimmed.len() >= MIN_BASE64 && base64_looks_random(trimmed) && !is_path(trimmed) {
            out.push(Span {
                start: offset,
                end: offset + trimmed.len(),
                hex: false,
            });
            continue;
        }
        // The single-case and hex rules below both need digits (at least a tenth of the
        // stretch, or one): a piece without any cannot hold either.
        if !piece.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        // Single-case keys: the letters-and-digits stretches between separators.
        let mut found = false;
        for part in ALNUM_RUN.find_iter(piece) {
            if alnum_looks_random(part.as_str()) {
                out.push(Span {
                    start: start + part.start(),
                    end: start + part.end(),
                    hex: false,
                });
                found = true;
            }
        }
        if found {
            continue;
        }
        for hex in HEX_RUN.find_iter(piece) {
            // A hex stretch inside a longer word (`deadbeef` inside `deadbeefs…`) is not one.
            let before = piece[..hex.start()].bytes().last();
            let after = piece[hex.end()..].bytes().next();
            let bounded = |b: Option<u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
            if bounded(before) && bounded(after) && hex_looks_random(hex.as_str()) {
                out.push(Span {
                    start: start + hex.start(),
                    end: start + hex.end(),
                    hex: true,
                });
            }
        }
    }
    out
}

/// A path (`/v1/orders/ORD-2026-000123`, `com/example/OrderListener`): one of its `/`
/// segments is a lower-case word or a number, which a base64 secret's seldom are.
fn is_path(t: &str) -> bool {
    t.contains('/')
        && t.split('/').any(|seg| {
            seg.len() >= 3
                && (seg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
                    || seg.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A US social security number as written (`AAA-GG-SSSS`) in a range the SSA issues: area not
/// 000, 666 or 9xx, group not 00, serial not 0000.
pub(super) fn ssn_valid(m: &str) -> bool {
    let parts: Vec<&str> = m.split(['-', ' ']).collect();
    let [area, group, serial] = parts[..] else {
        return false;
    };
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// A UK National Insurance number whose prefix HMRC allocates (not BG, GB, KN, NK, NT, TN, ZZ).
pub(super) fn nino_valid(m: &str) -> bool {
    let prefix: String = m.chars().take(2).collect();
    !matches!(
        prefix.as_str(),
        "BG" | "GB" | "KN" | "NK" | "NT" | "TN" | "ZZ"
    )
}

/// A phone number in international form has 8 to 15 digits (E.164).
pub(super) fn phone_valid(m: &str) -> bool {
    let digits = m.bytes().filter(u8::is_ascii_digit).count();
    (8..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_told_from_identifiers() {
        for random in [
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq",
            "q7Xv2LmK9pR4tW8zN3bY6cF1",
            "4eC39HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(base64_looks_random(random), "{random}");
        }
        for word in [
            "OrderValidationException",
            "DeadLetterPublishingRecoverer",
            "Base64EncodedStringValue123",
            "KafkaListenerEndpointContainer",
            "JSONParseError_InvalidToken",
            "XMLHttpRequestHandler",
        ] {
            assert!(!base64_looks_random(word), "{word}");
        }
    }

    #[test]
    fn uuids_trace_context_and_paths_are_no_random_spans() {
        assert!(random_spans("3f1c2a4e-9b7d-4c1e-8f3a-2b5c6d7e8f90").is_empty());
        assert!(random_spans("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_empty());
        assert!(random_spans("/v1/orders/ORD-2026-000123").is_empty());
        assert!(random_spans("com/example/orders/OrderListener").is_empty());
        let run = "tok-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let spans = random_spans(run);
        assert_eq!(spans.len(), 1);
        assert_eq!(
            (spans[0].start, spans[0].end, spans[0].hex),
            (4, run.len(), true)
        );
    }

    #[test]
    fn personal_data_checks() {
        assert!(ssn_valid("078-05-1120"));
        assert!(!ssn_valid("666-12-3456") && !ssn_valid("900-12-3456"));
        assert!(!ssn_valid("123-00-4567") && !ssn_valid("123-45-0000"));
        assert!(nino_valid("AB123456C") && !nino_valid("GB123456A"));
        assert!(phone_valid("+44 20 7946 0958") && !phone_valid("+1 555"));
    }

    #[test]
    fn labels_that_keep_hashes_and_ids() {
        for l in ["commitSha", "git_revision", "trace", "x-span"] {
            assert_eq!(label_keeps(l), Keep::Hex, "{l}");
        }
        for l in ["payload.orderId", "traceId", "ETag", "x-checksum", "digest"] {
            assert_eq!(label_keeps(l), Keep::Any, "{l}");
        }
        for l in ["token", "payload.note", "AccountKey", "identity"] {
            assert_eq!(label_keeps(l), Keep::Nothing, "{l}");
        }
    }
}
