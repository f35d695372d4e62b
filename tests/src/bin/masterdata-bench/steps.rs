//! The measured steps of one run (see the tool's module docs): each drives
//! the page, waits for the app's own measure with a deadline and checks
//! what the server says it served.

use std::time::Duration;

use anyhow::{bail, ensure, Result};
use ticketrail_e2e::menu::SEARCH;
use ticketrail_e2e::perf::Measure;
use ticketrail_e2e::server::{PageCount, RequestCounts};
use ticketrail_e2e::{Browser, Server};
use tokio::time::{interval, Instant, MissedTickBehavior};

use crate::{is_full, next_measure, show_search};

/// The app's measure names.
const MENU_LOAD: &str = "ticketrail:menu-load";
const MENU_SYNC: &str = "ticketrail:menu-sync";
const SEARCH_MEASURE: &str = "ticketrail:search";

/// A full download of a big menu on a slow machine may take this long
/// before the run counts as failed (the target is 2 s).
const FULL_SYNC_TIMEOUT: Duration = Duration::from_secs(180);
/// A start (wasm, IndexedDB read, delta sync) may take this long.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// One keystroke's search may take this long before the run fails.
const KEY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the JS heap is sampled during the full sync. Each sample is a
/// CDP round trip that the page's main thread answers between its tasks,
/// so the real rate is lower while the app is busy.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// Rp 1.000 in minor units: what each changed product's price goes up by.
const RP_1000: i64 = 100_000;
/// What the search box and its results show, for an error message.
const SEARCH_STATE_JS: &str = r#"
const input = document.querySelector('[data-testid="search"]');
const results = document.querySelector('[data-testid="search-results"]');
return {
  input: input ? input.value : null,
  results_query: results ? results.getAttribute('data-query') : null,
  results_count: results ? results.getAttribute('data-count') : null,
  measures: performance.getEntriesByType('measure').map((entry) => entry.name),
};
"#;
/// The results that replace the grid while the box holds a query.
const SEARCH_RESULTS: &str = r#"[data-testid="search-results"]"#;
/// The WebDriver key code of Backspace.
const BACKSPACE: &str = "\u{E003}";

/// The full download.
pub struct FullSync {
    /// The app's `menu-sync` measure, ms.
    pub ms: f64,
    /// Rows and tombstones the app says it received.
    pub items: u64,
    /// Pages it fetched, if it says.
    pub pages: Option<u64>,
    /// From navigation start to the end of the sync, ms.
    pub since_navigation: f64,
    /// Highest sampled JS heap in use, bytes.
    pub peak_heap: f64,
    /// The wasm app's linear memory right after the sync, bytes (it only
    /// grows, so this is its peak).
    pub wasm_memory: Option<f64>,
    /// How many JS heap samples were taken.
    pub samples: usize,
    /// Rows the server served for it, all kinds.
    pub served_rows: u64,
}

/// The incremental sync after some products changed.
pub struct IncrementalSync {
    /// The app's `menu-sync` measure, ms.
    pub ms: f64,
    /// Rows and tombstones the app says it received.
    pub items: u64,
    /// The `menu-load` measure of the same start, ms.
    pub load_ms: f64,
}

/// One keystroke in the search box.
pub struct Keystroke {
    /// The query after the key.
    pub query: String,
    /// The app's `search` measure, ms.
    pub ms: f64,
    /// Results it says it showed.
    pub results: Option<u64>,
}

/// Typing a word and deleting it.
pub struct Search {
    /// One per letter typed.
    pub typing: Vec<Keystroke>,
    /// One per backspace but the last (which empties the box and brings
    /// the grid back).
    pub deleting: Vec<Keystroke>,
}

/// Opens the kiosk on an empty profile and waits for the full sync,
/// sampling memory all the while.
pub async fn full_sync(browser: &Browser, server: &Server, kiosk: &str) -> Result<FullSync> {
    browser.install_wasm_probe().await?;
    browser.open_screen(server, kiosk).await?;
    browser.enable_metrics().await?;
    let mut peak_heap = browser.js_heap_used().await?;
    let mut samples = 1;
    let deadline = Instant::now() + FULL_SYNC_TIMEOUT;
    let mut ticks = interval(SAMPLE_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let measure = loop {
        ticks.tick().await;
        peak_heap = peak_heap.max(browser.js_heap_used().await?);
        samples += 1;
        let mut done = None;
        for measure in browser.measures(MENU_SYNC).await? {
            if is_full(&measure)? {
                done = Some(measure);
                break;
            }
        }
        if let Some(measure) = done {
            break measure;
        }
        if Instant::now() >= deadline {
            bail!("no full menu-sync measure within {FULL_SYNC_TIMEOUT:?}");
        }
    };
    check_ok(&measure)?;
    let counts = server.request_counts().await?;
    Ok(FullSync {
        ms: measure.duration,
        items: items(&measure)?,
        pages: measure.detail_u64("pages"),
        since_navigation: measure.end(),
        peak_heap,
        wasm_memory: browser.wasm_memory().await?,
        samples,
        served_rows: counts
            .kinds()
            .iter()
            .map(|(_, count)| count.full.rows + count.incremental.rows)
            .sum(),
    })
}

/// Reloads the kiosk; returns its `menu-load` and its start's sync (with
/// nothing changed), both in ms.
pub async fn reload(browser: &Browser) -> Result<(f64, f64)> {
    browser.reload().await?;
    let load = next_measure(browser, MENU_LOAD, 0, START_TIMEOUT, |_| true).await?;
    check_loaded(&load)?;
    let sync = next_measure(browser, MENU_SYNC, 0, START_TIMEOUT, |_| true).await?;
    check_ok(&sync)?;
    ensure!(
        !is_full(&sync)?,
        "a reload with the menu stored started a full sync"
    );
    Ok((load.duration, sync.duration))
}

/// Leaves the kiosk, changes the price of `changed` products spread over
/// the menu, opens the kiosk again and measures the delta sync.
pub async fn incremental_sync(
    browser: &Browser,
    server: &Server,
    kiosk: &str,
    changed: u32,
) -> Result<IncrementalSync> {
    browser.goto("about:blank").await?;
    let products = server.products().await?;
    let stride = (products.len() / changed.max(1) as usize).max(1);
    let changes: Vec<_> = products
        .into_iter()
        .step_by(stride)
        .take(changed as usize)
        .map(|product| {
            let price = product.price + RP_1000;
            (product, price)
        })
        .collect();
    server.set_prices(&changes).await?;
    let before = server.request_counts().await?;
    browser.goto(kiosk).await?;
    let load = next_measure(browser, MENU_LOAD, 0, START_TIMEOUT, |_| true).await?;
    check_loaded(&load)?;
    let sync = next_measure(browser, MENU_SYNC, 0, START_TIMEOUT, |_| true).await?;
    check_ok(&sync)?;
    ensure!(
        !is_full(&sync)?,
        "the kiosk answered a delta with a full sync"
    );
    let served = served_since(&server.request_counts().await?, &before);
    ensure!(
        served.full == PageCount::default(),
        "the delta sync asked since_version=0: {:?}",
        served.full
    );
    ensure!(
        served.incremental.rows == changes.len() as u64,
        "the server served {} rows for {} changed products",
        served.incremental.rows,
        changes.len()
    );
    Ok(IncrementalSync {
        ms: sync.duration,
        items: items(&sync)?,
        load_ms: load.duration,
    })
}

/// Types `word` into the search box key by key, then deletes it key by
/// key.
pub async fn search(browser: &Browser, word: &str) -> Result<Search> {
    show_search(browser).await?;
    let mut typing = Vec::new();
    for letter in word.chars() {
        typing.push(keystroke(browser, &letter.to_string()).await?);
    }
    let mut deleting = Vec::new();
    for _ in word.chars().skip(1) {
        deleting.push(keystroke(browser, BACKSPACE).await?);
    }
    // The last backspace empties the box: the grid comes back, which the app
    // does not measure (it is not a search).
    browser.type_into(SEARCH, BACKSPACE).await?;
    browser.wait_hidden(SEARCH_RESULTS, KEY_TIMEOUT).await?;
    Ok(Search { typing, deleting })
}

async fn keystroke(browser: &Browser, key: &str) -> Result<Keystroke> {
    let before = browser.measures(SEARCH_MEASURE).await?.len();
    browser.type_into(SEARCH, key).await?;
    let measure = match next_measure(browser, SEARCH_MEASURE, before, KEY_TIMEOUT, |_| true).await {
        Ok(measure) => measure,
        Err(err) => {
            browser.screenshot("masterdata-search-no-measure").await?;
            let seen = browser.execute(SEARCH_STATE_JS).await?;
            return Err(err.context(format!("after the keystroke the page shows {seen}")));
        }
    };
    Ok(Keystroke {
        query: measure.detail["query"].as_str().unwrap_or("?").to_owned(),
        ms: measure.duration,
        results: measure.detail_u64("results"),
    })
}

/// Sync pages and rows served since `before`, all kinds together.
struct Served {
    full: PageCount,
    incremental: PageCount,
}

fn served_since(now: &RequestCounts, before: &RequestCounts) -> Served {
    let mut served = Served {
        full: PageCount::default(),
        incremental: PageCount::default(),
    };
    for ((_, now), (_, then)) in now.kinds().into_iter().zip(before.kinds()) {
        served.full = served.full + now.full.since(then.full);
        served.incremental = served.incremental + now.incremental.since(then.incremental);
    }
    served
}

fn items(measure: &Measure) -> Result<u64> {
    match measure.detail_u64("items") {
        Some(items) => Ok(items),
        None => bail!(
            "the menu-sync measure has no detail.items: {}",
            measure.detail
        ),
    }
}

/// A sync measure must say it succeeded.
fn check_ok(measure: &Measure) -> Result<()> {
    match measure.detail_bool("ok") {
        Some(true) => Ok(()),
        _ => bail!("the menu sync did not succeed: {}", measure.detail),
    }
}

/// A load measure must say it read a stored menu (not rebuilt it).
fn check_loaded(measure: &Measure) -> Result<()> {
    let stored = measure.detail_bool("stored");
    let rebuilt = measure.detail_bool("rebuilt");
    if stored != Some(true) || rebuilt == Some(true) {
        bail!(
            "the menu load did not read a stored menu: {}",
            measure.detail
        );
    }
    Ok(())
}
