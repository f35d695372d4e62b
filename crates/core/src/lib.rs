//! The pure core of Ticketrail: the decisions the kiosk, the kitchen display,
//! the service worker and the outlet server must all make the same way.
//!
//! Nothing here does I/O or reads a clock. Inputs go in (statuses, master
//! data, feed sequence numbers, *the current time as a parameter*) and
//! decisions come out, so the crate compiles unchanged for the server and for
//! `wasm32-unknown-unknown`, and every rule is unit- and property-tested
//! natively in milliseconds. The browser, the worker and the server only drive
//! these functions; they never re-implement them.
#![deny(missing_docs)]

pub mod cart;
pub mod feed;
pub mod ids;
pub mod kiosk_flow;
pub mod menu_sync;
pub mod money;
pub mod order_number;
pub mod outbox;
pub mod pricing;
pub mod search;
pub mod staff_pin;
pub mod supervisor;
pub mod tickets;
pub mod transitions;

pub use cart::{Cart, CartLine, LineId, Quote};
pub use feed::{FeedCursor, Offer};
pub use kiosk_flow::{KioskFlow, Reset, Screen, Timers};
pub use money::format_money;
pub use order_number::{business_day, format_order_number};
pub use pricing::{price_order, unit_price, PricedOrder, PricingError};
pub use transitions::{next_kitchen_status, transition, TransitionError};
