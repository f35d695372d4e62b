//! What every screen of the app shares, and how long the tests give a
//! screen to appear.

use std::time::Duration;

/// Long enough for a cold wasm compile on a busy 2-core machine: the app's
/// first screen after a navigation or reload.
pub const MOUNT: Duration = Duration::from_secs(20);

/// From a page load with the server gone to the indicator saying
/// "offline": the app says "reconnecting" for its first 10 s without
/// contact (`OFFLINE_AFTER_MS` in the app's connection policy), plus
/// [`MOUNT`].
pub const GO_OFFLINE: Duration = Duration::from_secs(30);

/// A reaction to a tap or a pushed event on a warm page.
pub const REACT: Duration = Duration::from_secs(5);

/// The connection indicator in a given state: `live`, `reconnecting` or
/// `offline`.
pub fn connection(state: &str) -> String {
    format!(r#"[data-testid="connection"][data-state="{state}"]"#)
}
