//! Draining the outbox: the worker sends the queued writes to the outlet
//! server one at a time, in order, each with its idempotency key, following
//! the core's rules through the IndexedDB adapter ([`ticketrail_outbox`]).
//!
//! A drain runs on every trigger (`sync`, the worker starting, a page's
//! `{type: "drain"}` message) and loops: lease the head, send it, settle
//! the result, until the queue is empty or its head is not due; then it
//! sets a timer for when the head is due. Triggers that arrive while this
//! worker drains only ask it to look once more when it is done; the lease
//! in IndexedDB, not this flag, is what keeps two senders (two tabs'
//! triggers, a restarted worker) from sending the same entry at once.
//! After every settled send the pages are told (`{type: "outbox"}`) so they
//! re-read the queue.

use std::cell::{Cell, RefCell};

use js_sys::{Object, Reflect};
use ticketrail_core::outbox::{Next, Sent, Settle, Write, SEND_TIMEOUT_MS};
use ticketrail_outbox::Outbox;
use ticketrail_protocol::{ErrorBody, Order};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ClientQueryOptions, ClientType, Headers, RequestInit, Response,
    ServiceWorkerGlobalScope,
};

/// How long acks are kept for pages that were closed while their write
/// was sent.
const KEEP_ACKS_MS: f64 = 24.0 * 3_600_000.0;

thread_local! {
    static DRAINING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The timer set for the head's next due time, and that time.
    static WAKE: RefCell<Option<(i32, f64)>> = const { RefCell::new(None) };
}

/// Drains the outbox; resolves when this worker has nothing more to send
/// now. Errors are the storage's (the queue is untouched by them).
pub async fn drain() -> Result<(), JsValue> {
    if DRAINING.with(|draining| draining.replace(true)) {
        AGAIN.with(|again| again.set(true));
        return Ok(());
    }
    let result = drain_until_idle().await;
    DRAINING.with(|draining| draining.set(false));
    result
}

async fn drain_until_idle() -> Result<(), JsValue> {
    let outbox = Outbox::open().await.map_err(to_js)?;
    let holder = format!("sw-{:.0}", js_sys::Math::random() * 1e15);
    loop {
        AGAIN.with(|again| again.set(false));
        match outbox
            .lease_next(&holder, js_sys::Date::now())
            .await
            .map_err(to_js)?
        {
            Next::Idle => {}
            Next::WaitUntil(at) => wake_at(at)?,
            Next::Send(entry) => {
                let (result, order) = send(&entry.write).await;
                let settled = outbox
                    .settle(
                        entry.seq,
                        &holder,
                        &result,
                        order.as_ref(),
                        js_sys::Date::now(),
                        js_sys::Math::random(),
                    )
                    .await
                    .map_err(to_js)?;
                if let (Sent::NoAnswer(reason), Settle::Store(_)) = (&result, &settled) {
                    log(&format!(
                        "sending queued write {} failed: {reason}",
                        entry.seq
                    ));
                }
                tell_pages().await;
                continue;
            }
        }
        if !AGAIN.with(Cell::get) {
            break;
        }
    }
    outbox
        .forget_acks(js_sys::Date::now() - KEEP_ACKS_MS)
        .await
        .map_err(to_js)
}

/// Sends one write; the server's order comes back with a 2xx.
async fn send(write: &Write) -> (Sent, Option<Order>) {
    let (url, body, key) = match write {
        Write::PlaceOrder { order, .. } => (
            "/api/orders/".to_owned(),
            serde_json::to_string(order),
            Some(order.client_order_id.as_str()),
        ),
        Write::ChangeStatus {
            order_id, change, ..
        } => (
            format!(
                "/api/orders/{}/status",
                String::from(js_sys::encode_uri_component(order_id))
            ),
            serde_json::to_string(change),
            None,
        ),
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => return (Sent::NoAnswer(format!("could not encode: {err}")), None),
    };
    match post(&url, &body, key).await {
        Ok(response) => read_answer(response).await,
        Err(err) => (Sent::NoAnswer(describe(&err)), None),
    }
}

/// `POST url` with a JSON body (and `Idempotency-Key`), abandoned after
/// [`SEND_TIMEOUT_MS`].
async fn post(url: &str, body: &str, key: Option<&str>) -> Result<Response, JsValue> {
    let scope = scope()?;
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    if let Some(key) = key {
        headers.set("Idempotency-Key", key)?;
    }
    let abort = AbortController::new()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&abort.signal()));
    let cancel = abort.clone();
    let timeout = Closure::once_into_js(move || cancel.abort());
    let timer = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
        timeout.unchecked_ref(),
        SEND_TIMEOUT_MS as i32,
    )?;
    let response = JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await;
    scope.clear_timeout_with_handle(timer);
    response?.dyn_into()
}

/// What the server's answer means: its status, the order of a 2xx, the
/// contract's error of anything else.
async fn read_answer(response: Response) -> (Sent, Option<Order>) {
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|text| text.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    if (200..300).contains(&status) {
        let answer = Sent::Answer {
            status,
            code: None,
            message: None,
        };
        return (answer, serde_json::from_str(&text).ok());
    }
    let error = serde_json::from_str::<ErrorBody>(&text).ok();
    let code = error.as_ref().and_then(|body| {
        serde_json::to_value(body.error.code)
            .ok()
            .and_then(|code| code.as_str().map(str::to_owned))
    });
    let message = match error {
        Some(body) => body.error.message,
        None if text.is_empty() => format!("HTTP {status}"),
        None => text,
    };
    (
        Sent::Answer {
            status,
            code,
            message: Some(message),
        },
        None,
    )
}

/// Sets the one timer for `at` (replacing one set for another time).
fn wake_at(at: f64) -> Result<(), JsValue> {
    let scope = scope()?;
    let same = WAKE.with(|wake| wake.borrow().is_some_and(|(_, set_for)| set_for == at));
    if same {
        return Ok(());
    }
    if let Some((handle, _)) = WAKE.with(|wake| wake.borrow_mut().take()) {
        scope.clear_timeout_with_handle(handle);
    }
    let fire = Closure::once_into_js(|| {
        WAKE.with(|wake| wake.borrow_mut().take());
        wasm_bindgen_futures::spawn_local(async {
            if let Err(err) = drain().await {
                log(&format!(
                    "draining the order queue failed: {}",
                    describe(&err)
                ));
            }
        });
    });
    let delay = (at - js_sys::Date::now()).clamp(0.0, f64::from(i32::MAX)) as i32;
    let handle =
        scope.set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), delay)?;
    WAKE.with(|wake| *wake.borrow_mut() = Some((handle, at)));
    Ok(())
}

/// Tells every page of this origin that the queue changed.
async fn tell_pages() {
    let Ok(scope) = scope() else {
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

fn scope() -> Result<ServiceWorkerGlobalScope, JsValue> {
    js_sys::global().dyn_into().map_err(JsValue::from)
}

fn to_js(err: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&err.to_string())
}

fn describe(err: &JsValue) -> String {
    err.as_string()
        .or_else(|| {
            Reflect::get(err, &"message".into())
                .ok()
                .and_then(|message| message.as_string())
        })
        .unwrap_or_else(|| "no answer".to_owned())
}

fn log(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("ticketrail-worker: {text}")));
}
