//! The kiosk's cart: what the customer has picked so far, before it becomes
//! an order.
//!
//! The cart holds only product ids, quantities and notes, never prices: the
//! total is always [`price_order`] over the same request lines the kiosk
//! will send, so the running total on screen is the total the server will
//! charge (given the same menu and clock). Lines whose product vanished from
//! the menu or became inactive stay in the cart, flagged in the [`Quote`]
//! (so the customer sees what happened), and are left out of both the total
//! and the request until the customer removes them, or the kiosk takes them
//! out with [`Cart::remove_unorderable`] when the menu changes under the
//! cart and tells the customer so.
//!
//! Every mutation keeps the protocol's limits (quantity 1..=99, at most
//! [`MAX_ORDER_LINES`] lines, notes of at most [`MAX_NOTE_CHARS`] characters
//! without control characters), so a cart can always be sent as it is.

use std::collections::BTreeMap;

use ticketrail_protocol::validate::{MAX_NOTE_CHARS, MAX_ORDER_LINES};
use ticketrail_protocol::{OrderItem, OrderItemRequest, Product, Promotion, Timestamp};

use crate::pricing::{price_order, PricingError};

/// Smallest quantity of a line; going lower means removing the line.
pub const MIN_QUANTITY: i64 = 1;
/// Largest quantity of a line the protocol accepts.
pub const MAX_QUANTITY: i64 = 99;

/// Identifies a line for the life of the cart, even as other lines come and
/// go (the UI keys its rows on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineId(u32);

/// One product in the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// Stable id of this line.
    pub id: LineId,
    /// The product ordered.
    pub product_id: String,
    /// Always within `MIN_QUANTITY..=MAX_QUANTITY`.
    pub quantity: i64,
    /// Free text for the kitchen, possibly empty; already sanitised.
    pub note: String,
}

/// The customer's cart. Lines keep the order they were first added in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<CartLine>,
    next_id: u32,
    submission_id: Option<String>,
}

/// The cart priced against a menu at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Orderable lines with the server's pricing, in cart order.
    pub lines: Vec<(LineId, OrderItem)>,
    /// Lines whose product is gone or inactive; not in `lines` or the total.
    pub unavailable: Vec<LineId>,
    /// Sum of the orderable lines, minor units of `currency`.
    pub total_amount: i64,
    /// Currency of the orderable lines; empty when there are none.
    pub currency: String,
}

impl Quote {
    /// The priced line for `id`, if it is orderable.
    pub fn line(&self, id: LineId) -> Option<&OrderItem> {
        self.lines
            .iter()
            .find(|(line, _)| *line == id)
            .map(|(_, item)| item)
    }

    /// Whether `id` was flagged as no longer orderable.
    pub fn is_unavailable(&self, id: LineId) -> bool {
        self.unavailable.contains(&id)
    }
}

impl Cart {
    /// An empty cart.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines, in the order they were added.
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// The line `id`, if it is still in the cart.
    pub fn line(&self, id: LineId) -> Option<&CartLine> {
        self.lines.iter().find(|line| line.id == id)
    }

    /// Whether nothing is in the cart.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Total number of units across lines (the badge on a cart button).
    pub fn unit_count(&self) -> i64 {
        self.lines.iter().map(|line| line.quantity).sum()
    }

    /// Adds one `product_id`: to the line of that product without a note if
    /// there is one (up to [`MAX_QUANTITY`]), else as a new line. A line
    /// with a note is a different dish to the kitchen ("no chilli"), so it
    /// is never merged into. Returns the line it went to, or `None` when a
    /// new line would exceed [`MAX_ORDER_LINES`].
    pub fn add(&mut self, product_id: &str) -> Option<LineId> {
        if let Some(line) = self
            .lines
            .iter_mut()
            .find(|line| line.product_id == product_id && line.note.is_empty())
        {
            line.quantity = (line.quantity + 1).min(MAX_QUANTITY);
            return Some(line.id);
        }
        if self.lines.len() >= MAX_ORDER_LINES {
            return None;
        }
        let id = LineId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        self.lines.push(CartLine {
            id,
            product_id: product_id.to_owned(),
            quantity: MIN_QUANTITY,
            note: String::new(),
        });
        Some(id)
    }

    /// Sets the quantity of `id`, clamped into 1..=99; returns the quantity
    /// now stored, or `None` if there is no such line.
    pub fn set_quantity(&mut self, id: LineId, quantity: i64) -> Option<i64> {
        let line = self.line_mut(id)?;
        line.quantity = quantity.clamp(MIN_QUANTITY, MAX_QUANTITY);
        Some(line.quantity)
    }

    /// One more of `id` (stays at 99).
    pub fn increment(&mut self, id: LineId) -> Option<i64> {
        let quantity = self.line_mut(id)?.quantity;
        self.set_quantity(id, quantity.saturating_add(1))
    }

    /// One fewer of `id` (stays at 1: removing is its own, deliberate tap).
    pub fn decrement(&mut self, id: LineId) -> Option<i64> {
        let quantity = self.line_mut(id)?.quantity;
        self.set_quantity(id, quantity.saturating_sub(1))
    }

    /// Sets the kitchen note of `id`: control characters become spaces
    /// (the server refuses them) and the text is cut at
    /// [`MAX_NOTE_CHARS`]. Returns whether the line exists.
    pub fn set_note(&mut self, id: LineId, note: &str) -> bool {
        let Some(line) = self.line_mut(id) else {
            return false;
        };
        line.note = sanitize_note(note);
        true
    }

    /// Removes `id`; returns whether it was there.
    pub fn remove(&mut self, id: LineId) -> bool {
        let before = self.lines.len();
        self.lines.retain(|line| line.id != id);
        self.lines.len() != before
    }

    /// Takes out every line whose product is no longer in `products` or no
    /// longer active, and returns them (in cart order) so the kiosk can
    /// tell the customer what left their order.
    pub fn remove_unorderable(&mut self, products: &BTreeMap<String, Product>) -> Vec<CartLine> {
        let (keep, gone): (Vec<CartLine>, Vec<CartLine>) = std::mem::take(&mut self.lines)
            .into_iter()
            .partition(|line| is_orderable(products, &line.product_id));
        self.lines = keep;
        gone
    }

    /// Empties the cart and forgets its submission id: what follows is a
    /// new order.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.submission_id = None;
    }

    /// The idempotency key (`client_order_id`) for sending this cart: made
    /// by `fresh` on the first attempt and kept for every retry until the
    /// cart is cleared, so a retry after a lost answer can never create a
    /// second order.
    pub fn submission_id(&mut self, fresh: impl FnOnce() -> String) -> String {
        self.submission_id.get_or_insert_with(fresh).clone()
    }

    /// Lines whose product is in `products` and active, as request lines
    /// (empty notes become `None`, others are trimmed).
    pub fn requests(&self, products: &BTreeMap<String, Product>) -> Vec<OrderItemRequest> {
        self.lines
            .iter()
            .filter(|line| is_orderable(products, &line.product_id))
            .map(to_request)
            .collect()
    }

    /// Prices the cart with the server's rule: orderable lines go through
    /// [`price_order`]; the others are flagged in [`Quote::unavailable`].
    pub fn quote(
        &self,
        products: &BTreeMap<String, Product>,
        promotions: &[Promotion],
        now: Timestamp,
    ) -> Result<Quote, PricingError> {
        let (orderable, unavailable): (Vec<&CartLine>, Vec<&CartLine>) = self
            .lines
            .iter()
            .partition(|line| is_orderable(products, &line.product_id));
        let requests: Vec<OrderItemRequest> =
            orderable.iter().map(|line| to_request(line)).collect();
        let priced = price_order(&requests, products, promotions, now)?;
        Ok(Quote {
            // price_order gives one item per request, in request order.
            lines: orderable
                .iter()
                .map(|line| line.id)
                .zip(priced.items)
                .collect(),
            unavailable: unavailable.iter().map(|line| line.id).collect(),
            total_amount: priced.total_amount,
            currency: priced.currency,
        })
    }

    fn line_mut(&mut self, id: LineId) -> Option<&mut CartLine> {
        self.lines.iter_mut().find(|line| line.id == id)
    }
}

/// The same test [`price_order`] applies, so a line is either priced or
/// flagged, never refused.
fn is_orderable(products: &BTreeMap<String, Product>, product_id: &str) -> bool {
    products
        .get(product_id)
        .is_some_and(|product| product.is_active)
}

fn to_request(line: &CartLine) -> OrderItemRequest {
    let note = line.note.trim();
    OrderItemRequest {
        product_id: line.product_id.clone(),
        quantity: line.quantity,
        notes: (!note.is_empty()).then(|| note.to_owned()),
    }
}

/// A note the server accepts: no control characters (a newline is kept, as
/// the protocol allows it), at most [`MAX_NOTE_CHARS`] characters.
fn sanitize_note(note: &str) -> String {
    note.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .take(MAX_NOTE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests;
