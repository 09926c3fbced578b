//! Failure groups: entries tallied by fingerprint (`domain::fingerprint`), in bounded memory,
//! for `dlq groups`. Most frequent first; past `MAX_GROUPS` distinct failures the rest are
//! counted together as `(other)`.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;

use super::entry::{Entry, EntryId};
use super::fingerprint::failure;
use super::replay::REPLAY_OF;

/// Distinct failures kept; the rest go to `(other)`.
pub(crate) const MAX_GROUPS: usize = 10_000;
/// Origin topics named per group; more are counted.
const MAX_ORIGINS: usize = 20;

/// The fingerprint of the group of everything past `MAX_GROUPS`.
pub(crate) const OTHER: &str = "(other)";

/// One failure and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub fingerprint: String,
    pub count: u64,
    /// The oldest and newest entry's DLQ time.
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// The root cause's class, and the class that wrapped it.
    pub error_class: Option<String>,
    pub wrapper: Option<String>,
    /// The root cause's message, its variable parts masked.
    pub template: String,
    pub origin_topics: BTreeSet<String>,
    /// Origin topics beyond the ones named.
    pub more_origins: u64,
    pub retry_min: Option<i64>,
    pub retry_max: Option<i64>,
    /// Entries that were replayed once already and failed again (`dlq-replay-of`).
    pub refailed: u64,
    /// The first entry of the group.
    pub example: EntryId,
}

#[derive(Debug, Default)]
pub(crate) struct Groups {
    by_fingerprint: HashMap<String, Group>,
    other: Option<Group>,
    pub entries: u64,
}

impl Groups {
    pub(crate) fn add(&mut self, e: &Entry) {
        self.entries += 1;
        let f = failure(&e.context);
        let known = self.by_fingerprint.contains_key(&f.fingerprint);
        let group = match known || self.by_fingerprint.len() < MAX_GROUPS {
            true => self
                .by_fingerprint
                .entry(f.fingerprint.clone())
                .or_insert_with(|| Group::new(f.fingerprint.clone(), &f, e)),
            false => self.other.get_or_insert_with(|| {
                let mut g = Group::new(OTHER.to_string(), &f, e);
                g.error_class = None;
                g.wrapper = None;
                g.template = "failures past the first 10,000 distinct ones".into();
                g
            }),
        };
        group.count += 1;
        let ts = e.record.timestamp;
        if ts.is_some() {
            group.first_seen = group.first_seen.min(ts).or(ts);
            group.last_seen = group.last_seen.max(ts);
        }
        if let Some(o) = &e.context.origin_topic {
            if group.origin_topics.contains(o) {
            } else if group.origin_topics.len() < MAX_ORIGINS {
                group.origin_topics.insert(o.clone());
            } else {
                group.more_origins += 1;
            }
        }
        if let Some(r) = e.context.retry_count {
            group.retry_min = Some(group.retry_min.map_or(r, |m| m.min(r)));
            group.retry_max = Some(group.retry_max.map_or(r, |m| m.max(r)));
        }
        if e.message().header(REPLAY_OF).is_some() || e.record.header(REPLAY_OF).is_some() {
            group.refailed += 1;
        }
    }

    /// The groups, most frequent first (then the oldest first), `(other)` last.
    pub(crate) fn rows(self) -> Vec<Group> {
        let mut rows: Vec<Group> = self.by_fingerprint.into_values().collect();
        rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.fingerprint.cmp(&b.fingerprint))
        });
        rows.extend(self.other);
        rows
    }
}

impl Group {
    fn new(fingerprint: String, f: &super::fingerprint::Failure, e: &Entry) -> Group {
        Group {
            fingerprint,
            count: 0,
            first_seen: None,
            last_seen: None,
            error_class: f.error_class.clone(),
            wrapper: f.wrapper.clone(),
            template: f.template.clone(),
            origin_topics: BTreeSet::new(),
            more_origins: 0,
            retry_min: None,
            retry_max: None,
            refailed: 0,
            example: e.record.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Context, Header, Record};

    fn entry(offset: i64, class: &str, message: &str, retries: i64, replayed: bool) -> Entry {
        let record = Record {
            schema_version: None,
            topic: "t.DLT".into(),
            id: EntryId::Kafka {
                partition: 0,
                offset,
            },
            timestamp: Some(Timestamp::from_second(1_800_000_000 + offset).unwrap()),
            key: None,
            headers: if replayed {
                vec![Header::new(REPLAY_OF, "t.DLT@0:1")]
            } else {
                vec![]
            },
            payload: None,
        };
        let context = Context {
            error_class: Some(class.into()),
            error_message: Some(message.into()),
            origin_topic: Some("orders".into()),
            retry_count: Some(retries),
            ..Context::default()
        };
        Entry::new(record, context)
    }

    #[test]
    fn repeats_group_together_most_frequent_first() {
        let mut g = Groups::default();
        g.add(&entry(
            0,
            "Timeout",
            "call to billing took 3000 ms",
            1,
            false,
        ));
        g.add(&entry(1, "Parse", "bad token at 7", 0, false));
        g.add(&entry(
            2,
            "Timeout",
            "call to billing took 5000 ms",
            4,
            true,
        ));
        g.add(&entry(3, "Timeout", "call to billing took 10 ms", 2, false));
        let rows = g.rows();
        assert_eq!(rows.len(), 2);
        let t = &rows[0];
        assert_eq!((t.count, t.refailed), (3, 1));
        assert_eq!(t.template, "call to billing took <n> ms");
        assert_eq!((t.retry_min, t.retry_max), (Some(1), Some(4)));
        assert_eq!(t.example.to_string(), "0:0");
        assert_eq!(
            t.first_seen,
            Some(Timestamp::from_second(1_800_000_000).unwrap())
        );
        assert_eq!(
            t.last_seen,
            Some(Timestamp::from_second(1_800_000_003).unwrap())
        );
        assert_eq!(t.origin_topics.iter().collect::<Vec<_>>(), ["orders"]);
        assert_eq!(rows[1].count, 1);
    }

    #[test]
    fn past_the_cap_the_rest_is_other() {
        let mut g = Groups::default();
        for i in 0..(MAX_GROUPS as i64 + 5) {
            g.add(&entry(i, &format!("E{i}"), "x", 0, false));
        }
        let rows = g.rows();
        assert_eq!(rows.len(), MAX_GROUPS + 1);
        let other = rows.last().unwrap();
        assert_eq!((other.fingerprint.as_str(), other.count), (OTHER, 5));
    }
}
