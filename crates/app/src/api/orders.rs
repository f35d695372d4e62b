//! Orders: moving one along from the kitchen, and the polling feed. Orders
//! themselves are placed through the outbox (the service worker sends
//! them, see `crate::outbox`). Every write carries its idempotency key, so
//! a retry after a lost answer never creates a second move.

use ticketrail_protocol::{Order, OrderStatus, StatusChange};

use super::{get_json, post_json, ApiError};

/// `POST /api/orders/{id}/status`; repeating a `request_id` is a no-op
/// that returns the order again.
pub async fn change_status(
    order_id: &str,
    status: OrderStatus,
    request_id: String,
) -> Result<Order, ApiError> {
    let body = StatusChange { status, request_id };
    post_json(
        &format!("/api/orders/{}/status", encode(order_id)),
        &body,
        None,
    )
    .await
}

/// `GET /api/orders?outlet_id=&since_id=`: every order snapshot of the
/// outlet with `seq > since_id`, ascending by `seq`.
pub async fn poll_feed(outlet_id: &str, since_id: i64) -> Result<Vec<Order>, ApiError> {
    get_json(&format!(
        "/api/orders?outlet_id={}&since_id={since_id}",
        encode(outlet_id)
    ))
    .await
}

/// Percent-encodes an id for a URL path or query value.
fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}
