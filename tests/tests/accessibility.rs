//! Accessibility of both faces as rendered by Chromium: every control has
//! a name a screen reader can say, is reachable by keyboard, is a touch
//! target of at least 48 × 48 px, and every piece of text meets WCAG AA
//! contrast against the background it is actually drawn on.
//!
//! The audit runs inside the page on the real layout and computed styles,
//! so it checks what a customer sees, in English and in Arabic, with a
//! full cart and on the kitchen board with a ticket, and on the page an
//! unpaired screen shows.

use anyhow::{ensure, Context, Result};
use serde::Deserialize;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::kitchen::TICKET;
use ticketrail_e2e::pairing::PAIR_PAGE;
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{Browser, Env, Server};

/// The audit. Text over a gradient or image has no single background
/// colour to measure; it is counted as `skipped` rather than guessed.
const AUDIT_JS: &str = r#"
const visible = (el) => {
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none'
    && !el.closest('[aria-hidden="true"], [inert]');
};
const parse = (color) => {
  const m = color.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
};
const luminance = ({ r, g, b }) => {
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
};
const blend = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
// The colour actually behind `el`: its own and its ancestors' backgrounds
// composed from the nearest opaque one; null if a gradient or image is in
// the way.
const backgroundOf = (el) => {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage !== 'none') return null;
    const color = parse(style.backgroundColor);
    if (color && color.a > 0) {
      layers.push(color);
      if (color.a >= 1) break;
    }
  }
  let result = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) result = blend(layer, result);
  return result;
};
const name = (el) => {
  const label = el.getAttribute('aria-label');
  if (label && label.trim()) return label.trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const text = by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    if (text) return text;
  }
  if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent.trim()).join(' ');
  if (el.getAttribute('title')) return el.getAttribute('title');
  return (el.textContent || '').trim();
};
const failures = [];
let controls = 0, texts = 0, skipped = 0;
const describe = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
for (const el of document.querySelectorAll('button, input, textarea, select, a[href], [role="button"]')) {
  if (!visible(el) || el.type === 'hidden') continue;
  controls++;
  if (!name(el)) failures.push(`no accessible name: ${describe(el)}`);
  if (el.tabIndex < 0) failures.push(`not reachable by keyboard (tabindex ${el.tabIndex}): ${describe(el)}`);
  const box = el.getBoundingClientRect();
  if (box.width < 47.5 || box.height < 47.5) {
    failures.push(`touch target ${box.width.toFixed(0)}x${box.height.toFixed(0)} px: ${describe(el)}`);
  }
}
for (const el of document.querySelectorAll('body *')) {
  const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  if (!ownText || !visible(el)) continue;
  const style = getComputedStyle(el);
  if (parseFloat(style.opacity) < 1) continue;
  texts++;
  const bg = backgroundOf(el);
  const fg = parse(style.color);
  if (!bg || !fg) { skipped++; continue; }
  const text = blend(fg, bg);
  const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  // Struck-through list prices are decoration next to the real price;
  // disabled controls are exempt in WCAG.
  const exempt = style.textDecorationLine.includes('line-through') || el.closest(':disabled');
  if (!exempt && ratio < (large ? 3 : 4.5)) {
    failures.push(`contrast ${ratio.toFixed(2)}:1 (${style.color} on rgb(${bg.r|0}, ${bg.g|0}, ${bg.b|0}), ${size}px): ${describe(el)}`);
  }
}
return { failures, controls, texts, skipped };
"#;

#[derive(Debug, Deserialize)]
struct Audit {
    failures: Vec<String>,
    controls: usize,
    texts: usize,
    skipped: usize,
}

async fn audit(browser: &Browser, screen: &str) -> Result<()> {
    let audit: Audit = serde_json::from_value(browser.execute(AUDIT_JS).await?)
        .with_context(|| format!("reading the audit of {screen}"))?;
    println!(
        "{screen}: {} controls, {} texts ({} over gradients, not measured)",
        audit.controls, audit.texts, audit.skipped
    );
    ensure!(
        audit.controls > 0 && audit.texts > 0,
        "{screen}: nothing audited"
    );
    ensure!(
        audit.failures.is_empty(),
        "{screen} fails {} checks:\n{}",
        audit.failures.len(),
        audit.failures.join("\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn both_faces_have_named_reachable_large_controls_and_aa_contrast() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let server = Server::start(&env, "accessibility").await?;
    let browser = Browser::open(&env, "accessibility").await?;
    let kiosk = Kiosk::new(&browser);

    // Before it is paired, any screen asks for a pairing code.
    browser.goto(&server.url("/kiosk")).await?;
    browser.wait_visible(PAIR_PAGE, MOUNT).await?;
    audit(&browser, "pairing page").await?;
    browser.click(&kiosk::language("ar")).await?;
    browser
        .wait_visible(&format!(r#"html[dir="rtl"] {PAIR_PAGE}"#), MOUNT)
        .await?;
    audit(&browser, "pairing page in Arabic").await?;

    kiosk.open(&server).await?;
    audit(&browser, "kiosk attract screen").await?;
    let products = kiosk.start_order().await?;
    let first = products.first().context("the menu shows no products")?;
    kiosk.add(first).await?;
    kiosk.increment(first).await?;
    audit(&browser, "kiosk menu with a cart").await?;

    browser.click(&kiosk::language("ar")).await?;
    browser
        .wait_visible(r#"html[dir="rtl"] [data-testid="product"]"#, MOUNT)
        .await?;
    audit(&browser, "kiosk menu in Arabic").await?;
    browser.click(&kiosk::language("en")).await?;

    kiosk.place_order().await?;
    kiosk.wait_confirmation().await?;
    audit(&browser, "kiosk confirmation").await?;

    browser
        .open_screen(&server, &server.url("/kitchen"))
        .await?;
    browser.wait_visible(TICKET, MOUNT).await?;
    audit(&browser, "kitchen board with a ticket").await?;

    browser.close().await
}
