//! Page-load milestones measured inside the page, for the `pwa-timing` tool.
//!
//! A probe installed before the page's own scripts (CDP
//! `Page.addScriptToEvaluateOnNewDocument`) watches the DOM with a
//! MutationObserver and stamps `performance.now()`, which counts from the
//! navigation start (`performance.timeOrigin`), at each milestone:
//!
//! - **mounted**: the first `[data-testid="connection"]` is in the DOM. The
//!   wasm app renders that indicator on every screen, so this is "the app
//!   started", whether or not the server answered.
//! - **start**: `[data-testid="start-order"]` is *clickable* (below); the
//!   probe taps it at once with `element.click()`, a customer with zero
//!   reaction time.
//! - **menu** (the *interactive menu*): after that tap, the first
//!   `[data-testid="product"]` card is clickable.
//!
//! *Clickable* means: connected, not disabled, a non-empty box whose centre
//! lies inside the viewport, not `visibility: hidden` or
//! `pointer-events: none`, and `document.elementFromPoint` at that centre is
//! the element or inside it, so a tap there would reach it. Leptos attaches
//! its handlers as it creates the nodes, so a clickable card also responds.
//! The DOM is re-checked on every mutation; while a candidate exists but is
//! not yet clickable (a transition still covering it), also on every frame.
//! Wall-clock polling plays no part in the numbers.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{wait, Browser};

const PROBE_JS: &str = r#"
(() => {
  if (window.top !== window) return;
  const marks = {};
  let mounted, menu;
  const promises = {
    mounted: new Promise((resolve) => (mounted = resolve)),
    menu: new Promise((resolve) => (menu = resolve)),
  };
  const clickable = (el) => {
    if (!el || !el.isConnected || el.disabled) return false;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.pointerEvents === 'none') return false;
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return hit !== null && el.contains(hit);
  };
  let frameQueued = false;
  const check = () => {
    const now = performance.now();
    if (marks.mounted === undefined && document.querySelector('[data-testid="connection"]')) {
      marks.mounted = now;
      mounted();
    }
    let waiting = null;
    if (marks.start === undefined) {
      const start = document.querySelector('[data-testid="start-order"]');
      if (clickable(start)) {
        marks.start = now;
        start.click();
      } else {
        waiting = start;
      }
    }
    if (marks.start !== undefined && marks.menu === undefined) {
      const product = document.querySelector('[data-testid="product"]');
      if (clickable(product)) {
        marks.menu = performance.now();
        menu();
      } else {
        waiting = product;
      }
    }
    if (waiting && !frameQueued) {
      frameQueued = true;
      requestAnimationFrame(() => {
        frameQueued = false;
        check();
      });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  window.__ticketrailTiming = { marks, promises };
})();
"#;

/// Answers with the marks once `arguments[0]` (`mounted` or `menu`) is
/// reached, or `{pending: true}` after 1 s so the caller polls again.
const COLLECT_JS: &str = r#"
const done = arguments[arguments.length - 1];
const probe = window.__ticketrailTiming;
if (!probe) {
  done({ error: 'no timing probe in this document' });
} else {
  const late = new Promise((resolve) => setTimeout(() => resolve(false), 1000));
  Promise.race([probe.promises[arguments[0]].then(() => true), late]).then((reached) => {
    if (!reached) return done({ pending: true });
    const nav = performance.getEntriesByType('navigation')[0];
    const wasm = performance.getEntriesByType('resource')
      .find((entry) => /\/ticketrail-app-[^/]*_bg\.wasm$/.test(new URL(entry.name).pathname));
    done({
      mounted: probe.marks.mounted ?? null,
      start: probe.marks.start ?? null,
      menu: probe.marks.menu ?? null,
      page_via_worker: nav ? nav.workerStart > 0 : null,
      wasm_via_worker: wasm ? wasm.workerStart > 0 : null,
    });
  });
}
"#;

/// Which milestone to wait for.
#[derive(Debug, Clone, Copy)]
pub enum Milestone {
    /// The app rendered its first screen.
    Mounted,
    /// The menu is interactive after tapping "Tap to order".
    Menu,
}

impl Milestone {
    fn key(self) -> &'static str {
        match self {
            Self::Mounted => "mounted",
            Self::Menu => "menu",
        }
    }
}

/// The milestones of one page load, in ms since navigation start, and
/// where the page and the app's wasm came from.
#[derive(Debug, Clone, Deserialize)]
pub struct Marks {
    /// The app mounted.
    pub mounted: Option<f64>,
    /// "Tap to order" became clickable (and was tapped).
    pub start: Option<f64>,
    /// The first product card became clickable.
    pub menu: Option<f64>,
    /// The navigation went through the service worker.
    pub page_via_worker: Option<bool>,
    /// The app's wasm went through the service worker.
    pub wasm_via_worker: Option<bool>,
}

impl Browser {
    /// Installs the timing probe into every document this tab loads from
    /// now on; call it before the navigation to measure.
    pub async fn install_timing_probe(&self) -> Result<()> {
        self.run_on_every_document(PROBE_JS).await
    }

    /// Waits (up to `timeout`) until the current document reaches
    /// `milestone`, and returns its marks.
    pub async fn wait_milestone(&self, milestone: Milestone, timeout: Duration) -> Result<Marks> {
        let client = self.client()?;
        let answer = wait::until(
            &format!("the page to reach `{}`", milestone.key()),
            timeout,
            || async {
                let answer: Value = client
                    .execute_async(COLLECT_JS, vec![json!(milestone.key())])
                    .await?;
                if let Some(error) = answer.get("error") {
                    bail!("timing probe: {error}");
                }
                Ok((answer.get("pending").is_none()).then_some(answer))
            },
        )
        .await?;
        let marks: Marks = serde_json::from_value(answer).context("decoding the timing marks")?;
        let reached = match milestone {
            Milestone::Mounted => marks.mounted,
            Milestone::Menu => marks.menu,
        };
        reached
            .map(|_| marks.clone())
            .ok_or_else(|| anyhow!("the probe resolved `{}` without a mark", milestone.key()))
    }
}
