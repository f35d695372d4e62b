//! The engine without storage (`None::<MenuDb>`, IndexedDB refused), in
//! headless Chromium: pages and events still build the menu in memory.

use std::{cell::RefCell, future::ready};

use serde_json::{json, Value};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Three products (versions 2 to 4) in one category (version 1), paged by
/// `limit`; the server is at version 4.
struct Menu;

impl MenuSource for Menu {
    fn page<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        since: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<T>, ApiError>> {
        let rows: Vec<Value> = match kind {
            MasterKind::Categories => vec![category()],
            MasterKind::Products => (2..=4).map(product).collect(),
            MasterKind::Promotions => Vec::new(),
        };
        let mut newer: Vec<Value> = rows
            .into_iter()
            .filter(|row| row["version"].as_i64() > Some(since))
            .collect();
        let has_more = newer.len() > limit as usize;
        newer.truncate(limit as usize);
        let page = json!({"version": 4, "items": newer, "deleted": [], "has_more": has_more});
        ready(serde_json::from_value(page).map_err(|err| ApiError::Decode(err.to_string())))
    }
}

const AT: &str = "2026-11-22T08:00:00Z";

fn category() -> Value {
    json!({"id": "c-1", "name": "Mains", "sort_order": 1, "version": 1, "updated_at": AT})
}

fn product(version: i64) -> Value {
    json!({"id": format!("p-{version}"), "name": "Soto", "category_id": "c-1",
           "price": 1000 * version, "currency": "IDR", "image_url": null, "is_active": true,
           "station": "kitchen", "version": version, "updated_at": AT})
}

#[wasm_bindgen_test]
async fn without_storage_the_menu_still_syncs_and_follows_events() {
    let tables = RefCell::new(MenuTables::default());
    let store: Option<MenuDb> = None;
    let report = sync(&Menu, &store, &tables, &SyncOptions { limit: 2 }, |_| {})
        .await
        .expect("a sync needs no storage");
    assert_eq!(
        (report.items, report.pages),
        (4, 4),
        "products took two pages"
    );
    assert!(report.stamps.menu_stamp().is_some());
    assert_eq!(tables.borrow().products.rows.len(), 3);
    assert_eq!(tables.borrow().complete_through(), 4);

    let mut changed: Product = serde_json::from_value(product(3)).unwrap();
    changed.price = 1;
    changed.version = 5;
    let event = ServerMessage::ProductUpdated(ticketrail_protocol::ws::ProductEvent {
        version: 5,
        product: changed,
        timestamp: AT.parse().unwrap(),
    });
    assert_eq!(
        apply_message(&store, &tables, &event).await,
        Ok(EventResult::Applied(MasterKind::Products))
    );
    assert_eq!(tables.borrow().products.rows["p-3"].price, 1);
    assert_eq!(
        apply_message(&store, &tables, &event).await,
        Ok(EventResult::Stale),
        "a replay changes nothing"
    );
}
