//! The kitchen screens: many WebSocket clients of one outlet. Each is
//! connected and waits for its `connected` greeting, then gets a task of its
//! own that reads frames, counts them and reports every `new_order` event to
//! the book with the instant it arrived.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use hdrhistogram::Histogram;
use reqwest::Url;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::book::{Delivery, OrderBook};
use crate::event;
use crate::frames::{self, Kind};
use crate::stats;

/// One client socket.
pub type Socket = frames::Socket<TcpStream>;

/// Handshakes in flight at once: enough to connect 1,000 sockets in well
/// under a second, few enough not to overflow the server's accept backlog.
const CONNECTS_IN_FLIGHT: usize = 64;

/// How long a socket may take to close politely at the end of the run.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// The result of the connect phase.
pub struct Connected {
    /// Sockets that got their `connected` message.
    pub sockets: Vec<Socket>,
    /// Sockets that did not, counted by reason.
    pub failures: BTreeMap<String, usize>,
}

/// Opens `count` sockets to `url`, each sending `token` in its `auth` frame
/// (when given) and waiting for its `connected` message, all by `deadline`.
pub async fn connect_all(
    url: &str,
    token: Option<&str>,
    count: usize,
    deadline: tokio::time::Instant,
) -> Connected {
    let mut connected = Connected {
        sockets: Vec::with_capacity(count),
        failures: BTreeMap::new(),
    };
    let target = match Target::parse(url) {
        Ok(target) => target,
        Err(reason) => {
            connected.failures.insert(reason, count);
            return connected;
        }
    };
    let auth = token.map(|token| serde_json::json!({"type": "auth", "token": token}).to_string());
    let attempts = stream::iter(0..count)
        .map(|_| connect_one(&target, auth.as_deref(), deadline))
        .buffer_unordered(CONNECTS_IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    for attempt in attempts {
        match attempt {
            Ok(socket) => connected.sockets.push(socket),
            Err(reason) => *connected.failures.entry(reason).or_default() += 1,
        }
    }
    connected
}

/// Where the sockets connect, taken apart once.
struct Target {
    /// `host:port`, to connect to and for the `Host` header.
    authority: String,
    /// Path and query of the request line.
    path_and_query: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, String> {
        let url = Url::parse(url).map_err(|e| format!("bad socket URL {url:?}: {e}"))?;
        if url.scheme() != "ws" {
            return Err(format!(
                "the bench's socket client speaks plain ws://, not {}://",
                url.scheme()
            ));
        }
        let host = url.host_str().ok_or("socket URL without a host")?;
        let port = url.port_or_known_default().unwrap_or(80);
        let mut path_and_query = url.path().to_string();
        if let Some(query) = url.query() {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        Ok(Target {
            authority: format!("{host}:{port}"),
            path_and_query,
        })
    }
}

/// Connects one socket and reads up to its `connected` message. Frames
/// after it stay buffered for the reader.
async fn connect_one(
    target: &Target,
    auth: Option<&str>,
    deadline: tokio::time::Instant,
) -> Result<Socket, String> {
    let handshake = async {
        let stream = TcpStream::connect(&target.authority)
            .await
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut socket =
            frames::handshake(stream, &target.authority, &target.path_and_query).await?;
        if let Some(auth) = auth {
            socket.text(auth).await.map_err(|e| e.to_string())?;
        }
        loop {
            match socket.next_frame()? {
                Some((Kind::Text, payload)) => {
                    let text = std::str::from_utf8(socket.payload(payload)).unwrap_or_default();
                    return match event::message_type(text) {
                        Some("connected") => Ok(socket),
                        other => Err(format!("first message was {other:?}, not `connected`")),
                    };
                }
                Some((Kind::Close, _)) => return Err("closed before `connected`".to_string()),
                Some(_) => {}
                None => match socket.fill().await {
                    Ok(0) => return Err("closed before `connected`".to_string()),
                    Ok(_) => {}
                    Err(e) => return Err(e.to_string()),
                },
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
        let _ = tokio::time::timeout(CLOSE_GRACE, close(&mut socket)).await;
    }
    tally
}

/// Sends a close frame and waits for the server's (or the end of stream).
async fn close<S>(socket: &mut frames::Socket<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if socket.close().await.is_err() {
        return;
    }
    loop {
        match socket.next_frame() {
            Ok(Some((Kind::Close, _))) | Err(_) => return,
            Ok(Some(_)) => {}
            Ok(None) => {
                if !matches!(socket.fill().await, Ok(n) if n > 0) {
                    return;
                }
            }
        }
    }
}

/// The reading loop of [`read`], over any byte stream so that it can be
/// tested without a server.
async fn read_frames<S>(
    socket: &mut frames::Socket<S>,
    book: &OrderBook,
    mut stop: watch::Receiver<bool>,
) -> Tally
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut tally = Tally::new();
    // One stop future for the whole loop: re-creating it per read would
    // register and unregister a waiter on a shared list every time.
    let stopped = stop.changed();
    tokio::pin!(stopped);
    // Every frame of one read arrived together; one clock read serves them.
    let mut received = Instant::now();
    loop {
        if let Err(lost) = take_frames(socket, book, &mut tally, received).await {
            tally.lost = Some(lost);
            break;
        }
        tokio::select! {
            biased;
            read = socket.fill() => match read {
                Ok(0) => {
                    tally.lost = Some("closed by the server".to_string());
                    break;
                }
                Ok(_) => received = Instant::now(),
                Err(e) => {
                    tally.lost = Some(e.to_string());
                    break;
                }
            },
            _ = &mut stopped => break,
        }
    }
    tally
}

/// Handles every complete frame read so far; `Err` says why the socket is
/// lost.
async fn take_frames<S>(
    socket: &mut frames::Socket<S>,
    book: &OrderBook,
    tally: &mut Tally,
    received: Instant,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    while let Some((kind, payload)) = socket.next_frame()? {
        match kind {
            Kind::Text => {
                let text = std::str::from_utf8(socket.payload(payload))
                    .map_err(|_| "a text frame is not UTF-8".to_string())?;
                tally.text(book, text, received);
            }
            Kind::Binary => tally.messages += 1,
            Kind::Ping => {
                let payload = socket.payload(payload).to_vec();
                socket
                    .pong(&payload)
                    .await
                    .map_err(|e| format!("answering a ping: {e}"))?;
            }
            Kind::Pong => {}
            Kind::Close => return Err("closed by the server".to_string()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeZone, Utc};
    use ticketrail_protocol::{Order, OrderEventKind, OrderStatus, ServerMessage};
    use tokio::io::{duplex, AsyncWriteExt};
    use uuid::Uuid;

    use super::*;
    use crate::frames::tests::{server_frame, RESPONSE};

    fn new_order(client_order_id: Uuid) -> Vec<u8> {
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
        server_frame(0x1, serde_json::to_string(&event).unwrap().as_bytes())
    }

    #[tokio::test]
    async fn counts_frames_and_reports_a_socket_the_server_closed() {
        let epoch = Instant::now();
        let book = OrderBook::new(epoch, Duration::ZERO, 4);
        book.set_sockets(1);
        let ours = Uuid::new_v4();
        book.ack(book.register(ours, epoch).unwrap());
        let (client, mut server) = duplex(1 << 16);
        let mut bytes = RESPONSE.to_vec();
        bytes.extend(new_order(ours));
        bytes.extend(new_order(Uuid::new_v4()));
        bytes.extend(server_frame(
            0x1,
            br#"{"type":"pong","timestamp":"2026-11-21T10:30:00Z"}"#,
        ));
        bytes.extend(server_frame(0x9, b""));
        bytes.extend(server_frame(0x2, &[1, 2, 3]));
        bytes.extend(server_frame(0x8, &1000u16.to_be_bytes()));
        server.write_all(&bytes).await.unwrap();
        let mut socket = frames::handshake(client, "h", "/").await.unwrap();
        let (_stop, stop_rx) = watch::channel(false);
        let tally = read_frames(&mut socket, &book, stop_rx).await;
        assert_eq!(tally.messages, 4);
        assert_eq!(tally.unknown_orders, 1);
        assert_eq!(tally.per_delivery.len(), 1);
        assert_eq!(tally.lost.as_deref(), Some("closed by the server"));
        assert_eq!(book.outcome().missing, 0);
    }

    #[tokio::test]
    async fn a_socket_whose_stream_ends_is_lost() {
        let book = OrderBook::new(Instant::now(), Duration::ZERO, 1);
        let (client, mut server) = duplex(1 << 16);
        server.write_all(RESPONSE).await.unwrap();
        let mut socket = frames::handshake(client, "h", "/").await.unwrap();
        drop(server);
        let (_stop, stop_rx) = watch::channel(false);
        let tally = read_frames(&mut socket, &book, stop_rx).await;
        assert_eq!(tally.lost.as_deref(), Some("closed by the server"));
    }

    #[tokio::test]
    async fn stops_when_told_and_is_not_lost() {
        let book = OrderBook::new(Instant::now(), Duration::ZERO, 1);
        let (client, mut server) = duplex(1 << 16);
        server.write_all(RESPONSE).await.unwrap();
        let mut socket = frames::handshake(client, "h", "/").await.unwrap();
        let (stop, stop_rx) = watch::channel(false);
        let reader = read_frames(&mut socket, &book, stop_rx);
        let (tally, sent) = tokio::join!(reader, async { stop.send(true) });
        assert!(sent.is_ok());
        assert_eq!(tally.messages, 0);
        assert_eq!(tally.lost, None);
        drop(server);
    }

    #[test]
    fn takes_a_ws_url_apart() {
        let target = Target::parse("ws://127.0.0.1:9/ws/outlet/1/?since_id=0").unwrap();
        assert_eq!(target.authority, "127.0.0.1:9");
        assert_eq!(target.path_and_query, "/ws/outlet/1/?since_id=0");
        assert!(Target::parse("wss://kds.example/ws/outlet/1/").is_err());
    }
}
