//! The kiosk's language switch: Arabic turns the whole page right-to-left
//! and shows the menu's Arabic names; back to English turns it back.

use std::collections::BTreeMap;

use anyhow::{anyhow, ensure, Context, Result};
use serde_json::json;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::REACT;
use ticketrail_e2e::{wait, Browser, Env, Server};
use ticketrail_protocol::Product;

#[tokio::test(flavor = "multi_thread")]
async fn arabic_is_right_to_left_with_arabic_product_names() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let server = Server::start(&env, "language").await?;
    let products: BTreeMap<String, Product> = server
        .products()
        .await?
        .into_iter()
        .map(|product| (product.id.clone(), product))
        .collect();
    let browser = Browser::open(&env, "language").await?;
    let kiosk = Kiosk::new(&browser);
    kiosk.open(&server).await?;

    // On the attract screen, before any order: the first thing a customer does.
    browser.click(&kiosk::language("ar")).await?;
    wait_direction(&browser, "ar", "rtl").await?;
    browser.screenshot("language-ar-attract").await?;
    kiosk.start_order().await?;
    check_names(&browser, &products, "ar").await?;
    browser.screenshot("language-ar-menu").await?;

    // While ordering, too; English names are the products' own `name`.
    browser.click(&kiosk::language("en")).await?;
    wait_direction(&browser, "en", "ltr").await?;
    check_names(&browser, &products, "en").await?;
    browser.screenshot("language-en-menu").await?;

    browser.close().await
}

/// Waits for `<html lang=.. dir=..>` to be set.
async fn wait_direction(browser: &Browser, lang: &str, dir: &str) -> Result<()> {
    wait::until(
        &format!("<html lang={lang:?} dir={dir:?}>"),
        REACT,
        || async {
            let seen = browser
                .execute("return [document.documentElement.lang, document.documentElement.dir];")
                .await?;
            if seen == json!([lang, dir]) {
                Ok(Some(()))
            } else {
                Err(anyhow!("<html> has [lang, dir] = {seen}"))
            }
        },
    )
    .await
}

/// Waits until every product card on screen names its product in `lang`:
/// the server's translation, or the English `name` for `en`. The names
/// re-render after the switch, so this waits like any reaction.
async fn check_names(
    browser: &Browser,
    products: &BTreeMap<String, Product>,
    lang: &str,
) -> Result<()> {
    wait::until(
        &format!("every product card to show its {lang} name"),
        REACT,
        || async {
            names_differ(browser, products, lang)
                .await?
                .map_or(Ok(Some(())), |reason| Err(anyhow!(reason)))
        },
    )
    .await
}

/// The first product card whose name is not the `lang` one, described.
async fn names_differ(
    browser: &Browser,
    products: &BTreeMap<String, Product>,
    lang: &str,
) -> Result<Option<String>> {
    let shown = browser
        .execute(
            r#"return Array.from(document.querySelectorAll('[data-testid="product"]'))
                 .map((card) => [card.getAttribute('data-product-id'),
                   (card.querySelector('[data-testid="product-name"]') || {}).textContent]);"#,
        )
        .await?;
    let shown: Vec<(Option<String>, Option<String>)> =
        serde_json::from_value(shown).context("reading the product cards")?;
    ensure!(!shown.is_empty(), "no product cards on screen");
    for (id, name) in shown {
        let id = id.context("a product card without data-product-id")?;
        let product = products
            .get(&id)
            .with_context(|| format!("the kiosk shows {id}, which the server does not have"))?;
        let want = match lang {
            "en" => product.name.as_str(),
            _ => product
                .translations
                .get(lang)
                .with_context(|| format!("the demo product {id} has no {lang} name"))?,
        };
        let name = name.map(|name| name.trim().to_owned());
        if name.as_deref() != Some(want) {
            return Ok(Some(format!(
                "{} product-name is {name:?}, the server's {lang} name is {want:?}",
                kiosk::product(&id)
            )));
        }
    }
    Ok(None)
}
