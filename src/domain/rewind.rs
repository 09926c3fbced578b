//! Where a rewind to time T starts in one partition: the first offset whose record's own
//! timestamp is at or after T. A broker's timestamp lookup is only a hint: some answer with
//! batch base offsets or object write times (BROKERS.md). The hint is checked against the
//! records themselves and corrected, so the result is exact whatever the broker said.

use jiff::Timestamp;

/// `ts_from(o)` reads the first record at or after offset `o`: its offset and timestamp, or
/// `None` when there is none before the end.
pub(crate) fn exact_start(
    since: Timestamp,
    low: i64,
    high: i64,
    hint: Option<i64>,
    mut ts_from: impl FnMut(i64) -> anyhow::Result<Option<(i64, Timestamp)>>,
) -> anyhow::Result<i64> {
    let h = hint.unwrap_or(high).clamp(low, high);
    // Too late? The record just before the hint must be older than T; otherwise the hint skipped
    // records that belong to the window, and only a scan from the start can say where it begins.
    let mut from = h;
    let mut k = h - 1;
    while k >= low {
        match ts_from(k)? {
            // The nearest record before the hint.
            Some((o, t)) if o < h => {
                if t >= since {
                    from = low;
                }
                break;
            }
            // `k` is a gap (compacted away, a transaction marker): look further back.
            _ => k -= 1,
        }
    }
    // Too early? Walk forward past records older than T.
    let mut o = from;
    while o < high {
        match ts_from(o)? {
            None => return Ok(high),
            Some((at, t)) if t >= since => return Ok(at),
            Some((at, _)) => o = at + 1,
        }
    }
    Ok(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partition whose record at offset i has timestamp `times[i]` seconds (None: no record).
    fn partition(
        times: &[Option<i64>],
    ) -> impl FnMut(i64) -> anyhow::Result<Option<(i64, Timestamp)>> + '_ {
        move |from| {
            Ok(times
                .iter()
                .enumerate()
                .skip(from.max(0) as usize)
                .find_map(|(i, t)| t.map(|t| (i as i64, Timestamp::from_second(t).unwrap()))))
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn an_exact_hint_is_kept() {
        let times = [Some(10), Some(20), Some(30), Some(40)];
        assert_eq!(
            exact_start(at(25), 0, 4, Some(2), partition(&times)).unwrap(),
            2
        );
        assert_eq!(
            exact_start(at(30), 0, 4, Some(2), partition(&times)).unwrap(),
            2,
            "at or after"
        );
    }

    #[test]
    fn a_hint_that_is_too_late_is_corrected() {
        // A batch-based broker answers with the next batch's base offset.
        let times = [Some(10), Some(20), Some(30), Some(40), Some(50)];
        assert_eq!(
            exact_start(at(25), 0, 5, Some(4), partition(&times)).unwrap(),
            2
        );
    }

    #[test]
    fn a_hint_that_is_too_early_is_corrected() {
        // Object write times: the lookup lands on a batch that starts before T.
        let times = [Some(10), Some(20), Some(30), Some(40), Some(50)];
        assert_eq!(
            exact_start(at(35), 0, 5, Some(0), partition(&times)).unwrap(),
            3
        );
    }

    #[test]
    fn nothing_that_recent_means_the_end() {
        let times = [Some(10), Some(20)];
        assert_eq!(
            exact_start(at(99), 0, 2, None, partition(&times)).unwrap(),
            2
        );
        assert_eq!(
            exact_start(at(99), 0, 2, Some(1), partition(&times)).unwrap(),
            2
        );
    }

    #[test]
    fn gaps_in_offsets_are_skipped() {
        let times = [Some(10), None, None, Some(40), Some(50)];
        assert_eq!(
            exact_start(at(20), 0, 5, Some(1), partition(&times)).unwrap(),
            3
        );
        assert_eq!(
            exact_start(at(5), 0, 5, Some(3), partition(&times)).unwrap(),
            0
        );
    }

    #[test]
    fn a_retention_trimmed_log_starts_at_low() {
        let times = [None, None, Some(30), Some(40)];
        assert_eq!(
            exact_start(at(0), 2, 4, Some(0), partition(&times)).unwrap(),
            2
        );
    }
}
