//! First run: `POST /api/setup` with the code the server printed, and the
//! owner's first pairing codes, asked with the session setup gave.

use ticketrail_protocol::{LoginSession, PairingCode, PairingCodeRequest, Role, SetupRequest};

use super::{post_json, post_json_as, ApiError};

/// Creates the owner (and the first outlet) and signs them in.
pub async fn set_up(request: &SetupRequest) -> Result<LoginSession, ApiError> {
    post_json("/api/setup", request).await
}

/// A pairing code for a `role` screen of `outlet_id`, asked as `token`'s
/// owner.
pub async fn pairing_code(
    token: &str,
    outlet_id: &str,
    role: Role,
) -> Result<PairingCode, ApiError> {
    let request = PairingCodeRequest {
        outlet_id: outlet_id.to_owned(),
        role,
        name: format!("First {}", role.as_str()),
    };
    post_json_as("/api/pairing-codes", &request, token).await
}
