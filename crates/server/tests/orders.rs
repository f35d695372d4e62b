//! Black-box tests of orders: idempotent placement (also under concurrent
//! replay), the fields of an order, the kitchen state machine and
//! `request_id` idempotency, and 404s for unknown orders and outlets.

mod util;

use std::collections::BTreeSet;

use futures_util::future::join_all;
use serde_json::Value;
use ticketrail_protocol::Order;
use util::{assert_error, order_body, uuid, Server, Ws, STEP};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_idempotent_replay_creates_exactly_one_order() {
    let server = Server::start().await;
    let menu = server.orderable(2).await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;
    let body = order_body("1", &[(&menu[0].id, 2), (&menu[1].id, 1)]);
    let answers = join_all((0..50).map(|_| server.place(&body))).await;

    let created: Vec<_> = answers.iter().filter(|r| r.status == 201).collect();
    let replayed: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        created.len(),
        1,
        "exactly one 201; statuses: {:?}",
        answers
            .iter()
            .map(|r| r.status.as_u16())
            .collect::<Vec<_>>()
    );
    assert_eq!(replayed.len(), 49, "the other 49 answer 200");
    let first: Order = created[0].json();
    for resp in &replayed {
        let order: Order = resp.json();
        assert_eq!(order, first, "a replay returned a different order");
    }
    let again: Order = server.place(&body).await.expect(200).json();
    assert_eq!(again, first);

    let feed = server.feed("1", 0).await;
    assert_eq!(
        feed.iter()
            .filter(|o| o.client_order_id == first.client_order_id)
            .count(),
        1
    );
    assert_eq!(feed.iter().filter(|o| o.id == first.id).count(), 1);

    // The socket saw one new_order for it; a later order is the barrier.
    let barrier = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let seen = ws
        .read_until(|m| m["order"]["id"] == barrier.id.as_str())
        .await;
    let events_for_first = seen
        .iter()
        .filter(|m| m["order"]["id"] == first.id.as_str())
        .count();
    assert_eq!(events_for_first, 1, "events: {seen:?}");
}

#[tokio::test]
async fn orders_carry_the_contract_fields() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let body = order_body("1", &[(&menu[0].id, 1)]);
    let before = util::now();
    let resp = server.place(&body).await.expect(201);
    for key in [
        "id",
        "client_order_id",
        "order_number",
        "outlet_id",
        "status",
        "items",
        "total_amount",
        "currency",
        "seq",
        "placed_at",
        "created_at",
        "updated_at",
    ] {
        assert!(
            resp.body.get(key).is_some(),
            "order lacks {key}: {}",
            resp.text
        );
    }
    assert!(resp.body["id"].is_string(), "ids are strings in JSON");
    assert!(resp.body["total_amount"].is_i64(), "amounts are integers");
    let order: Order = resp.json();
    assert_eq!(
        order.client_order_id,
        body["client_order_id"].as_str().unwrap()
    );
    assert_eq!(order.outlet_id, "1");
    assert_eq!(order.status.as_str(), "pending");
    let sent: chrono::DateTime<chrono::Utc> = body["placed_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        order.placed_at, sent,
        "placed_at is the device clock, kept as sent"
    );
    let slack = chrono::Duration::seconds(60);
    assert!(order.created_at >= before - slack && order.created_at <= util::now() + slack);
    assert!(order.updated_at >= order.created_at);
    assert!(order.seq > 0);
}

#[tokio::test]
async fn order_numbers_are_unique_and_seq_grows() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let mut numbers = BTreeSet::new();
    let mut last_seq = 0;
    for _ in 0..20 {
        let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
        assert!(
            !order.order_number.is_empty() && order.order_number.len() <= 16,
            "order_number is short and human: {:?}",
            order.order_number
        );
        assert!(
            numbers.insert(order.order_number.clone()),
            "duplicate {}",
            order.order_number
        );
        assert!(order.seq > last_seq, "seq {} after {last_seq}", order.seq);
        last_seq = order.seq;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_distinct_orders_get_distinct_numbers_and_seqs() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let head = server.feed_head("1").await;
    let bodies: Vec<Value> = (0..40)
        .map(|_| order_body("1", &[(&menu[0].id, 1)]))
        .collect();
    let orders: Vec<Order> = join_all(bodies.iter().map(|b| server.place_ok(b))).await;
    let numbers: BTreeSet<&str> = orders.iter().map(|o| o.order_number.as_str()).collect();
    let seqs: BTreeSet<i64> = orders.iter().map(|o| o.seq).collect();
    assert_eq!(
        numbers.len(),
        40,
        "duplicate order numbers under concurrency"
    );
    assert_eq!(seqs.len(), 40, "duplicate seqs under concurrency");
    let mut expected = orders.clone();
    expected.sort_by_key(|o| o.seq);
    assert_eq!(server.feed("1", head).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_status_changes_apply_once() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;

    // Ten screens press "start" at once, each with its own request id: one
    // move happens, the rest are illegal preparing -> preparing moves.
    let answers = join_all((0..10).map(|_| server.set_status(&order.id, "preparing"))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for resp in answers.iter().filter(|r| r.status != 200) {
        assert_error(resp, &server, 409, "invalid_transition");
    }
    let preparing: Order = answers
        .iter()
        .find(|r| r.status == 200)
        .expect("one success")
        .json();

    // One screen's request replayed at once by its outbox: one move.
    let request_id = uuid();
    let replays =
        join_all((0..10).map(|_| server.set_status_with(&order.id, "ready", &request_id))).await;
    let ready: Vec<Order> = replays
        .iter()
        .map(|r| r.clone().expect(200).json())
        .collect();
    assert!(
        ready.iter().all(|o| o == &ready[0]),
        "replays answered differently"
    );
    assert_eq!(ready[0].status.as_str(), "ready");
    let changes = server.feed("1", preparing.seq).await;
    assert_eq!(changes, [ready[0].clone()], "one change after preparing");
}

/// Legal moves of the kitchen workflow, restated from PROTOCOL.md.
const LEGAL: [(&str, &str); 6] = [
    ("pending", "preparing"),
    ("preparing", "ready"),
    ("ready", "completed"),
    ("pending", "cancelled"),
    ("preparing", "cancelled"),
    ("ready", "cancelled"),
];
const STATUSES: [&str; 5] = ["pending", "preparing", "ready", "completed", "cancelled"];

/// Legal path from pending to `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "preparing" => &["preparing"],
        "ready" => &["preparing", "ready"],
        "completed" => &["preparing", "ready", "completed"],
        "cancelled" => &["cancelled"],
        _ => &[],
    }
}

#[tokio::test]
async fn every_status_move_follows_the_state_machine() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    for from in STATUSES {
        for to in STATUSES {
            let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
            let mut current = order.clone();
            for step in path_to(from) {
                current = server.set_status_ok(&order.id, step).await;
            }
            assert_eq!(current.status.as_str(), from);
            let resp = server.set_status(&order.id, to).await;
            if LEGAL.contains(&(from, to)) {
                assert_eq!(resp.status, 200, "{from} -> {to}: {}", resp.text);
                let moved: Order = resp.json();
                assert_eq!(moved.status.as_str(), to);
                assert!(moved.seq > current.seq, "{from} -> {to} did not bump seq");
                assert!(moved.updated_at >= current.updated_at);
            } else {
                assert_error(&resp, &server, 409, "invalid_transition");
                let stored = server.feed("1", current.seq - 1).await;
                let stored = stored.iter().find(|o| o.id == order.id).expect("in feed");
                assert_eq!(
                    stored, &current,
                    "{from} -> {to} was refused but changed the order"
                );
            }
        }
    }
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let resp = server.set_status(&order.id, "bogus").await;
    assert_error(&resp, &server, 400, "bad_request");
}

#[tokio::test]
async fn repeating_a_request_id_is_a_no_op() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let request_id = uuid();
    let first: Order = server
        .set_status_with(&order.id, "preparing", &request_id)
        .await
        .expect(200)
        .json();
    for _ in 0..3 {
        let again: Order = server
            .set_status_with(&order.id, "preparing", &request_id)
            .await
            .expect(200)
            .json();
        assert_eq!(again, first, "a replayed request_id changed the order");
    }
    // After a later move, the old request replayed still changes nothing.
    let ready = server.set_status_ok(&order.id, "ready").await;
    let resp = server
        .set_status_with(&order.id, "preparing", &request_id)
        .await;
    assert_eq!(resp.status, 200, "replay after a later move: {}", resp.text);
    let replayed: Order = resp.json();
    assert_eq!(replayed.id, order.id);
    assert_eq!(
        server.feed("1", ready.seq).await,
        [],
        "the replay made a feed change"
    );
    let latest = server.feed("1", ready.seq - 1).await;
    assert_eq!(latest.iter().find(|o| o.id == order.id), Some(&ready));
}

#[tokio::test]
async fn unknown_orders_and_outlets_are_not_found() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let resp = server.set_status("no-such-order", "preparing").await;
    assert_error(&resp, &server, 404, "not_found");
    let resp = server.set_status("999999", "preparing").await;
    assert_error(&resp, &server, 404, "not_found");
    let resp = server.place(&order_body("999", &[(&menu[0].id, 1)])).await;
    assert_error(&resp, &server, 404, "not_found");

    let resp = server.get("/api/orders?outlet_id=999&since_id=0").await;
    if resp.status == 200 {
        assert_eq!(
            resp.body,
            Value::Array(Vec::new()),
            "feed of an unknown outlet"
        );
    } else {
        assert_error(&resp, &server, 404, "not_found");
    }

    // Protocol v2: the credential comes in the socket's first frame, so an
    // unknown outlet is told (to an admin, who may see every outlet) as an
    // error frame after it, then the socket closes.
    let mut ws = Ws::connect(&server, "999", None).await;
    let refused = ws.next_value().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "not_found", "{refused}");
    ws.expect_closed(STEP).await;
}

#[tokio::test]
async fn an_order_answer_goes_uncompressed_and_a_menu_page_gzipped() {
    let server = Server::start().await;
    let product = server.orderable(1).await.remove(0);
    let body = order_body("1", &[(product.id.as_str(), 1)]);
    let key = body["client_order_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let placed = server
        .http
        .post(server.url("/api/orders/"))
        .header("Accept-Encoding", "gzip")
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("the order is answered");
    assert_eq!(placed.status(), 201);
    assert_eq!(
        placed.headers().get("content-encoding"),
        None,
        "an order fits in one packet as it is"
    );
    let menu = server
        .http
        .get(server.url("/api/products/?since_version=0"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .expect("the menu is answered");
    assert_eq!(menu.status(), 200);
    assert_eq!(
        menu.headers()
            .get("content-encoding")
            .and_then(|value| value.to_str().ok()),
        Some("gzip")
    );
}
