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
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use serde::Deserialize;
use ticketrail_protocol::MAX_BODY_BYTES;

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
