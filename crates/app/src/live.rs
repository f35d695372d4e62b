//! The screen's live link to its outlet: the order feed every page reads
//! (the kiosk's order-status view, the kitchen display) and the connection
//! state they all show, plus the menu's changes (`product:*`, `category:*`,
//! `promotion:*`, and each `connected` with the server's master version)
//! for whoever keeps the menu (see [`listeners`]).
//!
//! Created once by the app root and shared through context. Every decision
//! (when to open, ping, abandon or retry the socket; when to poll
//! `GET /api/orders` instead and when to stop; which snapshots to apply;
//! what the indicator says) is the core's pure [`Supervisor`]. What is left
//! here is the browser glue: a `WebSocket` ([`socket`]), the poll requests,
//! one timer set for the supervisor's next deadline, the `online` and
//! `visibilitychange` events, and on the kitchen the saved feed
//! ([`crate::storage::feed`])
//! that a reload starts from.

mod listeners;
mod socket;

use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    rc::{Rc, Weak},
    time::Duration,
};

use leptos::{ev, prelude::*, task::spawn_local};
use ticketrail_core::{
    supervisor::{Action, Heard, Input, Supervisor},
    tickets::{merge_snapshot, worth_keeping},
};
use ticketrail_protocol::{ErrorCode, Order, ServerMessage, Timestamp};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Event, MessageEvent};

pub use ticketrail_core::supervisor::{Connection, Face};

use crate::{
    api,
    storage::feed::{FeedStore, SavedFeed},
};
use listeners::MasterDataListeners;
use socket::{read_message, socket_url, Incoming, Socket};

/// The outlet's live order feed, cheap to copy into components.
#[derive(Debug, Clone, Copy)]
pub struct LiveFeed {
    /// The state for the connection indicator.
    pub connection: ReadSignal<Connection>,
    /// Whether the server answered the last thing asked of it (see
    /// [`Supervisor::answering`]): requests only worth making when it is
    /// there are skipped when this is false.
    pub answering: ReadSignal<bool>,
    /// Latest snapshot of every order seen, by order id (highest `seq`
    /// wins), without closed orders past
    /// [`KEEP_CLOSED_SECS`](ticketrail_core::tickets::KEEP_CLOSED_SECS).
    pub orders: ReadSignal<BTreeMap<String, Order>>,
    /// Counts the times the server's feed started over (its database was
    /// replaced) and every order held was dropped: a screen keeping its own
    /// copy of the orders drops it too.
    pub resets: ReadSignal<u64>,
    /// The server's clock minus this device's, in milliseconds (0 until the
    /// server has said what time it is). Ticket ages are measured against
    /// the server's `created_at`, so a screen whose clock is off still shows
    /// true ages.
    pub clock_offset_ms: ReadSignal<i64>,
    /// Listeners of the menu's changes (see [`LiveFeed::on_master_data`]).
    master_data: MasterDataListeners,
}

impl LiveFeed {
    /// Calls `listener` with every master-data message (`product:*`,
    /// `category:*`, `promotion:*`) and every `connected` (whose
    /// `master_version` tells a reconnecting screen whether it missed
    /// changes), one call per message in arrival order, until the calling
    /// component is cleaned up.
    pub fn on_master_data(&self, listener: impl Fn(&ServerMessage) + 'static) {
        self.master_data.subscribe(listener);
    }

    /// The time now on the server's clock, as well as this screen knows it.
    pub fn server_now(&self) -> Timestamp {
        self.server_time_at(js_sys::Date::now())
    }

    /// The server's time when this device's clock read `local_ms`
    /// (milliseconds since the epoch, as `Date.now()`).
    pub fn server_time_at(&self, local_ms: f64) -> Timestamp {
        server_time(local_ms, self.clock_offset_ms.get_untracked())
    }
}

/// The screen an app at `path` is: the kitchen display under `/kitchen`,
/// the kiosk everywhere else.
pub fn face_of(path: &str) -> Face {
    if path.starts_with("/kitchen") {
        Face::Kitchen
    } else {
        Face::Kiosk
    }
}

/// Opens the outlet's feed for a `face` screen and keeps it for the life of
/// the page. A kitchen first reads its saved feed (tickets on screen at
/// once, the socket asks only for what changed since).
pub fn connect(outlet_id: String, face: Face) -> LiveFeed {
    let (connection, set_connection) = signal(Connection::Connecting);
    let (answering, set_answering) = signal(false);
    let (orders, set_orders) = signal(BTreeMap::new());
    let (resets, set_resets) = signal(0);
    let (clock_offset_ms, set_clock_offset) = signal(0);
    let master_data = MasterDataListeners::default();
    let outputs = Outputs {
        orders,
        answering,
        set_connection,
        set_answering,
        set_orders,
        set_resets,
        set_clock_offset,
        master_data,
    };
    spawn_local(async move {
        let (saver, saved) = match face {
            Face::Kitchen => restore(&outlet_id).await,
            Face::Kiosk => (None, None),
        };
        let cursor = saved.as_ref().map_or(0, |saved| saved.cursor);
        if let Some(saved) = saved {
            set_orders.set(
                saved
                    .orders
                    .into_iter()
                    .map(|order| (order.id.clone(), order))
                    .collect(),
            );
        }
        let driver = Rc::new(RefCell::new(Driver {
            outlet_id,
            face,
            supervisor: Supervisor::new(js_sys::Date::now(), face, cursor),
            socket: None,
            generation: 0,
            timer: None,
            shown: Connection::Connecting,
            clock_offset: None,
            outputs,
            saver,
        }));
        listen(&driver);
        feed(&driver, Input::Tick);
    });
    LiveFeed {
        connection,
        answering,
        orders,
        resets,
        clock_offset_ms,
        master_data,
    }
}

/// Opens the kitchen's saved feed; without storage the screen still works,
/// it only starts from zero after a reload.
async fn restore(outlet_id: &str) -> (Option<Rc<Saver>>, Option<SavedFeed>) {
    match FeedStore::open().await {
        Ok(store) => {
            let saved = store.load(outlet_id).await;
            let saver = Saver {
                store,
                busy: Cell::new(false),
                dirty: Cell::new(false),
            };
            (Some(Rc::new(saver)), saved)
        }
        Err(err) => {
            leptos::logging::warn!("the kitchen cannot save its tickets on this screen: {err}");
            (None, None)
        }
    }
}

/// Where the feed's results go.
struct Outputs {
    orders: ReadSignal<BTreeMap<String, Order>>,
    answering: ReadSignal<bool>,
    set_connection: WriteSignal<Connection>,
    set_answering: WriteSignal<bool>,
    set_orders: WriteSignal<BTreeMap<String, Order>>,
    set_resets: WriteSignal<u64>,
    set_clock_offset: WriteSignal<i64>,
    master_data: MasterDataListeners,
}

/// Writes the saved feed, one write at a time; changes made during a write
/// are saved by one more write after it.
struct Saver {
    store: FeedStore,
    busy: Cell<bool>,
    dirty: Cell<bool>,
}

/// Everything the glue keeps between events.
struct Driver {
    outlet_id: String,
    face: Face,
    supervisor: Supervisor,
    /// The current socket; a closed one stays here until the next attempt
    /// replaces it, because dropping it from inside its own close handler
    /// would free the handler while it runs.
    socket: Option<Socket>,
    /// Bumped per socket, so events of a replaced socket are ignored.
    generation: u64,
    /// The timer set for the supervisor's next deadline, and that deadline.
    timer: Option<(TimeoutHandle, f64)>,
    /// What the indicator shows, to notify only on a change.
    shown: Connection,
    clock_offset: Option<i64>,
    outputs: Outputs,
    saver: Option<Rc<Saver>>,
}

impl Driver {
    fn set_clock(&mut self, server: Timestamp, now: f64) {
        let measured = server.timestamp_millis() - now as i64;
        if let Some(offset) = adjusted_offset(self.clock_offset, measured) {
            self.clock_offset = Some(offset);
            self.outputs.set_clock_offset.set(offset);
        }
    }

    fn server_now(&self) -> Timestamp {
        server_time(js_sys::Date::now(), self.clock_offset.unwrap_or(0))
    }

    /// Applies snapshots the supervisor passed, and forgets what is no
    /// longer worth keeping.
    fn apply(&self, orders: &[Order]) {
        let now = self.server_now();
        self.outputs.set_orders.update(|held| {
            for order in orders {
                merge_snapshot(held, order);
            }
            held.retain(|_, order| worth_keeping(order, now));
        });
    }

    /// The feed to save now: the cursor and the orders it covers.
    fn to_save(&self) -> SavedFeed {
        let orders = self
            .outputs
            .orders
            .with_untracked(|held| held.values().cloned().collect());
        SavedFeed::new(&self.outlet_id, self.supervisor.cursor(), orders)
    }
}

/// Feeds `input` to the supervisor now and carries out what it decides.
fn feed(driver: &Rc<RefCell<Driver>>, input: Input) {
    let actions =
        driver
            .borrow_mut()
            .supervisor
            .handle(js_sys::Date::now(), input, js_sys::Math::random());
    perform(driver, actions);
}

fn perform(driver: &Rc<RefCell<Driver>>, actions: Vec<Action>) {
    let mut changed = false;
    for action in actions {
        match action {
            Action::OpenSocket { since_id } => open_socket(driver, since_id),
            Action::CloseSocket => driver.borrow_mut().socket = None,
            Action::Ping => {
                if let Some(socket) = &driver.borrow().socket {
                    socket.ping();
                }
            }
            Action::Poll { poll, since_id } => start_poll(driver, poll, since_id),
            Action::Reset => {
                let state = driver.borrow();
                state.outputs.set_orders.set(BTreeMap::new());
                state.outputs.set_resets.update(|resets| *resets += 1);
                changed = true;
            }
            Action::Apply(orders) => {
                driver.borrow().apply(&orders);
                changed = true;
            }
        }
    }
    if changed {
        save_soon(driver);
    }
    let now = js_sys::Date::now();
    let mut state = driver.borrow_mut();
    let connection = state.supervisor.connection(now);
    if connection != state.shown {
        state.shown = connection;
        state.outputs.set_connection.set(connection);
    }
    let answering = state.supervisor.answering();
    if answering != state.outputs.answering.get_untracked() {
        state.outputs.set_answering.set(answering);
    }
    drop(state);
    wake_at_deadline(driver, now);
}

/// Sets the one timer for the supervisor's next deadline (keeping it when
/// the deadline did not move).
fn wake_at_deadline(driver: &Rc<RefCell<Driver>>, now: f64) {
    let mut state = driver.borrow_mut();
    let at = state.supervisor.wake_at(now);
    if state
        .timer
        .as_ref()
        .is_some_and(|(_, set_for)| *set_for == at)
    {
        return;
    }
    if let Some((handle, _)) = state.timer.take() {
        handle.clear();
    }
    if !at.is_finite() {
        return;
    }
    let weak = Rc::downgrade(driver);
    // A millisecond late rather than early: an early wake finds nothing due.
    let delay = Duration::from_millis((at - now).max(0.0) as u64 + 1);
    let fire = move || {
        if let Some(driver) = weak.upgrade() {
            driver.borrow_mut().timer = None;
            feed(&driver, Input::Tick);
        }
    };
    match set_timeout_with_handle(fire, delay) {
        Ok(handle) => state.timer = Some((handle, at)),
        Err(_) => leptos::logging::warn!("the live feed could not set its timer"),
    }
}

/// The network and the page's visibility: both can make a retry due now.
fn listen(driver: &Rc<RefCell<Driver>>) {
    let online = Rc::clone(driver);
    // The listeners live as long as the page, like the feed.
    let _online = window_event_listener(ev::online, move |_| feed(&online, Input::Online));
    let shown = Rc::clone(driver);
    let on_visibility = Closure::<dyn FnMut()>::new(move || {
        let visible = !document().hidden();
        feed(&shown, Input::Visible(visible));
    });
    let added = document().add_event_listener_with_callback(
        "visibilitychange",
        on_visibility.as_ref().unchecked_ref(),
    );
    if added.is_ok() {
        on_visibility.forget();
    }
    feed(driver, Input::Visible(!document().hidden()));
}

/// Asks the server while the socket is down: a kitchen polls the order
/// feed; a kiosk, which may not read it (`PROTOCOL.md` v2), asks for its
/// outlet, which tells it the server is there and its pairing still holds.
fn start_poll(driver: &Rc<RefCell<Driver>>, poll: u64, since_id: i64) {
    let (outlet_id, face) = {
        let driver = driver.borrow();
        (driver.outlet_id.clone(), driver.face)
    };
    let weak = Rc::downgrade(driver);
    spawn_local(async move {
        let answer = match face {
            Face::Kitchen => api::orders::poll_feed(&outlet_id, since_id).await,
            Face::Kiosk => api::devices::outlets().await.map(|_| Vec::new()),
        };
        let input = match answer {
            Ok(orders) => Input::PollAnswered { poll, orders },
            Err(err) => {
                leptos::logging::warn!("polling the order feed failed: {err}");
                Input::PollFailed { poll }
            }
        };
        if let Some(driver) = weak.upgrade() {
            feed(&driver, input);
        }
    });
}

/// Saves the feed after this change (and any made while saving).
fn save_soon(driver: &Rc<RefCell<Driver>>) {
    let Some(saver) = driver.borrow().saver.clone() else {
        return;
    };
    saver.dirty.set(true);
    if saver.busy.replace(true) {
        return;
    }
    let weak = Rc::downgrade(driver);
    spawn_local(async move {
        while saver.dirty.replace(false) {
            let Some(feed) = weak.upgrade().map(|driver| driver.borrow().to_save()) else {
                break;
            };
            if let Err(err) = saver.store.save(&feed).await {
                leptos::logging::warn!("saving the kitchen's tickets failed: {err}");
            }
        }
        saver.busy.set(false);
    });
}

fn open_socket(driver: &Rc<RefCell<Driver>>, since_id: i64) {
    let location = web_sys::window().map(|window| window.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok());
    let host = location.as_ref().and_then(|l| l.host().ok());
    let url = socket_url(
        protocol.as_deref().unwrap_or("http:"),
        host.as_deref().unwrap_or("localhost"),
        &driver.borrow().outlet_id,
        since_id,
    );
    let generation = {
        let mut state = driver.borrow_mut();
        state.generation += 1;
        state.generation
    };
    let weak = Rc::downgrade(driver);
    let on_open = handler(&weak, generation, |driver, _: Event| {
        if let (Some(socket), Some(token)) = (&driver.borrow().socket, crate::pairing::token()) {
            socket.authenticate(&token);
        }
        Some(Input::SocketOpened)
    });
    let on_message = handler(&weak, generation, |driver, event: MessageEvent| {
        let text = event.data().as_string()?;
        Some(Input::SocketMessage(hear(driver, &text)))
    });
    let on_close = handler(&weak, generation, |_, _: Event| Some(Input::SocketClosed));
    match Socket::open(&url, on_open, on_message, on_close) {
        // Replacing the previous socket drops (detaches and closes) it.
        Some(socket) => driver.borrow_mut().socket = Some(socket),
        None => {
            driver.borrow_mut().socket = None;
            feed(driver, Input::SocketClosed);
        }
    }
}

/// What a frame means to the supervisor, after handing the clock and the
/// menu's changes to whoever needs them.
fn hear(driver: &Rc<RefCell<Driver>>, text: &str) -> Heard {
    let now = js_sys::Date::now();
    let master_data = driver.borrow().outputs.master_data;
    match read_message(text) {
        Incoming::Clock(server) => {
            driver.borrow_mut().set_clock(server, now);
            Heard::Other
        }
        Incoming::Connected(server, seq, message) => {
            driver.borrow_mut().set_clock(server, now);
            master_data.emit(&message);
            Heard::Connected { seq }
        }
        Incoming::MasterData(message) => {
            master_data.emit(&message);
            Heard::Other
        }
        Incoming::Order(order) => Heard::Order(order),
        Incoming::Refused(code, reason) => {
            leptos::logging::warn!("the outlet server refused: {code:?}: {reason}");
            if matches!(code, ErrorCode::Unauthorized | ErrorCode::Forbidden) {
                crate::pairing::refused();
            }
            Heard::Other
        }
        Incoming::Unreadable(reason) => {
            leptos::logging::warn!("ignoring an unreadable message from the server: {reason}");
            Heard::Other
        }
    }
}

/// Wraps `react` as a socket event handler that ignores events of replaced
/// sockets and feeds the input it makes of the event to the supervisor.
fn handler<E>(
    weak: &Weak<RefCell<Driver>>,
    generation: u64,
    react: impl Fn(&Rc<RefCell<Driver>>, E) -> Option<Input> + 'static,
) -> Closure<dyn FnMut(E)>
where
    E: wasm_bindgen::convert::FromWasmAbi + 'static,
{
    let weak = weak.clone();
    Closure::new(move |event: E| {
        let Some(driver) = weak.upgrade() else {
            return;
        };
        if driver.borrow().generation != generation {
            return;
        }
        if let Some(input) = react(&driver, event) {
            feed(&driver, input);
        }
    })
}

/// The clock offset to use after measuring `measured`: the first
/// measurement, or one that differs by a second or more. Smaller
/// differences are network latency noise and would make every timer on
/// the screen jump back and forth.
fn adjusted_offset(current: Option<i64>, measured: i64) -> Option<i64> {
    match current {
        Some(offset) if (offset - measured).abs() < 1_000 => None,
        _ => Some(measured),
    }
}

/// The server's time when this device reads `local_ms` (ms since the epoch).
fn server_time(local_ms: f64, offset_ms: i64) -> Timestamp {
    Timestamp::from_timestamp_millis((local_ms as i64).saturating_add(offset_ms))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kitchen_lives_under_kitchen_and_the_kiosk_everywhere_else() {
        assert_eq!(face_of("/kitchen"), Face::Kitchen);
        assert_eq!(face_of("/kitchen/"), Face::Kitchen);
        assert_eq!(face_of("/kiosk"), Face::Kiosk);
        assert_eq!(face_of("/"), Face::Kiosk);
    }

    #[test]
    fn the_clock_offset_ignores_latency_noise() {
        assert_eq!(adjusted_offset(None, 250), Some(250));
        assert_eq!(adjusted_offset(Some(250), 900), None);
        assert_eq!(adjusted_offset(Some(250), -800), Some(-800));
        assert_eq!(
            server_time(1_800_000_000_000.0, -1_500).timestamp_millis(),
            1_799_999_998_500
        );
    }
}
