//! One outlet socket from upgrade to close, written against any
//! `Sink`/`Stream` of WebSocket messages so it is unit-tested over channels.
//!
//! No gaps, no duplicates: the session subscribed to the hub before it
//! reads the outlet's seq and the database, so every change is either in
//! the catch-up it reads or among the live events buffered behind it (or
//! both). It remembers the highest order seq and master version it has
//! sent and skips anything at or below them. If it falls so far behind that
//! the hub drops events for it, it catches up from the database again
//! instead of losing them.

use std::convert::Infallible;
use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes};
use chrono::Utc;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use ticketrail_protocol::validate::parse_client_message;
use ticketrail_protocol::{
    ClientMessage, ErrorCode, ServerMessage, MAX_BODY_BYTES, PROTOCOL_VERSION,
};
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::admit;
use crate::access::{Access, Principal, SocketGuard};
use crate::config::SocketTiming;
use crate::events::{Batch, Event, Hub};
use crate::orders::RECENTLY_CLOSED;
use crate::store::{FeedScope, Outlet, Store};

/// Orders read per catch-up query.
const CATCH_UP_PAGE: u32 = 256;
/// Most live events written before one flush.
const MAX_BURST: usize = 256;
/// Least time between two flushes of live events. A socket that has just
/// flushed leaves further events queued in the hub for this long, then
/// writes them all with one syscall; an event that arrives after a quiet
/// spell goes out at once. Under load this bounds the wake-ups and syscalls
/// per socket (50/s) whatever the order rate, for at most this much delay;
/// with a thousand sockets per outlet those, not the bytes, are what the
/// fan-out costs (measured: ~4 µs of server CPU per socket flush).
const COALESCE: Duration = Duration::from_millis(20);

/// Everything a socket needs; built by the upgrade handler. Nothing is
/// sent before the client's `auth` frame admits it (see `admit`).
pub struct Session {
    /// The outlet named in the address.
    pub outlet_id: String,
    /// For catch-up reads.
    pub store: Store,
    /// Where the outlet's events come from.
    pub hub: Hub,
    /// Checks the `auth` frame's token.
    pub access: Arc<Access>,
    /// The client's cursor, if it sent one.
    pub since_id: Option<i64>,
    /// Ping interval and idle timeout.
    pub timing: SocketTiming,
    /// Cancelled when the server shuts down.
    pub shutdown: CancellationToken,
}

/// An admitted socket.
struct Live {
    /// The outlet's events, subscribed before anything was read.
    events: broadcast::Receiver<Batch>,
    /// The socket's outlet.
    outlet: Arc<Outlet>,
    /// The credential it was admitted with; revoking it closes the socket.
    principal: Arc<Principal>,
    /// Counts this socket as the credential's while it is open.
    _online: SocketGuard,
    store: Store,
    since_id: Option<i64>,
    timing: SocketTiming,
    shutdown: CancellationToken,
}

/// Why a session ended.
#[derive(Debug)]
pub(super) enum End {
    ClientClosed,
    ClientGone(String),
    Idle,
    Oversize,
    Revoked,
    Shutdown,
    HubClosed,
    SendFailed(String),
    StoreFailed(String),
}

impl Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ClientClosed => f.write_str("client closed the socket"),
            Self::ClientGone(why) => write!(f, "connection lost: {why}"),
            Self::Idle => f.write_str("idle timeout"),
            Self::Oversize => f.write_str("client sent an oversize frame"),
            Self::Revoked => f.write_str("its credential was revoked"),
            Self::Shutdown => f.write_str("server shutting down"),
            Self::HubClosed => f.write_str("event hub closed"),
            Self::SendFailed(why) => write!(f, "sending failed: {why}"),
            Self::StoreFailed(why) => write!(f, "catch-up read failed: {why}"),
        }
    }
}

/// What the session has sent so far.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    seq: i64,
    master_version: i64,
}

impl Cursor {
    /// Whether `event` is new to this socket; moves the cursor past it.
    fn admit(&mut self, event: &Event) -> bool {
        if let Some(seq) = event.order_seq {
            if seq <= self.seq {
                return false;
            }
            self.seq = seq;
        }
        if let Some(version) = event.master_version {
            if version <= self.master_version {
                return false;
            }
            self.master_version = version;
        }
        true
    }
}

impl Session {
    /// Admits the socket by its `auth` frame, then runs it until it closes,
    /// then closes the sink.
    pub async fn run<W, R, E>(self, mut sink: W, mut stream: R)
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: Display,
    {
        let outlet_id = self.outlet_id.clone();
        let admitted = admit::admit(
            admit::Gate {
                outlet_id: &self.outlet_id,
                store: &self.store,
                access: &self.access,
                shutdown: &self.shutdown,
            },
            &mut sink,
            &mut stream,
        )
        .await;
        match admitted {
            Ok((outlet, principal)) => {
                // Subscribed before the seq and the database are read:
                // see the module docs.
                let live = Live {
                    events: self.hub.subscribe(&outlet.id),
                    _online: principal.socket_opened(),
                    outlet,
                    principal,
                    store: self.store,
                    since_id: self.since_id,
                    timing: self.timing,
                    shutdown: self.shutdown,
                };
                live.run(sink, stream).await;
            }
            Err(why) => {
                tracing::debug!(outlet = %outlet_id, why, "socket not admitted");
                let _ = sink.close().await;
            }
        }
    }
}

impl Live {
    async fn run<W, R, E>(mut self, mut sink: W, mut stream: R)
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: Display,
    {
        let Err(end) = self.drive(&mut sink, &mut stream).await;
        match &end {
            End::SendFailed(_) | End::ClientGone(_) | End::ClientClosed | End::Shutdown => {
                tracing::debug!(outlet = %self.outlet.id, %end, "socket closed");
            }
            _ => tracing::info!(outlet = %self.outlet.id, %end, "socket closed"),
        }
        let _ = sink.close().await;
    }

    async fn drive<W, R, E>(&mut self, sink: &mut W, stream: &mut R) -> Result<Infallible, End>
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: Display,
    {
        let current_seq = self.outlet.seq();
        let mut cursor = Cursor {
            seq: current_seq,
            master_version: self.store.master_version(),
        };
        let connected = ServerMessage::Connected {
            protocol: PROTOCOL_VERSION,
            outlet_id: self.outlet.id.clone(),
            seq: current_seq,
            master_version: cursor.master_version,
            timestamp: Utc::now(),
        };
        send(sink, encode(&connected)?).await?;
        if let Some(since) = self.since_id {
            // A cursor from the future (another database) cannot be caught
            // up from; start it at the present so new events still flow.
            cursor.seq = since.min(current_seq);
            let scope = if since == 0 {
                FeedScope::Board {
                    closed_since: Utc::now() - RECENTLY_CLOSED,
                }
            } else {
                FeedScope::Changes
            };
            self.catch_up(sink, &mut cursor, scope).await?;
        }
        let idle = tokio::time::sleep(self.timing.idle_timeout);
        tokio::pin!(idle);
        let mut ping = tokio::time::interval_at(
            Instant::now() + self.timing.ping_every,
            self.timing.ping_every,
        );
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // While `holding`, live events wait in the hub (see COALESCE).
        let hold = tokio::time::sleep(Duration::ZERO);
        tokio::pin!(hold);
        let mut holding = false;
        loop {
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => {
                    close(sink, close_code::AWAY, "server shutting down").await;
                    return Err(End::Shutdown);
                }
                () = self.principal.revoked() => {
                    admit::refuse(sink, ErrorCode::Unauthorized, "this screen was unpaired; pair it again").await;
                    return Err(End::Revoked);
                }
                received = self.events.recv(), if !holding => match received {
                    Ok(batch) => {
                        if self.forward(sink, &mut cursor, batch).await? {
                            holding = true;
                            hold.as_mut().reset(Instant::now() + COALESCE);
                        }
                    }
                    Err(RecvError::Lagged(missed)) => self.recover(sink, &mut cursor, missed).await?,
                    Err(RecvError::Closed) => return Err(End::HubClosed),
                },
                () = &mut hold, if holding => holding = false,
                frame = stream.next() => {
                    idle.as_mut().reset(Instant::now() + self.timing.idle_timeout);
                    match frame {
                        Some(Ok(message)) => answer(sink, message).await?,
                        Some(Err(error)) => return Err(End::ClientGone(error.to_string())),
                        None => return Err(End::ClientGone("end of stream".into())),
                    }
                }
                _ = ping.tick() => send(sink, Message::Ping(Bytes::new())).await?,
                () = &mut idle => {
                    close(sink, close_code::NORMAL, "idle timeout").await;
                    return Err(End::Idle);
                }
            }
        }
    }

    /// Writes `first` and whatever else is already queued, then flushes
    /// once. Returns whether anything new was written.
    async fn forward<W>(
        &mut self,
        sink: &mut W,
        cursor: &mut Cursor,
        first: Batch,
    ) -> Result<bool, End>
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
    {
        let mut next = Some(first);
        let mut written = 0;
        while let Some(batch) = next.take() {
            for event in batch.iter() {
                if cursor.admit(event) {
                    feed(sink, Message::Text(event.text.clone())).await?;
                    written += 1;
                }
            }
            if written >= MAX_BURST {
                break;
            }
            match self.events.try_recv() {
                Ok(batch) => next = Some(batch),
                Err(TryRecvError::Lagged(missed)) => {
                    flush(sink).await?;
                    self.recover(sink, cursor, missed).await?;
                    return Ok(true);
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => {}
            }
        }
        if written > 0 {
            flush(sink).await?;
        }
        Ok(written > 0)
    }

    /// The hub dropped `missed` batches for this socket: re-read what
    /// changed since the cursor from the database.
    async fn recover<W>(
        &mut self,
        sink: &mut W,
        cursor: &mut Cursor,
        missed: u64,
    ) -> Result<(), End>
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
    {
        tracing::warn!(outlet = %self.outlet.id, missed, "socket fell behind; catching up from the database");
        self.catch_up(sink, cursor, FeedScope::Changes).await?;
        let changes = self
            .store
            .master_changes_after(cursor.master_version)
            .await
            .map_err(|e| End::StoreFailed(e.to_string()))?;
        for change in changes {
            feed(sink, encode(&change.message())?).await?;
            cursor.master_version = cursor.master_version.max(change.version());
        }
        flush(sink).await
    }

    /// Sends every order of `scope` above the cursor, in seq order.
    async fn catch_up<W>(
        &mut self,
        sink: &mut W,
        cursor: &mut Cursor,
        scope: FeedScope,
    ) -> Result<(), End>
    where
        W: Sink<Message> + Unpin,
        W::Error: Display,
    {
        loop {
            let page = self
                .store
                .orders_after(&self.outlet.id, cursor.seq, scope, Some(CATCH_UP_PAGE))
                .await
                .map_err(|e| End::StoreFailed(e.to_string()))?;
            let full = page.len() >= CATCH_UP_PAGE as usize;
            for snapshot in page {
                let seq = snapshot.order.seq;
                let at = snapshot.order.updated_at;
                feed(
                    sink,
                    encode(&ServerMessage::order_event(
                        snapshot.kind,
                        snapshot.order,
                        at,
                    ))?,
                )
                .await?;
                cursor.seq = cursor.seq.max(seq);
            }
            flush(sink).await?;
            if !full {
                return Ok(());
            }
        }
    }
}

/// Answers one client frame. Only `ping` means anything; the socket is a
/// push channel.
async fn answer<W>(sink: &mut W, message: Message) -> Result<(), End>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    let reply = match message {
        Message::Text(text) if text.len() > MAX_BODY_BYTES => return oversize(sink).await,
        Message::Binary(data) if data.len() > MAX_BODY_BYTES => return oversize(sink).await,
        Message::Text(text) => match parse_client_message(&text) {
            Ok(ClientMessage::Ping) => ServerMessage::Pong {
                timestamp: Utc::now(),
            },
            // Already admitted: a second credential changes nothing.
            Ok(ClientMessage::Auth { .. }) => ServerMessage::Error {
                code: ErrorCode::BadRequest,
                message: "this socket is already authenticated".into(),
            },
            Err(error) => ServerMessage::Error {
                code: error.code(),
                message: error.to_string(),
            },
        },
        Message::Binary(_) => ServerMessage::Error {
            code: ErrorCode::BadRequest,
            message: "binary frames are not understood; send JSON text".into(),
        },
        // The WebSocket layer answers pings itself; any frame already
        // counted as a sign of life.
        Message::Ping(_) | Message::Pong(_) => return Ok(()),
        Message::Close(_) => return Err(End::ClientClosed),
    };
    send(sink, encode(&reply)?).await
}

/// A frame over the limit: say why, then close.
async fn oversize<W>(sink: &mut W) -> Result<(), End>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    let error = ServerMessage::Error {
        code: ErrorCode::PayloadTooLarge,
        message: format!("messages must be at most {MAX_BODY_BYTES} bytes"),
    };
    send(sink, encode(&error)?).await?;
    close(sink, close_code::SIZE, "message too big").await;
    Err(End::Oversize)
}

fn encode(message: &ServerMessage) -> Result<Message, End> {
    encode_message(message).map_err(|e| End::SendFailed(format!("encoding: {e}")))
}

/// A message as a text frame.
pub(super) fn encode_message(message: &ServerMessage) -> Result<Message, serde_json::Error> {
    serde_json::to_string(message).map(|text| Message::Text(text.into()))
}

async fn feed<W>(sink: &mut W, message: Message) -> Result<(), End>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    sink.feed(message)
        .await
        .map_err(|e| End::SendFailed(e.to_string()))
}

async fn flush<W>(sink: &mut W) -> Result<(), End>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    sink.flush()
        .await
        .map_err(|e| End::SendFailed(e.to_string()))
}

pub(super) async fn send<W>(sink: &mut W, message: Message) -> Result<(), End>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    feed(sink, message).await?;
    flush(sink).await
}

/// Sends a close frame; the socket is ending either way, so a failure to
/// send it is not worth reporting.
pub(super) async fn close<W>(sink: &mut W, code: u16, reason: &'static str)
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = send(sink, Message::Close(Some(frame))).await;
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
