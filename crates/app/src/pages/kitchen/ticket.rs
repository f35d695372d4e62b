//! One ticket card: order number and age timer in a header coloured by age,
//! the lines grouped by station, the total, and one big button for the
//! next step.
//!
//! A card is created once per order and then follows that order's
//! [`Ticket`] through small memos, so the timer ticking every second only
//! rewrites two text nodes and a card never loses its flash or its
//! keyboard focus while it changes.

use leptos::prelude::*;
use ticketrail_core::{
    format_money, next_kitchen_status,
    tickets::{format_age, AgeClass, StationGroup, Ticket},
};
use ticketrail_protocol::{OrderItem, OrderStatus};

use super::{actions, Kitchen};
use crate::i18n::kitchen as text;

/// What the card's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Move the order to this status.
    To(OrderStatus),
    /// Hide the recalled ticket again.
    Dismiss,
    /// Nothing to do (a cancelled ticket).
    None,
}

/// The button's `data-next`: the status it moves to, or `dismiss`.
fn step_slug(step: Step) -> &'static str {
    match step {
        Step::To(next) => next.as_str(),
        Step::Dismiss => "dismiss",
        Step::None => "",
    }
}

/// The button's label.
fn step_label(step: Step) -> &'static str {
    match step {
        Step::To(next) => text::advance_label(next),
        Step::Dismiss | Step::None => text::DISMISS,
    }
}

fn step_of(ticket: &Ticket) -> Step {
    if ticket.recalled {
        Step::Dismiss
    } else {
        next_kitchen_status(ticket.status).map_or(Step::None, Step::To)
    }
}

/// The card for order `id`.
#[component]
pub fn TicketCard(id: String) -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    let ticket = {
        let id = id.clone();
        Memo::new(move |_| {
            kitchen
                .tickets
                .with(|tickets| tickets.iter().find(|ticket| ticket.order_id == id).cloned())
        })
    };
    // `For` drops the card in the same update that drops its ticket, so the
    // fallbacks below only exist for that instant.
    let read = move |pick: fn(&Ticket) -> String| {
        ticket.with(|t| t.as_ref().map(pick).unwrap_or_default())
    };
    let status =
        Memo::new(move |_| ticket.with(|t| t.as_ref().map_or(OrderStatus::Pending, |t| t.status)));
    let age_class =
        Memo::new(move |_| ticket.with(|t| t.as_ref().map_or(AgeClass::Normal, |t| t.age_class)));
    let recalled = Memo::new(move |_| ticket.with(|t| t.as_ref().is_some_and(|t| t.recalled)));
    let step = Memo::new(move |_| ticket.with(|t| t.as_ref().map_or(Step::None, step_of)));
    let stations = Memo::new(move |_| {
        ticket.with(|t| t.as_ref().map(|t| t.stations.clone()).unwrap_or_default())
    });
    let number = move || read(|t| t.order_number.clone());
    let age = move || read(|t| format_age(t.age_secs));
    let total = move || read(|t| format_money(t.total_amount, &t.currency));
    let busy = {
        let id = id.clone();
        Memo::new(move |_| kitchen.busy.with(|busy| busy.contains(&id)))
    };
    let fresh = {
        let id = id.clone();
        move || kitchen.fresh.with(|fresh| fresh.contains(&id))
    };
    let aria = move || text::ticket_aria(&number(), status.get(), &age());

    let on_advance = {
        let id = id.clone();
        move |_| actions::advance(kitchen, id.clone())
    };
    let cancelled_note = || view! { <p class="ticket__cancelled-note">{text::CANCELLED_NOTE}</p> };

    view! {
        <li
            class="ticket"
            class:ticket--fresh=fresh
            class:ticket--recalled=move || recalled.get()
            data-testid="ticket"
            data-order-id=id
            data-status=move || status.get().as_str()
            data-age=move || age_class.get().as_str()
            aria-label=aria
        >
            <header class="ticket__head">
                <span class="ticket__number">
                    <span class="ticket__hash" aria-hidden="true">{text::ORDER_PREFIX}</span>
                    <span data-testid="ticket-number">{number}</span>
                </span>
                <span class="ticket__age" data-testid="ticket-age">{age}</span>
            </header>
            <div class="ticket__status">
                <span class="ticket__chip" data-status=move || status.get().as_str()>
                    {move || text::status_label(status.get())}
                </span>
                <Show when=move || recalled.get()>
                    <span class="ticket__chip ticket__chip--recalled">{text::RECALLED_CHIP}</span>
                </Show>
            </div>
            <div class="ticket__body">{move || stations.get().into_iter().map(station_view).collect_view()}</div>
            <footer class="ticket__foot">
                <p class="ticket__total">
                    <span class="ticket__total-label">{text::TOTAL}</span>
                    <span class="ticket__total-amount" data-testid="ticket-total">{total}</span>
                </p>
                <Show when=move || step.get() != Step::None fallback=cancelled_note>
                    <button
                        class="ticket__advance"
                        type="button"
                        data-testid="ticket-advance"
                        data-next=move || step_slug(step.get())
                        aria-busy=move || busy.get().to_string()
                        disabled=move || busy.get()
                        on:click=on_advance.clone()
                    >
                        {move || if busy.get() { text::SENDING } else { step_label(step.get()) }}
                    </button>
                </Show>
            </footer>
        </li>
    }
}

fn station_view(group: StationGroup) -> impl IntoView {
    view! {
        <section class="ticket__station" data-testid="ticket-station" data-station=group.station.clone()>
            <h2 class="ticket__station-name">{text::station_name(&group.station)}</h2>
            <ul class="ticket__items">{group.items.into_iter().map(item_view).collect_view()}</ul>
        </section>
    }
}

fn item_view(item: OrderItem) -> impl IntoView {
    let note = item
        .notes
        .filter(|note| !note.trim().is_empty())
        .map(|note| view! { <span class="ticket__note" data-testid="item-note">{note}</span> });
    view! {
        <li class="ticket__item" data-testid="ticket-item">
            <span class="ticket__qty" data-testid="item-qty">{item.quantity}</span>
            <span class="ticket__line">
                <span class="ticket__name" data-testid="item-name">{item.name}</span>
                {note}
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ticketrail_core::tickets::AgeClass;

    fn ticket(status: OrderStatus, recalled: bool) -> Ticket {
        Ticket {
            order_id: "1".into(),
            order_number: "001".into(),
            status,
            age_secs: 0,
            age_class: AgeClass::Normal,
            stations: Vec::new(),
            total_amount: 0,
            currency: "IDR".into(),
            recalled,
        }
    }

    #[test]
    fn the_button_moves_forward_dismisses_recalls_and_is_absent_when_cancelled() {
        assert_eq!(
            step_of(&ticket(OrderStatus::Pending, false)),
            Step::To(OrderStatus::Preparing)
        );
        assert_eq!(
            step_of(&ticket(OrderStatus::Ready, false)),
            Step::To(OrderStatus::Completed)
        );
        assert_eq!(
            step_of(&ticket(OrderStatus::Completed, true)),
            Step::Dismiss
        );
        assert_eq!(step_of(&ticket(OrderStatus::Cancelled, false)), Step::None);
    }
}
