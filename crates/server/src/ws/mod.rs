//! The outlet WebSocket `GET /ws/outlet/{outlet_id}/?since_id=N`.
//!
//! This module checks the request (outlet exists, `since_id` is a number)
//! before upgrading, so mistakes get a contract error as a plain HTTP
//! answer; the `session` module runs the socket afterwards.

mod runtime;
mod session;

use axum::extract::ws::{rejection::WebSocketUpgradeRejection, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use serde::Deserialize;
use ticketrail_protocol::MAX_BODY_BYTES;

use crate::auth::{Action, Caller};
use crate::error::AppError;
use crate::extract::{non_negative, ApiPath, ApiQuery};
use crate::AppState;

pub use runtime::Sockets;
pub use session::Session;

/// Frames up to this size are read whole, so one just over the 1 MiB limit
/// still gets a `payload_too_large` error frame; anything bigger breaks the
/// connection at the protocol layer.
const READ_LIMIT: usize = 8 * MAX_BODY_BYTES;
/// Initial read buffer (it grows for bigger frames). Clients send almost
/// nothing, and the WebSocket layer zero-fills the whole buffer on every
/// read attempt, so its 128 KiB default cost more CPU than anything else
/// with a thousand sockets.
const READ_BUFFER: usize = 1024;

/// The socket routes, with and without the trailing slash.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/outlet/{outlet_id}/", get(connect))
        .route("/ws/outlet/{outlet_id}", get(connect))
}

/// `?since_id=N`, optional.
#[derive(Debug, Deserialize)]
struct SocketQuery {
    since_id: Option<String>,
}

async fn connect(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(outlet_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<SocketQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    caller.authorize(Action::WatchOutlet, Some(&outlet_id))?;
    let outlet = state
        .store
        .outlet(&outlet_id)
        .ok_or_else(|| AppError::NotFound(format!("no outlet with id \"{outlet_id}\"")))?;
    let since_id = non_negative("since_id", query.since_id.as_deref())?;
    let upgrade = upgrade.map_err(|rejection| {
        AppError::BadRequest(format!(
            "this endpoint needs a WebSocket upgrade: {}",
            rejection.body_text()
        ))
    })?;
    // Subscribe before the upgrade completes: whatever is published from
    // here on is buffered for the session, and anything committed earlier is
    // in the database for its catch-up (see `session`).
    let session = Session {
        events: state.hub.subscribe(&outlet.id),
        outlet,
        store: state.store.clone(),
        since_id,
        timing: state.timing,
        shutdown: state.sockets.shutdown_token(),
    };
    let sockets = state.sockets.clone();
    Ok(upgrade
        .read_buffer_size(READ_BUFFER)
        .max_message_size(READ_LIMIT)
        .max_frame_size(READ_LIMIT)
        .on_upgrade(move |socket| {
            sockets.spawn(async move {
                let (sink, stream) = socket.split();
                session.run(sink, stream).await;
            });
            std::future::ready(())
        }))
}
