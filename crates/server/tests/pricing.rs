//! Black-box tests of order lines: the server prices every order from its
//! own menu and promotions (a client's price is never used), copies name,
//! price and station at order time, and refuses unknown or inactive products
//! and quantities outside 1..=99. Expected prices are computed from the menu
//! the test GETs, never hard-coded.

mod util;

use serde_json::json;
use ticketrail_protocol::Product;
use util::menu::{product_body, written};
use util::{assert_error, assert_priced, order_body, Server};

#[tokio::test]
async fn the_server_prices_orders_from_its_own_menu() {
    let server = Server::start().await;
    let menu = server.orderable(3).await;
    let promotions = server.promotions().await.items;
    // Promoted products first when the demo has any, so discounts are
    // exercised, then plain ones.
    let promoted = |p: &Product| promotions.iter().any(|x| x.product_ids.contains(&p.id));
    let mut picks: Vec<&Product> = menu.iter().filter(|p| promoted(p)).take(2).collect();
    picks.extend(menu.iter().filter(|p| !promoted(p)).take(3 - picks.len()));
    let lines: Vec<(&str, i64)> = picks
        .iter()
        .zip([2, 1, 3])
        .map(|(p, q)| (p.id.as_str(), q))
        .collect();
    let mut body = order_body("1", &lines);
    // A client's idea of the price must change nothing.
    body["total_amount"] = json!(1);
    body["currency"] = json!("XXX");
    body["master_version"] = json!(1);
    let order = server.place_ok(&body).await;
    assert_eq!(order.items.len(), 3);
    assert_priced(&order, &menu, &promotions);

    // Prices sent per line are either refused or ignored, never used.
    let mut sneaky = order_body("1", &[(&picks[0].id, 1)]);
    sneaky["items"][0]["unit_price"] = json!(1);
    sneaky["items"][0]["line_total"] = json!(1);
    let resp = server.place(&sneaky).await;
    if resp.status.is_success() {
        assert_priced(&resp.json(), &menu, &promotions);
    } else {
        assert_error(&resp, &server, 400, "bad_request");
    }
}

#[tokio::test]
async fn promotions_apply_and_the_best_one_wins() {
    let server = Server::start().await;
    let template = server.orderable(1).await.remove(0);
    for (id, price) in [("it-big", 10_000), ("it-tiny", 10)] {
        let mut body = product_body(&template);
        body["id"] = json!(id);
        body["name"] = json!(format!("Promo item {id}"));
        body["price"] = json!(price);
        written(server.post("/api/products/", &body).await);
    }
    let now = util::now();
    let hours = chrono::Duration::hours;
    // (id, products, kind, value, starts, ends) relative to now
    let promos = [
        (
            "it-pct",
            &["it-big", "it-tiny"][..],
            "percent_off",
            15,
            -1,
            1,
        ),
        ("it-amt", &["it-big"][..], "amount_off", 2_000, -1, 1),
        ("it-expired", &["it-big"][..], "percent_off", 90, -3, -2),
        ("it-future", &["it-big"][..], "percent_off", 80, 2, 3),
    ];
    for (id, products, kind, value, from, to) in promos {
        let body = json!({
            "id": id, "name": id, "product_ids": products, "kind": kind, "value": value,
            "starts_at": (now + hours(from)).to_rfc3339(),
            "ends_at": (now + hours(to)).to_rfc3339(),
        });
        written(server.post("/api/promotions/", &body).await);
    }
    let menu = server.products().await.items;
    let promotions = server.promotions().await.items;
    let order = server
        .place_ok(&order_body("1", &[("it-big", 3), ("it-tiny", 1)]))
        .await;
    assert_priced(&order, &menu, &promotions);
    let big = menu
        .iter()
        .find(|p| p.id == "it-big")
        .expect("it-big listed");
    assert!(
        order.items[0].unit_price < big.price,
        "no promotion applied"
    );

    // Without the stronger promotion the other one applies.
    written(server.delete("/api/promotions/it-amt/").await);
    let promotions = server.promotions().await.items;
    let order = server.place_ok(&order_body("1", &[("it-big", 1)])).await;
    assert_priced(&order, &menu, &promotions);
}

#[tokio::test]
async fn placed_orders_keep_the_price_and_name_of_order_time() {
    let server = Server::start().await;
    let product = server.orderable(1).await.remove(0);
    let promotions = server.promotions().await.items;
    let old = server.place_ok(&order_body("1", &[(&product.id, 2)])).await;
    server
        .rename(&product, &format!("{} (baru)", product.name))
        .await;
    let menu = server.products().await.items;
    let new = server.place_ok(&order_body("1", &[(&product.id, 2)])).await;
    assert_priced(&new, &menu, &promotions);
    let stored = server.feed("1", 0).await;
    let stored = stored.iter().find(|o| o.id == old.id).expect("in feed");
    assert_eq!(stored.items, old.items, "a menu change rewrote an order");
    assert_ne!(stored.items[0].name, new.items[0].name);
}

#[tokio::test]
async fn unknown_inactive_and_deleted_products_are_refused() {
    let server = Server::start().await;
    let menu = server.orderable(3).await;
    let head = server.feed_head("1").await;
    let unknown = [("no-such-product", 1)];
    let resp = server.place(&order_body("1", &unknown)).await;
    assert_error(&resp, &server, 422, "unknown_product");
    let mixed = [(menu[0].id.as_str(), 1), ("no-such-product", 1)];
    let resp = server.place(&order_body("1", &mixed)).await;
    assert_error(&resp, &server, 422, "unknown_product");

    let inactive = &menu[1];
    let mut body = product_body(inactive);
    body["is_active"] = json!(false);
    server.update_product(&inactive.id, &body).await;
    let resp = server.place(&order_body("1", &[(&inactive.id, 1)])).await;
    assert_error(&resp, &server, 422, "unknown_product");

    let deleted = &menu[2];
    written(
        server
            .delete(&format!("/api/products/{}/", deleted.id))
            .await,
    );
    let resp = server.place(&order_body("1", &[(&deleted.id, 1)])).await;
    assert_error(&resp, &server, 422, "unknown_product");

    let after = server.feed_head("1").await;
    assert_eq!(after, head, "a refused order changed the feed");
}

#[tokio::test]
async fn quantities_outside_1_to_99_are_refused() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let id = menu[0].id.as_str();
    for quantity in [0, 100, -1, i64::MAX, i64::MIN] {
        let resp = server.place(&order_body("1", &[(id, quantity)])).await;
        assert_error(&resp, &server, 422, "invalid_quantity");
    }
    let resp = server.place(&order_body("1", &[(id, 1), (id, 100)])).await;
    assert_error(&resp, &server, 422, "invalid_quantity");
    let promotions = server.promotions().await.items;
    for quantity in [1, 99] {
        let order = server.place_ok(&order_body("1", &[(id, quantity)])).await;
        assert_eq!(order.items[0].quantity, quantity);
        assert_priced(&order, &menu, &promotions);
    }
}
