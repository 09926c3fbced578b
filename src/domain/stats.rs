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
    pub oldest: Option<Dated>,
    pub newest: Option<Dated>,
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
