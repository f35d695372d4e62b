//! Serving: the app listener (HTTPS, or plain HTTP with `--no-tls`) and the
//! optional plain-HTTP listener of `--http-listen` ([`crate::trust`]), with
//! one graceful shutdown for both.
//!
//! Every connection on either gets `TCP_NODELAY` and its peer address as
//! `ConnectInfo<SocketAddr>` (the attempt limits key on it). For TLS, axum's
//! `tap_io` does both: it sets the option on the TCP stream beneath TLS
//! once the handshake is done, and axum provides `ConnectInfo` for tapped
//! listeners of any kind (for a bare custom listener it would not).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::tls::TlsListener;
use crate::{app, https_app, trust, AppState};

/// Where [`serve`] listens.
pub struct Listeners {
    /// The app's listener (`--listen`).
    pub app: TcpListener,
    /// TLS for it; `None` serves plain HTTP (`--no-tls`).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The plain-HTTP listener of `--http-listen`, whose redirects go to
    /// the app listener's port; `None`: there is none.
    pub plain: Option<TcpListener>,
}

/// Serves the app on `listeners` until `shutdown` resolves, then stops
/// accepting on all of them, lets in-flight requests finish, closes the
/// sockets, drains the writer and closes the database.
pub async fn serve(
    listeners: Listeners,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stop = CancellationToken::new();
    let signal = tokio::spawn({
        let stop = stop.clone();
        let sockets = state.sockets.clone();
        async move {
            shutdown.await;
            tracing::info!("shutting down");
            // Sockets are detached from the HTTP server once upgraded, so
            // they are told separately.
            sockets.begin_shutdown();
            stop.cancel();
        }
    });
    let https_port = listeners.app.local_addr()?.port();
    let app_served = serve_app(listeners.app, listeners.tls, state.clone(), stop.clone());
    let plain_served = async {
        let Some(listener) = listeners.plain else {
            return Ok(());
        };
        let router = trust::router(state.clone(), https_port, app(state.clone()));
        axum::serve(
            listener.tap_io(set_nodelay),
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop.clone().cancelled_owned())
        .await
    };
    let (app_served, plain_served) = tokio::join!(app_served, plain_served);
    signal.abort();
    state.close().await;
    app_served.and(plain_served)
}

async fn serve_app(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: AppState,
    stop: CancellationToken,
) -> std::io::Result<()> {
    match tls {
        Some(config) => {
            let listener =
                TlsListener::new(listener, config).tap_io(|tls| set_nodelay(tls.get_mut().0));
            axum::serve(
                listener,
                https_app(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
        }
        None => {
            axum::serve(
                listener.tap_io(set_nodelay),
                app(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
        }
    }
}

/// Small writes (an order event, a 201) must leave at once: with Nagle's
/// algorithm they wait for the peer's delayed ACK, tens of milliseconds.
fn set_nodelay(tcp: &mut TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::warn!(%error, "cannot set TCP_NODELAY");
    }
}
