//! Orders: what a kiosk sends, what the server keeps and streams, and the
//! status values of the kitchen workflow.

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Where an order is in the kitchen workflow.
///
/// Legal moves (enforced in `ticketrail-core`): pending -> preparing -> ready
/// -> completed, and pending | preparing | ready -> cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not started.
    Pending,
    /// The kitchen is working on it.
    Preparing,
    /// Waiting for pick-up.
    Ready,
    /// Handed over; closed.
    Completed,
    /// Called off; closed.
    Cancelled,
}

impl OrderStatus {
    /// Every status, in workflow order.
    pub const ALL: [OrderStatus; 5] = [
        Self::Pending,
        Self::Preparing,
        Self::Ready,
        Self::Completed,
        Self::Cancelled,
    ];

    /// The `snake_case` name as it appears on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Completed and cancelled orders are closed: no further moves.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

/// One line of a kiosk's order request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderItemRequest {
    /// Product to order.
    pub product_id: String,
    /// 1..=99.
    pub quantity: i64,
    /// Free text for the kitchen ("no ice").
    #[serde(default)]
    pub notes: Option<String>,
}

/// Body of `POST /api/orders/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceOrder {
    /// Made on the device (UUID v4); the idempotency key of the order.
    pub client_order_id: String,
    /// Outlet the order is for.
    pub outlet_id: String,
    /// At least one line.
    pub items: Vec<OrderItemRequest>,
    /// Master version the kiosk priced the cart with (informational: the
    /// server always prices from its own data).
    #[serde(default)]
    pub master_version: Option<i64>,
    /// Device clock when the customer placed the order.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub placed_at: Timestamp,
}

/// Body of `POST /api/orders/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// Target status.
    pub status: OrderStatus,
    /// Made on the device; repeating it is a no-op.
    pub request_id: String,
}

/// An order line as the server keeps it: name, price and station copied at
/// order time so later menu changes do not rewrite history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItem {
    /// Product ordered.
    pub product_id: String,
    /// Product name at order time.
    pub name: String,
    /// 1..=99.
    pub quantity: i64,
    /// Kitchen note, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub notes: Option<String>,
    /// Unit price after promotions, minor units.
    pub unit_price: i64,
    /// `unit_price * quantity`.
    pub line_total: i64,
    /// Kitchen station that prepares it.
    pub station: String,
}

/// An order snapshot: what the server returns, streams and polls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// Server-assigned id.
    pub id: String,
    /// The device's idempotency key.
    pub client_order_id: String,
    /// Short, human number, unique per outlet per day (e.g. `"042"`).
    pub order_number: String,
    /// Owning outlet.
    pub outlet_id: String,
    /// Workflow status.
    pub status: OrderStatus,
    /// Priced lines.
    pub items: Vec<OrderItem>,
    /// Sum of line totals, minor units.
    pub total_amount: i64,
    /// ISO 4217 code of every amount in the order.
    pub currency: String,
    /// Per-outlet feed cursor of the latest change to this order.
    pub seq: i64,
    /// Device clock at placement.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub placed_at: Timestamp,
    /// Server clock at creation.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Server clock at the latest change.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}
