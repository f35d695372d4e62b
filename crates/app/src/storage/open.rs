//! Opening the menu database: check its layout and contents, and rebuild it
//! from scratch when it is not something this build can use.
//!
//! A database with another layout (an older or newer app) or a record that
//! does not read is deleted and created empty, keeping every local-field
//! record that still reads; the menu itself comes back with the next sync.
//! The caller gets an [`OpenNotice`] to show, never a crash.

use std::collections::BTreeMap;

use rexie::{Rexie, TransactionMode};
use ticketrail_core::menu_sync::LocalFields;

use super::{
    detail,
    menu_db::{ChunkCounts, MenuDb, StoredMenu},
    records::{decode, needs_compaction, LocalRecord},
    schema::{self, DB_NAME, LOCAL},
    StorageError,
};

/// Why the saved menu was rebuilt while opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenNotice {
    /// The database was laid out by another version of the app.
    #[error("The menu saved on this screen came from another app version, so it is being downloaded again.")]
    SchemaChanged,
    /// A saved record could not be read.
    #[error("The menu saved on this screen could not be read, so it is being downloaded again.")]
    Corrupt,
}

/// An opened database with what it holds.
#[derive(Debug)]
pub struct Opened {
    /// The connection, for the writes that follow.
    pub db: MenuDb,
    /// Everything stored (after a rebuild: no menu, the kept local fields).
    pub menu: StoredMenu,
    /// Set when the database had to be rebuilt.
    pub notice: Option<OpenNotice>,
}

impl MenuDb {
    /// Opens [`DB_NAME`], rebuilding it if needed, and loads it.
    pub async fn open() -> Result<Opened, StorageError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens the database `name` (tests use their own names), rebuilding it
    /// when its layout is not [`SCHEMA_VERSION`](super::SCHEMA_VERSION)'s or
    /// a record does not read, and loads it.
    pub async fn open_named(name: &str) -> Result<Opened, StorageError> {
        // Opened without a version: this never upgrades, so it shows the
        // database exactly as it is (or creates an empty one at version 1).
        let probe = Rexie::builder(name)
            .build()
            .await
            .map_err(|err| StorageError::Unavailable(detail(err)))?;
        if !schema::has_layout(&probe) {
            let had_stores = !probe.store_names().is_empty();
            let (db, locals) = rebuild(probe, name).await?;
            return Ok(Opened {
                db,
                menu: StoredMenu {
                    locals,
                    ..StoredMenu::default()
                },
                // A database with no stores is a new device: nothing was lost.
                notice: had_stores.then_some(OpenNotice::SchemaChanged),
            });
        }
        let db = MenuDb::new(probe);
        match db.load_counting().await {
            Ok((menu, counts)) => {
                compact_grown_logs(&db, &menu, counts).await;
                Ok(Opened {
                    db,
                    menu,
                    notice: None,
                })
            }
            Err(StorageError::Corrupt(_)) => {
                let conn = db
                    .into_conn()
                    .ok_or_else(|| StorageError::Unavailable("the connection is closed".into()))?;
                let (db, locals) = rebuild(conn, name).await?;
                Ok(Opened {
                    db,
                    menu: StoredMenu {
                        locals,
                        ..StoredMenu::default()
                    },
                    notice: Some(OpenNotice::Corrupt),
                })
            }
            Err(err) => Err(err),
        }
    }
}

/// Rewrites every row log that live events have grown into many small
/// chunks, so the next start reads a few large ones. A failed rewrite is
/// rolled back and leaves a log that is longer but still right, so it is
/// not worth failing the open for.
async fn compact_grown_logs(db: &MenuDb, menu: &StoredMenu, counts: ChunkCounts) {
    let tables = &menu.tables;
    if needs_compaction(counts.products, tables.products.rows.len()) {
        let _ = db.compact(&tables.products.rows).await;
    }
    if needs_compaction(counts.categories, tables.categories.rows.len()) {
        let _ = db.compact(&tables.categories.rows).await;
    }
    if needs_compaction(counts.promotions, tables.promotions.rows.len()) {
        let _ = db.compact(&tables.promotions.rows).await;
    }
}

/// Deletes the database behind `conn` and creates it empty at the current
/// layout, carrying over the local fields that read.
async fn rebuild(
    conn: Rexie,
    name: &str,
) -> Result<(MenuDb, BTreeMap<String, LocalFields>), StorageError> {
    let locals = salvage_locals(&conn).await;
    // Deleting waits for every connection to close; ours goes first.
    conn.close();
    Rexie::delete(name)
        .await
        .map_err(|err| StorageError::Unavailable(detail(err)))?;
    let db = MenuDb::new(schema::create(name).await?);
    db.put_locals(locals.iter().map(|(id, local)| (id.as_str(), local)))
        .await?;
    Ok((db, locals))
}

/// Every record of a `local` store that reads as local fields; anything
/// else (no such store, another shape, a failed read) is left behind.
async fn salvage_locals(conn: &Rexie) -> BTreeMap<String, LocalFields> {
    if !conn.store_names().iter().any(|store| store == LOCAL) {
        return BTreeMap::new();
    }
    let values = match conn.transaction(&[LOCAL], TransactionMode::ReadOnly) {
        Ok(transaction) => match transaction.store(LOCAL) {
            Ok(store) => store.get_all(None, None).await.unwrap_or_default(),
            Err(_) => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    // Inserted one by one, not collected: see `records::decode_locals`.
    let mut locals = BTreeMap::new();
    for value in values {
        if let Ok(record) = decode::<LocalRecord>(LOCAL, value) {
            locals.insert(record.id, record.local);
        }
    }
    locals
}
