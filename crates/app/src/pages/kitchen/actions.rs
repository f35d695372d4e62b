//! What the kitchen's buttons do: move a ticket to its next status, and
//! recall or dismiss a completed ticket.
//!
//! A status change goes to the server (`POST /api/orders/{id}/status`); the
//! ticket only moves when the server's answer (or the live feed) says so, so
//! a failed request never loses or misplaces a ticket: it stays where it
//! was and a message says what to do. A retry after a lost answer reuses
//! the request id, so the server treats it as the same tap.

use std::collections::BTreeMap;

use leptos::{prelude::*, task::spawn_local};
use ticketrail_core::next_kitchen_status;
use ticketrail_protocol::OrderStatus;

use super::{toast::Tone, Kitchen};
use crate::{
    api::{self, ApiError},
    device,
    i18n::kitchen as text,
};

/// Request ids of status changes whose answer never came, by order id, with
/// the status they asked for.
pub type RetryKeys = BTreeMap<String, (OrderStatus, String)>;

/// The request id for moving `order_id` to `next`: the one of an earlier
/// unanswered attempt at the same move, or a fresh one.
fn request_id_for(
    keys: &mut RetryKeys,
    order_id: &str,
    next: OrderStatus,
    fresh: impl FnOnce() -> String,
) -> String {
    match keys.get(order_id) {
        Some((status, id)) if *status == next => id.clone(),
        _ => {
            let id = fresh();
            keys.insert(order_id.to_owned(), (next, id.clone()));
            id
        }
    }
}

/// Whether a failed attempt may have reached the server, so a retry must
/// reuse its request id. Any answer from the server settles the attempt.
fn answer_lost(error: &ApiError) -> bool {
    matches!(error, ApiError::Unreachable | ApiError::Decode(_))
}

/// The tap on a ticket's main button: the next status, or dismiss for a
/// recalled ticket.
pub fn advance(kitchen: Kitchen, order_id: String) {
    let Some(order) = kitchen
        .board
        .with_untracked(|board| board.order(&order_id).cloned())
    else {
        return;
    };
    if kitchen
        .board
        .with_untracked(|board| board.recalled() == Some(order_id.as_str()))
    {
        kitchen.board.update(|board| board.dismiss(&order_id));
        return;
    }
    let Some(next) = next_kitchen_status(order.status) else {
        return;
    };
    if kitchen.busy.with_untracked(|busy| busy.contains(&order_id)) {
        return;
    }
    kitchen.busy.update(|busy| {
        busy.insert(order_id.clone());
    });
    let request_id = kitchen
        .retry_keys
        .try_update_value(|keys| request_id_for(keys, &order_id, next, device::new_id))
        .unwrap_or_else(device::new_id);
    spawn_local(async move {
        let answer = api::orders::change_status(&order_id, next, request_id).await;
        // The page may have been left while the request was out.
        let settled = match &answer {
            Err(error) => !answer_lost(error),
            Ok(_) => true,
        };
        if settled {
            kitchen
                .retry_keys
                .try_update_value(|keys| keys.remove(&order_id));
        }
        match answer {
            Ok(updated) => {
                let watching = kitchen.watching_since();
                kitchen
                    .board
                    .try_update(|board| board.apply(&updated, watching));
            }
            Err(error) => {
                let message = text::advance_failed(&order.order_number, order.status, &error);
                kitchen.toasts.show(Tone::Error, message);
            }
        }
        kitchen.busy.try_update(|busy| busy.remove(&order_id));
    });
}

/// The recall button: brings back the last completed ticket (or the one
/// before the ticket already recalled).
pub fn recall(kitchen: Kitchen) {
    let had_one = kitchen
        .board
        .with_untracked(|board| board.recalled().is_some());
    let number = kitchen
        .board
        .try_update(|board| board.recall().map(|order| order.order_number.clone()))
        .flatten();
    match number {
        Some(number) => kitchen.toasts.show(Tone::Info, text::recalled(&number)),
        None if had_one => kitchen
            .toasts
            .show(Tone::Info, text::RECALL_NO_EARLIER.to_owned()),
        None => kitchen
            .toasts
            .show(Tone::Info, text::RECALL_NONE.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_of_the_same_move_reuses_its_request_id() {
        let mut keys = RetryKeys::new();
        let first = request_id_for(&mut keys, "7", OrderStatus::Preparing, || "a".into());
        let again = request_id_for(&mut keys, "7", OrderStatus::Preparing, || "b".into());
        assert_eq!((first.as_str(), again.as_str()), ("a", "a"));
        let other_move = request_id_for(&mut keys, "7", OrderStatus::Ready, || "c".into());
        assert_eq!(other_move, "c");
        let other_order = request_id_for(&mut keys, "8", OrderStatus::Ready, || "d".into());
        assert_eq!(other_order, "d");
    }

    #[test]
    fn only_unanswered_attempts_keep_their_request_id() {
        assert!(answer_lost(&ApiError::Unreachable));
        assert!(answer_lost(&ApiError::Decode("eof".into())));
        assert!(!answer_lost(&ApiError::Server {
            status: 409,
            code: "invalid_transition".into(),
            message: "no".into(),
        }));
    }
}
