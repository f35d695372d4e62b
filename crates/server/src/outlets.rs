//! Outlets: `GET /api/outlets/` (an admin sees all, anyone else their own),
//! `POST /api/outlets/` and `PUT /api/outlets/{id}/` (admin), and
//! `PUT /api/outlets/{id}/staff-pin` (manager or admin).
//!
//! An outlet's answer carries its staff PIN only as a salted PBKDF2 hash,
//! which is how the kiosks check the PIN while offline.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use ticketrail_protocol::access::{validate_outlet, validate_staff_pin};
use ticketrail_protocol::{ErrorBody, OutletInfo, OutletInput, StaffPin};
use utoipa_axum::routes;

use crate::access::{secret, Action, Caller};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::routes::Routes;
use crate::store::{AccessOutcome, AccessWrite, NewOutlet};
use crate::AppState;

/// The outlet routes.
pub fn router() -> Routes {
    Routes::default()
        .route(routes!(list, create))
        .route(routes!(update))
        .route(routes!(set_staff_pin))
}

/// The outlets the caller may read.
///
/// Roles: all. An `admin` gets every outlet; anyone else their own.
#[utoipa::path(
    get,
    path = "/api/outlets/",
    operation_id = "list_outlets",
    tag = "outlets",
    responses((status = 200, description = "The outlets, each with its staff PIN hash.", body = Vec<OutletInfo>)),
)]
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

/// Creates an outlet.
///
/// Roles: `admin`.
#[utoipa::path(
    post,
    path = "/api/outlets/",
    operation_id = "create_outlet",
    tag = "outlets",
    request_body = OutletInput,
    responses(
        (status = 201, description = "The new outlet.", body = OutletInfo),
        (status = 403, description = "Not an `admin`: `forbidden`.", body = ErrorBody),
        (status = 409, description = "An outlet with this id exists: `conflict`.", body = ErrorBody),
    ),
)]
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

/// Changes an outlet's name, time zone and currency.
///
/// Roles: `admin`. The body's `id` must be the one in the path.
#[utoipa::path(
    put,
    path = "/api/outlets/{id}/",
    operation_id = "update_outlet",
    tag = "outlets",
    params(("id" = String, Path, description = "The outlet's id.")),
    request_body = OutletInput,
    responses(
        (status = 200, description = "The outlet after the change.", body = OutletInfo),
        (status = 403, description = "Not an `admin`: `forbidden`.", body = ErrorBody),
        (status = 404, description = "No such outlet: `not_found`.", body = ErrorBody),
    ),
)]
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

/// Sets the outlet's staff PIN.
///
/// Roles: `manager` of the outlet, `admin`. The PIN is kept, and sent to the
/// kiosks, only as a salted PBKDF2 hash (`staff_pin` of the outlet).
#[utoipa::path(
    put,
    path = "/api/outlets/{id}/staff-pin",
    tag = "outlets",
    params(("id" = String, Path, description = "The outlet's id.")),
    request_body = StaffPin,
    responses(
        (status = 200, description = "The outlet with its new staff PIN hash.", body = OutletInfo),
        (status = 403, description = "Not this caller's outlet, or not a `manager`: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such outlet: `not_found`.", body = ErrorBody),
    ),
)]
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
