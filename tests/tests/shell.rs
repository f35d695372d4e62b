//! The PWA shell in a real browser: both faces mount against the real
//! server, the service worker installs and precaches the shell (wasm
//! included), Chromium finds the app installable, and with the server gone
//! the app still starts from that cache and says it is offline.

use std::collections::BTreeSet;

use anyhow::{anyhow, ensure, Context, Result};
use serde_json::Value;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::kitchen;
use ticketrail_e2e::ui::{connection, GO_OFFLINE, MOUNT};
use ticketrail_e2e::{wait, Browser, Env, Server};

/// The shell caches, every URL in them, and the worker's own answer to a
/// version request.
const SW_STATE_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const registration = await navigator.serviceWorker.ready;
  const names = (await caches.keys()).filter((name) => name.startsWith('ticketrail-shell-'));
  const urls = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) {
      const url = new URL(request.url);
      urls.push(url.pathname + url.search);
    }
  }
  const version = await new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    registration.active.postMessage({ type: 'version' }, [channel.port2]);
    setTimeout(() => reject(new Error('no answer to the version request')), 5000);
  });
  return { names, urls, version };
})().then(done, (error) => done({ error: String(error) }));
"#;

#[tokio::test(flavor = "multi_thread")]
async fn faces_mount_precache_install_and_start_offline() -> Result<()> {
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "shell").await?;
    let active: BTreeSet<String> = server
        .active_products()
        .await?
        .into_iter()
        .map(|product| product.id)
        .collect();
    let browser = Browser::open(&env, "shell").await?;

    // `/` is only an entry point: a fresh device lands on the kiosk.
    browser.open_screen(&server, &server.url("/")).await?;
    browser.wait_visible(kiosk::ATTRACT, MOUNT).await?;
    ensure!(
        browser.path().await? == "/kiosk",
        "`/` did not redirect to /kiosk"
    );
    check_app(&browser).await?;
    let shown = Kiosk::new(&browser).start_order().await?;
    let inactive: Vec<&String> = shown.iter().filter(|id| !active.contains(*id)).collect();
    ensure!(
        inactive.is_empty(),
        "the kiosk shows products the server does not have active: {inactive:?}"
    );
    browser.screenshot("shell-kiosk").await?;

    browser
        .open_screen(&server, &server.url("/kitchen"))
        .await?;
    browser.wait_visible(kitchen::NO_TICKETS, MOUNT).await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    check_app(&browser).await?;
    browser.screenshot("shell-kitchen").await?;

    browser.wait_service_worker(MOUNT).await?;
    check_precache(&browser.execute_async(SW_STATE_JS).await?)?;

    // Controlled by the worker now: an online page load goes network-first
    // through it, must still reach the live server, and is installable.
    browser.open_screen(&server, &server.url("/kiosk")).await?;
    browser.wait_visible(kiosk::ATTRACT, MOUNT).await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    wait::until("Chromium to find /kiosk installable", MOUNT, || async {
        let errors = browser.installability_errors().await?;
        if errors.is_empty() {
            Ok(Some(()))
        } else {
            Err(anyhow!("installability errors: {errors:?}"))
        }
    })
    .await?;

    // The server goes away; a reload must still start the app, from the cache.
    server.stop().await?;
    browser.open_screen(&server, &server.url("/kiosk")).await?;
    browser
        .wait_visible(&connection("offline"), GO_OFFLINE)
        .await?;
    browser.wait_visible(kiosk::ATTRACT, MOUNT).await?;
    check_app(&browser).await?;
    browser.screenshot("shell-kiosk-offline").await?;

    browser.close().await
}

/// The app, not a browser error page: its title and the connection
/// indicator every screen carries. (Which face it is, each caller checks by
/// that face's own contract element.)
async fn check_app(browser: &Browser) -> Result<()> {
    let title = browser.execute("return document.title").await?;
    ensure!(title == "Ticketrail", "document title is {title}");
    ensure!(
        browser.is_visible(r#"[data-testid="connection"]"#).await?,
        "no connection indicator on {}",
        browser.path().await?
    );
    Ok(())
}

/// One cache for the stamped build, holding index.html, the app's hashed js
/// and wasm, and the worker's wasm for this build.
fn check_precache(state: &Value) -> Result<()> {
    ensure!(
        state.get("error").is_none(),
        "reading the service worker state failed: {state}"
    );
    let build = state["version"]["build"]
        .as_str()
        .context("no build in the version reply")?;
    ensure!(
        build.len() == 16 && build.bytes().all(|b| b.is_ascii_hexdigit()),
        "sw.js carries no stamped build version (got {build:?}); is the Trunk post_build hook www/stamp-sw.sh configured?"
    );
    let cache = format!("ticketrail-shell-{build}");
    ensure!(
        state["names"] == serde_json::json!([cache]),
        "shell caches: {}",
        state["names"]
    );
    ensure!(
        state["version"]["cache"] == cache.as_str(),
        "worker names its cache {}",
        state["version"]["cache"]
    );

    let urls: Vec<&str> = state["urls"]
        .as_array()
        .context("no cached URLs")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let has = |wanted: &dyn Fn(&str) -> bool| urls.iter().any(|url| wanted(url));
    ensure!(
        has(&|url| url == "/index.html"),
        "index.html not precached: {urls:?}"
    );
    ensure!(
        has(&|url| url.starts_with("/ticketrail-app-") && url.ends_with("_bg.wasm")),
        "app wasm not precached: {urls:?}"
    );
    ensure!(
        has(&|url| url.starts_with("/ticketrail-app-") && url.ends_with(".js")),
        "app js not precached: {urls:?}"
    );
    ensure!(
        has(&|url| url.starts_with("/style-") && url.ends_with(".css")),
        "stylesheet not precached: {urls:?}"
    );
    let worker_wasm = format!("/ticketrail-worker_bg.wasm?v={build}");
    ensure!(
        has(&|url| url == worker_wasm),
        "worker wasm not precached: {urls:?}"
    );
    Ok(())
}
