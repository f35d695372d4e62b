//! What the page measures about itself, read from outside: the app's
//! `performance.measure` entries (`ticketrail:menu-load`,
//! `ticketrail:menu-sync…`, `ticketrail:search`), the renderer's JS heap
//! through the DevTools protocol and the wasm app's linear memory.

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::Browser;

/// Every measure of the current document whose name starts with
/// `arguments[0]`, in the order they were recorded.
const MEASURES_JS: &str = r#"
return performance.getEntriesByType('measure')
  .filter((entry) => entry.name.startsWith(arguments[0]))
  .map((entry) => ({
    name: entry.name,
    start: entry.startTime,
    duration: entry.duration,
    detail: entry.detail === undefined ? null : entry.detail,
  }));
"#;

/// One `performance.measure` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Measure {
    /// Its name, e.g. `ticketrail:menu-sync`.
    pub name: String,
    /// Start, in ms since the document's navigation start.
    pub start: f64,
    /// Length in ms.
    pub duration: f64,
    /// `detail`, when the app gave one (`null` otherwise).
    pub detail: Value,
}

impl Measure {
    /// When it ended, in ms since navigation start.
    pub fn end(&self) -> f64 {
        self.start + self.duration
    }

    /// A numeric field of `detail`, if present.
    pub fn detail_u64(&self, key: &str) -> Option<u64> {
        self.detail.get(key).and_then(Value::as_u64)
    }

    /// A boolean field of `detail`, if present.
    pub fn detail_bool(&self, key: &str) -> Option<bool> {
        self.detail.get(key).and_then(Value::as_bool)
    }
}

/// Keeps the wasm app's exports (Trunk announces them with the
/// `TrunkApplicationStarted` event) so [`Browser::wasm_memory`] can read
/// the size of its linear memory.
const WASM_PROBE_JS: &str = r#"
addEventListener('TrunkApplicationStarted', (event) => {
  window.__ticketrailWasm = event.detail && event.detail.wasm;
});
"#;

impl Browser {
    /// The measures of the current document named `prefix…`.
    pub async fn measures(&self, prefix: &str) -> Result<Vec<Measure>> {
        let entries = self.execute_with(MEASURES_JS, vec![json!(prefix)]).await?;
        serde_json::from_value(entries).context("decoding performance measures")
    }

    /// Turns on the `Performance` domain so [`Browser::js_heap_used`] can
    /// read metrics; once per tab.
    pub async fn enable_metrics(&self) -> Result<()> {
        self.cdp("Performance.enable", json!({})).await?;
        Ok(())
    }

    /// The renderer's JS heap in use now, in bytes (CDP
    /// `Performance.getMetrics` `JSHeapUsedSize`). The wasm app's own
    /// memory is not part of it (see [`Browser::wasm_memory`]).
    pub async fn js_heap_used(&self) -> Result<f64> {
        let metrics = self.cdp("Performance.getMetrics", json!({})).await?;
        metrics["metrics"]
            .as_array()
            .and_then(|metrics| {
                metrics
                    .iter()
                    .find(|metric| metric["name"] == "JSHeapUsedSize")
            })
            .and_then(|metric| metric["value"].as_f64())
            .with_context(|| format!("no JSHeapUsedSize in {metrics}"))
    }

    /// Makes every document this tab loads from now on keep the wasm app's
    /// exports for [`Browser::wasm_memory`]; call before the navigation.
    pub async fn install_wasm_probe(&self) -> Result<()> {
        self.run_on_every_document(WASM_PROBE_JS).await
    }

    /// The size of the wasm app's linear memory in bytes, `None` before the
    /// app started (or without [`Browser::install_wasm_probe`]). Linear
    /// memory only grows, so this is also its peak so far.
    pub async fn wasm_memory(&self) -> Result<Option<f64>> {
        let size = self
            .execute(
                "const wasm = window.__ticketrailWasm; \
                 return wasm && wasm.memory ? wasm.memory.buffer.byteLength : null;",
            )
            .await?;
        Ok(size.as_f64())
    }
}
