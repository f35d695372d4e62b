//! Admitting a socket: its first frame must be `{"type": "auth", "token"}`
//! (browsers cannot set headers on a WebSocket), within [`AUTH_WITHIN`].
//!
//! Nothing is sent before a valid one; a missing, late or bad one gets an
//! `unauthorized` error frame, a token not allowed on this outlet a
//! `forbidden` one, and the socket is closed. Whether the outlet exists is
//! told only to an admin, who may see every outlet.

use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{close_code, Message};
use chrono::Utc;
use futures_util::{Sink, Stream, StreamExt};
use ticketrail_protocol::validate::parse_client_message;
use ticketrail_protocol::{ClientMessage, ErrorCode, ServerMessage, MAX_BODY_BYTES};
use tokio_util::sync::CancellationToken;

use super::session::{close, encode_message, send};
use crate::access::{Access, Action, Principal};
use crate::store::{Outlet, Store};

/// How long a client has to send its `auth` frame.
pub const AUTH_WITHIN: Duration = Duration::from_secs(5);

/// What admission needs from the session.
pub(super) struct Gate<'a> {
    pub(super) outlet_id: &'a str,
    pub(super) store: &'a Store,
    pub(super) access: &'a Access,
    pub(super) shutdown: &'a CancellationToken,
}

/// Waits for the `auth` frame and checks it: the outlet and the credential,
/// or why the socket was refused (it is closed then).
pub(super) async fn admit<W, R, E>(
    gate: Gate<'_>,
    sink: &mut W,
    stream: &mut R,
) -> Result<(Arc<Outlet>, Arc<Principal>), &'static str>
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: Display,
{
    let first = tokio::select! {
        () = gate.shutdown.cancelled() => return Err("server shutting down"),
        first = tokio::time::timeout(AUTH_WITHIN, first_text(stream)) => first,
    };
    let token = match first {
        Err(_) => {
            refuse(
                sink,
                ErrorCode::Unauthorized,
                "no auth frame within 5 seconds",
            )
            .await;
            return Err("no auth frame in time");
        }
        Ok(None) => return Err("the client left before authenticating"),
        Ok(Some(text)) => match parse_client_message(&text) {
            Ok(ClientMessage::Auth { token }) => token,
            _ => {
                refuse(
                    sink,
                    ErrorCode::Unauthorized,
                    "the first frame must be {\"type\": \"auth\", \"token\": ...}",
                )
                .await;
                return Err("the first frame was not auth");
            }
        },
    };
    let Ok(principal) = gate.access.verify(gate.store, &token, Utc::now()).await else {
        refuse(
            sink,
            ErrorCode::Unauthorized,
            "the token is not valid: pair this screen again",
        )
        .await;
        return Err("bad token");
    };
    if !principal.allows(Action::WatchOutlet, Some(gate.outlet_id)) {
        refuse(
            sink,
            ErrorCode::Forbidden,
            "this credential may not watch this outlet",
        )
        .await;
        return Err("not allowed on this outlet");
    }
    match gate.store.find_outlet(gate.outlet_id).await {
        Ok(Some(outlet)) => Ok((outlet, principal)),
        Ok(None) => {
            refuse(sink, ErrorCode::NotFound, "there is no such outlet").await;
            Err("no such outlet")
        }
        Err(error) => {
            tracing::error!(%error, "reading an outlet for a socket failed");
            refuse(
                sink,
                ErrorCode::Internal,
                "the server could not admit the socket",
            )
            .await;
            Err("store failed")
        }
    }
}

/// The first text frame, skipping control frames; `None` when the client
/// left. An oversize or binary frame counts as a (bad) first frame.
async fn first_text<R, E>(stream: &mut R) -> Option<String>
where
    R: Stream<Item = Result<Message, E>> + Unpin,
{
    loop {
        match stream.next().await? {
            Ok(Message::Text(text)) if text.len() <= MAX_BODY_BYTES => {
                return Some(text.as_str().to_owned())
            }
            Ok(Message::Text(_) | Message::Binary(_)) => return Some(String::new()),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Close(_)) | Err(_) => return None,
        }
    }
}

/// Sends an error frame, then closes with "policy violation".
pub(super) async fn refuse<W>(sink: &mut W, code: ErrorCode, message: &str)
where
    W: Sink<Message> + Unpin,
    W::Error: Display,
{
    let error = ServerMessage::Error {
        code,
        message: message.to_owned(),
    };
    if let Ok(frame) = encode_message(&error) {
        let _ = send(sink, frame).await;
    }
    close(sink, close_code::POLICY, "not allowed").await;
}
