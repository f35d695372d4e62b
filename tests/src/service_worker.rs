//! The PWA's service worker as the page sees it: waiting until it controls
//! the page, which every offline check and the cache timing start from.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use crate::{wait, Browser};

/// Resolves to `true` once `navigator.serviceWorker.ready` has resolved and
/// the page is controlled, `false` if that has not happened within 500 ms
/// (the caller polls again).
const CONTROLLED_JS: &str = r#"
const done = arguments[arguments.length - 1];
const late = new Promise((resolve) => setTimeout(() => resolve(false), 500));
Promise.race([navigator.serviceWorker.ready.then(() => true), late])
  .then((ready) => done(ready && navigator.serviceWorker.controller !== null),
        () => done(false));
"#;

/// Unregisters every service worker of the page's origin and empties its
/// caches; resolves when both are done.
const FORGET_JS: &str = r#"
const done = arguments[arguments.length - 1];
Promise.all([
  navigator.serviceWorker.getRegistrations()
    .then((all) => Promise.all(all.map((registration) => registration.unregister()))),
  caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))),
]).then(() => done(true), (error) => done(String(error)));
"#;

impl Browser {
    /// Removes the service worker and its caches from the current page's
    /// origin (its IndexedDB stays), so the next load comes from the
    /// network as on a first visit.
    pub async fn forget_service_worker(&self) -> Result<()> {
        match self.execute_async(FORGET_JS).await? {
            Value::Bool(true) => self.goto("about:blank").await,
            other => anyhow::bail!("the service worker could not be removed: {other}"),
        }
    }

    /// Waits until the service worker is active and controls the current
    /// page, so the next load of any page in its scope goes through it.
    pub async fn wait_service_worker(&self, timeout: Duration) -> Result<()> {
        wait::until(
            "the service worker to be ready and in control",
            timeout,
            || async {
                Ok((self.execute_async(CONTROLLED_JS).await? == Value::Bool(true)).then_some(()))
            },
        )
        .await
    }
}
