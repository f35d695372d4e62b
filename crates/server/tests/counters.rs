//! Black-box tests of what `/healthz` says was served (`"requests"`): full
//! and incremental sync pages with their rows and tombstones, and order-feed
//! polls; and of the benchmark seed `--seed-menu`.

mod util;

use serde_json::{json, Value};
use ticketrail_protocol::{Category, Page, Product, Promotion};
use util::menu::product_body;
use util::{order_body, Server, ServerOptions};

/// The `"requests"` object of `/healthz`.
async fn requests(server: &Server) -> Value {
    let health = server.get("/healthz").await.expect(200).body;
    health["requests"].clone()
}

/// `{"requests": n, "rows": n, "tombstones": n}` as JSON.
fn page(requests: u64, rows: u64, tombstones: u64) -> Value {
    json!({"requests": requests, "rows": rows, "tombstones": tombstones})
}

#[tokio::test]
async fn healthz_counts_full_and_incremental_sync_pages_and_feed_polls() {
    let server = Server::start().await;
    let zero = requests(&server).await;
    for kind in ["products", "categories", "promotions"] {
        assert_eq!(zero[kind]["full"], page(0, 0, 0), "{kind} at start: {zero}");
        assert_eq!(zero[kind]["incremental"], page(0, 0, 0), "{kind}: {zero}");
    }
    assert_eq!(zero["feed"], json!({"polls": 0, "empty": 0}));

    // A full download, in pages of 20: the first page is the only "full" one.
    let first: Page<Product> = server.page("products", 0, Some(20)).await;
    let last = first.items.last().expect("a product").version;
    let rest: Page<Product> = server.page("products", last, None).await;
    let all = first.items.len() + rest.items.len();
    let after_full = requests(&server).await;
    assert_eq!(after_full["products"]["full"], page(1, 20, 0));
    assert_eq!(
        after_full["products"]["incremental"],
        page(1, rest.items.len() as u64, 0),
        "{all} products in two pages"
    );
    assert_eq!(after_full["categories"]["full"], page(0, 0, 0));

    // Two changes, then the delta: one row and one tombstone.
    let version = rest.version;
    let mut body = product_body(&first.items[0]);
    body["price"] = json!(first.items[0].price + 100);
    server
        .put(&format!("/api/products/{}/", first.items[0].id), &body)
        .await
        .expect(200);
    server
        .delete(&format!("/api/products/{}/", first.items[1].id))
        .await
        .expect(200);
    let delta: Page<Product> = server.page("products", version, None).await;
    assert_eq!((delta.items.len(), delta.deleted.len()), (1, 1));
    let after_delta = requests(&server).await;
    assert_eq!(after_delta["products"]["full"], page(1, 20, 0));
    assert_eq!(
        after_delta["products"]["incremental"],
        page(2, rest.items.len() as u64 + 1, 1)
    );

    // Refused requests are not counted.
    server
        .get("/api/products/?since_version=-1")
        .await
        .expect(400);
    assert_eq!(requests(&server).await["products"], after_delta["products"]);

    // Feed polls: nothing yet (empty), then an order (not empty), then
    // nothing past it (empty).
    assert!(server.feed("1", 0).await.is_empty());
    let products = server.orderable(1).await;
    let order = server
        .place_ok(&order_body("1", &[(products[0].id.as_str(), 1)]))
        .await;
    assert_eq!(server.feed("1", 0).await.len(), 1);
    assert!(server.feed("1", order.seq).await.is_empty());
    assert_eq!(
        requests(&server).await["feed"],
        json!({"polls": 3, "empty": 2})
    );
}

#[tokio::test]
async fn seed_menu_fills_an_empty_database_with_a_synthetic_menu_once() {
    let mut server = Server::start_with(ServerOptions {
        demo: false,
        env: vec![(
            "TICKETRAIL_SEED_MENU".into(),
            "products=300,categories=7,promotions=3".into(),
        )],
        ..ServerOptions::default()
    })
    .await;
    let products: Page<Product> = server.page("products", 0, None).await;
    let categories: Page<Category> = server.page("categories", 0, None).await;
    let promotions: Page<Promotion> = server.page("promotions", 0, None).await;
    assert_eq!(
        (
            products.items.len(),
            categories.items.len(),
            promotions.items.len()
        ),
        (300, 7, 3)
    );
    assert_eq!(products.version, 310, "one master version per row");
    let sample = &products.items[123];
    for language in ["id", "ar"] {
        assert!(
            sample.translations.contains_key(language),
            "{sample:?} has no {language} name"
        );
    }
    assert!(!sample.description.is_empty() && sample.image_url.is_some());
    let health = server.get("/healthz").await.expect(200).body;
    let outlets: Vec<&str> = health["outlets"]
        .as_array()
        .expect("outlets")
        .iter()
        .filter_map(|outlet| outlet["id"].as_str())
        .collect();
    assert_eq!(outlets, ["1", "2"], "the demo outlets come with the menu");
    // An order against the synthetic menu is priced like any other.
    let active = products.items.iter().find(|p| p.is_active).expect("active");
    server
        .place_ok(&order_body("1", &[(active.id.as_str(), 2)]))
        .await;

    // On restart the database is not empty, so nothing is seeded again.
    server.kill().await;
    server.restart().await;
    assert_eq!(server.master_version().await, 310);
}
