//! Screens: pairing codes, pairing, the device list and revocation
//! (`PROTOCOL.md` v2 "access").
//!
//! A manager (or admin) asks for a short, single-use code; the screen sends
//! it without credentials and gets its own token, shown once. Revoking a
//! device refuses its token from then on and closes its sockets at once
//! (see [`crate::access::Access::revoke`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use ticketrail_protocol::access::{validate_pair, validate_pairing_request};
use ticketrail_protocol::{
    Device, ErrorBody, PairDevice, Paired, PairingCode, PairingCodeRequest, Role,
};
use utoipa::IntoParams;
use utoipa_axum::routes;

use crate::access::{secret, Action, Caller, ClientAddress};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::Routes;
use crate::store::{AccessOutcome, AccessWrite, NewPairingCode, StoreError};
use crate::AppState;

/// How long a pairing code pairs.
pub const CODE_VALID: TimeDelta = TimeDelta::minutes(10);

/// The device routes.
pub fn router() -> Routes {
    Routes::default()
        .route(routes!(create_code))
        .route(routes!(pair))
        .route(routes!(list))
        .route(routes!(revoke))
}

/// Makes a code that pairs one screen.
///
/// Roles: `manager` of the outlet, `admin`. The code pairs once, within 10
/// minutes, as a `kiosk`, `kitchen` or `manager` screen of the outlet.
#[utoipa::path(
    post,
    path = "/api/pairing-codes",
    operation_id = "create_pairing_code",
    tag = "devices",
    request_body = PairingCodeRequest,
    responses(
        (status = 201, description = "The code.", body = PairingCode),
        (status = 400, description = "A field rule is broken, or the role is `admin` (an admin signs in instead): `bad_request`.", body = ErrorBody),
        (status = 403, description = "Not this caller's outlet, or not a `manager`: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such outlet: `not_found`.", body = ErrorBody),
    ),
)]
async fn create_code(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PairingCodeRequest>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ManageDevices, Some(&input.outlet_id))?;
    validate_pairing_request(&input)?;
    if input.role == Role::Admin {
        return Err(AppError::BadRequest(
            "screens pair as kiosk, kitchen or manager; an admin signs in instead".into(),
        ));
    }
    if state.store.find_outlet(&input.outlet_id).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "no outlet with id \"{}\"",
            input.outlet_id
        )));
    }
    let code = secret::new_pairing_code()?;
    let expires_at = Utc::now() + CODE_VALID;
    state
        .store
        .access(AccessWrite::CreatePairingCode(NewPairingCode {
            code_hash: secret::hash_secret(&secret::normalize_code(&code)),
            outlet_id: input.outlet_id,
            role: input.role,
            name: input.name,
            expires_at,
        }))
        .await?;
    Ok((StatusCode::CREATED, Json(PairingCode { code, expires_at })))
}

/// Pairs this screen with a pairing code.
///
/// No credential: the code is the screen's authority. The answer holds the
/// screen's token, shown only here. Attempts are limited per address.
#[utoipa::path(
    post,
    path = "/api/devices/pair",
    operation_id = "pair_device",
    tag = "devices",
    security(()),
    request_body = PairDevice,
    responses(
        (status = 201, description = "The screen's credential.", body = Paired),
        (status = 401, description = "The code is used, expired or unknown: `unauthorized`.", body = ErrorBody),
        (status = 429, description = "Over 10 pairing attempts in a minute from this address: `rate_limited`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down: `internal`.", body = ErrorBody),
    )
)]
async fn pair(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(input): ApiJson<PairDevice>,
) -> Result<impl IntoResponse, AppError> {
    if !state
        .access
        .pairing_limit
        .attempt(address, std::time::Instant::now())
    {
        return Err(AppError::RateLimited);
    }
    validate_pair(&input)?;
    let token = secret::new_token()?;
    let write = AccessWrite::Pair {
        code_hash: secret::hash_secret(&secret::normalize_code(&input.code)),
        id: secret::new_id("dev-")?,
        token_hash: secret::hash_secret(&token),
    };
    let credential = match state.store.access(write).await {
        Ok(AccessOutcome::Paired(credential)) => credential,
        // Used, expired and unknown codes look the same from outside.
        Err(StoreError::NotFound(_)) => return Err(AppError::Unauthorized),
        Err(error) => return Err(error.into()),
        Ok(other) => return Err(AppError::Internal(format!("pairing answered {other:?}"))),
    };
    tracing::info!(device = %credential.id, role = credential.role.as_str(), "screen paired");
    Ok((
        StatusCode::CREATED,
        Json(Paired {
            token,
            device_id: credential.id,
            outlet_id: credential.outlet_id.unwrap_or_default(),
            role: credential.role,
        }),
    ))
}

/// `?outlet_id=X`, optional for an admin (every outlet).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeviceQuery {
    /// The outlet whose devices to list. Left out: the caller's own outlet,
    /// or every device for an `admin`.
    outlet_id: Option<String>,
}

/// The paired screens and scripted tokens, oldest first.
///
/// Roles: `manager` of the outlet, `admin`. Logins are not devices.
#[utoipa::path(
    get,
    path = "/api/devices",
    operation_id = "list_devices",
    tag = "devices",
    params(DeviceQuery),
    responses(
        (status = 200, description = "The devices.", body = Vec<Device>),
        (status = 400, description = "The query string is malformed: `bad_request`.", body = ErrorBody),
        (status = 403, description = "Not this caller's outlet, or not a `manager`: `forbidden`.", body = ErrorBody),
    ),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DeviceQuery>,
) -> Result<Json<Vec<Device>>, AppError> {
    let outlet = query
        .outlet_id
        .or_else(|| caller.outlet_id().map(str::to_owned));
    if !caller.is_admin() || outlet.is_some() {
        caller.authorize(Action::ManageDevices, outlet.as_deref())?;
    }
    let now = Utc::now();
    let devices = state.store.devices(outlet.as_deref()).await?;
    Ok(Json(
        devices
            .into_iter()
            .map(|device| state.access.device(device, now))
            .collect(),
    ))
}

/// Revokes a device.
///
/// Roles: `manager` of the device's outlet, `admin`. Its token is refused
/// from then on and its open sockets close within a second. Revoking again
/// answers the same.
#[utoipa::path(
    delete,
    path = "/api/devices/{id}",
    operation_id = "revoke_device",
    tag = "devices",
    params(("id" = String, Path, description = "The device's id.")),
    responses(
        (status = 200, description = "The device as the list now shows it.", body = Device),
        (status = 403, description = "Not this caller's outlet's device, or not a `manager`; also for a device that does not exist: `forbidden`.", body = ErrorBody),
        (status = 404, description = "(`admin` only) No such device: `not_found`.", body = ErrorBody),
    ),
)]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Device>, AppError> {
    let credential = state.store.credential(&id).await?;
    let outlet = credential.as_ref().and_then(|c| c.outlet_id.clone());
    caller.authorize(Action::ManageDevices, outlet.as_deref())?;
    if credential.is_none() {
        return Err(AppError::NotFound(format!("no device with id \"{id}\"")));
    }
    state
        .store
        .access(AccessWrite::Revoke { id: id.clone() })
        .await?;
    state.access.revoke(&id);
    tracing::info!(device = %id, "device revoked");
    let revoked = state
        .store
        .credential(&id)
        .await?
        .ok_or_else(|| AppError::Internal("a revoked device could not be read back".into()))?;
    Ok(Json(state.access.device(revoked, Utc::now())))
}
