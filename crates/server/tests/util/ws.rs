//! WebSocket client helpers: connect to an outlet socket and read the next
//! application message with a deadline, skipping control frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use ticketrail_protocol::ws::OrderEvent;
use ticketrail_protocol::ServerMessage;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::server::Server;

/// How long one expected message may take to arrive.
pub const STEP: Duration = Duration::from_secs(10);

/// What the next read produced.
#[derive(Debug)]
pub enum Incoming {
    /// A text frame, parsed as JSON (`Null` if it was not JSON) plus its raw text.
    Text(Value, String),
    /// A close frame, the end of the stream or a transport error.
    Closed(String),
}

/// A connected outlet socket.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// The path of an outlet socket.
pub fn ws_path(outlet_id: &str, since_id: Option<i64>) -> String {
    match since_id {
        Some(n) => format!("/ws/outlet/{outlet_id}/?since_id={n}"),
        None => format!("/ws/outlet/{outlet_id}/"),
    }
}

impl Ws {
    /// Tries to open `path` on `server`.
    pub async fn try_connect(server: &Server, path: &str) -> Result<Ws, tungstenite::Error> {
        let url = server.ws_url(path);
        let (stream, _) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| tungstenite::Error::ConnectionClosed)??;
        Ok(Ws { stream })
    }

    /// Opens the outlet socket and authenticates with the admin token;
    /// panics if the handshake fails.
    pub async fn connect(server: &Server, outlet_id: &str, since_id: Option<i64>) -> Ws {
        Self::connect_as(server, server.admin_token(), outlet_id, since_id).await
    }

    /// Opens the outlet socket and sends `token` in its `auth` frame.
    pub async fn connect_as(
        server: &Server,
        token: &str,
        outlet_id: &str,
        since_id: Option<i64>,
    ) -> Ws {
        let path = ws_path(outlet_id, since_id);
        let mut ws = match Self::try_connect(server, &path).await {
            Ok(ws) => ws,
            Err(e) => panic!(
                "connect {path}: {e:?}\n--- server log ---\n{}",
                server.log()
            ),
        };
        ws.send_text(&serde_json::json!({"type": "auth", "token": token}).to_string())
            .await;
        ws
    }

    /// Opens the socket and reads its `connected` message, returning it.
    pub async fn connect_ready(
        server: &Server,
        outlet_id: &str,
        since_id: Option<i64>,
    ) -> (Ws, Value) {
        let mut ws = Self::connect(server, outlet_id, since_id).await;
        let first = ws.next_value().await;
        assert_eq!(first["type"], "connected", "first message: {first}");
        (ws, first)
    }

    /// Reads the next text frame or the end of the socket, within `within`;
    /// `None` if nothing arrived in time. Ping/pong frames are skipped (the
    /// library answers pings itself).
    pub async fn read(&mut self, within: Duration) -> Option<Incoming> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()?;
            return Some(match next {
                Some(Ok(Message::Text(text))) => {
                    let raw = text.as_str().to_owned();
                    Incoming::Text(serde_json::from_str(&raw).unwrap_or(Value::Null), raw)
                }
                Some(Ok(Message::Close(frame))) => Incoming::Closed(format!("close {frame:?}")),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Binary(b))) => {
                    panic!("unexpected binary frame ({} bytes)", b.len())
                }
                Some(Err(e)) => Incoming::Closed(format!("error {e}")),
                None => Incoming::Closed("end of stream".into()),
            });
        }
    }

    /// The next text message as JSON; panics on close or after [`STEP`].
    pub async fn next_value(&mut self) -> Value {
        match self.read(STEP).await {
            Some(Incoming::Text(value, raw)) => {
                assert!(
                    !value.is_null(),
                    "server sent a non-JSON text frame: {raw:?}"
                );
                value
            }
            Some(Incoming::Closed(why)) => panic!("socket closed while waiting: {why}"),
            None => panic!("no message within {STEP:?}"),
        }
    }

    /// The next message, also parsed as the contract's [`ServerMessage`].
    pub async fn next_msg(&mut self) -> (Value, ServerMessage) {
        let value = self.next_value().await;
        let msg = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("message does not match the contract ({e}): {value}"));
        (value, msg)
    }

    /// The next message, which must be an order event; returns its type and event.
    pub async fn next_order_event(&mut self) -> (String, OrderEvent) {
        let (value, msg) = self.next_msg().await;
        let (_, event) = msg
            .as_order_event()
            .unwrap_or_else(|| panic!("expected an order event, got {value}"));
        let kind = value["type"].as_str().unwrap_or_default().to_owned();
        (kind, event.clone())
    }

    /// Reads messages until one satisfies `done`; returns all of them, the
    /// matching one last.
    pub async fn read_until(&mut self, mut done: impl FnMut(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let value = self.next_value().await;
            let stop = done(&value);
            seen.push(value);
            if stop {
                return seen;
            }
        }
    }

    /// Waits for the socket to be closed by the server within `within`,
    /// returning the text messages that came before the close.
    pub async fn expect_closed(&mut self, within: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(left).await {
                Some(Incoming::Text(value, _)) => before.push(value),
                Some(Incoming::Closed(_)) => return before,
                None => panic!("socket still open after {within:?}; got {before:?}"),
            }
        }
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.stream
            .send(Message::text(text.into()))
            .await
            .expect("send text frame");
    }

    /// Sends `{"type": "ping"}` and returns the `pong` answer.
    pub async fn ping(&mut self) -> Value {
        self.send_text(r#"{"type":"ping"}"#).await;
        let pong = self.next_value().await;
        assert_eq!(pong["type"], "pong", "answer to ping: {pong}");
        pong
    }

    /// Closes the socket politely.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
