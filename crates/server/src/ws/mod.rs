//! The outlet WebSocket `GET /ws/outlet/{outlet_id}/?since_id=N`.
//!
//! This module checks what it can before upgrading (the `Origin` is this
//! server's, `since_id` is a number), so mistakes get a contract error as a
//! plain HTTP answer. The credential arrives in the socket's first frame:
//! `admit` checks it, then the `session` module runs the socket.

mod admit;
mod runtime;
mod session;

use axum::extract::ws::{rejection::WebSocketUpgradeRejection, WebSocketUpgrade};
use axum::extract::State;
use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;
use serde::Deserialize;
use ticketrail_protocol::{ErrorBody, MAX_BODY_BYTES};
use utoipa::IntoParams;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{non_negative, ApiPath, ApiQuery};
use crate::routes::Routes;
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

/// The socket route.
pub fn router() -> Routes {
    Routes::default().route(routes!(connect))
}

/// `?since_id=N`, optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SocketQuery {
    /// The highest `seq` the client has applied: every order changed since
    /// then follows `connected` as catch-up events. Left out: live events
    /// only.
    #[param(value_type = Option<i64>, minimum = 0)]
    since_id: Option<String>,
}

/// The outlet WebSocket: order and menu events as they happen.
///
/// A WebSocket upgrade (`Connection: Upgrade`, `Upgrade: websocket`). An
/// `Origin`, when sent, must be this server's. The credential comes in the
/// first frame the client sends, since browsers cannot set headers on a
/// socket: `{"type": "auth", "token": "..."}` (see `ClientMessage`). Roles:
/// `kiosk`, `kitchen` and `manager` of the outlet, `admin`; any other
/// credential, or none within 5 s, gets an `unauthorized` or `forbidden`
/// error frame and the socket closes.
///
/// Then the server sends (see `ServerMessage`, tagged by `type`):
/// `connected`; with `since_id`, the orders changed since then as catch-up
/// events in `seq` order; then live order events of this outlet only
/// (`new_order`, `order_updated`, `kitchen_status_changed`,
/// `order_completed`, `order_cancelled`) and menu events of every outlet
/// (`product:created|updated|deleted`, the same for `category` and
/// `promotion`). The client may send `{"type": "ping"}` and gets `pong`; a
/// frame it cannot use gets an `error` frame. Text frames over 1 MiB are
/// refused; a socket silent for 60 s is closed.
#[utoipa::path(
    get,
    path = "/ws/outlet/{outlet_id}/",
    operation_id = "outlet_socket",
    tag = "socket",
    security(()),
    params(
        ("outlet_id" = String, Path, description = "The outlet to watch."),
        SocketQuery,
    ),
    responses(
        (status = 101, description = "Switching Protocols: the socket is open; frames as described above."),
        (status = 400, description = "Not a WebSocket upgrade, or `since_id` is not a non-negative integer: `bad_request`.", body = ErrorBody),
        (status = 403, description = "The `Origin` is not this server's: `forbidden`.", body = ErrorBody),
    )
)]
async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(outlet_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<SocketQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden);
    }
    let since_id = non_negative("since_id", query.since_id.as_deref())?;
    let upgrade = upgrade.map_err(|rejection| {
        AppError::BadRequest(format!(
            "this endpoint needs a WebSocket upgrade: {}",
            rejection.body_text()
        ))
    })?;
    // The credential comes in the first frame (see `admit`): browsers
    // cannot set headers on a socket.
    let session = Session {
        outlet_id,
        store: state.store.clone(),
        hub: state.hub.clone(),
        access: state.access.clone(),
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

/// Whether the request's `Origin`, when it has one, is this server: the
/// same host and port the request was sent to. A page of another site
/// cannot then open a socket with a screen's stored credential.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), headers.get(HOST).map(|h| h.to_str()))
    else {
        return false;
    };
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_the_servers_own_origin_may_open_a_socket() {
        assert!(same_origin(&headers(None, "outlet.test:8443")));
        assert!(same_origin(&headers(
            Some("https://outlet.test:8443"),
            "outlet.test:8443"
        )));
        assert!(same_origin(&headers(
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080"
        )));
        for other in [
            "https://evil.test",
            "https://outlet.test:9999",
            "https://outlet.test:8443.evil.test",
            "null",
            "file://",
        ] {
            assert!(
                !same_origin(&headers(Some(other), "outlet.test:8443")),
                "{other}"
            );
        }
    }
}
