//! The order state machine of `PROTOCOL.md`: which status moves are legal and
//! which event each legal move produces.
//!
//! ```text
//! pending -> preparing -> ready -> completed
//! pending | preparing | ready -> cancelled
//! ```
//!
//! The server uses [`transition`] to accept or refuse (409
//! `invalid_transition`) a status change and to pick the event it broadcasts;
//! a kitchen screen uses [`next_kitchen_status`] for its "tap to advance"
//! button and can call [`transition`] to grey out moves the server would
//! refuse anyway, so both sides agree without a round trip.

use thiserror::Error;
use ticketrail_protocol::{OrderEventKind, OrderStatus};

/// A status change the state machine forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("an order cannot move from {} to {}{}", .from.as_str(), .to.as_str(), reason(*.from, *.to))]
pub struct TransitionError {
    /// Status the order is in.
    pub from: OrderStatus,
    /// Status that was asked for.
    pub to: OrderStatus,
}

/// A short "why" appended to the message, so a person reading a 409 sees
/// whether the order was closed or the step simply does not exist.
fn reason(from: OrderStatus, to: OrderStatus) -> &'static str {
    if from.is_closed() {
        " (the order is already closed)"
    } else if from == to {
        " (it is already there)"
    } else {
        ""
    }
}

/// Checks a status change and names the event it produces.
///
/// Legal moves: pending -> preparing and preparing -> ready give
/// [`OrderEventKind::KitchenStatusChanged`]; ready -> completed gives
/// [`OrderEventKind::OrderCompleted`]; pending, preparing or ready ->
/// cancelled gives [`OrderEventKind::OrderCancelled`]. Everything else,
/// including staying in the same status and any move out of a closed order,
/// is an error; idempotent repeats are recognised by `request_id` before this
/// is asked, not here.
pub fn transition(from: OrderStatus, to: OrderStatus) -> Result<OrderEventKind, TransitionError> {
    use OrderStatus::{Cancelled, Completed, Pending, Preparing, Ready};
    match (from, to) {
        (Pending, Preparing) | (Preparing, Ready) => Ok(OrderEventKind::KitchenStatusChanged),
        (Ready, Completed) => Ok(OrderEventKind::OrderCompleted),
        (Pending | Preparing | Ready, Cancelled) => Ok(OrderEventKind::OrderCancelled),
        _ => Err(TransitionError { from, to }),
    }
}

/// The status a kitchen screen moves an order to with one tap: pending ->
/// preparing -> ready -> completed. `None` for a closed order (cancelling is
/// a separate, deliberate action, never the "next" step).
pub fn next_kitchen_status(status: OrderStatus) -> Option<OrderStatus> {
    match status {
        OrderStatus::Pending => Some(OrderStatus::Preparing),
        OrderStatus::Preparing => Some(OrderStatus::Ready),
        OrderStatus::Ready => Some(OrderStatus::Completed),
        OrderStatus::Completed | OrderStatus::Cancelled => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::{Cancelled, Completed, Pending, Preparing, Ready};

    /// The legal moves of `PROTOCOL.md`, written out independently of the
    /// `match` above. The diagram has six (three forward, three cancels).
    const LEGAL: [(OrderStatus, OrderStatus, OrderEventKind); 6] = [
        (Pending, Preparing, OrderEventKind::KitchenStatusChanged),
        (Preparing, Ready, OrderEventKind::KitchenStatusChanged),
        (Ready, Completed, OrderEventKind::OrderCompleted),
        (Pending, Cancelled, OrderEventKind::OrderCancelled),
        (Preparing, Cancelled, OrderEventKind::OrderCancelled),
        (Ready, Cancelled, OrderEventKind::OrderCancelled),
    ];

    fn expected(from: OrderStatus, to: OrderStatus) -> Option<OrderEventKind> {
        LEGAL
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, kind)| *kind)
    }

    #[test]
    fn every_pair_matches_the_table() {
        let mut legal = 0;
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                match (transition(from, to), expected(from, to)) {
                    (Ok(kind), Some(want)) => {
                        assert_eq!(kind, want, "{from:?} -> {to:?}");
                        legal += 1;
                    }
                    (Err(err), None) => assert_eq!(err, TransitionError { from, to }),
                    (got, want) => panic!("{from:?} -> {to:?}: got {got:?}, table says {want:?}"),
                }
            }
        }
        assert_eq!(legal, LEGAL.len());
    }

    #[test]
    fn tapping_walks_the_forward_path_and_every_tap_is_legal() {
        let mut path = vec![Pending];
        while let Some(next) = next_kitchen_status(*path.last().unwrap()) {
            assert!(transition(*path.last().unwrap(), next).is_ok());
            path.push(next);
        }
        assert_eq!(path, [Pending, Preparing, Ready, Completed]);
        assert_eq!(next_kitchen_status(Cancelled), None);
    }

    #[test]
    fn errors_read_like_sentences() {
        let closed = transition(Completed, Pending).unwrap_err().to_string();
        assert_eq!(
            closed,
            "an order cannot move from completed to pending (the order is already closed)"
        );
        let same = transition(Ready, Ready).unwrap_err().to_string();
        assert_eq!(
            same,
            "an order cannot move from ready to ready (it is already there)"
        );
        let skip = transition(Pending, Completed).unwrap_err().to_string();
        assert_eq!(skip, "an order cannot move from pending to completed");
    }
}
