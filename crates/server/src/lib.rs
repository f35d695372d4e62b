//! The Ticketrail outlet server: the menu sync, idempotent order placement,
//! the kitchen workflow, the polling feed, the outlet WebSocket and the
//! access rules (devices, roles, tokens) of `PROTOCOL.md` v2, over one
//! SQLite file, plus the built PWA.
//!
//! The binary is thin: it parses a [`Config`], sets up [`tls`], opens an
//! [`AppState`], binds the listeners and calls [`serve`] ([`listen`]). Tests
//! can do the same on port 0, or drive [`app`] directly. [`trust`] is the
//! plain-HTTP listener that gets a screen to trust the outlet's CA.
//!
//! Layout, one module per feature: [`master`] (menu API), [`orders`] (order
//! API and feed), [`ws`] (outlet socket), [`outlets`], [`devices`] (pairing,
//! device list, revocation), [`login`], [`static_files`] (the PWA, with
//! [`headers`]), [`health`] (with the request [`counters`]); beneath them
//! [`store`] (all SQL, group commit, migrations), [`events`] (broadcast
//! hub), [`access`] (who is calling and what they may do), [`error`] and
//! [`extract`] (the HTTP error boundary), [`cli`] (the provisioning
//! subcommands), [`demo`] (the seed menu) and [`synthetic`] (a menu of any
//! size for benchmarks). Every route is registered in the [`route_table`]
//! with its OpenAPI operation ([`mod@routes`]), and [`openapi`] serves the
//! document they make.

pub mod access;
pub mod cli;
pub mod config;
pub mod counters;
pub mod demo;
pub mod devices;
pub mod error;
pub mod events;
pub mod extract;
pub mod headers;
pub mod health;
pub mod listen;
pub mod login;
pub mod master;
pub mod openapi;
pub mod orders;
pub mod outlets;
pub mod routes;
pub mod setup;
pub mod static_files;
pub mod store;
pub mod synthetic;
pub mod tls;
pub mod trust;
pub mod ws;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use thiserror::Error;
use ticketrail_protocol::{ErrorBody, ErrorCode, MAX_BODY_BYTES};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use config::{Config, SocketTiming};
pub use listen::{serve, Listeners};

use counters::Counters;
use events::Hub;
use routes::Routes;
use static_files::StaticFiles;
use store::{Store, StoreError};

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The database could not be opened, created or seeded.
    #[error("cannot open the database {path}: {reason}")]
    Database {
        /// The file as configured.
        path: String,
        /// What went wrong.
        reason: StoreError,
    },
    /// First-run setup could not be prepared.
    #[error("cannot prepare first-run setup: {0}")]
    Setup(String),
    /// The sockets' runtime could not be started.
    #[error("cannot start the socket runtime: {0}")]
    Runtime(std::io::Error),
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    hub: Hub,
    static_files: Arc<StaticFiles>,
    timing: SocketTiming,
    /// The outlet sockets, on their own runtime.
    sockets: Arc<ws::Sockets>,
    /// What has been served, for `/healthz`.
    counters: Arc<Counters>,
    /// Verified credentials and attempt limits.
    access: Arc<access::Access>,
    /// The first-run setup, while nobody can sign in.
    setup: Arc<setup::Setup>,
    /// The local CA's certificate, served as `/ca.pem`.
    ca: Option<tls::CaCert>,
}

impl AppState {
    /// Opens the database (seeding the synthetic menu when
    /// `config.seed_menu` is set, else the demo when `config.demo` is, into
    /// an empty database) and prepares the shared state.
    pub async fn open(config: &Config) -> Result<AppState, StartError> {
        let sockets = Arc::new(ws::Sockets::start().map_err(StartError::Runtime)?);
        let hub = Hub::new();
        let seed = match config.seed_menu {
            Some(size) => Some(synthetic::seed(size)),
            None => config.demo.then(demo::seed),
        };
        let store = Store::open(&config.db, seed.as_ref(), hub.clone())
            .await
            .map_err(|reason| StartError::Database {
                path: config.db.display().to_string(),
                reason,
            })?;
        Ok(AppState {
            store,
            hub,
            static_files: Arc::new(StaticFiles::new(&config.dist)),
            timing: config.socket_timing(),
            sockets,
            counters: Arc::new(Counters::default()),
            access: Arc::new(access::Access::default()),
            setup: Arc::new(setup::Setup::default()),
            ca: None,
        })
    }

    /// Makes first-run setup due when nobody can sign in yet; the code to
    /// print once, if so.
    pub async fn prepare_setup(&mut self) -> Result<Option<String>, StartError> {
        let users = self
            .store
            .user_count()
            .await
            .map_err(|error| StartError::Setup(error.to_string()))?;
        if users > 0 {
            return Ok(None);
        }
        let (setup, code) =
            setup::Setup::due().map_err(|error| StartError::Setup(error.to_string()))?;
        self.setup = Arc::new(setup);
        Ok(Some(code))
    }

    /// Serves `ca` (the local CA's certificate, from [`tls::prepare`]) as
    /// `/ca.pem`.
    pub fn with_ca(self, ca: Option<tls::CaCert>) -> AppState {
        AppState { ca, ..self }
    }

    /// Closes open sockets, waits for them, then drains the writer and
    /// closes the database. Idempotent.
    pub async fn close(&self) {
        self.sockets.close().await;
        self.store.close().await;
    }
}

/// Bodies smaller than this go uncompressed: an order or an error fits in
/// one packet either way, and compressing it costs both ends CPU on every
/// order a drain sends.
const COMPRESS_ABOVE: u16 = 1024;

/// The whole HTTP surface: API, socket, health, and the PWA as fallback.
pub fn app(state: AppState) -> Router {
    router(state, false)
}

/// [`app`] as the HTTPS listener serves it: with `Strict-Transport-Security`.
pub fn https_app(state: AppState) -> Router {
    router(state, true)
}

/// Every route of [`app`], each with its OpenAPI operation: the API, the
/// socket, health, `/ca.pem` and the OpenAPI document itself. The PWA is
/// the fallback for everything else.
pub fn route_table() -> Routes {
    Routes::default()
        .merge(master::router())
        .merge(outlets::router())
        .merge(devices::router())
        .merge(login::router())
        .merge(setup::router())
        .merge(orders::router())
        .merge(ws::router())
        .merge(health::router())
        .merge(trust::ca_router())
        .merge(openapi::router())
}

/// The app's router. Routes come from [`route_table`] alone, so each is
/// documented; only the fallbacks and layers are added here.
fn router(state: AppState, secure: bool) -> Router {
    route_table()
        .into_router()
        .fallback(static_files::fallback)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(extract::limit_body))
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(headers::layer(secure))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The log span of a request: method and path only. The query string and
/// headers stay out of the log, since a pairing link (`/pair?code=`) or a
/// credential must never be written there.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// A handler panicked: answer like any internal error; the panic message
/// goes to the log only.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(detail, "handler panicked");
    let body = ErrorBody::new(
        ErrorCode::Internal,
        "something went wrong inside the server; it has been logged",
    );
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
