//! Registers `/sw.js`, the service worker that keeps the app shell available
//! offline. Registration failing (an insecure origin, a browser without
//! service workers) only costs offline start-up, so it is logged, never fatal.

use leptos::logging::warn;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Script URL of the service worker; it must sit at the root so its scope
/// covers `/kiosk` and `/kitchen`.
const SCRIPT_URL: &str = "/sw.js";

/// Starts registration in the background and returns at once.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `navigator.serviceWorker` is undefined outside secure contexts (plain
    // http on a LAN address); calling into it would throw.
    let supported =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !supported {
        warn!("service workers are unavailable here; the app will not start offline");
        return;
    }
    let registration = navigator.service_worker().register(SCRIPT_URL);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = JsFuture::from(registration).await {
            warn!("service worker registration failed: {err:?}");
        }
    });
}
