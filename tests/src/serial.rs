//! One browser scenario at a time within a test binary.
//!
//! cargo runs the tests of one file on parallel threads; two scenarios with
//! two Chromiums each would then share 2 cores, and the timing checks (an
//! order on the kitchen within 2 s) would measure the contention instead of
//! the app. Each test holds this guard for its whole body.

use tokio::sync::{Mutex, MutexGuard};

// A tokio mutex: it is runtime-agnostic, so the separate runtime of each
// `#[tokio::test]` can wait on it, and it does not poison when a test fails.
static SCENARIO: Mutex<()> = Mutex::const_new(());

/// Waits until no other test of this binary is running a scenario.
pub async fn one_at_a_time() -> MutexGuard<'static, ()> {
    SCENARIO.lock().await
}
