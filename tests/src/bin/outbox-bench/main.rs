//! `outbox-bench`: how fast the service-worker outbox empties and how fast
//! the kiosk says "Queued". Run through `cargo xtask bench outbox`, which
//! builds a release server and a release PWA and sets the same variables
//! as the browser tests (`TICKETRAIL_SERVER_BIN`, `TICKETRAIL_DIST`,
//! `CHROMEDRIVER`, `CHROMIUM`).
//!
//! Each run starts a release server with the demo menu and a browser with
//! a fresh profile, opens `/kiosk` and waits until it is live, its service
//! worker in control and its menu saved; then:
//!
//! 1. **drain** ([`drain`]): stops the server, writes N orders (default
//!    1,000) into the page's IndexedDB outbox in one transaction, as the
//!    kiosk would have queued them, starts the server again, posts
//!    `{type: "drain"}` to the service worker and times until the server
//!    has created the last of them (its `created_at`, the same machine's
//!    clock) and until the outbox is empty. Target: <= 5 s. With `--bare`
//!    the page is `/healthz` instead of the kiosk (the worker alone).
//! 2. **tap to queued** ([`tap`]): stops the server and places orders
//!    through the kiosk's UI; each sample is the app's
//!    `ticketrail:order-queued` measure (the Place-order click to the
//!    confirmation saying queued, in the DOM). Target: one frame, <= 16 ms.
//!    Beside it, the time from each tap to the first task the page could
//!    run after it: Chromium defers every task after a tap until the next
//!    frame, so that is the floor under the tap's measure (see
//!    [`tap::Taps`]).

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{outbox, Browser, Env, Server};

mod drain;
mod report;
mod tap;

/// The outlet every order is for (a demo outlet).
const OUTLET: &str = "1";

/// Measures the outbox (see the module docs).
#[derive(Debug, Parser)]
#[command(name = "outbox-bench")]
pub struct Args {
    /// Runs, each with a fresh server and browser profile.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    runs: u32,
    /// Orders queued and drained per run.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    orders: u32,
    /// Measured taps per run.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=500))]
    taps: u32,
    /// Taps per run before measuring, not counted.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=50))]
    warmup: u32,
    /// Drain from `/healthz` (a page of the app's origin that does not run
    /// the app) instead of the kiosk, so only the service worker works:
    /// shows what the open kiosk costs the drain.
    #[arg(long)]
    bare: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    ticketrail_e2e::tool::run("outbox-bench", measure(Args::parse())).await
}

async fn measure(args: Args) -> Result<()> {
    let env = Env::from_env()?;
    report::header(&args);
    let mut runs = Vec::new();
    for number in 1..=args.runs {
        let run = one_run(&env, &args, number).await?;
        report::run_line(number, &run);
        runs.push(run);
    }
    report::summary(&args, &runs);
    Ok(())
}

async fn one_run(env: &Env, args: &Args, number: u32) -> Result<report::Run> {
    let mut server = Server::start(env, "outbox-bench").await?;
    let browser = Browser::open(env, "outbox-bench").await?;
    outbox::prepare_kiosk(&browser, &server, &server.url("/kiosk")).await?;
    let products = server.active_products().await?;
    if args.bare {
        browser.goto(&server.url("/healthz")).await?;
        browser.wait_service_worker(MOUNT).await?;
    }
    let drain = drain::run(&browser, &mut server, &products, args.orders, number).await?;
    if args.bare {
        outbox::prepare_kiosk(&browser, &server, &server.url("/kiosk")).await?;
    }
    let taps = tap::run(&browser, &mut server, args.warmup, args.taps).await?;
    browser.close().await?;
    Ok(report::Run { drain, taps })
}
