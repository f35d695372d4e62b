//! Chrome DevTools Protocol commands through chromedriver's vendor endpoint
//! (`POST /session/{id}/goog/cdp/execute`), for what WebDriver cannot ask:
//! the installability verdict, scripts that run before a page's own, and
//! requests the browser must refuse.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::Browser;

impl Browser {
    /// Runs CDP `method` with `params` on the current tab and returns its
    /// result object.
    pub async fn cdp(&self, method: &str, params: Value) -> Result<Value> {
        let url = format!("{}/goog/cdp/execute", self.session_url()?);
        let answer: Value = reqwest::Client::new()
            .post(&url)
            .json(&json!({ "cmd": method, "params": params }))
            .send()
            .await
            .with_context(|| format!("sending {method} to chromedriver"))?
            .json()
            .await
            .with_context(|| format!("reading chromedriver's answer to {method}"))?;
        if let Some(error) = answer["value"].get("error") {
            bail!("{method} failed: {error}: {}", answer["value"]["message"]);
        }
        Ok(answer["value"].clone())
    }

    /// Chromium's reasons the current page is not installable as an app
    /// (`Page.getInstallabilityErrors`), as `id: arguments` lines; empty
    /// when manifest, icons and service worker all pass.
    pub async fn installability_errors(&self) -> Result<Vec<String>> {
        let result = self.cdp("Page.getInstallabilityErrors", json!({})).await?;
        let errors = result["installabilityErrors"]
            .as_array()
            .with_context(|| format!("no installabilityErrors in {result}"))?;
        Ok(errors
            .iter()
            .map(|error| {
                let id = error["errorId"].as_str().unwrap_or("unnamed error");
                format!("{id}: {}", error["errorArguments"])
            })
            .collect())
    }

    /// Makes `source` run in every document this tab loads from now on,
    /// before the page's own scripts.
    pub async fn run_on_every_document(&self, source: &str) -> Result<()> {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await?;
        Ok(())
    }

    /// Makes this tab refuse every HTTP request whose URL matches one of
    /// `patterns` (`*` is a wildcard), from now on. It is no way to keep a
    /// WebSocket down: a reconnect was seen to pass the block; cut sockets
    /// at [`crate::proxy::Proxy`] instead.
    pub async fn block_urls(&self, patterns: &[&str]) -> Result<()> {
        self.cdp("Network.enable", json!({})).await?;
        self.cdp("Network.setBlockedURLs", json!({ "urls": patterns }))
            .await?;
        Ok(())
    }
}
