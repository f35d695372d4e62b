//! Black-box tests of bad and unusual input: malformed bodies, wrong content
//! types, oversize bodies, junk paths and queries, raw garbage on the socket,
//! a fuzz of random order bodies, UTF-8 round-trips, and the static PWA.

mod util;

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use ticketrail_protocol::{Order, Product, MAX_BODY_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use util::{assert_contract_error, assert_error, order_body, Server, Ws, INDEX_HTML, UTF8_SAMPLES};

/// POST endpoints that take a JSON body.
const JSON_ENDPOINTS: [&str; 4] = [
    "/api/orders/",
    "/api/products/",
    "/api/categories/",
    "/api/promotions/",
];

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let status_path = format!("/api/orders/{}/status", order.id);
    let mut paths: Vec<&str> = JSON_ENDPOINTS.to_vec();
    paths.push(&status_path);
    for path in paths {
        for body in [
            "{",
            "{\"items\": [",
            "not json",
            "",
            "\u{feff}{}",
            "{\"a\":1}}",
            "nul",
        ] {
            let resp = server
                .post_raw(path, Some("application/json"), body.into())
                .await;
            assert_error(&resp, &server, 400, "bad_request");
        }
        for body in [
            json!([]),
            json!(7),
            json!({"unexpected": true}),
            json!(null),
        ] {
            let resp = server.post(path, &body).await;
            assert_error(&resp, &server, 400, "bad_request");
        }
    }
    let resp = server
        .post_raw(
            "/api/orders/",
            Some("application/json"),
            vec![0xff, 0xfe, b'{', b'}'],
        )
        .await;
    assert_error(&resp, &server, 400, "bad_request");
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let body = serde_json::to_vec(&order_body("1", &[(&menu[0].id, 1)])).unwrap();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        None,
    ] {
        for path in JSON_ENDPOINTS {
            let resp = server.post_raw(path, content_type, body.clone()).await;
            assert_error(&resp, &server, 415, "unsupported_media_type");
        }
    }
    // The right type with a charset is fine.
    let resp = server
        .post_raw(
            "/api/orders/",
            Some("application/json; charset=utf-8"),
            body,
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
}

#[tokio::test]
async fn bodies_over_1_mib_are_413_and_smaller_ones_are_not() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let mut big = order_body("1", &[(&menu[0].id, 1)]);
    big["pad"] = json!("");
    let frame_len = serde_json::to_vec(&big).unwrap().len();
    big["pad"] = json!("x".repeat(MAX_BODY_BYTES + 1 - frame_len));
    let over = serde_json::to_vec(&big).unwrap();
    assert_eq!(over.len(), MAX_BODY_BYTES + 1);
    for path in JSON_ENDPOINTS {
        let resp = server
            .post_raw(path, Some("application/json"), over.clone())
            .await;
        assert_error(&resp, &server, 413, "payload_too_large");
    }
    let huge = vec![b' '; 4 * MAX_BODY_BYTES];
    let resp = server
        .post_raw("/api/orders/", Some("application/json"), huge)
        .await;
    assert_error(&resp, &server, 413, "payload_too_large");

    // Just under the limit is read (and this order is valid: extra top-level
    // fields are ignored).
    big["pad"] = json!("x".repeat(MAX_BODY_BYTES - 1024 - frame_len));
    let resp = server.place(&big).await;
    assert_eq!(
        resp.status, 201,
        "a body under 1 MiB was refused: {}",
        resp.text
    );
}

#[tokio::test]
async fn junk_requests_never_crash_the_server() {
    let mut server = Server::start().await;
    let long = format!("/api/products/{}/", "a".repeat(8_000));
    let paths = [
        "/api/products/?since_version=-1",
        "/api/products/?since_version=abc",
        "/api/products/?since_version=99999999999999999999999",
        "/api/products/?since_version=0&limit=0",
        "/api/products/?since_version=0&limit=-3",
        "/api/products/?since_version=0&limit=999999999999999999999",
        "/api/categories/?since_version=1.5",
        "/api/promotions/?since_version=%00",
        "/api/products/",
        "/api/orders?outlet_id=1&since_id=-1",
        "/api/orders?outlet_id=1&since_id=abc",
        "/api/orders?outlet_id=1",
        "/api/orders?since_id=0",
        "/api/orders?outlet_id=%F0%9F%8D%94&since_id=0",
        "/api/orders?outlet_id=1&since_id=9223372036854775807",
        "/api/orders/%00/status",
        "/api/orders/..%2F..%2Fetc%2Fpasswd/status",
        "/api/products/%zz/",
        "/api/nope",
        "/api/",
        "/ws/outlet/1/?since_id=abc",
        "/ws/outlet/%00/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/../../../etc/passwd",
        "/healthz?x=%ff",
        long.as_str(),
    ];
    for path in paths {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let request = server
                .http
                .request(method.clone(), server.url(path))
                .header("content-type", "application/json")
                .body("{}");
            let resp = server.send(request).await;
            assert!(
                !resp.status.is_server_error(),
                "{method} {path} -> {}: {}",
                resp.status,
                resp.text
            );
            if path.starts_with("/api/") && !resp.status.is_success() {
                assert_contract_error(&resp, &server);
            }
            assert!(
                !resp.text.contains("root:x:0:0"),
                "path traversal served /etc/passwd"
            );
        }
    }
    // Raw garbage on the TCP port, then a half-sent request.
    for garbage in [
        &b"\x00\x01\x02\xff\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /api/orders/ HTTP/1.1\r\nContent-Length: 10",
    ] {
        let mut tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        tcp.write_all(garbage).await.unwrap();
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_millis(300), tcp.read_to_end(&mut answer)).await;
    }
    server.assert_healthy().await;
}

/// Random JSON values, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,16}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Order-shaped bodies with each field drawn from valid and invalid values.
fn order_like(product_ids: Vec<String>) -> impl Strategy<Value = Value> {
    let product = prop_oneof![
        prop::sample::select(product_ids).prop_map(Value::from),
        any_json(),
    ];
    let quantity = prop_oneof![(-2i64..102).prop_map(Value::from), any_json()];
    let item = (product, quantity, prop::option::of(any_json())).prop_map(|(p, q, n)| {
        let mut item = json!({"product_id": p, "quantity": q});
        if let Some(notes) = n {
            item["notes"] = notes;
        }
        item
    });
    let items = prop_oneof![
        prop::collection::vec(item, 0..4).prop_map(Value::from),
        any_json()
    ];
    let outlet = prop_oneof![Just(json!("1")), Just(json!("2")), any_json()];
    let id = prop_oneof!["[a-f0-9-]{1,40}".prop_map(Value::from), any_json()];
    let placed_at = prop_oneof![Just(json!("2026-11-21T10:30:00Z")), any_json()];
    (id, outlet, items, placed_at, any_json()).prop_map(|(id, outlet, items, placed_at, extra)| {
        json!({"client_order_id": id, "outlet_id": outlet, "items": items,
               "placed_at": placed_at, "master_version": extra})
    })
}

#[test]
fn random_order_bodies_get_contract_answers_never_5xx() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut server = rt.block_on(Server::start());
    let ids: Vec<String> = rt
        .block_on(server.orderable(1))
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = prop_oneof![order_like(ids), any_json()];
    let result = runner.run(&strategy, |body| {
        let resp = rt.block_on(server.place(&body));
        prop_assert!(
            !resp.status.is_server_error(),
            "{} for {body}: {}",
            resp.status,
            resp.text
        );
        if resp.status.is_success() {
            let order: Result<Order, _> = serde_json::from_value(resp.body.clone());
            prop_assert!(order.is_ok(), "2xx without an order: {}", resp.text);
        } else {
            prop_assert!(resp.status.is_client_error(), "{}", resp.status);
            assert_contract_error(&resp, &server);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}\n--- server log ---\n{}", server.log());
    }
    rt.block_on(server.assert_healthy());
}

#[tokio::test]
async fn utf8_text_round_trips_byte_exact() {
    let server = Server::start().await;
    let product = server.orderable(1).await.remove(0);
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;

    // Product names and translations: PUT, then GET and the event.
    let name = format!("{} · {}", UTF8_SAMPLES[2], UTF8_SAMPLES[1]);
    let body = json!({
        "name": name, "category_id": product.category_id, "price": product.price,
        "currency": product.currency, "station": product.station,
        "description": UTF8_SAMPLES[3],
        "translations": {"ar": UTF8_SAMPLES[0], "id": UTF8_SAMPLES[1]},
    });
    let resp = server
        .put(&format!("/api/products/{}/", product.id), &body)
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
    let stored: Product = server
        .products()
        .await
        .items
        .into_iter()
        .find(|p| p.id == product.id)
        .expect("product still listed");
    assert_eq!(stored.name.as_bytes(), name.as_bytes());
    assert_eq!(stored.description.as_bytes(), UTF8_SAMPLES[3].as_bytes());
    assert_eq!(
        stored.translations["ar"].as_bytes(),
        UTF8_SAMPLES[0].as_bytes()
    );
    assert_eq!(
        stored.translations["id"].as_bytes(),
        UTF8_SAMPLES[1].as_bytes()
    );
    let event = ws.next_value().await;
    assert_eq!(event["type"], "product:updated");
    assert_eq!(
        event["product"]["name"].as_str().map(str::as_bytes),
        Some(name.as_bytes())
    );
    assert_eq!(event["product"]["translations"]["ar"], UTF8_SAMPLES[0]);

    // Order notes: the answer, the feed and the socket event.
    let mut order = order_body("1", &[(&product.id, 1), (&product.id, 2), (&product.id, 3)]);
    for (i, note) in UTF8_SAMPLES.iter().take(3).enumerate() {
        order["items"][i]["notes"] = json!(note);
    }
    let placed = server.place_ok(&order).await;
    let fed = server.feed("1", placed.seq - 1).await;
    let (_, event) = ws.next_order_event().await;
    for copy in [&placed, &fed[0], &event.order] {
        assert_eq!(copy.items.len(), 3);
        for (i, note) in UTF8_SAMPLES.iter().take(3).enumerate() {
            let got = copy.items[i].notes.as_deref().unwrap_or_default();
            assert_eq!(got.as_bytes(), note.as_bytes(), "note {i}");
            assert_eq!(
                copy.items[i].name.as_bytes(),
                name.as_bytes(),
                "item name {i}"
            );
        }
    }
}

#[tokio::test]
async fn the_pwa_is_served_with_deep_links_and_health() {
    let server = Server::start().await;
    for path in [
        "/",
        "/kiosk",
        "/kitchen",
        "/kiosk/",
        "/kitchen/grill",
        "/kiosk/cart?x=1",
    ] {
        let resp = server.get(path).await.expect(200);
        assert_eq!(resp.text, INDEX_HTML, "{path} did not return index.html");
        assert!(
            resp.content_type.starts_with("text/html"),
            "{path}: {}",
            resp.content_type
        );
    }
    let resp = server.get("/assets/app.js").await.expect(200);
    assert_eq!(resp.text, "console.log('tr');");
    let resp = server.get("/healthz").await.expect(200);
    assert!(resp.body.is_object(), "healthz is JSON: {}", resp.text);
    let resp = server.get("/api/definitely-not-a-route").await;
    assert_error(&resp, &server, 404, "not_found");
}
