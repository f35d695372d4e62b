//! Part (b): what the 3-second polling fallback costs the server when
//! hundreds of screens poll and nothing is new.
//!
//! Each simulated screen is a task with its own HTTP client, so it keeps
//! its own keep-alive connection like a browser would. Screen `i` of `n`
//! first polls `i/n` of an interval after the start, so the polls are
//! spread evenly, then every interval, always with `since_id` = the
//! outlet's current seq (the answer is `[]`). The first round opens the
//! connections and is not measured; the window after it is. Server CPU is
//! the growth of its `utime + stime` over the window; response times are
//! measured by the screens, from sending the request to the end of the
//! body, for the polls sent inside the window.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use ticketrail_e2e::server::FeedCount;
use ticketrail_e2e::Server;
use tokio::task::JoinSet;
use tokio::time::{interval_at, sleep_until, Instant, MissedTickBehavior};

use crate::{cpu, Args, OUTLET};

/// How long the server is watched with nothing polling, for the baseline.
const IDLE_WINDOW: Duration = Duration::from_secs(5);
/// Rounds every screen polls before the window opens (connections opened,
/// server warm).
const WARMUP_ROUNDS: u32 = 1;

/// What part (b) measured.
pub struct PollRun {
    /// The `since_id` every poll asked with.
    pub since_id: i64,
    /// Server CPU time with nothing polling, over [`IDLE_WINDOW`].
    pub idle_cpu: Duration,
    /// Length of the idle baseline.
    pub idle_window: Duration,
    /// Server CPU time over the measured window.
    pub server_cpu: Duration,
    /// This tool's own CPU time (the screens) over the window.
    pub bench_cpu: Duration,
    /// Length of the measured window.
    pub window: Duration,
    /// Response time of each poll sent in the window, ms.
    pub latencies: Vec<f64>,
    /// Each of those polls' timer lag (see [`Poll::lag`]), ms.
    pub lags: Vec<f64>,
    /// The server's feed counters' growth over the window.
    pub counted: FeedCount,
    /// Load averages before and after.
    pub load: (String, String),
}

/// One poll of one screen.
struct Poll {
    /// When it was sent.
    sent: Instant,
    /// From sending to the end of the answer's body.
    took: Duration,
    /// How much later than scheduled the screen's timer woke up to send
    /// it. tokio's timer has 1 ms resolution, so about 1 ms is the floor;
    /// beyond that it is time the tool waited for a core, which says how
    /// busy the machine was rather than anything about the server.
    lag: Duration,
}

/// Runs part (b) against `server`.
pub async fn run(server: &Server, args: &Args) -> Result<PollRun> {
    let pid = server.pid().context("the server is not running")?;
    let load_before = cpu::load_average()?;
    let since_id = server
        .orders(OUTLET)
        .await?
        .iter()
        .map(|order| order.seq)
        .max()
        .unwrap_or(0);

    let idle_start = Instant::now();
    let idle_before = cpu::cpu_time(Some(pid))?;
    sleep_until(idle_start + IDLE_WINDOW).await;
    let idle_cpu = cpu::cpu_time(Some(pid))?.saturating_sub(idle_before);
    let idle_window = idle_start.elapsed();

    let every = Duration::from_millis(args.interval_ms);
    let start = Instant::now();
    let window_start = start + every * WARMUP_ROUNDS;
    let window_end = window_start + Duration::from_secs(args.poll_secs);
    let url = server.url(&format!(
        "/api/orders?outlet_id={OUTLET}&since_id={since_id}"
    ));
    // Every polling screen is a kitchen of the outlet, as on a real floor.
    let token = server.token("kitchen", Some(OUTLET)).await?;
    let mut screens = JoinSet::new();
    for screen in 0..args.screens {
        let first = start + every * screen / args.screens;
        screens.spawn(poll_screen(
            url.clone(),
            token.clone(),
            first,
            every,
            window_end,
        ));
    }

    sleep_until(window_start).await;
    let server_before = cpu::cpu_time(Some(pid))?;
    let bench_before = cpu::cpu_time(None)?;
    let counts_before = server.request_counts().await?.feed;
    let opened = Instant::now();
    sleep_until(window_end).await;
    let server_cpu = cpu::cpu_time(Some(pid))?.saturating_sub(server_before);
    let bench_cpu = cpu::cpu_time(None)?.saturating_sub(bench_before);
    let window = opened.elapsed();
    let counts_after = server.request_counts().await?.feed;

    let mut latencies = Vec::new();
    let mut lags = Vec::new();
    while let Some(polls) = screens.join_next().await {
        let polls = polls.context("a polling screen panicked")??;
        for poll in polls {
            if (window_start..window_end).contains(&poll.sent) {
                latencies.push(poll.took.as_secs_f64() * 1000.0);
                lags.push(poll.lag.as_secs_f64() * 1000.0);
            }
        }
    }
    Ok(PollRun {
        since_id,
        idle_cpu,
        idle_window,
        server_cpu,
        bench_cpu,
        window,
        latencies,
        lags,
        counted: FeedCount {
            polls: counts_after.polls.saturating_sub(counts_before.polls),
            empty: counts_after.empty.saturating_sub(counts_before.empty),
        },
        load: (load_before, cpu::load_average()?),
    })
}

/// One screen: polls `url` from `first` on, every `every`, until `end`;
/// every answer must be an empty feed.
async fn poll_screen(
    url: String,
    token: String,
    first: Instant,
    every: Duration,
    end: Instant,
) -> Result<Vec<Poll>> {
    // One client per screen: its own connection, kept alive between polls.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let mut ticks = interval_at(first, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut polls = Vec::new();
    loop {
        let scheduled = ticks.tick().await;
        if scheduled >= end {
            return Ok(polls);
        }
        let sent = Instant::now();
        let response = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        let body = response.bytes().await?;
        let took = sent.elapsed();
        if !status.is_success() || body.as_ref() != b"[]" {
            bail!(
                "GET {url} answered {status} {:?}; an empty feed was expected",
                String::from_utf8_lossy(&body)
            );
        }
        polls.push(Poll {
            sent,
            took,
            lag: sent.saturating_duration_since(scheduled),
        });
    }
}
