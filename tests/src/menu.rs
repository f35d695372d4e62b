//! The kiosk's offline menu as the tests see it (issue 4): the sync
//! progress, the search box, the staff area with the menu's age, and the
//! notices a customer gets when the menu changes under their cart.

use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use serde_json::Value;

use crate::kiosk::product;
use crate::{wait, Browser};

/// The sync progress, any state.
pub const MENU_SYNC: &str = r#"[data-testid="menu-sync"]"#;
/// The search input over the menu.
pub const SEARCH: &str = r#"[data-testid="search"]"#;
/// The button that opens the staff area.
pub const STAFF_OPEN: &str = r#"[data-testid="staff-open"]"#;
/// The staff area.
pub const STAFF_AREA: &str = r#"[data-testid="staff-area"]"#;
/// The staff PIN prompt in front of it.
pub const STAFF_PIN_PROMPT: &str = r#"[data-testid="staff-pin-prompt"]"#;
/// Its PIN field.
pub const STAFF_PIN: &str = r#"[data-testid="staff-pin"]"#;
/// Its button.
pub const STAFF_PIN_SUBMIT: &str = r#"[data-testid="staff-pin-submit"]"#;
/// What the last try said; `data-locked="true"` during a lockout.
pub const STAFF_PIN_STATUS: &str = r#"[data-testid="staff-pin-status"]"#;
/// The staff PIN every test server's outlets get ([`crate::Server::start`]).
pub const TEST_STAFF_PIN: &str = "2468";
/// "Menu updated N min ago" in the staff area.
pub const MENU_AGE: &str = r#"[data-testid="menu-age"]"#;
/// The warning that the last successful sync is too old.
pub const MENU_STALE_WARNING: &str = r#"[data-testid="menu-stale-warning"]"#;
/// The staff action that clears the menu and downloads it again.
pub const REDOWNLOAD_MENU: &str = r#"[data-testid="redownload-menu"]"#;
/// The notice that a product in the cart was taken off the menu.
pub const CART_NOTICE: &str = r#"[data-testid="cart-notice"]"#;
/// The notice on the confirmation that the server's total differs.
pub const PRICE_CHANGED: &str = r#"[data-testid="price-changed"]"#;
/// The dialog asking the customer to confirm a total that changed since
/// they saw it.
pub const PRICE_CONFIRM: &str = r#"[data-testid="price-confirm"]"#;
/// The dialog's button that sends the order at the new total.
pub const PRICE_CONFIRM_ACCEPT: &str = r#"[data-testid="price-confirm-accept"]"#;

/// The kiosk's IndexedDB database (`crates/app/src/storage/schema.rs`).
pub const MENU_DB: &str = "ticketrail-menu";

/// Deletes [`MENU_DB`] and answers `"deleted"`, `"blocked"` (a page still
/// holds it open) or an error message.
const DELETE_MENU_DB_JS: &str = r#"
const done = arguments[arguments.length - 1];
const request = indexedDB.deleteDatabase(arguments[0]);
request.onsuccess = () => done('deleted');
request.onerror = () => done(String(request.error));
request.onblocked = () => done('blocked');
"#;

/// The sync progress in `state` (`syncing`, `done`, `error`).
pub fn menu_sync(state: &str) -> String {
    format!(r#"[data-testid="menu-sync"][data-state="{state}"]"#)
}

/// The price shown on the card of product `id`.
pub fn product_price(id: &str) -> String {
    format!(r#"{} [data-testid="product-price"]"#, product(id))
}

impl Browser {
    /// Opens the kiosk's staff area with [`TEST_STAFF_PIN`].
    pub async fn open_staff_area(&self) -> Result<()> {
        self.click(STAFF_OPEN).await?;
        self.type_into(STAFF_PIN, TEST_STAFF_PIN).await?;
        self.click(STAFF_PIN_SUBMIT).await?;
        self.wait_visible(STAFF_AREA, crate::ui::REACT).await
    }

    /// Waits until the kiosk says its menu sync is done (the element may be
    /// hidden once done; its state is what counts). A sync in `error` is
    /// reported as the reason if the deadline passes (it may be retried).
    pub async fn wait_menu_synced(&self, timeout: Duration) -> Result<()> {
        wait::until("the menu sync to be done", timeout, || async {
            match self.attr(MENU_SYNC, "data-state").await?.as_deref() {
                Some("done") => Ok(Some(())),
                Some("error") => Err(anyhow!("the menu sync reports an error")),
                _ => Ok(None),
            }
        })
        .await
    }

    /// Deletes the kiosk's saved menu, as if the device had never synced.
    /// Call it on a page of the app's origin that does not run the app
    /// (e.g. `/healthz`), or the open app blocks the deletion.
    pub async fn delete_saved_menu(&self) -> Result<()> {
        let answer = self
            .execute_async_with(DELETE_MENU_DB_JS, vec![Value::from(MENU_DB)])
            .await?;
        match answer.as_str() {
            Some("deleted") => Ok(()),
            _ => bail!("deleting IndexedDB {MENU_DB:?} answered {answer}"),
        }
    }

    /// The text of the price on the card of product `id`, `None` while the
    /// card is not in the DOM.
    pub async fn price_text(&self, id: &str) -> Result<Option<String>> {
        self.text_content(&product_price(id)).await
    }
}
