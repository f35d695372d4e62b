//! The `server` scenario of issue 2: many kitchen screens on one outlet,
//! a few kiosks placing orders as fast as the server acknowledges them, and
//! the time from each POST's start until its `new_order` event has reached
//! every screen.
//!
//! Steps: learn the menu, open the sockets, place orders through a warm-up
//! and a measured window, wait for in-flight events to drain, then tally.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::sync::watch;

use crate::book::OrderBook;
use crate::report::Report;
use crate::stats::{self, Summary};
use crate::{catalog, sockets, writers};

/// Options of `ticketrail-bench server`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Base URL of the outlet server under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
    /// Bearer token for every request and each socket's `auth` frame (an
    /// admin's); none for a server before protocol v2. Read from the
    /// environment only, so it never shows in a command line.
    #[arg(long, env = "TICKETRAIL_BENCH_TOKEN", hide = true)]
    pub token: Option<String>,
    /// Outlet the sockets listen to and the orders are placed at.
    #[arg(long, default_value = "1")]
    pub outlet: String,
    /// WebSocket clients (kitchen screens) to connect.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub clients: u32,
    /// Concurrent writers (kiosks) placing orders back to back.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub writers: u32,
    /// Length of the measured window, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub seconds: u64,
    /// Orders placed before measuring starts (not counted), in seconds.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub warmup_seconds: u64,
    /// Deadline for all sockets to connect and get `connected`, in seconds.
    #[arg(long, default_value_t = 30)]
    pub connect_seconds: u64,
    /// Deadline for in-flight events to reach every socket after the last
    /// order, in seconds.
    #[arg(long, default_value_t = 10)]
    pub drain_seconds: u64,
}

/// Time limit of one order POST.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// File descriptors kept free for things other than client sockets
/// (writers' connections, stdio, the runtime).
const SPARE_FDS: u64 = 64;

/// Order rate the ledger is sized for. Well above what two cores can
/// acknowledge; if it is ever reached, writers stop and the report says so.
const MAX_ORDERS_PER_SECOND: u64 = 20_000;

/// Upper bound on ledger records, whatever the run length (about 50 MB).
const MAX_RECORDS: u64 = 2_000_000;

/// Runs the scenario against `options.base_url` and reports what it saw.
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let base_url = options.base_url.trim_end_matches('/').to_string();
    let socket_url = format!(
        "{}/ws/outlet/{}/",
        websocket_base(&base_url)?,
        options.outlet
    );
    let clients = options.clients as usize;
    raise_fd_limit(u64::from(options.clients) + u64::from(options.writers) + SPARE_FDS);

    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = &options.token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .context("the token is not a header value")?,
        );
    }
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .pool_max_idle_per_host(options.writers as usize)
        .build()
        .context("building the HTTP client")?;
    let catalog = catalog::fetch(&client, &base_url).await?;
    eprintln!(
        "menu: {} active products at master version {}",
        catalog.product_ids.len(),
        catalog.master_version
    );

    eprintln!("connecting {clients} sockets to {socket_url}");
    let started = Instant::now();
    let connect_deadline =
        tokio::time::Instant::now() + Duration::from_secs(options.connect_seconds);
    let connected = sockets::connect_all(
        &socket_url,
        options.token.as_deref(),
        clients,
        connect_deadline,
    )
    .await;
    let connect_time = started.elapsed();
    let connect_failures = connected.failures;
    let socket_count = connected.sockets.len();
    eprintln!(
        "connected {socket_count} / {clients} in {:.2} s",
        connect_time.as_secs_f64()
    );
    if socket_count == 0 {
        bail!("no socket connected to {socket_url}: {connect_failures:?}");
    }

    let warmup = Duration::from_secs(options.warmup_seconds);
    let measured = Duration::from_secs(options.seconds);
    let capacity = (options.warmup_seconds + options.seconds)
        .saturating_mul(MAX_ORDERS_PER_SECOND)
        .min(MAX_RECORDS) as usize;
    let epoch = Instant::now();
    let book = Arc::new(OrderBook::new(epoch, warmup, capacity));
    book.set_sockets(u32::try_from(socket_count).context("socket count")?);

    let (stop, stop_rx) = watch::channel(false);
    let readers: Vec<_> = connected
        .sockets
        .into_iter()
        .map(|socket| tokio::spawn(sockets::read(socket, book.clone(), stop_rx.clone())))
        .collect();

    let plan = Arc::new(writers::Plan {
        orders_url: format!("{base_url}/api/orders/"),
        outlet: options.outlet.clone(),
        catalog,
        measure_from: epoch + warmup,
        stop_at: epoch + warmup + measured,
    });
    eprintln!(
        "placing orders with {} writers: {} s warm-up, {} s measured",
        options.writers, options.warmup_seconds, options.seconds
    );
    let writer_tasks: Vec<_> = (0..options.writers)
        .map(|_| tokio::spawn(writers::run(client.clone(), plan.clone(), book.clone())))
        .collect();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut book_full = false;
    let mut ack_latencies = Vec::new();
    for task in writer_tasks {
        let tally = task.await.context("writer task")?;
        book_full |= tally.book_full;
        ack_latencies.extend(tally.ack_latencies);
        for (kind, n) in tally.errors {
            *errors.entry(kind).or_default() += n;
        }
    }

    eprintln!(
        "waiting up to {} s for in-flight events",
        options.drain_seconds
    );
    let drain_deadline = tokio::time::Instant::now() + Duration::from_secs(options.drain_seconds);
    book.drained(drain_deadline).await;
    // No reader is left waiting for this: a send error only means every
    // reader has already ended, which the tallies below report.
    let _ = stop.send(true);

    let mut per_delivery = stats::new_histogram();
    let mut messages = 0;
    let mut unknown_orders = 0;
    let mut lost_sockets: BTreeMap<String, usize> = BTreeMap::new();
    for reader in readers {
        let tally = reader.await.context("socket reader task")?;
        messages += tally.messages;
        unknown_orders += tally.unknown_orders;
        per_delivery
            .add(&tally.per_delivery)
            .context("merging latency histograms")?;
        if let Some(reason) = tally.lost {
            *lost_sockets.entry(reason).or_default() += 1;
        }
    }

    let mut outcome = book.outcome();
    Ok(Report {
        base_url,
        outlet: options.outlet.clone(),
        clients,
        connected: socket_count,
        connect_failures,
        connect_time,
        writers: options.writers as usize,
        warmup,
        measured,
        acked_total: outcome.acked,
        acked_measured: outcome.acked_measured,
        errors,
        ack: Summary::of_samples(&mut ack_latencies),
        fan_out: Summary::of_samples(&mut outcome.fan_out),
        per_delivery: Summary::of_histogram(&per_delivery),
        messages,
        unknown_orders,
        missing: outcome.missing,
        missing_examples: outcome.missing_examples,
        duplicates: outcome.duplicates,
        lost_sockets,
        book_full,
    })
}

/// `ws://` or `wss://` twin of an `http(s)://` base URL.
fn websocket_base(base_url: &str) -> anyhow::Result<String> {
    if let Some(rest) = base_url.strip_prefix("http://") {
        Ok(format!("ws://{rest}"))
    } else if let Some(rest) = base_url.strip_prefix("https://") {
        Ok(format!("wss://{rest}"))
    } else {
        bail!("--base-url must start with http:// or https://, got {base_url:?}")
    }
}

/// Lifts the soft limit on open files towards `wanted` (1,000 sockets do not
/// fit the common default of 1,024 with anything else open). Falling short
/// is reported, not fatal: the sockets that cannot open show up as connect
/// failures with the OS's reason.
fn raise_fd_limit(wanted: u64) {
    match rlimit::increase_nofile_limit(wanted) {
        Ok(limit) if limit >= wanted => {}
        Ok(limit) => eprintln!("warning: open-file limit is {limit}, below the {wanted} wanted"),
        Err(e) => eprintln!("warning: could not raise the open-file limit: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_base_follows_the_scheme() {
        assert_eq!(
            websocket_base("http://127.0.0.1:9").unwrap(),
            "ws://127.0.0.1:9"
        );
        assert_eq!(
            websocket_base("https://kds.example").unwrap(),
            "wss://kds.example"
        );
        assert!(websocket_base("127.0.0.1:9").is_err());
    }
}
