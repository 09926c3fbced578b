//! Which topics look like dead-letter queues, by the naming conventions producers use.

/// The built-in conventions, as glob patterns over a topic's short name (a Pulsar topic's last
/// path segment, without `-partition-N`).
pub(crate) const DLQ_PATTERNS: &[&str] = &[
    "*.DLT",   // Spring Kafka
    "*-dlt",   // Spring Kafka retry topics, kebab case
    "*-DLQ",   // Pulsar clients: <topic>-<subscription>-DLQ
    "*-RETRY", // Pulsar clients' retry-letter topic: <topic>-<subscription>-RETRY
    "*.dlq",   // Kafka Connect set-ups and hand-rolled services
    "dlq-*",
];

/// `*` matches any run of characters (none included); everything else matches itself, ASCII
/// case-insensitively (so `*.dlq` also finds `orders.DLQ`).
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&n[ni]) {
            pi += 1;
            ni += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// A topic's short name: the last segment of a Pulsar name, without a partition suffix.
pub(crate) fn short_name(topic: &str) -> &str {
    let last = topic.rsplit('/').next().unwrap_or(topic);
    match last.rsplit_once("-partition-") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => last,
    }
}

/// The first pattern (built-in, then the user's) that the topic's short name matches.
pub(crate) fn dlq_pattern<'a>(topic: &str, extra: &'a [String]) -> Option<&'a str> {
    let name = short_name(topic);
    DLQ_PATTERNS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .find(|p| glob_match(p, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_are_recognised() {
        let none: &[String] = &[];
        for (topic, pattern) in [
            ("orders.DLT", "*.DLT"),
            ("orders-dlt", "*-dlt"),
            ("persistent://public/default/orders-billing-DLQ", "*-DLQ"),
            (
                "persistent://public/default/orders-billing-DLQ-partition-3",
                "*-DLQ",
            ),
            ("payments.dlq", "*.dlq"),
            ("dlq-payments", "dlq-*"),
        ] {
            assert_eq!(dlq_pattern(topic, none), Some(pattern), "{topic}");
        }
        for topic in [
            "orders",
            "dlqueue",
            "orders.DLTX",
            "__consumer_offsets",
            "partition-dlq-x",
        ] {
            assert_eq!(dlq_pattern(topic, none), None, "{topic}");
        }
        let extra = vec!["*.errors".to_string()];
        assert_eq!(dlq_pattern("orders.errors", &extra), Some("*.errors"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYc"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(glob_match("*-DLQ", "x-y-dlq"));
        assert!(!glob_match("dlq-*", "xdlq-"));
    }
}
