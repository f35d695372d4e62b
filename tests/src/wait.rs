//! Waiting on a condition with a deadline: the only way these tests wait.

use std::future::Future;
use std::time::Duration;

use anyhow::{bail, Result};
use tokio::time::{sleep, Instant};

/// How long to wait before looking again.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// Polls `probe` until it yields `Some`, or fails after `timeout` naming
/// `what` and the last thing the probe reported.
///
/// The probe returns `Ok(None)` for "not yet"; an `Err` is remembered as the
/// reason and polling goes on, because pages and servers are often briefly
/// unreachable while they start. A probe that sees the wrong thing returns
/// an `Err` saying what it saw, so a timeout reports expected and seen.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = Some(err),
        }
        if Instant::now() >= deadline {
            match last_error {
                Some(err) => {
                    bail!("timed out after {timeout:?} waiting for {what}; last error: {err:#}")
                }
                None => bail!("timed out after {timeout:?} waiting for {what}"),
            }
        }
        sleep(POLL_EVERY).await;
    }
}
