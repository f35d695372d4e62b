//! `/kiosk`: the customer's self-ordering screen.
//!
//! The page owns the session's state ([`Kiosk`], shared with its screens
//! through context) and drives the pure pieces from the core crate: the
//! [`KioskFlow`] decides which screen shows and when the idle and
//! confirmation timers fire, the [`Cart`] holds the order and prices it with
//! the server's rule. The page's effects only synchronise that state with
//! the browser: one timer for the flow's next deadline, `<html lang dir>`
//! for the language, and a menu retry when the outlet comes back.

mod attract;
mod cart;
mod catalog;
mod confirmation;
mod idle;
mod language;
mod menu;

use std::sync::Arc;
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use ticketrail_core::{Cart, KioskFlow, Screen, Timers};
use ticketrail_protocol::{Order, PlaceOrder, Timestamp};

use crate::api::{self, menu::Menu, ApiError};
use crate::components::{Face, Shell};
use crate::device;
use crate::i18n::Lang;
use crate::live::{Connection, LiveFeed};

use catalog::Catalog;

/// Where the e2e tests (and a curious operator) shorten the timers.
const TIMERS_KEY: &str = "ticketrail.kiosk.timers";

/// The longest delay `setTimeout` takes (2^31 - 1 ms); a later deadline is
/// reached by waking early and asking the flow again.
const MAX_TIMEOUT_MS: u64 = i32::MAX as u64;

/// The kiosk session, cheap to copy into every handler.
#[derive(Clone, Copy)]
struct Kiosk {
    /// The customer's language; back to the default for the next customer.
    lang: RwSignal<Lang>,
    /// Screen and timers.
    flow: RwSignal<KioskFlow>,
    /// The order being put together.
    cart: RwSignal<Cart>,
    /// The menu download (retried on demand).
    menu: LocalResource<Result<Menu, ApiError>>,
    /// The downloaded menu, indexed; `None` while loading or failed.
    catalog: Memo<Option<Arc<Catalog>>>,
    /// The category the customer picked (`None`: the first).
    category: RwSignal<Option<String>>,
    /// The server's answer to the placed order.
    placed: RwSignal<Option<Order>>,
    /// Why the last attempt to place failed, until the next attempt.
    order_error: RwSignal<Option<ApiError>>,
    /// The instant the flow's timer last woke the page, so countdowns
    /// re-render.
    now_ms: RwSignal<u64>,
}

impl Kiosk {
    fn new(timers: Timers) -> Self {
        let menu = LocalResource::new(api::menu::fetch_menu);
        let catalog = Memo::new(move |_| {
            menu.with(|menu| match menu {
                Some(Ok(menu)) => Some(Arc::new(Catalog::new(menu))),
                _ => None,
            })
        });
        Self {
            lang: RwSignal::new(Lang::default()),
            flow: RwSignal::new(KioskFlow::new(timers)),
            cart: RwSignal::new(Cart::new()),
            menu,
            catalog,
            category: RwSignal::new(None),
            placed: RwSignal::new(None),
            order_error: RwSignal::new(None),
            now_ms: RwSignal::new(clock_ms()),
        }
    }

    /// Whether the menu download failed (and nothing else is on screen).
    fn menu_failed(&self) -> bool {
        self.menu.with(|menu| matches!(menu, Some(Err(_))))
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

    /// Sends the cart. The cart's submission id is reused by every retry,
    /// so a lost answer can never make a second order.
    fn place(&self) {
        let Some(catalog) = self.catalog.get_untracked() else {
            return;
        };
        let items = self
            .cart
            .with_untracked(|cart| cart.requests(&catalog.products));
        let now = clock_ms();
        if items.is_empty()
            || !self
                .flow
                .try_update(|flow| flow.place(now))
                .unwrap_or(false)
        {
            return;
        }
        self.order_error.set(None);
        let client_order_id = self
            .cart
            .try_update(|cart| cart.submission_id(device::new_id))
            .unwrap_or_else(device::new_id);
        let order = PlaceOrder {
            client_order_id,
            outlet_id: device::outlet_id(),
            items,
            master_version: Some(catalog.version),
            placed_at: timestamp(now),
        };
        let kiosk = *self;
        leptos::task::spawn_local(async move {
            let answer = api::orders::place_order(&order).await;
            let now = clock_ms();
            match answer {
                Ok(placed) => {
                    kiosk.placed.set(Some(placed));
                    kiosk.cart.update(Cart::clear);
                    kiosk.flow.update(|flow| flow.placed(now));
                }
                Err(err) => {
                    kiosk.order_error.set(Some(err));
                    kiosk.flow.update(|flow| flow.place_failed(now));
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

    /// Forgets the customer: cart, language, category, answers.
    fn reset(&self) {
        self.cart.update(Cart::clear);
        self.lang.set(Lang::default());
        self.category.set(None);
        self.placed.set(None);
        self.order_error.set(None);
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
    use_document_language(kiosk.lang);
    use_flow_timer(kiosk);
    use_touch_anywhere(kiosk);
    use_menu_retry_when_live(kiosk);

    let layout = Memo::new(move |_| match kiosk.flow.with(KioskFlow::screen) {
        Screen::Attract => Layout::Attract,
        Screen::Ordering | Screen::Placing => Layout::Ordering,
        Screen::Confirmation => Layout::Confirmation,
    });
    let toolbar = Box::new(|| view! { <language::LanguageSwitch /> }.into_any());
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
                <idle::IdleWarning />
            </div>
        </Shell>
    }
}

/// Keeps `<html lang dir>` on the customer's language (Arabic mirrors the
/// whole layout), and puts it back when the kiosk page goes away.
fn use_document_language(lang: RwSignal<Lang>) {
    let apply = |lang: Lang| {
        if let Some(root) = document().document_element() {
            // Attributes on <html> cannot fail to set; nothing to report.
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("dir", lang.dir());
        }
    };
    Effect::new(move |_| apply(lang.get()));
    on_cleanup(move || apply(Lang::default()));
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

/// A kiosk that booted while the outlet was unreachable fetches the menu
/// again as soon as the live feed reports the outlet back.
fn use_menu_retry_when_live(kiosk: Kiosk) {
    let feed = expect_context::<LiveFeed>();
    Effect::new(move |_| {
        if feed.connection.get() == Connection::Live
            && kiosk
                .menu
                .with_untracked(|menu| matches!(menu, Some(Err(_))))
        {
            kiosk.menu.refetch();
        }
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
