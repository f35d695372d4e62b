//! The outbox: every write a screen makes (place an order, move a ticket)
//! queued on the device and delivered to the outlet server exactly once, in
//! order, whatever fails in between.
//!
//! The page commits a write to the outbox (IndexedDB) before it tells the
//! customer anything; the service worker drains it. This module is the
//! state machine both follow, pure and clock-free:
//!
//! - **Order**: entries leave strictly in the order they were queued (their
//!   [`Entry::seq`]); an entry is sent only once every entry before it was
//!   delivered or rejected, so a later order never reaches the server
//!   before an earlier one. A rejected entry leaves the queue, so the next
//!   one goes.
//! - **At most one sender**: sending starts with a *lease* on the head,
//!   written to IndexedDB in the same transaction that read it free, so two
//!   triggers (two tabs, a `sync` event and a page message, a restarted
//!   worker) never send it at the same time. A sender killed mid-send leaves
//!   a lease that expires after [`LEASE_MS`], longer than any send may take
//!   ([`SEND_TIMEOUT_MS`]), and the next trigger sends the entry again.
//! - **Pipelined, still in order**: a drain leases up to [`AHEAD`]
//!   entries after the head too ([`lease_after`]), and sends each one as
//!   soon as the one before it is *delivered* (a 2xx, so the server has
//!   it). It settles the delivered ones together, in one transaction, while
//!   the last entry leased ahead is on its way, and leases the next ones in
//!   that transaction: the device's IndexedDB work overlaps the requests and
//!   costs one transaction per run, not per entry. After anything but a
//!   delivery it gives the leases ahead back ([`release`]) and goes one
//!   entry at a time.
//! - **Exactly once**: a send that may have reached the server (a lost
//!   answer, a timeout, a crash) is repeated with the same idempotency key
//!   (`client_order_id`, `request_id`), which the server answers with the
//!   same order instead of a second one. An entry is deleted only after the
//!   server acknowledged it, and only by the holder of its lease: a late,
//!   duplicate answer finds nothing to delete.
//! - **Retry, hold or reject** ([`classify`]): network errors, timeouts,
//!   408, 429 and 5xx are retried forever with exponential backoff and
//!   jitter ([`retry_delay_ms`], 1 s to 60 s); 401 and 403 *hold* the queue:
//!   the screen's credential is missing, revoked or not allowed, which is no
//!   fault of the write, so it waits ([`HOLD_MS`]) for a person to pair the
//!   screen again and is then sent with the same idempotency key; any other
//!   4xx is *rejected*: kept, out of the queue, with the server's error, for
//!   a person to see.
//!
//! Times are milliseconds on the device's clock (`Date.now()`).

use serde::{Deserialize, Serialize};
use ticketrail_protocol::{OrderStatus, PlaceOrder, StatusChange};

/// How long a lease holds: longer than a send may take
/// ([`SEND_TIMEOUT_MS`]) plus settling it, so only a sender that died loses
/// it, and short enough that the queue moves again soon after one did.
pub const LEASE_MS: f64 = 20_000.0;
/// A send without an answer for this long is abandoned (and retried).
pub const SEND_TIMEOUT_MS: f64 = 15_000.0;
/// First retry delay; it doubles per failed attempt.
pub const FIRST_RETRY_MS: f64 = 1_000.0;
/// Retry delays stop growing here.
pub const MAX_RETRY_MS: f64 = 60_000.0;
/// A write held by a refused credential is tried again after this long
/// (pairing the screen again makes it due at once).
pub const HOLD_MS: f64 = 60_000.0;

/// One queued write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the device's queue (IndexedDB's key, increasing).
    pub seq: u64,
    /// What to send.
    pub write: Write,
    /// When it was queued.
    pub queued_at: f64,
    /// Sends tried so far.
    pub attempts: u32,
    /// Where it stands.
    pub state: State,
}

/// A write, with its idempotency key inside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Write {
    /// `POST /api/orders/` with `Idempotency-Key: <client_order_id>`.
    PlaceOrder {
        /// The body.
        order: PlaceOrder,
        /// What the kiosk showed as the total, to notice a server price.
        shown_total: i64,
        /// The number the kiosk shows until the server's is known.
        local_number: String,
    },
    /// `POST /api/orders/{order_id}/status`.
    ChangeStatus {
        /// The order.
        order_id: String,
        /// Its number, for the staff list.
        order_number: String,
        /// The body (with its `request_id`).
        change: StatusChange,
    },
}

impl Write {
    /// The idempotency key the server deduplicates on.
    pub fn key(&self) -> &str {
        match self {
            Write::PlaceOrder { order, .. } => &order.client_order_id,
            Write::ChangeStatus { change, .. } => &change.request_id,
        }
    }

    /// A status change to `status` of `order_id`.
    pub fn change_status(
        order_id: &str,
        order_number: &str,
        status: OrderStatus,
        request_id: String,
    ) -> Self {
        Write::ChangeStatus {
            order_id: order_id.to_owned(),
            order_number: order_number.to_owned(),
            change: StatusChange { status, request_id },
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting to be sent, not before `not_before`.
    Pending {
        /// Earliest next send (the backoff).
        not_before: f64,
        /// Why the last send failed, for the staff list.
        last_error: Option<String>,
    },
    /// Being sent by `holder` until `until`.
    Leased {
        /// Who sends it (a random id per trigger).
        holder: String,
        /// When the lease lapses.
        until: f64,
    },
    /// The server refused it; out of the queue, kept for a person.
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The contract's error code (`unknown_product`, ...).
        code: String,
        /// The server's message.
        message: String,
    },
}

/// How a send ended, as the driver saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// An HTTP answer with this status (and, for errors, the contract's
    /// error code and message when the body had them).
    Answer {
        /// The HTTP status.
        status: u16,
        /// The error code of a non-2xx answer.
        code: Option<String>,
        /// The error message of a non-2xx answer.
        message: Option<String>,
    },
    /// No answer: network error, timeout, aborted.
    NoAnswer(String),
}

/// What a send's result means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Delivered (2xx): delete the entry.
    Delivered,
    /// Maybe not delivered, and worth trying again.
    Retry,
    /// Not delivered because of the screen's credential (401, 403): kept
    /// in its place until the screen is paired again.
    Hold,
    /// Refused for good.
    Reject,
}

/// The rule for an HTTP status: 2xx delivered; 408, 429 and 5xx (and
/// anything unexpected) retried; 401 and 403 held; every other 4xx
/// rejected.
pub fn classify(status: u16) -> Class {
    match status {
        200..=299 => Class::Delivered,
        408 | 429 => Class::Retry,
        401 | 403 => Class::Hold,
        400..=499 => Class::Reject,
        _ => Class::Retry,
    }
}

/// How long to wait after failed attempt number `attempts` (1 for the
/// first): 1 s, 2 s, 4 s ... up to 60 s, each shortened by up to a quarter
/// by `jitter` (in `0..1`) so screens that lost the server together do not
/// come back in lock-step.
pub fn retry_delay_ms(attempts: u32, jitter: f64) -> f64 {
    let exponent = i32::try_from(attempts.saturating_sub(1).min(16)).unwrap_or(16);
    let base = (FIRST_RETRY_MS * 2f64.powi(exponent)).min(MAX_RETRY_MS);
    base * (1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

/// A new entry for `write`, queued at `now`, sendable at once. `seq` is
/// given by the store.
pub fn queued(seq: u64, write: Write, now: f64) -> Entry {
    Entry {
        seq,
        write,
        queued_at: now,
        attempts: 0,
        state: State::Pending {
            not_before: now,
            last_error: None,
        },
    }
}

/// The queue's head: the first entry by `seq` that is not rejected.
pub fn head(entries: &[Entry]) -> Option<&Entry> {
    entries
        .iter()
        .filter(|entry| !matches!(entry.state, State::Rejected { .. }))
        .min_by_key(|entry| entry.seq)
}

/// What a trigger should do with the queue at `now`.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Nothing queued.
    Idle,
    /// The head is not due (backoff) or someone else is sending it: look
    /// again at this time.
    WaitUntil(f64),
    /// Send this entry, now leased to the caller (store it before sending).
    Send(Box<Entry>),
}

/// Decides for `holder` at `now`: lease the head when it is due and free
/// (or its lease lapsed). The returned entry must be written back in the
/// same transaction that read `entries`.
pub fn lease(entries: &[Entry], holder: &str, now: f64) -> Next {
    let Some(head) = head(entries) else {
        return Next::Idle;
    };
    match take(head, holder, now) {
        Ok(leased) => Next::Send(Box::new(leased)),
        Err(Some(at)) => Next::WaitUntil(at),
        Err(None) => Next::Idle,
    }
}

/// How many entries a drain leases ahead of the one it sends.
pub const AHEAD: usize = 8;

/// Leases for `holder` at `now` up to `count` entries that follow `seq` in
/// the queue (the next ones not rejected, in order), stopping at the first
/// that is not due or that someone else holds, so a drain can send each
/// the moment the one before it is delivered (see [`may_send`]); written
/// back in the same transaction that read `entries`, like [`lease`].
/// Empty: nothing follows, or the next one waits for its backoff, or
/// someone else holds it.
pub fn lease_after(
    entries: &[Entry],
    holder: &str,
    now: f64,
    seq: u64,
    count: usize,
) -> Vec<Entry> {
    let mut following: Vec<&Entry> = entries
        .iter()
        .filter(|entry| entry.seq > seq && !matches!(entry.state, State::Rejected { .. }))
        .collect();
    following.sort_by_key(|entry| entry.seq);
    following
        .into_iter()
        .take(count)
        .map_while(|entry| take(entry, holder, now).ok())
        .collect()
}

/// Whether `holder` may start sending `entry` at `now` on the lease it
/// already has: the lease holds for at least [`SEND_TIMEOUT_MS`] more, so
/// the send ends, or is abandoned, before anyone else can take the entry.
pub fn may_send(entry: &Entry, holder: &str, now: f64) -> bool {
    matches!(&entry.state, State::Leased { holder: owner, until }
        if owner == holder && *until >= now + SEND_TIMEOUT_MS)
}

/// Gives back a lease `holder` took with [`lease_after`] and did not use
/// (an entry before it was not delivered): the entry is pending again, due
/// at `now`, without the attempt it did not make, so the next sender need
/// not wait for the lease to lapse. `None` when `holder` does not hold it.
pub fn release(entry: &Entry, holder: &str, now: f64) -> Option<Entry> {
    match &entry.state {
        State::Leased { holder: owner, .. } if owner == holder => {}
        _ => return None,
    }
    let mut released = entry.clone();
    released.attempts = released.attempts.saturating_sub(1);
    released.state = State::Pending {
        not_before: now,
        last_error: None,
    };
    Some(released)
}

/// `entry` leased to `holder` at `now`; or, when it cannot be, the time to
/// look again (`None`: never, it is rejected).
fn take(entry: &Entry, holder: &str, now: f64) -> Result<Entry, Option<f64>> {
    match &entry.state {
        State::Pending { not_before, .. } if *not_before > now => Err(Some(*not_before)),
        State::Leased { until, .. } if *until > now => Err(Some(*until)),
        State::Pending { .. } | State::Leased { .. } => {
            let mut leased = entry.clone();
            leased.attempts = leased.attempts.saturating_add(1);
            leased.state = State::Leased {
                holder: holder.to_owned(),
                until: now + LEASE_MS,
            };
            Ok(leased)
        }
        State::Rejected { .. } => Err(None),
    }
}

/// What to store after a send.
#[derive(Debug, Clone, PartialEq)]
pub enum Settle {
    /// Delete the entry: the server has it.
    Delete,
    /// Store this entry (back to pending with a backoff, or rejected).
    Store(Box<Entry>),
    /// The entry is gone or leased by someone else (the lease lapsed and
    /// another sender took over): this result changes nothing.
    Ignore,
}

/// Settles `holder`'s send of entry `seq` with `result` at `now`, given what
/// the store holds for `seq` now (`None`: deleted already).
pub fn settle(
    stored: Option<&Entry>,
    holder: &str,
    result: &Sent,
    now: f64,
    jitter: f64,
) -> Settle {
    let Some(entry) = stored else {
        return Settle::Ignore;
    };
    match &entry.state {
        State::Leased { holder: owner, .. } if owner == holder => {}
        _ => return Settle::Ignore,
    }
    let (class, error) = match result {
        Sent::Answer {
            status,
            code,
            message,
        } => (classify(*status), (*status, code.clone(), message.clone())),
        Sent::NoAnswer(reason) => (Class::Retry, (0, None, Some(reason.clone()))),
    };
    let mut next = entry.clone();
    match class {
        Class::Delivered => return Settle::Delete,
        Class::Retry => {
            let (status, _, message) = error;
            let reason = message.unwrap_or_default();
            next.state = State::Pending {
                not_before: now + retry_delay_ms(entry.attempts, jitter),
                last_error: Some(if status == 0 {
                    reason
                } else {
                    format!("HTTP {status}: {reason}")
                }),
            };
        }
        Class::Hold => {
            let (status, code, message) = error;
            // Not the write's fault: the attempt does not count towards
            // its backoff.
            next.attempts = entry.attempts.saturating_sub(1);
            next.state = State::Pending {
                not_before: now + HOLD_MS,
                last_error: Some(format!(
                    "HTTP {status} {}: {}",
                    code.unwrap_or_default(),
                    message.unwrap_or_default()
                )),
            };
        }
        Class::Reject => {
            let (status, code, message) = error;
            next.state = State::Rejected {
                status,
                code: code.unwrap_or_else(|| "rejected".to_owned()),
                message: message.unwrap_or_default(),
            };
        }
    }
    Settle::Store(Box::new(next))
}

/// Staff's "retry now": a pending entry becomes due at once; a rejected
/// one goes back into the queue at its place (someone fixed the cause).
/// Leased entries are being sent and are left alone.
pub fn retry_now(entry: &Entry, now: f64) -> Option<Entry> {
    let mut next = entry.clone();
    match &entry.state {
        State::Leased { .. } => return None,
        State::Pending { last_error, .. } => {
            next.state = State::Pending {
                not_before: now,
                last_error: last_error.clone(),
            };
        }
        State::Rejected { .. } => {
            next.state = State::Pending {
                not_before: now,
                last_error: None,
            };
        }
    }
    Some(next)
}

/// What the kiosk shows about the outbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Entries still to be delivered.
    pub pending: usize,
    /// Age of the oldest of them, in ms.
    pub oldest_ms: Option<f64>,
    /// Entries the server refused.
    pub rejected: usize,
}

/// Counts `entries` at `now`.
pub fn summary(entries: &[Entry], now: f64) -> Summary {
    let (rejected, waiting): (Vec<&Entry>, Vec<&Entry>) = entries
        .iter()
        .partition(|entry| matches!(entry.state, State::Rejected { .. }));
    Summary {
        pending: waiting.len(),
        oldest_ms: waiting
            .iter()
            .map(|entry| (now - entry.queued_at).max(0.0))
            .reduce(f64::max),
        rejected: rejected.len(),
    }
}

#[cfg(test)]
mod tests;
