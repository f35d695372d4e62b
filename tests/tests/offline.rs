//! The server goes away: loading the kiosk and the kitchen still starts
//! the app from the service worker's cache, and each screen says it is
//! offline instead of showing a browser error page. A kiosk with no saved
//! menu also says its menu is unavailable (a kiosk with one shows it: see
//! `menu_offline.rs`).

use anyhow::{ensure, Result};
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{connection, GO_OFFLINE, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server};

#[tokio::test(flavor = "multi_thread")]
async fn with_the_server_stopped_and_no_saved_menu_the_cached_app_says_so() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "offline").await?;
    let browser = Browser::open(&env, "offline").await?;
    Kiosk::new(&browser).open(&server).await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    browser.wait_service_worker(MOUNT).await?;
    // Forget the menu the first visit saved, from a page of the same origin
    // that does not run the app (so nothing holds the database open).
    browser.goto(&server.url("/healthz")).await?;
    browser.delete_saved_menu().await?;

    server.stop().await?;
    browser.goto(&server.url("/kiosk")).await?;
    browser
        .wait_visible(&connection("offline"), GO_OFFLINE)
        .await?;
    ensure!(
        browser.path().await? == "/kiosk",
        "loading /kiosk offline ended on {}",
        browser.path().await?
    );
    show_menu_unavailable(&browser).await?;
    let message = browser.wait_text(kiosk::MENU_UNAVAILABLE, REACT).await?;
    // As the customer first sees it, then with the message scrolled to.
    browser.screenshot("offline-kiosk").await?;
    browser.scroll_into_view(kiosk::MENU_UNAVAILABLE).await?;
    browser.screenshot("offline-kiosk-message").await?;
    ensure!(
        message.split_whitespace().count() >= 3,
        "menu-unavailable should say what is wrong in words, it says {message:?}"
    );

    // The kitchen page of the same (kiosk-paired) browser: offline, its
    // cached app still says where it stands.
    browser.goto(&server.url("/kitchen")).await?;
    browser
        .wait_visible(&connection("offline"), GO_OFFLINE)
        .await?;
    browser.screenshot("offline-kitchen").await?;
    let label = browser.wait_text(&connection("offline"), REACT).await?;
    ensure!(
        label.to_lowercase().contains("offline"),
        "the offline indicator's label reads {label:?}"
    );
    browser.close().await
}

/// The contract does not say whether the kiosk shows the menu-unavailable
/// message on its attract screen or once ordering starts; accept either.
async fn show_menu_unavailable(browser: &Browser) -> Result<()> {
    let at_start = wait::until(
        "the menu-unavailable message or the start button",
        MOUNT,
        || async {
            if browser.is_visible(kiosk::MENU_UNAVAILABLE).await? {
                Ok(Some(true))
            } else if browser.is_visible(kiosk::START_ORDER).await? {
                Ok(Some(false))
            } else {
                Ok(None)
            }
        },
    )
    .await?;
    if !at_start {
        browser.screenshot("offline-kiosk-attract").await?;
        browser.click(kiosk::START_ORDER).await?;
    }
    browser.wait_visible(kiosk::MENU_UNAVAILABLE, REACT).await
}
