//! The kitchen's saved feed end to end: a kitchen screen reloaded while the
//! outlet server is down shows its tickets from IndexedDB at once, and when
//! the server is back its socket asks only for what changed since (the
//! `since_id` it sends is at least the saved cursor, read off the proxy in front of
//! the server), then catches up on what happened meanwhile.

use std::time::{Duration, SystemTime};

use anyhow::{ensure, Result};
use ticketrail_e2e::kitchen::{self, Ticket};
use ticketrail_e2e::proxy::Proxy;
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{connection, MOUNT};
use ticketrail_e2e::{wait, Browser, Env, Server};
use ticketrail_protocol::{Order, OrderItemRequest, OrderStatus};

const OUTLET: &str = "1";
/// The saved tickets are on screen this soon after the reload starts
/// (shell from the service worker, tickets from IndexedDB; no network).
const FROM_STORAGE: Duration = Duration::from_secs(5);
/// Generous room for a reconnect after the restart (a backoff step).
const BACK: Duration = Duration::from_secs(35);

/// (order id, status) of every ticket, sorted.
fn view(tickets: &[Ticket]) -> Vec<(String, String)> {
    let mut view: Vec<(String, String)> = tickets
        .iter()
        .map(|ticket| {
            (
                ticket.order_id.clone().unwrap_or_default(),
                ticket.status.clone().unwrap_or_default(),
            )
        })
        .collect();
    view.sort();
    view
}

/// The `since_id` a socket request target asked for.
fn since_id(target: &str) -> Option<i64> {
    target.split("since_id=").nth(1)?.parse().ok()
}

async fn board_matches(window: &Browser, server: &Server, timeout: Duration) -> Result<()> {
    wait::until(
        "the kitchen to show the server's orders",
        timeout,
        || async {
            let orders = server.orders(OUTLET).await?;
            let tickets = kitchen::tickets(window).await?;
            kitchen::check_board(&tickets, &orders, SystemTime::now().into())?;
            Ok(Some(()))
        },
    )
    .await
}

async fn place(server: &Server, product_id: &str) -> Result<Order> {
    let line = OrderItemRequest {
        product_id: product_id.to_owned(),
        quantity: 1,
        notes: None,
    };
    server.place_order(OUTLET, vec![line]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reloaded_kitchen_shows_its_saved_tickets_and_asks_only_for_changes() -> Result<()> {
    let _turn = one_at_a_time().await;
    let env = Env::from_env()?;
    let mut server = Server::start(&env, "kitchen-restore").await?;
    let proxy = Proxy::in_front_of(&server).await?;
    let product = server.active_products().await?[0].id.clone();
    let window = Browser::open(&env, "kitchen-restore").await?;
    let result = async {
        window.open_screen(&server, &proxy.url("/kitchen")).await?;
        window.wait_visible(&connection("live"), MOUNT).await?;
        window.wait_service_worker(MOUNT).await?;
        let first = place(&server, &product).await?;
        place(&server, &product).await?;
        let moved = server
            .set_order_status(&first.id, OrderStatus::Preparing)
            .await?;
        board_matches(&window, &server, MOUNT).await?;
        let before = view(&kitchen::tickets(&window).await?);
        ensure!(
            before.len() == 2,
            "two tickets before the reload: {before:?}"
        );

        server.stop().await?;
        let sockets_before_reload = proxy.socket_targets().len();
        window.reload().await?;
        let restored = wait::until("the saved tickets on screen", FROM_STORAGE, || async {
            let shown = view(&kitchen::tickets(&window).await?);
            Ok((shown == before).then_some(shown))
        })
        .await?;
        ensure!(
            window.text(&connection("live")).await?.is_none(),
            "the indicator cannot say live with the server down"
        );
        window.screenshot("kitchen-restore-offline").await?;

        let missed = place_after_restart(&mut server, &product).await?;
        window.wait_visible(&connection("live"), BACK).await?;
        board_matches(&window, &server, MOUNT).await?;
        let targets = proxy.socket_targets();
        let resumed = targets[sockets_before_reload..]
            .iter()
            .filter_map(|target| since_id(target))
            .collect::<Vec<_>>();
        ensure!(
            !resumed.is_empty() && resumed.iter().all(|since| *since >= moved.seq),
            "after the reload every socket resumes from the saved cursor {} (the last \
             change seen) or later, never from 0: {resumed:?}",
            moved.seq
        );
        ensure!(
            kitchen::tickets(&window)
                .await?
                .iter()
                .any(|ticket| ticket.order_id.as_deref() == Some(missed.id.as_str())),
            "the order placed while the kitchen was away is caught up"
        );
        println!(
            "{} saved tickets shown from storage; sockets after the reload asked for \
             since_id {resumed:?} (saved cursor {})",
            restored.len(),
            moved.seq
        );
        Ok(())
    }
    .await;
    if result.is_err() {
        // The error being reported matters more than a missing picture.
        let _ = window.screenshot("kitchen-restore-failed").await;
        return result;
    }
    window.close().await
}

/// Restarts the server and places an order the kitchen has not seen.
async fn place_after_restart(server: &mut Server, product_id: &str) -> Result<Order> {
    server.restart().await?;
    place(server, product_id).await
}
