//! `GET /healthz`: liveness plus the few numbers an operator (or the demo
//! launcher) wants at a glance.
//!
//! `"requests"` carries the [`crate::counters`]: what this process has
//! served of the menu and the order feed since it started, so black-box
//! tests can check what a client downloaded.
//!
//! Unlike every other handler it takes no `Caller`: load balancers and
//! process supervisors probe it without credentials, and it reveals nothing
//! an outlet's screens do not already show.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use ticketrail_protocol::PROTOCOL_VERSION;

use crate::counters::RequestCounts;
use crate::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// The health answer.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    protocol: u32,
    master_version: i64,
    outlets: Vec<OutletHealth>,
    requests: RequestCounts,
}

/// One outlet in the health answer.
#[derive(Debug, Serialize)]
struct OutletHealth {
    id: String,
    name: String,
    seq: i64,
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        protocol: PROTOCOL_VERSION,
        master_version: state.store.master_version(),
        outlets: state
            .store
            .outlets()
            .iter()
            .map(|outlet| OutletHealth {
                id: outlet.id.clone(),
                name: outlet.profile().name.clone(),
                seq: outlet.seq(),
            })
            .collect(),
        requests: state.counters.snapshot(),
    })
}
