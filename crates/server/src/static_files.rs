//! Serving the built PWA from `--dist`: its files, its pages, and a real
//! 404 for everything else.
//!
//! The app routes in the browser, so a deep link such as `/kitchen` must
//! load `index.html`; only the app's own pages ([`APP_PAGES`]) do. Any other
//! path that is not a file is a short 404 page: answering `/robots.txt` or
//! a mistyped asset URL with the app would hide the mistake and hand
//! crawlers and caches a page for a file. Unknown `/api` and `/ws` paths get
//! the contract's JSON 404 instead.
//!
//! How long browsers keep each file, and revalidation, live in [`cache`].

mod cache;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::AppError;
use crate::AppState;

/// The app's pages: each of these paths, and every path below it, loads
/// `index.html` and lets the app's router (`App` in `crates/app/src/lib.rs`,
/// which decides which pages exist) show the page. `/` is a page too, but
/// only by itself. Keep this list in step with that router.
pub const APP_PAGES: [&str; 6] = [
    "/kiosk", "/kitchen", "/pair", "/setup", "/admin", "/manager",
];

/// The file every app page is.
const INDEX: &str = "/index.html";

/// Shown when `--dist` has no `index.html`.
const NOT_BUILT: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Ticketrail</title></head><body>\n<h1>The Ticketrail app is not built</h1>\n\
<p>The server is running and its API works, but there is no built app to serve. \
Run <code>cargo xtask build</code> (or <code>cargo xtask demo</code>) and reload.</p>\n\
</body></html>\n";

/// The answer for a path that is neither a file nor an app page.
const NOT_FOUND: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Not found</title></head><body>\n<h1>Not found</h1>\n\
<p>There is nothing at this address.</p>\n</body></html>\n";

/// Whether `path` is one of the app's pages (see [`APP_PAGES`]).
pub fn is_app_page(path: &str) -> bool {
    path == "/"
        || APP_PAGES.iter().any(|page| {
            path.strip_prefix(page)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// The files of the built app.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    dir: ServeDir,
    root: PathBuf,
}

impl StaticFiles {
    /// Serves files below `dist`.
    pub fn new(dist: &Path) -> Self {
        Self {
            dir: ServeDir::new(dist),
            root: dist.to_path_buf(),
        }
    }

    /// A file (`index.html` for an app page) with its caching headers, a
    /// 304 when the browser's copy is current, or a 404.
    async fn serve(&self, mut req: Request) -> Response {
        let page = is_app_page(req.uri().path());
        if page {
            *req.uri_mut() = Uri::from_static(INDEX);
        }
        let path = req.uri().path().to_owned();
        let etag = self.etag(&path).await;
        if let Some(if_none_match) = req.headers_mut().remove(IF_NONE_MATCH) {
            if let Some(etag) = etag
                .as_ref()
                .filter(|etag| cache::none_match(&if_none_match, etag))
            {
                return revalidated(&path, etag.clone());
            }
            // RFC 9110: a server that evaluates If-None-Match must ignore
            // If-Modified-Since, which ServeDir would otherwise answer.
            req.headers_mut().remove(IF_MODIFIED_SINCE);
        }
        let mut response = match self.dir.clone().oneshot(req).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        match response.status() {
            StatusCode::NOT_FOUND if page => not_built(),
            StatusCode::NOT_FOUND => not_found(),
            status if status.is_success() || status == StatusCode::NOT_MODIFIED => {
                let headers = response.headers_mut();
                headers.insert(CACHE_CONTROL, cache::cache_control(&path));
                if let Some(etag) = etag {
                    headers.insert(ETAG, etag);
                }
                response
            }
            _ => response,
        }
    }

    /// The ETag of the file at `path`, when it is a plain file.
    async fn etag(&self, path: &str) -> Option<HeaderValue> {
        let file = cache::file_below(&self.root, path)?;
        let metadata = tokio::fs::metadata(file).await.ok()?;
        metadata.is_file().then(|| cache::etag(&metadata)).flatten()
    }
}

/// 304: the browser's copy of `path` is current.
fn revalidated(path: &str, etag: HeaderValue) -> Response {
    let headers = [(CACHE_CONTROL, cache::cache_control(path)), (ETAG, etag)];
    (StatusCode::NOT_MODIFIED, headers).into_response()
}

fn not_built() -> Response {
    html(StatusCode::OK, NOT_BUILT)
}

fn not_found() -> Response {
    html(StatusCode::NOT_FOUND, NOT_FOUND)
}

/// A short page of ours; `no-cache`, since a build may add the file later.
fn html(status: StatusCode, body: &'static str) -> Response {
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static(cache::NO_CACHE)),
    ];
    (status, headers, body).into_response()
}

/// The router's fallback: JSON 404 for unknown API and socket paths, the
/// app's files and pages for everything else.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    let reserved = ["/api", "/ws", "/healthz"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")));
    if reserved {
        return AppError::NotFound(format!("there is no route {path}")).into_response();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return AppError::MethodNotAllowed.into_response();
    }
    state.static_files.serve(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_pages_and_their_sub_paths_are_pages() {
        for path in [
            "/",
            "/kiosk",
            "/kiosk/",
            "/kiosk/cart",
            "/kitchen/grill/2",
            "/pair",
            "/setup/",
            "/admin/menu",
            "/manager",
        ] {
            assert!(is_app_page(path), "{path}");
        }
    }

    #[test]
    fn other_paths_are_not_pages() {
        for path in [
            "/robots.txt",
            "/nope.png",
            "/kiosks",
            "/kiosk.png",
            "/kitchenette/x",
            "/index.html",
            "/favicon.ico",
            "//kiosk",
            "",
        ] {
            assert!(!is_app_page(path), "{path}");
        }
    }
}
