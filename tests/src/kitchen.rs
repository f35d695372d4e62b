//! The kitchen display (`/kitchen`) as the tests read it: every ticket in
//! one snapshot, taken by a single script so a re-render cannot tear it.

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::Browser;

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
