//! `dlq watch`: what a watcher keeps of a DLQ between refreshes, so that each refresh reads only
//! what arrived and asks the broker only what was handled.
//!
//! The [`Tracker`] holds one small record per unhandled entry (its position, time, size and
//! failure, about 40 bytes; never the payload): entries arrive from the first read and then from a
//! follower, and leave when the broker's bookkeeping ([`Handled`]) says the operator handled them
//! (Kafka: the operator group's offset or the log start passed them; Pulsar: the operator
//! subscription acknowledged them). Counts, failures and ages are therefore those of what is in
//! the DLQ now, as `stats` would count them, at the cost of one read at the start.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use jiff::Timestamp;

use super::entry::{Entry, EntryId, PulsarMessageId};
use super::fingerprint::{failure, Failure};
use super::stats::{Counts, Dated, Stats};

/// A position as the broker's bookkeeping orders a partition: Kafka `(0, offset)`, Pulsar
/// `(ledger, entry)` (the messages of one batch share it).
pub(crate) type Position = (u64, i64);

/// What the operator has handled in one partition: everything at or before `through`, and the
/// ranges `(a, b]` above it (Pulsar's individually acknowledged messages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    pub through: Option<Position>,
    pub ranges: Vec<(Position, Position)>,
}

impl Marks {
    /// Kafka: every offset before `next` (the operator group's offset, or the log start where
    /// retention or a purge went further).
    pub(crate) fn before_offset(next: i64) -> Marks {
        Marks {
            through: Some((0, next - 1)),
            ranges: Vec::new(),
        }
    }

    pub(crate) fn handled(&self, p: Position) -> bool {
        self.through.is_some_and(|t| p <= t) || self.ranges.iter().any(|(a, b)| *a < p && p <= *b)
    }
}

/// The broker's bookkeeping of what the operator handled, per partition (Kafka's partition,
/// Pulsar's partition index, -1 for a topic that is not partitioned). A partition not named has
/// nothing handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Handled {
    pub partitions: BTreeMap<i32, Marks>,
    /// Entries the broker retains, handled or not, where it counts them (Kafka's watermarks).
    pub retained: Option<u64>,
}

/// The partition and position of an entry, and its batch index (-1 outside a batch).
fn place(id: &EntryId) -> (i32, Position, i32) {
    match *id {
        EntryId::Kafka { partition, offset } => (partition, (0, offset), -1),
        EntryId::Pulsar(p) => (p.partition, (p.ledger, p.entry as i64), p.batch_index),
    }
}

/// One unhandled entry, as little as a refresh needs.
#[derive(Debug, Clone, Copy)]
struct Seen {
    position: Position,
    batch: i32,
    bytes: u32,
    /// Milliseconds since the epoch; `i64::MIN` when the broker gave no time.
    time_ms: i64,
    kind: u32,
}

/// An entry's error class (as `stats` counts it) and failure (as `groups` does).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Kind {
    class: Option<String>,
    failure: u32,
}

/// Kinds kept apart; past it, new ones share the last one's slot under `(other)`.
const MAX_KINDS: usize = 10_000;
/// Minutes of arrivals kept for the sparkline.
pub(crate) const SPARK_MINUTES: usize = 30;

/// One failure among the entries tracked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopFailure {
    pub fingerprint: String,
    pub error_class: Option<String>,
    pub template: String,
    pub count: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Tracker {
    partitions: BTreeMap<i32, VecDeque<Seen>>,
    pulsar: bool,
    kinds: Vec<Kind>,
    kind_ids: HashMap<Kind, u32>,
    kind_counts: Vec<u64>,
    failures: Vec<Arc<Failure>>,
    failure_ids: HashMap<String, u32>,
    entries: u64,
    bytes: u64,
    /// Entries added (first read and arrivals alike) by their DLQ time's minute, the last
    /// `SPARK_MINUTES * 2` minutes at most.
    minutes: BTreeMap<i64, u64>,
}

impl Tracker {
    /// Tracks an entry; `false` (and nothing counted) when its partition already holds it or a
    /// later one: the follower and the first read overlap by what arrived between them.
    pub(crate) fn add(&mut self, e: &Entry) -> bool {
        let (partition, position, batch) = place(&e.record.id);
        self.pulsar = matches!(e.record.id, EntryId::Pulsar(_));
        let queue = self.partitions.entry(partition).or_default();
        if queue
            .back()
            .is_some_and(|last| (last.position, last.batch) >= (position, batch))
        {
            return false;
        }
        let f = failure(&e.context);
        let failure = match self.failure_ids.get(&f.fingerprint) {
            Some(i) => *i,
            None => {
                let i = self.failures.len() as u32;
                self.failure_ids.insert(f.fingerprint.clone(), i);
                self.failures.push(f);
                i
            }
        };
        let kind = Kind {
            class: e.context.error_class.clone(),
            failure,
        };
        let kind = match self.kind_ids.get(&kind) {
            Some(k) => *k,
            None if self.kinds.len() < MAX_KINDS => {
                let k = self.kinds.len() as u32;
                self.kind_ids.insert(kind.clone(), k);
                self.kinds.push(kind);
                self.kind_counts.push(0);
                k
            }
            None => (MAX_KINDS - 1) as u32,
        };
        let bytes = e.record.size_bytes();
        let time_ms = e.record.timestamp.map_or(i64::MIN, |t| t.as_millisecond());
        queue.push_back(Seen {
            position,
            batch,
            bytes: bytes.min(u32::MAX as u64) as u32,
            time_ms,
            kind,
        });
        self.kind_counts[kind as usize] += 1;
        self.entries += 1;
        self.bytes += bytes;
        if let Some(t) = e.record.timestamp {
            let minute = t.as_second().div_euclid(60);
            *self.minutes.entry(minute).or_default() += 1;
            while self.minutes.len() > SPARK_MINUTES * 2 {
                self.minutes.pop_first();
            }
        }
        true
    }

    /// Forgets the entries the operator has handled; returns how many.
    pub(crate) fn remove_handled(&mut self, handled: &Handled) -> u64 {
        let mut removed = 0u64;
        for (partition, queue) in self.partitions.iter_mut() {
            let Some(marks) = handled.partitions.get(partition) else {
                continue;
            };
            let mut gone = |s: &Seen| {
                removed += 1;
                self.entries -= 1;
                self.bytes -= u64::from(s.bytes);
                self.kind_counts[s.kind as usize] -= 1;
            };
            // Handled prefixes leave from the front (Kafka's only kind)…
            while let Some(s) = queue.front().copied() {
                if marks.through.is_none_or(|t| s.position > t) {
                    break;
                }
                queue.pop_front();
                gone(&s);
            }
            // …acknowledged ranges from anywhere (Pulsar).
            if !marks.ranges.is_empty() {
                queue.retain(|s| {
                    let handled = marks.handled(s.position);
                    if handled {
                        gone(s);
                    }
                    !handled
                });
            }
        }
        removed
    }

    /// Unhandled entries tracked.
    pub(crate) fn entries(&self) -> u64 {
        self.entries
    }

    fn id(&self, partition: i32, s: &Seen) -> EntryId {
        if self.pulsar {
            EntryId::Pulsar(PulsarMessageId {
                ledger: s.position.0,
                entry: s.position.1 as u64,
                partition,
                batch_index: s.batch,
            })
        } else {
            EntryId::Kafka {
                partition,
                offset: s.position.1,
            }
        }
    }

    /// The oldest and newest entry tracked, by DLQ time.
    fn dated(&self) -> (Option<Dated>, Option<Dated>) {
        let mut oldest: Option<(i64, i32, Seen)> = None;
        let mut newest: Option<(i64, i32, Seen)> = None;
        for (p, queue) in &self.partitions {
            for s in queue.iter().filter(|s| s.time_ms != i64::MIN) {
                if oldest.is_none_or(|(t, _, _)| s.time_ms < t) {
                    oldest = Some((s.time_ms, *p, *s));
                }
                if newest.is_none_or(|(t, _, _)| s.time_ms >= t) {
                    newest = Some((s.time_ms, *p, *s));
                }
            }
        }
        let dated = |x: Option<(i64, i32, Seen)>| {
            x.and_then(|(t, p, s)| {
                Some(Dated {
                    id: self.id(p, &s).to_string(),
                    timestamp: Timestamp::from_millisecond(t).ok()?,
                })
            })
        };
        (dated(oldest), dated(newest))
    }

    /// The oldest unhandled entry's DLQ time.
    pub(crate) fn oldest(&self) -> Option<Timestamp> {
        self.dated().0.map(|d| d.timestamp)
    }

    /// What `stats` would count of the unhandled entries, for metrics: entries, bytes, error
    /// classes, failures, oldest and newest (the other dimensions are not kept).
    pub(crate) fn stats(&self) -> Stats {
        let mut by_class: HashMap<Option<&str>, u64> = HashMap::new();
        let mut by_failure: HashMap<u32, u64> = HashMap::new();
        for (kind, n) in self.kinds.iter().zip(&self.kind_counts) {
            if *n > 0 {
                *by_class.entry(kind.class.as_deref()).or_default() += n;
                *by_failure.entry(kind.failure).or_default() += n;
            }
        }
        let mut stats = Stats {
            entries: self.entries,
            bytes: self.bytes,
            ..Stats::default()
        };
        stats.by_error_class = Counts::from_counts(by_class);
        stats.by_fingerprint = Counts::from_counts(
            by_failure
                .into_iter()
                .map(|(f, n)| (Some(self.failures[f as usize].fingerprint.as_str()), n)),
        );
        (stats.oldest, stats.newest) = self.dated();
        stats
    }

    /// The `n` most frequent failures among the unhandled entries.
    pub(crate) fn top_failures(&self, n: usize) -> Vec<TopFailure> {
        let mut by_failure: HashMap<u32, u64> = HashMap::new();
        for (kind, count) in self.kinds.iter().zip(&self.kind_counts) {
            if *count > 0 {
                *by_failure.entry(kind.failure).or_default() += count;
            }
        }
        let mut top: Vec<TopFailure> = by_failure
            .into_iter()
            .map(|(f, count)| {
                let f = &self.failures[f as usize];
                TopFailure {
                    fingerprint: f.fingerprint.clone(),
                    error_class: f.error_class.clone(),
                    template: f.template.clone(),
                    count,
                }
            })
            .collect();
        top.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        top.truncate(n);
        top
    }

    /// Entries per minute by DLQ time, the `SPARK_MINUTES` minutes up to `now` (oldest first),
    /// handled ones included: when they arrived, not what is left.
    pub(crate) fn arrivals_per_minute(&self, now: Timestamp) -> Vec<u64> {
        let last = now.as_second().div_euclid(60);
        let first = last - SPARK_MINUTES as i64 + 1;
        (first..=last)
            .map(|m| self.minutes.get(&m).copied().unwrap_or(0))
            .collect()
    }
}

/// Arrivals and removals over the last minute of refreshes.
#[derive(Debug, Default)]
pub(crate) struct Rates {
    history: VecDeque<(Timestamp, u64, u64)>,
    started: Option<Timestamp>,
}

impl Rates {
    pub(crate) fn record(&mut self, now: Timestamp, arrived: u64, removed: u64) {
        self.started.get_or_insert(now);
        self.history.push_back((now, arrived, removed));
        let minute_ago = now - jiff::SignedDuration::from_secs(60);
        while self
            .history
            .front()
            .is_some_and(|(t, _, _)| *t <= minute_ago)
        {
            self.history.pop_front();
        }
    }

    /// Marks the first refresh: what it found was there already, not arrived.
    pub(crate) fn start(&mut self, now: Timestamp) {
        self.started = Some(now);
    }

    /// (arrivals, removals) a minute, over the last minute or the time watched so far if
    /// shorter; `None` before anything was watched.
    pub(crate) fn per_minute(&self, now: Timestamp) -> Option<(f64, f64)> {
        let started = self.started?;
        let span = now.duration_since(started).as_secs_f64().min(60.0);
        if span <= 0.0 {
            return None;
        }
        let (a, r) = self
            .history
            .iter()
            .fold((0u64, 0u64), |(a, r), (_, x, y)| (a + x, r + y));
        Some((a as f64 * 60.0 / span, r as f64 * 60.0 / span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Context, Record};

    fn entry(partition: i32, offset: i64, class: &str, at: &str) -> Entry {
        let record = Record {
            topic: "orders.DLT".into(),
            id: EntryId::Kafka { partition, offset },
            timestamp: Some(at.parse().unwrap()),
            key: None,
            headers: Vec::new(),
            payload: Some(vec![b'x'; 10]),
            schema_version: None,
        };
        let context = Context {
            error_class: Some(class.into()),
            error_message: Some(format!("{class} for order {offset}")),
            ..Context::default()
        };
        Entry::new(record, context)
    }

    fn pulsar(ledger: u64, entry_id: u64, batch_index: i32) -> Entry {
        let mut e = entry(0, 0, "Boom", "2026-12-06T10:00:00Z");
        e.record.id = EntryId::Pulsar(PulsarMessageId {
            ledger,
            entry: entry_id,
            partition: -1,
            batch_index,
        });
        e
    }

    #[test]
    fn a_handled_prefix_leaves_with_its_counts() {
        let mut t = Tracker::default();
        for o in 0..5 {
            assert!(t.add(&entry(0, o, "Boom", "2026-12-06T10:00:00Z")));
        }
        for o in 0..3 {
            assert!(t.add(&entry(1, o, "Bang", "2026-12-06T10:01:00Z")));
        }
        // An overlap between the first read and the follower is counted once.
        assert!(!t.add(&entry(0, 4, "Boom", "2026-12-06T10:00:00Z")));
        assert_eq!(t.entries(), 8);
        assert_eq!(t.stats().bytes, 80);
        let handled = Handled {
            partitions: [(0, Marks::before_offset(5)), (1, Marks::before_offset(1))].into(),
            retained: None,
        };
        assert_eq!(t.remove_handled(&handled), 6);
        assert_eq!(t.entries(), 2);
        let top = t.top_failures(5);
        assert_eq!(top.len(), 1, "the purged failure is gone: {top:?}");
        assert_eq!(top[0].count, 2);
        assert_eq!(top[0].error_class.as_deref(), Some("Bang"));
        let s = t.stats();
        assert_eq!(s.bytes, 20);
        assert_eq!(
            s.by_error_class.sorted(),
            vec![(Some("Bang".to_string()), 2)]
        );
        assert_eq!(s.oldest.unwrap().id, "1:1");
        // Nothing handled again: nothing leaves.
        assert_eq!(t.remove_handled(&handled), 0);
    }

    #[test]
    fn acknowledged_ranges_leave_from_anywhere_and_batches_stay_whole() {
        let mut t = Tracker::default();
        for (l, e, b) in [(7, 0, -1), (7, 1, 0), (7, 1, 1), (7, 2, -1), (8, 0, -1)] {
            assert!(t.add(&pulsar(l, e, b)));
        }
        // Mark-delete at 7:0, then 7:1 and 8:0 acknowledged one by one.
        let marks = Marks {
            through: Some((7, 0)),
            ranges: vec![((7, 0), (7, 1)), ((7, 2), (8, 0))],
        };
        let handled = Handled {
            partitions: [(-1, marks)].into(),
            retained: None,
        };
        assert_eq!(t.remove_handled(&handled), 4);
        assert_eq!(t.entries(), 1);
        assert_eq!(t.stats().oldest.unwrap().id, "7:2:-1");
    }

    #[test]
    fn arrivals_per_minute_cover_the_last_half_hour() {
        let mut t = Tracker::default();
        t.add(&entry(0, 0, "Boom", "2026-12-06T10:00:10Z"));
        t.add(&entry(0, 1, "Boom", "2026-12-06T10:00:50Z"));
        t.add(&entry(0, 2, "Boom", "2026-12-06T10:02:00Z"));
        t.add(&entry(0, 3, "Boom", "2026-12-06T09:00:00Z"));
        let spark = t.arrivals_per_minute("2026-12-06T10:02:30Z".parse().unwrap());
        assert_eq!(spark.len(), SPARK_MINUTES);
        assert_eq!(&spark[SPARK_MINUTES - 3..], &[2, 0, 1]);
        assert_eq!(spark.iter().sum::<u64>(), 3, "an hour ago is off the chart");
    }

    #[test]
    fn rates_are_over_the_last_minute_or_what_was_watched() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let mut r = Rates::default();
        assert_eq!(r.per_minute(at("2026-12-06T10:00:00Z")), None);
        r.start(at("2026-12-06T10:00:00Z"));
        r.record(at("2026-12-06T10:00:30Z"), 10, 2);
        assert_eq!(r.per_minute(at("2026-12-06T10:00:30Z")), Some((20.0, 4.0)));
        r.record(at("2026-12-06T10:01:00Z"), 5, 0);
        r.record(at("2026-12-06T10:01:30Z"), 0, 0);
        // 10:00:30 is a minute old: out.
        assert_eq!(r.per_minute(at("2026-12-06T10:01:30Z")), Some((5.0, 0.0)));
    }
}
