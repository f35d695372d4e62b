//! The kitchen screens: many WebSocket clients of one outlet. Each is
//! connected and waits for its `connected` greeting, then gets a task of its
//! own that reads frames, counts them and reports every `new_order` event to
//! the book with the instant it arrived.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream, StreamExt};
use hdrhistogram::Histogram;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::book::{Delivery, OrderBook};
use crate::event;
use crate::stats;

/// One client socket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Handshakes in flight at once: enough to connect 1,000 sockets in well
/// under a second, few enough not to overflow the server's accept backlog.
const CONNECTS_IN_FLIGHT: usize = 64;

/// Read buffer per socket. tungstenite zeroes the free part of it before
/// every read call, which made its 128 KiB default the bench's hottest
/// function (and 128 MiB at 1,000 sockets); 8 KiB still takes several
/// queued events (about 1 KiB each) per call.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// How long a socket may take to close politely at the end of the run.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// The result of the connect phase.
pub struct Connected {
    /// Sockets that got their `connected` message.
    pub sockets: Vec<Socket>,
    /// Sockets that did not, counted by reason.
    pub failures: BTreeMap<String, usize>,
}

/// Opens `count` sockets to `url`, each waiting for its `connected` message,
/// all by `deadline`.
pub async fn connect_all(url: &str, count: usize, deadline: tokio::time::Instant) -> Connected {
    let attempts = stream::iter(0..count)
        .map(|_| connect_one(url, deadline))
        .buffer_unordered(CONNECTS_IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let mut connected = Connected {
        sockets: Vec::with_capacity(count),
        failures: BTreeMap::new(),
    };
    for attempt in attempts {
        match attempt {
            Ok(socket) => connected.sockets.push(socket),
            Err(reason) => *connected.failures.entry(reason).or_default() += 1,
        }
    }
    connected
}

/// Connects one socket and reads up to its `connected` message.
async fn connect_one(url: &str, deadline: tokio::time::Instant) -> Result<Socket, String> {
    let handshake = async {
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
        let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .map_err(|e| e.to_string())?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    return match event::message_type(&text) {
                        Some("connected") => Ok(socket),
                        other => Err(format!("first message was {other:?}, not `connected`")),
                    };
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Err("closed before `connected`".to_string())
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
            }
        }
    };
    tokio::time::timeout_at(deadline, handshake)
        .await
        .unwrap_or_else(|_| Err("no `connected` message before the deadline".to_string()))
}

/// What one socket saw over the run.
#[derive(Debug)]
pub struct Tally {
    /// Frames with a payload (text or binary), of any kind.
    pub messages: u64,
    /// `new_order` events for orders the bench did not post.
    pub unknown_orders: u64,
    /// Receipt minus POST start of each measured order, in microseconds.
    pub per_delivery: Histogram<u64>,
    /// Why the socket ended before the run did, if it did.
    pub lost: Option<String>,
}

impl Tally {
    fn new() -> Self {
        Self {
            messages: 0,
            unknown_orders: 0,
            per_delivery: stats::new_histogram(),
            lost: None,
        }
    }

    fn text(&mut self, book: &OrderBook, text: &str, received: Instant) {
        self.messages += 1;
        let Some(client_order_id) = event::new_order_client_id(text) else {
            return;
        };
        match book.deliver(client_order_id, received) {
            Delivery::Unknown => self.unknown_orders += 1,
            Delivery::Counted { latency: None } => {}
            Delivery::Counted {
                latency: Some(latency),
            } => stats::record_micros(&mut self.per_delivery, latency),
        }
    }
}

/// Reads `socket` until `stop` changes (or its sender is dropped), then
/// closes it.
pub async fn read(mut socket: Socket, book: Arc<OrderBook>, stop: watch::Receiver<bool>) -> Tally {
    let tally = read_frames(&mut socket, &book, stop).await;
    if tally.lost.is_none() {
        // A polite close keeps the server's log free of reset warnings; a
        // server that does not answer in time is not this bench's concern.
        let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
    }
    tally
}

/// The reading loop of [`read`], over any stream of frames so that it can be
/// tested without a server.
async fn read_frames<S>(frames: &mut S, book: &OrderBook, mut stop: watch::Receiver<bool>) -> Tally
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let mut tally = Tally::new();
    // One stop future for the whole loop: re-creating it per frame would
    // register and unregister a waiter on a shared list for every frame.
    let stopped = stop.changed();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            biased;
            next = frames.next() => match next {
                Some(Ok(Message::Text(text))) => tally.text(book, &text, Instant::now()),
                Some(Ok(Message::Binary(_))) => tally.messages += 1,
                Some(Ok(Message::Close(_))) | None => {
                    tally.lost = Some("closed by the server".to_string());
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tally.lost = Some(e.to_string());
                    break;
                }
            },
            _ = &mut stopped => break,
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeZone, Utc};
    use futures_util::stream;
    use ticketrail_protocol::{Order, OrderEventKind, OrderStatus, ServerMessage};
    use uuid::Uuid;

    use super::*;

    fn new_order(client_order_id: Uuid) -> Message {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap();
        let order = Order {
            id: "1".into(),
            client_order_id: client_order_id.to_string(),
            order_number: "A-001".into(),
            outlet_id: "1".into(),
            status: OrderStatus::Pending,
            items: Vec::new(),
            total_amount: 0,
            currency: "IDR".into(),
            seq: 1,
            placed_at: at,
            created_at: at,
            updated_at: at,
        };
        let event = ServerMessage::order_event(OrderEventKind::NewOrder, order, at);
        Message::text(serde_json::to_string(&event).unwrap())
    }

    #[tokio::test]
    async fn counts_frames_and_reports_a_socket_the_server_closed() {
        let epoch = Instant::now();
        let book = OrderBook::new(epoch, Duration::ZERO, 4);
        book.set_sockets(1);
        let ours = Uuid::new_v4();
        book.ack(book.register(ours, epoch).unwrap());
        let frames = vec![
            Ok(new_order(ours)),
            Ok(new_order(Uuid::new_v4())),
            Ok(Message::text(
                r#"{"type":"pong","timestamp":"2026-11-21T10:30:00Z"}"#,
            )),
            Ok(Message::Ping(Vec::new().into())),
            Ok(Message::binary(vec![1, 2, 3])),
        ];
        let (_stop, stop_rx) = watch::channel(false);
        let tally = read_frames(&mut stream::iter(frames), &book, stop_rx).await;
        assert_eq!(tally.messages, 4);
        assert_eq!(tally.unknown_orders, 1);
        assert_eq!(tally.per_delivery.len(), 1);
        assert_eq!(tally.lost.as_deref(), Some("closed by the server"));
        assert_eq!(book.outcome().missing, 0);
    }

    #[tokio::test]
    async fn stops_when_told_and_is_not_lost() {
        let book = OrderBook::new(Instant::now(), Duration::ZERO, 1);
        let (stop, stop_rx) = watch::channel(false);
        let mut silent = stream::pending::<Result<Message, WsError>>();
        let reader = read_frames(&mut silent, &book, stop_rx);
        let (tally, sent) = tokio::join!(reader, async { stop.send(true) });
        assert!(sent.is_ok());
        assert_eq!(tally.messages, 0);
        assert_eq!(tally.lost, None);
    }
}
