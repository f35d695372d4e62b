//! Pricing an order from master data: the one rule both the kiosk (to show a
//! cart total offline) and the server (to charge, never trusting a client
//! price) apply.
//!
//! A promotion applies to a product when the product's id is in its
//! `product_ids` and `starts_at <= now < ends_at`. Of the promotions that
//! apply, the single one with the largest discount wins; they never stack.
//! `percent_off` takes `round-half-up(price * value / 100)` off, `amount_off`
//! takes `min(value, price)` off, so a unit price never goes below zero or
//! above the list price. All arithmetic is integer minor units; a sum that
//! would not fit an `i64` is [`PricingError::Overflow`], never a wrap or a
//! panic.

use std::collections::BTreeMap;

use thiserror::Error;
use ticketrail_protocol::{
    OrderItem, OrderItemRequest, Product, Promotion, PromotionKind, Timestamp,
};

/// An order priced from master data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    /// One line per request line, in request order, with name, station and
    /// notes copied so later menu changes do not rewrite the order.
    pub items: Vec<OrderItem>,
    /// Sum of the line totals, minor units.
    pub total_amount: i64,
    /// The currency every line shares; empty only for an order without lines
    /// (which validation refuses before pricing).
    pub currency: String,
}

/// Why an order could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PricingError {
    /// The product id is not on the menu, or the product is inactive.
    #[error("product \"{0}\" is not on the menu or cannot be ordered right now")]
    UnknownProduct(String),
    /// The lines are priced in more than one currency.
    #[error("the order mixes products priced in different currencies")]
    MixedCurrency,
    /// A line total or the order total does not fit in 64 bits.
    #[error("the order total is too large to compute")]
    Overflow,
}

/// Prices `items` against `products` (keyed by id) and the promotions
/// running at `now`.
///
/// Expects validated input (quantity 1..=99, see
/// `ticketrail_protocol::validate::validate_place_order`); the arithmetic is
/// checked regardless, so even unvalidated numbers give `Err`, not a panic.
pub fn price_order(
    items: &[OrderItemRequest],
    products: &BTreeMap<String, Product>,
    promotions: &[Promotion],
    now: Timestamp,
) -> Result<PricedOrder, PricingError> {
    // Filter the window once rather than per line: menus have few promotions
    // but orders may have up to 100 lines.
    let running: Vec<&Promotion> = promotions.iter().filter(|p| is_running(p, now)).collect();
    let mut currency: Option<&str> = None;
    let mut total_amount: i64 = 0;
    let mut priced = Vec::with_capacity(items.len());
    for item in items {
        let product = products
            .get(&item.product_id)
            .filter(|product| product.is_active)
            .ok_or_else(|| PricingError::UnknownProduct(item.product_id.clone()))?;
        match currency {
            None => currency = Some(&product.currency),
            Some(first) if first != product.currency => return Err(PricingError::MixedCurrency),
            Some(_) => {}
        }
        let unit_price = best_price(product, running.iter().copied());
        let line_total = unit_price
            .checked_mul(item.quantity)
            .ok_or(PricingError::Overflow)?;
        total_amount = total_amount
            .checked_add(line_total)
            .ok_or(PricingError::Overflow)?;
        priced.push(OrderItem {
            product_id: product.id.clone(),
            name: product.name.clone(),
            quantity: item.quantity,
            notes: item.notes.clone(),
            unit_price,
            line_total,
            station: product.station.clone(),
        });
    }
    Ok(PricedOrder {
        items: priced,
        total_amount,
        currency: currency.unwrap_or_default().to_owned(),
    })
}

/// The price of one unit of `product` at `now`, after the best promotion.
///
/// Always within `0..=max(product.price, 0)`: a negative list price (which
/// validation refuses) is treated as free rather than as paying the customer.
pub fn unit_price(product: &Product, promotions: &[Promotion], now: Timestamp) -> i64 {
    best_price(product, promotions.iter().filter(|p| is_running(p, now)))
}

/// `starts_at` inclusive, `ends_at` exclusive, as the protocol defines.
fn is_running(promotion: &Promotion, now: Timestamp) -> bool {
    promotion.starts_at <= now && now < promotion.ends_at
}

/// List price minus the largest discount among the (already running)
/// promotions that name this product.
fn best_price<'a>(product: &Product, running: impl Iterator<Item = &'a Promotion>) -> i64 {
    let price = product.price.max(0);
    let best = running
        .filter(|promotion| promotion.product_ids.contains(&product.id))
        .map(|promotion| discount(price, promotion))
        .max()
        .unwrap_or(0);
    price - best
}

/// The discount `promotion` gives on a non-negative `price`, within
/// `0..=price`. Out-of-range values (which validation refuses) are clamped
/// rather than trusted: a percent above 100 or a negative amount must never
/// make a price negative or raise it.
fn discount(price: i64, promotion: &Promotion) -> i64 {
    match promotion.kind {
        PromotionKind::PercentOff => {
            let percent = i128::from(promotion.value.clamp(0, 100));
            // i128 because price * percent can exceed i64 for large prices;
            // adding 50 before dividing rounds half up (all terms are >= 0).
            let off = (i128::from(price) * percent + 50) / 100;
            // off <= price because percent <= 100, so this always converts.
            i64::try_from(off).unwrap_or(price)
        }
        PromotionKind::AmountOff => promotion.value.clamp(0, price),
    }
}

// The properties need generators and an independent model; they live in
// their own file to keep this one about the rule itself.
#[cfg(test)]
mod tests;
