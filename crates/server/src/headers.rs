//! Security headers on every answer: pages, files, API, socket upgrades and
//! errors alike, so no route can forget them.
//!
//! The Content-Security-Policy is what makes an injected script inert: the
//! app runs only code the server itself serves (no inline script, no
//! `eval`; `'wasm-unsafe-eval'` is there because compiling the app's
//! WebAssembly needs it). The built page therefore loads through an external
//! module, `www/boot.js`, instead of the inline loader Trunk would write
//! (see `Trunk.toml`). No CORS headers are ever sent: the app and its API
//! share one origin, and no other origin may read the API.

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::Response;
use tower::util::MapResponseLayer;

/// The policy for the app, and for every other answer (one policy is
/// simpler to audit than one per route, and nothing else needs more).
///
/// - `connect-src 'self'` also allows the same-origin `ws:`/`wss:` socket:
///   CSP Level 3 matches `'self'` against the WebSocket schemes of the
///   page's origin (Chromium since 71, Safari since 16, Firefox).
/// - `style-src-attr 'unsafe-inline'`: the app sets a few `style="..."`
///   attributes (progress bars, the confirmation countdown), which Leptos
///   writes with `setAttribute`; blocking them would break those views.
///   Style elements and stylesheets stay limited to the server's own files,
///   and `img-src` still keeps any `url()` in a style on this origin.
/// - `img-src` allows `data:` URLs, and no other origin: product images
///   must be served from the outlet (the kiosk works offline anyway).
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval'; \
connect-src 'self'; \
img-src 'self' data:; \
style-src 'self'; \
style-src-attr 'unsafe-inline'; \
object-src 'none'; \
base-uri 'none'; \
frame-ancestors 'none'; \
form-action 'self'; \
worker-src 'self'; \
manifest-src 'self'";

/// Powerful browser features the app never uses, switched off so that an
/// injected script cannot use them either. Only features Chromium knows are
/// listed: it logs an error for every unknown one.
pub const PERMISSIONS_POLICY_VALUE: &str = "accelerometer=(), camera=(), \
display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), \
midi=(), payment=(), serial=(), usb=()";

/// One year: browsers remember to use HTTPS only for this long.
const HSTS_VALUE: &str = "max-age=31536000";

/// The layer that adds the headers to every response.
///
/// `secure` says the server answers over HTTPS: only then is
/// `Strict-Transport-Security` sent (over plain HTTP browsers ignore it,
/// and claiming HTTPS where there is none would lock clients out). The
/// plain-HTTP listener passes `false`; the TLS listener passes `true`.
pub fn layer(
    secure: bool,
) -> MapResponseLayer<impl Fn(Response) -> Response + Clone + Send + Sync + 'static> {
    MapResponseLayer::new(move |response| add(response, secure))
}

fn add(mut response: Response, secure: bool) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY_VALUE),
    );
    if secure {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS_VALUE),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(secure: bool) -> axum::http::HeaderMap {
        add(Response::default(), secure).headers().clone()
    }

    #[test]
    fn hsts_only_over_https() {
        assert!(!headers_of(false).contains_key(STRICT_TRANSPORT_SECURITY));
        assert_eq!(headers_of(true)[STRICT_TRANSPORT_SECURITY], HSTS_VALUE);
    }

    #[test]
    fn policy_allows_no_inline_script_and_no_other_origin() {
        let directives: Vec<&str> = CONTENT_SECURITY_POLICY_VALUE.split("; ").collect();
        assert!(directives.contains(&"script-src 'self' 'wasm-unsafe-eval'"));
        assert!(directives.contains(&"default-src 'self'"));
        for directive in &directives {
            assert_eq!(directive.trim(), *directive, "stray space in {directive:?}");
            if !directive.starts_with("style-src-attr") {
                assert!(!directive.contains("unsafe-inline"), "{directive}");
            }
            assert!(!directive.contains('*'), "{directive}");
        }
    }
}
