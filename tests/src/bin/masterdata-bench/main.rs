//! `masterdata-bench`: the kiosk's offline menu with a big catalogue in
//! headless Chromium. Run through `cargo xtask bench masterdata`, which
//! builds a release server and a release PWA and sets the same variables as
//! the browser tests (`TICKETRAIL_SERVER_BIN`, `TICKETRAIL_DIST`,
//! `CHROMEDRIVER`, `CHROMIUM`).
//!
//! Each run starts a release server seeded (`--seed-menu`) with a synthetic
//! menu (default 20,000 products, 200 categories, 50 promotions; names in
//! three languages, descriptions, prices, stations, picture URLs) and a
//! browser with a fresh profile, then:
//!
//! 1. **full sync**: opens `/kiosk`; the app downloads everything into
//!    IndexedDB. Its `ticketrail:menu-sync` measure (`full: true`) is the
//!    sync's wall time; while it runs the renderer's memory is sampled
//!    through CDP (JS heap, and array-buffer backing stores, which hold the
//!    wasm app's memory), and the peaks are reported.
//! 2. **menu load**: reloads `/kiosk` a few times; each `ticketrail:menu-load`
//!    measure is reading the whole menu from IndexedDB into memory at start.
//!    The sync each start does with nothing changed is reported too.
//! 3. **incremental sync**: leaves the page (about:blank: no app, no
//!    socket), changes the price of N products (default 100) through the
//!    management API, opens `/kiosk` again and reads the `menu-sync` measure
//!    of that delta (`full: false`), checked against the server's request
//!    counters (exactly N rows, no `since_version=0`).
//! 4. **search**: taps "Tap to order" and types a word into the search box
//!    key by key through WebDriver, then deletes it key by key; each
//!    keystroke's `ticketrail:search` measure (the `input` event to the
//!    filtered grid in the DOM) is one sample.
//!
//! The app's measures are defined in `crates/app/src/pages/kiosk/perf.rs`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use ticketrail_e2e::kiosk::START_ORDER;
use ticketrail_e2e::menu::SEARCH;
use ticketrail_e2e::perf::Measure;
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};
use tokio::time::Instant;

mod report;
mod steps;

use report::Run;

/// Measures the offline menu with a big catalogue (see the module docs).
#[derive(Debug, Parser)]
#[command(name = "masterdata-bench")]
struct Args {
    /// How many runs, each with a fresh server and browser profile.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    runs: u32,
    /// Products in the synthetic menu.
    #[arg(long, default_value_t = 20_000)]
    products: u32,
    /// Categories in the synthetic menu.
    #[arg(long, default_value_t = 200)]
    categories: u32,
    /// Promotions in the synthetic menu.
    #[arg(long, default_value_t = 50)]
    promotions: u32,
    /// Products changed for the incremental sync.
    #[arg(long, default_value_t = 100)]
    changed: u32,
    /// Reloads that each time the menu load from IndexedDB.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    reloads: u32,
    /// The word typed into the search box, key by key.
    #[arg(long, default_value = "chicken")]
    word: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    ticketrail_e2e::tool::run("masterdata-bench", measure(Args::parse())).await
}

async fn measure(args: Args) -> Result<()> {
    let env = Env::from_env()?;
    ensure!(
        args.changed <= args.products,
        "cannot change more products than there are"
    );
    report::header(&args);
    let mut runs = Vec::new();
    for number in 1..=args.runs {
        let run = one_run(&env, &args).await?;
        report::run_line(number, &run);
        runs.push(run);
    }
    report::summary(&args, &runs);
    Ok(())
}

async fn one_run(env: &Env, args: &Args) -> Result<Run> {
    let size = format!(
        "products={},categories={},promotions={}",
        args.products, args.categories, args.promotions
    );
    let seeding = Instant::now();
    let server = Server::start_with(
        env,
        "masterdata",
        ServerOptions {
            seed_menu: Some(size),
            ..ServerOptions::default()
        },
    )
    .await?;
    let seed_ms = seeding.elapsed().as_secs_f64() * 1000.0;
    let browser = Browser::open(env, "masterdata").await?;
    let kiosk = server.url("/kiosk");

    let full = steps::full_sync(&browser, &server, &kiosk).await?;
    let expected = u64::from(args.products + args.categories + args.promotions);
    ensure!(
        full.items == expected,
        "the full sync reports {} items; the menu has {expected} rows",
        full.items
    );

    let mut loads = Vec::new();
    let mut idle_syncs = Vec::new();
    for _ in 0..args.reloads {
        let (load, idle) = steps::reload(&browser).await?;
        loads.push(load);
        idle_syncs.push(idle);
    }

    let incremental = steps::incremental_sync(&browser, &server, &kiosk, args.changed).await?;

    let search = steps::search(&browser, &args.word).await?;
    browser.close().await?;
    Ok(Run {
        seed_ms,
        full,
        loads,
        idle_syncs,
        incremental,
        search,
    })
}

/// Waits (up to `timeout`) for the first measure named `prefix…`, past
/// the first `skip` of them, that `accept` takes.
async fn next_measure<F>(
    browser: &Browser,
    prefix: &str,
    skip: usize,
    timeout: Duration,
    accept: F,
) -> Result<Measure>
where
    F: Fn(&Measure) -> bool,
{
    wait::until(&format!("a `{prefix}` measure"), timeout, || async {
        let measures = browser.measures(prefix).await?;
        Ok(measures
            .into_iter()
            .skip(skip)
            .find(|measure| accept(measure)))
    })
    .await
}

/// Taps "Tap to order" and waits for the search box.
async fn show_search(browser: &Browser) -> Result<()> {
    browser.wait_visible(START_ORDER, MOUNT).await?;
    browser.click(START_ORDER).await?;
    browser
        .wait_visible(SEARCH, MOUNT)
        .await
        .context("the kiosk shows no search box after \"Tap to order\"")
}

/// Whether a `ticketrail:menu-sync` measure is of a full sync; an error if
/// its `detail` does not say.
fn is_full(measure: &Measure) -> Result<bool> {
    match measure.detail_bool("full") {
        Some(full) => Ok(full),
        None => bail!(
            "the menu-sync measure has no boolean detail.full: {}",
            measure.detail
        ),
    }
}
