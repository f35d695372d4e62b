//! Reading and driving a page by CSS selector: the handful of actions the
//! tests need, each either a single look or a wait with a deadline.
//!
//! Reads go through one small script each, so a page that re-renders
//! between two WebDriver calls cannot hand back a stale element. Clicks and
//! typing go through WebDriver itself, because that is what hit-tests the
//! element and sends real input events, the way a finger or keyboard would.

use std::time::Duration;

use anyhow::{anyhow, Result};
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::{wait, Browser};

/// How long a click or typing waits for its element to become usable.
pub const ACTION: Duration = Duration::from_secs(10);

/// `visible(el)`: rendered with a box and not `visibility: hidden`; the
/// same test WebDriver's "displayed" makes, minus its opacity quirks.
const VISIBLE_JS: &str = "const visible = (el) => el.getClientRects().length > 0 \
     && getComputedStyle(el).visibility !== 'hidden';";

impl Browser {
    /// How many elements match `css`, visible or not.
    pub async fn count(&self, css: &str) -> Result<usize> {
        let count = self
            .execute_with(
                "return document.querySelectorAll(arguments[0]).length;",
                vec![json!(css)],
            )
            .await?;
        count
            .as_u64()
            .and_then(|count| usize::try_from(count).ok())
            .ok_or_else(|| anyhow!("counting `{css}` returned {count}"))
    }

    /// Whether some element matching `css` is visible.
    pub async fn is_visible(&self, css: &str) -> Result<bool> {
        let script = format!(
            "{VISIBLE_JS} return Array.from(document.querySelectorAll(arguments[0])).some(visible);"
        );
        Ok(self.execute_with(&script, vec![json!(css)]).await? == Value::Bool(true))
    }

    /// Attribute `name` of the first element matching `css`; `None` when
    /// there is no such element or it lacks the attribute.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        let value = self
            .execute_with(
                "const el = document.querySelector(arguments[0]); \
                 return el ? el.getAttribute(arguments[1]) : null;",
                vec![json!(css), json!(name)],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Attribute `name` of every visible element matching `css`, in
    /// document order (elements without it are skipped).
    pub async fn visible_attrs(&self, css: &str, name: &str) -> Result<Vec<String>> {
        let script = format!(
            "{VISIBLE_JS} return Array.from(document.querySelectorAll(arguments[0])) \
               .filter(visible).map((el) => el.getAttribute(arguments[1])) \
               .filter((value) => value !== null);"
        );
        let values = self
            .execute_with(&script, vec![json!(css), json!(name)])
            .await?;
        Ok(values
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The DOM text (`textContent`, trimmed) of the first element matching
    /// `css`: what the app wrote, before CSS such as `text-transform`.
    pub async fn text_content(&self, css: &str) -> Result<Option<String>> {
        let value = self
            .execute_with(
                "const el = document.querySelector(arguments[0]); \
                 return el ? el.textContent.trim() : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Waits until some element matching `css` is visible.
    pub async fn wait_visible(&self, css: &str, timeout: Duration) -> Result<()> {
        wait::until(&format!("`{css}` to be visible"), timeout, || async {
            Ok(self.is_visible(css).await?.then_some(()))
        })
        .await
    }

    /// Waits until no element matching `css` is visible.
    pub async fn wait_hidden(&self, css: &str, timeout: Duration) -> Result<()> {
        wait::until(&format!("`{css}` to disappear"), timeout, || async {
            Ok((!self.is_visible(css).await?).then_some(()))
        })
        .await
    }

    /// Waits until the first element matching `css` has attribute `name`
    /// equal to `want`; on timeout the error says what was there instead.
    pub async fn wait_attr(
        &self,
        css: &str,
        name: &str,
        want: &str,
        timeout: Duration,
    ) -> Result<()> {
        wait::until(
            &format!("`{css}` to have {name}={want:?}"),
            timeout,
            || async {
                match self.attr(css, name).await? {
                    Some(seen) if seen == want => Ok(Some(())),
                    seen => Err(anyhow!("`{css}` has {name}={seen:?}")),
                }
            },
        )
        .await
    }

    /// Clicks the first element matching `css` through WebDriver (scrolled
    /// into view, hit-tested, real pointer events), waiting up to [`ACTION`]
    /// for it to exist and accept the click.
    pub async fn click(&self, css: &str) -> Result<()> {
        let client = self.client()?;
        wait::until(&format!("a click on `{css}`"), ACTION, || async {
            client.find(Locator::Css(css)).await?.click().await?;
            Ok(Some(()))
        })
        .await
    }

    /// Types `text` into the first element matching `css` (key by key, so
    /// the page sees `input` events), waiting up to [`ACTION`] for it.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let client = self.client()?;
        wait::until(&format!("typing into `{css}`"), ACTION, || async {
            client
                .find(Locator::Css(css))
                .await?
                .send_keys(text)
                .await?;
            Ok(Some(()))
        })
        .await
    }

    /// Scrolls the first element matching `css` into the middle of the
    /// viewport, for a screenshot that shows it.
    pub async fn scroll_into_view(&self, css: &str) -> Result<()> {
        self.execute_with(
            "const el = document.querySelector(arguments[0]); \
             if (el) el.scrollIntoView({ block: 'center' });",
            vec![json!(css)],
        )
        .await?;
        Ok(())
    }

    /// Waits until the first element matching `css` runs no animation of
    /// its own (an overlay's fade-in), so a screenshot shows it as a
    /// person sees it once it settled.
    pub async fn wait_animations_done(&self, css: &str, timeout: Duration) -> Result<()> {
        wait::until(&format!("`{css}` to finish animating"), timeout, || async {
            let running = self
                .execute_with(
                    "const el = document.querySelector(arguments[0]); \
                     return !!el && el.getAnimations().some((a) => a.playState === 'running');",
                    vec![json!(css)],
                )
                .await?;
            Ok((running == Value::Bool(false)).then_some(()))
        })
        .await
    }

    /// Sets `localStorage[key] = value` for the current page's origin.
    pub async fn set_local_storage(&self, key: &str, value: &str) -> Result<()> {
        self.execute_with(
            "localStorage.setItem(arguments[0], arguments[1]);",
            vec![json!(key), json!(value)],
        )
        .await?;
        Ok(())
    }
}
