//! Black-box tests of durability and process lifecycle: every acknowledged
//! write survives a SIGKILL and restart on the same SQLite file, the demo seed
//! runs only into an empty database, and SIGTERM/SIGINT shut down gracefully
//! and promptly even with sockets open.

mod util;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{json, Value};
use ticketrail_protocol::{Order, Page};
use util::{order_body, Server, Ws};

/// How long a graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// Panics unless every acknowledged order is in the feed unchanged and a
/// replay of its body returns the same order.
async fn assert_all_present(server: &Server, acked: &[(Value, Order)]) {
    let feed: BTreeMap<String, Order> = server
        .feed("1", 0)
        .await
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    for (body, order) in acked {
        assert_eq!(
            feed.get(&order.id),
            Some(order),
            "acknowledged order {} lost",
            order.id
        );
        let replay: Order = server.place(body).await.expect(200).json();
        assert_eq!(&replay, order, "replay after restart differs");
    }
}

#[tokio::test]
async fn acknowledged_orders_survive_sigkill() {
    let mut server = Server::start().await;
    let menu = server.orderable(2).await;
    let mut acked = Vec::new();
    for i in 0..40 {
        let body = order_body("1", &[(&menu[i % 2].id, 1 + i as i64 % 5)]);
        let order = server.place_ok(&body).await;
        acked.push((body, order));
    }
    server.kill().await;
    server.restart().await;
    assert_all_present(&server, &acked).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_acknowledged_orders_survive_sigkill_mid_flight() {
    let mut server = Server::start().await;
    let menu = server.orderable(1).await;
    let acked = Mutex::new(Vec::new());
    // Eight writers keep posting until the server dies under them; it is
    // killed as soon as 60 orders are acknowledged, with others in flight.
    let writers = join_all((0..8).map(|_| {
        let (server, acked, menu) = (&server, &acked, &menu);
        async move {
            for _ in 0..1_000 {
                let body = order_body("1", &[(&menu[0].id, 1)]);
                let request = server
                    .http
                    .post(server.url("/api/orders/"))
                    .header(
                        "Idempotency-Key",
                        body["client_order_id"].as_str().unwrap_or(""),
                    )
                    .json(&body);
                let Ok(response) = request.send().await else {
                    return;
                };
                if response.status() != 201 {
                    return;
                }
                let Ok(order) = response.json::<Order>().await else {
                    return;
                };
                acked.lock().unwrap().push((body, order));
            }
        }
    }));
    let killer = async {
        util::wait_until(
            "60 acknowledged orders",
            Duration::from_secs(60),
            || async { (acked.lock().unwrap().len() >= 60).then_some(()) },
        )
        .await;
        server.signal("KILL");
    };
    tokio::join!(writers, killer);
    server.kill().await;
    let acked = acked.into_inner().unwrap();
    assert!(acked.len() >= 60);
    server.restart().await;
    assert_all_present(&server, &acked).await;
}

#[tokio::test]
async fn status_changes_and_menu_writes_survive_sigkill() {
    let mut server = Server::start().await;
    let menu = server.orderable(1).await;
    let product = &menu[0];
    let order = server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
    server.set_status_ok(&order.id, "preparing").await;
    let ready = server.set_status_ok(&order.id, "ready").await;
    let cancelled_src = server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
    let cancelled = server.set_status_ok(&cancelled_src.id, "cancelled").await;
    let body = json!({
        "name": "Sate Ayam 🍢 ساتيه", "category_id": product.category_id,
        "price": product.price + 700, "currency": product.currency, "station": product.station,
    });
    let resp = server
        .put(&format!("/api/products/{}/", product.id), &body)
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
    let products_before = server.products().await;
    server.kill().await;
    server.restart().await;

    let feed = server.feed("1", 0).await;
    assert!(feed.contains(&ready), "status change lost");
    assert!(feed.contains(&cancelled), "cancellation lost");
    let products_after = server.products().await;
    assert_eq!(
        products_after, products_before,
        "menu changed across the restart"
    );
    // Counters continue after the restart instead of starting over.
    let next = server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
    assert!(next.seq > cancelled.seq, "seq went back after restart");
    assert!(server.master_version().await >= products_before.version);
    assert_ne!(next.order_number, ready.order_number);
}

#[tokio::test]
async fn the_demo_seed_runs_only_into_an_empty_database() {
    let mut server = Server::start().await;
    let before: Page<Value> = server.page("products", 0, None).await;
    let categories = server.categories().await;
    server.stop_with_signal("TERM", SHUTDOWN).await;
    server.restart().await;
    let after: Page<Value> = server.page("products", 0, None).await;
    assert_eq!(after, before, "restarting with --demo reseeded the menu");
    assert_eq!(server.categories().await, categories);
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully_and_promptly_with_sockets_open() {
    let mut server = Server::start().await;
    let menu = server.orderable(1).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let (mut ws1, _) = Ws::connect_ready(&server, "1", None).await;
    let (_ws2, _) = Ws::connect_ready(&server, "2", Some(0)).await;
    // An idle keep-alive HTTP connection as well.
    server.get("/healthz").await.expect(200);
    let status = server.stop_with_signal("TERM", SHUTDOWN).await;
    assert!(
        status.success(),
        "exit status after SIGTERM: {status:?}\n{}",
        server.log()
    );
    // The open socket learns that the server went away.
    ws1.expect_closed(util::STEP).await;
    // And the data is all there on the next start.
    server.restart().await;
    assert!(server.feed("1", 0).await.contains(&order));
}

#[tokio::test]
async fn sigint_shuts_down_gracefully() {
    let mut server = Server::start().await;
    let (_ws, _) = Ws::connect_ready(&server, "1", None).await;
    let status = server.stop_with_signal("INT", SHUTDOWN).await;
    assert!(
        status.success(),
        "exit status after SIGINT: {status:?}\n{}",
        server.log()
    );
}
