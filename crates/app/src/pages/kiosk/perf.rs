//! The kiosk's entries in the browser's performance timeline, for the
//! master-data benchmark (`cargo xtask bench masterdata`) and for anyone
//! profiling in DevTools. Read them with
//! `performance.getEntriesByName(NAME, "measure")`; `duration` is in
//! milliseconds and `detail` is a plain object.
//!
//! | name | from | to | `detail` |
//! |---|---|---|---|
//! | [`MENU_LOAD`] `ticketrail:menu-load` | the kiosk starts opening IndexedDB | the stored menu is in memory (open, layout check, read and replay of every record) | `{"products": n, "stored": bool, "rebuilt": bool}` (`stored`: IndexedDB usable; `rebuilt`: it had to be rebuilt) |
//! | [`MENU_SYNC`] `ticketrail:menu-sync` | a sync run starts | it ends, saved or failed (one entry per run) | `{"full": bool, "items": n, "pages": n, "ok": bool}` (`full`: started from nothing, a first download or a re-download; `items`: rows and tombstones received) |
//! | [`ORDER_QUEUED`] `ticketrail:order-queued` | the tap on "Place order" (or on the new total's confirm) | the confirmation says where the order stands (queued or sent), in the DOM | `{}` |
//! | [`SEARCH`] `ticketrail:search` | the search field's `input` event | the results for that query are in the DOM (checked after each microtask, so no frame wait is counted) | `{"query": "...", "results": n}` (`results`: matches in all, of which at most `search::SHOWN` (12) are shown); none for a blank query |
//!
//! Measuring never affects the kiosk: a browser without `performance` or
//! one that refuses an entry just gets none.

use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Opening and reading the stored menu at start.
pub const MENU_LOAD: &str = "ticketrail:menu-load";
/// One sync run with the outlet server.
pub const MENU_SYNC: &str = "ticketrail:menu-sync";
/// One search keystroke, until its results are on screen.
pub const SEARCH: &str = "ticketrail:search";
/// "Place order", until the confirmation shows the order queued.
pub const ORDER_QUEUED: &str = "ticketrail:order-queued";

/// The page's clock (`performance.now()`), where measures start and end.
pub fn now() -> f64 {
    performance().map_or(0.0, |performance| performance.now())
}

/// Records the measure `name` from `start` (a [`now`]) to now, carrying
/// `detail`.
pub fn measure(name: &str, start: f64, detail: &impl Serialize) {
    let Some(performance) = performance() else {
        return;
    };
    let end = performance.now();
    // `measure(name, {start, end, detail})` is User Timing Level 3, which
    // web-sys only exposes behind its unstable flag; calling it by name
    // keeps the build on stable bindings.
    let options = js_sys::Object::new();
    let detail = detail
        .serialize(&Serializer::json_compatible())
        .unwrap_or(JsValue::NULL);
    let fields = [
        ("start", JsValue::from_f64(start)),
        ("end", JsValue::from_f64(end)),
        ("detail", detail),
    ];
    for (key, value) in fields {
        if js_sys::Reflect::set(&options, &JsValue::from_str(key), &value).is_err() {
            return;
        }
    }
    let Some(measure) = js_sys::Reflect::get(&performance, &JsValue::from_str("measure"))
        .ok()
        .and_then(|function| function.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    // A refused entry costs only the number, never the kiosk.
    let _ = measure.call2(&performance, &JsValue::from_str(name), &options);
}

fn performance() -> Option<web_sys::Performance> {
    web_sys::window()?.performance()
}

/// Records the measure `name` from `started` once `selector` matches in the
/// DOM. Leptos renders in microtasks after a handler, so this checks
/// microtask by microtask, then frame by frame for a while should
/// rendering be deferred (the measure then ends at the frame that showed
/// it); it gives up silently after that.
pub async fn measure_when_shown(name: &str, started: f64, selector: &str) {
    for attempt in 0..MICROTASKS + FRAMES {
        let waited = if attempt < MICROTASKS {
            next_microtask().await
        } else {
            next_frame().await
        };
        if waited.is_err() {
            return;
        }
        let shown = document_has(selector);
        if shown {
            measure(name, started, &serde_json::json!({}));
            return;
        }
    }
}

/// Microtasks checked before waiting for frames.
pub const MICROTASKS: usize = 64;
/// Frames checked after that.
pub const FRAMES: usize = 120;

fn document_has(selector: &str) -> bool {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector(selector).ok().flatten())
        .is_some()
}

/// Resumes on the next microtask (an already-resolved promise).
pub async fn next_microtask() -> Result<JsValue, JsValue> {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await
}

/// Resumes at the next animation frame.
pub async fn next_frame() -> Result<JsValue, JsValue> {
    let frame = js_sys::Promise::new(&mut |resolve, reject| {
        let asked = web_sys::window()
            .map(|window| window.request_animation_frame(&resolve).is_ok())
            .unwrap_or(false);
        if !asked {
            // No frames to wait for: give up rather than hang.
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    JsFuture::from(frame).await
}
