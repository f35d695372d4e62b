//! The database's layout: its name, version, stores and key paths, how to
//! create it, and how to tell whether an existing database has it.

use rexie::{KeyPath, ObjectStore, Rexie, TransactionMode};
use ticketrail_protocol::MasterKind;

use super::{detail, StorageError};

/// The database the kiosk keeps its menu in.
pub const DB_NAME: &str = "ticketrail-menu";

/// The layout's version. Bump it whenever a store, a key path or a record's
/// shape changes: a database at any other version is rebuilt on open.
///
/// Starts at 2 because 1 is what a bare `indexedDB.open(name)` (a first
/// probe, the browser's tools) creates, so a database at 1 is never ours.
pub const SCHEMA_VERSION: u32 = 2;

/// Products: a log of change sets (see `records`), keyed by an
/// auto-increment `id`.
pub(super) const PRODUCTS: &str = "products";
/// Categories, laid out like products.
pub(super) const CATEGORIES: &str = "categories";
/// Promotions, laid out like products.
pub(super) const PROMOTIONS: &str = "promotions";
/// Per kind: cursor and last successful sync, keyed by `kind`.
pub(super) const META: &str = "meta";
/// Local-only fields by product id, keyed by `id`.
pub(super) const LOCAL: &str = "local";

/// Every store, its key path, and whether the browser generates its keys.
const LAYOUT: [(&str, &str, bool); 5] = [
    (PRODUCTS, "id", true),
    (CATEGORIES, "id", true),
    (PROMOTIONS, "id", true),
    (META, "kind", false),
    (LOCAL, "id", false),
];

/// Every store, for transactions that read them all.
pub(super) const ALL_STORES: [&str; 5] = [PRODUCTS, CATEGORIES, PROMOTIONS, META, LOCAL];

/// The stores a menu reset empties: everything but `local`.
pub(super) const MENU_STORES: [&str; 4] = [PRODUCTS, CATEGORIES, PROMOTIONS, META];

/// The store holding the rows of `kind`.
pub(super) fn rows_store(kind: MasterKind) -> &'static str {
    match kind {
        MasterKind::Products => PRODUCTS,
        MasterKind::Categories => CATEGORIES,
        MasterKind::Promotions => PROMOTIONS,
    }
}

/// Creates the database `name` at [`SCHEMA_VERSION`]; it must not exist.
pub(super) async fn create(name: &str) -> Result<Rexie, StorageError> {
    LAYOUT
        .iter()
        .fold(
            Rexie::builder(name).version(SCHEMA_VERSION),
            |builder, (store, key, generated)| {
                builder.add_object_store(
                    ObjectStore::new(store)
                        .key_path(key)
                        .auto_increment(*generated),
                )
            },
        )
        .build()
        .await
        .map_err(|err| StorageError::Unavailable(detail(err)))
}

/// True when `db` has exactly this layout: the version, the stores, their
/// key paths and key generators.
pub(super) fn has_layout(db: &Rexie) -> bool {
    let mut names = db.store_names();
    names.sort_unstable();
    let mut expected: Vec<&str> = LAYOUT.iter().map(|(store, ..)| *store).collect();
    expected.sort_unstable();
    db.version() == Ok(SCHEMA_VERSION) && names == expected && keys_match(db).unwrap_or(false)
}

fn keys_match(db: &Rexie) -> Result<bool, rexie::Error> {
    let transaction = db.transaction(&ALL_STORES, TransactionMode::ReadOnly)?;
    for (name, key, generated) in LAYOUT {
        let store = transaction.store(name)?;
        let key_path = store.key_path()?;
        if key_path != Some(KeyPath::new_single(key)) || store.auto_increment() != generated {
            return Ok(false);
        }
    }
    Ok(true)
}
