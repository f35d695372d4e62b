//! Messages on the outlet WebSocket `/ws/outlet/{outlet_id}/?since_id=N`.
//!
//! The socket is a push channel: the server never needs a client message for
//! correctness. The client sends its credential in an `auth` frame first
//! (browsers cannot set headers on a socket), then at most `ping`s.

use serde::{Deserialize, Serialize};

use crate::{Category, ErrorCode, Order, Product, Promotion, Timestamp};

/// An order change as streamed on the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderEvent {
    /// The order's `seq` after this change (the feed cursor).
    pub seq: i64,
    /// The order in its state after the change.
    pub order: Order,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A created or updated master-data row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductEvent {
    /// Master version of this change.
    pub version: i64,
    /// The row after the change.
    pub product: Product,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A deleted product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductDeleted {
    /// Master version of this change.
    pub version: i64,
    /// Id of the deleted row.
    pub product_id: String,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A created or updated category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryEvent {
    /// Master version of this change.
    pub version: i64,
    /// The row after the change.
    pub category: Category,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A deleted category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryDeleted {
    /// Master version of this change.
    pub version: i64,
    /// Id of the deleted row.
    pub category_id: String,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A created or updated promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionEvent {
    /// Master version of this change.
    pub version: i64,
    /// The row after the change.
    pub promotion: Promotion,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// A deleted promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionDeleted {
    /// Master version of this change.
    pub version: i64,
    /// Id of the deleted row.
    pub promotion_id: String,
    /// Server time of the event.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
}

/// Which kind of order change an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    /// The order was just placed.
    NewOrder,
    /// Any other change to the order.
    OrderUpdated,
    /// A pending/preparing/ready move.
    KitchenStatusChanged,
    /// Moved to completed.
    OrderCompleted,
    /// Moved to cancelled.
    OrderCancelled,
}

/// Everything the server sends on the socket, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type")]
pub enum ServerMessage {
    /// First message on every socket.
    #[serde(rename = "connected")]
    Connected {
        /// The protocol revision ([`crate::PROTOCOL_VERSION`]).
        protocol: u32,
        /// The socket's outlet.
        outlet_id: String,
        /// The outlet's current feed seq.
        seq: i64,
        /// The server's current master version.
        master_version: i64,
        /// Server time.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        timestamp: Timestamp,
    },
    /// An order was placed.
    #[serde(rename = "new_order")]
    NewOrder(OrderEvent),
    /// An order changed in some other way (also used for catch-up snapshots
    /// whose last change was not a status move).
    #[serde(rename = "order_updated")]
    OrderUpdated(OrderEvent),
    /// pending/preparing/ready move.
    #[serde(rename = "kitchen_status_changed")]
    KitchenStatusChanged(OrderEvent),
    /// Moved to completed.
    #[serde(rename = "order_completed")]
    OrderCompleted(OrderEvent),
    /// Moved to cancelled.
    #[serde(rename = "order_cancelled")]
    OrderCancelled(OrderEvent),
    /// A product was created.
    #[serde(rename = "product:created")]
    ProductCreated(ProductEvent),
    /// A product was updated.
    #[serde(rename = "product:updated")]
    ProductUpdated(ProductEvent),
    /// A product was deleted.
    #[serde(rename = "product:deleted")]
    ProductDeleted(ProductDeleted),
    /// A category was created.
    #[serde(rename = "category:created")]
    CategoryCreated(CategoryEvent),
    /// A category was updated.
    #[serde(rename = "category:updated")]
    CategoryUpdated(CategoryEvent),
    /// A category was deleted.
    #[serde(rename = "category:deleted")]
    CategoryDeleted(CategoryDeleted),
    /// A promotion was created.
    #[serde(rename = "promotion:created")]
    PromotionCreated(PromotionEvent),
    /// A promotion was updated.
    #[serde(rename = "promotion:updated")]
    PromotionUpdated(PromotionEvent),
    /// A promotion was deleted.
    #[serde(rename = "promotion:deleted")]
    PromotionDeleted(PromotionDeleted),
    /// Answer to a client `ping`.
    #[serde(rename = "pong")]
    Pong {
        /// Server time.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        timestamp: Timestamp,
    },
    /// A client frame the server could not use.
    #[serde(rename = "error")]
    Error {
        /// Machine-readable reason.
        code: ErrorCode,
        /// Text for a person.
        message: String,
    },
}

impl ServerMessage {
    /// Wraps an order snapshot in the event variant for `kind`.
    pub fn order_event(kind: OrderEventKind, order: Order, timestamp: Timestamp) -> Self {
        let event = OrderEvent {
            seq: order.seq,
            order,
            timestamp,
        };
        match kind {
            OrderEventKind::NewOrder => Self::NewOrder(event),
            OrderEventKind::OrderUpdated => Self::OrderUpdated(event),
            OrderEventKind::KitchenStatusChanged => Self::KitchenStatusChanged(event),
            OrderEventKind::OrderCompleted => Self::OrderCompleted(event),
            OrderEventKind::OrderCancelled => Self::OrderCancelled(event),
        }
    }

    /// The order event inside, if this is one.
    pub fn as_order_event(&self) -> Option<(OrderEventKind, &OrderEvent)> {
        match self {
            Self::NewOrder(e) => Some((OrderEventKind::NewOrder, e)),
            Self::OrderUpdated(e) => Some((OrderEventKind::OrderUpdated, e)),
            Self::KitchenStatusChanged(e) => Some((OrderEventKind::KitchenStatusChanged, e)),
            Self::OrderCompleted(e) => Some((OrderEventKind::OrderCompleted, e)),
            Self::OrderCancelled(e) => Some((OrderEventKind::OrderCancelled, e)),
            _ => None,
        }
    }

    /// The master version a master-data event carries, if this is one.
    pub fn master_version(&self) -> Option<i64> {
        match self {
            Self::ProductCreated(e) | Self::ProductUpdated(e) => Some(e.version),
            Self::ProductDeleted(e) => Some(e.version),
            Self::CategoryCreated(e) | Self::CategoryUpdated(e) => Some(e.version),
            Self::CategoryDeleted(e) => Some(e.version),
            Self::PromotionCreated(e) | Self::PromotionUpdated(e) => Some(e.version),
            Self::PromotionDeleted(e) => Some(e.version),
            _ => None,
        }
    }
}

/// Messages a client may send. Anything else gets an `error` frame.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The socket's credential; must be the first frame.
    Auth {
        /// A device or login token.
        token: String,
    },
    /// Application-level heartbeat; answered with `pong`.
    Ping,
}

/// Written by hand so that a token never reaches a log through `{:?}`.
impl std::fmt::Debug for ClientMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Auth { .. } => f.write_str("Auth { token: <hidden> }"),
            Self::Ping => f.write_str("Ping"),
        }
    }
}
