//! The harness shared by the black-box tests of the outlet server.
//!
//! Each test starts its own real `ticketrail-server` process on port 0 with a
//! temp SQLite file ([`Server`]), speaks HTTP ([`http`]) and WebSocket ([`Ws`])
//! to it, calls as any role ([`access`]), and waits on conditions with
//! deadlines ([`wait_until`]) instead of sleeping.
// Every test file compiles this module into its own binary and uses a
// different subset of it; unused helpers in one binary are not dead code.
#![allow(dead_code, unused_imports)]

pub mod access;
pub mod http;
pub mod menu;
pub mod oracle;
pub mod server;
pub mod ws;

use std::future::Future;
use std::time::Duration;

pub use http::{assert_contract_error, assert_error, order_body, uuid, Resp};
pub use oracle::{assert_priced, expected_unit_price, UTF8_SAMPLES};
pub use server::{Server, ServerOptions, INDEX_HTML};
pub use ws::{Incoming, Ws, STEP};

/// The test's wall clock as a contract timestamp (chrono's `clock` feature
/// is not enabled in the workspace, so go through `SystemTime`).
pub fn now() -> ticketrail_protocol::Timestamp {
    std::time::SystemTime::now().into()
}

/// Polls `check` every 20 ms until it yields `Some`, and returns that value;
/// panics with `what` once `within` has passed.
pub async fn wait_until<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
