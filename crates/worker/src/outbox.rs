//! The worker's part of the outbox: it drains the queue the pages fill
//! ([`ticketrail_outbox::drain`]) on every trigger, and tells every page
//! (`{type: "outbox"}`) when the queue changed so they re-read it: at once
//! after a quiet spell, then at most every [`TELL_EVERY_MS`] while a long
//! queue drains, with a last message after the last change.

use std::cell::Cell;

use js_sys::{Object, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ClientQueryOptions, ClientType, ServiceWorkerGlobalScope};

/// The shortest gap between two messages to the pages. Each one costs the
/// worker a lookup of its pages and every page a read of the queue, and
/// a drain changes the queue every few milliseconds.
const TELL_EVERY_MS: f64 = 100.0;

thread_local! {
    /// When the pages were last told.
    static TOLD_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    /// A message is already set for later.
    static TELL_LATER: Cell<bool> = const { Cell::new(false) };
}

/// Drains the outbox; resolves when there is nothing more to send now.
pub async fn drain() -> Result<(), JsValue> {
    ticketrail_outbox::drain(queue_changed).await
}

/// Tells the pages now, or sets one message for when [`TELL_EVERY_MS`]
/// has passed (changes meanwhile ride on it).
fn queue_changed() {
    if TELL_LATER.get() {
        return;
    }
    let now = js_sys::Date::now();
    let wait = TOLD_AT.get() + TELL_EVERY_MS - now;
    if wait <= 0.0 {
        tell_now();
        return;
    }
    let Ok(scope) = js_sys::global().dyn_into::<ServiceWorkerGlobalScope>() else {
        return;
    };
    let later = Closure::once_into_js(|| {
        TELL_LATER.set(false);
        tell_now();
    });
    let set = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
        later.unchecked_ref(),
        // At most TELL_EVERY_MS: the cast cannot truncate.
        wait.ceil() as i32,
    );
    match set {
        Ok(_) => TELL_LATER.set(true),
        // No timer: tell now rather than never.
        Err(_) => tell_now(),
    }
}

fn tell_now() {
    TOLD_AT.set(js_sys::Date::now());
    wasm_bindgen_futures::spawn_local(tell_pages());
}

/// Tells every page of this origin that the queue changed.
async fn tell_pages() {
    let Ok(scope) = js_sys::global().dyn_into::<ServiceWorkerGlobalScope>() else {
        return;
    };
    let options = ClientQueryOptions::new();
    options.set_include_uncontrolled(true);
    options.set_type(ClientType::Window);
    let Ok(clients) = JsFuture::from(scope.clients().match_all_with_options(&options)).await else {
        return;
    };
    let message = Object::new();
    if Reflect::set(&message, &"type".into(), &"outbox".into()).is_err() {
        return;
    }
    for client in js_sys::Array::from(&clients).iter() {
        if let Ok(client) = client.dyn_into::<web_sys::Client>() {
            // A page that went away meanwhile misses nothing it needs: it
            // reads the queue when it opens.
            let _ = client.post_message(&message);
        }
    }
}
