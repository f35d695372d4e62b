//! HTTP helpers over the contract: raw requests that keep status, headers and
//! body, typed shortcuts for the endpoints, and the error-body check every
//! non-2xx answer must pass.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use ticketrail_protocol::{Category, Order, Page, Product, Promotion};

use super::server::Server;

/// An answer as the tests see it.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status.
    pub status: StatusCode,
    /// `Content-Type` header, empty when absent.
    pub content_type: String,
    /// Every response header.
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (lossy UTF-8).
    pub text: String,
    /// The body parsed as JSON; `Null` when it is not JSON.
    pub body: Value,
}

impl Resp {
    /// Deserializes the body, panicking with the body text when it does not fit.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| {
            panic!(
                "body does not match the contract type ({e}): {} {}",
                self.status, self.text
            )
        })
    }

    /// Panics unless the status is `expected`.
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
}

/// Substrings that betray internals (SQL errors, panics, source paths).
pub const LEAKS: [&str; 10] = [
    "sqlx",
    "sqlite",
    "panicked",
    ".rs:",
    "unwrap()",
    "/work/",
    "/tmp/",
    "/home/",
    "stack backtrace",
    "constraint failed",
];

/// Panics unless `resp` is a contract error: exactly
/// `{"error": {"code": "snake_case", "message": "..."}}`, no internals.
pub fn assert_contract_error(resp: &Resp, server: &Server) {
    let error = resp
        .body
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("error"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| {
            panic!(
                "{} body is not {{\"error\": {{...}}}}: {:?}",
                resp.status, resp.text
            )
        });
    let keys: Vec<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "message"], "error keys: {:?}", resp.text);
    let code = error["code"].as_str().expect("code is a string");
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "code is not snake_case: {code:?}"
    );
    let message = error["message"].as_str().expect("message is a string");
    assert!(!message.trim().is_empty(), "empty error message");
    let lower = resp.text.to_lowercase();
    for leak in LEAKS {
        assert!(
            !lower.contains(leak),
            "error body leaks {leak:?}: {}",
            resp.text
        );
    }
    let dir = server.dir().to_string_lossy().to_lowercase();
    assert!(
        !lower.contains(&dir),
        "error body leaks the temp dir: {}",
        resp.text
    );
}

/// Panics unless `resp` has `status` and a contract error body with `code`.
pub fn assert_error(resp: &Resp, server: &Server, status: u16, code: &str) {
    assert_eq!(
        resp.status.as_u16(),
        status,
        "expected {status} {code}, got body {}",
        resp.text
    );
    assert_contract_error(resp, server);
    assert_eq!(resp.body["error"]["code"], code, "body: {}", resp.text);
}

/// A fresh UUID v4 string, as devices make them.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Body of `POST /api/orders/` for `lines` of `(product_id, quantity)`.
pub fn order_body(outlet_id: &str, lines: &[(&str, i64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(product_id, quantity)| json!({"product_id": product_id, "quantity": quantity}))
        .collect();
    json!({
        "client_order_id": uuid(),
        "outlet_id": outlet_id,
        "items": items,
        "master_version": 0,
        "placed_at": super::now().to_rfc3339(),
    })
}

impl Server {
    /// Sends a request and reads the whole answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Resp {
        let response = request.send().await.unwrap_or_else(|e| {
            panic!("request failed: {e:?}\n--- server log ---\n{}", self.log())
        });
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("read body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            content_type,
            headers,
            text,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path))).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.http.delete(self.url(path))).await
    }

    /// `POST path` with raw bytes and an optional content type.
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Resp {
        let mut request = self.http.post(self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        self.send(request).await
    }

    /// `POST /api/orders/` with the `Idempotency-Key` header set from the
    /// body's `client_order_id` (left out when that cannot be a header value,
    /// as with fuzzed bodies).
    pub async fn place(&self, body: &Value) -> Resp {
        let mut request = self.http.post(self.url("/api/orders/")).json(body);
        let key = body["client_order_id"].as_str().unwrap_or_default();
        if let Ok(key) = reqwest::header::HeaderValue::from_str(key) {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    /// Places an order that must be created (201) and returns it.
    pub async fn place_ok(&self, body: &Value) -> Order {
        self.place(body).await.expect(201).json()
    }

    /// `POST /api/orders/{id}/status` with a fresh request id.
    pub async fn set_status(&self, order_id: &str, status: &str) -> Resp {
        self.set_status_with(order_id, status, &uuid()).await
    }

    /// `POST /api/orders/{id}/status` with the given request id.
    pub async fn set_status_with(&self, order_id: &str, status: &str, request_id: &str) -> Resp {
        let body = json!({"status": status, "request_id": request_id});
        self.post(&format!("/api/orders/{order_id}/status"), &body)
            .await
    }

    /// Moves an order to `status`, which must succeed, and returns it.
    pub async fn set_status_ok(&self, order_id: &str, status: &str) -> Order {
        self.set_status(order_id, status).await.expect(200).json()
    }

    /// The order feed of `outlet_id` after `since_id`; must answer 200.
    pub async fn feed(&self, outlet_id: &str, since_id: i64) -> Vec<Order> {
        self.get(&format!(
            "/api/orders?outlet_id={outlet_id}&since_id={since_id}"
        ))
        .await
        .expect(200)
        .json()
    }

    /// Highest seq in the outlet's full feed (0 when it is empty).
    pub async fn feed_head(&self, outlet_id: &str) -> i64 {
        self.feed(outlet_id, 0)
            .await
            .iter()
            .map(|o| o.seq)
            .max()
            .unwrap_or(0)
    }

    /// One master-data page of `kind` ("products", ...); must answer 200.
    pub async fn page<T: DeserializeOwned>(
        &self,
        kind: &str,
        since_version: i64,
        limit: Option<usize>,
    ) -> Page<T> {
        let mut path = format!("/api/{kind}/?since_version={since_version}");
        if let Some(limit) = limit {
            path.push_str(&format!("&limit={limit}"));
        }
        self.get(&path).await.expect(200).json()
    }

    /// Full product download.
    pub async fn products(&self) -> Page<Product> {
        self.page("products", 0, None).await
    }

    /// Full category download.
    pub async fn categories(&self) -> Page<Category> {
        self.page("categories", 0, None).await
    }

    /// Full promotion download.
    pub async fn promotions(&self) -> Page<Promotion> {
        self.page("promotions", 0, None).await
    }

    /// The server's current master version.
    pub async fn master_version(&self) -> i64 {
        self.page::<Value>("categories", 0, Some(1)).await.version
    }

    /// Active products of the demo menu, at least `n` of them, in one currency
    /// (so any combination of them can be ordered together).
    pub async fn orderable(&self, n: usize) -> Vec<Product> {
        let products = self.products().await.items;
        let active: Vec<Product> = products.into_iter().filter(|p| p.is_active).collect();
        let currency = active.first().expect("an active product").currency.clone();
        let same: Vec<Product> = active
            .into_iter()
            .filter(|p| p.currency == currency)
            .collect();
        assert!(
            same.len() >= n,
            "demo menu has only {} orderable products",
            same.len()
        );
        same
    }

    /// Panics unless `/healthz` answers 200 (and the process is still alive).
    pub async fn assert_healthy(&mut self) {
        assert!(!self.has_exited(), "server exited\n{}", self.log());
        let resp = self.get("/healthz").await;
        assert_eq!(resp.status, StatusCode::OK, "healthz: {}", resp.text);
    }
}
