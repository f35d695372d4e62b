//! A kiosk on the restaurant's network: it opens the outlet by a name that
//! is not `localhost` ([`OUTLET_HOST`]), over HTTPS with the outlet's CA
//! trusted for real ([`ticketrail_e2e::lan`]). There, and only there, the
//! service worker runs: it controls the page, a kiosk switched on with the
//! server stopped starts from its cache, and the orders it queued arrive
//! once when the server is back. The same page over plain HTTP on that
//! name gets no service worker, which is why the outlet serves HTTPS.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::Value;
use ticketrail_e2e::kiosk::ATTRACT;
use ticketrail_e2e::lan::{Lan, OUTLET_HOST};
use ticketrail_e2e::outbox::delivery::{check_delivered, OrderLog};
use ticketrail_e2e::outbox::{self, client_ids};
use ticketrail_e2e::pairing::{INSECURE_ADDRESS, PAIR_PAGE};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};

/// The outlet the kiosk orders for.
const OUTLET: &str = "1";
/// From the server's return to the queue delivered: the worker may be
/// waiting out its longest backoff (60 s, `ticketrail_core::outbox`), plus
/// room for a busy machine.
const DRAIN: Duration = Duration::from_secs(75);

/// What the page knows about where it runs.
const CONTEXT_JS: &str = r#"return {
  protocol: location.protocol,
  host: location.hostname,
  secure: window.isSecureContext,
  serviceWorker: "serviceWorker" in navigator,
  controlled: "serviceWorker" in navigator && navigator.serviceWorker.controller !== null,
};"#;

#[tokio::test(flavor = "multi_thread")]
async fn over_plain_http_on_a_lan_name_the_kiosk_gets_no_service_worker() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let server = Server::start(&env, "https-plain").await?;
    let url = server.url("/kiosk").replace("127.0.0.1", OUTLET_HOST);
    let browser = Browser::open_on_lan(&env, "https-plain", Lan::default()).await?;
    browser.goto(&url).await?;
    let context = wait::until("the page to load", MOUNT, || async {
        let context = browser.execute(CONTEXT_JS).await?;
        Ok((context["host"] == OUTLET_HOST).then_some(context))
    })
    .await?;
    // The app itself runs: an unpaired screen asks to be paired, and says
    // what this address costs it.
    browser.wait_visible(PAIR_PAGE, MOUNT).await?;
    let warning = browser.wait_text(INSECURE_ADDRESS, REACT).await?;
    browser.screenshot("https-plain-http-kiosk").await?;
    ensure!(
        warning.contains("https://"),
        "the warning should name the address to use instead: {warning:?}"
    );
    ensure!(
        context["protocol"] == "http:"
            && context["secure"] == Value::Bool(false)
            && context["serviceWorker"] == Value::Bool(false),
        "over plain HTTP on {OUTLET_HOST} the page should be insecure with no service worker: {context}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn over_https_on_a_lan_name_a_kiosk_starts_offline_and_its_queue_arrives_once() -> Result<()>
{
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let mut server = Server::start_with(&env, "https", ServerOptions::lan()).await?;
    let base = server.lan_url("");

    // A browser that does not trust the outlet's CA gets no page at all:
    // certificate errors are not ignored here.
    refused_without_the_ca(&env, &base).await?;

    let browser = Browser::open_on_lan(&env, "https-kiosk", server.lan()).await?;
    browser.watch_queue().await?;
    outbox::prepare_kiosk(&browser, &server, &format!("{base}/kiosk")).await?;
    let context = browser.execute(CONTEXT_JS).await?;
    ensure!(
        context["protocol"] == "https:"
            && context["host"] == OUTLET_HOST
            && context["secure"] == Value::Bool(true)
            && context["controlled"] == Value::Bool(true),
        "over HTTPS on {OUTLET_HOST} the service worker should control the kiosk: {context}"
    );
    browser.screenshot("https-kiosk-live").await?;

    server.stop().await?;
    let mut numbers = Vec::new();
    for index in 0..3 {
        let (_, number) = outbox::place_queued(&browser, index, None).await?;
        numbers.push(number);
    }
    let queued = browser.queued_orders().await?;
    ensure!(
        queued.len() == 3,
        "the kiosk showed {numbers:?} but queued {} orders",
        queued.len()
    );

    // Switched off and on again with the server still away: the app comes
    // from the service worker's cache, its queue from IndexedDB.
    let profile = browser.close_keeping_profile().await?;
    let browser = Browser::open_with_profile(&env, "https-kiosk-cold", profile).await?;
    browser.goto(&format!("{base}/kiosk")).await?;
    browser
        .wait_visible(ATTRACT, MOUNT)
        .await
        .context("a cold start with the server stopped should show the cached kiosk")?;
    browser
        .wait_attr(outbox::PENDING, "data-pending", "3", MOUNT)
        .await
        .context("after the cold start the kiosk should still count 3 orders waiting")?;
    browser.screenshot("https-kiosk-cold-start-offline").await?;

    server.restart().await?;
    let mut log = OrderLog::new(OUTLET);
    log.wait_for(&server, queued.len(), DRAIN).await?;
    browser.wait_outbox_settled(DRAIN).await?;
    log.refresh(&server).await?;
    check_delivered(&[client_ids(&queued)], &log.orders())?;
    browser.wait_hidden(outbox::PENDING, REACT).await?;
    browser.screenshot("https-kiosk-delivered").await?;
    browser.close().await
}

/// Opens `base` in a browser on the LAN that trusts no local CA and
/// checks that Chromium refused the certificate instead of showing the app.
async fn refused_without_the_ca(env: &Env, base: &str) -> Result<()> {
    let browser = Browser::open_on_lan(env, "https-untrusted", Lan::default()).await?;
    // Chromium either fails the navigation or shows its interstitial; in
    // neither case does the app run.
    let _ = browser.goto(&format!("{base}/kiosk")).await;
    let page = browser
        .execute(
            "return {href: location.href, app: document.querySelector('[data-testid]') !== null};",
        )
        .await?;
    browser.screenshot("https-untrusted-ca").await?;
    ensure!(
        page["app"] == Value::Bool(false),
        "a browser that does not trust the outlet's CA loaded the app: {page}"
    );
    browser.close().await
}
