//! What the kitchen's buttons do: move a ticket to its next status, and
//! recall or dismiss a completed ticket.
//!
//! A status change is queued in the outbox (with a fresh `request_id`, the
//! server's idempotency key) and sent by the service worker, so a tap made
//! while the server is away is not lost and a repeated send never moves a
//! ticket twice. The ticket only moves when the server's answer (the ack
//! the worker stores, or the live feed) says so; until then its button is
//! busy. A refusal (someone moved it on another screen, the order is gone)
//! is shown as a message, and the refused entry is then removed from the
//! queue: the cook has seen it.

use std::collections::BTreeMap;

use leptos::{prelude::*, task::spawn_local};
use ticketrail_core::{
    next_kitchen_status,
    outbox::{Entry, State, Write},
};
use ticketrail_outbox::Contents;
use ticketrail_protocol::OrderStatus;

use super::{toast::Tone, Kitchen};
use crate::{device, i18n::kitchen as text};

/// Moves queued on this screen and not yet settled: by idempotency key,
/// the order id, its number and the status it had when tapped.
pub type Moves = BTreeMap<String, (String, String, OrderStatus)>;

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
    let write = Write::change_status(&order_id, &order.order_number, next, device::new_id());
    let key = write.key().to_owned();
    spawn_local(async move {
        match kitchen.outbox.enqueue(write).await {
            Ok(_) => {
                kitchen.moves.update(|moves| {
                    moves.insert(key, (order_id, order.order_number, order.status));
                });
            }
            Err(err) => {
                let message = text::not_queued(&order.order_number, &err.to_string());
                kitchen.toasts.show(Tone::Error, message);
                kitchen.busy.try_update(|busy| busy.remove(&order_id));
            }
        }
    });
}

/// What became of a queued move, from the queue's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    /// Still queued or being sent.
    Waiting,
    /// Gone from the queue: delivered.
    Delivered,
    /// Refused: the entry's `seq` and the server's message.
    Refused(u64, String),
}

fn fate(contents: &Contents, key: &str) -> Fate {
    match contents
        .entries
        .iter()
        .find(|entry| entry.write.key() == key)
    {
        // Not among those read of a long queue: it may be further on.
        None if contents.unread > 0 => Fate::Waiting,
        None => Fate::Delivered,
        Some(Entry {
            seq,
            state: State::Rejected { message, .. },
            ..
        }) => Fate::Refused(*seq, message.clone()),
        Some(_) => Fate::Waiting,
    }
}

/// Settles the queued moves whenever the queue changes: a delivered one
/// applies the server's answer to the board, a refused one says why.
pub fn follow_moves(kitchen: Kitchen) {
    // The live feed often shows the move before the worker's ack is read:
    // the ticket is free to tap again as soon as it shows another status.
    Effect::new(move |_| {
        let moved: Vec<String> = kitchen.board.with(|board| {
            kitchen.moves.with_untracked(|moves| {
                moves
                    .values()
                    .filter(|(order_id, _, was)| {
                        board
                            .order(order_id)
                            .is_some_and(|order| order.status != *was)
                    })
                    .map(|(order_id, ..)| order_id.clone())
                    .collect()
            })
        });
        if !moved.is_empty() {
            kitchen.busy.update(|busy| {
                for order_id in &moved {
                    busy.remove(order_id);
                }
            });
        }
    });
    Effect::new(move |_| {
        let fates: Vec<(String, Fate)> = kitchen.outbox.contents.with(|contents| {
            kitchen.moves.with_untracked(|moves| {
                moves
                    .keys()
                    .map(|key| (key.clone(), fate(contents, key)))
                    .filter(|(_, fate)| *fate != Fate::Waiting)
                    .collect()
            })
        });
        for (key, fate) in fates {
            let Some((order_id, number, was)) = kitchen
                .moves
                .try_update(|moves| moves.remove(&key))
                .flatten()
            else {
                continue;
            };
            match fate {
                Fate::Refused(seq, message) => {
                    kitchen
                        .toasts
                        .show(Tone::Error, text::advance_refused(&number, was, &message));
                    kitchen.outbox.dismiss_rejected(seq);
                    kitchen.busy.update(|busy| {
                        busy.remove(&order_id);
                    });
                }
                Fate::Delivered | Fate::Waiting => spawn_local(async move {
                    if let Some(updated) = kitchen.outbox.ack(&key).await {
                        let watching = kitchen.watching_since();
                        kitchen
                            .board
                            .try_update(|board| board.apply(&updated, watching));
                    }
                    // Unless the cook already tapped this ticket again.
                    let again = kitchen.moves.with_untracked(|moves| {
                        moves.values().any(|(other, ..)| *other == order_id)
                    });
                    if !again {
                        kitchen.busy.try_update(|busy| busy.remove(&order_id));
                    }
                }),
            }
        }
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
    use ticketrail_core::outbox::queued;

    fn read(entries: Vec<Entry>, unread: u32) -> Contents {
        Contents {
            entries,
            unreadable: Vec::new(),
            unread,
        }
    }

    #[test]
    fn a_move_waits_is_delivered_or_refused_as_the_queue_says() {
        let write = Write::change_status("7", "042", OrderStatus::Ready, "r-1".into());
        let mut entry = queued(3, write, 0.0);
        assert_eq!(fate(&read(vec![entry.clone()], 0), "r-1"), Fate::Waiting);
        assert_eq!(fate(&read(Vec::new(), 0), "r-1"), Fate::Delivered);
        entry.state = State::Rejected {
            status: 409,
            code: "invalid_transition".into(),
            message: "already ready".into(),
        };
        assert_eq!(
            fate(&read(vec![entry], 0), "r-1"),
            Fate::Refused(3, "already ready".into())
        );
    }

    #[test]
    fn a_move_not_among_the_front_of_a_long_queue_still_waits() {
        let other = Write::change_status("8", "043", OrderStatus::Ready, "r-2".into());
        let front = read(vec![queued(3, other, 0.0)], 120);
        assert_eq!(fate(&front, "r-1"), Fate::Waiting);
    }
}
