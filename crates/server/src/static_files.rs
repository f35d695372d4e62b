//! Serving the built PWA from `--dist`, with the single-page-app fallback:
//! any GET that is not an API, socket or health route and not a file gets
//! `index.html`, so deep links such as `/kiosk` and `/kitchen` load the app.
//!
//! `index.html` and the service worker are sent with `Cache-Control:
//! no-cache` so a browser always revalidates them; they are what points it
//! at a new build. Unknown `/api` and `/ws` paths get a JSON 404 instead.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::AppError;
use crate::AppState;

/// Shown when `--dist` has no `index.html`.
const NOT_BUILT: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Ticketrail</title></head><body>\n<h1>The Ticketrail app is not built</h1>\n\
<p>The server is running and its API works, but there is no built app to serve. \
Run <code>cargo xtask build</code> (or <code>cargo xtask demo</code>) and reload.</p>\n\
</body></html>\n";

/// The files of the built app.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    dir: ServeDir,
    index: PathBuf,
}

impl StaticFiles {
    /// Serves files below `dist`.
    pub fn new(dist: &Path) -> Self {
        Self {
            dir: ServeDir::new(dist),
            index: dist.join("index.html"),
        }
    }

    /// A file, or `index.html` when there is none at the path.
    async fn serve(&self, req: Request) -> Response {
        let path = req.uri().path().to_owned();
        let response = match self.dir.clone().oneshot(req).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        if response.status() == StatusCode::NOT_FOUND {
            return self.index().await;
        }
        if path.ends_with('/') || path.ends_with("/index.html") || path.ends_with("/sw.js") {
            return no_cache(response);
        }
        response
    }

    async fn index(&self) -> Response {
        let body = match tokio::fs::read(&self.index).await {
            Ok(bytes) => Body::from(bytes),
            Err(error) => {
                tracing::debug!(%error, "no index.html to serve");
                Body::from(NOT_BUILT)
            }
        };
        let response = (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response();
        no_cache(response)
    }
}

fn no_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The router's fallback: JSON 404 for unknown API and socket paths, the
/// app for everything else.
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
