//! What the bench runs inside the two pages: on the kiosk, the order POST
//! (the request the kiosk app sends, `crates/app/src/api/orders.rs`) with
//! its start stamped just before `fetch`; on the kitchen, a probe that
//! stamps when each new ticket was inserted and painted. Every stamp is
//! `performance.timeOrigin + performance.now()`: epoch ms from the machine's
//! clock, which the two browsers share, so stamps of the two pages compare.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketrail_e2e::Browser;
use ticketrail_protocol::{Order, OrderItemRequest};

/// How long the kitchen may take to show a ticket or a status change
/// before the run fails (well inside WebDriver's 15 s script timeout).
const KITCHEN_TIMEOUT_MS: u32 = 10_000;

/// How long the kitchen must have shown everything the bench did before
/// the next order is sent. After a socket flushes, the server holds that
/// socket's next events for 20 ms (`COALESCE` in
/// `crates/server/src/ws/session.rs`); the flush came before the kitchen
/// showed the change, so after this quiet spell the next order is not
/// held behind the previous event and is measured alone.
const QUIET_MS: u32 = 30;

/// `POST /api/orders/` like the kiosk: its device token as the bearer
/// credential, a fresh `client_order_id` that is also the
/// `Idempotency-Key`, the device clock as `placed_at`. The body is
/// serialised before the start stamp, so the sample is the request alone.
const PLACE_JS: &str = r#"
const [token, outletId, items, done] = arguments;
const order = {
  client_order_id: crypto.randomUUID(),
  outlet_id: outletId,
  items,
  master_version: null,
  placed_at: new Date().toISOString(),
};
const body = JSON.stringify(order);
const start = performance.timeOrigin + performance.now();
fetch('/api/orders/', {
  method: 'POST',
  headers: {
    'Authorization': `Bearer ${token}`,
    'Content-Type': 'application/json',
    'Idempotency-Key': order.client_order_id,
  },
  body,
})
  .then(async (response) => {
    const answered = performance.timeOrigin + performance.now();
    done({ start, answered, status: response.status, body: await response.text() });
  })
  .catch((error) => done({ error: String(error) }));
"#;

/// Installs (once per document) a MutationObserver over the whole page.
/// When a ticket element with an order id it has not seen is inserted, it
/// stamps `inserted` (the observer's microtask, right after the app's DOM
/// write), then `frame` in the next requestAnimationFrame callback, then
/// `painted` in a task posted from that callback, which runs once the
/// browser has finished that frame's style, layout and paint. Painted
/// tickets are kept in the order they were painted; tickets on the board
/// when it is installed count as seen and are not kept.
const PROBE_JS: &str = r#"
if (window.__feedBench) return;
const TICKET = '[data-testid="ticket"]';
const now = () => performance.timeOrigin + performance.now();
const painted = [];
let waiters = [];
const seen = new Set();
const record = (id) => {
  const inserted = now();
  requestAnimationFrame(() => {
    const frame = now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      painted.push({ id, inserted, frame, painted: now() });
      const due = waiters.filter((waiter) => waiter.index < painted.length);
      waiters = waiters.filter((waiter) => waiter.index >= painted.length);
      due.forEach((waiter) => waiter.done(painted[waiter.index]));
    };
    channel.port2.postMessage(null);
  });
};
const scan = (node) => {
  const tickets = node.matches(TICKET) ? [node] : Array.from(node.querySelectorAll(TICKET));
  for (const ticket of tickets) {
    const id = ticket.getAttribute('data-order-id');
    if (id !== null && !seen.has(id)) {
      seen.add(id);
      record(id);
    }
  }
};
document.querySelectorAll(TICKET).forEach((ticket) => seen.add(ticket.getAttribute('data-order-id')));
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE) scan(node);
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
window.__feedBench = {
  painted,
  wait: (index, done) => waiters.push({ index, done }),
  cancel: (done) => { waiters = waiters.filter((waiter) => waiter.done !== done); },
};
"#;

/// Hands the callback the id and stamps of the ticket painted
/// `arguments[0]`-th (from 0) since the probe was installed: at once if it
/// was, else when it is; `null` after `arguments[1]` ms.
const PAINTED_JS: &str = r#"
const [index, timeoutMs, done] = arguments;
const probe = window.__feedBench;
if (!probe) return done({ error: 'the paint probe is not installed' });
if (index < probe.painted.length) return done(probe.painted[index]);
const timer = setTimeout(() => {
  probe.cancel(finish);
  done(null);
}, timeoutMs);
const finish = (entry) => {
  clearTimeout(timer);
  done(entry);
};
probe.wait(index, finish);
"#;

/// Waits until every `[id, status]` of `arguments[0]` holds on the board
/// (`status` null: the ticket is gone), then until `arguments[2]` ms have
/// passed and one more frame was rendered; hands the callback `true`, or
/// what it saw after `arguments[1]` ms.
const BOARD_JS: &str = r#"
const [expected, timeoutMs, quietMs, done] = arguments;
const deadline = performance.now() + timeoutMs;
const seen = () => expected.map(([id, status]) => {
  const ticket = document.querySelector(`[data-testid="ticket"][data-order-id="${CSS.escape(id)}"]`);
  return [id, status, ticket ? ticket.getAttribute('data-status') : null];
});
const check = () => {
  const now = seen();
  if (now.every(([, want, got]) => want === got)) {
    const shown = performance.now();
    const quiet = () => {
      if (performance.now() - shown >= quietMs) done(true);
      else requestAnimationFrame(quiet);
    };
    requestAnimationFrame(quiet);
  } else if (performance.now() > deadline) {
    done(now);
  } else {
    setTimeout(check, 5);
  }
};
check();
"#;

/// How far the page's epoch clock (`timeOrigin + now()`) is from its
/// `Date.now()`, median of 21 readings; ms.
const CLOCK_JS: &str = r#"
const offsets = [];
for (let i = 0; i < 21; i += 1) {
  offsets.push(performance.timeOrigin + performance.now() - Date.now());
}
offsets.sort((a, b) => a - b);
return offsets[10];
"#;

/// One order as the kiosk page sent it.
pub struct Placed {
    /// Epoch ms just before `fetch`.
    pub start: f64,
    /// Epoch ms when the response headers arrived.
    pub answered: f64,
    /// The server's order.
    pub order: Order,
}

/// The probe's stamps of one ticket, epoch ms.
#[derive(Debug, Clone, Deserialize)]
pub struct Stamps {
    /// The ticket's order id.
    pub id: String,
    /// The ticket element was in the DOM.
    pub inserted: f64,
    /// The next animation frame began.
    pub frame: f64,
    /// That frame was rendered.
    pub painted: f64,
}

/// What [`PLACE_JS`] hands back.
#[derive(Deserialize)]
struct PlaceAnswer {
    start: Option<f64>,
    answered: Option<f64>,
    status: Option<u16>,
    body: Option<String>,
    error: Option<String>,
}

/// Sends one order for `outlet_id` with `items` from the kiosk page, with
/// the kiosk's `token`.
pub async fn place(
    kiosk: &Browser,
    token: &str,
    outlet_id: &str,
    items: &[OrderItemRequest],
) -> Result<Placed> {
    let answer = kiosk
        .execute_async_with(PLACE_JS, vec![json!(token), json!(outlet_id), json!(items)])
        .await?;
    let answer: PlaceAnswer =
        serde_json::from_value(answer).context("decoding the kiosk page's POST report")?;
    if let Some(error) = answer.error {
        bail!("POST /api/orders/ failed in the kiosk page: {error}");
    }
    let body = answer.body.unwrap_or_default();
    let (Some(start), Some(answered), Some(201)) = (answer.start, answer.answered, answer.status)
    else {
        bail!(
            "POST /api/orders/ answered {:?} (201 expected): {body}",
            answer.status
        );
    };
    let order = serde_json::from_str(&body)
        .with_context(|| format!("decoding the order the server returned: {body}"))?;
    Ok(Placed {
        start,
        answered,
        order,
    })
}

/// Installs the paint probe in the kitchen's current document.
pub async fn install_probe(kitchen: &Browser) -> Result<()> {
    kitchen.execute(PROBE_JS).await?;
    Ok(())
}

/// Waits for the `index`-th (from 0) ticket painted on the kitchen since
/// the probe was installed. Called before the order is sent, the script
/// is already waiting in the page when the ticket arrives, so no WebDriver
/// call competes with the kitchen's rendering.
pub async fn painted(kitchen: &Browser, index: usize) -> Result<Stamps> {
    let answer = kitchen
        .execute_async_with(PAINTED_JS, vec![json!(index), json!(KITCHEN_TIMEOUT_MS)])
        .await?;
    if answer.is_null() {
        bail!(
            "new ticket number {} was not painted on the kitchen within {KITCHEN_TIMEOUT_MS} ms",
            index + 1
        );
    }
    if let Some(error) = answer.get("error") {
        bail!("kitchen page: {error}");
    }
    serde_json::from_value(answer).context("decoding the kitchen probe's stamps")
}

/// Waits until the kitchen shows each `(order id, status)` (`None`: no
/// ticket), then for [`QUIET_MS`] and a rendered frame.
pub async fn settle(kitchen: &Browser, expected: &[(String, Option<&str>)]) -> Result<()> {
    let args = vec![json!(expected), json!(KITCHEN_TIMEOUT_MS), json!(QUIET_MS)];
    let answer: Value = kitchen.execute_async_with(BOARD_JS, args).await?;
    if answer != Value::Bool(true) {
        bail!(
            "the kitchen did not show [id, wanted status, shown status] {answer} within \
             {KITCHEN_TIMEOUT_MS} ms"
        );
    }
    Ok(())
}

/// The page's epoch clock minus its `Date.now()`, ms.
pub async fn clock_offset(page: &Browser) -> Result<f64> {
    let offset = page.execute(CLOCK_JS).await?;
    offset
        .as_f64()
        .with_context(|| format!("the clock check returned {offset}"))
}
