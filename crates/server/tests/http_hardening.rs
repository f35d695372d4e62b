//! HTTP hardening, black-box: security headers on every kind of answer, no
//! CORS, long-lived caching only for content-hashed files, revalidation by
//! ETag, brotli, and a real 404 for paths that are neither a file nor one of
//! the app's pages.

mod util;

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_NONE_MATCH, ORIGIN,
};
use reqwest::Method;
use util::server::HASHED_ASSET;
use util::{Resp, Server, INDEX_HTML};

/// The directives the Content-Security-Policy must hold, exactly.
const CSP_DIRECTIVES: [&str; 12] = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
];

/// Browser features the Permissions-Policy must switch off.
const DENIED_FEATURES: [&str; 6] = [
    "camera=()",
    "microphone=()",
    "geolocation=()",
    "payment=()",
    "usb=()",
    "serial=()",
];

/// The demo menu's full product list: comfortably above the compression
/// threshold.
const LARGE_JSON: &str = "/api/products/?since_version=0";

fn header<'a>(resp: &'a Resp, name: &str) -> &'a str {
    resp.headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// Panics unless `resp` carries every security header, and no CORS or HSTS
/// header (the test server speaks plain HTTP).
fn assert_hardened(what: &str, resp: &Resp) {
    let csp = header(resp, "content-security-policy");
    let mut directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    let mut expected = CSP_DIRECTIVES.to_vec();
    directives.sort_unstable();
    expected.sort_unstable();
    assert_eq!(directives, expected, "{what}: CSP {csp:?}");
    assert_eq!(header(resp, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(resp, "referrer-policy"), "no-referrer", "{what}");
    let permissions = header(resp, "permissions-policy");
    for feature in DENIED_FEATURES {
        assert!(
            permissions.split(", ").any(|entry| entry == feature),
            "{what}: Permissions-Policy {permissions:?} lacks {feature}"
        );
    }
    assert!(
        !resp.headers.contains_key("strict-transport-security"),
        "{what}: HSTS over plain HTTP"
    );
    assert_no_cors(what, resp);
}

fn assert_no_cors(what: &str, resp: &Resp) {
    let cors: Vec<&str> = resp
        .headers
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
        .collect();
    assert!(cors.is_empty(), "{what}: CORS headers {cors:?}");
}

async fn get_with(server: &Server, path: &str, name: &str, value: &str) -> Resp {
    server
        .send(server.http.get(server.url(path)).header(name, value))
        .await
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let server = Server::start().await;
    let answers = [
        ("the shell", server.get("/").await.expect(200)),
        ("a deep link", server.get("/kitchen/x").await.expect(200)),
        ("a hashed asset", server.get(HASHED_ASSET).await.expect(200)),
        (
            "a plain asset",
            server.get("/assets/app.js").await.expect(200),
        ),
        ("an API answer", server.get(LARGE_JSON).await.expect(200)),
        ("the health check", server.get("/healthz").await.expect(200)),
        ("an API error", server.get("/api/nope").await.expect(404)),
        (
            "a missing file",
            server.get("/robots.txt").await.expect(404),
        ),
        (
            "a wrong method",
            server
                .send(server.http.delete(server.url("/kiosk")))
                .await
                .expect(405),
        ),
    ];
    for (what, resp) in &answers {
        assert_hardened(what, resp);
    }
}

#[tokio::test]
async fn no_cors_headers_even_for_another_origin() {
    let server = Server::start().await;
    let evil = "https://evil.example";
    for path in ["/", LARGE_JSON, "/api/orders/", HASHED_ASSET] {
        let resp = get_with(&server, path, ORIGIN.as_str(), evil).await;
        assert_no_cors(path, &resp);
        let preflight = server
            .http
            .request(Method::OPTIONS, server.url(path))
            .header(ORIGIN, evil)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type");
        let resp = server.send(preflight).await;
        assert!(!resp.status.is_success(), "{path}: preflight answered 2xx");
        assert_no_cors(path, &resp);
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_revalidate_by_etag() {
    let server = Server::start().await;
    let resp = server.get(HASHED_ASSET).await.expect(200);
    assert_eq!(
        header(&resp, CACHE_CONTROL.as_str()),
        "public, max-age=31536000, immutable"
    );
    let etag = header(&resp, ETAG.as_str()).to_owned();
    assert!(etag.starts_with("W/\""), "weak ETag: {etag:?}");

    let resp = get_with(&server, HASHED_ASSET, IF_NONE_MATCH.as_str(), &etag).await;
    let resp = resp.expect(304);
    assert!(resp.text.is_empty(), "304 with a body: {:?}", resp.text);
    assert_eq!(header(&resp, ETAG.as_str()), etag);
    assert_eq!(
        header(&resp, CACHE_CONTROL.as_str()),
        "public, max-age=31536000, immutable"
    );
    assert_hardened("a 304", &resp);

    let stale = "W/\"0-0\"";
    let resp = get_with(&server, HASHED_ASSET, IF_NONE_MATCH.as_str(), stale).await;
    assert_eq!(resp.expect(200).text, "body { margin: 0 }");
}

#[tokio::test]
async fn the_shell_and_unhashed_files_are_no_cache_with_an_etag() {
    let server = Server::start().await;
    for path in ["/", "/index.html", "/kiosk", "/kitchen/x", "/assets/app.js"] {
        let resp = server.get(path).await.expect(200);
        assert_eq!(header(&resp, CACHE_CONTROL.as_str()), "no-cache", "{path}");
        let etag = header(&resp, ETAG.as_str()).to_owned();
        assert!(!etag.is_empty(), "{path}: no ETag");
        let again = get_with(&server, path, IF_NONE_MATCH.as_str(), &etag).await;
        assert_eq!(again.status.as_u16(), 304, "{path}: {}", again.text);
        assert_eq!(header(&again, CACHE_CONTROL.as_str()), "no-cache", "{path}");
    }
    // Every app page is the one index.html, with one ETag.
    let root = server.get("/").await;
    let page = server.get("/kitchen/x").await;
    assert_eq!(header(&root, ETAG.as_str()), header(&page, ETAG.as_str()));
}

#[tokio::test]
async fn large_bodies_are_brotli_or_gzip_as_asked_and_small_ones_plain() {
    let server = Server::start().await;
    let plain = server.get(LARGE_JSON).await.expect(200);
    assert!(plain.headers.get(CONTENT_ENCODING).is_none());
    assert!(
        plain.text.len() > 1024,
        "menu is {} bytes",
        plain.text.len()
    );

    let br = get_with(&server, LARGE_JSON, ACCEPT_ENCODING.as_str(), "br").await;
    let br = br.expect(200);
    assert_eq!(header(&br, CONTENT_ENCODING.as_str()), "br");
    assert!(br.body.is_null(), "brotli body parsed as JSON");
    assert!(br.text.len() < plain.text.len());
    assert_hardened("a brotli answer", &br);

    let gzip = get_with(&server, LARGE_JSON, ACCEPT_ENCODING.as_str(), "gzip").await;
    assert_eq!(header(&gzip.expect(200), CONTENT_ENCODING.as_str()), "gzip");

    let small = get_with(&server, "/api/nope", ACCEPT_ENCODING.as_str(), "br").await;
    let small = small.expect(404);
    assert!(small.headers.get(CONTENT_ENCODING).is_none());
    assert_eq!(small.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn only_the_apps_pages_get_the_app() {
    let server = Server::start().await;
    for path in [
        "/",
        "/kiosk",
        "/kitchen/x",
        "/pair",
        "/setup/",
        "/admin/menu",
        "/manager",
    ] {
        let resp = server.get(path).await.expect(200);
        assert_eq!(resp.text, INDEX_HTML, "{path}");
    }
    for path in [
        "/robots.txt",
        "/nope.png",
        "/favicon.ico",
        "/kiosks",
        "/assets/missing.js",
        "/style-0123456789abcdef.css",
    ] {
        let resp = server.get(path).await.expect(404);
        assert_ne!(resp.text, INDEX_HTML, "{path} got the app");
        assert!(
            resp.content_type.starts_with("text/html"),
            "{path}: {}",
            resp.content_type
        );
        assert!(resp.text.contains("Not found"), "{path}: {}", resp.text);
    }
}
