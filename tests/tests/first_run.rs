//! First run from an empty database, in a browser (issue 13): the owner
//! opens the setup address the server printed, creates their sign-in and
//! the first outlet, makes a pairing code for a kiosk and one for a
//! kitchen, and the two screens, paired with them, take an order and show
//! it in the kitchen.

use anyhow::{Context, Result};
use serde_json::{json, Value};
use ticketrail_e2e::kiosk::{Kiosk, ATTRACT};
use ticketrail_e2e::kitchen::ticket;
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{connection, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};

/// The owner the test creates.
const OWNER: (&str, &str) = ("owner", "correct horse battery");

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_sets_up_an_empty_server_pairs_two_screens_and_an_order_reaches_the_kitchen(
) -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let options = ServerOptions {
        empty: true,
        ..ServerOptions::default()
    };
    let server = Server::start_with(&env, "first-run", options).await?;
    let owner = Browser::open(&env, "first-run-owner").await?;
    let kiosk = Browser::open(&env, "first-run-kiosk").await?;
    let kitchen = Browser::open(&env, "first-run-kitchen").await?;
    let result = first_run(&server, &owner, &kiosk, &kitchen).await;
    if result.is_err() {
        // The error matters more than missing pictures.
        let _ = owner.screenshot("first-run-owner-failed").await;
        let _ = kiosk.screenshot("first-run-kiosk-failed").await;
        let _ = kitchen.screenshot("first-run-kitchen-failed").await;
    }
    result?;
    for browser in [owner, kiosk, kitchen] {
        browser.close().await?;
    }
    Ok(())
}

async fn first_run(
    server: &Server,
    owner: &Browser,
    kiosk: &Browser,
    kitchen: &Browser,
) -> Result<()> {
    let setup = server
        .setup_url()
        .context("an empty server prints a setup address")?;
    owner.goto(setup).await?;
    owner
        .wait_visible(r#"[data-testid="setup-page"]"#, MOUNT)
        .await?;
    owner
        .type_into(r#"[data-testid="setup-username"]"#, OWNER.0)
        .await?;
    owner
        .type_into(r#"[data-testid="setup-password"]"#, OWNER.1)
        .await?;
    owner
        .type_into(r#"[data-testid="setup-outlet"]"#, "Kopi Senja Kemang")
        .await?;
    owner
        .execute(
            r#"const zone = document.querySelector('[data-testid="setup-timezone"]');
            zone.value = ''; zone.dispatchEvent(new Event('input'));"#,
        )
        .await?;
    owner
        .type_into(r#"[data-testid="setup-timezone"]"#, "Asia/Jakarta")
        .await?;
    owner.screenshot("first-run-1-setup").await?;
    owner.click(r#"[data-testid="setup-submit"]"#).await?;
    owner
        .wait_visible(r#"[data-testid="setup-done"]"#, MOUNT)
        .await?;

    owner.click(r#"[data-testid="setup-pair-kiosk"]"#).await?;
    owner.click(r#"[data-testid="setup-pair-kitchen"]"#).await?;
    let code = |role: &'static str| async move {
        let css = format!(r#"[data-testid="setup-code-made"][data-role="{role}"]"#);
        wait::until(&format!("a {role} pairing code"), REACT, || async {
            owner.attr(&css, "data-code").await
        })
        .await
    };
    let (kiosk_code, kitchen_code) = (code("kiosk").await?, code("kitchen").await?);
    owner.screenshot("first-run-2-codes").await?;

    // The owner puts a dish on the menu (the back office's job, through
    // the management API with the owner's own sign-in).
    let product = add_first_dish(server).await?;

    kitchen
        .goto(&server.url(&format!("/pair?code={kitchen_code}")))
        .await?;
    kitchen.wait_visible(&connection("live"), MOUNT).await?;
    kiosk
        .goto(&server.url(&format!("/pair?code={kiosk_code}")))
        .await?;
    kiosk.wait_visible(ATTRACT, MOUNT).await?;
    let customer = Kiosk::new(kiosk);
    customer.start_order().await?;
    customer.add(&product).await?;
    customer.place_order().await?;
    customer.wait_confirmation().await?;

    let orders = server.orders("1").await?;
    let order = orders.first().context("the order reached the server")?;
    kitchen.wait_visible(&ticket(&order.id), MOUNT).await?;
    kitchen.screenshot("first-run-3-kitchen").await?;
    Ok(())
}

/// Signs the owner in and creates a category and one dish; returns its id.
async fn add_first_dish(server: &Server) -> Result<String> {
    let http = reqwest::Client::new();
    let session: Value = http
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": OWNER.0, "password": OWNER.1}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = session["token"].as_str().context("a session token")?;
    http.post(server.url("/api/categories/"))
        .bearer_auth(token)
        .json(&json!({"id": "c-1", "name": "Coffee", "sort_order": 1}))
        .send()
        .await?
        .error_for_status()?;
    http.post(server.url("/api/products/"))
        .bearer_auth(token)
        .json(
            &json!({"id": "p-1", "name": "Kopi Susu", "category_id": "c-1",
            "price": 2_500_000, "currency": "IDR", "station": "bar"}),
        )
        .send()
        .await?
        .error_for_status()?;
    Ok("p-1".to_owned())
}
