//! `/kiosk`: the customer's self-ordering screen.
//!
//! The page owns the session's state ([`Kiosk`], shared with its screens
//! through context) and drives the pure pieces from the core crate: the
//! [`KioskFlow`] decides which screen shows and when the idle and
//! confirmation timers fire, the [`Cart`] holds the order and prices it with
//! the server's rule. The menu comes only from the device's storage, kept in
//! step with the server by [`menu_state`]; each new version of it is
//! reconciled with the cart ([`cart_notice`]) before it shows. The page's
//! effects only synchronise that state with the browser: one timer for the
//! flow's next deadline and `<html lang dir>` for the language.

mod attract;
mod cart;
mod cart_notice;
mod catalog;
mod confirmation;
mod delivery;
mod idle;
mod menu;
mod menu_state;
mod perf;
mod price_check;
mod price_confirm;
mod search;
mod staff;
mod staff_gate;
mod sync_status;

use std::sync::Arc;
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use ticketrail_core::outbox::Write;
use ticketrail_core::{Cart, KioskFlow, Quote, Screen, Timers};
use ticketrail_outbox::OutboxError;
use ticketrail_protocol::{Order, PlaceOrder, Timestamp};

use crate::components::{use_document_language, Face, LanguageSwitch, Shell};
use crate::device;
use crate::i18n::Lang;
use crate::live::LiveFeed;
use crate::outbox::OutboxQueue;

use cart_notice::CartNotice;
use catalog::Catalog;
use delivery::Queued;
use menu_state::{MenuState, SyncStatus};
use price_check::{price_check, PriceCheck};
use search::MenuSearch;

/// Where the e2e tests (and a curious operator) shorten the timers.
const TIMERS_KEY: &str = "ticketrail.kiosk.timers";

/// The longest delay `setTimeout` takes (2^31 - 1 ms); a later deadline is
/// reached by waking early and asking the flow again.
const MAX_TIMEOUT_MS: u64 = i32::MAX as u64;

/// The confirmation once it says where the order stands.
const CONFIRMED: &str = r#"[data-testid="delivery"]"#;

/// How long "Place order" waits for the menu sync that checks prices
/// before sending as it is (the server prices from its own data anyway).
const PRICE_CHECK_WITHIN: Duration = Duration::from_secs(4);

/// The kiosk session, cheap to copy into every handler.
#[derive(Clone, Copy)]
struct Kiosk {
    /// The customer's language; back to the default for the next customer.
    lang: RwSignal<Lang>,
    /// Screen and timers.
    flow: RwSignal<KioskFlow>,
    /// The order being put together.
    cart: RwSignal<Cart>,
    /// The device's menu, indexed for the screen; `None` until a complete
    /// menu is in memory.
    catalog: RwSignal<Option<Arc<Catalog>>>,
    /// The device's stored menu and its sync with the server.
    menu: MenuState,
    /// The search index over the catalog in the customer's language.
    search: Memo<Option<Arc<MenuSearch>>>,
    /// What the customer typed into the search field.
    query: RwSignal<String>,
    /// The category the customer picked (`None`: the first).
    category: RwSignal<Option<String>>,
    /// What a menu change did to the cart, until the customer closes it.
    cart_notice: RwSignal<Option<CartNotice>>,
    /// A new total, found just before sending, that the customer must
    /// confirm.
    price_confirm: RwSignal<Option<PriceCheck>>,
    /// The total the customer agreed to when the order was sent (amount,
    /// currency), to compare with the server's.
    shown_total: RwSignal<Option<(i64, String)>>,
    /// The order queued last, until the next customer.
    queued: RwSignal<Option<Queued>>,
    /// The server's answer to it, once the service worker delivered it.
    placed: RwSignal<Option<Order>>,
    /// Why the last order could not be queued, until the next attempt.
    order_error: RwSignal<Option<OutboxError>>,
    /// The writes queued on this device.
    outbox: OutboxQueue,
    /// The outlet's live feed (is the server reachable?).
    feed: LiveFeed,
    /// Whether the staff area is open.
    staff_open: RwSignal<bool>,
    /// Staff's limit (hours) past which the menu counts as stale.
    stale_limit_hours: RwSignal<f64>,
    /// The instant the flow's timer last woke the page, so countdowns
    /// re-render.
    now_ms: RwSignal<u64>,
}

impl Kiosk {
    fn new(timers: Timers) -> Self {
        let lang = RwSignal::new(Lang::default());
        let cart = RwSignal::new(Cart::new());
        let catalog = RwSignal::new(None);
        let cart_notice = RwSignal::new(None);
        let menu = MenuState::start(move |next| {
            cart_notice::install(catalog, cart, cart_notice, next, timestamp(clock_ms()));
        });
        Self {
            lang,
            flow: RwSignal::new(KioskFlow::new(timers)),
            cart,
            catalog,
            menu,
            search: search::use_menu_search(catalog, lang),
            query: RwSignal::new(String::new()),
            category: RwSignal::new(None),
            cart_notice,
            price_confirm: RwSignal::new(None),
            shown_total: RwSignal::new(None),
            queued: RwSignal::new(None),
            placed: RwSignal::new(None),
            order_error: RwSignal::new(None),
            outbox: expect_context::<OutboxQueue>(),
            feed: expect_context::<LiveFeed>(),
            staff_open: RwSignal::new(false),
            stale_limit_hours: RwSignal::new(staff::saved_limit()),
            now_ms: RwSignal::new(clock_ms()),
        }
    }

    /// Whether there is no menu to show yet and one is being downloaded or
    /// failed to download: the screen shows the download's progress or
    /// the "menu unavailable" notice instead of a spinner.
    fn awaiting_download(&self) -> bool {
        self.catalog.with(Option::is_none)
            && self.menu.opened.get()
            && self
                .menu
                .sync
                .with(|status| matches!(status, SyncStatus::Running { .. } | SyncStatus::Failed(_)))
    }

    /// "Tap to order".
    fn start(&self) {
        self.flow.update(|flow| flow.start(clock_ms()));
    }

    /// Any touch or key press: the customer is still there.
    fn touch(&self) {
        let now = clock_ms();
        // Only ordering has an idle clock; elsewhere a touch must not wake
        // every view that reads the flow.
        if self
            .flow
            .with_untracked(|flow| flow.screen() == Screen::Ordering)
        {
            self.flow.update(|flow| flow.touch(now));
        }
    }

    /// The cart priced now against the menu on screen.
    fn quote_now(&self) -> Option<Quote> {
        let catalog = self.catalog.get_untracked()?;
        self.cart
            .with_untracked(|cart| {
                cart.quote(
                    &catalog.products,
                    &catalog.promotions,
                    timestamp(clock_ms()),
                )
            })
            .ok()
    }

    /// "Place order": while the server answers, first brings the menu up
    /// to date, so a price that changed unheard is caught now; if that
    /// moved the total, the customer confirms the new one
    /// ([`PriceConfirm`](price_confirm)) before the order is queued. When
    /// the server did not answer the last request (socket down and the
    /// last poll failed, even within the indicator's grace before it says
    /// Offline), or the sync cannot be had, the order is queued at once as
    /// it is: the server prices it, and the confirmation says so if its
    /// total differs.
    fn place(&self) {
        let started = perf::now();
        let Some(seen) = self.quote_now() else {
            return;
        };
        if seen.lines.is_empty()
            || !self
                .flow
                .try_update(|flow| flow.place(clock_ms()))
                .unwrap_or(false)
        {
            return;
        }
        self.order_error.set(None);
        if !self.feed.answering.get_untracked() {
            self.send(&seen, started);
            return;
        }
        let kiosk = *self;
        leptos::task::spawn_local(async move {
            if !kiosk.menu.sync_now(PRICE_CHECK_WITHIN).await {
                kiosk.send(&seen, started);
                return;
            }
            match kiosk.quote_now() {
                Some(now) if !now.lines.is_empty() => match price_check(&seen, &now) {
                    None => kiosk.send(&now, started),
                    Some(check) => {
                        kiosk.price_confirm.set(Some(check));
                        kiosk.flow.update(|flow| flow.place_failed(clock_ms()));
                    }
                },
                // Nothing orderable or no total any more: the cart and its
                // notice say why.
                _ => kiosk.flow.update(|flow| flow.place_failed(clock_ms())),
            }
        });
    }

    /// The customer accepted the new total: send the cart now.
    fn accept_new_total(&self) {
        let started = perf::now();
        if self
            .price_confirm
            .try_update(Option::take)
            .flatten()
            .is_none()
        {
            return;
        }
        let Some(now) = self.quote_now() else {
            return;
        };
        if !now.lines.is_empty()
            && self
                .flow
                .try_update(|flow| flow.place(clock_ms()))
                .unwrap_or(false)
        {
            self.order_error.set(None);
            self.send(&now, started);
        }
    }

    /// Queues the cart while placing; `agreed` is the quote the customer
    /// last saw, kept to compare with the server's total; `started` is when
    /// the customer tapped (for the [`perf::ORDER_QUEUED`] measure). The
    /// cart's submission id is the order's idempotency key: the service
    /// worker repeats it on every retry, so a lost answer can never make a
    /// second order.
    fn send(&self, agreed: &Quote, started: f64) {
        let Some(catalog) = self.catalog.get_untracked() else {
            self.flow.update(|flow| flow.place_failed(clock_ms()));
            return;
        };
        let now = clock_ms();
        let items = self
            .cart
            .with_untracked(|cart| cart.requests(&catalog.products));
        if items.is_empty() {
            self.flow.update(|flow| flow.place_failed(now));
            return;
        }
        self.shown_total
            .set(Some((agreed.total_amount, agreed.currency.clone())));
        let client_order_id = self
            .cart
            .try_update(|cart| cart.submission_id(device::new_id))
            .unwrap_or_else(device::new_id);
        let order = PlaceOrder {
            client_order_id,
            outlet_id: crate::pairing::outlet_id(),
            items,
            master_version: Some(catalog.version),
            placed_at: timestamp(now),
        };
        let local_number = delivery::local_number(&order.client_order_id);
        let queued = Queued {
            key: order.client_order_id.clone(),
            local_number: local_number.clone(),
        };
        let write = Write::PlaceOrder {
            order,
            shown_total: agreed.total_amount,
            local_number,
        };
        let kiosk = *self;
        leptos::task::spawn_local(async move {
            match kiosk.outbox.enqueue(write).await {
                Ok(_) => {
                    kiosk.placed.set(None);
                    kiosk.queued.set(Some(queued));
                    kiosk.cart.update(Cart::clear);
                    kiosk.cart_notice.set(None);
                    kiosk.flow.update(|flow| flow.placed(clock_ms()));
                    perf::measure_when_shown(perf::ORDER_QUEUED, started, CONFIRMED).await;
                }
                Err(err) => {
                    kiosk.order_error.set(Some(err));
                    kiosk.flow.update(|flow| flow.place_failed(clock_ms()));
                }
            }
        });
    }

    /// Back to the attract screen now ("start over", "new order").
    fn finish(&self) {
        self.flow.update(KioskFlow::finish);
        if self
            .flow
            .with_untracked(|flow| flow.screen() == Screen::Attract)
        {
            self.reset();
        }
    }

    /// Wakes on the flow's deadline: applies it, resetting the session if
    /// it is due.
    fn wake(&self) {
        let now = clock_ms();
        self.now_ms.set(now);
        if self
            .flow
            .try_update(|flow| flow.tick(now))
            .flatten()
            .is_some()
        {
            self.reset();
        }
    }

    /// Forgets the customer: cart, language, category, search, notices,
    /// answers; and closes the staff area a member of staff left open.
    fn reset(&self) {
        self.cart.update(Cart::clear);
        self.lang.set(Lang::default());
        self.category.set(None);
        self.query.set(String::new());
        self.cart_notice.set(None);
        self.price_confirm.set(None);
        self.shown_total.set(None);
        self.queued.set(None);
        self.placed.set(None);
        self.order_error.set(None);
        self.staff_open.set(false);
    }
}

/// Which of the three layouts shows; placing keeps the ordering layout so
/// the cart stays where the customer left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Attract,
    Ordering,
    Confirmation,
}

/// The kiosk page.
#[component]
pub fn KioskPage() -> impl IntoView {
    let timers = device::load::<Timers>(TIMERS_KEY).unwrap_or_default();
    let kiosk = Kiosk::new(timers);
    provide_context(kiosk);
    delivery::follow_queued_order(kiosk);
    use_document_language(kiosk.lang);
    use_flow_timer(kiosk);
    use_touch_anywhere(kiosk);
    // The staff PIN's hash, kept for the staff area to check offline.
    leptos::task::spawn_local(crate::staff_pin::refresh_hash());

    let layout = Memo::new(move |_| match kiosk.flow.with(KioskFlow::screen) {
        Screen::Attract => Layout::Attract,
        Screen::Ordering | Screen::Placing => Layout::Ordering,
        Screen::Confirmation => Layout::Confirmation,
    });
    let toolbar = Box::new(move || {
        view! {
            <delivery::OutboxPill />
            <sync_status::SyncPill />
            <LanguageSwitch lang=kiosk.lang />
            <staff::StaffButton />
        }
        .into_any()
    });
    view! {
        <Shell face=Face::Kiosk lang=kiosk.lang toolbar=toolbar>
            <div class="kiosk">
                {move || match layout.get() {
                    Layout::Attract => view! { <attract::AttractScreen /> }.into_any(),
                    Layout::Ordering => view! { <menu::OrderingScreen /> }.into_any(),
                    Layout::Confirmation => {
                        view! { <confirmation::ConfirmationScreen /> }.into_any()
                    }
                }}
                <price_confirm::PriceConfirm />
                <idle::IdleWarning />
                <sync_status::StorageNoticeToast />
                <staff::StaffArea />
            </div>
        </Shell>
    }
}

/// Keeps exactly one timer, set for the flow's next deadline; every change
/// of the flow (a touch, a new screen) replaces it.
fn use_flow_timer(kiosk: Kiosk) {
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    Effect::new(move |_| {
        let flow = kiosk.flow.get();
        cancel();
        let now = clock_ms();
        if let Some(deadline) = flow.next_deadline(now) {
            let delay = deadline.saturating_sub(now).min(MAX_TIMEOUT_MS);
            let handle =
                set_timeout_with_handle(move || kiosk.wake(), Duration::from_millis(delay));
            pending.set_value(handle.ok());
        }
    });
    on_cleanup(cancel);
}

/// Any touch or key press anywhere on the page (the top bar's language
/// switch included) tells the flow the customer is still there.
fn use_touch_anywhere(kiosk: Kiosk) {
    let pointer = window_event_listener(ev::pointerdown, move |_| kiosk.touch());
    let key = window_event_listener(ev::keydown, move |_| kiosk.touch());
    on_cleanup(move || {
        pointer.remove();
        key.remove();
    });
}

/// The session for a screen of the kiosk.
fn use_kiosk() -> Kiosk {
    expect_context::<Kiosk>()
}

/// Milliseconds since the epoch on the browser's clock.
fn clock_ms() -> u64 {
    // Date.now() is a non-negative whole number; the cast saturates anyway.
    js_sys::Date::now() as u64
}

/// `ms` on the browser's clock as the wire's timestamp.
fn timestamp(ms: u64) -> Timestamp {
    i64::try_from(ms)
        .ok()
        .and_then(Timestamp::from_timestamp_millis)
        .unwrap_or_default()
}
