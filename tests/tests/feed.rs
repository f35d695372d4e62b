//! The real-time order feed end to end (issue 5, tests 1-5): kitchen
//! screens in real Chromium against the real server, through a TCP proxy
//! ([`Proxy`]) that can cut the WebSocket while HTTP keeps flowing, the way
//! a misbehaving router or a restarted load balancer would.
//!
//! Orders and status changes the kitchen did not make itself come straight
//! from the server's HTTP API, as another kiosk or screen would send them.
//! Deadlines that the issue promises (500 ms live, 3 s to switch to
//! polling, 3.5 s while polling) are measured inside the page (see
//! [`kitchen::watch_arrivals`] and [`ui::watch_connection`]) and asserted;
//! every other wait is a condition with a generous deadline.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, ensure, Context, Result};
use ticketrail_core::next_kitchen_status;
use ticketrail_e2e::kitchen::{self, Ticket};
use ticketrail_e2e::proxy::Proxy;
use ticketrail_e2e::rng::Rng;
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{self, connection, CONNECTION, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server};
use ticketrail_protocol::{Order, OrderItemRequest, OrderStatus};
use tokio::time::{sleep, sleep_until, Instant};

/// The outlet every screen here shows.
const OUTLET: &str = "1";
/// Issue 5, test 1: an order on a live kitchen within 500 ms of its POST.
const TO_KITCHEN_LIVE_MS: f64 = 500.0;
/// Test 2: the indicator says polling within 3 s of the socket dying.
const TO_POLLING_MS: f64 = 3_000.0;
/// Test 2: while polling, an order shows within 3.5 s of its POST.
const TO_KITCHEN_POLLING_MS: f64 = 3_500.0;
/// How long to wait for something a deadline above then judges: long
/// enough that a late arrival fails on its measured time, not on a timeout.
const OBSERVE: Duration = Duration::from_secs(10);
/// A reconnect may wait out the longest backoff step (30 s) first.
const BACK_TO_LIVE: Duration = Duration::from_secs(35);
/// The "no contact for 10 s" plus room for the page to notice.
const TO_OFFLINE: Duration = Duration::from_secs(16);
/// Test 4: how long the server stays down.
const OUTAGE: Duration = Duration::from_secs(20);
/// Test 3: the observation window in which a live kitchen must not poll:
/// more than two poll periods (3 s), so a kitchen still polling is caught.
const QUIET: Duration = Duration::from_secs(7);
/// Test 5: how long one window may take to learn a change: the first poll
/// after a cut comes within 3 s and then every 3 s, plus a busy machine.
const PROPAGATE: Duration = Duration::from_secs(8);

/// A server, the proxy in front of it, and the dishes to order.
struct Rig {
    env: Env,
    server: Server,
    proxy: Proxy,
    products: Vec<String>,
    placed: u64,
}

impl Rig {
    async fn start(name: &str) -> Result<Rig> {
        let env = Env::from_env()?;
        let server = Server::start(&env, name).await?;
        let proxy = Proxy::in_front_of(&server).await?;
        let products: Vec<String> = server
            .active_products()
            .await?
            .into_iter()
            .map(|product| product.id)
            .collect();
        Ok(Rig {
            env,
            server,
            proxy,
            products,
            placed: 0,
        })
    }

    /// A kitchen screen opened through the proxy, live, recording arrivals
    /// and indicator states.
    async fn kitchen(&self, name: &str) -> Result<Browser> {
        let browser = Browser::open(&self.env, name).await?;
        browser
            .open_screen(&self.server, &self.proxy.url("/kitchen"))
            .await?;
        browser.wait_visible(&connection("live"), MOUNT).await?;
        kitchen::watch_arrivals(&browser).await?;
        ui::watch_connection(&browser).await?;
        Ok(browser)
    }

    /// Places an order of one to three of some dish straight on the server.
    async fn place(&mut self) -> Result<Order> {
        self.placed += 1;
        let pick = usize::try_from(self.placed)? * 7 % self.products.len();
        let line = OrderItemRequest {
            product_id: self.products[pick].clone(),
            quantity: i64::try_from(self.placed % 3 + 1)?,
            notes: None,
        };
        self.server.place_order(OUTLET, vec![line]).await
    }

    /// Moves an order on straight on the server.
    async fn set_status(&self, order: &Order, status: OrderStatus) -> Result<Order> {
        self.server.set_order_status(&order.id, status).await
    }

    /// Waits until `window` shows exactly what the server holds.
    async fn wait_board(&self, window: &Browser, timeout: Duration) -> Result<()> {
        wait::until(
            "the kitchen to show the server's orders",
            timeout,
            || async {
                let orders = self.server.orders(OUTLET).await?;
                let tickets = kitchen::tickets(window).await?;
                kitchen::check_board(&tickets, &orders, SystemTime::now().into())?;
                Ok(Some(()))
            },
        )
        .await
    }
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
}

/// Waits for `order`'s ticket to enter `window` and returns how long after
/// `since_ms` (ms since the epoch) it did.
async fn arrival(window: &Browser, order: &Order, since_ms: f64) -> Result<f64> {
    Ok(kitchen::wait_arrival(window, order, OBSERVE).await? - since_ms)
}

/// Waits for the indicator of `window` to switch to `state` at or after
/// `since_ms` and returns how long after `since_ms` it did.
async fn switch(window: &Browser, state: &str, since_ms: f64, timeout: Duration) -> Result<f64> {
    Ok(ui::wait_switch(window, state, since_ms, timeout).await? - since_ms)
}

/// Screenshots every window when `result` is an error, then ends them.
async fn finish(result: Result<()>, name: &str, windows: Vec<Browser>) -> Result<()> {
    if result.is_err() {
        for (index, window) in windows.iter().enumerate() {
            // The error being reported matters more than a missing picture.
            let _ = window.screenshot(&format!("{name}-failed-{index}")).await;
        }
        return result;
    }
    for window in windows {
        window.close().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_socket_up_an_order_reaches_the_kitchen_within_500ms() -> Result<()> {
    let _turn = one_at_a_time().await;
    let mut rig = Rig::start("feed-live").await?;
    let window = rig.kitchen("feed-live-kitchen").await?;
    let result = socket_up(&mut rig, &window).await;
    finish(result, "feed-1-live", vec![window]).await
}

async fn socket_up(rig: &mut Rig, window: &Browser) -> Result<()> {
    window.wait_visible(kitchen::NO_TICKETS, REACT).await?;
    ensure!(
        rig.proxy.open_sockets() == 1,
        "the kitchen's socket does not go through the proxy ({} open)",
        rig.proxy.open_sockets()
    );
    for _ in 0..5 {
        let posted = epoch_ms();
        let order = rig.place().await?;
        let took = arrival(window, &order, posted).await?;
        println!(
            "order {} on the live kitchen {took:.0} ms after its POST started",
            order.order_number
        );
        ensure!(
            took <= TO_KITCHEN_LIVE_MS,
            "order {} took {took:.0} ms to reach the live kitchen (promised {TO_KITCHEN_LIVE_MS} ms)",
            order.order_number
        );
    }
    window.screenshot("feed-1-live").await?;
    rig.wait_board(window, REACT).await
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_socket_blocked_the_kitchen_polls_and_still_gets_orders() -> Result<()> {
    let _turn = one_at_a_time().await;
    let mut rig = Rig::start("feed-polling").await?;
    let window = rig.kitchen("feed-polling-kitchen").await?;
    let result = socket_blocked(&mut rig, &window).await;
    finish(result, "feed-2-polling", vec![window]).await
}

async fn socket_blocked(rig: &mut Rig, window: &Browser) -> Result<()> {
    let blocked = epoch_ms();
    rig.proxy.block_sockets();
    let took = switch(window, "polling", blocked, OBSERVE).await?;
    println!("the indicator said polling {took:.0} ms after the socket was cut");
    ensure!(
        took <= TO_POLLING_MS,
        "the kitchen took {took:.0} ms to switch to polling (promised {TO_POLLING_MS} ms)"
    );
    let label = window.text_content(CONNECTION).await?.unwrap_or_default();
    ensure!(
        label.to_lowercase().contains("polling"),
        "the polling indicator's label reads {label:?}"
    );
    window.screenshot("feed-2-polling").await?;

    // One right after the switch, then each right after the previous one
    // arrived, i.e. right after a poll: the worst case of a poll period.
    for _ in 0..3 {
        let posted = epoch_ms();
        let order = rig.place().await?;
        let took = arrival(window, &order, posted).await?;
        println!(
            "order {} on the polling kitchen {took:.0} ms after its POST started",
            order.order_number
        );
        ensure!(
            took <= TO_KITCHEN_POLLING_MS,
            "order {} took {took:.0} ms to reach the polling kitchen (promised {TO_KITCHEN_POLLING_MS} ms)",
            order.order_number
        );
    }
    let states = ui::states_since(window, blocked).await?;
    ensure!(
        states
            .iter()
            .all(|change| change.at < blocked || change.state.as_deref() != Some("live")),
        "the indicator said live while every socket was refused: {}",
        ui::describe(&states, blocked)
    );
    let refused = rig.proxy.sockets_refused();
    println!("{refused} socket attempts refused while polling");
    ensure!(
        refused >= 2,
        "the kitchen tried the socket {refused} times while polling; it should keep retrying"
    );
    rig.wait_board(window, REACT).await
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_socket_back_the_kitchen_goes_live_and_stops_polling() -> Result<()> {
    let _turn = one_at_a_time().await;
    let mut rig = Rig::start("feed-restored").await?;
    let window = rig.kitchen("feed-restored-kitchen").await?;
    let result = socket_restored(&mut rig, &window).await;
    finish(result, "feed-3-restored", vec![window]).await
}

async fn socket_restored(rig: &mut Rig, window: &Browser) -> Result<()> {
    let blocked = epoch_ms();
    rig.proxy.block_sockets();
    switch(window, "polling", blocked, OBSERVE).await?;
    let order = rig.place().await?;
    arrival(window, &order, epoch_ms()).await?;
    let polled = rig.server.request_counts().await?.feed.polls;
    ensure!(
        polled >= 1,
        "the indicator says polling, but the server saw no poll"
    );

    let allowed = epoch_ms();
    rig.proxy.allow_sockets();
    let took = switch(window, "live", allowed, BACK_TO_LIVE).await?;
    println!("live again {took:.0} ms after sockets were allowed ({polled} polls before)");
    // A poll already on its way when the socket opened may still land.
    let settled = settle_polls(&rig.server).await?;
    let live_from = epoch_ms();
    // A deliberate observation window, not a wait for something: polling
    // that goes on shows up as a growing counter within it.
    sleep(QUIET).await;
    let after = rig.server.request_counts().await?.feed.polls;
    println!("polls: {polled} while blocked, {settled} once live, {after} after {QUIET:?} live");
    ensure!(
        after == settled,
        "the live kitchen polled {} times in {QUIET:?}",
        after - settled
    );
    let states = ui::states_since(window, live_from).await?;
    ensure!(
        states.len() == 1,
        "the indicator left live: {}",
        ui::describe(&states, live_from)
    );
    window.screenshot("feed-3-live-again").await?;
    let posted = epoch_ms();
    let order = rig.place().await?;
    let took = arrival(window, &order, posted).await?;
    println!("an order on the restored socket took {took:.0} ms");
    rig.wait_board(window, REACT).await
}

/// Waits until the server's poll counter has stood still for a second and
/// returns it.
async fn settle_polls(server: &Server) -> Result<u64> {
    let last = std::sync::Mutex::new((u64::MAX, Instant::now()));
    wait::until(
        "the poll counter to stand still",
        Duration::from_secs(10),
        || async {
            let polls = server.request_counts().await?.feed.polls;
            let mut last = last.lock().map_err(|_| anyhow!("poisoned"))?;
            if last.0 != polls {
                *last = (polls, Instant::now());
                return Ok(None);
            }
            Ok((last.1.elapsed() >= Duration::from_secs(1)).then_some(polls))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_server_was_killed_for_20s_every_ticket_is_right() -> Result<()> {
    let _turn = one_at_a_time().await;
    let mut rig = Rig::start("feed-outage").await?;
    let window = rig.kitchen("feed-outage-kitchen").await?;
    let result = server_killed(&mut rig, &window).await;
    finish(result, "feed-4-outage", vec![window]).await
}

async fn server_killed(rig: &mut Rig, window: &Browser) -> Result<()> {
    let mut orders = Vec::new();
    for _ in 0..5 {
        orders.push(rig.place().await?);
    }
    rig.wait_board(window, REACT).await?;
    // The cook works three tickets on this screen...
    let steps = [
        (0, OrderStatus::Preparing),
        (1, OrderStatus::Preparing),
        (1, OrderStatus::Ready),
        (2, OrderStatus::Preparing),
        (2, OrderStatus::Ready),
        (2, OrderStatus::Completed),
    ];
    for (index, to) in steps {
        kitchen::advance_to(window, &orders[index], to).await?;
    }
    let before = kitchen::tickets(window).await?;
    // ...and, elsewhere, an order moves, one is cancelled and one arrives
    // just before the server dies. The socket is refused first so the
    // screen does not hear of them at once: it learns them after the
    // restart (a poll squeezed in before the kill may catch some).
    rig.proxy.block_sockets();
    rig.set_status(&orders[3], OrderStatus::Preparing).await?;
    rig.set_status(&orders[4], OrderStatus::Cancelled).await?;
    orders.push(rig.place().await?);
    rig.server.stop().await?;
    let stopped = Instant::now();
    let stopped_ms = epoch_ms();

    let took = switch(window, "offline", stopped_ms, TO_OFFLINE).await?;
    println!("offline {took:.0} ms after the server was killed");
    let during = kitchen::tickets(window).await?;
    window.screenshot("feed-4-offline").await?;
    for ticket in before.iter().filter(|ticket| is_open(ticket)) {
        ensure!(
            during.iter().any(|shown| shown.order_id == ticket.order_id),
            "ticket {:?} left the screen while the server was down",
            ticket.number
        );
    }
    // The outage itself: the server stays down for its full 20 s.
    sleep_until(stopped + OUTAGE).await;

    rig.server.restart().await?;
    rig.proxy.allow_sockets();
    let restarted = Instant::now();
    let restarted_ms = epoch_ms();
    rig.wait_board(window, BACK_TO_LIVE).await?;
    println!(
        "every ticket right {:?} after the restart",
        restarted.elapsed()
    );
    let took = switch(window, "live", restarted_ms, BACK_TO_LIVE).await?;
    println!("live {took:.0} ms after the restart");

    // The feed goes on from where it was.
    rig.set_status(&orders[3], OrderStatus::Ready).await?;
    let posted = epoch_ms();
    let order = rig.place().await?;
    let took = arrival(window, &order, posted).await?;
    println!("an order placed after the restart took {took:.0} ms");
    rig.wait_board(window, REACT).await?;
    window.screenshot("feed-4-after-restart").await?;
    let stored = rig.server.orders(OUTLET).await?;
    let statuses: Vec<&str> = orders
        .iter()
        .map(|order| {
            stored
                .iter()
                .find(|stored| stored.id == order.id)
                .map_or("missing", |stored| stored.status.as_str())
        })
        .collect();
    ensure!(
        statuses
            == [
                "preparing",
                "ready",
                "completed",
                "ready",
                "cancelled",
                "pending"
            ],
        "the server holds {statuses:?}"
    );
    Ok(())
}

fn is_open(ticket: &Ticket) -> bool {
    matches!(
        ticket.status.as_deref(),
        Some("pending" | "preparing" | "ready")
    )
}

/// Test 5's size, from the issue.
const WINDOWS: usize = 3;
const ORDERS: usize = 20;
const CHANGES: usize = 40;
const CUTS: usize = 5;
/// At most this many of the changes are cancellations (from the API: the
/// kitchen has no cancel button); the rest are taps on the screens.
const CANCELS: usize = 4;

/// When the socket is cut and when it comes back, in steps of the run: a
/// cut of length 0 drops the open sockets and lets them straight back; a
/// longer one refuses sockets for that many steps.
fn plan_cuts(rng: &mut Rng, steps: usize) -> Vec<(usize, usize)> {
    let span = steps / CUTS;
    (0..CUTS)
        .map(|cut| (cut * span + rng.below(span / 2), rng.below(6)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_kitchens_agree_after_20_orders_40_changes_and_5_cuts() -> Result<()> {
    let _turn = one_at_a_time().await;
    let seed = match std::env::var("TICKETRAIL_FEED_SEED") {
        Ok(seed) => seed
            .parse()
            .context("TICKETRAIL_FEED_SEED is not a number")?,
        Err(_) => epoch_ms() as u64,
    };
    println!("seed {seed} (rerun with TICKETRAIL_FEED_SEED={seed})");
    let mut rig = Rig::start("feed-windows").await?;
    let mut windows = Vec::new();
    for index in 0..WINDOWS {
        windows.push(
            rig.kitchen(&format!("feed-windows-kitchen-{index}"))
                .await?,
        );
    }
    let result = three_windows(&mut rig, &windows, Rng(seed)).await;
    finish(result, "feed-5-windows", windows).await
}

async fn three_windows(rig: &mut Rig, windows: &[Browser], mut rng: Rng) -> Result<()> {
    let steps = ORDERS + CHANGES;
    let cuts = plan_cuts(&mut rng, steps);
    println!("cuts (step, steps blocked): {cuts:?}");
    let mut orders: Vec<Order> = Vec::new();
    let (mut changes, mut cancels) = (0, 0);
    let started = Instant::now();
    for step in 0..steps {
        for &(at, blocked) in &cuts {
            if step == at && blocked == 0 {
                rig.proxy.cut_sockets();
            } else if step == at {
                rig.proxy.block_sockets();
            } else if blocked > 0 && step == at + blocked {
                rig.proxy.allow_sockets();
            }
        }
        // Pacing, so cuts land at varied moments of the screens' timers.
        sleep(Duration::from_millis(rng.below(400) as u64)).await;
        let open: Vec<usize> = (0..orders.len())
            .filter(|&index| !orders[index].status.is_closed())
            .collect();
        let orders_left = ORDERS - (orders.len());
        let place = orders_left > 0
            && (open.is_empty() || rng.below(orders_left + CHANGES - changes) < orders_left);
        if place {
            orders.push(rig.place().await?);
            continue;
        }
        let index = *open
            .get(rng.below(open.len()))
            .context("no open order left to change")?;
        if cancels < CANCELS && rng.below(10) == 0 {
            orders[index] = rig
                .set_status(&orders[index], OrderStatus::Cancelled)
                .await?;
            cancels += 1;
        } else {
            let window = &windows[rng.below(windows.len())];
            let order = &orders[index];
            let to = next_kitchen_status(order.status).context("an open order has a next step")?;
            kitchen::wait_status(window, order, PROPAGATE).await?;
            kitchen::advance_to(window, order, to).await?;
            orders[index].status = to;
        }
        changes += 1;
    }
    rig.proxy.allow_sockets();
    println!(
        "{} orders, {changes} changes ({cancels} cancellations) in {:?}; {} socket attempts, {} refused",
        orders.len(),
        started.elapsed(),
        rig.proxy.socket_attempts(),
        rig.proxy.sockets_refused()
    );
    ensure!(
        changes == CHANGES,
        "the run made {changes} changes, not {CHANGES}"
    );

    let settled = Instant::now();
    wait::until(
        "all three windows to agree with the server",
        BACK_TO_LIVE,
        || async { agree(rig, windows).await.map(Some) },
    )
    .await?;
    println!(
        "all windows agreed {:?} after the last step",
        settled.elapsed()
    );
    for window in windows {
        window
            .wait_visible(&connection("live"), BACK_TO_LIVE)
            .await?;
    }
    for (index, window) in windows.iter().enumerate() {
        window.screenshot(&format!("feed-5-window-{index}")).await?;
    }
    // The screens did what the test asked of them, no more, no less.
    let stored = rig.server.orders(OUTLET).await?;
    for order in &orders {
        let held = stored
            .iter()
            .find(|stored| stored.id == order.id)
            .with_context(|| format!("order {} is not on the server", order.order_number))?;
        ensure!(
            held.status == order.status,
            "order {} is {} on the server, the run moved it to {}",
            order.order_number,
            held.status.as_str(),
            order.status.as_str()
        );
    }
    agree(rig, windows).await
}

/// Every window shows what the server holds, and they all show the same.
async fn agree(rig: &Rig, windows: &[Browser]) -> Result<()> {
    let orders = rig.server.orders(OUTLET).await?;
    let mut views = Vec::new();
    for (index, window) in windows.iter().enumerate() {
        let now = SystemTime::now().into();
        let tickets = kitchen::tickets(window).await?;
        kitchen::check_board(&tickets, &orders, now).with_context(|| format!("window {index}"))?;
        views.push(kitchen::agreed_view(&tickets, &orders, now));
    }
    match views.split_first() {
        Some((first, rest)) if rest.iter().all(|view| view == first) => Ok(()),
        _ => bail!("the windows differ: {views:?}"),
    }
}
