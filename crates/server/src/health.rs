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
use axum::Json;
use serde::Serialize;
use ticketrail_protocol::PROTOCOL_VERSION;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::counters::RequestCounts;
use crate::routes::Routes;
use crate::AppState;

/// The health route.
pub fn router() -> Routes {
    Routes::default().route(routes!(health))
}

/// The health answer.
#[derive(Debug, Serialize, ToSchema)]
struct Health {
    /// Always `ok`.
    status: &'static str,
    /// The protocol revision the server speaks.
    protocol: u32,
    /// The current master version.
    master_version: i64,
    /// Every outlet.
    outlets: Vec<OutletHealth>,
    /// What this process has served since it started.
    requests: RequestCounts,
}

/// One outlet in the health answer.
#[derive(Debug, Serialize, ToSchema)]
struct OutletHealth {
    /// Its id.
    id: String,
    /// Its name.
    name: String,
    /// Its current order feed seq.
    seq: i64,
}

/// Liveness and a few numbers.
///
/// Public: probes call it without a credential, and it tells nothing an
/// outlet's screens do not already show.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "server",
    security(()),
    responses((status = 200, description = "The server is up.", body = Health))
)]
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
