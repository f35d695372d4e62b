//! The kiosk's staff area behind the outlet's staff PIN (issue 13): the
//! right PIN opens it even with the server gone (the kiosk checks the PIN
//! against the hash it keeps), five wrong ones lock it for a minute, and a
//! reload does not lift the lockout. The kiosk is on the restaurant's
//! network, on the outlet's HTTPS address (WebCrypto, which checks the PIN,
//! exists only in a secure context).

use anyhow::{ensure, Result};
use ticketrail_e2e::kiosk::{Kiosk, ATTRACT};
use ticketrail_e2e::menu::{
    STAFF_AREA, STAFF_OPEN, STAFF_PIN, STAFF_PIN_PROMPT, STAFF_PIN_STATUS, STAFF_PIN_SUBMIT,
    TEST_STAFF_PIN,
};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{connection, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};

/// The staff area's close button.
const STAFF_CLOSE: &str = r#"[data-testid="staff-close"]"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_staff_area_opens_with_the_pin_offline_and_locks_after_five_wrong_ones() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let mut server = Server::start_with(&env, "staff-pin", ServerOptions::lan()).await?;
    let browser = Browser::open_on_lan(&env, "staff-pin", server.lan()).await?;
    let result = gate(&mut server, &browser).await;
    if result.is_err() {
        // The error matters more than a missing picture.
        let _ = browser.screenshot("staff-pin-failed").await;
    }
    result?;
    browser.close().await
}

async fn gate(server: &mut Server, browser: &Browser) -> Result<()> {
    Kiosk::new(browser)
        .open_at(server, &server.lan_url("/kiosk"))
        .await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    browser.wait_service_worker(MOUNT).await?;
    wait::until("the kiosk to keep the PIN's hash", MOUNT, || async {
        let kept = browser
            .execute("return localStorage.getItem('ticketrail.kiosk.staff_pin');")
            .await?;
        Ok(kept
            .as_str()
            .is_some_and(|hash| hash.contains("pbkdf2"))
            .then_some(()))
    })
    .await?;
    server.stop().await?;

    // Offline, the right PIN opens the staff area.
    browser.click(STAFF_OPEN).await?;
    browser.wait_visible(STAFF_PIN_PROMPT, REACT).await?;
    ensure!(
        !browser.is_visible(STAFF_AREA).await?,
        "the staff area must not open with one tap"
    );
    browser.type_into(STAFF_PIN, TEST_STAFF_PIN).await?;
    browser.click(STAFF_PIN_SUBMIT).await?;
    browser.wait_visible(STAFF_AREA, REACT).await?;
    browser.click(STAFF_CLOSE).await?;
    browser.wait_hidden(STAFF_AREA, REACT).await?;

    // Four wrong PINs count down; the fifth locks the area.
    browser.click(STAFF_OPEN).await?;
    for left in (1..=4).rev() {
        browser.type_into(STAFF_PIN, "0000").await?;
        browser.click(STAFF_PIN_SUBMIT).await?;
        wait::until(&format!("{left} tries left"), REACT, || async {
            let said = browser.text(STAFF_PIN_STATUS).await?.unwrap_or_default();
            Ok(said.contains(&format!("{left} tr")).then_some(()))
        })
        .await?;
    }
    browser.type_into(STAFF_PIN, "0000").await?;
    browser.click(STAFF_PIN_SUBMIT).await?;
    browser
        .wait_attr(STAFF_PIN_STATUS, "data-locked", "true", REACT)
        .await?;
    browser.screenshot("staff-pin-locked").await?;

    // A reload does not lift the lockout: the right PIN is not even tried.
    browser.reload().await?;
    browser.wait_visible(ATTRACT, MOUNT).await?;
    browser.click(STAFF_OPEN).await?;
    browser
        .wait_attr(STAFF_PIN_STATUS, "data-locked", "true", REACT)
        .await?;
    let disabled = browser.attr(STAFF_PIN_SUBMIT, "disabled").await?;
    ensure!(
        disabled.is_some(),
        "while locked, the PIN button must be disabled"
    );
    let said = browser.text(STAFF_PIN_STATUS).await?.unwrap_or_default();
    ensure!(
        said.contains("locked"),
        "the prompt should say the area is locked, it says {said:?}"
    );
    Ok(())
}
