//! Pairing and the screen's own outlet: `POST /api/devices/pair` (without
//! credentials) and `GET /api/outlets/`, which a kiosk also polls while its
//! socket is down (it may not read the order feed).

use ticketrail_protocol::{OutletInfo, PairDevice, Paired};

use super::{get_json, post_json, ApiError};

/// Pairs this screen with `code`.
pub async fn pair(code: &str) -> Result<Paired, ApiError> {
    post_json(
        "/api/devices/pair",
        &PairDevice {
            code: code.to_owned(),
        },
    )
    .await
}

/// The outlets this screen may see: its own.
pub async fn outlets() -> Result<Vec<OutletInfo>, ApiError> {
    get_json("/api/outlets/").await
}
