//! What the app's browser tests share: fresh database names, sample rows,
//! and a stand-in for the outlet server's sync pages.

use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    future::{ready, Future},
};

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use ticketrail_app::{
    api::ApiError,
    menu_sync::MenuSource,
    storage::{MenuDb, OpenNotice, StoredMenu},
};
use ticketrail_core::menu_sync::MasterRow;
use ticketrail_protocol::{ws::ProductEvent, MasterKind, Page, Product, ServerMessage, Timestamp};

/// A database name no other test (or earlier run) uses.
pub fn unique(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random())
}

/// The time every sample row was changed.
pub fn at() -> Timestamp {
    "2026-11-22T08:00:00Z".parse().unwrap()
}

/// A product as the server would send it, with non-Latin text.
pub fn product(id: &str, version: i64, price: i64) -> Product {
    Product {
        id: id.into(),
        name: format!("Dish {id} 🍜"),
        translations: [("ar".to_owned(), "طبق".to_owned())].into(),
        description: String::new(),
        category_id: "c-1".into(),
        price,
        currency: "IDR".into(),
        image_url: None,
        is_active: true,
        station: "kitchen".into(),
        version,
        updated_at: at(),
    }
}

/// Opens `name`, which must succeed.
pub async fn open(name: &str) -> (MenuDb, StoredMenu, Option<OpenNotice>) {
    let opened = MenuDb::open_named(name).await.expect("the database opens");
    (opened.db, opened.menu, opened.notice)
}

/// Per kind and id: version of the last change and the row (`None` once
/// deleted).
type Rows = BTreeMap<(&'static str, String), (i64, Option<Value>)>;

/// The outlet server in miniature: one master version, the contract's
/// paging, and a count of the rows it sent.
#[derive(Default)]
pub struct FakeServer {
    /// The master version.
    pub version: Cell<i64>,
    rows: RefCell<Rows>,
    /// Rows and tombstones sent so far.
    pub sent: Cell<usize>,
}

impl FakeServer {
    /// Creates or updates a row; `make` gets the new version.
    pub fn put<T: MasterRow + Serialize>(&self, make: impl FnOnce(i64) -> T) -> T {
        self.version.set(self.version.get() + 1);
        let row = make(self.version.get());
        self.rows.borrow_mut().insert(
            (T::KIND.singular(), row.id().to_owned()),
            (row.version(), Some(serde_json::to_value(&row).unwrap())),
        );
        row
    }

    /// Deletes a row, returning the version of the deletion.
    pub fn delete(&self, kind: MasterKind, id: &str) -> i64 {
        self.version.set(self.version.get() + 1);
        self.rows
            .borrow_mut()
            .insert((kind.singular(), id.to_owned()), (self.version.get(), None));
        self.version.get()
    }

    fn page(&self, kind: MasterKind, since: i64, limit: u32) -> Value {
        let rows = self.rows.borrow();
        let of_kind = rows
            .iter()
            .filter(|((k, _), (version, _))| *k == kind.singular() && *version > since);
        let mut live: Vec<(i64, Value)> = of_kind
            .clone()
            .filter_map(|(_, (version, row))| row.clone().map(|row| (*version, row)))
            .collect();
        live.sort_by_key(|(version, _)| *version);
        let has_more = live.len() > limit as usize;
        live.truncate(limit as usize);
        let end = match live.last() {
            Some((last, _)) if has_more => *last,
            _ => self.version.get(),
        };
        let deleted: Vec<&String> = of_kind
            .filter(|(_, (version, row))| row.is_none() && *version <= end)
            .map(|((_, id), _)| id)
            .collect();
        self.sent.set(self.sent.get() + live.len() + deleted.len());
        let items: Vec<Value> = live.into_iter().map(|(_, row)| row).collect();
        json!({"version": self.version.get(), "items": items, "deleted": deleted, "has_more": has_more})
    }
}

impl MenuSource for FakeServer {
    fn page<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        since: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<T>, ApiError>> {
        let page = serde_json::from_value(self.page(kind, since, limit))
            .map_err(|err| ApiError::Decode(err.to_string()));
        ready(page)
    }
}

/// The `product:updated` event for `product`.
pub fn updated(product: Product) -> ServerMessage {
    ServerMessage::ProductUpdated(ProductEvent {
        version: product.version,
        product,
        timestamp: at(),
    })
}
