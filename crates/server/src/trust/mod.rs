//! Before a screen trusts the outlet's CA it cannot open the HTTPS app
//! without a certificate warning, and with one its browser runs no service
//! worker. The plain-HTTP listener of `--http-listen` is how it gets there:
//!
//! - `GET /ca.pem`: the CA certificate (also on the app listener, see
//!   [`ca_router`]);
//! - `GET /trust` and `GET /`: the [`page`] with the CA's fingerprint, the
//!   steps per platform and the HTTPS address to open next;
//! - `GET /healthz`, for probes that speak no TLS;
//! - anything else: `308` to the same path and query on the HTTPS port, at
//!   the host the request named, so a bookmark of the old plain address
//!   lands on the app.
//!
//! One exception: a request that comes from this machine (a loopback peer)
//! for a loopback host (`localhost`, `127.0.0.1`, `[::1]`) gets the whole
//! app, as if on the app listener. Browsers treat such an origin as a
//! secure context, so service workers run there without any certificate,
//! and nothing on the network can see or reach that traffic (the kernel
//! never delivers a loopback source address from outside). That is what
//! keeps `http://127.0.0.1:PORT/kiosk` working for someone at the outlet
//! machine itself, beside the trust page for the tablets, on one port.
//! Both conditions are needed: a loopback peer asking for another host
//! (a local proxy forwarding LAN traffic, or the machine's own name) is
//! not in a secure context and is redirected like anyone else.

mod page;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION};
use axum::http::uri::Authority;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::routes::Routes;
use crate::{headers, health, static_files, AppState};

/// The media type of `/ca.pem`.
const PEM_TYPE: &str = "application/x-pem-file";

/// `/ca.pem` for the app's own router: there it is static content like
/// any file of the PWA, public to everyone.
pub fn ca_router() -> Routes {
    Routes::default().route(routes!(ca_pem))
}

/// Everything the plain-HTTP listener answers; `https_port` is the app
/// listener's port, where redirects go. `app` is the app's router, for the
/// loopback exception.
pub fn router(state: AppState, https_port: u16, app: Router) -> Router {
    let shared = ca_router()
        .merge(health::router())
        .into_router()
        .with_state(state.clone());
    Router::new()
        .route("/trust", get(trust_page))
        .route("/", get(trust_page))
        .fallback(redirect)
        .with_state(Site { state, https_port })
        .merge(shared)
        .layer(middleware::from_fn_with_state(app, loopback_app))
        .layer(CatchPanicLayer::new())
        .layer(headers::layer(false))
        .layer(TraceLayer::new_for_http())
}

/// What the plain listener's handlers share.
#[derive(Clone)]
struct Site {
    state: AppState,
    https_port: u16,
}

/// The outlet's local CA certificate.
///
/// A screen installs it to trust the server's HTTPS certificate. Public,
/// like the app's own files. A server that serves no TLS has no CA: then
/// this is whatever the PWA's files have at that path, a 404 page unless
/// someone put a file there.
#[utoipa::path(
    get,
    path = "/ca.pem",
    tag = "server",
    security(()),
    responses(
        (status = 200, description = "The CA certificate, PEM.", content_type = "application/x-pem-file", body = String),
        (status = 404, description = "This server has no local CA.", content_type = "text/html", body = String),
    )
)]
async fn ca_pem(State(state): State<AppState>, request: Request) -> Response {
    match &state.ca {
        Some(ca) => {
            let headers = [
                (CONTENT_TYPE, HeaderValue::from_static(PEM_TYPE)),
                (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ];
            (headers, ca.pem().to_owned()).into_response()
        }
        None => static_files::fallback(State(state), request).await,
    }
}

/// `GET /trust`, `GET /`: the trust page.
async fn trust_page(State(site): State<Site>, request: Request) -> Response {
    let https = request_host(&request).map(|host| https_base(&host, site.https_port));
    let body = page::render(site.state.ca.as_ref(), https.as_deref());
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        // It names the host the request used, so no cache may keep it for
        // another.
        (CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (headers, body).into_response()
}

/// Anything else: `308` to the same path and query over HTTPS.
async fn redirect(State(site): State<Site>, request: Request) -> Response {
    let Some(host) = request_host(&request) else {
        return AppError::BadRequest("the request names no host (Host header)".into())
            .into_response();
    };
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    let location = format!("{}{path}", https_base(&host, site.https_port));
    match HeaderValue::try_from(location) {
        Ok(location) => (StatusCode::PERMANENT_REDIRECT, [(LOCATION, location)]).into_response(),
        Err(_) => {
            AppError::BadRequest("the request's path cannot be redirected".into()).into_response()
        }
    }
}

/// Runs the app instead of this listener's routes for a loopback browser
/// on a loopback origin (see the module docs).
async fn loopback_app(
    State(app): State<Router>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let host = request_host(&request);
    if serves_app(peer.ip(), host.as_deref()) {
        match app.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        next.run(request).await
    }
}

/// The host the request asked for (from its `Host` header or absolute
/// URI), without the port: `outlet.test`, `192.168.1.20`, `[fd00::2]`.
fn request_host(request: &Request) -> Option<String> {
    let authority = match request.uri().authority() {
        Some(authority) => authority.clone(),
        None => request
            .headers()
            .get(HOST)?
            .to_str()
            .ok()?
            .parse::<Authority>()
            .ok()?,
    };
    let host = authority.host();
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `https://host:port` for a host as [`request_host`] gives it.
fn https_base(host: &str, port: u16) -> String {
    if port == 443 {
        format!("https://{host}")
    } else {
        format!("https://{host}:{port}")
    }
}

/// Whether a request from `peer` for `host` gets the app over plain HTTP:
/// only when both are loopback, which is when the browser sees a secure
/// context and the traffic never leaves the machine.
fn serves_app(peer: IpAddr, host: Option<&str>) -> bool {
    let Some(host) = host else {
        return false;
    };
    let host = host.trim_end_matches('.');
    let loopback_host = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback());
    peer.to_canonical().is_loopback() && loopback_host
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_app_is_served_to_a_loopback_browser_on_a_loopback_origin() {
        for peer in ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"] {
            for host in [
                "127.0.0.1",
                "localhost",
                "app.localhost",
                "[::1]",
                "LOCALHOST.",
            ] {
                assert!(
                    serves_app(ip(peer), Some(&host.to_ascii_lowercase())),
                    "{peer} {host}"
                );
            }
        }
    }

    #[test]
    fn everyone_else_gets_the_trust_page_and_redirects() {
        // From the network, whatever the Host header claims.
        for host in ["127.0.0.1", "localhost", "192.168.1.20"] {
            assert!(!serves_app(ip("192.168.1.30"), Some(host)), "{host}");
        }
        // From this machine, but for a name that is no secure context
        // (say, a local proxy passing LAN requests on).
        for host in [
            "outlet.test",
            "192.168.1.20",
            "localhost.evil.test",
            "[fd00::2]",
        ] {
            assert!(!serves_app(ip("127.0.0.1"), Some(host)), "{host}");
        }
        assert!(!serves_app(ip("127.0.0.1"), None));
    }

    #[test]
    fn redirects_keep_the_host_and_use_the_https_port() {
        assert_eq!(https_base("outlet.test", 8443), "https://outlet.test:8443");
        assert_eq!(https_base("[fd00::2]", 8443), "https://[fd00::2]:8443");
        assert_eq!(https_base("outlet.test", 443), "https://outlet.test");
    }

    #[test]
    fn the_host_comes_without_its_port() {
        let request = |host: &str| {
            Request::builder()
                .uri("/kiosk?x=1")
                .header(HOST, host)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(
            request_host(&request("Outlet.Test:8080")).as_deref(),
            Some("outlet.test")
        );
        assert_eq!(
            request_host(&request("[fd00::2]:8080")).as_deref(),
            Some("[fd00::2]")
        );
        assert_eq!(
            request_host(&request("192.168.1.20")).as_deref(),
            Some("192.168.1.20")
        );
        assert_eq!(request_host(&request("bad host")), None);
    }
}
