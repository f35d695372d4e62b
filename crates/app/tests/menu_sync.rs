//! The menu sync engine against a real IndexedDB in headless Chromium: a
//! full download then only the changes, and live events applied, skipped or
//! answered with a sync.
#![cfg(target_arch = "wasm32")]

mod util;

use std::cell::RefCell;

use ticketrail_app::menu_sync::{apply_message, sync, EventResult, Progress, SyncOptions};
use ticketrail_protocol::{Category, MasterKind, ServerMessage};
use util::{at, open, product, unique, updated, FakeServer};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn category(id: &str, version: i64) -> Category {
    Category {
        id: id.into(),
        name: format!("Category {id}"),
        translations: Default::default(),
        sort_order: 1,
        version,
        updated_at: at(),
    }
}

#[wasm_bindgen_test]
async fn a_sync_downloads_everything_then_only_what_changed() {
    let server = FakeServer::default();
    server.put(|v| category("c-1", v));
    for n in 0..7 {
        server.put(|v| product(&format!("p-{n}"), v, 1000 + n));
    }
    let name = unique("sync");
    let (db, menu, _) = open(&name).await;
    let tables = RefCell::new(menu.tables);
    let heard = RefCell::new(Vec::<Progress>::new());
    let options = SyncOptions { limit: 3 };

    let report = sync(&server, &db, &tables, &options, |p| {
        heard.borrow_mut().push(p)
    })
    .await
    .unwrap();
    assert_eq!(report.items, 8);
    assert_eq!(report.pages, 5, "categories 1, products 3, promotions 1");
    assert_eq!(
        heard.borrow().last().map(|p| (p.items_done, p.percent)),
        Some((8, 100))
    );
    assert!(heard
        .borrow()
        .windows(2)
        .all(|w| w[0].percent <= w[1].percent));
    assert!(report.stamps.menu_stamp().is_some());
    let stored = db.load().await.unwrap();
    assert_eq!(stored.tables, *tables.borrow(), "memory and disk agree");
    assert_eq!(stored.tables.products.rows.len(), 7);
    assert_eq!(stored.tables.complete_through(), 8);

    // While the screen is closed: one price change, one deletion.
    server.put(|v| product("p-2", v, 5));
    server.delete(MasterKind::Products, "p-4");
    let sent_before = server.sent.get();
    let report = sync(&server, &db, &tables, &options, |_| ()).await.unwrap();
    assert_eq!(report.items, 2);
    assert_eq!(
        server.sent.get() - sent_before,
        2,
        "only the delta was sent"
    );
    let stored = db.load().await.unwrap();
    assert_eq!(stored.tables.products.rows["p-2"].price, 5);
    assert!(!stored.tables.products.rows.contains_key("p-4"));
    assert_eq!(stored.tables, *tables.borrow());
}

#[wasm_bindgen_test]
async fn live_events_are_applied_skipped_or_answered_with_a_sync() {
    let server = FakeServer::default();
    server.put(|v| product("p-1", v, 100));
    let name = unique("events");
    let (db, menu, _) = open(&name).await;
    let tables = RefCell::new(menu.tables);
    sync(&server, &db, &tables, &SyncOptions::default(), |_| ())
        .await
        .unwrap();

    let next = updated(server.put(|v| product("p-1", v, 150)));
    assert_eq!(
        apply_message(&db, &tables, &next).await,
        Ok(EventResult::Applied(MasterKind::Products))
    );
    assert_eq!(
        apply_message(&db, &tables, &next).await,
        Ok(EventResult::Stale)
    );
    let stored = db.load().await.unwrap();
    assert_eq!(stored.tables.products.rows["p-1"].price, 150);
    assert_eq!(stored.tables.complete_through(), 2, "every cursor moved");

    server.put(|v| product("p-2", v, 1));
    let after_gap = updated(server.put(|v| product("p-3", v, 1)));
    assert_eq!(
        apply_message(&db, &tables, &after_gap).await,
        Ok(EventResult::NeedsSync)
    );
    let connected = ServerMessage::Connected {
        protocol: ticketrail_protocol::PROTOCOL_VERSION,
        outlet_id: "1".into(),
        seq: 0,
        master_version: server.version.get(),
        timestamp: at(),
    };
    assert_eq!(
        apply_message(&db, &tables, &connected).await,
        Ok(EventResult::NeedsSync)
    );
    sync(&server, &db, &tables, &SyncOptions::default(), |_| ())
        .await
        .unwrap();
    assert_eq!(
        apply_message(&db, &tables, &connected).await,
        Ok(EventResult::Stale)
    );
    assert_eq!(db.load().await.unwrap().tables.products.rows.len(), 3);
}
