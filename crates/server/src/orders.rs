//! The order API: place an order (idempotent), change its status, and the
//! polling feed `GET /api/orders?outlet_id=&since_id=`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use ticketrail_protocol::validate::{validate_place_order, validate_status_change};
use ticketrail_protocol::{Order, PlaceOrder, StatusChange};

use crate::access::{Action, Caller};
use crate::error::AppError;
use crate::extract::{non_negative, ApiJson, ApiPath, ApiQuery};
use crate::store::FeedScope;
use crate::AppState;

/// How long a closed order stays on a fresh screen's board (`since_id=0`).
pub const RECENTLY_CLOSED: TimeDelta = TimeDelta::hours(1);

/// The header that carries a placement's idempotency key.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The order routes, with and without the trailing slash.
pub fn router() -> Router<AppState> {
    let collection = get(feed).post(place);
    let status = post(change_status);
    Router::new()
        .route("/api/orders/", collection.clone())
        .route("/api/orders", collection)
        .route("/api/orders/{id}/status", status.clone())
        .route("/api/orders/{id}/status/", status)
}

async fn place(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PlaceOrder>,
) -> Result<Response, AppError> {
    caller.authorize(Action::PlaceOrder, Some(&input.outlet_id))?;
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| AppError::BadRequest("Idempotency-Key must be plain text".into()))?,
        ),
    };
    validate_place_order(&input, key)?;
    let placed = state.store.place_order(input).await?;
    // A replay answers with the order first placed under its key, which may
    // be another outlet's: only who may place orders there gets to see it.
    caller.authorize(Action::PlaceOrder, Some(&placed.order.outlet_id))?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(placed.order)).into_response())
}

async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Order>, AppError> {
    // Order ids are the server's own decimal numbers; anything else cannot
    // name an order. Whether one exists is only told to who may see it:
    // anyone else gets 403 either way.
    let order_id = id.parse::<i64>().ok();
    let outlet = match order_id {
        Some(order_id) => state.store.order_outlet(order_id).await?,
        None => None,
    };
    caller.authorize(Action::ChangeOrderStatus, outlet.as_deref())?;
    let order_id =
        order_id.ok_or_else(|| AppError::NotFound(format!("no order with id \"{id}\"")))?;
    validate_status_change(&change)?;
    Ok(Json(state.store.change_status(order_id, change).await?))
}

/// `?outlet_id=X&since_id=N`; parsed by hand for clear errors.
#[derive(Debug, Deserialize)]
struct FeedQuery {
    outlet_id: Option<String>,
    since_id: Option<String>,
}

async fn feed(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> Result<Response, AppError> {
    let outlet_id = query
        .outlet_id
        .ok_or_else(|| AppError::BadRequest("outlet_id is required".into()))?;
    caller.authorize(Action::ReadOrders, Some(&outlet_id))?;
    let since = non_negative("since_id", query.since_id.as_deref())?.unwrap_or(0);
    let outlet = state
        .store
        .find_outlet(&outlet_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no outlet with id \"{outlet_id}\"")))?;
    // The cheap answer hundreds of polling screens get: nothing has been
    // committed past their cursor, so the database is not asked.
    if since >= outlet.seq() {
        state.counters.feed_poll(true);
        return Ok(Json(Vec::<Order>::new()).into_response());
    }
    let scope = if since == 0 {
        FeedScope::Board {
            closed_since: Utc::now() - RECENTLY_CLOSED,
        }
    } else {
        FeedScope::Changes
    };
    let orders: Vec<Order> = state
        .store
        .orders_after(&outlet.id, since, scope, None)
        .await?
        .into_iter()
        .map(|snapshot| snapshot.order)
        .collect();
    state.counters.feed_poll(orders.is_empty());
    Ok(Json(orders).into_response())
}
