//! People's sign-in: `POST /api/auth/login` gives a session token that
//! expires, and `DELETE /api/auth/session` ends the caller's own session.
//!
//! A wrong username and a wrong password get the same answer in the same
//! time (see [`crate::access::secret::verify_password`]); attempts are
//! limited per address.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{TimeDelta, Utc};
use ticketrail_protocol::access::validate_login;
use ticketrail_protocol::{ErrorBody, Login, LoginSession};
use utoipa_axum::routes;

use crate::access::{secret, Caller, ClientAddress};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::routes::Routes;
use crate::store::{AccessWrite, Credential, CredentialKind, User};
use crate::AppState;

/// How long a sign-in lasts: a working day and then some.
pub const SESSION_LASTS: TimeDelta = TimeDelta::hours(12);

/// The sign-in routes.
pub fn router() -> Routes {
    Routes::default()
        .route(routes!(login))
        .route(routes!(logout))
}

/// Signs a person in.
///
/// No credential. The session lasts 12 hours; attempts are limited per
/// address (counted with first-run setup).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "sign-in",
    security(()),
    request_body = Login,
    responses(
        (status = 200, description = "The session.", body = LoginSession),
        (status = 401, description = "Wrong username or password: `unauthorized`.", body = ErrorBody),
        (status = 429, description = "Over 10 attempts in a minute from this address: `rate_limited`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down: `internal`.", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(input): ApiJson<Login>,
) -> Result<Json<LoginSession>, AppError> {
    if !state
        .access
        .login_limit
        .attempt(address, std::time::Instant::now())
    {
        return Err(AppError::RateLimited);
    }
    validate_login(&input)?;
    let user = state.store.user(&input.username).await?;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let matched = tokio::task::spawn_blocking(move || {
        secret::verify_password(&input.password, stored.as_deref())
    })
    .await
    .map_err(|error| AppError::Internal(format!("password check: {error}")))?;
    let Some(user) = user.filter(|_| matched) else {
        return Err(AppError::Unauthorized);
    };
    start_session(&state, &user).await.map(Json)
}

/// Signs `user` in: a new session token, stored as a hash, that expires
/// after [`SESSION_LASTS`]. Also how first-run setup signs the owner in.
pub async fn start_session(state: &AppState, user: &User) -> Result<LoginSession, AppError> {
    let token = secret::new_token()?;
    let now = Utc::now();
    let expires_at = now + SESSION_LASTS;
    state
        .store
        .access(AccessWrite::CreateCredential(Credential {
            id: secret::new_id("s-")?,
            kind: CredentialKind::Session,
            token_hash: secret::hash_secret(&token),
            name: user.username.clone(),
            role: user.role,
            outlet_id: user.outlet_id.clone(),
            created_at: now,
            expires_at: Some(expires_at),
            last_seen_at: None,
            revoked: false,
        }))
        .await?;
    Ok(LoginSession {
        token,
        role: user.role,
        outlet_id: user.outlet_id.clone(),
        expires_at,
    })
}

/// Ends the caller's own credential.
///
/// Roles: all. A login session ends; a screen's token unpairs that screen.
/// From then on the token gets 401 everywhere.
#[utoipa::path(
    delete,
    path = "/api/auth/session",
    tag = "sign-in",
    responses((status = 204, description = "Signed out.")),
)]
async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    let id = caller.0.id.clone();
    state
        .store
        .access(AccessWrite::Revoke { id: id.clone() })
        .await?;
    state.access.revoke(&id);
    Ok(StatusCode::NO_CONTENT)
}
