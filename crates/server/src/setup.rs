//! First run: a server with nobody to sign in (a new database, or one from
//! before protocol v2) makes a one-time setup code at start and prints the
//! setup address with it on STDOUT (never in the log). `POST /api/setup`
//! with that code creates the owner (an admin) and, if given, the first
//! outlet, and signs the owner in; from then on the code is gone and the
//! endpoint answers 409. `GET /api/setup` says whether setup is still due.
//!
//! The code is only in memory: a restart before setup makes a new one.

use std::sync::{Mutex, PoisonError};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use ticketrail_protocol::access::validate_setup;
use ticketrail_protocol::{ErrorBody, LoginSession, Role, SetupRequest, SetupState};
use utoipa_axum::routes;

use crate::access::{secret, ClientAddress};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::login::start_session;
use crate::routes::Routes;
use crate::store::{AccessOutcome, AccessWrite, NewOutlet, User};
use crate::AppState;

/// The one-time setup code, as a hash, while setup is due.
#[derive(Debug, Default)]
pub struct Setup {
    code_hash: Mutex<Option<String>>,
}

impl Setup {
    /// A setup that is due, and its code to show once.
    pub fn due() -> Result<(Setup, String), AppError> {
        let code = secret::new_pairing_code()?;
        let setup = Setup {
            code_hash: Mutex::new(Some(secret::hash_secret(&secret::normalize_code(&code)))),
        };
        Ok((setup, code))
    }

    fn is_due(&self) -> bool {
        self.lock().is_some()
    }

    /// Takes the code if `typed` is it: `Ok(None)` when setup is no longer
    /// due, `Err` for a wrong code.
    fn take(&self, typed: &str) -> Result<Option<String>, AppError> {
        let mut slot = self.lock();
        let Some(hash) = slot.as_ref() else {
            return Ok(None);
        };
        if *hash != secret::hash_secret(&secret::normalize_code(typed)) {
            return Err(AppError::Unauthorized);
        }
        Ok(slot.take())
    }

    /// Puts a taken code back after a setup that failed half-way.
    fn restore(&self, hash: String) {
        *self.lock() = Some(hash);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.code_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The setup routes.
pub fn router() -> Routes {
    Routes::default().route(routes!(state, set_up))
}

/// Whether the server still waits for its first run.
///
/// No credential.
#[utoipa::path(
    get,
    path = "/api/setup",
    operation_id = "setup_state",
    tag = "setup",
    security(()),
    responses((status = 200, description = "Whether setup is due.", body = SetupState))
)]
async fn state(State(state): State<AppState>) -> Json<SetupState> {
    Json(SetupState {
        needed: state.setup.is_due(),
    })
}

/// Sets the server up: the owner and, if given, the first outlet.
///
/// No credential: the one-time code the server printed at start is the
/// authority. Creates the owner as an `admin` and signs them in. Attempts
/// are counted with logins.
#[utoipa::path(
    post,
    path = "/api/setup",
    tag = "setup",
    security(()),
    request_body = SetupRequest,
    responses(
        (status = 201, description = "The owner's session.", body = LoginSession),
        (status = 400, description = "A field rule is broken (a password under 8 characters, a bad outlet), or no outlet given to a server that has none: `bad_request`.", body = ErrorBody),
        (status = 401, description = "Wrong setup code: `unauthorized`.", body = ErrorBody),
        (status = 409, description = "The server is set up already, or the outlet or username exists: `conflict`.", body = ErrorBody),
        (status = 429, description = "Over 10 attempts in a minute from this address: `rate_limited`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down: `internal`.", body = ErrorBody),
    )
)]
async fn set_up(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(input): ApiJson<SetupRequest>,
) -> Result<impl IntoResponse, AppError> {
    if !state
        .access
        .login_limit
        .attempt(address, std::time::Instant::now())
    {
        return Err(AppError::RateLimited);
    }
    validate_setup(&input)?;
    let Some(hash) = state.setup.take(&input.code)? else {
        return Err(AppError::Conflict(
            "this server is set up already: sign in instead".into(),
        ));
    };
    match create_owner(&state, input).await {
        Ok(session) => {
            tracing::info!("first-run setup done");
            Ok((StatusCode::CREATED, Json(session)))
        }
        Err(error) => {
            state.setup.restore(hash);
            Err(error)
        }
    }
}

/// Creates the first outlet (when given) and the owner, and signs them in.
async fn create_owner(state: &AppState, input: SetupRequest) -> Result<LoginSession, AppError> {
    match input.outlet {
        Some(outlet) => {
            let outlet = NewOutlet::from_input(outlet)?;
            if !matches!(
                state
                    .store
                    .access(AccessWrite::CreateOutlet(outlet))
                    .await?,
                AccessOutcome::OutletCreated(_)
            ) {
                return Err(AppError::Internal(
                    "creating the first outlet failed".into(),
                ));
            }
        }
        None if state.store.outlets().is_empty() => {
            return Err(AppError::BadRequest(
                "this server has no outlet yet: give the first one".into(),
            ))
        }
        None => {}
    }
    let password = input.password;
    let password_hash = tokio::task::spawn_blocking(move || secret::hash_password(&password))
        .await
        .map_err(|error| AppError::Internal(format!("hashing the password: {error}")))??;
    let user = User {
        id: secret::new_id("u-")?,
        username: input.username,
        password_hash,
        role: Role::Admin,
        outlet_id: None,
    };
    state
        .store
        .access(AccessWrite::CreateUser(user.clone()))
        .await?;
    start_session(state, &user).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_works_once_and_a_wrong_one_takes_nothing() {
        let (setup, code) = Setup::due().unwrap();
        assert!(setup.is_due());
        assert!(matches!(
            setup.take("WRONG-CODE9"),
            Err(AppError::Unauthorized)
        ));
        assert!(setup.is_due());
        let taken = setup
            .take(&code.to_lowercase())
            .unwrap()
            .expect("the right code");
        assert!(!setup.is_due());
        assert!(matches!(setup.take(&code), Ok(None)), "used up");
        setup.restore(taken);
        assert!(setup.is_due(), "a failed setup gives the code back");
    }
}
