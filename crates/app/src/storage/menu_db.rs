//! The open menu database and everything done to it after opening: load
//! the whole menu, write a sync page or a live event with its cursors,
//! compact a row log, reset the menu for a re-download, and set local
//! fields.

use std::{collections::BTreeMap, future::Future};

use rexie::{Rexie, Transaction, TransactionMode};
use serde::Serialize;
use ticketrail_core::menu_sync::{
    follows, page_fits, Delta, KindStamps, KindTable, LocalFields, MasterRow, MenuTables, SyncStamp,
};
use ticketrail_protocol::{Category, MasterKind, Product, Promotion};
use wasm_bindgen::JsValue;

use super::{
    detail,
    records::{
        decode_locals, encode, encode_chunk, replay, LocalRecord, MetaRecord, StoredMeta,
        CHUNK_ROWS,
    },
    schema::{rows_store, ALL_STORES, CATEGORIES, LOCAL, MENU_STORES, META, PRODUCTS, PROMOTIONS},
    StorageError,
};

/// A connection to the menu database. Closed when dropped, so a rebuild in
/// this or another tab is never blocked by a forgotten connection.
#[derive(Debug)]
pub struct MenuDb {
    /// Always `Some` while the value is alive; an `Option` only so that
    /// `Drop` can hand it to `Rexie::close`, which takes it by value.
    conn: Option<Rexie>,
}

/// Everything stored, as loaded at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredMenu {
    /// Rows and cursors of the three kinds.
    pub tables: MenuTables,
    /// The last successful sync of each kind; `stamps.menu_stamp()` is what
    /// the staleness notice measures.
    pub stamps: KindStamps,
    /// Local-only fields by product id.
    pub locals: BTreeMap<String, LocalFields>,
}

/// How many chunks each kind's row log holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ChunkCounts {
    pub products: usize,
    pub categories: usize,
    pub promotions: usize,
}

/// The three kinds' cursors, as a live event leaves them (see
/// `MenuTables::apply_event`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursors {
    /// Products' cursor.
    pub products: i64,
    /// Categories' cursor.
    pub categories: i64,
    /// Promotions' cursor.
    pub promotions: i64,
}

impl Cursors {
    /// The cursors of `tables`.
    pub fn of(tables: &MenuTables) -> Self {
        Self {
            products: tables.products.cursor,
            categories: tables.categories.cursor,
            promotions: tables.promotions.cursor,
        }
    }

    /// The cursor of `kind`.
    pub fn get(&self, kind: MasterKind) -> i64 {
        match kind {
            MasterKind::Products => self.products,
            MasterKind::Categories => self.categories,
            MasterKind::Promotions => self.promotions,
        }
    }

    /// Sets the cursor of `kind`.
    pub fn set(&mut self, kind: MasterKind, cursor: i64) {
        match kind {
            MasterKind::Products => self.products = cursor,
            MasterKind::Categories => self.categories = cursor,
            MasterKind::Promotions => self.promotions = cursor,
        }
    }

    /// The version through which every kind is complete.
    pub fn complete_through(&self) -> i64 {
        self.products.min(self.categories).min(self.promotions)
    }
}

impl MenuDb {
    pub(super) fn new(conn: Rexie) -> Self {
        Self { conn: Some(conn) }
    }

    /// Gives up the connection (to close it before deleting the database).
    pub(super) fn into_conn(mut self) -> Option<Rexie> {
        self.conn.take()
    }

    fn conn(&self) -> Result<&Rexie, StorageError> {
        self.conn
            .as_ref()
            .ok_or_else(|| StorageError::Unavailable("the connection is closed".into()))
    }

    /// Reads the whole menu, its cursors and stamps, and the local fields,
    /// in one consistent snapshot. A record that does not read is
    /// [`StorageError::Corrupt`].
    pub async fn load(&self) -> Result<StoredMenu, StorageError> {
        self.load_counting().await.map(|(menu, _)| menu)
    }

    /// [`MenuDb::load`], also saying how many chunks each kind's log holds.
    pub(super) async fn load_counting(&self) -> Result<(StoredMenu, ChunkCounts), StorageError> {
        let transaction = self
            .conn()?
            .transaction(&ALL_STORES, TransactionMode::ReadOnly)
            .map_err(read_error)?;
        let products = get_all(&transaction, PRODUCTS).await?;
        let categories = get_all(&transaction, CATEGORIES).await?;
        let promotions = get_all(&transaction, PROMOTIONS).await?;
        let counts = ChunkCounts {
            products: products.len(),
            categories: categories.len(),
            promotions: promotions.len(),
        };
        let meta = StoredMeta::decode(get_all(&transaction, META).await?)?;
        let locals = decode_locals(get_all(&transaction, LOCAL).await?)?;
        let menu = StoredMenu {
            tables: MenuTables {
                products: KindTable {
                    cursor: meta.cursors.products,
                    rows: replay::<Product>(PRODUCTS, products)?,
                },
                categories: KindTable {
                    cursor: meta.cursors.categories,
                    rows: replay::<Category>(CATEGORIES, categories)?,
                },
                promotions: KindTable {
                    cursor: meta.cursors.promotions,
                    rows: replay::<Promotion>(PROMOTIONS, promotions)?,
                },
            },
            stamps: meta.stamps,
            locals,
        };
        Ok((menu, counts))
    }

    /// Writes what one sync page changed (from `KindTable::apply_page`
    /// with `since_version = since`) and the kind's new cursor in one
    /// transaction; `synced` is the stamp to record when this was the
    /// kind's last page. Refused with [`StorageError::OutOfStep`] when the
    /// stored cursor is behind `since`.
    ///
    /// The transaction is created when the future is first polled, before
    /// its first `.await`, so writes are applied in the order they were
    /// started, which is the order their merges were made in memory.
    pub fn write_page<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        since: i64,
        synced: Option<SyncStamp>,
    ) -> impl Future<Output = Result<(), StorageError>> + '_ {
        let rule = Rule::Page {
            since,
            cursor: delta.cursor,
            synced,
        };
        self.write_change(T::KIND, encode_chunk(&delta.upserts, &delta.deletes), rule)
    }

    /// Writes what one live event changed (from `MenuTables::apply_event`)
    /// and every kind's cursor after it, in one transaction. Refused with
    /// [`StorageError::OutOfStep`] when the stored menu does not reach the
    /// version just before the event. Ordered like [`MenuDb::write_page`].
    pub fn write_event<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        cursors: Cursors,
    ) -> impl Future<Output = Result<(), StorageError>> + '_ {
        let rule = Rule::Event {
            cursor: delta.cursor,
            cursors,
        };
        self.write_change(T::KIND, encode_chunk(&delta.upserts, &delta.deletes), rule)
    }

    /// In one transaction: reads `meta`, gives up with
    /// [`StorageError::OutOfStep`] unless `rule` accepts it, appends `chunk`
    /// to `kind`'s log and puts the meta records `rule` makes from it.
    ///
    /// Deliberately not generic: the row type only matters for encoding the
    /// chunk, so one copy of this transaction code serves every kind.
    async fn write_change(
        &self,
        kind: MasterKind,
        chunk: Result<Option<JsValue>, StorageError>,
        rule: Rule,
    ) -> Result<(), StorageError> {
        let chunk = chunk?;
        let store = rows_store(kind);
        let transaction = self
            .conn()?
            .transaction(&[store, META], TransactionMode::ReadWrite)
            .map_err(write_error)?;
        let outcome = async {
            let stored = StoredMeta::decode(get_all(&transaction, META).await?)?;
            if !rule.fits(kind, &stored) {
                return Err(StorageError::OutOfStep);
            }
            if let Some(chunk) = chunk {
                let rows = transaction.store(store).map_err(write_error)?;
                rows.add(&chunk, None).await.map_err(write_error)?;
            }
            let meta = transaction.store(META).map_err(write_error)?;
            for record in rule.next(kind, &stored) {
                // Encoded here, after the rows: a meta record that cannot be
                // stored must undo them too.
                meta.put(&encode(&record)?, None)
                    .await
                    .map_err(write_error)?;
            }
            Ok(())
        }
        .await;
        finish(transaction, outcome).await
    }

    /// Rewrites the log of `T`'s rows as the fewest chunks holding `rows`
    /// (the table just loaded), in one transaction. Only called while
    /// opening, before any other write can be in flight.
    pub(super) fn compact<T: MasterRow + Serialize>(
        &self,
        rows: &BTreeMap<String, T>,
    ) -> impl Future<Output = Result<(), StorageError>> + '_ {
        let rows: Vec<&T> = rows.values().collect();
        let chunks = rows
            .chunks(CHUNK_ROWS)
            .filter_map(|chunk| encode_chunk(chunk, &[]).transpose())
            .collect::<Result<Vec<_>, _>>();
        self.replace_log(T::KIND, chunks)
    }

    /// The transaction of [`MenuDb::compact`], one copy for every kind.
    async fn replace_log(
        &self,
        kind: MasterKind,
        chunks: Result<Vec<JsValue>, StorageError>,
    ) -> Result<(), StorageError> {
        let chunks = chunks?;
        let store = rows_store(kind);
        let transaction = self
            .conn()?
            .transaction(&[store], TransactionMode::ReadWrite)
            .map_err(write_error)?;
        let outcome = async {
            let rows_store = transaction.store(store).map_err(write_error)?;
            rows_store.clear().await.map_err(write_error)?;
            rows_store
                .add_all(chunks.into_iter().map(|chunk| (chunk, None)))
                .await
                .map_err(write_error)
        }
        .await;
        finish(transaction, outcome).await
    }

    /// Empties the menu and its cursors and stamps (staff's "Re-download
    /// menu"), in one transaction; local fields stay. The next sync is a
    /// full download.
    pub async fn clear_menu_keep_local(&self) -> Result<(), StorageError> {
        let transaction = self
            .conn()?
            .transaction(&MENU_STORES, TransactionMode::ReadWrite)
            .map_err(write_error)?;
        let outcome = async {
            for store in MENU_STORES {
                transaction
                    .store(store)
                    .map_err(write_error)?
                    .clear()
                    .await
                    .map_err(write_error)?;
            }
            Ok(())
        }
        .await;
        finish(transaction, outcome).await
    }

    /// Stores the local-only fields of product `id`.
    pub async fn set_local(&self, id: &str, local: &LocalFields) -> Result<(), StorageError> {
        self.put_locals([(id, local)]).await
    }

    /// Stores several products' local fields in one transaction.
    pub(super) async fn put_locals<'a>(
        &self,
        locals: impl IntoIterator<Item = (&'a str, &'a LocalFields)>,
    ) -> Result<(), StorageError> {
        let records = locals
            .into_iter()
            .map(|(id, local)| {
                encode(&LocalRecord {
                    id: id.to_owned(),
                    local: local.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let transaction = self
            .conn()?
            .transaction(&[LOCAL], TransactionMode::ReadWrite)
            .map_err(write_error)?;
        let outcome = async {
            transaction
                .store(LOCAL)
                .map_err(write_error)?
                .put_all(records.into_iter().map(|record| (record, None)))
                .await
                .map_err(write_error)
        }
        .await;
        finish(transaction, outcome).await
    }
}

impl Drop for MenuDb {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close();
        }
    }
}

/// Where a write must start and which cursors it leaves, for
/// [`MenuDb::write_change`].
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// A sync page fetched with `since_version = since`, leaving its kind
    /// at `cursor` (and recording `synced` when it was the last page).
    Page {
        since: i64,
        cursor: i64,
        synced: Option<SyncStamp>,
    },
    /// A live event at `cursor`, leaving every kind at `cursors`.
    Event { cursor: i64, cursors: Cursors },
}

impl Rule {
    /// Whether the stored cursors are where this change starts.
    fn fits(&self, kind: MasterKind, stored: &StoredMeta) -> bool {
        match *self {
            Rule::Page { since, .. } => page_fits(stored.cursors.get(kind), since),
            Rule::Event { cursor, .. } => follows(stored.cursors.complete_through(), cursor),
        }
    }

    /// The `meta` records to put after the change.
    fn next(&self, kind: MasterKind, stored: &StoredMeta) -> Vec<MetaRecord> {
        match *self {
            Rule::Page { cursor, synced, .. } => vec![stored.record(kind, cursor, synced)],
            Rule::Event { cursors, .. } => MasterKind::ALL
                .iter()
                .map(|kind| stored.record(*kind, cursors.get(*kind), None))
                .collect(),
        }
    }
}

fn read_error(err: rexie::Error) -> StorageError {
    StorageError::Read(detail(err))
}

fn write_error(err: rexie::Error) -> StorageError {
    StorageError::Write(detail(err))
}

async fn get_all(transaction: &Transaction, store: &str) -> Result<Vec<JsValue>, StorageError> {
    transaction
        .store(store)
        .map_err(read_error)?
        .get_all(None, None)
        .await
        .map_err(read_error)
}

/// Commits when every step succeeded, aborts otherwise: either all of a
/// write lands or none of it.
async fn finish(
    transaction: Transaction,
    outcome: Result<(), StorageError>,
) -> Result<(), StorageError> {
    match outcome {
        Ok(()) => match transaction.done().await {
            Ok(result) if result.is_committed() => Ok(()),
            Ok(_) => Err(StorageError::Write(
                "the browser aborted the transaction".into(),
            )),
            Err(err) => Err(write_error(err)),
        },
        Err(err) => {
            // A failed request may already have aborted the transaction,
            // and then this abort fails; either way nothing was written.
            let _ = transaction.abort().await;
            Err(err)
        }
    }
}
