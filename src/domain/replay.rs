//! Replay planning: what a dead letter turns into when it is sent back, or why it is not.
//!
//! What is sent is the original payload and key byte for byte, the original headers minus the
//! dead-letter context the convention added, plus two markers: `dlq-replay-of` (which DLQ entry
//! this is a copy of, so consumers can de-duplicate) and `dlq-replay-count` (how often this
//! message has been replayed, so a poison message cannot circle forever).

use serde_json::Value;

use super::conventions::headers_only;
use super::entry::{Entry, Header, Original};

pub(crate) const REPLAY_OF: &str = "dlq-replay-of";
pub(crate) const REPLAY_COUNT: &str = "dlq-replay-count";

/// `--max-replays` when not given: an entry replayed this often is likely a loop.
pub(crate) const MAX_REPLAYS: u32 = 3;

#[derive(Debug, Clone)]
pub(crate) struct ReplayOptions {
    /// Send everything here instead of each entry's origin topic.
    pub to: Option<String>,
    /// Kafka: send to the origin partition instead of letting the key decide.
    pub keep_partition: bool,
    /// Keep the convention's context headers (`__connect.errors.*`, `kafka_dlt-*`, …).
    pub keep_dlq_headers: bool,
    /// Refuse entries already replayed this many times.
    pub max_replays: u32,
}

/// A message ready to publish.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outgoing {
    pub topic: String,
    /// Kafka only: `None` lets the key decide.
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    Send(Outgoing),
    /// Not sent, with the reason shown to the user.
    Skip(String),
}

/// The value of `dlq-replay-of`: the DLQ topic and the entry id, `TOPIC@ID`.
pub(crate) fn replay_of(dlq_topic: &str, entry: &Entry) -> String {
    format!("{dlq_topic}@{}", entry.record.id)
}

/// How often the record was already replayed, from its `dlq-replay-count` header.
/// A share group's dead letter does not carry the source's headers: its original's count is
/// read.
pub(crate) fn replay_count(entry: &Entry) -> u32 {
    entry
        .message()
        .header(REPLAY_COUNT)
        .and_then(|h| h.value.as_deref())
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

/// Decides what replaying `entry` from `dlq_topic` sends.
pub(crate) fn plan(entry: &Entry, dlq_topic: &str, opts: &ReplayOptions) -> Decision {
    let ctx = &entry.context;
    let Some(topic) = opts.to.clone().or_else(|| ctx.origin_topic.clone()) else {
        return Decision::Skip(
            "no known origin topic (no convention names one); pass --to TOPIC".into(),
        );
    };
    if headers_only(entry) {
        match &entry.original {
            Some(Original::Fetched(_)) => {}
            Some(Original::Missing(why)) => {
                return Decision::Skip(format!(
                    "the dead letter holds headers only and its original is gone: {why}"
                ))
            }
            None => {
                return Decision::Skip(
                    "the dead letter holds headers only and its original was not fetched".into(),
                )
            }
        }
    }
    let count = replay_count(entry);
    if count >= opts.max_replays {
        return Decision::Skip(format!(
            "already replayed {count} times (--max-replays {}): likely a loop",
            opts.max_replays
        ));
    }
    let partition = if opts.keep_partition {
        match ctx.origin_partition {
            Some(p) => Some(p),
            None => {
                return Decision::Skip(
                    "--keep-partition, but the original partition is unknown".into(),
                )
            }
        }
    } else {
        None
    };
    let payload = if ctx.convention.as_deref() == Some("json-envelope") {
        match original_event(entry) {
            Ok(p) => Some(p),
            Err(why) => return Decision::Skip(why),
        }
    } else {
        entry.message().payload.clone()
    };
    // The original's own headers where it was fetched (a share group's dead letter has none of
    // them), else the dead letter's minus its context.
    let mut headers: Vec<Header> = entry
        .message()
        .headers
        .iter()
        .filter(|h| h.name != REPLAY_OF && h.name != REPLAY_COUNT)
        .filter(|h| opts.keep_dlq_headers || !ctx.context_headers.contains(&h.name))
        .cloned()
        .collect();
    headers.push(Header::new(REPLAY_OF, replay_of(dlq_topic, entry)));
    headers.push(Header::new(REPLAY_COUNT, (count + 1).to_string()));
    Decision::Send(Outgoing {
        topic,
        partition,
        key: entry.message().key.clone(),
        payload,
        headers,
    })
}

/// The payload an envelope wraps: a JSON string is sent as its text, anything else as JSON.
fn original_event(entry: &Entry) -> Result<Vec<u8>, String> {
    let payload = entry.record.payload.as_deref().unwrap_or_default();
    let mut doc: Value =
        serde_json::from_slice(payload).map_err(|e| format!("envelope is not JSON: {e}"))?;
    match doc.get_mut("original_event").map(Value::take) {
        Some(Value::String(s)) => Ok(s.into_bytes()),
        Some(Value::Null) | None => Err("envelope has no original_event".into()),
        Some(v) => Ok(serde_json::to_vec(&v).expect("a JSON value serialises")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conventions::{explain, HeaderMap};
    use crate::domain::entry::{EntryId, Record};

    fn entry(headers: Vec<Header>, payload: &[u8]) -> Entry {
        let record = Record {
            schema_version: None,
            topic: "orders.DLT".into(),
            id: EntryId::Kafka {
                partition: 1,
                offset: 9,
            },
            timestamp: None,
            key: Some(b"k\xff".to_vec()),
            headers,
            payload: Some(payload.to_vec()),
        };
        {
            let context = explain(&record, &HeaderMap::default());
            Entry::new(record, context)
        }
    }

    fn opts() -> ReplayOptions {
        ReplayOptions {
            to: None,
            keep_partition: false,
            keep_dlq_headers: false,
            max_replays: 3,
        }
    }

    fn spring() -> Vec<Header> {
        vec![
            Header::new("traceparent", "00-1"),
            Header::new("kafka_dlt-original-topic", "orders"),
            Header::new("kafka_dlt-original-partition", 2i32.to_be_bytes()),
            Header::new("kafka_dlt-exception-message", "boom"),
            Header::new("kafka_dlt-original-timestamp", 1i64.to_be_bytes()),
        ]
    }

    #[test]
    fn sends_payload_and_key_as_they_are_to_the_origin_without_context_headers() {
        let Decision::Send(out) = plan(&entry(spring(), b"\x00payload"), "orders.DLT", &opts())
        else {
            panic!()
        };
        assert_eq!(out.topic, "orders");
        assert_eq!(out.partition, None);
        assert_eq!(out.key.as_deref(), Some(&b"k\xff"[..]));
        assert_eq!(out.payload.as_deref(), Some(&b"\x00payload"[..]));
        let names: Vec<&str> = out.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, vec!["traceparent", REPLAY_OF, REPLAY_COUNT]);
        assert_eq!(
            out.headers[1].value.as_deref(),
            Some(&b"orders.DLT@1:9"[..])
        );
        assert_eq!(out.headers[2].value.as_deref(), Some(&b"1"[..]));
    }

    fn share_group(key: Option<&[u8]>, payload: Option<&[u8]>) -> Entry {
        let mut e = entry(
            vec![
                Header::new("__dlq.errors.topic", "orders"),
                Header::new("__dlq.errors.partition", "0"),
                Header::new("__dlq.errors.offset", "5"),
                Header::new("__dlq.errors.group", "billing"),
                Header::new("__dlq.errors.delivery.count", "1"),
                Header::new("__dlq.errors.message", "Offset rejected by client."),
            ],
            b"",
        );
        e.record.key = key.map(<[u8]>::to_vec);
        e.record.payload = payload.map(<[u8]>::to_vec);
        e
    }

    fn original() -> Record {
        Record {
            schema_version: None,
            topic: "orders".into(),
            id: EntryId::Kafka {
                partition: 0,
                offset: 5,
            },
            timestamp: None,
            key: Some(b"order-5".to_vec()),
            headers: vec![
                Header::new("trace_id", "t-5"),
                Header::new(REPLAY_COUNT, "2"),
            ],
            payload: Some(br#"{"id":5}"#.to_vec()),
        }
    }

    #[test]
    fn a_share_group_dead_letter_sends_its_original_or_says_why_not() {
        let mut e = share_group(None, None);
        assert!(matches!(
            plan(&e, "dlq.orders", &opts()),
            Decision::Skip(why) if why.contains("not fetched")
        ));
        e.original = Some(Original::Missing("no longer in 'orders'".into()));
        assert!(matches!(
            plan(&e, "dlq.orders", &opts()),
            Decision::Skip(why) if why.contains("gone: no longer in 'orders'")
        ));
        e.original = Some(Original::Fetched(original()));
        let Decision::Send(out) = plan(&e, "dlq.orders", &opts()) else {
            panic!()
        };
        assert_eq!(out.topic, "orders");
        assert_eq!(out.key.as_deref(), Some(&b"order-5"[..]));
        assert_eq!(out.payload.as_deref(), Some(&br#"{"id":5}"#[..]));
        let names: Vec<&str> = out.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, vec!["trace_id", REPLAY_OF, REPLAY_COUNT]);
        assert_eq!(
            out.headers[2].value.as_deref(),
            Some(&b"3"[..]),
            "the loop guard counts on from the original's marker"
        );
        let guarded = ReplayOptions {
            max_replays: 2,
            ..opts()
        };
        assert!(matches!(
            plan(&e, "dlq.orders", &guarded),
            Decision::Skip(_)
        ));

        // Copied (key and value in the dead letter) but the original is gone: the copy is sent.
        let mut copied = share_group(Some(b"order-5"), Some(br#"{"id":5}"#));
        copied.original = Some(Original::Missing("compacted".into()));
        let Decision::Send(out) = plan(&copied, "dlq.orders", &opts()) else {
            panic!()
        };
        assert_eq!(out.payload.as_deref(), Some(&br#"{"id":5}"#[..]));
        let names: Vec<&str> = out.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            vec![REPLAY_OF, REPLAY_COUNT],
            "no __dlq.errors.* header is sent"
        );
    }

    #[test]
    fn keep_dlq_headers_and_keep_partition() {
        let o = ReplayOptions {
            keep_dlq_headers: true,
            keep_partition: true,
            ..opts()
        };
        let Decision::Send(out) = plan(&entry(spring(), b"x"), "orders.DLT", &o) else {
            panic!()
        };
        assert_eq!(out.partition, Some(2));
        assert_eq!(out.headers.len(), spring().len() + 2);
    }

    #[test]
    fn to_overrides_and_unknown_origin_is_skipped() {
        let e = entry(vec![Header::new("x", "y")], b"x");
        assert!(matches!(plan(&e, "d", &opts()), Decision::Skip(ref why) if why.contains("--to")));
        let o = ReplayOptions {
            to: Some("elsewhere".into()),
            ..opts()
        };
        let Decision::Send(out) = plan(&e, "d", &o) else {
            panic!()
        };
        assert_eq!(out.topic, "elsewhere");
        let o = ReplayOptions {
            keep_partition: true,
            ..o
        };
        assert!(matches!(plan(&e, "d", &o), Decision::Skip(ref why) if why.contains("partition")));
    }

    #[test]
    fn replay_count_increments_and_max_replays_refuses() {
        let mut h = spring();
        h.push(Header::new(REPLAY_OF, "orders.DLT@0:1"));
        h.push(Header::new(REPLAY_COUNT, "2"));
        let Decision::Send(out) = plan(&entry(h.clone(), b"x"), "orders.DLT", &opts()) else {
            panic!()
        };
        let counts: Vec<_> = out
            .headers
            .iter()
            .filter(|h| h.name == REPLAY_COUNT)
            .collect();
        assert_eq!(counts.len(), 1, "the old marker is replaced, not repeated");
        assert_eq!(counts[0].value.as_deref(), Some(&b"3"[..]));
        h.retain(|x| x.name != REPLAY_COUNT);
        h.push(Header::new(REPLAY_COUNT, "3"));
        assert!(
            matches!(plan(&entry(h, b"x"), "orders.DLT", &opts()), Decision::Skip(ref why) if why.contains("loop"))
        );
    }

    #[test]
    fn envelope_sends_the_original_event() {
        let payload = br#"{"original_event":{"id":7,"b":[1,2]},"error":"x"}"#;
        let o = ReplayOptions {
            to: Some("orders".into()),
            ..opts()
        };
        let Decision::Send(out) = plan(&entry(vec![], payload), "d", &o) else {
            panic!()
        };
        assert_eq!(out.payload.as_deref(), Some(&br#"{"id":7,"b":[1,2]}"#[..]));
        let text = br#"{"original_event":"raw text","error":"x"}"#;
        let Decision::Send(out) = plan(&entry(vec![], text), "d", &o) else {
            panic!()
        };
        assert_eq!(out.payload.as_deref(), Some(&b"raw text"[..]));
    }
}
