//! Black-box tests of management writes to master data: input validation
//! with contract errors, and the `product:*`, `category:*` and `promotion:*`
//! events every write broadcasts to the sockets of every outlet.

mod util;

use serde_json::{json, Value};
use ticketrail_protocol::Page;
use util::menu::{menu_facts, perform, plan, product_input, promotion_input, scripts};
use util::{assert_contract_error, assert_error, Server, Ws};

#[tokio::test]
async fn writes_are_broadcast_to_sockets_of_both_outlets() {
    let server = Server::start().await;
    let facts = menu_facts(&server).await;
    let (mut ws1, _) = Ws::connect_ready(&server, "1", None).await;
    let (mut ws2, _) = Ws::connect_ready(&server, "2", None).await;
    let scripts = scripts(&facts);
    let plan = plan(&scripts);
    // After each write: the new master version and the row as GET shows it
    // (None after a delete).
    let mut version = server.master_version().await;
    let mut after: Vec<(i64, Option<Value>)> = Vec::new();
    for (script, step) in &plan {
        perform(&server, script, *step).await;
        let page: Page<Value> = server.page(script.kind, version, None).await;
        version = page.version;
        after.push((version, page.items.into_iter().next()));
    }
    for (outlet, ws) in [("1", &mut ws1), ("2", &mut ws2)] {
        for ((script, step), (version, row)) in plan.iter().zip(&after) {
            let kind = format!("{}:{}", script.singular, step.as_str());
            let (event, msg) = ws.next_msg().await;
            assert_eq!(event["type"], kind.as_str(), "outlet {outlet}: {event}");
            assert_eq!(
                msg.master_version(),
                Some(*version),
                "outlet {outlet}: {event}"
            );
            match row {
                Some(row) => assert_eq!(&event[script.singular], row, "event row differs from GET"),
                None => assert_eq!(event[format!("{}_id", script.singular)], script.id),
            }
        }
    }
}

#[tokio::test]
async fn management_writes_validate_input() {
    let server = Server::start().await;
    let facts = menu_facts(&server).await;
    let version = server.master_version().await;
    let existing = server.products().await.items.remove(0);
    let good = product_input("it-valid", &facts, "Valid", 100);
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let mut missing_price = good.clone();
    missing_price
        .as_object_mut()
        .expect("object")
        .remove("price");
    let bad_products = [
        ("negative price", with("price", json!(-1))),
        ("float price", with("price", json!(12.5))),
        ("string price", with("price", json!("100"))),
        ("lowercase currency", with("currency", json!("idr"))),
        ("blank name", with("name", json!("   "))),
        ("id with a space", with("id", json!("has space"))),
        ("unknown field", with("colour", json!("red"))),
        ("missing price", missing_price),
    ];
    for (why, body) in bad_products {
        let resp = server.post("/api/products/", &body).await;
        assert_eq!(resp.status, 400, "{why}: {}", resp.text);
        assert_error(&resp, &server, 400, "bad_request");
    }
    let mut reversed = promotion_input("it-bad-promo", &[existing.id.as_str()], 10);
    reversed["ends_at"] = reversed["starts_at"].clone();
    let bad_promotions = [
        (
            "percent over 100",
            promotion_input("it-bad-promo", &[existing.id.as_str()], 101),
        ),
        ("empty window", reversed),
        ("unknown kind", {
            let mut b = promotion_input("it-bad-promo", &[existing.id.as_str()], 10);
            b["kind"] = json!("buy_one_get_one");
            b
        }),
    ];
    for (why, body) in bad_promotions {
        let resp = server.post("/api/promotions/", &body).await;
        assert_eq!(resp.status, 400, "{why}: {}", resp.text);
        assert_error(&resp, &server, 400, "bad_request");
    }
    let resp = server.post("/api/categories/", &json!({"name": ""})).await;
    assert_error(&resp, &server, 400, "bad_request");

    let orphan = with("category_id", json!("no-such-category"));
    let resp = server.post("/api/products/", &orphan).await;
    assert!(
        resp.status.is_client_error(),
        "orphan product: {} {}",
        resp.status,
        resp.text
    );
    assert_contract_error(&resp, &server);

    let resp = server.put("/api/products/no-such-product/", &good).await;
    assert_error(&resp, &server, 404, "not_found");
    let resp = server.delete("/api/products/no-such-product/").await;
    assert_error(&resp, &server, 404, "not_found");
    let resp = server.delete("/api/promotions/no-such-promo/").await;
    assert_error(&resp, &server, 404, "not_found");

    let duplicate = product_input(&existing.id, &facts, "Duplicate", 100);
    let resp = server.post("/api/products/", &duplicate).await;
    assert_error(&resp, &server, 409, "conflict");

    assert_eq!(
        server.master_version().await,
        version,
        "a refused write bumped the version"
    );
}
