//! Ticketrail's service worker, in Rust. `www/sw.js` is a small classic
//! script that loads this module (wasm-bindgen `no-modules` build) and
//! forwards every event to the `on_*` functions here; all decisions live in
//! this crate.
//!
//! It keeps one cache per build (`ticketrail-shell-<build>`) holding the app
//! shell, so a kiosk or kitchen screen starts with the server down, and a new
//! build replaces the old cache when it activates. It also sends the
//! outbox: every order and kitchen action the pages queued ([`outbox`]).

mod handlers;
mod outbox;
pub mod routing;
pub mod shell;

use std::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::{ExtendableEvent, ExtendableMessageEvent, FetchEvent};

/// What `sw.js` tells the module once it is loaded.
#[derive(Debug, Clone)]
struct Config {
    /// Name of this build's shell cache.
    cache_name: String,
    /// Build version stamped into `sw.js` at build time.
    build_version: String,
    /// URL `sw.js` loaded this module's wasm from; precached so a restart
    /// of the worker without network still finds it.
    worker_wasm_url: String,
}

thread_local! {
    // A service worker is single-threaded; `configure` runs before any event
    // is forwarded, because `sw.js` chains every handler on its start-up.
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
}

fn config() -> Result<Config, JsValue> {
    CONFIG
        .with(|config| config.borrow().clone())
        .ok_or_else(|| JsValue::from_str("ticketrail-worker: configure() was not called"))
}

/// Records the build version and the worker's own wasm URL. `sw.js` calls
/// this once, right after the module is instantiated.
#[wasm_bindgen]
pub fn configure(build_version: String, worker_wasm_url: String) {
    let config = Config {
        cache_name: shell::cache_name(&build_version),
        build_version,
        worker_wasm_url,
    };
    CONFIG.with(|slot| *slot.borrow_mut() = Some(config));
}

/// `install`: precaches this build's shell; the promise is for
/// `event.waitUntil`, and a rejection makes the browser retry the install
/// later instead of activating a worker with an incomplete cache.
#[wasm_bindgen]
pub fn on_install(_event: ExtendableEvent) -> Promise {
    wasm_bindgen_futures::future_to_promise(async {
        let result = match config() {
            Ok(config) => handlers::install(&config).await,
            Err(err) => Err(err),
        };
        logged("precaching the app shell failed", result)
    })
}

/// `activate`: deletes the shell caches of older builds and takes control of
/// open pages; the promise is for `event.waitUntil`.
#[wasm_bindgen]
pub fn on_activate(_event: ExtendableEvent) -> Promise {
    wasm_bindgen_futures::future_to_promise(async {
        let result = match config() {
            Ok(config) => handlers::activate(&config).await,
            Err(err) => Err(err),
        };
        logged("activating the new build failed", result)
    })
}

/// `fetch`: a promise of the response for `event.respondWith`, or
/// `undefined` when the browser should handle the request itself.
#[wasm_bindgen]
pub fn on_fetch(event: FetchEvent) -> Option<Promise> {
    match config() {
        Ok(config) => handlers::respond(&config, event.request()),
        // Without a configuration there is no cache to answer from.
        Err(_) => None,
    }
}

/// `message`: `{type: "drain"}` sends what the outbox holds (the promise is
/// for `event.waitUntil`); `{type: "version"}` is answered on the message's
/// port with this worker's build and cache name. Throws (so
/// `event.waitUntil` rejects) when a request cannot be answered.
#[wasm_bindgen]
pub fn on_message(event: ExtendableMessageEvent) -> Result<Promise, JsValue> {
    if handlers::message_type(&event).as_deref() == Some("drain") {
        return Ok(drain_promise());
    }
    handlers::message(&config()?, &event).map(|()| Promise::resolve(&JsValue::UNDEFINED))
}

/// `sync` (Background Sync, where the browser has it) and the worker's
/// start: sends what the outbox holds. The promise is for
/// `event.waitUntil`; it rejects when the outbox cannot be read, so the
/// browser retries the sync later.
#[wasm_bindgen]
pub fn on_sync() -> Promise {
    drain_promise()
}

fn drain_promise() -> Promise {
    wasm_bindgen_futures::future_to_promise(async {
        logged("sending the order queue failed", outbox::drain().await)
    })
}

/// Logs a failed lifecycle step to the worker's console (the browser only
/// says "install failed") and passes the outcome on to `event.waitUntil`.
fn logged(context: &str, result: Result<(), JsValue>) -> Result<JsValue, JsValue> {
    result.map(|()| JsValue::UNDEFINED).inspect_err(|err| {
        web_sys::console::error_2(
            &JsValue::from_str(&format!("ticketrail-worker: {context}")),
            err,
        );
    })
}
