//! The menu storage against a real IndexedDB in headless Chromium: schema
//! rebuilds, all-or-nothing writes, local fields that outlive every menu
//! change, recovery from unreadable records, and log compaction; and the
//! kitchen's saved order feed.
//!
//! Every test opens its own database name, so they never see each other.
#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, collections::BTreeMap};

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use serde_json::{json, Value};
use ticketrail_app::{
    menu_sync::{apply_message, sync, EventResult, SyncOptions},
    storage::{
        feed::{FeedStore, SavedFeed},
        Cursors, OpenNotice, StorageError, StoredMenu, SCHEMA_VERSION,
    },
};
use ticketrail_core::menu_sync::{Delta, LocalFields, MenuTables, SyncStamp};
use ticketrail_protocol::{ws::ProductDeleted, MasterKind, Order, OrderStatus, ServerMessage};
use util::{at, open, product, unique, updated, FakeServer};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod util;

fn favourite(stock: i64) -> LocalFields {
    LocalFields {
        stock: Some(stock),
        favourite: true,
    }
}

/// A JSON value as IndexedDB should hold it (objects, not `Map`s).
fn js(value: &Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

/// Puts `record` into `store` with a connection of its own, as another
/// program (or a damaged disk) might.
async fn put_raw(name: &str, store: &str, record: Value) {
    let db = Rexie::builder(name).build().await.unwrap();
    let transaction = db
        .transaction(&[store], TransactionMode::ReadWrite)
        .unwrap();
    transaction
        .store(store)
        .unwrap()
        .put(&js(&record), None)
        .await
        .unwrap();
    assert!(transaction.done().await.unwrap().is_committed());
    db.close();
}

fn page_of<T>(version: i64, items: Vec<T>) -> Delta<T> {
    Delta {
        upserts: items,
        deletes: vec![],
        cursor: version,
    }
}

fn stamp(cursor: i64) -> Option<SyncStamp> {
    Some(SyncStamp { cursor, at: at() })
}

#[wasm_bindgen_test]
async fn a_new_device_opens_an_empty_store_without_a_notice() {
    let name = unique("fresh");
    let (_db, menu, notice) = open(&name).await;
    assert_eq!(notice, None);
    assert_eq!(menu, StoredMenu::default());
}

#[wasm_bindgen_test]
async fn a_store_of_another_layout_is_rebuilt_keeping_readable_local_fields() {
    for old_version in [1, SCHEMA_VERSION + 1] {
        let name = unique("layout");
        let old = Rexie::builder(&name)
            .version(old_version)
            .add_object_store(ObjectStore::new("menu").key_path("key"))
            .add_object_store(ObjectStore::new("local").key_path("id"))
            .build()
            .await
            .unwrap();
        old.close();
        put_raw(&name, "menu", json!({"key": "p-1", "price": 100})).await;
        put_raw(
            &name,
            "local",
            json!({"id": "p-1", "local": {"stock": 3, "favourite": true}}),
        )
        .await;
        put_raw(&name, "local", json!({"id": "p-2", "qty": "several"})).await;

        let (db, menu, notice) = open(&name).await;
        assert_eq!(
            notice,
            Some(OpenNotice::SchemaChanged),
            "from version {old_version}"
        );
        assert_eq!(menu.tables, MenuTables::default());
        assert_eq!(
            menu.locals,
            BTreeMap::from([("p-1".to_owned(), favourite(3))]),
            "the readable local record is kept, the other dropped"
        );
        drop(db);

        let probe = Rexie::builder(&name).build().await.unwrap();
        assert_eq!(probe.version(), Ok(SCHEMA_VERSION));
        let mut stores = probe.store_names();
        stores.sort();
        assert_eq!(
            stores,
            ["categories", "local", "meta", "products", "promotions"]
        );
        probe.close();

        let (_db, menu, notice) = open(&name).await;
        assert_eq!(notice, None, "a rebuilt store opens quietly");
        assert_eq!(menu.locals.len(), 1);
    }
}

#[wasm_bindgen_test]
async fn rows_and_cursor_are_written_together_or_not_at_all() {
    let name = unique("atomic");
    let (db, _, _) = open(&name).await;
    db.write_page(&page_of(5, vec![product("p-1", 5, 100)]), 0, stamp(5))
        .await
        .unwrap();

    // A cursor past what a JavaScript number holds exactly cannot be
    // stored: its meta put fails after the rows were already added in the
    // same transaction.
    let failed = db
        .write_page(&page_of(i64::MAX, vec![product("p-2", 8, 200)]), 5, None)
        .await;
    assert!(matches!(failed, Err(StorageError::Encode(_))), "{failed:?}");

    let stored = db.load().await.unwrap();
    assert_eq!(
        stored.tables.products.rows.keys().collect::<Vec<_>>(),
        ["p-1"],
        "the rows added before the failure were rolled back"
    );
    assert_eq!(stored.tables.products.cursor, 5, "the cursor did not move");
    assert_eq!(stored.stamps.products, stamp(5));

    // A page or event that does not start where the store is is refused
    // whole, so the store never claims a version it lacks rows for.
    let skipped = db
        .write_page(&page_of(12, vec![product("p-3", 12, 300)]), 7, None)
        .await;
    assert_eq!(skipped, Err(StorageError::OutOfStep));
    let early_event = db
        .write_event(
            &page_of(7, vec![product("p-3", 7, 300)]),
            Cursors {
                products: 7,
                categories: 7,
                promotions: 7,
            },
        )
        .await;
    assert_eq!(early_event, Err(StorageError::OutOfStep));
    assert_eq!(
        db.load().await.unwrap(),
        stored,
        "nothing of either was written"
    );

    db.write_page(&page_of(12, vec![product("p-3", 12, 300)]), 5, None)
        .await
        .expect("a page that fits is written");
    let stored = db.load().await.unwrap();
    assert_eq!(stored.tables.products.cursor, 12);
    assert_eq!(
        stored.stamps.products,
        stamp(5),
        "a middle page keeps the stamp"
    );
}

/// A well-formed chunk of the products log holding one product with one
/// field replaced.
fn chunk_with(field: &str, value: Value) -> Value {
    let mut row = serde_json::to_value(product("p-bad", 1, 1)).unwrap();
    row[field] = value;
    json!({"rows": json!([row]).to_string(), "deletes": []})
}

#[wasm_bindgen_test]
async fn an_unreadable_record_is_rebuilt_with_a_notice() {
    let garbage = [
        ("products", chunk_with("name", json!(42))),
        ("products", chunk_with("price", json!(1e300))),
        ("products", json!({"rows": "[{\"id\": \"p-", "deletes": []})),
        ("categories", json!({"rows": 42})),
        ("promotions", json!({"id": "p-1", "price": 100})),
        ("meta", json!({"kind": "drinks", "cursor": 1})),
        ("meta", json!({"kind": "products", "cursor": "soon"})),
        ("local", json!({"id": "p-9", "local": {"stock": "many"}})),
    ];
    for (store, record) in garbage {
        let name = unique("corrupt");
        let (db, _, _) = open(&name).await;
        db.set_local("p-1", &favourite(4)).await.unwrap();
        db.write_page(&page_of(3, vec![product("p-1", 3, 100)]), 0, stamp(3))
            .await
            .unwrap();
        drop(db);
        put_raw(&name, store, record.clone()).await;

        let (db, menu, notice) = open(&name).await;
        assert_eq!(notice, Some(OpenNotice::Corrupt), "{store}: {record}");
        assert_eq!(
            menu.tables,
            MenuTables::default(),
            "the menu is fetched again"
        );
        assert_eq!(
            menu.locals,
            BTreeMap::from([("p-1".to_owned(), favourite(4))]),
            "readable local fields are kept"
        );
        drop(db);
        let (_db, _, notice) = open(&name).await;
        assert_eq!(notice, None, "{store}: the rebuilt store reads");
    }
}

#[wasm_bindgen_test]
async fn local_fields_survive_pages_events_and_a_menu_reset() {
    let server = FakeServer::default();
    server.put(|v| product("p-1", v, 100));
    server.put(|v| product("p-2", v, 200));
    let name = unique("local");
    let (db, menu, _) = open(&name).await;
    let tables = RefCell::new(menu.tables);
    db.set_local("p-1", &favourite(9)).await.unwrap();
    db.set_local("p-2", &favourite(2)).await.unwrap();
    let locals = db.load().await.unwrap().locals;

    sync(&server, &db, &tables, &SyncOptions::default(), |_| ())
        .await
        .unwrap();
    let change = updated(server.put(|v| product("p-1", v, 120)));
    apply_message(&db, &tables, &change).await.unwrap();
    let version = server.delete(MasterKind::Products, "p-2");
    let deleted = ServerMessage::ProductDeleted(ProductDeleted {
        version,
        product_id: "p-2".into(),
        timestamp: at(),
    });
    assert_eq!(
        apply_message(&db, &tables, &deleted).await,
        Ok(EventResult::Applied(MasterKind::Products))
    );
    assert_eq!(
        db.load().await.unwrap().locals,
        locals,
        "after pages and events"
    );

    // Staff's "Re-download menu".
    db.clear_menu_keep_local().await.unwrap();
    let stored = db.load().await.unwrap();
    assert_eq!(
        stored.tables,
        MenuTables::default(),
        "the menu and cursors are gone"
    );
    assert_eq!(stored.stamps.menu_stamp(), None);
    assert_eq!(stored.locals, locals, "after the reset");

    *tables.borrow_mut() = stored.tables;
    let report = sync(&server, &db, &tables, &SyncOptions::default(), |_| ())
        .await
        .unwrap();
    assert_eq!(report.items, 2, "a full download: p-1 and p-2's tombstone");
    let stored = db.load().await.unwrap();
    assert_eq!(stored.tables.products.rows["p-1"].price, 120);
    assert_eq!(stored.locals, locals, "after the full re-download");
}

/// How many records `store` of database `name` holds.
async fn count(name: &str, store: &str) -> u32 {
    let db = Rexie::builder(name).build().await.unwrap();
    let transaction = db.transaction(&[store], TransactionMode::ReadOnly).unwrap();
    let count = transaction.store(store).unwrap().count(None).await.unwrap();
    db.close();
    count
}

#[wasm_bindgen_test]
async fn a_log_grown_by_live_events_is_compacted_on_open() {
    let server = FakeServer::default();
    server.put(|v| product("p-1", v, 100));
    let name = unique("compact");
    let (db, menu, _) = open(&name).await;
    let tables = RefCell::new(menu.tables);
    sync(&server, &db, &tables, &SyncOptions::default(), |_| ())
        .await
        .unwrap();
    for price in 0..80 {
        let change = updated(server.put(|v| product(&format!("p-{}", price % 7), v, price)));
        assert_eq!(
            apply_message(&db, &tables, &change).await,
            Ok(EventResult::Applied(MasterKind::Products))
        );
    }
    let before = db.load().await.unwrap();
    drop(db);
    assert_eq!(
        count(&name, "products").await,
        81,
        "one chunk per page or event"
    );

    let (_db, menu, notice) = open(&name).await;
    assert_eq!(notice, None);
    assert_eq!(menu, before, "compaction keeps every row and cursor");
    assert_eq!(count(&name, "products").await, 1, "7 rows fit one chunk");
}

fn ticket(id: &str, seq: i64) -> Order {
    Order {
        id: id.into(),
        client_order_id: format!("c-{id}"),
        order_number: "042".into(),
        outlet_id: "1".into(),
        status: OrderStatus::Preparing,
        items: Vec::new(),
        total_amount: 9_000,
        currency: "IDR".into(),
        seq,
        placed_at: at(),
        created_at: at(),
        updated_at: at(),
    }
}

#[wasm_bindgen_test]
async fn the_kitchen_feed_reads_back_whole_and_only_for_its_outlet() {
    let name = unique("feed");
    let store = FeedStore::open_named(&name).await.expect("opens");
    assert_eq!(store.load("1").await, None, "nothing saved yet");
    let saved = SavedFeed::new("1", 17, vec![ticket("a", 12), ticket("b", 17)]);
    store.save(&saved).await.expect("saves");
    let newer = SavedFeed::new("1", 18, vec![ticket("b", 18)]);
    store.save(&newer).await.expect("saves again");

    let reopened = FeedStore::open_named(&name).await.expect("opens again");
    assert_eq!(
        reopened.load("1").await,
        Some(newer),
        "the last write, whole"
    );
    assert_eq!(
        reopened.load("2").await,
        None,
        "another outlet's tickets are not shown"
    );
}

#[wasm_bindgen_test]
async fn a_damaged_kitchen_feed_is_ignored_and_overwritten() {
    let name = unique("feed-damaged");
    FeedStore::open_named(&name).await.expect("creates");
    let raw = Rexie::builder(&name).build().await.expect("opens raw");
    let transaction = raw
        .transaction(&["feed"], TransactionMode::ReadWrite)
        .unwrap();
    transaction
        .store("feed")
        .unwrap()
        .put(
            &js(&json!({"key": "feed", "json": "{\"cursor\": 5, \"ord"})),
            None,
        )
        .await
        .unwrap();
    transaction.done().await.unwrap();
    raw.close();

    let store = FeedStore::open_named(&name).await.expect("opens");
    assert_eq!(store.load("1").await, None, "unreadable: start from zero");
    let saved = SavedFeed::new("1", 3, vec![ticket("a", 3)]);
    store.save(&saved).await.expect("a new save replaces it");
    assert_eq!(store.load("1").await, Some(saved));
}
