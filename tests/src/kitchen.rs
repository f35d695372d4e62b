//! The kitchen display (`/kitchen`) as the tests read it: every ticket in
//! one snapshot, taken by a single script so a re-render cannot tear it;
//! what the board should show for the server's orders; when each ticket
//! arrived, timed inside the page; tapping a ticket on; and the orders and
//! status changes other devices send, straight to the server's API.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use ticketrail_protocol::{
    Order, OrderItemRequest, OrderStatus, PlaceOrder, StatusChange, Timestamp,
};

use crate::ui::REACT;
use crate::{wait, Browser, Server};

/// Any ticket.
pub const TICKET: &str = r#"[data-testid="ticket"]"#;
/// The empty state.
pub const NO_TICKETS: &str = r#"[data-testid="no-tickets"]"#;

/// The ticket of order `id`.
pub fn ticket(order_id: &str) -> String {
    format!(r#"[data-testid="ticket"][data-order-id="{order_id}"]"#)
}

/// The button that moves the ticket of order `id` on.
pub fn advance(order_id: &str) -> String {
    format!(r#"{} [data-testid="ticket-advance"]"#, ticket(order_id))
}

/// A ticket as shown. Texts are `textContent`, trimmed; absent parts are
/// `None` so a test can say which one is missing.
#[derive(Debug, Clone, Deserialize)]
pub struct Ticket {
    /// `data-order-id`.
    pub order_id: Option<String>,
    /// `data-status`.
    pub status: Option<String>,
    /// `data-age`.
    pub age: Option<String>,
    /// `ticket-number`.
    pub number: Option<String>,
    /// `ticket-total`.
    pub total: Option<String>,
    /// Every `ticket-item`, with the station group it sits in.
    pub items: Vec<TicketItem>,
}

/// One line of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TicketItem {
    /// `data-station` of the enclosing `ticket-station`, if any.
    pub station: Option<String>,
    /// `item-qty`.
    pub qty: Option<String>,
    /// `item-name`.
    pub name: Option<String>,
    /// `item-note`.
    pub note: Option<String>,
}

const TICKETS_JS: &str = r#"
const text = (root, id) => {
  const el = root.querySelector(`[data-testid="${id}"]`);
  return el ? el.textContent.trim() : null;
};
return Array.from(document.querySelectorAll('[data-testid="ticket"]')).map((ticket) => ({
  order_id: ticket.getAttribute('data-order-id'),
  status: ticket.getAttribute('data-status'),
  age: ticket.getAttribute('data-age'),
  number: text(ticket, 'ticket-number'),
  total: text(ticket, 'ticket-total'),
  items: Array.from(ticket.querySelectorAll('[data-testid="ticket-item"]')).map((item) => {
    const group = item.closest('[data-testid="ticket-station"]');
    return {
      station: group ? group.getAttribute('data-station') : null,
      qty: text(item, 'item-qty'),
      name: text(item, 'item-name'),
      note: text(item, 'item-note'),
    };
  }),
}));
"#;

/// Every ticket on the kitchen screen in `browser`, in document order.
pub async fn tickets(browser: &Browser) -> Result<Vec<Ticket>> {
    let value = browser.execute(TICKETS_JS).await?;
    serde_json::from_value(value).context("reading the tickets on the kitchen screen")
}

/// The longest a cancelled ticket may stay, as the board rules it
/// (`ticketrail_core::tickets::CANCELLED_VISIBLE_SECS`).
const CANCELLED_VISIBLE_SECS: i64 = ticketrail_core::tickets::CANCELLED_VISIBLE_SECS;

/// Seconds either side of [`CANCELLED_VISIBLE_SECS`] where a cancelled
/// ticket may or may not be on screen: the board re-reads its clock once a
/// second and the screen's clock is only corrected to the server's to
/// within a round trip.
const CANCELLED_SLACK_SECS: i64 = 3;

/// Where an order of the server belongs on a kitchen screen with no
/// station filter and nothing recalled (the board's rules, see
/// `ticketrail_core::tickets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// On screen once, with this `data-status`.
    Shown(&'static str),
    /// Not on screen (completed, or cancelled long ago).
    Hidden,
    /// A cancellation about [`CANCELLED_VISIBLE_SECS`] old: it may be just
    /// leaving; if shown, it must say cancelled.
    Leaving,
}

/// Where `order` belongs on the board at `now` (server clock).
pub fn expect(order: &Order, now: Timestamp) -> Expect {
    match order.status {
        OrderStatus::Pending | OrderStatus::Preparing | OrderStatus::Ready => {
            Expect::Shown(order.status.as_str())
        }
        OrderStatus::Completed => Expect::Hidden,
        OrderStatus::Cancelled => {
            let age = now.signed_duration_since(order.updated_at).num_seconds();
            if age < CANCELLED_VISIBLE_SECS - CANCELLED_SLACK_SECS {
                Expect::Shown(OrderStatus::Cancelled.as_str())
            } else if age < CANCELLED_VISIBLE_SECS + CANCELLED_SLACK_SECS {
                Expect::Leaving
            } else {
                Expect::Hidden
            }
        }
    }
}

/// Checks `tickets` (one screen's snapshot) against the server's `orders`
/// at `now`: no order twice, every order where it belongs with its number
/// and status, nothing the server does not know. The error lists every
/// difference, so a wait that times out on it says what was wrong.
pub fn check_board(tickets: &[Ticket], orders: &[Order], now: Timestamp) -> Result<()> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, &Ticket> = BTreeMap::new();
    for ticket in tickets {
        let id = ticket.order_id.as_deref().unwrap_or("<no data-order-id>");
        if seen.insert(id, ticket).is_some() {
            problems.push(format!("order {id} is shown twice"));
        }
    }
    for order in orders {
        let shown = seen.remove(order.id.as_str());
        let number = &order.order_number;
        match (expect(order, now), shown) {
            (Expect::Shown(status), Some(ticket)) => {
                if ticket.status.as_deref() != Some(status) {
                    problems.push(format!(
                        "order {number} shows {:?}, the server has {status}",
                        ticket.status
                    ));
                }
                if ticket.number.as_deref() != Some(number.as_str()) {
                    problems.push(format!("order {number} shows number {:?}", ticket.number));
                }
            }
            (Expect::Shown(status), None) => {
                problems.push(format!("order {number} ({status}) is missing"));
            }
            (Expect::Hidden, Some(ticket)) => problems.push(format!(
                "order {number} ({}) is shown as {:?}",
                order.status.as_str(),
                ticket.status
            )),
            (Expect::Leaving, Some(ticket)) if ticket.status.as_deref() != Some("cancelled") => {
                problems.push(format!(
                    "cancelled order {number} shows {:?}",
                    ticket.status
                ));
            }
            (Expect::Hidden | Expect::Leaving, _) => {}
        }
    }
    for id in seen.keys() {
        problems.push(format!(
            "order {id} is shown but the server has no such order"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("{}", problems.join("; "))
    }
}

/// What a screen shows that every screen must agree on: (order id, number,
/// status) of each ticket, sorted, leaving out cancellations that may be
/// just leaving at `now` (see [`Expect::Leaving`]).
pub fn agreed_view(
    tickets: &[Ticket],
    orders: &[Order],
    now: Timestamp,
) -> Vec<(String, String, String)> {
    let leaving: BTreeSet<&str> = orders
        .iter()
        .filter(|order| expect(order, now) == Expect::Leaving)
        .map(|order| order.id.as_str())
        .collect();
    let mut view: Vec<(String, String, String)> = tickets
        .iter()
        .filter(|ticket| !leaving.contains(ticket.order_id.as_deref().unwrap_or_default()))
        .map(|ticket| {
            (
                ticket.order_id.clone().unwrap_or_default(),
                ticket.number.clone().unwrap_or_default(),
                ticket.status.clone().unwrap_or_default(),
            )
        })
        .collect();
    view.sort();
    view
}

/// Records, inside the page, the moment (`Date.now()`, ms since the epoch)
/// each order's ticket first enters the DOM, so a test can time an arrival
/// to the millisecond instead of to its own polling interval. Lasts until
/// the page is reloaded; tickets already on screen count as arrived now.
const WATCH_ARRIVALS_JS: &str = r#"
if (window.__ticketrailArrivals) return;
const arrivals = new Map();
window.__ticketrailArrivals = arrivals;
const scan = () => {
  const now = Date.now();
  for (const ticket of document.querySelectorAll('[data-testid="ticket"]')) {
    const id = ticket.getAttribute('data-order-id');
    if (id !== null && !arrivals.has(id)) arrivals.set(id, now);
  }
};
new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
scan();
"#;

/// Starts recording ticket arrivals in `browser` (see [`arrival_ms`]).
pub async fn watch_arrivals(browser: &Browser) -> Result<()> {
    browser.execute(WATCH_ARRIVALS_JS).await?;
    Ok(())
}

/// When the ticket of `order_id` first entered the DOM (ms since the
/// epoch, the page's clock), or `None` while it has not; needs
/// [`watch_arrivals`] first.
pub async fn arrival_ms(browser: &Browser, order_id: &str) -> Result<Option<f64>> {
    let value = browser
        .execute_with(
            "const arrivals = window.__ticketrailArrivals; \
             if (!arrivals) throw new Error('watch_arrivals was not called on this page'); \
             const at = arrivals.get(arguments[0]); return at === undefined ? null : at;",
            vec![serde_json::json!(order_id)],
        )
        .await?;
    Ok(value.as_f64())
}

/// Waits until the ticket of `order` has entered the DOM of `browser` and
/// returns when it did (see [`arrival_ms`]).
pub async fn wait_arrival(browser: &Browser, order: &Order, timeout: Duration) -> Result<f64> {
    let what = format!("order {} on the kitchen", order.order_number);
    wait::until(&what, timeout, || arrival_ms(browser, &order.id)).await
}

/// Waits until `browser` shows `order` with its status; fails at once if
/// it shows the order twice.
pub async fn wait_status(browser: &Browser, order: &Order, timeout: Duration) -> Result<()> {
    let want = order.status.as_str();
    let what = format!("order {} to show {want}", order.order_number);
    wait::until(&what, timeout, || async {
        let tickets = tickets(browser).await?;
        let shown: Vec<&Ticket> = tickets
            .iter()
            .filter(|ticket| ticket.order_id.as_deref() == Some(order.id.as_str()))
            .collect();
        match shown.as_slice() {
            [] => Err(anyhow!("it is not on the screen")),
            [ticket] if ticket.status.as_deref() == Some(want) => Ok(Some(Ok(()))),
            [ticket] => Err(anyhow!("it shows {:?}", ticket.status)),
            _ => Ok(Some(Err(anyhow!(
                "{} tickets for order {}",
                shown.len(),
                order.order_number
            )))),
        }
    })
    .await?
}

/// Taps the button that moves `order` on to `to` and waits until the
/// screen shows it there (a completed ticket leaves the board).
pub async fn advance_to(browser: &Browser, order: &Order, to: OrderStatus) -> Result<()> {
    browser.click(&advance(&order.id)).await?;
    let card = ticket(&order.id);
    if to == OrderStatus::Completed {
        wait::until("the completed ticket to leave", REACT, || async {
            Ok((browser.count(&card).await? == 0).then_some(()))
        })
        .await
    } else {
        browser
            .wait_attr(&card, "data-status", to.as_str(), REACT)
            .await
    }
}

impl Server {
    /// Places an order of `items` for `outlet_id` through `POST
    /// /api/orders/`, as a kiosk would, and returns the stored order.
    pub async fn place_order(
        &self,
        outlet_id: &str,
        items: Vec<OrderItemRequest>,
    ) -> Result<Order> {
        let body = PlaceOrder {
            client_order_id: unique_id("order"),
            outlet_id: outlet_id.to_owned(),
            items,
            master_version: None,
            placed_at: std::time::SystemTime::now().into(),
        };
        let url = self.url("/api/orders/");
        let request = self
            .http()
            .post(&url)
            .header("Idempotency-Key", &body.client_order_id)
            .json(&body);
        answer(request, &url).await
    }

    /// Moves order `order_id` to `status` through `POST
    /// /api/orders/{id}/status`, as another screen would, and returns the
    /// stored order.
    pub async fn set_order_status(&self, order_id: &str, status: OrderStatus) -> Result<Order> {
        let body = StatusChange {
            status,
            request_id: unique_id("status"),
        };
        let url = self.url(&format!("/api/orders/{order_id}/status"));
        answer(self.http().post(&url).json(&body), &url).await
    }
}

/// An id no other request of this test process uses (ids only need to be
/// unique per server, and each test has its own server).
fn unique_id(kind: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("e2e-{kind}-{}-{next}", std::process::id())
}

/// Sends `request` and decodes the order it answers with, or says why not.
async fn answer(request: reqwest::RequestBuilder, url: &str) -> Result<Order> {
    let response = request.send().await?;
    let status = response.status();
    if !status.is_success() {
        bail!("POST {url} answered {status}: {}", response.text().await?);
    }
    response
        .json()
        .await
        .with_context(|| format!("decoding the answer of POST {url}"))
}
