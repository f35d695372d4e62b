//! How the worker answers each request the page makes. Pure: it sees only
//! the request's method, kind and URL parts, and is unit-tested natively.

/// The strategy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Not ours: the browser fetches it as if there were no worker. Live
    /// data (`/api`, `/ws`), other origins and writes are never cached.
    Passthrough,
    /// A page load: the network first so a deploy shows at once, the cached
    /// `index.html` when the server cannot be reached or does not answer
    /// within [`NAVIGATION_TIMEOUT_MS`].
    NetworkFirstShell,
    /// A static file: the build's cache first, the network on a miss.
    CacheFirst,
}

/// What the worker needs to know about a request to route it.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// HTTP method, upper case as the browser reports it.
    pub method: &'a str,
    /// True for a top-level page load (`request.mode == "navigate"`).
    pub is_navigation: bool,
    /// True when the URL has the worker's own origin.
    pub same_origin: bool,
    /// The URL's path, e.g. `/api/products/`.
    pub path: &'a str,
}

/// How long a page load waits for the outlet server before the cached
/// shell is served instead: a server that hangs (rather than refusing) must
/// not leave a kiosk on a blank screen. An outlet server on the LAN answers
/// in milliseconds when it is well.
pub const NAVIGATION_TIMEOUT_MS: i32 = 3_000;

/// Path prefixes that carry live data and must always reach the server.
const LIVE_PREFIXES: [&str; 3] = ["/api", "/ws", "/healthz"];

/// Picks the strategy for a request.
pub fn strategy(request: RequestFacts<'_>) -> Strategy {
    if request.method != "GET" || !request.same_origin || is_live(request.path) {
        Strategy::Passthrough
    } else if request.is_navigation {
        Strategy::NetworkFirstShell
    } else {
        Strategy::CacheFirst
    }
}

/// True for `/api`, `/api/...`, `/ws/...`, but not for `/apiary.png`.
fn is_live(path: &str) -> bool {
    LIVE_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> RequestFacts<'_> {
        RequestFacts {
            method: "GET",
            is_navigation: false,
            same_origin: true,
            path,
        }
    }

    #[test]
    fn live_data_is_never_touched() {
        for path in ["/api/products/", "/api", "/ws/outlet/1/", "/healthz"] {
            assert_eq!(strategy(get(path)), Strategy::Passthrough, "{path}");
            let navigation = RequestFacts {
                is_navigation: true,
                ..get(path)
            };
            assert_eq!(strategy(navigation), Strategy::Passthrough, "{path}");
        }
    }

    #[test]
    fn writes_and_other_origins_pass_through() {
        let post = RequestFacts {
            method: "POST",
            ..get("/ticketrail-app.js")
        };
        assert_eq!(strategy(post), Strategy::Passthrough);
        let foreign = RequestFacts {
            same_origin: false,
            ..get("/style.css")
        };
        assert_eq!(strategy(foreign), Strategy::Passthrough);
    }

    #[test]
    fn pages_go_network_first_and_files_cache_first() {
        let page = RequestFacts {
            is_navigation: true,
            ..get("/kitchen")
        };
        assert_eq!(strategy(page), Strategy::NetworkFirstShell);
        assert_eq!(strategy(get("/apiary.png")), Strategy::CacheFirst);
        assert_eq!(
            strategy(get("/ticketrail-app-1234abcd_bg.wasm")),
            Strategy::CacheFirst
        );
    }
}
