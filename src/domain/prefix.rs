//! The handled prefix of one partition: Kafka can only mark "everything before offset N" as
//! consumed, so a replay may move the operator group forward only over entries that were all
//! handled, in read order. Entries handled beyond an unhandled one (not selected, skipped, or
//! failed) are counted, so the user can be told they stay unmarked.
//!
//! Memory stays bounded by the number of deliveries in flight: once a gap exists, nothing
//! after it is queued.

use std::collections::VecDeque;

#[derive(Debug, Default, Clone)]
pub(crate) struct Prefix {
    /// The first offset tracked: committing it would change nothing.
    start: Option<i64>,
    /// The offset to commit: everything before it was handled.
    next: Option<i64>,
    /// Read, in order, after `next`: (offset, handled).
    queue: VecDeque<(i64, bool)>,
    /// The first offset that will never be handled, once there is one.
    gap_at: Option<i64>,
    /// Handled entries after the gap.
    beyond_gap: u64,
}

impl Prefix {
    fn begin(&mut self, offset: i64) {
        if self.next.is_none() {
            self.start = Some(offset);
            self.next = Some(offset);
        }
    }

    /// A read entry whose delivery is under way.
    pub(crate) fn pending(&mut self, offset: i64) {
        self.begin(offset);
        if self.gap_at.is_none() {
            self.queue.push_back((offset, false));
        }
    }

    /// A read entry that will not be handled (or whose delivery failed).
    pub(crate) fn unhandled(&mut self, offset: i64) {
        self.begin(offset);
        if self.gap_at.is_some_and(|g| g <= offset) {
            return;
        }
        self.gap_at = Some(offset);
        // Entries at or after the gap can no longer join the prefix.
        while let Some(&(o, done)) = self.queue.back() {
            if o < offset {
                break;
            }
            self.queue.pop_back();
            if done {
                self.beyond_gap += 1;
            }
        }
    }

    /// The entry's copy was confirmed.
    pub(crate) fn handled(&mut self, offset: i64) {
        match self.queue.iter_mut().find(|(o, _)| *o == offset) {
            Some(e) => e.1 = true,
            None => {
                self.beyond_gap += 1;
                return;
            }
        }
        while let Some(&(o, true)) = self.queue.front() {
            self.queue.pop_front();
            self.next = Some(o + 1);
        }
    }

    /// The offset to commit, when it moved past where tracking began.
    pub(crate) fn commit_offset(&self) -> Option<i64> {
        match (self.start, self.next) {
            (Some(s), Some(n)) if n > s => Some(n),
            _ => None,
        }
    }

    /// Where the prefix stops and how many handled entries lie beyond it.
    pub(crate) fn gap(&self) -> Option<(i64, u64)> {
        self.gap_at
            .filter(|_| self.beyond_gap > 0)
            .map(|g| (g, self.beyond_gap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_handling_moves_the_prefix_in_order() {
        let mut p = Prefix::default();
        for o in 10..14 {
            p.pending(o);
        }
        p.handled(11);
        assert_eq!(p.commit_offset(), None, "10 is still in flight");
        p.handled(10);
        assert_eq!(p.commit_offset(), Some(12));
        p.handled(13);
        p.handled(12);
        assert_eq!(p.commit_offset(), Some(14));
        assert_eq!(p.gap(), None);
    }

    #[test]
    fn a_gap_stops_the_prefix_and_counts_what_lies_beyond() {
        let mut p = Prefix::default();
        p.pending(0);
        p.pending(1);
        p.unhandled(2); // not selected
        p.pending(3);
        p.pending(4);
        p.handled(0);
        p.handled(3);
        p.handled(4);
        p.handled(1);
        assert_eq!(p.commit_offset(), Some(2));
        assert_eq!(p.gap(), Some((2, 2)));
    }

    #[test]
    fn a_failed_delivery_in_flight_becomes_the_gap() {
        let mut p = Prefix::default();
        for o in 0..4 {
            p.pending(o);
        }
        p.handled(3); // confirmed before 1 failed
        p.unhandled(1);
        p.handled(0);
        p.handled(2);
        assert_eq!(p.commit_offset(), Some(1));
        assert_eq!(p.gap(), Some((1, 2)));
    }

    #[test]
    fn an_unselected_first_entry_commits_nothing() {
        let mut p = Prefix::default();
        p.unhandled(5);
        p.pending(6);
        p.handled(6);
        assert_eq!(p.commit_offset(), None);
        assert_eq!(p.gap(), Some((5, 1)));
    }
}
