//! Where a subscription's unacknowledged backlog ends, from the cursor the broker keeps
//! (`internalStats`): the reader ends each partition exactly there instead of concluding from a
//! quiet spell.
//!
//! Reading a subscription delivers only what it has not acknowledged. When the topic's last
//! messages were acknowledged already (a selective purge or replay took them), the last message
//! id the broker reports is never delivered, and a reader waiting for it cannot tell "nothing
//! more" from "a broker that stalls". The cursor says which positions are acknowledged: the mark-
//! delete position (everything up to it) and the individually deleted ranges above it. The last
//! position that is neither is the last message the subscription will deliver.

use serde_json::Value;

/// A (ledger, entry) position; entry -1 stands before a ledger's first entry.
pub(super) type Position = (u64, i64);

/// A subscription's cursor on one (partition) topic, as `internalStats` shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Cursor {
    /// Everything up to and including it is acknowledged.
    pub mark_delete: Position,
    /// Acknowledged ranges above it, each open at its start and closed at its end: `(a, b]`.
    pub deleted: Vec<(Position, Position)>,
    /// The topic's ledgers that hold entries: (ledger id, number of entries).
    pub ledgers: Vec<(u64, i64)>,
}

/// `"12:-1"` → (12, -1).
fn position(text: &str) -> Option<Position> {
    let (l, e) = text.trim().split_once(':')?;
    Some((l.trim().parse().ok()?, e.trim().parse().ok()?))
}

/// `"[(12:3..12:5], (14:-1..14:2]]"` → the ranges. `None` when the text is not of that shape.
fn ranges(text: &str) -> Option<Vec<(Position, Position)>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split("],")
        .map(|r| {
            let r = r.trim().trim_start_matches('(').trim_end_matches(']');
            let (a, b) = r.split_once("..")?;
            Some((position(a)?, position(b)?))
        })
        .collect()
}

impl Cursor {
    /// The cursor named `subscription` in a topic's `internalStats`; `None` when the topic has
    /// no such cursor or the answer is not of the shape known.
    pub(super) fn from_internal_stats(stats: &Value, subscription: &str) -> Option<Cursor> {
        let c = &stats["cursors"][subscription];
        let mark_delete = position(c["markDeletePosition"].as_str()?)?;
        let deleted = ranges(c["individuallyDeletedMessages"].as_str().unwrap_or("[]"))?;
        let mut ledgers: Vec<(u64, i64)> = stats["ledgers"]
            .as_array()?
            .iter()
            .filter_map(|l| Some((l["ledgerId"].as_u64()?, l["entries"].as_i64()?)))
            .collect();
        // The ledger being written shows 0 entries in the list; its count is apart.
        if let (Some(current), Some(n)) = (
            stats["lastConfirmedEntry"].as_str().and_then(position),
            stats["currentLedgerEntries"].as_i64(),
        ) {
            match ledgers.iter_mut().find(|(l, _)| *l == current.0) {
                Some(entry) => entry.1 = entry.1.max(n),
                None => ledgers.push((current.0, n)),
            }
        }
        ledgers.retain(|(_, n)| *n > 0);
        ledgers.sort_unstable();
        Some(Cursor {
            mark_delete,
            deleted,
            ledgers,
        })
    }

    /// The last position at or before `last` that the subscription has not acknowledged: the
    /// last message it will deliver of what `last` ends. `None` when everything up to `last` is
    /// acknowledged.
    pub(super) fn last_unacknowledged(&self, last: Position) -> Option<Position> {
        let mut pos = last;
        // Each step moves strictly back; the bound only guards against a malformed answer.
        for _ in 0..=self.deleted.len() + self.ledgers.len() + 1 {
            if pos <= self.mark_delete {
                return None;
            }
            if pos.1 < 0 {
                // Before the first entry of its ledger: the last entry of the ledger before.
                let (l, n) = *self.ledgers.iter().rev().find(|(l, _)| *l < pos.0)?;
                pos = (l, n - 1);
                continue;
            }
            match self.deleted.iter().find(|(a, b)| *a < pos && pos <= *b) {
                Some((a, _)) => pos = *a,
                None => return Some(pos),
            }
        }
        Some(last)
    }

    /// The first position at or before `last` that the subscription has not acknowledged: where
    /// the broker starts delivering again when asked to (it rewinds to the mark-delete position
    /// and passes over the acknowledged ranges). `None` when everything up to `last` is
    /// acknowledged.
    pub(super) fn first_unacknowledged(&self, last: Position) -> Option<Position> {
        let mut pos = self.after(self.mark_delete)?;
        for _ in 0..=self.deleted.len() + self.ledgers.len() + 1 {
            if pos > last {
                return None;
            }
            match self.deleted.iter().find(|(a, b)| *a < pos && pos <= *b) {
                Some((_, b)) => pos = self.after(*b)?,
                None => return Some(pos),
            }
        }
        None
    }

    /// The entry after `pos`, in its ledger or the next ledger that holds any.
    fn after(&self, (ledger, entry): Position) -> Option<Position> {
        let held = |l: u64| {
            self.ledgers
                .iter()
                .find(|(id, _)| *id == l)
                .map(|(_, n)| *n)
        };
        if held(ledger).is_some_and(|n| entry + 1 < n) {
            return Some((ledger, entry + 1));
        }
        let (next, _) = *self.ledgers.iter().find(|(l, _)| *l > ledger)?;
        Some((next, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(mark_delete: &str, deleted: &str, ledgers: &[(u64, i64)]) -> Cursor {
        Cursor {
            mark_delete: position(mark_delete).unwrap(),
            deleted: ranges(deleted).unwrap(),
            ledgers: ledgers.to_vec(),
        }
    }

    #[test]
    fn the_broker_s_range_text_is_read() {
        assert_eq!(ranges("[]"), Some(vec![]));
        assert_eq!(
            ranges("[(12:3..12:5], (14:-1..14:2]]"),
            Some(vec![((12, 3), (12, 5)), ((14, -1), (14, 2))])
        );
        assert_eq!(ranges("nonsense"), None);
    }

    #[test]
    fn an_unacknowledged_last_message_is_the_end() {
        let c = cursor("12:-1", "[]", &[(12, 10)]);
        assert_eq!(c.last_unacknowledged((12, 9)), Some((12, 9)));
    }

    #[test]
    fn an_acknowledged_tail_ends_at_the_message_before_it() {
        // 12:6..12:9 acknowledged (a selective purge took the tail): the end is 12:5.
        let c = cursor("12:-1", "[(12:5..12:9]]", &[(12, 10)]);
        assert_eq!(c.last_unacknowledged((12, 9)), Some((12, 5)));
        // and a hole before it changes nothing
        let c = cursor("12:-1", "[(12:1..12:3], (12:5..12:9]]", &[(12, 10)]);
        assert_eq!(c.last_unacknowledged((12, 9)), Some((12, 5)));
    }

    #[test]
    fn a_tail_acknowledged_back_to_the_mark_delete_position_leaves_nothing() {
        let c = cursor("12:3", "[(12:3..12:9]]", &[(12, 10)]);
        assert_eq!(c.last_unacknowledged((12, 9)), None);
        let c = cursor("12:9", "[]", &[(12, 10)]);
        assert_eq!(c.last_unacknowledged((12, 9)), None);
    }

    #[test]
    fn an_acknowledged_range_at_a_ledger_s_start_steps_back_into_the_ledger_before() {
        // Ledger 14's entries 0..2 acknowledged; 12:9 was acknowledged too, 12:8 was not.
        let c = cursor(
            "12:-1",
            "[(12:8..12:9], (14:-1..14:2]]",
            &[(12, 10), (14, 3)],
        );
        assert_eq!(c.last_unacknowledged((14, 2)), Some((12, 8)));
        // nothing before ledger 14 is left
        let c = cursor("12:9", "[(14:-1..14:2]]", &[(12, 10), (14, 3)]);
        assert_eq!(c.last_unacknowledged((14, 2)), None);
    }

    #[test]
    fn the_first_unacknowledged_passes_over_acknowledged_ranges_and_ledgers() {
        let c = cursor("12:-1", "[]", &[(12, 10)]);
        assert_eq!(c.first_unacknowledged((12, 9)), Some((12, 0)));
        // ranges open at their start: 12:3 is not acknowledged, 12:4 and 12:5 are
        let c = cursor("12:2", "[(12:3..12:5]]", &[(12, 10)]);
        assert_eq!(c.first_unacknowledged((12, 9)), Some((12, 3)));
        // ledger 12 acknowledged to its end: ledger 14's first entry (13 holds none)
        let c = cursor("12:9", "[]", &[(12, 10), (14, 3)]);
        assert_eq!(c.first_unacknowledged((14, 2)), Some((14, 0)));
        // and the range that starts ledger 14 passed over
        let c = cursor("12:9", "[(14:-1..14:1]]", &[(12, 10), (14, 3)]);
        assert_eq!(c.first_unacknowledged((14, 2)), Some((14, 2)));
        // nothing unacknowledged up to the boundary
        let c = cursor("12:9", "[(14:-1..14:2]]", &[(12, 10), (14, 3)]);
        assert_eq!(c.first_unacknowledged((14, 2)), None);
        let c = cursor("12:7", "[]", &[(12, 10)]);
        assert_eq!(c.first_unacknowledged((12, 7)), None);
    }

    #[test]
    fn internal_stats_are_read_with_the_ledger_being_written() {
        let stats = serde_json::json!({
            "lastConfirmedEntry": "14:2",
            "currentLedgerEntries": 3,
            "ledgers": [
                {"ledgerId": 12, "entries": 10},
                {"ledgerId": 13, "entries": 0},
                {"ledgerId": 14, "entries": 0}
            ],
            "cursors": {"dlq-cli": {
                "markDeletePosition": "12:4",
                "individuallyDeletedMessages": "[(12:8..12:9], (14:-1..14:2]]"
            }}
        });
        let c = Cursor::from_internal_stats(&stats, "dlq-cli").unwrap();
        assert_eq!(c.mark_delete, (12, 4));
        assert_eq!(c.ledgers, vec![(12, 10), (14, 3)]);
        assert_eq!(c.last_unacknowledged((14, 2)), Some((12, 8)));
        assert!(Cursor::from_internal_stats(&stats, "other").is_none());
    }
}
