//! The worker's part of the outbox: it drains the queue the pages fill
//! ([`ticketrail_outbox::drain`]) on every trigger, and tells every page
//! (`{type: "outbox"}`) after each settled send so they re-read it.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ClientQueryOptions, ClientType, ServiceWorkerGlobalScope};

/// Drains the outbox; resolves when there is nothing more to send now.
pub async fn drain() -> Result<(), JsValue> {
    ticketrail_outbox::drain(|| wasm_bindgen_futures::spawn_local(tell_pages())).await
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
