//! Black-box tests of master-data sync (the menu): the demo seed, the three
//! `since_version` endpoints with versions, tombstones and `limit` paging,
//! also while writes interleave with a client's paging.

mod util;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use ticketrail_protocol::{Category, Page, Product, Promotion};
use util::menu::{menu_facts, perform, plan, product_input, rows_by_id, scripts, written, Step};
use util::{Server, ServerOptions};

const KINDS: [&str; 3] = ["categories", "products", "promotions"];

#[tokio::test]
async fn demo_menu_is_realistic() {
    let server = Server::start().await;
    let categories = server.categories().await.items;
    let products = server.products().await.items;
    let promotions = server.promotions().await.items;
    assert!(categories.len() >= 6, "{} categories", categories.len());
    assert!(products.len() >= 40, "{} products", products.len());
    assert!(promotions.len() >= 2, "{} promotions", promotions.len());
    let category_ids: BTreeSet<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    for product in &products {
        assert!(
            category_ids.contains(product.category_id.as_str()),
            "{} is in a missing category",
            product.id
        );
    }
    let stations: BTreeSet<&str> = products.iter().map(|p| p.station.as_str()).collect();
    assert!(stations.len() >= 2, "stations: {stations:?}");
    // Names in Arabic somewhere in the menu (name or translations).
    let names: String =
        products
            .iter()
            .flat_map(|p| std::iter::once(p.name.clone()).chain(p.translations.values().cloned()))
            .chain(categories.iter().flat_map(|c| {
                std::iter::once(c.name.clone()).chain(c.translations.values().cloned())
            }))
            .collect();
    assert!(
        names
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "no Arabic names in the demo menu"
    );
}

#[tokio::test]
async fn full_download_is_complete_and_ordered_by_version() {
    let server = Server::start().await;
    let mut versions = BTreeSet::new();
    for kind in KINDS {
        let resp = server
            .get(&format!("/api/{kind}/?since_version=0"))
            .await
            .expect(200);
        let page: Page<Value> = resp.json();
        versions.insert(page.version);
        assert!(!page.has_more, "{kind}: a download without limit is cut");
        assert!(!page.items.is_empty(), "{kind}: empty demo data");
        let ids: BTreeSet<&str> = page.items.iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(
            ids.len(),
            page.items.len(),
            "{kind}: duplicate or missing ids"
        );
        let row_versions: Vec<i64> = page
            .items
            .iter()
            .map(|r| r["version"].as_i64().expect("integer version"))
            .collect();
        assert!(
            row_versions.windows(2).all(|w| w[0] <= w[1]),
            "{kind}: items not ascending by version: {row_versions:?}"
        );
        assert!(row_versions.iter().all(|v| *v > 0 && *v <= page.version));
    }
    assert_eq!(versions.len(), 1, "kinds disagree on the master version");
    // Typed view: every field of the contract is present and well-typed
    // (prices are integers, never floats).
    let products: Page<Product> = server.products().await;
    let raw: Page<Value> = server.page("products", 0, None).await;
    for row in &raw.items {
        assert!(row["price"].is_i64(), "price is not an integer: {row}");
        assert!(row.get("image_url").is_some(), "image_url missing: {row}");
    }
    assert_eq!(products.items.len(), raw.items.len());
    let _: Page<Category> = server.categories().await;
    let _: Page<Promotion> = server.promotions().await;
}

#[tokio::test]
async fn since_version_returns_only_later_changes() {
    let server = Server::start().await;
    let before = server.master_version().await;
    let product = server.products().await.items.remove(3);
    server.rename(&product, "Martabak Manis 🥞").await;

    let delta: Page<Product> = server.page("products", before, None).await;
    assert_eq!(delta.items.len(), 1, "delta: {delta:?}");
    let row = &delta.items[0];
    assert_eq!(
        (row.id.as_str(), row.price),
        (product.id.as_str(), product.price + 1)
    );
    assert!(row.version > before);
    assert_eq!(delta.version, row.version);
    assert!(delta.deleted.is_empty() && !delta.has_more);

    for kind in ["categories", "promotions"] {
        let other: Page<Value> = server.page(kind, before, None).await;
        assert!(
            other.items.is_empty() && other.deleted.is_empty(),
            "{kind}: {other:?}"
        );
        assert_eq!(other.version, delta.version);
    }
    let nothing: Page<Value> = server.page("products", delta.version, None).await;
    assert!(nothing.items.is_empty() && nothing.deleted.is_empty() && !nothing.has_more);
    assert_eq!(nothing.version, delta.version);
}

#[tokio::test]
async fn every_write_bumps_the_version_and_leaves_a_tombstone_on_delete() {
    let server = Server::start().await;
    let facts = menu_facts(&server).await;
    let mut version = server.master_version().await;
    let scripts = scripts(&facts);
    for (script, step) in plan(&scripts) {
        perform(&server, script, step).await;
        let what = format!("{} {}", script.singular, step.as_str());
        let page: Page<Value> = server.page(script.kind, version, None).await;
        assert!(page.version > version, "{what}: version did not grow");
        if step == Step::Deleted {
            assert!(page.items.is_empty(), "{what}: row still listed: {page:?}");
            assert_eq!(page.deleted, [script.id], "{what}");
            let full = rows_by_id(&server, script.kind).await;
            assert!(!full.contains_key(script.id), "{what}: in full download");
        } else {
            assert_eq!(page.items.len(), 1, "{what}: {page:?}");
            assert_eq!(page.items[0]["id"], script.id);
            assert_eq!(
                page.items[0]["version"], page.version,
                "{what}: not stamped"
            );
            let body = if step == Step::Created {
                &script.create
            } else {
                &script.update
            };
            assert_eq!(page.items[0]["name"], body["name"], "{what}");
        }
        version = page.version;
    }
    // A cursor past the tombstone no longer reports it.
    let after: Page<Value> = server.page("products", version, None).await;
    assert!(after.deleted.is_empty());
}

/// Pages through `kind` from `since` with `limit`, applying each page to a
/// client-side copy (upsert items, remove tombstones); `between` runs after
/// every page, before the next request.
async fn sync_paged<F, Fut>(
    server: &Server,
    kind: &str,
    limit: usize,
    mut between: F,
) -> BTreeMap<String, Value>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut copy = BTreeMap::new();
    let mut since = 0;
    for round in 0.. {
        assert!(round < 1_000, "paging does not terminate");
        let page: Page<Value> = server.page(kind, since, Some(limit)).await;
        assert!(
            page.items.len() <= limit,
            "page of {} > limit {limit}",
            page.items.len()
        );
        for row in &page.items {
            copy.insert(row["id"].as_str().expect("id").to_owned(), row.clone());
        }
        for id in &page.deleted {
            copy.remove(id);
        }
        if !page.has_more {
            return copy;
        }
        let last = page.items.last().unwrap_or_else(|| {
            panic!("has_more with no items: the client cannot advance ({page:?})")
        });
        since = last["version"].as_i64().expect("version");
        between(round).await;
    }
    unreachable!("the loop returns or panics")
}

#[tokio::test]
async fn limit_paging_collects_exactly_the_full_set() {
    let server = Server::start().await;
    for kind in KINDS {
        let full = rows_by_id(&server, kind).await;
        for limit in [1, 7, full.len(), full.len() + 10] {
            let copy = sync_paged(&server, kind, limit, |_| async {}).await;
            assert_eq!(copy, full, "{kind} with limit {limit}");
        }
    }
    let cut: Page<Value> = server.page("products", 0, Some(5)).await;
    assert!(
        cut.has_more && cut.items.len() == 5,
        "limit=5 did not cut: {cut:?}"
    );
}

#[tokio::test]
async fn paging_with_interleaved_writes_misses_nothing() {
    let server = Server::start().await;
    let facts = menu_facts(&server).await;
    // Rows in version order, so "already synced" and "not yet synced" are
    // known for a limit of 5.
    let ordered: Vec<Product> = server.products().await.items;
    assert!(ordered.len() >= 20);
    let (seen, unseen) = (&ordered[..3], &ordered[ordered.len() - 2..]);
    let middle = &ordered[ordered.len() / 2];
    let server = &server;
    let copy = sync_paged(server, "products", 5, |round| {
        let facts = &facts;
        async move {
            let delete = |id: &str| format!("/api/products/{id}/");
            match round {
                0 => {
                    written(server.delete(&delete(&seen[0].id)).await);
                    written(server.delete(&delete(&unseen[1].id)).await);
                    let body = product_input("it-new", facts, "Kopi Susu ☕", 18_000);
                    written(server.post("/api/products/", &body).await);
                }
                1 => {
                    server.rename(&seen[1], "Teh Tarik مميز").await;
                    server.rename(middle, "Es Campur 🍧").await;
                }
                2 => {
                    let body = product_input("it-new", facts, "Kopi Susu Gula Aren ☕", 19_000);
                    written(server.put("/api/products/it-new/", &body).await);
                    written(server.delete(&delete(&seen[2].id)).await);
                    written(server.delete(&delete(&unseen[0].id)).await);
                }
                _ => {}
            }
        }
    })
    .await;
    let truth = rows_by_id(server, "products").await;
    assert_eq!(
        copy.keys().collect::<Vec<_>>(),
        truth.keys().collect::<Vec<_>>(),
        "paged copy and fresh download disagree on ids"
    );
    assert_eq!(copy, truth, "paged copy is stale");
    for gone in [&seen[0], &seen[2], &unseen[0], &unseen[1]] {
        assert!(!truth.contains_key(&gone.id), "{} was deleted", gone.id);
    }
    assert_eq!(truth["it-new"]["name"], "Kopi Susu Gula Aren ☕");
    assert_eq!(truth[&seen[1].id]["name"], "Teh Tarik مميز");
}

#[tokio::test]
async fn without_demo_nothing_is_seeded() {
    let server = Server::start_with(ServerOptions {
        demo: false,
        ..ServerOptions::default()
    })
    .await;
    for kind in KINDS {
        let page: Page<Value> = server.page(kind, 0, None).await;
        assert!(
            page.items.is_empty() && page.deleted.is_empty() && !page.has_more,
            "{kind}"
        );
    }
}
