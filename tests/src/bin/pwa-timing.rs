//! `pwa-timing`: how long the kiosk takes from navigation to an interactive
//! menu in headless Chromium, from the network and with the app shell from
//! the service-worker cache, and how long the app takes to start with the
//! server stopped. Run through `cargo xtask bench pwa`, which builds a
//! release server and a release PWA and sets the same variables as the
//! browser tests (`TICKETRAIL_SERVER_BIN`, `TICKETRAIL_DIST`, `CHROMEDRIVER`,
//! `CHROMIUM`).
//!
//! Each run uses a fresh server (temp database, demo menu) and a fresh
//! browser profile, then loads `/kiosk` three times:
//!
//! 1. **network**: first visit; no service worker, empty HTTP cache. Shell,
//!    wasm and menu all come from the server.
//! 2. **sw shell**: once the service worker controls the page, a new
//!    navigation. The page itself goes network-first through the worker;
//!    the app's js, wasm and css come from the worker's precache; the menu
//!    is shown from IndexedDB (saved by the first visit) while it syncs.
//! 3. **server stopped**: the server is killed and `/kiosk` loaded again;
//!    the shell comes from the worker's cache and the menu from IndexedDB,
//!    with no network at all.
//!
//! The milestones (mounted, "Tap to order" clickable and tapped, interactive
//! menu) are defined in `ticketrail_e2e::timing`; every number is ms from
//! the navigation start (`performance.timeOrigin`), measured in the page.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{ensure, Result};
use clap::Parser;
use ticketrail_e2e::stats::Stats;
use ticketrail_e2e::timing::{Marks, Milestone};
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{pairing, Browser, Env, Server};

/// Loads can be slow on a busy machine; a page that has not reached its
/// milestone in this long has failed.
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Measures kiosk load times in Chromium (see the module docs).
#[derive(Debug, Parser)]
#[command(name = "pwa-timing")]
struct Args {
    /// How many runs, each with a fresh server and browser profile.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
}

/// Reads one milestone of one load out of a run.
type Pick = fn(&Run) -> Option<f64>;

/// The three loads of one run.
struct Run {
    network: Marks,
    sw_shell: Marks,
    stopped: Marks,
}

#[tokio::main]
async fn main() -> ExitCode {
    ticketrail_e2e::tool::run("pwa-timing", measure(Args::parse())).await
}

async fn measure(args: Args) -> Result<()> {
    let env = Env::from_env()?;
    println!(
        "pwa-timing: /kiosk in headless Chromium, {} runs, fresh server and profile each",
        args.runs
    );
    println!("  interactive menu = the first [data-testid=\"product\"] card is clickable (in the DOM, a box");
    println!("    inside the viewport, hit by elementFromPoint at its centre) after \"Tap to order\" was");
    println!("    tapped the moment it became clickable; mounted = the app's connection indicator exists.");
    println!(
        "  All times in ms from navigation start (performance.timeOrigin), stamped in the page."
    );
    println!();
    println!("run  network: start  menu | sw shell: start  menu | stopped: mounted  menu | wasm via worker (sw, stopped)");
    let mut runs = Vec::new();
    for number in 1..=args.runs {
        let run = one_run(&env).await?;
        println!(
            "{number:>3}  {:>14} {:>5} | {:>15} {:>5} | {:>16} {:>5} | {}, {}",
            ms(run.network.start),
            ms(run.network.menu),
            ms(run.sw_shell.start),
            ms(run.sw_shell.menu),
            ms(run.stopped.mounted),
            ms(run.stopped.menu),
            yes_no(run.sw_shell.wasm_via_worker),
            yes_no(run.stopped.wasm_via_worker),
        );
        runs.push(run);
    }
    println!();
    println!("{:<58} {:>8} {:>8} {:>8}", "", "median", "min", "max");
    let rows: [(&str, Pick); 6] = [
        ("online, all from network: interactive menu", |run| {
            run.network.menu
        }),
        (
            "online, all from network: \"Tap to order\" clickable",
            |run| run.network.start,
        ),
        ("online, shell from SW cache: interactive menu", |run| {
            run.sw_shell.menu
        }),
        (
            "online, shell from SW cache: \"Tap to order\" clickable",
            |run| run.sw_shell.start,
        ),
        ("server stopped, shell from SW cache: app mounted", |run| {
            run.stopped.mounted
        }),
        (
            "server stopped, SW shell + IndexedDB menu: interactive menu",
            |run| run.stopped.menu,
        ),
    ];
    for (label, pick) in rows {
        let values: Vec<f64> = runs.iter().filter_map(pick).collect();
        ensure!(
            values.len() == runs.len(),
            "some runs have no `{label}` mark"
        );
        let stats = Stats::of(&values);
        println!(
            "{label:<58} {:>8.0} {:>8.0} {:>8.0}",
            stats.median, stats.min, stats.max
        );
    }
    Ok(())
}

async fn one_run(env: &Env) -> Result<Run> {
    let mut server = Server::start(env, "pwa-timing").await?;
    let browser = Browser::open(env, "pwa-timing").await?;
    browser.install_timing_probe().await?;
    let kiosk = server.url("/kiosk");

    // Paired first (a real kiosk is), then without the service worker the
    // pairing page installed: the first visit below comes from the network.
    browser
        .pair(&server, &server.url(""), pairing::DEFAULT_OUTLET, "kiosk")
        .await?;
    browser.forget_service_worker().await?;
    browser.goto(&kiosk).await?;
    let network = browser
        .wait_milestone(Milestone::Menu, LOAD_TIMEOUT)
        .await?;
    ensure!(
        network.page_via_worker != Some(true),
        "the first visit already went through a service worker"
    );

    browser.wait_service_worker(MOUNT).await?;
    browser.goto(&kiosk).await?;
    let sw_shell = browser
        .wait_milestone(Milestone::Menu, LOAD_TIMEOUT)
        .await?;
    ensure!(
        sw_shell.page_via_worker == Some(true),
        "the second visit did not go through the service worker"
    );

    server.stop().await?;
    browser.goto(&kiosk).await?;
    let stopped = browser
        .wait_milestone(Milestone::Menu, LOAD_TIMEOUT)
        .await?;
    browser.close().await?;
    Ok(Run {
        network,
        sw_shell,
        stopped,
    })
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.0}"))
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}
