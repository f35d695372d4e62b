//! The outbox under chaos (issue 6, test 2): three kiosks (three devices,
//! each its own browser profile and queue) place 300 orders in all through
//! their UI while the server is killed (SIGKILL, mid-commit or not) and
//! restarted at random every 1 to 5 s, and their WebSockets are cut at
//! random in between. At the end the server must hold exactly the 300
//! orders, each `client_order_id` once, each device's orders created in the
//! order that device placed them, and a kitchen screen must show them all.
//!
//! The kiosks reach the server through a [`Proxy`], which dials it per
//! connection (so it follows the restarts) and cuts sockets on demand.
//! The run is replayable from the seed it prints
//! (`TICKETRAIL_OUTBOX_SEED`), as far as the machine's timing allows.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context, Result};
use futures_util::future::try_join_all;
use ticketrail_e2e::kiosk::Kiosk;
use ticketrail_e2e::outbox::delivery::{check_delivered, wait_kitchen, OrderLog};
use ticketrail_e2e::outbox::{self, client_ids};
use ticketrail_e2e::proxy::Proxy;
use ticketrail_e2e::rng::Rng;
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::{Browser, Env, Server};
use tokio::sync::watch;
use tokio::time::{sleep, timeout, Instant};

/// The outlet the kiosks order for.
const OUTLET: &str = "1";
/// The size.
const DEVICES: usize = 3;
const ORDERS: usize = 300;
/// Each kiosk's share.
const PER_DEVICE: usize = ORDERS / DEVICES;
const _: () = assert!(ORDERS % DEVICES == 0, "the kiosks share the orders evenly");
/// How long the server stays up between kills, ms (the issue: 1 to 5 s).
const UP_MS: (u64, u64) = (1_000, 5_000);
/// How long it stays dead before the restart begins, ms.
const DOWN_MS: (u64, u64) = (100, 1_500);
/// Cards on the first menu screen the kiosks choose from.
const CHOICES: usize = 6;
/// From the last order placed to all of them on the server: the longest
/// backoff (60 s) a kill may have pushed an entry into, plus room.
const DRAIN: Duration = Duration::from_secs(90);
/// A kitchen board of 300 tickets, from a cold start.
const BOARD: Duration = Duration::from_secs(60);

/// What the chaos did.
#[derive(Debug, Default)]
struct Chaos {
    kills: u32,
    cuts: u32,
    down: Duration,
}

/// What one kiosk did: how its confirmations said each order went, and
/// how long each order took the test to place (ms, first tap to back on
/// the attract screen).
#[derive(Debug, Default)]
struct Placed {
    delivery: BTreeMap<String, usize>,
    took_ms: Vec<f64>,
}

#[tokio::test(flavor = "multi_thread")]
async fn three_kiosks_place_300_orders_through_server_kills_and_socket_cuts() -> Result<()> {
    let _turn = one_at_a_time().await;
    let seed = match std::env::var("TICKETRAIL_OUTBOX_SEED") {
        Ok(seed) => seed
            .parse()
            .context("TICKETRAIL_OUTBOX_SEED is not a number")?,
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64),
    };
    println!("seed {seed} (rerun with TICKETRAIL_OUTBOX_SEED={seed})");
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "outbox-chaos").await?;
    let proxy = Proxy::in_front_of(&server).await?;
    let mut kiosks = Vec::new();
    for device in 0..DEVICES {
        let name = format!("outbox-chaos-kiosk-{device}");
        kiosks.push(outbox::open_kiosk(&env, &name, &server, &proxy.url("/kiosk")).await?);
    }
    let result = run(&env, &mut server, &proxy, &kiosks, seed).await;
    if result.is_err() {
        for (device, kiosk) in kiosks.iter().enumerate() {
            // The error being reported matters more than a missing picture.
            let _ = kiosk
                .screenshot(&format!("outbox-2-failed-kiosk-{device}"))
                .await;
        }
        return result;
    }
    for kiosk in kiosks {
        kiosk.close().await?;
    }
    Ok(())
}

async fn run(
    env: &Env,
    server: &mut Server,
    proxy: &Proxy,
    kiosks: &[Browser],
    seed: u64,
) -> Result<()> {
    let (done, ended) = watch::channel(false);
    let started = Instant::now();
    let drivers = async {
        let placed = try_join_all(kiosks.iter().enumerate().map(|(device, kiosk)| {
            place(
                kiosk,
                PER_DEVICE,
                Rng(seed ^ (device as u64 + 1).wrapping_mul(0xA24B_AED4)),
            )
        }))
        .await;
        done.send_replace(true);
        placed
    };
    let (placed, chaos) = tokio::join!(drivers, chaos(server, proxy, Rng(seed), ended));
    let (placed, chaos) = (placed?, chaos?);
    let placing = started.elapsed();
    let mut delivery: BTreeMap<String, usize> = BTreeMap::new();
    for device in &placed {
        for (state, count) in &device.delivery {
            *delivery.entry(state.clone()).or_default() += count;
        }
    }
    println!(
        "{ORDERS} orders placed on {DEVICES} kiosks in {placing:?} ({:.0} ms per order per kiosk); \
         confirmations said {delivery:?}; server killed {} times (down {:?} in all), sockets cut {} times",
        placing.as_secs_f64() * 1000.0 * DEVICES as f64 / ORDERS as f64,
        chaos.kills,
        chaos.down,
        chaos.cuts
    );

    let mut taps = Vec::new();
    for kiosk in kiosks {
        taps.extend(
            kiosk
                .measures(outbox::ORDER_QUEUED)
                .await?
                .into_iter()
                .map(|measure| measure.duration),
        );
    }
    let took: Vec<f64> = placed
        .iter()
        .flat_map(|device| device.took_ms.clone())
        .collect();
    println!(
        "one order through the UI (ms): {}; of which the app's tap to confirmation: {}",
        spread(&took),
        spread(&taps)
    );

    let mut devices = Vec::new();
    for (device, kiosk) in kiosks.iter().enumerate() {
        let queued = kiosk.queued_orders().await?;
        ensure!(
            queued.len() == placed[device].delivery.values().sum::<usize>(),
            "kiosk {device} placed {} orders but queued {}",
            placed[device].delivery.values().sum::<usize>(),
            queued.len()
        );
        devices.push(client_ids(&queued));
    }
    let last_placed = Instant::now();
    let mut log = OrderLog::new(OUTLET);
    log.wait_for(server, ORDERS, DRAIN).await?;
    println!(
        "all {ORDERS} on the server {:?} after the last was placed",
        last_placed.elapsed()
    );
    for (device, kiosk) in kiosks.iter().enumerate() {
        let left = kiosk.wait_outbox_settled(DRAIN).await?;
        ensure!(
            left.is_empty(),
            "kiosk {device} kept refused entries: {left:?}"
        );
    }
    log.refresh(server).await?;
    check_delivered(&devices, &log.orders())?;
    ensure!(
        log.len() == ORDERS,
        "the server holds {} orders, not {ORDERS}",
        log.len()
    );

    let kitchen = Browser::open(env, "outbox-chaos-kitchen").await?;
    kitchen.open_screen(server, &server.url("/kitchen")).await?;
    let shown = wait_kitchen(&kitchen, server, OUTLET, BOARD).await?;
    ensure!(
        shown == ORDERS,
        "the kitchen shows {shown} orders, not {ORDERS}"
    );
    kitchen.screenshot("outbox-2-kitchen").await?;
    kitchen.close().await?;
    println!("done {:?} after the start", started.elapsed());
    Ok(())
}

/// `median 12, p95 40, max 80 (n=300)` of some samples (ms).
fn spread(samples: &[f64]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |percent: f64| {
        let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
        sorted
            .get(rank.clamp(1, sorted.len().max(1)) - 1)
            .copied()
            .unwrap_or(f64::NAN)
    };
    format!(
        "median {:.0}, p95 {:.0}, max {:.0} (n={})",
        at(50.0),
        at(95.0),
        at(100.0),
        sorted.len()
    )
}

/// Places `count` orders of a random dish on one kiosk, one after the
/// other as customers would; an order the kiosk says was refused fails the
/// run (nothing is refused here).
async fn place(browser: &Browser, count: usize, mut rng: Rng) -> Result<Placed> {
    let kiosk = Kiosk::new(browser);
    let mut placed = Placed::default();
    for _ in 0..count {
        let started = Instant::now();
        let (product, shown) = kiosk.order_nth(rng.below(CHOICES)).await?;
        let state = shown.delivery.clone().unwrap_or_default();
        ensure!(
            state != "rejected",
            "an order of {product} was refused: {}",
            shown.label
        );
        *placed.delivery.entry(state).or_default() += 1;
        kiosk.new_order().await?;
        placed
            .took_ms
            .push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(placed)
}

/// Kills and restarts the server and cuts the kiosks' sockets at random
/// until `ended` says the kiosks are done; leaves the server running.
/// The pauses are the chaos itself (when to strike), not waits for
/// anything.
async fn chaos(
    server: &mut Server,
    proxy: &Proxy,
    mut rng: Rng,
    mut ended: watch::Receiver<bool>,
) -> Result<Chaos> {
    let mut chaos = Chaos::default();
    loop {
        let up = Duration::from_millis(rng.between(UP_MS));
        let cut_at = up.mul_f64(rng.below(1000) as f64 / 1000.0);
        if !pause(cut_at, &mut ended).await {
            return Ok(chaos);
        }
        proxy.cut_sockets();
        chaos.cuts += 1;
        if !pause(up - cut_at, &mut ended).await {
            return Ok(chaos);
        }
        server.stop().await?;
        let killed = Instant::now();
        chaos.kills += 1;
        sleep(Duration::from_millis(rng.between(DOWN_MS))).await;
        server.restart().await?;
        chaos.down += killed.elapsed();
    }
}

/// Lets `length` pass; `false` if the kiosks finished meanwhile.
async fn pause(length: Duration, ended: &mut watch::Receiver<bool>) -> bool {
    timeout(length, ended.wait_for(|ended| *ended))
        .await
        .is_err()
}
