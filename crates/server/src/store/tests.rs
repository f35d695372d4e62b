//! The store against a real temporary SQLite file: idempotency under
//! concurrency, savepoint isolation inside a group commit, status request
//! ids, and the sync window with tombstones.

use chrono::Utc;
use tempfile::TempDir;
use ticketrail_protocol::{CategoryInput, OrderItemRequest, OrderStatus, PlaceOrder, StatusChange};

use super::*;

async fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("t.db"),
        Some(&crate::demo::seed()),
        Hub::new(),
    )
    .await
    .unwrap();
    (dir, store)
}

fn order(client_order_id: &str, product_id: &str) -> PlaceOrder {
    PlaceOrder {
        client_order_id: client_order_id.into(),
        outlet_id: "1".into(),
        items: vec![OrderItemRequest {
            product_id: product_id.into(),
            quantity: 2,
            notes: Some("tanpa es 🧊 بدون ثلج".into()),
        }],
        master_version: None,
        placed_at: Utc::now(),
    }
}

#[tokio::test]
async fn fifty_concurrent_replays_make_one_order() {
    let (_dir, store) = open().await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.place_order(order("same", "p-1")).await.unwrap() })
        })
        .collect();
    let mut placed = Vec::new();
    for task in tasks {
        placed.push(task.await.unwrap());
    }
    assert_eq!(placed.iter().filter(|p| p.created).count(), 1);
    let first = &placed[0].order;
    assert!(placed.iter().all(|p| p.order == *first));
    assert_eq!(store.outlet("1").unwrap().seq(), 1);
    assert_eq!(
        first.items[0].notes.as_deref(),
        Some("tanpa es 🧊 بدون ثلج")
    );
}

#[tokio::test]
async fn a_failing_order_takes_no_seq_and_spoils_no_other() {
    let (_dir, store) = open().await;
    let (good, bad, also_good) = tokio::join!(
        store.place_order(order("a", "p-1")),
        store.place_order(order("b", "p-nope")),
        store.place_order(order("c", "p-2")),
    );
    assert!(matches!(bad, Err(StoreError::UnknownProduct(_))));
    let mut seqs = [good.unwrap().order.seq, also_good.unwrap().order.seq];
    seqs.sort();
    assert_eq!(seqs, [1, 2], "the failed order took no seq");
    let feed = store
        .orders_after("1", 0, FeedScope::Changes, None)
        .await
        .unwrap();
    assert_eq!(feed.len(), 2);
}

#[tokio::test]
async fn status_request_ids_are_idempotent_per_order() {
    let (_dir, store) = open().await;
    let first = store.place_order(order("a", "p-1")).await.unwrap().order;
    let second = store.place_order(order("b", "p-1")).await.unwrap().order;
    let id: i64 = first.id.parse().unwrap();
    let change = |status, request_id: &str| StatusChange {
        status,
        request_id: request_id.into(),
    };
    let moved = store
        .change_status(id, change(OrderStatus::Preparing, "r1"))
        .await
        .unwrap();
    let again = store
        .change_status(id, change(OrderStatus::Preparing, "r1"))
        .await
        .unwrap();
    assert_eq!(moved, again, "a repeat changes nothing");
    assert_eq!(moved.seq, 3);
    let other: i64 = second.id.parse().unwrap();
    let reused = store
        .change_status(other, change(OrderStatus::Preparing, "r1"))
        .await;
    assert!(matches!(reused, Err(StoreError::Conflict(_))));
    let backwards = store
        .change_status(id, change(OrderStatus::Pending, "r2"))
        .await;
    assert!(matches!(backwards, Err(StoreError::InvalidTransition(_))));
    let missing = store
        .change_status(999, change(OrderStatus::Ready, "r3"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn a_page_carries_the_tombstones_of_its_own_window() {
    let (_dir, store) = open().await;
    let start = store.master_version();
    let category = |id: &str| {
        MasterWrite::Create(MasterInput::Category(CategoryInput {
            id: Some(id.into()),
            name: format!("Category {id}"),
            translations: Default::default(),
            sort_order: 0,
        }))
    };
    store.write_master(category("x")).await.unwrap(); // start + 1
    store.write_master(category("y")).await.unwrap(); // start + 2
    let delete = |id: &str| MasterWrite::Delete {
        kind: MasterKind::Categories,
        id: id.into(),
    };
    store.write_master(delete("x")).await.unwrap(); // start + 3
    store.write_master(category("z")).await.unwrap(); // start + 4

    // Live rows above `start`: y (start+2), z (start+4); x's tombstone is at
    // start+3, so a page cut after y must not report it yet.
    let first = store.page(MasterKind::Categories, start, 1).await.unwrap();
    assert_eq!(first.items.len(), 1);
    assert!(first.has_more);
    assert_eq!(first.items[0].version(), start + 2);
    assert!(first.deleted.is_empty());
    let second = store
        .page(MasterKind::Categories, first.items[0].version(), 10)
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(!second.has_more);
    assert_eq!(second.deleted, ["x"]);
    assert_eq!(second.version, start + 4);

    // A tombstoned id can be created again.
    store.write_master(category("x")).await.unwrap();
    assert!(matches!(
        store.write_master(category("x")).await,
        Err(StoreError::Conflict(_))
    ));
}

#[tokio::test]
async fn reopening_keeps_orders_seqs_and_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path, Some(&crate::demo::seed()), Hub::new())
        .await
        .unwrap();
    let placed = store.place_order(order("kept", "p-3")).await.unwrap().order;
    let version = store.master_version();
    store.close().await;
    let reopened = Store::open(&path, Some(&crate::demo::seed()), Hub::new())
        .await
        .unwrap();
    assert_eq!(
        reopened.master_version(),
        version,
        "the seed is not applied twice"
    );
    assert_eq!(reopened.outlet("1").unwrap().seq(), 1);
    let replay = reopened.place_order(order("kept", "p-3")).await.unwrap();
    assert!(!replay.created);
    assert_eq!(replay.order, placed);
}
