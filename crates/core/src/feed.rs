//! The client side of the order feed: which order snapshots to apply and
//! which `since_id` to ask for next.
//!
//! Orders reach a kitchen screen three ways: WebSocket catch-up, live
//! WebSocket events and the polling fallback `GET /api/orders?since_id=N`.
//! They overlap (a reconnect replays what polling already brought), so the
//! same snapshot can arrive more than once. Every change to an order gives it
//! a new, strictly increasing per-outlet `seq`, and every snapshot carries the
//! order's *latest* state, so a client only ever needs the highest `seq` it
//! has applied: anything at or below it is a duplicate or older than what the
//! screen already shows.
//!
//! Gaps in `seq` are normal, not lost events: the feed returns each order in
//! its latest state, so an order that changed twice since the cursor shows up
//! once, with only its latest `seq`; the earlier one is never sent.
//! Therefore [`FeedCursor`] never waits for or asks about a missing number.

use serde::{Deserialize, Serialize};

/// The highest feed `seq` a client has applied; the next `since_id`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    since: i64,
}

/// What to do with a snapshot offered to a [`FeedCursor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Newer than anything applied: apply it; the cursor has moved to its seq.
    Apply,
    /// At or below the cursor: a duplicate or older snapshot; ignore it.
    Stale,
}

impl FeedCursor {
    /// A cursor that has applied everything up to `since` (0 for a fresh
    /// screen, or the value a client persisted).
    pub fn new(since: i64) -> Self {
        Self { since }
    }

    /// The highest applied seq: the `since_id` of the next poll or socket.
    pub fn since(&self) -> i64 {
        self.since
    }

    /// Decides about one snapshot with sequence number `seq`, advancing the
    /// cursor when it is new.
    pub fn offer(&mut self, seq: i64) -> Offer {
        if seq > self.since {
            self.since = seq;
            Offer::Apply
        } else {
            Offer::Stale
        }
    }

    /// Keeps the items of a batch (a poll answer, a burst of catch-up events)
    /// that should be applied, in the order to apply them, and advances the
    /// cursor past them. `seq_of` reads an item's seq.
    ///
    /// The server sends batches ascending by seq; they are sorted here anyway,
    /// because offering an out-of-order batch as-is would drop the lower seqs
    /// as stale, and those may be other orders' only snapshots.
    pub fn apply_batch<T>(&mut self, mut items: Vec<T>, seq_of: impl Fn(&T) -> i64) -> Vec<T> {
        items.sort_by_key(&seq_of);
        items.retain(|item| self.offer(seq_of(item)) == Offer::Apply);
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn duplicates_and_old_snapshots_are_stale_and_gaps_are_fine() {
        let mut cursor = FeedCursor::new(10);
        assert_eq!(cursor.offer(10), Offer::Stale);
        assert_eq!(cursor.offer(3), Offer::Stale);
        assert_eq!(cursor.offer(14), Offer::Apply);
        assert_eq!(cursor.offer(14), Offer::Stale);
        assert_eq!(cursor.offer(12), Offer::Stale);
        assert_eq!(cursor.offer(20), Offer::Apply);
        assert_eq!(cursor.since(), 20);
    }

    #[test]
    fn a_fresh_cursor_starts_at_zero_and_round_trips_through_json() {
        assert_eq!(FeedCursor::default(), FeedCursor::new(0));
        let cursor = FeedCursor::new(458);
        let json = serde_json::to_string(&cursor).unwrap();
        assert_eq!(json, r#"{"since":458}"#);
        assert_eq!(serde_json::from_str::<FeedCursor>(&json).unwrap(), cursor);
    }

    #[test]
    fn a_batch_is_applied_in_seq_order_without_repeats() {
        let mut cursor = FeedCursor::new(5);
        let batch = vec![("b", 9), ("a", 7), ("old", 5), ("dup", 9), ("c", 12)];
        let applied = cursor.apply_batch(batch, |(_, seq)| *seq);
        assert_eq!(applied, [("a", 7), ("b", 9), ("c", 12)]);
        assert_eq!(cursor.since(), 12);
        assert!(cursor
            .apply_batch(vec![("again", 12)], |(_, seq)| *seq)
            .is_empty());
    }

    proptest! {
        #[test]
        fn applied_seqs_are_exactly_the_running_maxima(
            start in -5..20i64,
            seqs in prop::collection::vec(-5..40i64, 0..60),
        ) {
            let mut cursor = FeedCursor::new(start);
            let mut applied = Vec::new();
            for &seq in &seqs {
                if cursor.offer(seq) == Offer::Apply {
                    applied.push(seq);
                }
            }
            // Model: a seq is applied iff it beats everything seen before it.
            let mut high = start;
            let mut expected = Vec::new();
            for &seq in &seqs {
                if seq > high {
                    high = seq;
                    expected.push(seq);
                }
            }
            prop_assert!(applied.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(&applied, &expected);
            prop_assert_eq!(cursor.since(), high);
        }

        #[test]
        fn a_batch_applies_each_new_seq_exactly_once(
            start in -5..20i64,
            seqs in prop::collection::vec(-5..40i64, 0..60),
        ) {
            let mut cursor = FeedCursor::new(start);
            let applied = cursor.apply_batch(seqs.clone(), |seq| *seq);
            let mut expected: Vec<i64> = seqs.into_iter().filter(|seq| *seq > start).collect();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(cursor.since(), expected.last().copied().unwrap_or(start));
            prop_assert_eq!(applied, expected);
        }
    }
}
