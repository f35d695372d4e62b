//! `feed-bench`: how fast and how cheap the live order feed is. Run through
//! `cargo xtask bench feed`, which builds a release server and a release
//! PWA and sets the same variables as the browser tests
//! (`TICKETRAIL_SERVER_BIN`, `TICKETRAIL_DIST`, `CHROMEDRIVER`, `CHROMIUM`).
//!
//! One release server with the demo menu, then:
//!
//! - **(a) order to kitchen**: a kiosk page sends `POST /api/orders/` with
//!   `fetch`, a kitchen page (`/kitchen`) shows the ticket; each sample is
//!   from just before the `fetch` to the end of the kitchen's first frame
//!   with the ticket in it, stamped in both pages on the machine's clock.
//!   Target: p99 <= 50 ms. See [`paint`] for the busy board it runs on.
//! - **(b) polling cost**: 300 simulated screens poll
//!   `GET /api/orders?outlet_id=1&since_id=<current>` every 3 s with nothing
//!   new; server CPU % of one core and response times. Target: < 5 % of one
//!   core, p99 < 5 ms. See [`polling`].
//!
//! (b) runs after (a) on the same server with the browsers closed, so its
//! database holds the day's orders and nothing else competes for the cores.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use ticketrail_e2e::{Env, Server};

mod cpu;
mod pages;
mod paint;
mod polling;
mod report;

/// The outlet every order and poll is for (a demo outlet).
const OUTLET: &str = "1";
/// The targets.
const PAINT_P99_MS: f64 = 50.0;
const POLL_P99_MS: f64 = 5.0;
const POLL_CPU_PERCENT: f64 = 5.0;

/// Measures the order feed (see the module docs).
#[derive(Debug, Parser)]
#[command(name = "feed-bench")]
struct Args {
    /// Measured orders in part (a).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=5000))]
    orders: u32,
    /// Orders sent and painted before measuring, not counted.
    #[arg(long, default_value_t = 5)]
    warmup: u32,
    /// Open tickets the kitchen board holds while measuring (0: never
    /// complete any, so the board grows by one ticket per order).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=500))]
    open_tickets: u32,
    /// Simulated polling screens in part (b).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=5000))]
    screens: u32,
    /// Each screen's polling interval, ms.
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    interval_ms: u64,
    /// Length of the measured polling window, seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    poll_secs: u64,
    /// Run only one part.
    #[arg(long, value_enum)]
    only: Option<Part>,
}

/// The two parts of the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    /// (a) kiosk POST to kitchen ticket painted.
    Paint,
    /// (b) polling cost.
    Polling,
}

#[tokio::main]
async fn main() -> ExitCode {
    ticketrail_e2e::tool::run("feed-bench", measure(Args::parse())).await
}

async fn measure(args: Args) -> Result<()> {
    let env = Env::from_env()?;
    let server = Server::start(&env, "feed-bench").await?;
    println!(
        "feed-bench: release ticketrail-server (demo menu, fresh database), outlet {OUTLET}; \
         machine load averages (1, 5, 15 min): {}",
        cpu::load_average()?
    );
    if args.only != Some(Part::Polling) {
        println!();
        let run = paint::run(&env, &server, &args).await?;
        print_paint(&args, &run);
    }
    if args.only != Some(Part::Paint) {
        println!();
        let run = polling::run(&server, &args).await?;
        print_polling(&args, &run);
    }
    Ok(())
}

fn print_paint(args: &Args, run: &paint::PaintRun) {
    println!(
        "(a) kiosk POST -> kitchen ticket painted: {} orders one at a time (after {} + {} unmeasured),",
        run.samples.len(),
        args.open_tickets,
        args.warmup
    );
    println!(
        "    kiosk (/kiosk) and kitchen (/kitchen) in two headless Chromium browsers on loopback"
    );
    let open_min = run.open_when_sent.iter().min().copied().unwrap_or(0);
    let open_max = run.open_when_sent.iter().max().copied().unwrap_or(0);
    if args.open_tickets > 0 {
        println!(
            "    board: {open_min}-{open_max} open tickets when each order was sent (a sixth ready, a third \
             preparing); after each order 1 completed, 1 ready, 1 preparing via the API"
        );
    } else {
        println!(
            "    board: never cleared, {open_min}-{open_max} open tickets when each order was sent"
        );
    }
    println!(
        "    clock check, page epoch clock minus Date.now(): kiosk {:.2} ms, kitchen {:.2} ms",
        run.clock_offsets.0, run.clock_offsets.1
    );
    println!("    all in ms from just before the kiosk's fetch():");
    report::latency_header();
    let column =
        |pick: fn(&paint::Sample) -> f64| -> Vec<f64> { run.samples.iter().map(pick).collect() };
    report::latency_line("POST answered (kiosk)", &column(|s| s.answered), None);
    report::latency_line("ticket in the DOM (kitchen)", &column(|s| s.inserted), None);
    report::latency_line("next frame began (kitchen rAF)", &column(|s| s.frame), None);
    report::latency_line(
        "ticket painted (that frame rendered)",
        &column(|s| s.painted),
        Some(PAINT_P99_MS),
    );
    report::latency_line(
        "painted minus POST answered (feed + render)",
        &column(|s| s.painted - s.answered),
        None,
    );
    let mut slowest: Vec<&paint::Sample> = run.samples.iter().collect();
    slowest.sort_by(|a, b| b.painted.total_cmp(&a.painted));
    let slowest: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|s| {
            format!(
                "{:.1} (answered {:.1}, DOM {:.1}, frame {:.1})",
                s.painted, s.answered, s.inserted, s.frame
            )
        })
        .collect();
    println!("    slowest painted: {}", slowest.join("; "));
    println!("    the board at the end: {}", run.screenshot.display());
    println!(
        "    load averages before: {}; after: {}",
        run.load.0, run.load.1
    );
}

fn print_polling(args: &Args, run: &polling::PollRun) {
    let percent = |cpu: std::time::Duration, window: std::time::Duration| {
        100.0 * cpu.as_secs_f64() / window.as_secs_f64()
    };
    let server = percent(run.server_cpu, run.window);
    println!(
        "(b) polling: {} screens, each GET /api/orders?outlet_id={OUTLET}&since_id={} every {} ms, \
         spread evenly, own keep-alive connection each;",
        args.screens, run.since_id, args.interval_ms
    );
    println!(
        "    nothing new (every answer []); one unmeasured round, then a {:.1} s window",
        run.window.as_secs_f64()
    );
    println!(
        "    server CPU (utime+stime from /proc): {:.2} % of one core while polled (target < {POLL_CPU_PERCENT:.0} %: {}); \
         {:.2} % idle with nobody polling ({:.1} s)",
        server,
        if server < POLL_CPU_PERCENT { "met" } else { "MISSED" },
        percent(run.idle_cpu, run.idle_window),
        run.idle_window.as_secs_f64()
    );
    println!(
        "    the polling tool itself: {:.2} % of one core",
        percent(run.bench_cpu, run.window)
    );
    println!(
        "    server counted {} polls ({} empty) in the window; the screens sent {}",
        run.counted.polls,
        run.counted.empty,
        run.latencies.len()
    );
    println!("    response time in ms, request sent to body read, measured by the screens:");
    report::latency_header();
    report::latency_line(
        "GET /api/orders, nothing new",
        &run.latencies,
        Some(POLL_P99_MS),
    );
    report::latency_line("screens' timer wake-up lag", &run.lags, None);
    println!(
        "    (timer lag: how late the screens' timers fired; ~1 ms is tokio's resolution, more is \
         time the tool waited for a core, i.e. a busy machine)"
    );
    println!(
        "    load averages before: {}; after: {}",
        run.load.0, run.load.1
    );
}
