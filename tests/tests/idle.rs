//! An idle kiosk clears its cart: a warning first, which a tap dismisses,
//! then, left alone, an empty cart and the attract screen. The timers are
//! shortened through the kiosk's test hook (localStorage
//! `ticketrail.kiosk.timers`), and every step waits on what the screen
//! shows, never on the clock.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::json;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{Browser, Env, Server};

/// No touch for this long clears the cart.
const IDLE_MS: u64 = 3000;
/// The warning shows for the last this-long of it.
const WARNING_MS: u64 = 1500;
/// Slack over a timer before a late reaction counts as a failure: WebDriver
/// round trips and a busy machine, not the app's precision.
const SLACK: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_cart_is_cleared_after_a_warning() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let server = Server::start(&env, "idle").await?;
    let browser = Browser::open(&env, "idle").await?;
    let kiosk = Kiosk::new(&browser);
    kiosk.open(&server).await?;
    let timers = json!({ "idle_ms": IDLE_MS, "warning_ms": WARNING_MS }).to_string();
    browser
        .set_local_storage(kiosk::TIMERS_KEY, &timers)
        .await?;
    // The kiosk reads the hook when it mounts.
    browser.reload().await?;
    browser.wait_visible(kiosk::ATTRACT, MOUNT).await?;

    let shown = kiosk.start_order().await?;
    let product = shown.first().context("no product on screen")?;
    kiosk.add(product).await?;
    let until_warning = Duration::from_millis(IDLE_MS - WARNING_MS) + SLACK;
    browser
        .wait_visible(kiosk::IDLE_WARNING, until_warning)
        .await?;
    browser.screenshot("idle-warning").await?;

    // "Continue" keeps the cart and starts the wait again.
    browser.click(kiosk::IDLE_CONTINUE).await?;
    browser
        .wait_hidden(kiosk::IDLE_WARNING, Duration::from_secs(1))
        .await?;
    ensure!(
        kiosk.quantity(product).await? == Some(1),
        "continuing after the idle warning lost the cart line"
    );

    // Left alone: the warning again, then the reset.
    browser
        .wait_visible(kiosk::IDLE_WARNING, until_warning)
        .await?;
    browser
        .wait_visible(kiosk::ATTRACT, Duration::from_millis(WARNING_MS) + SLACK)
        .await?;
    browser.screenshot("idle-reset").await?;
    ensure!(
        browser.count(kiosk::CART_LINE).await? == 0,
        "the attract screen is back but cart lines remain"
    );
    // Not merely hidden behind the attract screen: a new order starts empty.
    kiosk.start_order().await?;
    ensure!(
        browser.count(kiosk::CART_LINE).await? == 0,
        "a new order after the idle reset starts with the old cart"
    );
    browser.screenshot("idle-new-order").await?;
    browser.close().await
}
