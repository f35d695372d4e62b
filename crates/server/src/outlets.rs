//! Outlets: `GET /api/outlets/` (an admin sees all, anyone else their own),
//! `POST /api/outlets/` and `PUT /api/outlets/{id}/` (admin), and
//! `PUT /api/outlets/{id}/staff-pin` (manager or admin).
//!
//! An outlet's answer carries its staff PIN only as a salted PBKDF2 hash,
//! which is how the kiosks check the PIN while offline.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::{Json, Router};
use ticketrail_protocol::access::{validate_outlet, validate_staff_pin};
use ticketrail_protocol::{OutletInfo, OutletInput, StaffPin};

use crate::access::{secret, Action, Caller};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::store::{AccessOutcome, AccessWrite, NewOutlet};
use crate::AppState;

/// The outlet routes, with and without the trailing slash.
pub fn router() -> Router<AppState> {
    let collection = get(list).post(create);
    Router::new()
        .route("/api/outlets/", collection.clone())
        .route("/api/outlets", collection)
        .route("/api/outlets/{id}/", put(update))
        .route("/api/outlets/{id}", put(update))
        .route("/api/outlets/{id}/staff-pin", put(set_staff_pin))
        .route("/api/outlets/{id}/staff-pin/", put(set_staff_pin))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OutletInfo>>, AppError> {
    // From the database, not only memory: an admin's "all" includes an
    // outlet `ticketrail-server outlet add` made while the server runs.
    let outlets = state
        .store
        .current_outlets()
        .await?
        .into_iter()
        .filter(|outlet| caller.0.allows(Action::ReadOutlet, Some(&outlet.id)))
        .map(|outlet| outlet.info())
        .collect();
    Ok(Json(outlets))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OutletInput>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ManageOutlets, None)?;
    validate_outlet(&input)?;
    let outlet = NewOutlet::from_input(input)?;
    match state
        .store
        .access(AccessWrite::CreateOutlet(outlet))
        .await?
    {
        AccessOutcome::OutletCreated(outlet) => Ok((StatusCode::CREATED, Json(outlet.info()))),
        other => Err(AppError::Internal(format!(
            "creating an outlet answered {other:?}"
        ))),
    }
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OutletInput>,
) -> Result<Json<OutletInfo>, AppError> {
    caller.authorize(Action::ManageOutlets, Some(&id))?;
    validate_outlet(&input)?;
    if input.id != id {
        return Err(AppError::BadRequest(
            "the body's id must be the outlet's id in the address".into(),
        ));
    }
    let outlet = NewOutlet::from_input(input)?;
    state
        .store
        .access(AccessWrite::UpdateOutlet(outlet))
        .await?;
    info(&state, &id).await
}

async fn set_staff_pin(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<StaffPin>,
) -> Result<Json<OutletInfo>, AppError> {
    caller.authorize(Action::SetStaffPin, Some(&id))?;
    validate_staff_pin(&input)?;
    // 100,000 PBKDF2 rounds: off the async workers.
    let pin = tokio::task::spawn_blocking(move || secret::hash_pin(&input.pin))
        .await
        .map_err(|error| AppError::Internal(format!("hashing the PIN: {error}")))??;
    state
        .store
        .access(AccessWrite::SetStaffPin {
            outlet_id: id.clone(),
            pin,
        })
        .await?;
    tracing::info!(outlet = %id, "staff PIN changed");
    info(&state, &id).await
}

async fn info(state: &AppState, id: &str) -> Result<Json<OutletInfo>, AppError> {
    state
        .store
        .find_outlet(id)
        .await?
        .map(|outlet| Json(outlet.info()))
        .ok_or_else(|| AppError::NotFound(format!("no outlet with id \"{id}\"")))
}
