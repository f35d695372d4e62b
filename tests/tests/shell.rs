//! The PWA shell in a real browser: both faces mount and show the menu from
//! the real server, the service worker installs and precaches the shell
//! (wasm included), and with the server gone the app still starts from that
//! cache and says the server is unreachable.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::Value;
use ticketrail_e2e::{wait, Browser, Env, Server};

/// Generous for a cold wasm compile on a busy 2-core CI machine.
const MOUNT: Duration = Duration::from_secs(20);

const READY_COUNT: &str =
    r#"[data-testid="menu-status"][data-state="ready"] [data-testid="menu-count"]"#;
const ERROR_STATUS: &str = r#"[data-testid="menu-status"][data-state="error"]"#;

/// Resolves to `true` once `navigator.serviceWorker.ready` has resolved and
/// the page is controlled, `false` if that has not happened within 500 ms.
const SW_READY_JS: &str = r#"
const done = arguments[arguments.length - 1];
const late = new Promise((resolve) => setTimeout(() => resolve(false), 500));
Promise.race([navigator.serviceWorker.ready.then(() => true), late])
  .then((ready) => done(ready && navigator.serviceWorker.controller !== null),
        () => done(false));
"#;

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
async fn faces_mount_precache_and_start_offline() -> Result<()> {
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "shell").await?;
    let expected = server.active_product_count().await?;
    ensure!(expected > 0, "the demo menu has no active products");
    let browser = Browser::open(&env, "shell").await?;

    // `/` is only an entry point: a fresh device lands on the kiosk.
    browser.goto(&server.url("/")).await?;
    let shown = browser.wait_text(READY_COUNT, MOUNT).await?;
    ensure!(
        shown == expected.to_string(),
        "kiosk shows {shown} products, the server has {expected}"
    );
    ensure!(
        browser.path().await? == "/kiosk",
        "`/` did not redirect to /kiosk"
    );
    check_face(&browser, "Self-order kiosk").await?;
    browser.screenshot("shell-kiosk").await?;

    browser.goto(&server.url("/kitchen")).await?;
    let shown = browser.wait_text(READY_COUNT, MOUNT).await?;
    ensure!(
        shown == expected.to_string(),
        "kitchen shows {shown} products, the server has {expected}"
    );
    check_face(&browser, "Kitchen display").await?;
    browser.screenshot("shell-kitchen").await?;

    wait::until(
        "the service worker to be ready and in control",
        MOUNT,
        || async {
            Ok((browser.execute_async(SW_READY_JS).await? == Value::Bool(true)).then_some(()))
        },
    )
    .await?;
    check_precache(&browser.execute_async(SW_STATE_JS).await?)?;

    // Controlled by the worker now: an online page load goes network-first
    // through it and must still reach the live server.
    browser.goto(&server.url("/kitchen")).await?;
    let shown = browser.wait_text(READY_COUNT, MOUNT).await?;
    ensure!(
        shown == expected.to_string(),
        "kitchen under the worker shows {shown} products, the server has {expected}"
    );

    // The server goes away; a reload must still start the app, from the cache.
    server.stop().await?;
    browser.goto(&server.url("/kiosk")).await?;
    let error = browser.wait_text(ERROR_STATUS, MOUNT).await?;
    ensure!(
        error.contains("Can't reach the outlet server"),
        "unexpected offline message: {error}"
    );
    check_face(&browser, "Self-order kiosk").await?;
    browser.screenshot("shell-kiosk-offline").await?;

    browser.close().await
}

/// The branded top bar is there and names the face.
async fn check_face(browser: &Browser, face: &str) -> Result<()> {
    let brand = browser.text(".brand__name").await?;
    ensure!(
        brand.as_deref() == Some("Ticketrail"),
        "brand shows {brand:?}"
    );
    let shown = browser.text(".topbar__face").await?;
    ensure!(
        shown.as_deref() == Some(face),
        "face shows {shown:?}, expected {face}"
    );
    let title = browser.execute("return document.title").await?;
    ensure!(title == "Ticketrail", "document title is {title}");
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
