//! Draining the outbox: sending the queued writes to the outlet server one
//! at a time, in order, each with its idempotency key, following the core's
//! rules through the IndexedDB adapter ([`Outbox`]).
//!
//! The service worker drains on every trigger (`sync`, its start, a page's
//! `{type: "drain"}` message). A page with no active service worker (a
//! plain-http LAN address has none; a first visit whose install failed has
//! none yet) drains itself with the same code. A drain loops: lease the
//! head (and the entries after it, ahead), send it, settle the result,
//! until the queue is empty or its head is not due; then it sets a timer
//! for when the head is due. While sends are delivered, the next request
//! goes out the moment the last one is answered, and the delivered ones are
//! settled in IndexedDB together while the last one leased ahead is out
//! (see [`ticketrail_core::outbox::lease_after`]). Triggers that
//! arrive while this context drains only ask it to look once more when it
//! is done; the lease in IndexedDB, not this flag, is what keeps two
//! senders (a page and the worker, two tabs, a restarted worker) from
//! sending the same entry at once. After every settled send `on_settled`
//! runs (the worker tells the pages to re-read the queue).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use futures_util::future::join;
use js_sys::{Function, Reflect};
use ticketrail_core::outbox::{
    classify, may_send, Class, Entry, Next, Sent, Settle, Write, SEND_TIMEOUT_MS,
};
use ticketrail_protocol::{ErrorBody, Order};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::{Outbox, Settled, Taken};

/// How long acks are kept for pages that were closed while their write
/// was sent.
const KEEP_ACKS_MS: f64 = 24.0 * 3_600_000.0;

thread_local! {
    static DRAINING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The timer set for the head's next due time, and that time.
    static WAKE: RefCell<Option<(JsValue, f64)>> = const { RefCell::new(None) };
}

/// Drains the outbox; resolves when this context has nothing more to send
/// now. `on_settled` runs after every settled send. Errors are the
/// storage's (the queue is untouched by them).
pub async fn drain(on_settled: fn()) -> Result<(), JsValue> {
    if DRAINING.with(|draining| draining.replace(true)) {
        AGAIN.with(|again| again.set(true));
        return Ok(());
    }
    let result = drain_until_idle(on_settled).await;
    DRAINING.with(|draining| draining.set(false));
    result
}

async fn drain_until_idle(on_settled: fn()) -> Result<(), JsValue> {
    let outbox = Outbox::open().await.map_err(to_js)?;
    // An unpaired screen sends nothing: its writes wait, in order, for the
    // credential a pairing stores (the page then asks for a drain).
    let Some(credential) = outbox.credential().await.map_err(to_js)? else {
        return Ok(());
    };
    let token = credential.token.as_str();
    let holder = format!("sender-{:.0}", js_sys::Math::random() * 1e15);
    AGAIN.with(|again| again.set(false));
    let mut taken = outbox
        .lease_next(&holder, js_sys::Date::now())
        .await
        .map_err(to_js)?;
    loop {
        match taken.next {
            Next::Send(entry) => {
                taken = send_run(&outbox, &holder, token, *entry, taken.ahead, on_settled).await?;
                continue;
            }
            Next::WaitUntil(at) => wake_at(at, on_settled)?,
            Next::Idle => {}
        }
        // A trigger came while this drain ran: look once more.
        if !AGAIN.with(|again| again.replace(false)) {
            break;
        }
        taken = outbox
            .lease_next(&holder, js_sys::Date::now())
            .await
            .map_err(to_js)?;
    }
    outbox
        .forget_acks(js_sys::Date::now() - KEEP_ACKS_MS)
        .await
        .map_err(to_js)
}

/// Sends `entry`, then, for as long as each send is delivered and the
/// entry after it is leased ahead, the next one at once. The delivered
/// ones are settled together while the last entry leased ahead is on its
/// way, leasing the next ones; at the end the rest is settled, the leases
/// ahead are given back and the head is leased anew.
async fn send_run(
    outbox: &Outbox,
    holder: &str,
    token: &str,
    mut entry: Entry,
    ahead: Vec<Entry>,
    on_settled: fn(),
) -> Result<Taken, JsValue> {
    let mut ahead = VecDeque::from(ahead);
    // Sends answered and not yet settled, in queue order.
    let mut finished: Vec<(u64, Answer)> = Vec::new();
    let mut answer = send(&entry.write, token).await;
    loop {
        let now = js_sys::Date::now();
        let delivered = matches!(
            &answer.0,
            Sent::Answer { status, .. } if classify(*status) == Class::Delivered
        );
        let following = match ahead.front() {
            Some(following) if delivered && may_send(following, holder, now) => ahead.pop_front(),
            _ => None,
        };
        let Some(following) = following else {
            break;
        };
        finished.push((entry.seq, answer));
        entry = following;
        if !ahead.is_empty() {
            answer = send(&entry.write, token).await;
            continue;
        }
        let sent = settled(holder, &finished);
        let (settled, next_answer) = join(
            outbox.settle_then_lease_after(&sent, entry.seq, now, js_sys::Math::random()),
            send(&entry.write, token),
        )
        .await;
        ahead = settled.map_err(to_js)?.1.into();
        finished.clear();
        on_settled();
        answer = next_answer;
    }
    let ahead = Vec::from(ahead);
    let last = entry.seq;
    finished.push((last, answer));
    let sent = settled(holder, &finished);
    let (settles, taken) = outbox
        .settle_then_lease(&sent, &ahead, js_sys::Date::now(), js_sys::Math::random())
        .await
        .map_err(to_js)?;
    if let (Some((_, (Sent::NoAnswer(reason), _))), Some(Settle::Store(_))) =
        (finished.last(), settles.last())
    {
        log(&format!("sending queued write {last} failed: {reason}"));
    }
    on_settled();
    Ok(taken)
}

/// A send's result and the server's order of a 2xx.
type Answer = (Sent, Option<Order>);

/// The finished sends `answers` of `holder`, to settle.
fn settled<'a>(holder: &'a str, answers: &'a [(u64, Answer)]) -> Vec<Settled<'a>> {
    answers
        .iter()
        .map(|(seq, (result, order))| Settled {
            seq: *seq,
            holder,
            result,
            order: order.as_ref(),
        })
        .collect()
}

/// Sends one write; the server's order comes back with a 2xx.
async fn send(write: &Write, token: &str) -> Answer {
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
    match post(&url, &body, key, token).await {
        Ok(response) => read_answer(response).await,
        Err(err) => (Sent::NoAnswer(describe(&err)), None),
    }
}

/// `POST url` with a JSON body, the screen's credential (and
/// `Idempotency-Key`), abandoned after [`SEND_TIMEOUT_MS`].
async fn post(url: &str, body: &str, key: Option<&str>, token: &str) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set("Authorization", &format!("Bearer {token}"))?;
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
    let timer = set_timeout(
        Closure::once_into_js(move || cancel.abort()),
        SEND_TIMEOUT_MS,
    )?;
    let fetching =
        global_function("fetch")?.call2(&js_sys::global(), &JsValue::from_str(url), &init)?;
    let response = JsFuture::from(js_sys::Promise::from(fetching)).await;
    clear_timeout(&timer);
    response?.dyn_into()
}

/// What the server's answer means: its status, the order of a 2xx, the
/// contract's error of anything else.
async fn read_answer(response: Response) -> Answer {
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
fn wake_at(at: f64, on_settled: fn()) -> Result<(), JsValue> {
    let same = WAKE.with(|wake| {
        wake.borrow()
            .as_ref()
            .is_some_and(|(_, set_for)| *set_for == at)
    });
    if same {
        return Ok(());
    }
    if let Some((handle, _)) = WAKE.with(|wake| wake.borrow_mut().take()) {
        clear_timeout(&handle);
    }
    let fire = Closure::once_into_js(move || {
        WAKE.with(|wake| wake.borrow_mut().take());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = drain(on_settled).await {
                log(&format!(
                    "draining the order queue failed: {}",
                    describe(&err)
                ));
            }
        });
    });
    let handle = set_timeout(fire, at - js_sys::Date::now())?;
    WAKE.with(|wake| *wake.borrow_mut() = Some((handle, at)));
    Ok(())
}

/// The global scope's function `name` (`fetch`, `setTimeout`): a window and
/// a worker both have them, under different web-sys types.
fn global_function(name: &str) -> Result<Function, JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))?.dyn_into()
}

/// `setTimeout(callback, ms)`; the handle is for [`clear_timeout`].
fn set_timeout(callback: JsValue, ms: f64) -> Result<JsValue, JsValue> {
    let ms = ms.clamp(0.0, f64::from(i32::MAX));
    global_function("setTimeout")?.call2(&js_sys::global(), &callback, &JsValue::from_f64(ms))
}

fn clear_timeout(handle: &JsValue) {
    if let Ok(clear) = global_function("clearTimeout") {
        // Clearing a timer that already fired is a no-op.
        let _ = clear.call1(&js_sys::global(), handle);
    }
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
    web_sys::console::warn_1(&JsValue::from_str(&format!("ticketrail-outbox: {text}")));
}
