//! Menu fixtures: bodies for management writes built from the demo menu (so
//! they reference categories, stations and a currency that exist), and the
//! create/update/delete script the write tests replay for every kind.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use ticketrail_protocol::{Page, Product};

use super::http::Resp;
use super::server::Server;

/// Panics unless `resp` is a successful management write (any 2xx: the
/// contract leaves 200/201/204 to the implementation).
pub fn written(resp: Resp) -> Resp {
    assert!(
        resp.status.is_success(),
        "write failed: {} {}",
        resp.status,
        resp.text
    );
    resp
}

/// The rows (as JSON) of a full download of `kind`, by id.
pub async fn rows_by_id(server: &Server, kind: &str) -> BTreeMap<String, Value> {
    let page: Page<Value> = server.page(kind, 0, None).await;
    page.items
        .into_iter()
        .map(|row| (row["id"].as_str().expect("string id").to_owned(), row))
        .collect()
}

/// Values that exist in the demo menu, so rows created from them are valid.
pub struct MenuFacts {
    /// A demo category.
    pub category_id: String,
    /// A demo kitchen station.
    pub station: String,
    /// The demo currency.
    pub currency: String,
}

/// Reads [`MenuFacts`] from the first demo product.
pub async fn menu_facts(server: &Server) -> MenuFacts {
    let product = server.products().await.items.remove(0);
    MenuFacts {
        category_id: product.category_id,
        station: product.station,
        currency: product.currency,
    }
}

/// Body of a product create/update.
pub fn product_input(id: &str, facts: &MenuFacts, name: &str, price: i64) -> Value {
    json!({
        "id": id, "name": name, "category_id": facts.category_id, "price": price,
        "currency": facts.currency, "station": facts.station, "is_active": true,
        "image_url": null,
    })
}

/// Body of a percent-off promotion on `product_ids`, running from an hour
/// ago to an hour from now.
pub fn promotion_input(id: &str, product_ids: &[&str], value: i64) -> Value {
    let now = super::now();
    json!({
        "id": id, "name": "Promo uji 🎉", "product_ids": product_ids, "kind": "percent_off",
        "value": value, "starts_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
    })
}

/// The update body that writes `product` back unchanged; tests edit fields.
pub fn product_body(product: &Product) -> Value {
    let mut body = serde_json::to_value(product).expect("product json");
    let fields = body.as_object_mut().expect("object");
    for key in ["id", "version", "updated_at"] {
        fields.remove(key);
    }
    body
}

impl Server {
    /// PUTs `body` to the product, which must succeed.
    pub async fn update_product(&self, id: &str, body: &Value) {
        written(self.put(&format!("/api/products/{id}/"), body).await);
    }

    /// PUTs `product` back with a new name and a price one unit higher.
    pub async fn rename(&self, product: &Product, name: &str) {
        let mut body = product_body(product);
        body["name"] = json!(name);
        body["price"] = json!(product.price + 1);
        self.update_product(&product.id, &body).await;
    }
}

/// One kind's create/update/delete bodies for the write tests.
pub struct Script {
    /// URL segment: `products`, ...
    pub kind: &'static str,
    /// Event prefix and id-field stem: `product`, ...
    pub singular: &'static str,
    /// Id the row is created under.
    pub id: &'static str,
    /// Body of the POST.
    pub create: Value,
    /// Body of the PUT.
    pub update: Value,
}

/// What a script step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// POST the create body.
    Created,
    /// PUT the update body.
    Updated,
    /// DELETE the row.
    Deleted,
}

impl Step {
    /// The event suffix (`product:created`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// A category, a product in the demo category and a promotion on it.
pub fn scripts(facts: &MenuFacts) -> Vec<Script> {
    vec![
        Script {
            kind: "categories",
            singular: "category",
            id: "it-cat",
            create: json!({"id": "it-cat", "name": "Uji", "sort_order": 90}),
            update: json!({"name": "Uji kedua", "translations": {"ar": "اختبار"}, "sort_order": 91}),
        },
        Script {
            kind: "products",
            singular: "product",
            id: "it-prod",
            create: product_input("it-prod", facts, "Es Jeruk", 12_000),
            update: product_input("it-prod", facts, "Es Jeruk Besar", 15_000),
        },
        Script {
            kind: "promotions",
            singular: "promotion",
            id: "it-promo",
            create: promotion_input("it-promo", &["it-prod"], 10),
            update: promotion_input("it-promo", &["it-prod"], 20),
        },
    ]
}

/// Create and update each kind in order, then delete them in reverse (the
/// promotion before the product it names, the product before its category).
pub fn plan(scripts: &[Script]) -> Vec<(&Script, Step)> {
    let mut plan = Vec::new();
    for script in scripts {
        plan.push((script, Step::Created));
        plan.push((script, Step::Updated));
    }
    for script in scripts.iter().rev() {
        plan.push((script, Step::Deleted));
    }
    plan
}

/// Performs one step; the write must succeed.
pub async fn perform(server: &Server, script: &Script, step: Step) {
    let item_path = format!("/api/{}/{}/", script.kind, script.id);
    written(match step {
        Step::Created => {
            server
                .post(&format!("/api/{}/", script.kind), &script.create)
                .await
        }
        Step::Updated => server.put(&item_path, &script.update).await,
        Step::Deleted => server.delete(&item_path).await,
    });
}
