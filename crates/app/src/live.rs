//! The screen's live link to its outlet: one WebSocket per tab
//! (`/ws/outlet/{id}/?since_id=N`) feeding the outlet's order snapshots and
//! the connection state every page shows, and handing the menu's changes
//! (`product:*`, `category:*`, `promotion:*`, and each `connected` with the
//! server's master version) to whoever keeps the menu (see [`listeners`]).
//!
//! Created once by the app root and shared through context, so the kiosk's
//! order-status view and the kitchen display read the same feed.
//!
//! The decisions (when to open, retry, ping or give up on a socket, what the
//! indicator says) live in the pure [`link`] state machine; which messages
//! to apply lives in plain functions below. What is left here is the browser
//! glue: a `WebSocket`, its event handlers and a half-second timer that
//! drives the state machine. Every reconnect asks for `since_id` = the
//! highest seq applied, so the server's catch-up fills whatever happened
//! while the socket was down, and the [`FeedCursor`] drops what was already
//! seen.

mod link;
mod listeners;

use std::{cell::RefCell, collections::BTreeMap, rc::Rc, time::Duration};

use leptos::{ev, prelude::*};
use ticketrail_core::{tickets::merge_snapshot, FeedCursor, Offer};
use ticketrail_protocol::{Order, ServerMessage, Timestamp};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Event, MessageEvent, WebSocket};

use link::{Action, Link};
use listeners::MasterDataListeners;

/// How the screen is connected right now, as the indicator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// First attempt in progress, nothing known yet.
    Connecting,
    /// The socket is open and answering.
    Live,
    /// The socket dropped; trying again.
    Reconnecting,
    /// Nothing has answered for a while.
    Offline,
}

/// The outlet's live order feed, cheap to copy into components.
#[derive(Debug, Clone, Copy)]
pub struct LiveFeed {
    /// The state for the connection indicator.
    pub connection: ReadSignal<Connection>,
    /// Latest snapshot of every order seen, by order id (highest `seq` wins).
    pub orders: ReadSignal<BTreeMap<String, Order>>,
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

/// How often the state machine is driven: fine enough for a 1 s first retry.
const TICK: Duration = Duration::from_millis(500);

/// Opens the outlet's feed and keeps it open for the life of the page.
pub fn connect(outlet_id: String) -> LiveFeed {
    let (connection, set_connection) = signal(Connection::Connecting);
    let (orders, set_orders) = signal(BTreeMap::new());
    let (clock_offset_ms, set_clock_offset) = signal(0);
    let master_data = MasterDataListeners::default();
    let driver = Rc::new(RefCell::new(Driver {
        outlet_id,
        link: Link::new(js_sys::Date::now()),
        cursor: FeedCursor::default(),
        socket: None,
        generation: 0,
        shown: Connection::Connecting,
        clock_offset: None,
        set_connection,
        set_orders,
        set_clock_offset,
        master_data,
    }));

    let ticking = Rc::clone(&driver);
    let tick = move || {
        let actions = ticking
            .borrow_mut()
            .link
            .tick(js_sys::Date::now(), js_sys::Math::random());
        perform(&ticking, actions);
    };
    tick();
    set_interval(tick, TICK);

    let online = Rc::clone(&driver);
    // The listener lives as long as the page, like the feed.
    let _listener = window_event_listener(ev::online, move |_| {
        let actions = online.borrow_mut().link.online(js_sys::Date::now());
        perform(&online, actions);
    });

    LiveFeed {
        connection,
        orders,
        clock_offset_ms,
        master_data,
    }
}

/// Everything the socket glue keeps between events.
struct Driver {
    outlet_id: String,
    link: Link,
    cursor: FeedCursor,
    /// The current socket; a closed one stays here until the next attempt
    /// replaces it, because dropping it from inside its own close handler
    /// would free the handler while it runs.
    socket: Option<Socket>,
    /// Bumped per socket, so events of a replaced socket are ignored.
    generation: u64,
    /// What the indicator shows, to notify only on a change.
    shown: Connection,
    clock_offset: Option<i64>,
    set_connection: WriteSignal<Connection>,
    set_orders: WriteSignal<BTreeMap<String, Order>>,
    set_clock_offset: WriteSignal<i64>,
    master_data: MasterDataListeners,
}

impl Driver {
    fn set_clock(&mut self, server: Timestamp, now: f64) {
        let measured = server.timestamp_millis() - now as i64;
        if let Some(offset) = adjusted_offset(self.clock_offset, measured) {
            self.clock_offset = Some(offset);
            self.set_clock_offset.set(offset);
        }
    }

    fn publish_connection(&mut self, now: f64) {
        let state = self.link.connection(now);
        if state != self.shown {
            self.shown = state;
            self.set_connection.set(state);
        }
    }

    fn receive(&mut self, text: &str, now: f64) {
        self.link.heard(now);
        match read_message(text) {
            Incoming::Clock(server) => self.set_clock(server, now),
            Incoming::Connected(server, message) => {
                self.set_clock(server, now);
                self.master_data.emit(&message);
            }
            Incoming::MasterData(message) => self.master_data.emit(&message),
            Incoming::Order(order) => {
                if self.cursor.offer(order.seq) == Offer::Apply {
                    self.set_orders.update(|orders| {
                        merge_snapshot(orders, &order);
                    });
                }
            }
            Incoming::Refused(reason) => {
                leptos::logging::warn!("the outlet server refused a message: {reason}");
            }
            Incoming::Unreadable(reason) => {
                leptos::logging::warn!("ignoring an unreadable message from the server: {reason}");
            }
        }
    }
}

/// A socket and the handlers that must live exactly as long as it does.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(Event)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Detach first: a late event must never reach a freed handler.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        // Closing an already-closed socket is a no-op; nothing to report.
        let _ = self.ws.close();
    }
}

fn perform(driver: &Rc<RefCell<Driver>>, actions: Vec<Action>) {
    for action in actions {
        match action {
            Action::Open => open_socket(driver),
            Action::Close => driver.borrow_mut().socket = None,
            Action::Ping => {
                if let Some(socket) = &driver.borrow().socket {
                    // A failed send means the socket is going away; its
                    // close event (or the silence limit) handles that.
                    let _ = socket.ws.send_with_str(PING);
                }
            }
        }
    }
    driver.borrow_mut().publish_connection(js_sys::Date::now());
}

/// `{"type":"ping"}`.
const PING: &str = r#"{"type":"ping"}"#;

fn open_socket(driver: &Rc<RefCell<Driver>>) {
    let location = web_sys::window().map(|window| window.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok());
    let host = location.as_ref().and_then(|l| l.host().ok());
    let mut state = driver.borrow_mut();
    let url = socket_url(
        protocol.as_deref().unwrap_or("http:"),
        host.as_deref().unwrap_or("localhost"),
        &state.outlet_id,
        state.cursor.since(),
    );
    let ws = match WebSocket::new(&url) {
        Ok(ws) => ws,
        Err(_) => {
            state
                .link
                .closed(js_sys::Date::now(), js_sys::Math::random());
            return;
        }
    };
    state.generation += 1;
    let generation = state.generation;
    let weak = Rc::downgrade(driver);

    let on_open = handler(&weak, generation, |driver, _: Event, now| {
        driver.link.opened(now)
    });
    let on_message = handler(&weak, generation, |driver, event: MessageEvent, now| {
        if let Some(text) = event.data().as_string() {
            driver.receive(&text, now);
        }
    });
    let on_close = handler(&weak, generation, |driver, _: Event, now| {
        driver.link.closed(now, js_sys::Math::random())
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // Replacing the previous socket drops (detaches and closes) it.
    state.socket = Some(Socket {
        ws,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    });
}

/// Wraps `react` as a socket event handler that ignores events of replaced
/// sockets and updates the indicator afterwards.
fn handler<E>(
    weak: &std::rc::Weak<RefCell<Driver>>,
    generation: u64,
    react: impl Fn(&mut Driver, E, f64) + 'static,
) -> Closure<dyn FnMut(E)>
where
    E: wasm_bindgen::convert::FromWasmAbi + 'static,
{
    let weak = weak.clone();
    Closure::new(move |event: E| {
        let Some(driver) = weak.upgrade() else {
            return;
        };
        let mut driver = driver.borrow_mut();
        if driver.generation != generation {
            return;
        }
        let now = js_sys::Date::now();
        react(&mut driver, event, now);
        driver.publish_connection(now);
    })
}

/// What a text frame from the server means to the feed.
#[derive(Debug, PartialEq)]
enum Incoming {
    /// The server's clock (`pong`).
    Clock(Timestamp),
    /// `connected`: the server's clock, and the message for the menu's
    /// listeners (its master version).
    Connected(Timestamp, Box<ServerMessage>),
    /// An order snapshot.
    Order(Box<Order>),
    /// A menu change, for the menu's listeners.
    MasterData(Box<ServerMessage>),
    /// The server's `error` frame about something this client sent.
    Refused(String),
    /// Not a message of the contract.
    Unreadable(String),
}

fn read_message(text: &str) -> Incoming {
    match serde_json::from_str::<ServerMessage>(text) {
        Ok(ServerMessage::Pong { timestamp }) => Incoming::Clock(timestamp),
        Ok(message @ ServerMessage::Connected { timestamp, .. }) => {
            Incoming::Connected(timestamp, Box::new(message))
        }
        Ok(ServerMessage::Error { code, message }) => {
            Incoming::Refused(format!("{code:?}: {message}"))
        }
        Ok(message) => match message.as_order_event() {
            Some((_, event)) => Incoming::Order(Box::new(event.order.clone())),
            // Every other message of the contract is a master-data event.
            None => Incoming::MasterData(Box::new(message)),
        },
        Err(err) => Incoming::Unreadable(err.to_string()),
    }
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

/// `ws://host/ws/outlet/{id}/?since_id=N`, `wss://` when the page came over
/// `https:`.
fn socket_url(page_protocol: &str, host: &str, outlet_id: &str, since: i64) -> String {
    let scheme = if page_protocol == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!(
        "{scheme}://{host}/ws/outlet/{}/?since_id={since}",
        encode_component(outlet_id)
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ticketrail_protocol::ClientMessage;

    #[test]
    fn the_socket_url_follows_the_page_and_escapes_the_outlet() {
        assert_eq!(
            socket_url("http:", "127.0.0.1:8080", "1", 0),
            "ws://127.0.0.1:8080/ws/outlet/1/?since_id=0"
        );
        assert_eq!(
            socket_url("https:", "kds.example", "out let/ü", 458),
            "wss://kds.example/ws/outlet/out%20let%2F%C3%BC/?since_id=458"
        );
    }

    #[test]
    fn the_ping_is_the_contract_client_message() {
        assert_eq!(serde_json::to_string(&ClientMessage::Ping).unwrap(), PING);
    }

    #[test]
    fn messages_are_sorted_into_clock_orders_menu_changes_and_the_rest() {
        let connected = r#"{"type":"connected","outlet_id":"1","seq":4,"master_version":2,"timestamp":"2026-11-21T10:30:00Z"}"#;
        let Incoming::Connected(at, message) = read_message(connected) else {
            panic!("connected carries the server clock");
        };
        assert_eq!(at.to_rfc3339(), "2026-11-21T10:30:00+00:00");
        assert!(
            matches!(
                *message,
                ServerMessage::Connected {
                    master_version: 2,
                    ..
                }
            ),
            "and goes to the menu's listeners whole"
        );
        assert!(matches!(
            read_message(r#"{"type":"pong","timestamp":"2026-11-21T10:30:00Z"}"#),
            Incoming::Clock(_)
        ));
        assert!(matches!(
            read_message(r#"{"type":"error","code":"bad_request","message":"no"}"#),
            Incoming::Refused(_)
        ));
        let Incoming::MasterData(deleted) = read_message(
            r#"{"type":"product:deleted","version":3,"product_id":"p-1","timestamp":"2026-11-21T10:30:00Z"}"#,
        ) else {
            panic!("a menu change is handed on");
        };
        assert_eq!(deleted.master_version(), Some(3));
        assert!(matches!(read_message("not json"), Incoming::Unreadable(_)));
        assert!(matches!(
            read_message(r#"{"type":"teleport"}"#),
            Incoming::Unreadable(_)
        ));
    }

    #[test]
    fn order_events_yield_their_snapshot() {
        let event = r#"{"type":"kitchen_status_changed","seq":9,"timestamp":"2026-11-21T10:31:00Z",
            "order":{"id":"7","client_order_id":"c","order_number":"042","outlet_id":"1",
            "status":"preparing","items":[],"total_amount":0,"currency":"IDR","seq":9,
            "placed_at":"2026-11-21T10:30:00Z","created_at":"2026-11-21T10:30:00Z",
            "updated_at":"2026-11-21T10:31:00Z"}}"#;
        let Incoming::Order(order) = read_message(event) else {
            panic!("an order event carries its order");
        };
        assert_eq!((order.id.as_str(), order.seq), ("7", 9));
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
