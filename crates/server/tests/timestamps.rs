//! Black-box regression tests for stored values the server could not read
//! back. A fuzz found that a `placed_at`, `starts_at` or `ends_at` whose UTC
//! year is outside 0000-9999 was accepted, stored as `+10000-…`/`-0001-…`,
//! and from then on failed the outlet's feed and the promotion download, and
//! after a restart kept the server from starting at all.
//!
//! Here: such times are refused with 400 at every input that carries one,
//! the outlet keeps working and restarting afterwards, a database that
//! older builds already wrote such times into starts and serves them, and a
//! row that cannot be decoded at all is left out (and logged) rather than
//! taking the start, the feed or the menu download down with it.

mod util;

use std::time::Duration;

use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use ticketrail_protocol::{Order, Product, Timestamp};
use util::menu::{promotion_input, written};
use util::{assert_error, assert_priced, order_body, Server};

/// How long a graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// Local times whose UTC year is 10000 and -1: the fuzz findings.
const OUTSIDE_THE_YEARS: [&str; 2] = ["9999-12-31T23:30:00-01:00", "0000-01-01T00:00:00+01:00"];

/// The first and the last instant that are still accepted.
const FIRST: &str = "0000-01-01T00:00:00Z";
const LAST: &str = "9999-12-31T23:59:59.999999999Z";

/// What builds before the year check stored for the two fuzz findings.
const STORED_YEAR_10000: &str = "+10000-01-01T00:30:00.000000000Z";
const STORED_YEAR_MINUS_1: &str = "-0001-12-31T23:00:00.000000000Z";

/// Parses a wire timestamp the way the server does.
fn at(text: &str) -> Timestamp {
    serde_json::from_value(json!(text)).expect("a timestamp chrono reads")
}

/// Panics unless `resp` is 400 `bad_request` whose message names `field`.
fn assert_refused(resp: &util::Resp, server: &Server, field: &str, why: &str) {
    assert_error(resp, server, 400, "bad_request");
    let message = resp.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(field) && message.contains("0000 to 9999"),
        "{why}: message does not name {field} and the years: {message:?}"
    );
}

/// Stops the server gracefully and runs `statements` (each changing exactly
/// one row) on its database file directly, as an older build or a person
/// editing the file could have. The caller restarts it.
async fn write_behind_its_back(server: &mut Server, statements: &[String]) {
    server.stop_with_signal("TERM", SHUTDOWN).await;
    let mut conn = SqliteConnectOptions::new()
        .filename(server.db_path())
        .connect()
        .await
        .expect("open the server's database");
    for statement in statements {
        let done = sqlx::query(statement)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
        assert_eq!(done.rows_affected(), 1, "{statement}");
    }
    conn.close().await.expect("close the database");
}

/// The outlet's full feed (since 0) by order id.
async fn feed_ids(server: &Server) -> Vec<String> {
    server
        .feed("1", 0)
        .await
        .into_iter()
        .map(|order| order.id)
        .collect()
}

#[tokio::test]
async fn an_order_placed_outside_the_years_0000_to_9999_is_refused_and_the_outlet_keeps_working() {
    let mut server = Server::start().await;
    let product = server.orderable(1).await.remove(0);
    let mut placed = vec![server.place_ok(&order_body("1", &[(&product.id, 1)])).await];
    for text in OUTSIDE_THE_YEARS {
        let mut body = order_body("1", &[(&product.id, 1)]);
        body["placed_at"] = json!(text);
        let resp = server.place(&body).await;
        assert_refused(&resp, &server, "placed_at", text);
    }
    // The edges themselves are accepted and read back exactly.
    for text in [FIRST, LAST] {
        let mut body = order_body("1", &[(&product.id, 2)]);
        body["placed_at"] = json!(text);
        let order = server.place_ok(&body).await;
        assert_eq!(order.placed_at, at(text));
        placed.push(order);
    }
    let ids: Vec<String> = placed.iter().map(|order| order.id.clone()).collect();
    assert_eq!(feed_ids(&server).await, ids);
    let head = placed[0].seq;
    let later: Vec<Order> = server.feed("1", head).await;
    assert_eq!(
        later,
        placed[1..],
        "the feed after a cursor serves them too"
    );

    server.kill().await;
    server.restart().await;
    server.assert_healthy().await;
    assert_eq!(server.feed("1", 0).await, placed, "after a restart");
    server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
}

#[tokio::test]
async fn a_promotion_window_outside_the_years_0000_to_9999_is_refused_on_create_and_update() {
    let mut server = Server::start().await;
    let product = server.orderable(1).await.remove(0);
    let existing = written(
        server
            .post(
                "/api/promotions/",
                &promotion_input("it-promo", &[&product.id], 10),
            )
            .await,
    )
    .body;
    let version = server.master_version().await;
    for text in OUTSIDE_THE_YEARS {
        for field in ["starts_at", "ends_at"] {
            let mut body = promotion_input("it-edge", &[&product.id], 20);
            body[field] = json!(text);
            let why = format!("{field} = {text}");
            let created = server.post("/api/promotions/", &body).await;
            assert_refused(&created, &server, field, &format!("create, {why}"));
            let updated = server.put("/api/promotions/it-promo/", &body).await;
            assert_refused(&updated, &server, field, &format!("update, {why}"));
        }
    }
    assert_eq!(
        server.master_version().await,
        version,
        "nothing was written"
    );
    let promotions = server.promotions().await.items;
    let kept = promotions
        .iter()
        .find(|p| p.id == "it-promo")
        .expect("kept");
    assert_eq!(serde_json::to_value(kept).unwrap(), existing);

    // The widest window there is: accepted, on create and on update.
    let mut widest = promotion_input("it-wide", &[&product.id], 5);
    widest["starts_at"] = json!(FIRST);
    widest["ends_at"] = json!(LAST);
    let created = written(server.post("/api/promotions/", &widest).await).body;
    assert_eq!(created["starts_at"], json!(FIRST));
    assert_eq!(created["ends_at"], json!(LAST));
    written(server.put("/api/promotions/it-promo/", &widest).await);

    server.kill().await;
    server.restart().await;
    server.assert_healthy().await;
    let promotions = server.promotions().await.items;
    for id in ["it-promo", "it-wide"] {
        let row = promotions.iter().find(|p| p.id == id).expect(id);
        assert_eq!((row.starts_at, row.ends_at), (at(FIRST), at(LAST)), "{id}");
    }
}

#[tokio::test]
async fn a_database_holding_times_older_builds_wrote_outside_the_years_starts_and_serves() {
    let mut server = Server::start().await;
    let menu = server.orderable(1).await;
    let product = &menu[0];
    let legacy = server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
    let other = server.place_ok(&order_body("1", &[(&product.id, 2)])).await;
    written(
        server
            .post(
                "/api/promotions/",
                &promotion_input("it-legacy", &[&product.id], 30),
            )
            .await,
    );
    write_behind_its_back(
        &mut server,
        &[
            format!(
                "UPDATE orders SET placed_at = '{STORED_YEAR_10000}' WHERE id = {}",
                legacy.id
            ),
            format!(
                "UPDATE promotions SET starts_at = '{STORED_YEAR_MINUS_1}', \
                 ends_at = '{STORED_YEAR_10000}' WHERE id = 'it-legacy'"
            ),
        ],
    )
    .await;
    server.restart().await;
    server.assert_healthy().await;

    let feed = server.feed("1", 0).await;
    assert_eq!(feed.len(), 2, "both orders are served: {feed:?}");
    assert_eq!(feed[0].id, legacy.id);
    assert_eq!(feed[0].placed_at, at(OUTSIDE_THE_YEARS[0]));
    assert_eq!(feed[1], other);
    let promotions = server.promotions().await.items;
    let promotion = promotions
        .iter()
        .find(|p| p.id == "it-legacy")
        .expect("the promotion is served");
    assert_eq!(promotion.starts_at, at(OUTSIDE_THE_YEARS[1]));
    assert_eq!(promotion.ends_at, at(OUTSIDE_THE_YEARS[0]));

    // It is in the menu orders are priced from, and the old order still
    // moves through the kitchen.
    let order = server.place_ok(&order_body("1", &[(&product.id, 1)])).await;
    assert_priced(&order, &menu, &promotions);
    let moved = server.set_status_ok(&legacy.id, "preparing").await;
    assert_eq!(moved.placed_at, at(OUTSIDE_THE_YEARS[0]));
    assert_eq!(server.feed("1", order.seq).await, [moved]);
}

#[tokio::test]
async fn a_row_that_cannot_be_decoded_is_left_out_and_everything_else_is_served() {
    let mut server = Server::start().await;
    let menu = server.orderable(2).await;
    let (kept, broken) = (&menu[0], &menu[1]);
    let mut orders = Vec::new();
    for quantity in 1..=3 {
        let body = order_body("1", &[(&kept.id, quantity)]);
        orders.push(server.place_ok(&body).await);
    }
    let products = server.products().await.items;
    write_behind_its_back(
        &mut server,
        &[
            format!(
                "UPDATE orders SET items = 'not json' WHERE id = {}",
                orders[1].id
            ),
            format!(
                "UPDATE products SET translations = '{{' WHERE id = '{}'",
                broken.id
            ),
        ],
    )
    .await;
    server.restart().await;
    server.assert_healthy().await;

    let served = [orders[0].clone(), orders[2].clone()];
    assert_eq!(server.feed("1", 0).await, served, "a fresh board");
    assert_eq!(
        server.feed("1", orders[0].seq).await,
        served[1..],
        "the changes after a cursor"
    );

    // Paging one row at a time still reaches every other product: the row
    // left out does not make a page look like the last one.
    let expected: Vec<Product> = products.into_iter().filter(|p| p.id != broken.id).collect();
    let mut walked = Vec::new();
    let mut since = 0;
    loop {
        let page = server.page::<Product>("products", since, Some(1)).await;
        walked.extend(page.items.iter().cloned());
        if !page.has_more {
            break;
        }
        since = page.items.last().expect("a cut page has an item").version;
    }
    assert_eq!(walked, expected);

    // It is left out of the menu orders are priced from, too.
    let resp = server.place(&order_body("1", &[(&broken.id, 1)])).await;
    assert_error(&resp, &server, 422, "unknown_product");
    server.place_ok(&order_body("1", &[(&kept.id, 1)])).await;

    let log = server.log();
    for (table, id) in [("orders", &orders[1].id), ("products", &broken.id)] {
        assert!(
            log.lines().any(|line| {
                line.contains("left out a stored row that cannot be decoded")
                    && line.contains(&format!("table=\"{table}\""))
                    && line.contains(&format!("id={id}"))
            }),
            "no error logged for {table} {id}:\n{log}"
        );
    }
}
