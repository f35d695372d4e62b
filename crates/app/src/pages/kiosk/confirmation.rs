//! The confirmation screen: the order number (a local one while the order
//! is queued on the kiosk, the server's once it has it), where the order
//! stands ([`DeliveryLine`]), "we'll call your number", and once the
//! kitchen has it, its live status from the shared feed, until the kiosk
//! goes back to the attract screen.

use std::collections::BTreeMap;

use leptos::prelude::*;
use ticketrail_core::format_money;
use ticketrail_protocol::{Order, OrderStatus};

use super::delivery::DeliveryLine;
use super::use_kiosk;
use crate::i18n::{localized, Key};
use crate::live::LiveFeed;

/// The big number and the live status.
#[component]
pub fn ConfirmationScreen() -> impl IntoView {
    let kiosk = use_kiosk();
    let feed = expect_context::<LiveFeed>();
    let order = move || kiosk.placed.get();
    let status = Memo::new(move |_| {
        let placed = kiosk.placed.get()?;
        Some(feed.orders.with(|orders| latest(&placed, orders).status))
    });
    let text = move |key: Key| kiosk.lang.get().text(key);
    let confirmation_ms = kiosk
        .flow
        .with_untracked(|flow| flow.timers().confirmation_ms);
    let status_slug = move || status.get().map(OrderStatus::as_str).unwrap_or("pending");
    view! {
        <section class="confirmation" data-testid="confirmation">
            <div class="confirmation__card">
                <div class="confirmation__hero">
                    <svg class="confirmation__check" viewBox="0 0 48 48" aria-hidden="true">
                        <circle cx="24" cy="24" r="22" />
                        <path d="m14 24.5 6.5 6.5L34 17.5" />
                    </svg>
                    <h1 class="confirmation__title">{move || text(Key::ThankYou)}</h1>
                    <p class="confirmation__eyebrow">{move || text(Key::YourNumber)}</p>
                    <p
                        class="confirmation__number"
                        data-testid="order-number"
                        data-local=move || order().is_none().to_string()
                    >
                        {move || {
                            order()
                                .map(|order| order.order_number)
                                .or_else(|| kiosk.queued.get().map(|queued| queued.local_number))
                        }}
                    </p>
                    <DeliveryLine />
                    <p class="confirmation__lead">{move || text(Key::CallYourNumber)}</p>
                </div>
                <div class="confirmation__detail">
                    <Show when=move || status.with(Option::is_some)>
                        <p
                            class="status-pill"
                            data-testid="order-status"
                            data-status=status_slug
                            role="status"
                            aria-live="polite"
                        >
                            <span class="status-pill__dot" aria-hidden="true"></span>
                            {move || status.get().map(|status| text(status_key(status)))}
                        </p>
                        <Progress status=status />
                    </Show>
                    {move || order().map(|order| view! { <Receipt order=order /> })}
                    <button
                        type="button"
                        class="button button--hero"
                        data-testid="new-order"
                        on:click=move |_| kiosk.finish()
                    >
                        {move || text(Key::NewOrder)}
                    </button>
                </div>
            </div>
            <div
                class="confirmation__timer"
                style=format!("animation-duration: {confirmation_ms}ms")
                aria-hidden="true"
            ></div>
        </section>
    }
}

/// Received → preparing → ready, the reached steps filled in.
#[component]
fn Progress(status: Memo<Option<OrderStatus>>) -> impl IntoView {
    let kiosk = use_kiosk();
    let steps = [
        (Key::StepReceived, OrderStatus::Pending),
        (Key::StepPreparing, OrderStatus::Preparing),
        (Key::StepReady, OrderStatus::Ready),
    ];
    let hidden = move || status.get() == Some(OrderStatus::Cancelled);
    view! {
        <ol class="progress" class:progress--hidden=hidden aria-hidden="true">
            {steps
                .into_iter()
                .map(|(key, step)| {
                    let reached = move || status.get().is_some_and(|status| reached(status, step));
                    view! {
                        <li class="progress__step" class:progress__step--done=reached>
                            <span class="progress__dot"></span>
                            <span class="progress__label">{move || kiosk.lang.get().text(key)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// What was ordered and the server's total (which is what is charged),
/// saying so plainly when it differs from the total the screen showed.
#[component]
fn Receipt(order: Order) -> impl IntoView {
    let kiosk = use_kiosk();
    let total = format_money(order.total_amount, &order.currency);
    let shown = kiosk
        .shown_total
        .get_untracked()
        .filter(|shown| price_changed(shown, &order))
        .map(|(amount, currency)| format_money(amount, &currency));
    let changed = shown.map(|shown| {
        let total = total.clone();
        move || {
            let lang = kiosk.lang.get();
            view! {
                <div class="price-changed" data-testid="price-changed" role="alert">
                    <p class="price-changed__title">{lang.text(Key::PriceChanged)}</p>
                    <p class="price-changed__body">{lang.fill(Key::PriceChangedTotal, &total)}</p>
                    <p class="price-changed__was">{lang.fill(Key::ScreenShowed, &shown)}</p>
                </div>
            }
        }
    });
    let lines = move || {
        let lang = kiosk.lang.get();
        let catalog = kiosk.catalog.get();
        order
            .items
            .iter()
            .map(|item| {
                let name = catalog
                    .as_ref()
                    .and_then(|catalog| catalog.products.get(&item.product_id))
                    .map(|product| localized(lang, &product.name, &product.translations))
                    .unwrap_or(&item.name)
                    .to_owned();
                view! {
                    <li class="receipt__line">
                        <span class="receipt__qty">{format!("{}×", item.quantity)}</span>
                        <span class="receipt__name">{name}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="receipt">
            {changed}
            <ul class="receipt__lines">{lines}</ul>
            <p class="receipt__total">
                <span>{move || kiosk.lang.get().text(Key::Total)}</span>
                <strong>{total}</strong>
            </p>
        </div>
    }
}

/// Whether the server charged something other than the `(amount,
/// currency)` the screen showed.
pub(super) fn price_changed(shown: &(i64, String), order: &Order) -> bool {
    shown.0 != order.total_amount || shown.1 != order.currency
}

/// The freshest snapshot of `placed`: the feed's when it has a newer one.
fn latest<'a>(placed: &'a Order, feed: &'a BTreeMap<String, Order>) -> &'a Order {
    feed.get(&placed.id)
        .filter(|snapshot| snapshot.seq >= placed.seq)
        .unwrap_or(placed)
}

/// Whether the kitchen has got at least as far as `step`.
fn reached(status: OrderStatus, step: OrderStatus) -> bool {
    let rank = |status: OrderStatus| match status {
        OrderStatus::Pending => 0,
        OrderStatus::Preparing => 1,
        OrderStatus::Ready | OrderStatus::Completed => 2,
        // A cancelled order hides the progress; it reached nothing.
        OrderStatus::Cancelled => -1,
    };
    rank(status) >= rank(step) && status != OrderStatus::Cancelled
}

/// The customer's words for `status`.
fn status_key(status: OrderStatus) -> Key {
    match status {
        OrderStatus::Pending => Key::StatusPending,
        OrderStatus::Preparing => Key::StatusPreparing,
        OrderStatus::Ready => Key::StatusReady,
        OrderStatus::Completed => Key::StatusCompleted,
        OrderStatus::Cancelled => Key::StatusCancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn order(seq: i64, status: OrderStatus) -> Order {
        let at = "2026-11-21T10:30:00Z".parse().unwrap();
        Order {
            id: "7".into(),
            client_order_id: "c".into(),
            order_number: "042".into(),
            outlet_id: "1".into(),
            status,
            items: Vec::new(),
            total_amount: 0,
            currency: "IDR".into(),
            seq,
            placed_at: at,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_feed_wins_only_with_a_newer_snapshot() {
        let placed = order(5, OrderStatus::Pending);
        let mut feed = BTreeMap::new();
        assert_eq!(latest(&placed, &feed).status, OrderStatus::Pending);
        feed.insert("7".to_owned(), order(4, OrderStatus::Cancelled));
        assert_eq!(latest(&placed, &feed).status, OrderStatus::Pending);
        feed.insert("7".to_owned(), order(9, OrderStatus::Ready));
        assert_eq!(latest(&placed, &feed).status, OrderStatus::Ready);
    }

    #[test]
    fn only_a_different_total_or_currency_is_a_price_change() {
        let mut placed = order(5, OrderStatus::Pending);
        placed.total_amount = 9_000;
        assert!(!price_changed(&(9_000, "IDR".into()), &placed));
        assert!(price_changed(&(8_000, "IDR".into()), &placed));
        assert!(price_changed(&(9_000, "USD".into()), &placed));
    }

    #[test]
    fn progress_fills_up_to_the_status() {
        use OrderStatus::*;
        assert!(reached(Pending, Pending));
        assert!(!reached(Pending, Preparing));
        assert!(reached(Ready, Preparing));
        assert!(reached(Completed, Ready));
        assert!(!reached(Cancelled, Pending));
    }

    #[test]
    fn every_status_has_words() {
        for status in OrderStatus::ALL {
            assert!(!Lang::Id.text(status_key(status)).is_empty());
        }
    }
}
