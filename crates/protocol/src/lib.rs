//! The wire contract between browser clients (kiosk, kitchen display, service
//! worker) and the outlet server, as written in `PROTOCOL.md` v2.
//!
//! Everything here is plain data with serde derives plus validation written as
//! plain functions, so the same types compile for the server and for wasm32.
//! Nothing downstream of [`validate`] handles unvalidated input.
//!
//! The `openapi` feature (the server's alone) derives `utoipa::ToSchema` for
//! the types on the wire, spelled as they are sent: timestamps as
//! `date-time` strings, and every field of an answer `required`, since the
//! server always sends it, even where serde lets a reader leave it out.
#![deny(missing_docs)]

pub mod access;
pub mod error;
pub mod master;
pub mod order;
pub mod validate;
pub mod ws;

pub use access::{
    Device, Login, LoginSession, OutletInfo, OutletInput, PairDevice, Paired, PairingCode,
    PairingCodeRequest, PinHash, Role, SetupRequest, SetupState, StaffPin, PROTOCOL_VERSION,
};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use master::{
    Category, CategoryInput, MasterKind, Page, Product, ProductInput, Promotion, PromotionInput,
    PromotionKind,
};
pub use order::{Order, OrderItem, OrderItemRequest, OrderStatus, PlaceOrder, StatusChange};
pub use ws::{ClientMessage, OrderEventKind, ServerMessage};

/// A timestamp on the wire: RFC 3339 in UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Largest request body (and WebSocket text frame) the server accepts: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
