//! `/kitchen`: the kitchen display. Live tickets as cards, oldest first,
//! coloured by age; a tap moves a ticket along; new tickets chime and flash.
//!
//! The rules (which tickets show, ageing, recall, station filtering) are
//! the core crate's [`Board`]; this page only feeds it snapshots (from the
//! shared [`LiveFeed`] and from the server's answers to this screen's own
//! taps) and renders what it returns. The pieces: [`toolbar`] (station
//! filter, recall), [`ticket`] (one card), [`footer`] (summary, sound,
//! age thresholds), [`sound`] (the chime), [`toast`] (messages),
//! [`actions`] (what a tap does).

mod actions;
mod footer;
mod settings;
mod sound;
mod ticket;
mod toast;
mod toolbar;

use std::{collections::BTreeSet, time::Duration};

use leptos::prelude::*;
use ticketrail_core::tickets::{AgeThresholds, Applied, Board, StationFilter, Ticket};
use ticketrail_protocol::Timestamp;

use crate::{
    components::{Face, Shell},
    i18n::kitchen as text,
    live::LiveFeed,
    outbox::OutboxQueue,
};

/// How long a new ticket flashes.
const FLASH: Duration = Duration::from_millis(4_000);

/// The page's shared state, handed to its parts through context. Only
/// signals: cheap to copy into every handler.
#[derive(Clone, Copy)]
struct Kitchen {
    feed: LiveFeed,
    board: RwSignal<Board>,
    /// The cards on screen now (recomputed every second as ages tick).
    tickets: Memo<Vec<Ticket>>,
    filter: RwSignal<StationFilter>,
    thresholds: RwSignal<AgeThresholds>,
    sound_on: RwSignal<bool>,
    /// Orders with a status change on the way (their button is busy).
    busy: RwSignal<BTreeSet<String>>,
    /// Orders that just arrived and are flashing.
    fresh: RwSignal<BTreeSet<String>>,
    toasts: toast::Toasts,
    /// Status changes queued on this screen, until they settle.
    moves: RwSignal<actions::Moves>,
    /// The writes queued on this device.
    outbox: OutboxQueue,
    /// When this screen started watching, on the device's clock; orders
    /// placed before that are not announced.
    opened_at_ms: f64,
}

impl Kitchen {
    /// Server-clock instant from which new orders are news.
    fn watching_since(&self) -> Timestamp {
        self.feed.server_time_at(self.opened_at_ms)
    }
}

/// The kitchen display page.
#[component]
pub fn KitchenPage() -> impl IntoView {
    let feed = expect_context::<LiveFeed>();
    let (now, set_now) = signal(feed.server_now());
    if let Ok(handle) = set_interval_with_handle(
        move || set_now.set(feed.server_now()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    let board = RwSignal::new(Board::new());
    let filter = RwSignal::new(settings::load_filter());
    let thresholds = RwSignal::new(settings::load_thresholds());
    let tickets = Memo::new(move |_| {
        let (now, filter, thresholds) = (now.get(), filter.get(), thresholds.get());
        board.with(|board| board.tickets(now, &filter, &thresholds))
    });
    let kitchen = Kitchen {
        feed,
        board,
        tickets,
        filter,
        thresholds,
        sound_on: RwSignal::new(settings::load_sound()),
        busy: RwSignal::new(BTreeSet::new()),
        fresh: RwSignal::new(BTreeSet::new()),
        toasts: toast::Toasts::new(),
        moves: RwSignal::new(actions::Moves::new()),
        outbox: expect_context::<OutboxQueue>(),
        opened_at_ms: js_sys::Date::now(),
    };
    provide_context(kitchen);
    actions::follow_moves(kitchen);

    let (chime, sound_unlocked) = sound::use_chime();
    let (announcement, set_announcement) = signal(String::new());
    let (flashing, set_flashing) = signal(false);

    // The server's feed started over: what the board holds is of another
    // database.
    Effect::new(move |previous: Option<u64>| {
        let resets = feed.resets.get();
        if previous.is_some_and(|previous| previous != resets) {
            board.set(Board::new());
        }
        resets
    });
    // Closed orders leave memory after an hour, as they leave the feed.
    Effect::new(move |_| {
        let now = now.get();
        board.update_untracked(|board| board.forget_old(now));
    });
    // Feed every snapshot the shared feed holds into the board; the board
    // keeps only newer ones, so re-offering the whole map is harmless.
    Effect::new(move |_| {
        let watching = kitchen.watching_since();
        let arrived = feed.orders.with(|orders| {
            let mut arrived = Vec::new();
            board.maybe_update(|board| {
                let mut changed = false;
                for order in orders.values() {
                    match board.apply(order, watching) {
                        Applied::Arrived => {
                            changed = true;
                            arrived.push((order.id.clone(), order.order_number.clone()));
                        }
                        Applied::Changed => changed = true,
                        Applied::Stale => {}
                    }
                }
                changed
            });
            arrived
        });
        if arrived.is_empty() {
            return;
        }
        let (ids, numbers): (Vec<String>, Vec<String>) = arrived.into_iter().unzip();
        set_announcement.set(text::arrived(&numbers));
        if kitchen.sound_on.get_untracked() {
            chime.play();
        }
        kitchen
            .fresh
            .update(|fresh| fresh.extend(ids.iter().cloned()));
        set_flashing.set(true);
        set_timeout(
            move || {
                kitchen.fresh.update(|fresh| {
                    for id in &ids {
                        fresh.remove(id);
                    }
                });
                set_flashing.set(false);
            },
            FLASH,
        );
    });

    let ids = Memo::new(move |_| {
        tickets.with(|tickets| {
            tickets
                .iter()
                .map(|ticket| ticket.order_id.clone())
                .collect::<Vec<_>>()
        })
    });
    let toolbar = Box::new(|| view! { <toolbar::Toolbar /> }.into_any());
    view! {
        <Shell face=Face::Kitchen toolbar=toolbar>
            <div class="kitchen" class:kitchen--flash=flashing>
                <div class="kitchen__board">
                    <Show when=move || !ids.with(Vec::is_empty) fallback=EmptyBoard>
                        <ol class="tickets" aria-label="Tickets">
                            <For each=move || ids.get() key=String::clone let:id>
                                <ticket::TicketCard id=id />
                            </For>
                        </ol>
                    </Show>
                </div>
                <footer::Footer />
                <toast::ToastList toasts=kitchen.toasts>
                    <footer::SoundHint sound_unlocked=sound_unlocked />
                </toast::ToastList>
                <p class="visually-hidden" aria-live="polite">{announcement}</p>
            </div>
        </Shell>
    }
}

/// Shown when no ticket is on the board (for the chosen station).
#[component]
fn EmptyBoard() -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    let feed = expect_context::<LiveFeed>();
    let live = move || feed.connection.get().in_contact();
    view! {
        <section class="kitchen-empty" data-testid="no-tickets" data-live=move || live().to_string()>
            <svg class="kitchen-empty__icon" viewBox="0 0 48 48" aria-hidden="true">
                <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" stroke-width="3" />
                <path
                    d="M14 25l7 7 13-15"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="4"
                    stroke-linecap="round"
                    stroke-linejoin="round"
                />
            </svg>
            <h1 class="kitchen-empty__title">{move || text::empty_title(live())}</h1>
            <p class="kitchen-empty__detail">
                {move || text::empty_detail(&kitchen.filter.get(), live())}
            </p>
        </section>
    }
}
