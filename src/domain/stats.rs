//! `dlq stats`: what failed, how often, since when — counted while streaming, in memory bounded
//! by the number of distinct values kept per dimension (the rest are counted as "other").

use std::collections::HashMap;

use jiff::Timestamp;

use super::entry::Entry;

/// Distinct values kept per dimension; beyond it, entries count under [`OTHER`].
pub(crate) const MAX_DISTINCT: usize = 1000;
pub(crate) const OTHER: &str = "(other)";

/// Counts by value, `None` meaning unknown.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    counts: HashMap<Option<String>, u64>,
    other: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, value: Option<&str>) {
        if let Some(n) = self.counts.get_mut(&value.map(str::to_string)) {
            *n += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(value.map(str::to_string), 1);
        } else {
            self.other += 1;
        }
    }

    /// Counts already made (a watcher's): at most `MAX_DISTINCT` values, the rest as `(other)`.
    pub(crate) fn from_counts<'a>(
        counts: impl IntoIterator<Item = (Option<&'a str>, u64)>,
    ) -> Counts {
        let mut c = Counts::default();
        for (value, n) in counts {
            if c.counts.len() < MAX_DISTINCT {
                *c.counts.entry(value.map(str::to_string)).or_default() += n;
            } else {
                c.other += n;
            }
        }
        c
    }

    /// Most frequent first, then by value; values past the limit last as `(other)`.
    pub(crate) fn sorted(&self) -> Vec<(Option<String>, u64)> {
        let mut v: Vec<_> = self.counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if self.other > 0 {
            v.push((Some(OTHER.to_string()), self.other));
        }
        v
    }
}

/// The oldest or newest entry by broker time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dated {
    pub id: String,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub entries: u64,
    /// Payload bytes, as `size_bytes` counts them.
    pub bytes: u64,
    pub by_error_class: Counts,
    pub by_origin_topic: Counts,
    pub by_convention: Counts,
    pub by_partition: Counts,
    pub by_retry_count: Counts,
    /// By failure (`domain::fingerprint`).
    pub by_fingerprint: Counts,
    pub oldest: Option<Dated>,
    pub newest: Option<Dated>,
    /// Entries by DLQ time, for the chart of arrivals.
    pub arrivals: Arrivals,
    /// `--chart-failures`: entries by DLQ time per failure (the first `MAX_FAILURE_CHARTS`
    /// fingerprints seen); `None` when not asked.
    pub failure_arrivals: Option<std::collections::HashMap<String, Arrivals>>,
}

/// Distinct minutes counted before the count coarsens to hours (then days): a year of minutes
/// would be half a million.
const MAX_SLOTS: usize = 20_000;
/// The most buckets a chart shows; a smaller `--bucket` is widened to fit.
pub(crate) const MAX_BUCKETS: i64 = 10_000;
/// Bucket sizes chosen from the range, in seconds: 1 min, 5 min, 15 min, 30 min, 1 h, 3 h, 6 h,
/// 12 h, 1 d, 7 d.
const NICE: [i64; 10] = [
    60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800,
];
/// Buckets a chosen size aims at, at most.
const AIM: i64 = 48;

/// `a / b` rounded up, for positive numbers.
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// Entries counted by arrival time, in slots of `slot` seconds (a minute, coarser once there are
/// too many), in bounded memory.
#[derive(Debug, Clone)]
pub(crate) struct Arrivals {
    slot: i64,
    counts: std::collections::BTreeMap<i64, u64>,
    max_slots: usize,
}

impl Default for Arrivals {
    fn default() -> Self {
        Arrivals {
            slot: 60,
            counts: Default::default(),
            max_slots: MAX_SLOTS,
        }
    }
}

/// Failures whose arrivals `--chart-failures` counts (the first ones seen); each in at most
/// `FAILURE_SLOTS` slots, so the whole stays within a few MB.
pub(crate) const MAX_FAILURE_CHARTS: usize = 200;
const FAILURE_SLOTS: usize = 2_000;

impl Arrivals {
    pub(crate) fn add(&mut self, t: Timestamp) {
        let s = t.as_second().div_euclid(self.slot) * self.slot;
        *self.counts.entry(s).or_default() += 1;
        while self.counts.len() > self.max_slots {
            let coarser = NICE
                .into_iter()
                .find(|n| *n > self.slot && n % self.slot == 0);
            let Some(coarser) = coarser else { break };
            self.regroup(coarser);
        }
    }

    fn regroup(&mut self, slot: i64) {
        let mut counts = std::collections::BTreeMap::new();
        for (s, n) in std::mem::take(&mut self.counts) {
            *counts.entry(s.div_euclid(slot) * slot).or_insert(0) += n;
        }
        self.slot = slot;
        self.counts = counts;
    }

    /// The bucket size, in seconds: `wanted` (rounded up to what was counted, widened to at most
    /// `MAX_BUCKETS` buckets), or the first nice size giving at most `AIM` buckets.
    pub(crate) fn bucket(&self, wanted: Option<i64>) -> i64 {
        let (Some(first), Some(last)) = (self.counts.keys().next(), self.counts.keys().last())
        else {
            return wanted.unwrap_or(self.slot).max(self.slot);
        };
        let range = last - first + self.slot;
        let round = |b: i64| ceil_div(b.max(self.slot), self.slot) * self.slot;
        match wanted {
            Some(w) => round(w.max(ceil_div(range, MAX_BUCKETS))),
            None => round(
                NICE.into_iter()
                    .find(|n| ceil_div(range, *n) <= AIM)
                    .unwrap_or(NICE[NICE.len() - 1]),
            ),
        }
    }

    /// Buckets of `bucket` seconds from the first arrival's to the last's, empty ones included.
    pub(crate) fn buckets(&self, bucket: i64) -> Vec<(Timestamp, u64)> {
        let (Some(first), Some(last)) = (self.counts.keys().next(), self.counts.keys().last())
        else {
            return Vec::new();
        };
        self.buckets_over(bucket, *first, *last)
    }

    /// The first and last slot counted (seconds since the epoch).
    pub(crate) fn range(&self) -> Option<(i64, i64)> {
        Some((*self.counts.keys().next()?, *self.counts.keys().last()?))
    }

    /// Buckets of `bucket` seconds covering `first..=last` (seconds since the epoch), so that
    /// charts of parts of a whole line up with its chart. Counts outside are left out.
    pub(crate) fn buckets_over(&self, bucket: i64, first: i64, last: i64) -> Vec<(Timestamp, u64)> {
        let start = first.div_euclid(bucket) * bucket;
        let n = (last - start) / bucket + 1;
        let mut out: Vec<(Timestamp, u64)> = (0..n)
            .map(|i| {
                (
                    Timestamp::from_second(start + i * bucket).expect("in range"),
                    0,
                )
            })
            .collect();
        for (s, c) in self.counts.range(start..=last) {
            out[((s - start) / bucket) as usize].1 += c;
        }
        out
    }

    /// The slot size counted in, in seconds (a minute unless there were too many).
    pub(crate) fn slot(&self) -> i64 {
        self.slot
    }
}

impl Stats {
    pub(crate) fn add(&mut self, e: &Entry) {
        let r = &e.record;
        let c = &e.context;
        self.entries += 1;
        self.bytes += r.size_bytes();
        self.by_error_class.add(c.error_class.as_deref());
        self.by_origin_topic.add(c.origin_topic.as_deref());
        self.by_convention.add(c.convention.as_deref());
        self.by_partition
            .add(r.id.partition().map(|p| p.to_string()).as_deref());
        self.by_retry_count
            .add(c.retry_count.map(|n| n.to_string()).as_deref());
        let failure = super::fingerprint::failure(c);
        self.by_fingerprint.add(Some(failure.fingerprint.as_str()));
        if let (Some(per), Some(t)) = (&mut self.failure_arrivals, r.timestamp) {
            if let Some(a) = per.get_mut(&failure.fingerprint) {
                a.add(t);
            } else if per.len() < MAX_FAILURE_CHARTS {
                let mut a = Arrivals {
                    max_slots: FAILURE_SLOTS,
                    ..Arrivals::default()
                };
                a.add(t);
                per.insert(failure.fingerprint.clone(), a);
            }
        }
        if let Some(t) = r.timestamp {
            let dated = || Dated {
                id: r.id.to_string(),
                timestamp: t,
            };
            if self.oldest.as_ref().is_none_or(|o| t < o.timestamp) {
                self.oldest = Some(dated());
            }
            if self.newest.as_ref().is_none_or(|n| t >= n.timestamp) {
                self.newest = Some(dated());
            }
            self.arrivals.add(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn arrivals_fall_in_buckets_chosen_from_the_range() {
        let mut a = Arrivals::default();
        for t in [
            "2026-12-06T08:00:10Z",
            "2026-12-06T08:00:50Z",
            "2026-12-06T08:07:00Z",
            "2026-12-06T09:59:00Z",
        ] {
            a.add(at(t));
        }
        // Two hours: 5-minute buckets at most 48 would need 24 → 5 min.
        assert_eq!(a.bucket(None), 300);
        let b = a.buckets(300);
        assert_eq!(b.len(), 24);
        assert_eq!(b[0], (at("2026-12-06T08:00:00Z"), 2));
        assert_eq!(b[1], (at("2026-12-06T08:05:00Z"), 1));
        assert_eq!(b[23], (at("2026-12-06T09:55:00Z"), 1));
        assert_eq!(b.iter().map(|(_, n)| n).sum::<u64>(), 4);
        // Asked: an hour; a size below what was counted is rounded up to it.
        assert_eq!(a.bucket(Some(3600)), 3600);
        assert_eq!(
            a.buckets(3600),
            vec![
                (at("2026-12-06T08:00:00Z"), 3),
                (at("2026-12-06T09:00:00Z"), 1)
            ]
        );
        assert_eq!(a.bucket(Some(1)), 60);
    }

    #[test]
    fn arrivals_stay_bounded_over_a_long_range() {
        let mut a = Arrivals::default();
        let start = at("2026-01-01T00:00:00Z").as_second();
        for i in 0..(MAX_SLOTS as i64 * 3) {
            a.add(Timestamp::from_second(start + i * 60).unwrap());
        }
        assert!(a.counts.len() <= MAX_SLOTS);
        assert_eq!(
            a.counts.values().sum::<u64>(),
            MAX_SLOTS as u64 * 3,
            "nothing lost"
        );
        let b = a.bucket(Some(60));
        assert!(a.buckets(b).len() as i64 <= MAX_BUCKETS);
    }

    #[test]
    fn counts_sort_by_frequency_and_stay_bounded() {
        let mut c = Counts::default();
        for v in ["b", "a", "b", "c"] {
            c.add(Some(v));
        }
        c.add(None);
        assert_eq!(
            c.sorted(),
            vec![
                (Some("b".into()), 2),
                (None, 1),
                (Some("a".into()), 1),
                (Some("c".into()), 1)
            ]
        );
        let mut c = Counts::default();
        for i in 0..MAX_DISTINCT + 5 {
            c.add(Some(&i.to_string()));
        }
        c.add(Some("0"));
        let sorted = c.sorted();
        assert_eq!(sorted.len(), MAX_DISTINCT + 1);
        assert_eq!(sorted[0], (Some("0".into()), 2), "known values still count");
        assert_eq!(sorted.last().unwrap(), &(Some(OTHER.into()), 5));
    }
}
