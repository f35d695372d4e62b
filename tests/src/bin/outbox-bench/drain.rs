//! Part 1: N orders queued while the server was away, drained once it is
//! back (see the tool's module docs).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, ensure, Context, Result};
use ticketrail_e2e::outbox::delivery::{check_delivered, OrderLog};
use ticketrail_e2e::outbox::queued_orders_json;
use ticketrail_e2e::ui::MOUNT;
use ticketrail_e2e::{wait, Browser, Server};
use ticketrail_protocol::Product;

use crate::OUTLET;

/// The longest a drain may take before the run is called failed: far
/// beyond the target, so a slow drain is measured rather than cut off.
const DRAIN_LIMIT: Duration = Duration::from_secs(300);

/// What one drain measured (ms).
#[derive(Debug, Clone, Copy)]
pub struct Drain {
    /// Orders drained.
    pub orders: usize,
    /// Writing them into IndexedDB (one transaction).
    pub inject_ms: f64,
    /// From the `drain` message to the server creating the first order.
    pub first_ms: f64,
    /// From the `drain` message to the server creating the last order.
    pub last_ms: f64,
    /// From the `drain` message to the outbox seen empty (polled, so up to
    /// a poll later than it happened).
    pub empty_ms: f64,
    /// Mean time per order over the first tenth of the queue, and over
    /// the last tenth (a queue that costs more per order while it is long
    /// shows here).
    pub per_order_ms: (f64, f64),
    /// Entries found waiting out a backoff when the server came back (a
    /// send tried while it was down), made due before the clock started.
    pub made_due: u64,
}

/// Milliseconds since the epoch, the clock the server stamps orders with.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
}

/// Runs part 1 on a kiosk page that is open, live and idle.
pub async fn run(
    browser: &Browser,
    server: &mut Server,
    products: &[Product],
    count: u32,
    run: u32,
) -> Result<Drain> {
    let (json, keys) = queued_orders_json(
        products,
        OUTLET,
        count as usize,
        &format!("bench-{}-{run}", std::process::id()),
        epoch_ms(),
    )?;
    // The app creates the database when it starts; wait for it.
    let before = wait::until("the kiosk's outbox database", MOUNT, || async {
        browser.outbox_len().await.map(Some)
    })
    .await?;
    ensure!(
        before == 0,
        "the outbox holds {before} entries before the run"
    );

    server.stop().await?;
    let injecting = epoch_ms();
    browser.inject_entries(&json).await?;
    let inject_ms = epoch_ms() - injecting;
    server.restart().await?;
    let made_due = browser.make_due().await?.count;

    let started = epoch_ms();
    browser.post_drain().await?;
    let mut log = OrderLog::new(OUTLET);
    log.wait_for(server, keys.len(), DRAIN_LIMIT)
        .await
        .context("draining the outbox")?;
    let empty = wait::until("the outbox to be empty", DRAIN_LIMIT, || async {
        let left = browser.outbox_len().await?;
        Ok((left == 0).then(epoch_ms))
    })
    .await?;
    let orders = log.orders();
    check_delivered(&[keys], &orders)?;
    let mut created: Vec<f64> = orders
        .iter()
        .map(|order| order.created_at.timestamp_micros() as f64 / 1000.0)
        .collect();
    created.sort_by(f64::total_cmp);
    let (Some(&first), Some(&last)) = (created.first(), created.last()) else {
        return Err(anyhow!("no order was drained"));
    };
    let tenth = (created.len() / 10).max(1);
    let span = |from: usize, to: usize| (created[to] - created[from]) / (to - from).max(1) as f64;
    let per_order_ms = (
        span(0, tenth.min(created.len() - 1)),
        span(
            created.len() - 1 - tenth.min(created.len() - 1),
            created.len() - 1,
        ),
    );
    Ok(Drain {
        orders: orders.len(),
        inject_ms,
        first_ms: first - started,
        last_ms: last - started,
        empty_ms: empty - started,
        per_order_ms,
        made_due,
    })
}
