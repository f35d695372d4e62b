//! What every screen of the app shares, and how long the tests give a
//! screen to appear; the connection indicator's states as the page took
//! them, timed inside the page.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use serde::Deserialize;

use crate::{wait, Browser};

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

/// The connection indicator in a given state: `live`, `reconnecting`,
/// `polling` or `offline`.
pub fn connection(state: &str) -> String {
    format!(r#"[data-testid="connection"][data-state="{state}"]"#)
}

/// The connection indicator, whatever it says.
pub const CONNECTION: &str = r#"[data-testid="connection"]"#;

/// Records, inside the page, every `data-state` the connection indicator
/// takes with the moment it took it (`Date.now()`, ms since the epoch), so
/// a test can time a switch to the millisecond and see a flicker its own
/// polling would miss. Lasts until the page is reloaded.
const WATCH_CONNECTION_JS: &str = r#"
if (window.__ticketrailStates) return;
const states = [];
window.__ticketrailStates = states;
const look = () => {
  const el = document.querySelector('[data-testid="connection"]');
  const state = el ? el.getAttribute('data-state') : null;
  if (states.length === 0 || states[states.length - 1].state !== state) {
    states.push({ state, at: Date.now() });
  }
};
new MutationObserver(look).observe(document.body, {
  subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
});
look();
"#;

/// One state the indicator took, and when (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StateChange {
    /// `data-state`, `None` while there was no indicator.
    pub state: Option<String>,
    /// `Date.now()` in the page when it changed.
    pub at: f64,
}

/// Starts recording the indicator's states in `browser` (see
/// [`connection_states`]).
pub async fn watch_connection(browser: &Browser) -> Result<()> {
    browser.execute(WATCH_CONNECTION_JS).await?;
    Ok(())
}

/// Every state the indicator took since [`watch_connection`], oldest first.
pub async fn connection_states(browser: &Browser) -> Result<Vec<StateChange>> {
    let value = browser
        .execute(
            "if (!window.__ticketrailStates) \
               throw new Error('watch_connection was not called on this page'); \
             return window.__ticketrailStates;",
        )
        .await?;
    serde_json::from_value(value).context("reading the recorded connection states")
}

/// The states the indicator took from `since_ms` (ms since the epoch) on,
/// starting with the one it was in at that moment.
pub async fn states_since(browser: &Browser, since_ms: f64) -> Result<Vec<StateChange>> {
    let states = connection_states(browser).await?;
    let first = states
        .iter()
        .rposition(|change| change.at <= since_ms)
        .unwrap_or(0);
    Ok(states.into_iter().skip(first).collect())
}

/// Waits until the indicator switches to `state` at or after `since_ms`
/// (ms since the epoch) and returns when it did (ms since the epoch); a
/// timeout says which states it went through instead.
pub async fn wait_switch(
    browser: &Browser,
    state: &str,
    since_ms: f64,
    timeout: Duration,
) -> Result<f64> {
    let what = format!("the indicator to say {state}");
    wait::until(&what, timeout, || async {
        let states = states_since(browser, since_ms).await?;
        match states
            .iter()
            .find(|change| change.at >= since_ms && change.state.as_deref() == Some(state))
        {
            Some(change) => Ok(Some(change.at)),
            None => Err(anyhow!("it said {}", describe(&states, since_ms))),
        }
    })
    .await
}

/// `live at -3012 ms, then polling at +4 ms` (times relative to
/// `since_ms`), for an error message.
pub fn describe(states: &[StateChange], since_ms: f64) -> String {
    states
        .iter()
        .map(|change| {
            let state = change.state.as_deref().unwrap_or("(no indicator)");
            format!("{state} at {:+.0} ms", change.at - since_ms)
        })
        .collect::<Vec<_>>()
        .join(", then ")
}
