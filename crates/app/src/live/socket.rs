//! The outlet socket: its URL, the handlers tied to its life, and what
//! each text frame from the server means to the feed.

use ticketrail_protocol::{ClientMessage, ErrorCode, Order, ServerMessage, Timestamp};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Event, MessageEvent, WebSocket};

/// A socket and the handlers that must live exactly as long as it does.
pub(super) struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(Event)>,
}

impl Socket {
    /// Opens `url` with the three handlers attached.
    pub(super) fn open(
        url: &str,
        on_open: Closure<dyn FnMut(Event)>,
        on_message: Closure<dyn FnMut(MessageEvent)>,
        on_close: Closure<dyn FnMut(Event)>,
    ) -> Option<Self> {
        let ws = WebSocket::new(url).ok()?;
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Some(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends `{"type":"ping"}`. A failed send means the socket is going
    /// away; its close event (or the silence limit) handles that.
    pub(super) fn ping(&self) {
        let _ = self.ws.send_with_str(PING);
    }

    /// Sends the `auth` frame, the first thing the server reads. A failed
    /// send is handled like a failed ping.
    pub(super) fn authenticate(&self, token: &str) {
        let auth = ClientMessage::Auth {
            token: token.to_owned(),
        };
        if let Ok(text) = serde_json::to_string(&auth) {
            let _ = self.ws.send_with_str(&text);
        }
    }
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

/// `{"type":"ping"}`.
const PING: &str = r#"{"type":"ping"}"#;

/// What a text frame from the server means to the feed.
#[derive(Debug, PartialEq)]
pub(super) enum Incoming {
    /// The server's clock (`pong`).
    Clock(Timestamp),
    /// `connected`: the server's clock and current seq, and the message
    /// for the menu's listeners (its master version).
    Connected(Timestamp, i64, Box<ServerMessage>),
    /// An order snapshot.
    Order(Box<Order>),
    /// A menu change, for the menu's listeners.
    MasterData(Box<ServerMessage>),
    /// The server's `error` frame: its code and text.
    Refused(ErrorCode, String),
    /// Not a message of the contract.
    Unreadable(String),
}

pub(super) fn read_message(text: &str) -> Incoming {
    match serde_json::from_str::<ServerMessage>(text) {
        Ok(ServerMessage::Pong { timestamp }) => Incoming::Clock(timestamp),
        Ok(message @ ServerMessage::Connected { timestamp, seq, .. }) => {
            Incoming::Connected(timestamp, seq, Box::new(message))
        }
        Ok(ServerMessage::Error { code, message }) => Incoming::Refused(code, message),
        Ok(message) => match message.as_order_event() {
            Some((_, event)) => Incoming::Order(Box::new(event.order.clone())),
            // Every other message of the contract is a master-data event.
            None => Incoming::MasterData(Box::new(message)),
        },
        Err(err) => Incoming::Unreadable(err.to_string()),
    }
}

/// `ws://host/ws/outlet/{id}/?since_id=N`, `wss://` when the page came over
/// `https:`.
pub(super) fn socket_url(page_protocol: &str, host: &str, outlet_id: &str, since: i64) -> String {
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
        let connected = r#"{"type":"connected","protocol":2,"outlet_id":"1","seq":4,"master_version":2,"timestamp":"2026-11-21T10:30:00Z"}"#;
        let Incoming::Connected(at, seq, message) = read_message(connected) else {
            panic!("connected carries the server clock");
        };
        assert_eq!(at.to_rfc3339(), "2026-11-21T10:30:00+00:00");
        assert_eq!(seq, 4, "and the server's current seq");
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
            read_message(r#"{"type":"error","code":"unauthorized","message":"pair again"}"#),
            Incoming::Refused(ErrorCode::Unauthorized, _)
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
}
