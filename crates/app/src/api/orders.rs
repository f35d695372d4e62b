//! Orders: the polling feed. Writes (placing an order, moving a ticket)
//! never go from the page: they are queued in the outbox and the service
//! worker sends them (see `crate::outbox`).

use ticketrail_protocol::Order;

use super::{get_json, ApiError};

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
