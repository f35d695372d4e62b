//! The order API: place an order (idempotent), change its status, and the
//! polling feed `GET /api/orders?outlet_id=&since_id=`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use ticketrail_protocol::validate::{validate_place_order, validate_status_change};
use ticketrail_protocol::{ErrorBody, Order, PlaceOrder, StatusChange};
use utoipa::IntoParams;
use utoipa_axum::routes;

use crate::access::{Action, Caller};
use crate::error::AppError;
use crate::extract::{non_negative, ApiJson, ApiPath, ApiQuery};
use crate::routes::Routes;
use crate::store::FeedScope;
use crate::AppState;

/// How long a closed order stays on a fresh screen's board (`since_id=0`).
pub const RECENTLY_CLOSED: TimeDelta = TimeDelta::hours(1);

/// The header that carries a placement's idempotency key.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The order routes.
pub fn router() -> Routes {
    Routes::default()
        .route(routes!(feed, place))
        .route(routes!(change_status))
}

/// Places an order, once per `client_order_id`.
///
/// Roles: `kiosk` of the order's outlet, `admin`. The server prices the
/// order from its own menu. Repeating a placement answers the order first
/// placed under its `client_order_id`, however often and concurrently.
#[utoipa::path(
    post,
    path = "/api/orders/",
    operation_id = "place_order",
    tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header, description = "The body's `client_order_id`; any other value is a 400.")),
    request_body = PlaceOrder,
    responses(
        (status = 201, description = "The order, placed now.", body = Order),
        (status = 200, description = "The same order again: this `client_order_id` was placed before.", body = Order),
        (status = 400, description = "A field rule is broken: `bad_request`.", body = ErrorBody),
        (status = 403, description = "Not this caller's outlet, or not a role that places orders: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such outlet: `not_found`.", body = ErrorBody),
        (status = 422, description = "A product is unknown or inactive (`unknown_product`), or a quantity is outside 1..=99 (`invalid_quantity`).", body = ErrorBody),
    ),
)]
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

/// Moves an order through the kitchen workflow.
///
/// Roles: `kitchen` and `manager` of the order's outlet, `admin`. Legal
/// moves: pending -> preparing -> ready -> completed, and pending,
/// preparing or ready -> cancelled. Repeating a `request_id` changes
/// nothing and answers the order again.
#[utoipa::path(
    post,
    path = "/api/orders/{id}/status",
    tag = "orders",
    params(("id" = String, Path, description = "The order's `id`.")),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The order after the change.", body = Order),
        (status = 403, description = "Not this caller's outlet's order, or not a kitchen role; also for an order that does not exist: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such order: `not_found`.", body = ErrorBody),
        (status = 409, description = "The workflow forbids this move (`invalid_transition`), or the `request_id` was used for another order (`conflict`).", body = ErrorBody),
    ),
)]
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
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// The outlet whose orders to read.
    #[param(required = true)]
    outlet_id: Option<String>,
    /// The highest `seq` the client has applied; 0 (the default) for the
    /// outlet's board: its orders still open today plus those closed in the
    /// last hour.
    #[param(value_type = Option<i64>, minimum = 0)]
    since_id: Option<String>,
}

/// The polling feed: orders changed since a `seq`.
///
/// Roles: `kitchen` and `manager` of the outlet, `admin`. Each order comes
/// once, in its latest state, ascending by `seq`; nothing new is `[]`.
#[utoipa::path(
    get,
    path = "/api/orders/",
    operation_id = "order_feed",
    tag = "orders",
    params(FeedQuery),
    responses(
        (status = 200, description = "Orders whose `seq` is above `since_id`.", body = Vec<Order>),
        (status = 400, description = "`outlet_id` is missing or `since_id` is not a non-negative integer: `bad_request`.", body = ErrorBody),
        (status = 403, description = "Not this caller's outlet, or not a role that reads orders: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such outlet: `not_found`.", body = ErrorBody),
    ),
)]
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
