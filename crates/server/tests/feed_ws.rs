//! Black-box tests of the two ways a screen follows an outlet's orders: the
//! polling feed (`since_id` cursor semantics) and the WebSocket (`connected`
//! first, catch-up after a gap, live events, outlet isolation).

mod util;

use std::collections::BTreeMap;

use serde_json::Value;
use ticketrail_protocol::Order;
use util::{order_body, Server, Ws};

/// Panics unless `orders` is strictly ascending by seq, all after `since`.
fn assert_ascending_after(orders: &[Order], since: i64) {
    let seqs: Vec<i64> = orders.iter().map(|o| o.seq).collect();
    assert!(
        seqs.iter().all(|s| *s > since),
        "seq <= {since} in {seqs:?}"
    );
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "not strictly ascending: {seqs:?}"
    );
}

#[tokio::test]
async fn feed_returns_latest_snapshots_after_the_cursor_in_seq_order() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let p = menu[0].id.as_str();
    let start = server.feed_head("1").await;
    let a = server.place_ok(&order_body("1", &[(p, 1)])).await;
    let b = server.place_ok(&order_body("1", &[(p, 2)])).await;
    let c = server.place_ok(&order_body("1", &[(p, 3)])).await;

    let page = server.feed("1", start).await;
    assert_eq!(page, [a.clone(), b.clone(), c.clone()], "three new orders");
    let cursor = page.iter().map(|o| o.seq).max().unwrap();

    let b2 = server.set_status_ok(&b.id, "preparing").await;
    let c2 = server.set_status_ok(&c.id, "cancelled").await;
    let page = server.feed("1", cursor).await;
    assert_eq!(
        page,
        [b2.clone(), c2.clone()],
        "a status change and a cancellation"
    );
    let cursor = page.iter().map(|o| o.seq).max().unwrap();

    assert_eq!(server.feed("1", cursor).await, [], "nothing changed");
    let raw = server
        .get(&format!("/api/orders?outlet_id=1&since_id={cursor}"))
        .await
        .expect(200);
    assert_eq!(raw.body, Value::Array(Vec::new()));

    // Every cursor gives exactly the orders whose latest seq is above it,
    // each once, in its latest state.
    let latest = [a.clone(), b2.clone(), c2.clone()];
    for since in [start, a.seq, b.seq, c.seq, b2.seq, c2.seq] {
        let page = server.feed("1", since).await;
        assert_ascending_after(&page, since);
        let mut expected: Vec<Order> = latest.iter().filter(|o| o.seq > since).cloned().collect();
        expected.sort_by_key(|o| o.seq);
        assert_eq!(page, expected, "since_id={since}");
    }
    // since_id=0 holds every open order of today and the just-closed one.
    let all = server.feed("1", 0).await;
    assert_ascending_after(&all, 0);
    for order in &latest {
        assert!(all.contains(order), "since_id=0 lacks {}", order.id);
    }
}

#[tokio::test]
async fn following_the_feed_cursor_applies_every_change_once() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let p = menu[0].id.as_str();
    let mut cursor = server.feed_head("1").await;
    let mut copy: BTreeMap<String, Order> = BTreeMap::new();
    let mut truth: BTreeMap<String, Order> = BTreeMap::new();
    for round in 0..5 {
        for _ in 0..3 {
            let order = server.place_ok(&order_body("1", &[(p, 1)])).await;
            truth.insert(order.id.clone(), order);
        }
        let ids: Vec<String> = truth.keys().cloned().collect();
        for id in ids.iter().skip(round).step_by(4) {
            let next = match truth[id].status.as_str() {
                "pending" => "preparing",
                "preparing" => "ready",
                "ready" => "completed",
                _ => continue,
            };
            let moved = server.set_status_ok(id, next).await;
            truth.insert(id.clone(), moved);
        }
        let page = server.feed("1", cursor).await;
        assert_ascending_after(&page, cursor);
        for order in page {
            cursor = cursor.max(order.seq);
            copy.insert(order.id.clone(), order);
        }
        assert_eq!(copy, truth, "round {round}");
    }
    assert_eq!(server.feed("1", cursor).await, []);
}

#[tokio::test]
async fn socket_starts_with_connected_and_the_current_cursors() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let (mut ws, connected) = Ws::connect_ready(&server, "1", None).await;
    assert_eq!(connected["outlet_id"], "1");
    assert_eq!(connected["seq"], server.feed_head("1").await);
    assert_eq!(connected["master_version"], server.master_version().await);
    let stamp = connected["timestamp"].as_str().expect("timestamp");
    chrono::DateTime::parse_from_rfc3339(stamp).expect("RFC 3339 timestamp");

    // Without since_id there is no catch-up: the next message is live.
    let live = server.place_ok(&order_body("1", &[(&menu[0].id, 2)])).await;
    let (kind, event) = ws.next_order_event().await;
    assert_eq!((kind.as_str(), &event.order), ("new_order", &live));

    let (_, connected) = Ws::connect_ready(&server, "2", Some(0)).await;
    assert_eq!(connected["outlet_id"], "2");
    assert_eq!(connected["seq"], server.feed_head("2").await);
}

#[tokio::test]
async fn socket_streams_live_events_of_each_kind() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let mut expected = vec![("new_order", order.clone())];
    for (status, kind) in [
        ("preparing", "kitchen_status_changed"),
        ("ready", "kitchen_status_changed"),
        ("completed", "order_completed"),
    ] {
        expected.push((kind, server.set_status_ok(&order.id, status).await));
    }
    let other = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    expected.push(("new_order", other.clone()));
    expected.push((
        "order_cancelled",
        server.set_status_ok(&other.id, "cancelled").await,
    ));
    for (kind, order) in expected {
        let (got_kind, event) = ws.next_order_event().await;
        assert_eq!(got_kind, kind, "event for {} {:?}", order.id, order.status);
        assert_eq!(event.seq, order.seq, "event seq is the order's seq");
        assert_eq!(
            event.order, order,
            "event snapshot differs from the HTTP answer"
        );
    }
}

#[tokio::test]
async fn socket_catches_up_after_a_gap() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let p = menu[0].id.as_str();
    let head = server.feed_head("1").await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", Some(head)).await;
    let a = server.place_ok(&order_body("1", &[(p, 1)])).await;
    let b = server.place_ok(&order_body("1", &[(p, 1)])).await;
    let a1 = server.set_status_ok(&a.id, "preparing").await;
    let mut applied = head;
    for expected in [&a, &b, &a1] {
        let (_, event) = ws.next_order_event().await;
        assert_eq!(&event.order, expected);
        applied = event.seq;
    }
    ws.close().await;

    // Changes while the screen is away.
    let c = server.place_ok(&order_body("1", &[(p, 2)])).await;
    server.set_status_ok(&b.id, "preparing").await;
    let a2 = server.set_status_ok(&a.id, "cancelled").await;
    let b2 = server.set_status_ok(&b.id, "ready").await;
    let d = server.place_ok(&order_body("1", &[(p, 3)])).await;
    let d2 = server.set_status_ok(&d.id, "cancelled").await;
    let mut missed = vec![c, a2, b2, d2];
    missed.sort_by_key(|o| o.seq);
    assert_eq!(
        server.feed("1", applied).await,
        missed,
        "feed agrees on what was missed"
    );

    let (mut ws, connected) = Ws::connect_ready(&server, "1", Some(applied)).await;
    assert_eq!(connected["seq"], missed.last().unwrap().seq);
    for expected in &missed {
        let (_, event) = ws.next_order_event().await;
        assert_eq!(
            &event.order, expected,
            "catch-up out of order, stale or duplicated"
        );
        assert_eq!(event.seq, expected.seq);
    }
    // Nothing else before the next live event: no duplicates.
    let live = server.place_ok(&order_body("1", &[(p, 1)])).await;
    let (kind, event) = ws.next_order_event().await;
    assert_eq!((kind.as_str(), &event.order), ("new_order", &live));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_racing_live_writes_neither_misses_nor_duplicates() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let p = menu[0].id.clone();
    let head = server.feed_head("1").await;
    let (go, ready) = tokio::sync::oneshot::channel();
    let writer = async {
        let mut go = Some(go);
        for i in 0..40 {
            let order = server.place_ok(&order_body("1", &[(&p, 1)])).await;
            if i % 3 == 0 {
                server.set_status_ok(&order.id, "preparing").await;
            }
            if i == 12 {
                go.take().map(|tx| tx.send(()));
            }
        }
    };
    let reader = async {
        ready.await.expect("writer signals");
        Ws::connect_ready(&server, "1", Some(head)).await.0
    };
    let ((), mut ws) = tokio::join!(writer, reader);
    let barrier = server.place_ok(&order_body("1", &[(&p, 1)])).await;
    let seen = ws
        .read_until(|m| m["order"]["id"] == barrier.id.as_str())
        .await;
    let events: Vec<Order> = seen
        .iter()
        .map(|m| serde_json::from_value(m["order"].clone()).expect("order event"))
        .collect();
    assert_ascending_after(&events, head);
    let mut from_socket: BTreeMap<String, Order> = BTreeMap::new();
    for order in events {
        from_socket.insert(order.id.clone(), order);
    }
    let from_feed: BTreeMap<String, Order> = server
        .feed("1", head)
        .await
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    // Compare (id -> seq) first: a short message that names what is missing.
    let seqs = |m: &BTreeMap<String, Order>| -> BTreeMap<String, i64> {
        m.iter().map(|(id, o)| (id.clone(), o.seq)).collect()
    };
    assert_eq!(
        seqs(&from_socket),
        seqs(&from_feed),
        "socket vs feed (id -> seq)"
    );
    assert_eq!(from_socket, from_feed, "socket and feed snapshots differ");
}

#[tokio::test]
async fn sockets_only_see_their_own_outlet() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let p = menu[0].id.as_str();
    let (mut ws1, _) = Ws::connect_ready(&server, "1", None).await;
    let (mut ws2, _) = Ws::connect_ready(&server, "2", None).await;
    let mut mine1 = Vec::new();
    for _ in 0..5 {
        mine1.push(server.place_ok(&order_body("1", &[(p, 1)])).await.id);
    }
    server.set_status_ok(&mine1[0], "preparing").await;
    let x = server.place_ok(&order_body("2", &[(p, 1)])).await;
    // A menu event goes to both outlets: a barrier that is not an order.
    server.rename(&menu[0], "Bakso Urat").await;
    let y = server.place_ok(&order_body("1", &[(p, 1)])).await;
    let z = server.place_ok(&order_body("2", &[(p, 1)])).await;
    mine1.push(y.id.clone());

    let seen1 = ws1.read_until(|m| m["order"]["id"] == y.id.as_str()).await;
    let seen2 = ws2.read_until(|m| m["order"]["id"] == z.id.as_str()).await;
    for (outlet, seen) in [("1", &seen1), ("2", &seen2)] {
        assert!(
            seen.iter().any(|m| m["type"] == "product:updated"),
            "outlet {outlet} missed the menu event"
        );
        for m in seen.iter().filter(|m| m.get("order").is_some()) {
            assert_eq!(
                m["order"]["outlet_id"], outlet,
                "foreign order on outlet {outlet}: {m}"
            );
        }
    }
    let ids2: Vec<&str> = seen2
        .iter()
        .filter_map(|m| m["order"]["id"].as_str())
        .collect();
    assert_eq!(ids2, [x.id.as_str(), z.id.as_str()]);

    // Catch-up and feed are isolated too.
    let feed2 = server.feed("2", 0).await;
    assert!(feed2
        .iter()
        .all(|o| o.outlet_id == "2" && !mine1.contains(&o.id)));
    assert!(feed2.contains(&x) && feed2.contains(&z));
    let (mut ws2, _) = Ws::connect_ready(&server, "2", Some(0)).await;
    let barrier = server.place_ok(&order_body("2", &[(p, 1)])).await;
    let seen = ws2
        .read_until(|m| m["order"]["id"] == barrier.id.as_str())
        .await;
    let caught: Vec<&str> = seen
        .iter()
        .filter_map(|m| m["order"]["id"].as_str())
        .collect();
    let mut expected: Vec<&str> = feed2.iter().map(|o| o.id.as_str()).collect();
    expected.push(&barrier.id);
    assert_eq!(caught, expected, "catch-up of outlet 2 from since_id=0");
}
