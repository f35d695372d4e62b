//! The kiosk (`/kiosk`) as a customer uses it: tap to order, add products,
//! change a line, place the order, read the confirmation. Selectors are the
//! UI contract's, and every step waits for the screen to show its effect
//! before the next one, the way a person looks before tapping again.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use crate::ui::{MOUNT, REACT};
use crate::{wait, Browser, Server};

/// The attract screen.
pub const ATTRACT: &str = r#"[data-testid="attract"]"#;
/// "Tap to order" on the attract screen.
pub const START_ORDER: &str = r#"[data-testid="start-order"]"#;
/// Any product card.
pub const PRODUCT: &str = r#"[data-testid="product"]"#;
/// Any line of the cart.
pub const CART_LINE: &str = r#"[data-testid="cart-line"]"#;
/// The cart's formatted total.
pub const CART_TOTAL: &str = r#"[data-testid="cart-total"]"#;
/// The button that sends the order.
pub const PLACE_ORDER: &str = r#"[data-testid="place-order"]"#;
/// The "we'll call your number" screen.
pub const CONFIRMATION: &str = r#"[data-testid="confirmation"]"#;
/// The server's order number on the confirmation.
pub const ORDER_NUMBER: &str = r#"[data-testid="confirmation"] [data-testid="order-number"]"#;
/// The order number once it is the server's (not the queued order's local
/// one).
pub const SERVER_ORDER_NUMBER: &str =
    r#"[data-testid="confirmation"] [data-testid="order-number"][data-local="false"]"#;
/// The live status on the confirmation (`data-status`).
pub const ORDER_STATUS: &str = r#"[data-testid="confirmation"] [data-testid="order-status"]"#;
/// The warning shown before an idle cart is cleared.
pub const IDLE_WARNING: &str = r#"[data-testid="idle-warning"]"#;
/// The button on the idle warning that keeps the cart.
pub const IDLE_CONTINUE: &str = r#"[data-testid="idle-continue"]"#;
/// The message shown when there is no menu to show.
pub const MENU_UNAVAILABLE: &str = r#"[data-testid="menu-unavailable"]"#;
/// How the order on the confirmation is being delivered (`data-state`
/// `queued`, `sent` or `rejected`).
pub const DELIVERY: &str = r#"[data-testid="confirmation"] [data-testid="delivery"]"#;
/// The button on the confirmation that goes back to the attract screen.
pub const NEW_ORDER: &str = r#"[data-testid="new-order"]"#;
/// The longest the kiosk tries to bring its menu up to date after "Place
/// order" before it takes the order as it is (the price check of issue 4,
/// `PRICE_CHECK_WITHIN` in the app's kiosk page).
pub const PRICE_CHECK: std::time::Duration = std::time::Duration::from_secs(4);
/// How long a tap on "New order" may take to show the attract screen
/// before [`Kiosk::new_order`] taps again.
const RETAP: std::time::Duration = std::time::Duration::from_millis(700);
/// The localStorage key of the timer test hook.
pub const TIMERS_KEY: &str = "ticketrail.kiosk.timers";

/// The card of product `id`.
pub fn product(id: &str) -> String {
    format!(r#"[data-testid="product"][data-product-id="{id}"]"#)
}

/// The category rail button of category `id`.
pub fn category(id: &str) -> String {
    format!(r#"[data-testid="category"][data-category-id="{id}"]"#)
}

/// The cart line of product `id`.
pub fn cart_line(id: &str) -> String {
    format!(r#"[data-testid="cart-line"][data-product-id="{id}"]"#)
}

/// The language button for `lang` (`en`, `id`, `ar`).
pub fn language(lang: &str) -> String {
    format!(r#"[data-testid="language"] button[data-lang="{lang}"]"#)
}

/// Reads the confirmation in one look: `null` while there is none.
const CONFIRMATION_JS: &str = r#"
const card = document.querySelector('[data-testid="confirmation"]');
if (!card) return null;
const number = card.querySelector('[data-testid="order-number"]');
const delivery = card.querySelector('[data-testid="delivery"]');
return {
  number: number ? number.textContent.trim() : '',
  local: number ? number.getAttribute('data-local') : null,
  delivery: delivery ? delivery.getAttribute('data-state') : null,
  label: delivery ? delivery.textContent.trim() : '',
};
"#;

/// The confirmation as shown.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Confirmation {
    /// The order number (`order-number`'s text).
    pub number: String,
    /// Its `data-local` (`"true"` while it is the kiosk's own number).
    pub local: Option<String>,
    /// `delivery`'s `data-state`.
    pub delivery: Option<String>,
    /// `delivery`'s text.
    pub label: String,
}

impl Confirmation {
    /// Whether the number is the kiosk's own (not the server's yet).
    pub fn is_local(&self) -> bool {
        self.local.as_deref() == Some("true")
    }
}

/// A kiosk page in one browser.
pub struct Kiosk<'a> {
    browser: &'a Browser,
}

impl<'a> Kiosk<'a> {
    /// Drives the kiosk in `browser`.
    pub fn new(browser: &'a Browser) -> Kiosk<'a> {
        Kiosk { browser }
    }

    /// Navigates to `/kiosk` on `server` and waits for the attract screen.
    pub async fn open(&self, server: &Server) -> Result<()> {
        self.open_at(server, &server.url("/kiosk")).await
    }

    /// Navigates to the kiosk at `url` (through a proxy, say), paired with
    /// `server` there first, and waits for the attract screen.
    pub async fn open_at(&self, server: &Server, url: &str) -> Result<()> {
        self.browser.open_screen(server, url).await?;
        self.browser.wait_visible(ATTRACT, MOUNT).await
    }

    /// Taps "Tap to order" and waits for the menu; returns the ids of the
    /// product cards on screen, in order.
    pub async fn start_order(&self) -> Result<Vec<String>> {
        self.browser.click(START_ORDER).await?;
        self.browser.wait_visible(PRODUCT, MOUNT).await?;
        let ids = self
            .browser
            .visible_attrs(PRODUCT, "data-product-id")
            .await?;
        if ids.is_empty() {
            bail!("product cards on screen carry no data-product-id");
        }
        Ok(ids)
    }

    /// Taps category `id` on the rail and waits for it to be selected.
    pub async fn show_category(&self, id: &str) -> Result<()> {
        let button = category(id);
        self.browser.click(&button).await?;
        self.browser
            .wait_attr(&button, "aria-pressed", "true", REACT)
            .await
    }

    /// Adds one of product `id` (its add button if the card has one, else
    /// the card) and waits for its cart line to count one more.
    pub async fn add(&self, id: &str) -> Result<()> {
        let before = self.quantity(id).await?.unwrap_or(0);
        let add_button = format!(r#"{} [data-testid="add-to-cart"]"#, product(id));
        if self.browser.count(&add_button).await? > 0 {
            self.browser.click(&add_button).await?;
        } else {
            self.browser.click(&product(id)).await?;
        }
        self.wait_quantity(id, before + 1).await
    }

    /// Taps "+" on the cart line of `id` and waits for the new quantity.
    pub async fn increment(&self, id: &str) -> Result<()> {
        let before = self
            .quantity(id)
            .await?
            .with_context(|| format!("no cart line for {id} to increment"))?;
        let plus = format!(r#"{} [data-testid="qty-inc"]"#, cart_line(id));
        self.browser.click(&plus).await?;
        self.wait_quantity(id, before + 1).await
    }

    /// Types `note` into the cart line of `id`.
    pub async fn note(&self, id: &str, note: &str) -> Result<()> {
        let field = format!(r#"{} [data-testid="line-note"]"#, cart_line(id));
        self.browser.type_into(&field, note).await
    }

    /// The quantity the cart line of `id` shows, `None` without a line. The
    /// contract says its text is the quantity; anything else is an error.
    pub async fn quantity(&self, id: &str) -> Result<Option<i64>> {
        let css = format!(r#"{} [data-testid="line-qty"]"#, cart_line(id));
        match self.browser.text_content(&css).await? {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .with_context(|| format!("`{css}` shows {text:?}, not a quantity")),
        }
    }

    async fn wait_quantity(&self, id: &str, want: i64) -> Result<()> {
        wait::until(
            &format!("the cart line of {id} to show quantity {want}"),
            REACT,
            || async {
                match self.quantity(id).await? {
                    Some(seen) if seen == want => Ok(Some(())),
                    seen => Err(anyhow!("it shows {seen:?}")),
                }
            },
        )
        .await
    }

    /// The cart total as shown (e.g. `Rp 27.000`).
    pub async fn cart_total(&self) -> Result<String> {
        self.browser
            .text_content(CART_TOTAL)
            .await?
            .context("no cart total on screen")
    }

    /// Taps "place order" (the caller waits for what should follow).
    pub async fn place_order(&self) -> Result<()> {
        self.browser.click(PLACE_ORDER).await
    }

    /// The confirmation as shown now, `None` while there is none.
    pub async fn confirmation(&self) -> Result<Option<Confirmation>> {
        let value = self.browser.execute(CONFIRMATION_JS).await?;
        serde_json::from_value(value).context("reading the confirmation")
    }

    /// Waits for a confirmation with a number and a delivery state
    /// (`queued`, `sent` or `rejected`) and returns it. The kiosk may first
    /// spend up to [`PRICE_CHECK`] bringing its menu up to date.
    pub async fn wait_delivery(&self) -> Result<Confirmation> {
        wait::until(
            "a confirmation with a number and a delivery state",
            PRICE_CHECK + REACT,
            || async {
                let Some(shown) = self.confirmation().await? else {
                    return Ok(None);
                };
                match shown.delivery.as_deref() {
                    Some("queued" | "sent" | "rejected") if !shown.number.is_empty() => {
                        Ok(Some(shown))
                    }
                    _ => Err(anyhow!("the confirmation shows {shown:?}")),
                }
            },
        )
        .await
    }

    /// From the attract screen: taps "Tap to order", adds the product
    /// card at `index` (modulo their count) of the first screen of the
    /// menu, places the order and returns the product's id and the
    /// confirmation once it says how the order goes.
    pub async fn order_nth(&self, index: usize) -> Result<(String, Confirmation)> {
        let shown = self.start_order().await?;
        let id = shown[index % shown.len()].clone();
        self.add(&id).await?;
        self.place_order().await?;
        Ok((id, self.wait_delivery().await?))
    }

    /// Taps "New order" on the confirmation and waits for the attract
    /// screen, tapping again when a tap did nothing: the confirmation
    /// grows (receipt, status) when the server's answer arrives, and a tap
    /// in that moment lands where the button no longer is.
    pub async fn new_order(&self) -> Result<()> {
        let last_tap = std::sync::Mutex::new(None::<tokio::time::Instant>);
        wait::until("the attract screen after \"New order\"", REACT, || async {
            if self.browser.is_visible(ATTRACT).await? {
                return Ok(Some(()));
            }
            let due = last_tap
                .lock()
                .map_err(|_| anyhow!("poisoned"))?
                .is_none_or(|at| at.elapsed() >= RETAP);
            if due {
                self.browser.click(NEW_ORDER).await?;
                *last_tap.lock().map_err(|_| anyhow!("poisoned"))? =
                    Some(tokio::time::Instant::now());
            }
            Ok(None)
        })
        .await
    }

    /// Waits for the confirmation to show the server's order number (the
    /// queued order's local number shows until the server has it) and
    /// returns it. A timeout says what the outbox held and whether a
    /// service worker controlled the page, so a failure names the stage
    /// the order stopped at.
    pub async fn wait_confirmation(&self) -> Result<String> {
        self.browser.wait_visible(CONFIRMATION, REACT).await?;
        let number = wait::until(
            "the server's order number on the confirmation",
            REACT,
            || async {
                Ok(self
                    .browser
                    .text_content(SERVER_ORDER_NUMBER)
                    .await?
                    .filter(|number| !number.is_empty()))
            },
        )
        .await;
        match number {
            Ok(number) => Ok(number),
            Err(err) => Err(err.context(self.outbox_state().await)),
        }
    }

    /// The outbox's entries and acks and the page's service worker, for a
    /// failure message.
    async fn outbox_state(&self) -> String {
        let controlled = self
            .browser
            .execute("return !!navigator.serviceWorker?.controller;")
            .await
            .map_or_else(
                |err| format!("unknown ({err:#})"),
                |value| value.to_string(),
            );
        let entries = self.browser.outbox_entries().await.map_or_else(
            |err| format!("unreadable ({err:#})"),
            |entries| format!("{entries:?}"),
        );
        let acks = self.browser.outbox_ack_keys().await.map_or_else(
            |err| format!("unreadable ({err:#})"),
            |keys| format!("{keys:?}"),
        );
        format!("service worker in control: {controlled}; outbox: {entries}; acks: {acks}")
    }
}
