//! What the kiosk shows about the orders it queued: the local number and
//! "queued" until the server's answer arrives, "sent to the kitchen" (with
//! the server's number) after it, the server's refusal when there is one;
//! the count of orders still waiting in the top bar; and the queue in the
//! staff area, with "retry now".
//!
//! The queue itself is the app's [`OutboxQueue`]; this module only reads
//! it and the acks the service worker stores.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ticketrail_core::outbox::{Entry, State, Write};

use super::{clock_ms, confirmation, use_kiosk, Kiosk};
use crate::i18n::{kitchen::ago, Key};

/// An order this kiosk queued, until the server's answer is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its idempotency key (`client_order_id`).
    pub key: String,
    /// The number shown until the server's is known.
    pub local_number: String,
}

/// The number a queued order shows until the server numbers it: `Q-` and
/// the first four characters of its id, so staff can match a customer's
/// receipt to an entry in the queue.
pub fn local_number(client_order_id: &str) -> String {
    let short: String = client_order_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect();
    format!("Q-{}", short.to_uppercase())
}

/// Where the queued order stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// In the queue (or being sent).
    Queued,
    /// The server has it.
    Sent,
    /// The server refused it: its message.
    Rejected(String),
}

impl Delivery {
    fn slug(&self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sent => "sent",
            Delivery::Rejected(_) => "rejected",
        }
    }
}

/// The queue's entry for `key`, refused: its code and message.
fn refusal(entries: &[Entry], key: &str) -> Option<(String, String)> {
    entries.iter().find_map(|entry| match &entry.state {
        State::Rejected { code, message, .. } if entry.write.key() == key => {
            Some((code.clone(), message.clone()))
        }
        _ => None,
    })
}

/// Follows the queued order: whenever the queue changes, looks for the
/// server's answer (then shows its number, and catches the menu up when it
/// charged another total) or a refusal (then catches the menu up, a dish
/// may have gone).
pub fn follow_queued_order(kiosk: Kiosk) {
    Effect::new(move |_| {
        let rejected = kiosk.outbox.contents.with(|contents| {
            kiosk.queued.with_untracked(|queued| {
                queued
                    .as_ref()
                    .and_then(|queued| refusal(&contents.entries, &queued.key))
            })
        });
        if let Some((code, _)) = rejected {
            if code == "unknown_product" {
                kiosk.menu.refresh();
            }
            return;
        }
        let Some(queued) = kiosk.queued.get_untracked() else {
            return;
        };
        if kiosk.placed.with_untracked(Option::is_some) {
            return;
        }
        spawn_local(async move {
            let Some(order) = kiosk.outbox.ack(&queued.key).await else {
                return;
            };
            // Still the same customer's order?
            if kiosk
                .queued
                .with_untracked(|now| now.as_ref() != Some(&queued))
            {
                return;
            }
            let shown = kiosk.shown_total.get_untracked();
            if shown.is_some_and(|shown| confirmation::price_changed(&shown, &order)) {
                kiosk.menu.refresh();
            }
            kiosk.placed.set(Some(order));
        });
    });
}

/// Where the order on the confirmation stands.
pub fn delivery(kiosk: Kiosk) -> Memo<Delivery> {
    Memo::new(move |_| {
        if kiosk.placed.with(Option::is_some) {
            return Delivery::Sent;
        }
        let refused = kiosk.queued.with(|queued| {
            let queued = queued.as_ref()?;
            kiosk
                .outbox
                .contents
                .with(|contents| refusal(&contents.entries, &queued.key))
        });
        match refused {
            Some((_, message)) => Delivery::Rejected(message),
            None => Delivery::Queued,
        }
    })
}

/// "Queued, will send when back online" / "Sent to the kitchen" / the
/// refusal, under the number on the confirmation.
#[component]
pub fn DeliveryLine() -> impl IntoView {
    let kiosk = use_kiosk();
    let state = delivery(kiosk);
    let text = move || {
        let lang = kiosk.lang.get();
        match state.get() {
            Delivery::Queued => lang.text(Key::DeliveryQueued).to_owned(),
            Delivery::Sent => lang.text(Key::DeliverySent).to_owned(),
            Delivery::Rejected(message) => {
                format!("{} ({message})", lang.text(Key::DeliveryRejected))
            }
        }
    };
    view! {
        <p
            class="delivery"
            data-testid="delivery"
            data-state=move || state.with(Delivery::slug)
            role="status"
            aria-live="polite"
        >
            {text}
        </p>
    }
}

/// The top bar's count of orders still waiting to be sent, with the age of
/// the oldest; nothing while the queue is empty.
#[component]
pub fn OutboxPill() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let now = kiosk.now_ms.get().max(clock_ms()) as f64;
        let summary = kiosk.outbox.contents.with(|contents| contents.summary(now));
        (summary.pending > 0).then(|| {
            let lang = kiosk.lang.get();
            let oldest = summary
                .oldest_ms
                .map(|age| format!("· {}", ago(age)))
                .unwrap_or_default();
            view! {
                <span
                    class="outbox-pill"
                    data-testid="outbox"
                    data-pending=summary.pending.to_string()
                >
                    <span class="outbox-pill__count">
                        {lang.fill(Key::OrdersWaiting, &summary.pending.to_string())}
                    </span>
                    <span class="outbox-pill__age" data-testid="outbox-oldest">{oldest}</span>
                </span>
            }
        })
    }
}

/// The staff area's list of queued and refused orders, with "retry now".
#[component]
pub fn StaffQueue() -> impl IntoView {
    let kiosk = use_kiosk();
    let rows = move || {
        let now = clock_ms() as f64;
        kiosk.outbox.contents.with(|contents| {
            contents
                .entries
                .iter()
                .map(|entry| queue_row(kiosk, entry, now))
                .collect_view()
        })
    };
    let unreadable = move || {
        kiosk.outbox.contents.with(|contents| {
            (!contents.unreadable.is_empty()).then(|| {
                view! {
                    <p class="staff__warning" role="alert">
                        {format!(
                            "{} queued entries cannot be read by this app version; the queue waits before them.",
                            contents.unreadable.len()
                        )}
                    </p>
                }
            })
        })
    };
    let unread = move || {
        kiosk.outbox.contents.with(|contents| {
            (contents.unread > 0).then(|| {
                view! {
                    <li class="staff__entry staff__entry--more" data-testid="outbox-more">
                        {format!(
                            "… and {} more waiting, listed here as the queue moves on.",
                            contents.unread
                        )}
                    </li>
                }
            })
        })
    };
    let failure = move || {
        kiosk
            .outbox
            .failure
            .get()
            .map(|err| view! { <p class="staff__warning" role="alert">{err.to_string()}</p> })
    };
    view! {
        <section class="staff__section" data-testid="outbox-list">
            <h3 class="staff__heading">"Orders waiting to be sent"</h3>
            {failure}
            {unreadable}
            <ul class="staff__entries">{rows} {unread}</ul>
        </section>
    }
}

fn queue_row(kiosk: Kiosk, entry: &Entry, now: f64) -> impl IntoView {
    let (what, state, detail) = describe(entry, now);
    let seq = entry.seq;
    let leased = matches!(entry.state, State::Leased { .. });
    view! {
        <li
            class="staff__entry"
            data-testid="outbox-entry"
            data-seq=seq.to_string()
            data-state=state
        >
            <span class="staff__entry-what">{what}</span>
            <span class="staff__entry-detail" data-testid="outbox-detail">{detail}</span>
            <button
                type="button"
                class="button button--small"
                data-testid="outbox-retry"
                disabled=leased
                on:click=move |_| kiosk.outbox.retry_now(seq)
            >
                "Retry now"
            </button>
        </li>
    }
}

/// What an entry is, its `data-state` and a line for staff.
fn describe(entry: &Entry, now: f64) -> (String, &'static str, String) {
    let what = match &entry.write {
        Write::PlaceOrder { local_number, .. } => format!("Order {local_number}"),
        Write::ChangeStatus {
            order_number,
            change,
            ..
        } => format!("#{order_number} → {}", change.status.as_str()),
    };
    let age = ((now - entry.queued_at) / 60_000.0).floor().max(0.0);
    let (state, detail) = match &entry.state {
        State::Pending { last_error, .. } => (
            "pending",
            match last_error {
                Some(error) => format!(
                    "waiting {age:.0} min, {} tries; last: {error}",
                    entry.attempts
                ),
                None => format!("waiting {age:.0} min"),
            },
        ),
        State::Leased { .. } => ("pending", "sending now".to_owned()),
        State::Rejected {
            status,
            code,
            message,
        } => ("rejected", format!("refused ({status} {code}): {message}")),
    };
    (what, state, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_number_is_short_and_readable() {
        assert_eq!(
            local_number("3f2a91c4-0000-4000-8000-000000000000"),
            "Q-3F2A"
        );
        assert_eq!(local_number("-x-"), "Q-X");
    }
}
