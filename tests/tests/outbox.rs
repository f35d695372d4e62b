//! The outbox end to end (issue 6, tests 1 and 3; the chaos test 2 is in
//! `outbox_chaos.rs`): orders placed on a kiosk that cannot reach the
//! server are queued on the device, shown at once with a local number, and
//! delivered by the service worker exactly once and in order when the
//! server is back, even across a browser restart; an order the server
//! refuses for good leaves the queue for the staff area without holding up
//! the orders behind it; a long queue is counted whole while the page reads
//! only its front; a kiosk unpaired with orders queued holds them and
//! sends them once, with the same keys, when it is paired again (that one
//! on the restaurant's network, over HTTPS).
//!
//! Which idempotency key the kiosk gave each order is read as the page
//! commits it ([`Browser::watch_queue`]), so the checks on the server
//! ([`check_delivered`]) compare against what was really queued.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use ticketrail_core::outbox::State;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::menu::STAFF_AREA;
use ticketrail_e2e::outbox::delivery::{check_delivered, wait_kitchen, OrderLog};
use ticketrail_e2e::outbox::gate::Gate;
use ticketrail_e2e::outbox::{self, client_ids, QueuedOrder};
use ticketrail_e2e::pairing::{PAIR_CODE, PAIR_SUBMIT, UNPAIRED};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server, ServerOptions};

/// The outlet the kiosks order for.
const OUTLET: &str = "1";
/// The staff area's close button.
const STAFF_CLOSE: &str = r#"[data-testid="staff-close"]"#;
/// From the server's return to the queue delivered: the worker may be
/// waiting out its longest backoff (60 s, `ticketrail_core::outbox`), plus
/// room for a busy machine.
const DRAIN: Duration = Duration::from_secs(75);

/// Checks the page's record of queued orders against the local numbers it
/// showed, in order.
fn check_record(queued: &[QueuedOrder], shown: &[String]) -> Result<()> {
    let recorded: Vec<&str> = queued
        .iter()
        .map(|order| order.local_number.as_str())
        .collect();
    ensure!(
        recorded == shown.iter().map(String::as_str).collect::<Vec<_>>(),
        "the kiosk showed {shown:?} but queued {recorded:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_queued_with_the_server_down_arrive_once_and_in_order_after_a_browser_restart(
) -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "outbox-restart").await?;
    let browser =
        outbox::open_kiosk(&env, "outbox-restart-kiosk", &server, &server.url("/kiosk")).await?;

    server.stop().await?;
    let mut numbers = Vec::new();
    for index in 0..5 {
        let shot = (index == 0).then_some("outbox-1-confirmation-queued");
        let (_, number) = outbox::place_queued(&browser, index, shot).await?;
        numbers.push(number);
        browser
            .wait_attr(
                outbox::PENDING,
                "data-pending",
                &(index + 1).to_string(),
                REACT,
            )
            .await?;
    }
    let distinct: std::collections::BTreeSet<&String> = numbers.iter().collect();
    ensure!(
        distinct.len() == numbers.len(),
        "local numbers repeat: {numbers:?}"
    );
    let queued = browser.queued_orders().await?;
    check_record(&queued, &numbers)?;
    let entries = browser.outbox_entries().await?;
    let keys: Vec<&str> = entries.iter().map(|entry| entry.write.key()).collect();
    ensure!(
        keys == client_ids(&queued)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "the outbox holds {keys:?} in that order, the kiosk queued {:?}",
        client_ids(&queued)
    );
    browser.screenshot("outbox-1-five-queued").await?;

    // The kiosk is switched off and on again while the server is away.
    let profile = browser.close_keeping_profile().await?;
    let browser = Browser::open_with_profile(&env, "outbox-restart-reopened", profile).await?;
    browser.open_screen(&server, &server.url("/kiosk")).await?;
    browser.wait_visible(kiosk::ATTRACT, MOUNT).await?;
    browser
        .wait_attr(outbox::PENDING, "data-pending", "5", MOUNT)
        .await
        .context("after the restart the kiosk should still count 5 orders waiting")?;
    browser.screenshot("outbox-1-reopened").await?;

    server.restart().await?;
    let back = Instant::now();
    let mut log = OrderLog::new(OUTLET);
    log.wait_for(&server, queued.len(), DRAIN).await?;
    println!(
        "5 queued orders on the server {:?} after it came back",
        back.elapsed()
    );
    browser.wait_outbox_settled(DRAIN).await?;
    log.refresh(&server).await?;
    check_delivered(&[client_ids(&queued)], &log.orders())?;
    browser.wait_hidden(outbox::PENDING, REACT).await?;

    let kitchen = Browser::open(&env, "outbox-restart-kitchen").await?;
    kitchen
        .open_screen(&server, &server.url("/kitchen"))
        .await?;
    let shown = wait_kitchen(&kitchen, &server, OUTLET, MOUNT).await?;
    ensure!(shown == 5, "the kitchen shows {shown} orders, not 5");
    kitchen.screenshot("outbox-1-kitchen").await?;
    browser.screenshot("outbox-1-delivered").await?;
    kitchen.close().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_for_a_deleted_dish_is_rejected_listed_for_staff_and_the_queue_goes_on(
) -> Result<()> {
    let _turn = one_at_a_time().await;
    let (server, gate, browser) = gated_kiosk("outbox-rejected", ServerOptions::default()).await?;
    let result = rejected(&server, &gate, &browser).await;
    finish(result, &browser, "outbox-3-failed").await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_queue_is_counted_whole_and_staff_see_its_front() -> Result<()> {
    let _turn = one_at_a_time().await;
    let (server, gate, browser) = gated_kiosk("outbox-long", ServerOptions::default()).await?;
    let result = long_queue(&server, &gate, &browser).await;
    finish(result, &browser, "outbox-4-failed").await?;
    browser.close().await
}

/// A server `name` (on the LAN with `options` [`ServerOptions::lan`]), a
/// gate in front of it, and a kiosk (`{name}-kiosk`) opened through the
/// gate, live with its service worker in control.
async fn gated_kiosk(name: &str, options: ServerOptions) -> Result<(Server, Gate, Browser)> {
    let env = Env::from_env()?;
    let lan = options.tls;
    let server = Server::start_with(&env, name, options).await?;
    let gate = Gate::in_front_of(&server).await?;
    let url = if lan {
        gate.lan_url("/kiosk")
    } else {
        gate.url("/kiosk")
    };
    let browser = outbox::open_kiosk(&env, &format!("{name}-kiosk"), &server, &url).await?;
    Ok((server, gate, browser))
}

/// Saves a screenshot of `browser` as `name` when `result` is an error.
async fn finish(result: Result<()>, browser: &Browser, name: &str) -> Result<()> {
    if result.is_err() {
        // The error being reported matters more than a missing picture.
        let _ = browser.screenshot(name).await;
    }
    result
}

async fn rejected(server: &Server, gate: &Gate, browser: &Browser) -> Result<()> {
    let kiosk = Kiosk::new(browser);
    // The kiosk loses the network; two orders wait in its queue.
    gate.close();
    let (deleted, _) = outbox::place_queued(browser, 0, None).await?;
    let (kept, _) = outbox::place_queued(browser, 1, None).await?;
    ensure!(
        deleted != kept,
        "the two orders should be of different dishes"
    );
    let queued = browser.queued_orders().await?;
    let [refused, later] = queued.as_slice() else {
        bail!("the kiosk queued {} orders, not 2", queued.len());
    };
    // Meanwhile the manager takes the first dish off the menu.
    server.delete_product(&deleted).await?;
    gate.open();

    let mut log = OrderLog::new(OUTLET);
    log.wait_for(server, 1, DRAIN).await?;
    let entries = browser.wait_outbox_settled(DRAIN).await?;
    log.refresh(server).await?;
    check_delivered(&[vec![later.client_order_id.clone()]], &log.orders())
        .context("only the second order should reach the server")?;
    let entry = match entries.as_slice() {
        [entry] if entry.write.key() == refused.client_order_id => entry,
        _ => bail!("the outbox should hold just the refused order, it holds {entries:?}"),
    };
    match &entry.state {
        State::Rejected { status, code, .. } if *status == 422 && code == "unknown_product" => {}
        state => bail!("the refused order is {state:?}, not rejected 422 unknown_product"),
    }

    browser.open_staff_area().await?;
    browser
        .wait_attr(&outbox::entry(entry.seq), "data-state", "rejected", REACT)
        .await?;
    let detail = browser
        .wait_text(&outbox::entry_detail(entry.seq), REACT)
        .await?;
    ensure!(
        detail.contains("unknown_product"),
        "the staff area says {detail:?} about the refused order; it should give the server's error"
    );
    // The later order's delivery reaches the list with the page's next
    // read of the queue, which may come a pause after the refusal's.
    wait::until(
        "the staff area to list only the refused order",
        REACT,
        || async { Ok((browser.count(outbox::ENTRY).await? == 1).then_some(())) },
    )
    .await?;
    browser.scroll_into_view(&outbox::entry(entry.seq)).await?;
    browser.screenshot("outbox-3-staff-rejected").await?;
    browser.click(STAFF_CLOSE).await?;
    browser.wait_hidden(STAFF_AREA, REACT).await?;

    // With the network back a new order goes straight through (once the
    // kiosk's menu has dropped the deleted dish).
    kiosk.start_order().await?;
    let gone = kiosk::product(&deleted);
    wait::until("the deleted dish to leave the menu", REACT, || async {
        Ok((browser.count(&gone).await? == 0).then_some(()))
    })
    .await?;
    kiosk.add(&kept).await?;
    kiosk.place_order().await?;
    let shown = kiosk.wait_delivery().await?;
    outbox::report_tap(browser, &shown.number).await?;
    let sent = kiosk.wait_confirmation().await?;
    println!("after the refusal a new order was {shown:?}, then numbered {sent}");
    log.wait_for(server, 2, REACT).await?;
    browser.screenshot("outbox-3-next-order").await?;
    Ok(())
}

/// 80 orders wait (written into the outbox as the kiosk queues them): the
/// pill counts them all, the staff area lists the first 50 and says how
/// many more wait.
async fn long_queue(server: &Server, gate: &Gate, browser: &Browser) -> Result<()> {
    const QUEUED: usize = 80;
    const LISTED: usize = 50;
    gate.close();
    let products = server.active_products().await?;
    let two_minutes_ago =
        SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64() * 1000.0 - 120_000.0;
    let (json, _) = outbox::queued_orders_json(&products, OUTLET, QUEUED, "long", two_minutes_ago)?;
    browser.inject_entries(&json).await?;
    // The worker tries the head, and the page reads the queue again.
    browser.post_drain().await?;
    browser
        .wait_attr(outbox::PENDING, "data-pending", &QUEUED.to_string(), REACT)
        .await?;
    browser.open_staff_area().await?;
    let more = browser.wait_text(outbox::MORE, REACT).await?;
    let rest = format!("{} more", QUEUED - LISTED);
    ensure!(
        more.contains(&rest),
        "below the list the staff area says {more:?}; it should say {rest:?}"
    );
    let listed = browser.count(outbox::ENTRY).await?;
    ensure!(
        listed == LISTED,
        "the staff area lists {listed} orders; it should list the first {LISTED}"
    );
    browser.scroll_into_view(outbox::MORE).await?;
    browser.wait_animations_done(STAFF_AREA, REACT).await?;
    browser.screenshot("outbox-4-staff-long-queue").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_kiosk_holds_its_queue_and_sends_it_once_when_paired_again() -> Result<()> {
    let _turn = one_at_a_time().await;
    let (server, gate, browser) = gated_kiosk("outbox-revoked", ServerOptions::lan()).await?;
    let result = revoked(&server, &gate, &browser).await;
    finish(result, &browser, "outbox-5-failed").await?;
    browser.close().await
}

async fn revoked(server: &Server, gate: &Gate, browser: &Browser) -> Result<()> {
    // Three orders wait in the kiosk's queue while it is offline ...
    gate.close();
    for index in 0..3 {
        outbox::place_queued(browser, index, None).await?;
    }
    let queued = browser.queued_orders().await?;
    ensure!(
        queued.len() == 3,
        "the kiosk queued {} orders, not 3",
        queued.len()
    );
    // ... and meanwhile a manager unpairs it.
    ensure!(
        server.revoke_devices("kiosk").await? == 1,
        "one kiosk was paired"
    );
    gate.open();

    // Back on the network, the screen says it was unpaired, and every send
    // the server refused left its order waiting in its place.
    browser.wait_visible(UNPAIRED, DRAIN).await?;
    browser.screenshot("outbox-5-unpaired").await?;
    // The notice is the one dialog: nothing behind it takes a tap or Tab.
    let behind = browser
        .execute_with(
            "return document.querySelector(arguments[0]).closest('[inert]') !== null;",
            vec![serde_json::json!(outbox::PENDING)],
        )
        .await?;
    ensure!(
        behind == serde_json::Value::Bool(true),
        "the page behind the unpaired notice should be inert"
    );
    wait::until(
        "the queue to be held by the refused credential",
        DRAIN,
        || async {
            let entries = browser.outbox_entries().await?;
            let held = entries.len() == 3
                && entries
                    .iter()
                    .all(|entry| matches!(entry.state, State::Pending { .. }))
                && matches!(&entries[0].state,
                State::Pending { last_error: Some(error), .. } if error.contains("401"));
            Ok(held.then_some(()))
        },
    )
    .await?;
    let mut log = OrderLog::new(OUTLET);
    log.refresh(server).await?;
    ensure!(
        log.is_empty(),
        "no order may reach the server with a revoked token"
    );

    // Paired again from the notice: the same three orders arrive, once each.
    let code = server.pairing_code(OUTLET, "kiosk").await?;
    browser.type_into(PAIR_CODE, &code).await?;
    browser.click(PAIR_SUBMIT).await?;
    log.wait_for(server, 3, DRAIN).await?;
    ensure!(
        browser.wait_outbox_settled(DRAIN).await?.is_empty(),
        "the queue should be empty once delivered"
    );
    log.refresh(server).await?;
    check_delivered(&[client_ids(&queued)], &log.orders())
        .context("the held orders should arrive exactly once, in order")
}
