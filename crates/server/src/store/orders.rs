//! Orders in SQL: insert a priced order with its feed seq and
//! daily number, change its status, and read the feed.
//!
//! Each change takes the outlet's next `seq` from `outlets.last_seq` inside
//! the same transaction as the change itself, so seqs are gap-free per
//! commit order and a rolled-back command gives its number back.
//!
//! The feed and the socket catch-up leave out, and log, an order that
//! cannot be decoded, so one bad row never takes a kitchen's whole feed
//! down; a read of one order by id or `client_order_id` fails instead. The
//! `rows` module has the reasons.

use sqlx::SqliteConnection;
use ticketrail_core::{business_day, format_order_number, PricedOrder};
use ticketrail_protocol::{Order, OrderEventKind, OrderStatus, PlaceOrder, Timestamp};

use super::codec::{json_from_db, json_to_db, time_from_db, time_to_db};
use super::rows::{decode_each, from_row};
use super::{FeedScope, OrderSnapshot, Outlet, StoreError};

const COLUMNS: &str = "id, client_order_id, order_number, outlet_id, status, items, total_amount, \
                       currency, seq, last_event, placed_at, created_at, updated_at";

/// The order placed with `client_order_id`, if any.
pub(super) async fn find_by_client_id(
    conn: &mut SqliteConnection,
    client_order_id: &str,
) -> Result<Option<OrderSnapshot>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE client_order_id = ?");
    sqlx::query_as::<_, OrderRow>(&sql)
        .bind(client_order_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(OrderRow::decode)
        .transpose()
}

/// The order with `id`, if any.
pub(super) async fn find(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<OrderSnapshot>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE id = ?");
    sqlx::query_as::<_, OrderRow>(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(OrderRow::decode)
        .transpose()
}

/// The outlet of order `id`, if it exists.
pub(super) async fn outlet_of(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT outlet_id FROM orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Takes the outlet's next feed seq.
async fn next_seq(conn: &mut SqliteConnection, outlet_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE outlets SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
    )
    .bind(outlet_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Stores a new, priced order: next seq, next number of the outlet's local
/// business day, status pending.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    outlet: &Outlet,
    input: PlaceOrder,
    priced: PricedOrder,
    now: Timestamp,
) -> Result<Order, StoreError> {
    let seq = next_seq(conn, &outlet.id).await?;
    let day = business_day(now, outlet.profile().zone.offset_minutes_at(now)).to_string();
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO order_numbers (outlet_id, business_day, last_number) VALUES (?, ?, 1) \
         ON CONFLICT (outlet_id, business_day) DO UPDATE SET last_number = last_number + 1 \
         RETURNING last_number",
    )
    .bind(&outlet.id)
    .bind(&day)
    .fetch_one(&mut *conn)
    .await?;
    let number = u32::try_from(number).map_err(|_| {
        StoreError::Invalid("the outlet has run out of order numbers for today".into())
    })?;
    let mut order = Order {
        id: String::new(),
        client_order_id: input.client_order_id,
        order_number: format_order_number(number),
        outlet_id: outlet.id.clone(),
        status: OrderStatus::Pending,
        items: priced.items,
        total_amount: priced.total_amount,
        currency: priced.currency,
        seq,
        placed_at: input.placed_at,
        created_at: now,
        updated_at: now,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (client_order_id, outlet_id, order_number, business_day, status, \
         items, total_amount, currency, seq, last_event, placed_at, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&order.client_order_id)
    .bind(&order.outlet_id)
    .bind(&order.order_number)
    .bind(&day)
    .bind(order.status.as_str())
    .bind(json_to_db(&order.items)?)
    .bind(order.total_amount)
    .bind(&order.currency)
    .bind(seq)
    .bind(event_to_db(OrderEventKind::NewOrder))
    .bind(time_to_db(&order.placed_at)?)
    .bind(time_to_db(&now)?)
    .bind(time_to_db(&now)?)
    .fetch_one(&mut *conn)
    .await?;
    order.id = id.to_string();
    Ok(order)
}

/// The order a status `request_id` was first used for, if it was used.
pub(super) async fn request_owner(
    conn: &mut SqliteConnection,
    request_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT order_id FROM status_requests WHERE request_id = ?")
            .bind(request_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Moves `order` (row `id`) to `status`, recording `request_id` and the
/// event kind, and returns the order afterwards.
pub(super) async fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    mut order: Order,
    status: OrderStatus,
    kind: OrderEventKind,
    request_id: &str,
    now: Timestamp,
) -> Result<Order, StoreError> {
    let seq = next_seq(conn, &order.outlet_id).await?;
    let now_text = time_to_db(&now)?;
    let closed_at = status.is_closed().then_some(now_text.as_str());
    sqlx::query(
        "UPDATE orders SET status = ?, seq = ?, last_event = ?, updated_at = ?, closed_at = ? \
         WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(seq)
    .bind(event_to_db(kind))
    .bind(&now_text)
    .bind(closed_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO status_requests (request_id, order_id) VALUES (?, ?)")
        .bind(request_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    order.status = status;
    order.seq = seq;
    order.updated_at = now;
    Ok(order)
}

/// Orders of `outlet_id` in `scope` with seq above `after`, ascending, at
/// most `limit` of them. An order that does not decode is logged and
/// skipped, and does not count towards `limit`, so a full page still means
/// "there may be more".
pub(super) async fn after(
    conn: &mut SqliteConnection,
    outlet_id: &str,
    after: i64,
    scope: FeedScope,
    limit: Option<u32>,
) -> Result<Vec<OrderSnapshot>, StoreError> {
    let sql;
    let query = match scope {
        FeedScope::Changes => {
            sql = format!(
                "SELECT {COLUMNS} FROM orders WHERE outlet_id = ?1 AND seq > ?2 ORDER BY seq"
            );
            sqlx::query(&sql).bind(outlet_id).bind(after)
        }
        FeedScope::Board { closed_since } => {
            // Two indexed halves (open; recently closed) rather than one scan
            // of the outlet's whole history.
            sql = format!(
                "SELECT {COLUMNS} FROM orders \
                 WHERE outlet_id = ?1 AND seq > ?2 AND closed_at IS NULL \
                 UNION ALL \
                 SELECT {COLUMNS} FROM orders \
                 WHERE outlet_id = ?1 AND seq > ?2 AND closed_at >= ?3 \
                 ORDER BY seq"
            );
            sqlx::query(&sql)
                .bind(outlet_id)
                .bind(after)
                .bind(time_to_db(&closed_since)?)
        }
    };
    let cap = limit.map(|limit| limit as usize);
    decode_each(conn, query, "orders", cap, |row| {
        from_row::<OrderRow>(row)?.decode()
    })
    .await
}

fn event_to_db(kind: OrderEventKind) -> &'static str {
    match kind {
        OrderEventKind::NewOrder => "new_order",
        OrderEventKind::OrderUpdated => "order_updated",
        OrderEventKind::KitchenStatusChanged => "kitchen_status_changed",
        OrderEventKind::OrderCompleted => "order_completed",
        OrderEventKind::OrderCancelled => "order_cancelled",
    }
}

fn event_from_db(text: &str) -> Result<OrderEventKind, StoreError> {
    match text {
        "new_order" => Ok(OrderEventKind::NewOrder),
        "order_updated" => Ok(OrderEventKind::OrderUpdated),
        "kitchen_status_changed" => Ok(OrderEventKind::KitchenStatusChanged),
        "order_completed" => Ok(OrderEventKind::OrderCompleted),
        "order_cancelled" => Ok(OrderEventKind::OrderCancelled),
        other => Err(StoreError::Corrupt(format!("order event kind {other:?}"))),
    }
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    client_order_id: String,
    order_number: String,
    outlet_id: String,
    status: String,
    items: String,
    total_amount: i64,
    currency: String,
    seq: i64,
    last_event: String,
    placed_at: String,
    created_at: String,
    updated_at: String,
}

impl OrderRow {
    fn decode(self) -> Result<OrderSnapshot, StoreError> {
        let status = OrderStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("order status {:?}", self.status)))?;
        Ok(OrderSnapshot {
            kind: event_from_db(&self.last_event)?,
            order: Order {
                id: self.id.to_string(),
                client_order_id: self.client_order_id,
                order_number: self.order_number,
                outlet_id: self.outlet_id,
                status,
                items: json_from_db(&self.items)?,
                total_amount: self.total_amount,
                currency: self.currency,
                seq: self.seq,
                placed_at: time_from_db(&self.placed_at)?,
                created_at: time_from_db(&self.created_at)?,
                updated_at: time_from_db(&self.updated_at)?,
            },
        })
    }
}
