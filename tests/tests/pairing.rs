//! Pairing a screen end to end (`PROTOCOL.md` v2 "access"): a screen that
//! was never paired shows "Pair this screen" wherever it is opened, says
//! plainly when a code does not work, and with a good code becomes the
//! screen it was paired as, live on its outlet. The screen is on the
//! restaurant's network, on the outlet's HTTPS address.

use anyhow::{ensure, Result};
use ticketrail_e2e::pairing::{INSECURE_ADDRESS, PAIR_CODE, PAIR_PAGE, PAIR_STATUS, PAIR_SUBMIT};
use ticketrail_e2e::ui::{connection, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};

#[tokio::test(flavor = "multi_thread")]
async fn an_unpaired_screen_asks_for_a_code_and_becomes_the_screen_it_pairs_as() -> Result<()> {
    let env = Env::from_env()?;
    let server = Server::start_with(&env, "pairing", ServerOptions::lan()).await?;
    let browser = Browser::open_on_lan(&env, "pairing", server.lan()).await?;
    let result = pair_by_hand(&server, &browser).await;
    if result.is_err() {
        // The error matters more than a missing picture.
        let _ = browser.screenshot("pairing-failed").await;
    }
    result?;
    browser.close().await
}

async fn pair_by_hand(server: &Server, browser: &Browser) -> Result<()> {
    // Nothing paired: the kitchen address shows the pairing page instead.
    browser.goto(&server.lan_url("/kitchen")).await?;
    browser.wait_visible(PAIR_PAGE, MOUNT).await?;
    ensure!(
        !browser.is_visible(INSECURE_ADDRESS).await?,
        "the pairing page warns of an insecure address on HTTPS"
    );
    browser.screenshot("pairing-1-unpaired-screen").await?;

    browser.type_into(PAIR_CODE, "WRONG-CODE9").await?;
    browser.click(PAIR_SUBMIT).await?;
    browser
        .wait_attr(PAIR_STATUS, "data-failed", "true", REACT)
        .await?;
    let said = browser.wait_text(PAIR_STATUS, REACT).await?;
    ensure!(
        said.contains("did not work"),
        "a refused code should say so plainly, the page says {said:?}"
    );
    browser.screenshot("pairing-2-wrong-code").await?;

    let code = server.pairing_code("1", "kitchen").await?;
    browser
        .execute(&format!(
            "document.querySelector('{}').value = '';",
            PAIR_CODE.replace('\'', "\\'")
        ))
        .await?;
    browser.type_into(PAIR_CODE, &code.to_lowercase()).await?;
    browser.click(PAIR_SUBMIT).await?;
    wait::until("the screen to open as the kitchen", MOUNT, || async {
        Ok((browser.path().await? == "/kitchen").then_some(()))
    })
    .await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    browser.screenshot("pairing-3-paired-kitchen").await?;
    Ok(())
}
