//! The menu sync engine: fetches sync pages, takes socket events, lets the
//! core's merge rules (`ticketrail_core::menu_sync`) decide, and persists
//! each decision through [`crate::storage`].
//!
//! The in-memory [`MenuTables`] live in a `RefCell` that is only borrowed
//! between awaits, never across one, so a sync and live events may run
//! interleaved, as the core's rules allow. Each merge in memory is followed,
//! before anything else can run, by the start of its IndexedDB transaction,
//! so the disk sees changes in the order memory did. When a write fails,
//! memory is reloaded from the disk so the two agree again; the next sync
//! fills what is missing.
//!
//! Where merges are saved is a [`MenuStore`]: the device's [`MenuDb`], or
//! `None::<MenuDb>` when IndexedDB cannot be used at all (private mode, a
//! browser that refuses it), so the kiosk still runs from the network with
//! the menu in memory only.

use std::{cell::RefCell, future::Future};

use futures_util::future::{join, ready, Either};

use serde::{de::DeserializeOwned, Serialize};
use ticketrail_core::menu_sync::{
    Change, Delta, EventOutcome, KindStamps, MasterRow, MenuTables, PageError, SyncProgress,
    SyncStamp, TableOf,
};
use ticketrail_protocol::{
    Category, MasterKind, Page, Product, Promotion, ServerMessage, Timestamp,
};

use crate::{
    api::{menu::fetch_page, ApiError},
    storage::{Cursors, MenuDb, StorageError},
};

/// How a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Rows asked for per page (`limit`). Each page is one IndexedDB
    /// transaction, and transactions cost more than rows, so pages are
    /// large. Default 1000.
    pub limit: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { limit: 1000 }
    }
}

/// Where a sync is, after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows and tombstones received so far in this run.
    pub items_done: u64,
    /// 0 to 100, measured on master versions (see `SyncProgress`).
    pub percent: u8,
}

/// What a finished sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    /// Rows and tombstones downloaded.
    pub items: u64,
    /// Pages fetched.
    pub pages: u32,
    /// The stamps this run recorded, one per kind; `stamps.menu_stamp()`
    /// is the menu's new "updated at".
    pub stamps: KindStamps,
}

/// Why a sync stopped. What was saved before stays saved; running the sync
/// again continues from there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The server could not be asked.
    #[error(transparent)]
    Network(#[from] ApiError),
    /// The server sent a page that cannot be followed.
    #[error(transparent)]
    Page(#[from] PageError),
    /// Saving on this screen failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What became of a socket message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventResult {
    /// A change of this kind was applied in memory and saved: redraw.
    Applied(MasterKind),
    /// Nothing to do: the change (or the server's version) is already known.
    Stale,
    /// A change is missing: run [`sync`], which brings this one too.
    NeedsSync,
    /// Not a master-data message.
    NotMasterData,
}

/// Where the engine saves what its merges decided.
pub trait MenuStore {
    /// Saves a sync page's delta with its cursor (see [`MenuDb::write_page`]).
    fn save_page<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        since: i64,
        synced: Option<SyncStamp>,
    ) -> impl Future<Output = Result<(), StorageError>>;

    /// Saves a live event's delta with every kind's cursor (see
    /// [`MenuDb::write_event`]).
    fn save_event<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        cursors: Cursors,
    ) -> impl Future<Output = Result<(), StorageError>>;

    /// The tables as saved, to bring memory back in line after a failed
    /// save; `None` when they cannot be read (memory then stays as it is).
    fn saved_tables(&self) -> impl Future<Output = Option<MenuTables>>;
}

impl MenuStore for MenuDb {
    fn save_page<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        since: i64,
        synced: Option<SyncStamp>,
    ) -> impl Future<Output = Result<(), StorageError>> {
        self.write_page(delta, since, synced)
    }

    fn save_event<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        cursors: Cursors,
    ) -> impl Future<Output = Result<(), StorageError>> {
        self.write_event(delta, cursors)
    }

    async fn saved_tables(&self) -> Option<MenuTables> {
        self.load().await.ok().map(|stored| stored.tables)
    }
}

/// `None`: nowhere to save. Every save succeeds at once and the menu lives
/// in memory only, so a screen whose browser refuses IndexedDB still shows
/// the menu while the server is reachable.
///
/// The saves are plain functions returning [`Either`], not `async fn`s:
/// that way their future's type does not depend on the row type, and the
/// code awaiting it is compiled once rather than once per kind.
impl<S: MenuStore> MenuStore for Option<S> {
    fn save_page<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        since: i64,
        synced: Option<SyncStamp>,
    ) -> impl Future<Output = Result<(), StorageError>> {
        match self {
            Some(store) => Either::Left(store.save_page(delta, since, synced)),
            None => Either::Right(ready(Ok(()))),
        }
    }

    fn save_event<T: MasterRow + Serialize>(
        &self,
        delta: &Delta<T>,
        cursors: Cursors,
    ) -> impl Future<Output = Result<(), StorageError>> {
        match self {
            Some(store) => Either::Left(store.save_event(delta, cursors)),
            None => Either::Right(ready(Ok(()))),
        }
    }

    async fn saved_tables(&self) -> Option<MenuTables> {
        match self {
            Some(store) => store.saved_tables().await,
            None => None,
        }
    }
}

/// Where sync pages come from: the outlet server, or a stand-in in tests.
pub trait MenuSource {
    /// `GET /api/<kind>/?since_version=<since>&limit=<limit>`.
    fn page<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        since: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<T>, ApiError>>;
}

/// The outlet server this page was loaded from.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutletServer;

impl MenuSource for OutletServer {
    fn page<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        since: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<T>, ApiError>> {
        fetch_page(kind, since, limit)
    }
}

/// Brings every kind up to the server's version, page by page from each
/// kind's cursor: a full download when the cursor is 0 (first run, or after
/// `clear_menu_keep_local`), else only the changes since. Each page is saved
/// with its cursor before the next is asked for; `progress` hears after
/// each one.
pub async fn sync(
    source: &impl MenuSource,
    db: &impl MenuStore,
    tables: &RefCell<MenuTables>,
    options: &SyncOptions,
    progress: impl Fn(Progress),
) -> Result<SyncReport, SyncError> {
    let mut run = Run {
        source,
        db,
        tables,
        limit: options.limit,
        progress: SyncProgress::start(&tables.borrow()),
        report: SyncReport {
            items: 0,
            pages: 0,
            stamps: KindStamps::default(),
        },
        tell: &progress,
    };
    for kind in MasterKind::ALL {
        match kind {
            MasterKind::Products => run.kind::<Product>().await?,
            MasterKind::Categories => run.kind::<Category>().await?,
            MasterKind::Promotions => run.kind::<Promotion>().await?,
        }
    }
    Ok(run.report)
}

/// One sync run's state.
struct Run<'a, S, D, P> {
    source: &'a S,
    db: &'a D,
    tables: &'a RefCell<MenuTables>,
    limit: u32,
    progress: SyncProgress,
    report: SyncReport,
    tell: &'a P,
}

impl<S: MenuSource, D: MenuStore, P: Fn(Progress)> Run<'_, S, D, P> {
    /// Follows one kind's pages from its cursor to the end.
    async fn kind<T: TableOf + Serialize + DeserializeOwned>(&mut self) -> Result<(), SyncError> {
        let mut since = T::table(&mut self.tables.borrow_mut()).cursor;
        let mut fetched = self.source.page::<T>(T::KIND, since, self.limit).await;
        loop {
            let page = fetched?;
            let (version, received) = (page.version, page.items.len() + page.deleted.len());
            let step = T::table(&mut self.tables.borrow_mut()).apply_page(since, page)?;
            let stamp = step.next.is_none().then(|| SyncStamp {
                cursor: step.delta.cursor,
                at: now(),
            });
            // The next page is asked for while this one is saved: the
            // request needs only `next`, known now, so the server's answer
            // and IndexedDB's commit overlap instead of queueing. `join`
            // polls the save first, so its transaction still starts before
            // anything else can touch the tables.
            let save = self.db.save_page(&step.delta, since, stamp);
            let (saved, next_page) = match step.next {
                Some(next) => {
                    let ask = self.source.page::<T>(T::KIND, next, self.limit);
                    let (saved, page) = join(save, ask).await;
                    (saved, Some(page))
                }
                None => (save.await, None),
            };
            if let Err(err) = saved {
                realign(self.db, self.tables).await;
                return Err(err.into());
            }
            self.progress.record(
                T::KIND,
                version,
                step.delta.cursor,
                received,
                step.next.is_none(),
            );
            self.report.items = self.progress.items_done();
            self.report.pages = self.report.pages.saturating_add(1);
            (self.tell)(Progress {
                items_done: self.progress.items_done(),
                percent: self.progress.percent(),
            });
            match (step.next, next_page) {
                (Some(next), Some(page)) => {
                    since = next;
                    fetched = page;
                }
                _ => {
                    self.report.stamps.set(T::KIND, stamp);
                    return Ok(());
                }
            }
        }
    }
}

/// Applies a socket message: master-data events go through the core's
/// event rule and are saved; `connected` says whether the server's version
/// is ahead (a sync is due); anything else is not ours.
pub async fn apply_message(
    db: &impl MenuStore,
    tables: &RefCell<MenuTables>,
    message: &ServerMessage,
) -> Result<EventResult, StorageError> {
    use ServerMessage as M;
    match message {
        M::Connected { master_version, .. } => Ok(if tables.borrow().is_behind(*master_version) {
            EventResult::NeedsSync
        } else {
            EventResult::Stale
        }),
        M::ProductCreated(event) | M::ProductUpdated(event) => {
            apply(db, tables, Change::Upsert(event.product.clone())).await
        }
        M::ProductDeleted(event) => {
            let change = Change::<Product>::Delete {
                id: event.product_id.clone(),
                version: event.version,
            };
            apply(db, tables, change).await
        }
        M::CategoryCreated(event) | M::CategoryUpdated(event) => {
            apply(db, tables, Change::Upsert(event.category.clone())).await
        }
        M::CategoryDeleted(event) => {
            let change = Change::<Category>::Delete {
                id: event.category_id.clone(),
                version: event.version,
            };
            apply(db, tables, change).await
        }
        M::PromotionCreated(event) | M::PromotionUpdated(event) => {
            apply(db, tables, Change::Upsert(event.promotion.clone())).await
        }
        M::PromotionDeleted(event) => {
            let change = Change::<Promotion>::Delete {
                id: event.promotion_id.clone(),
                version: event.version,
            };
            apply(db, tables, change).await
        }
        _ => Ok(EventResult::NotMasterData),
    }
}

async fn apply<T: TableOf + Serialize>(
    db: &impl MenuStore,
    tables: &RefCell<MenuTables>,
    change: Change<T>,
) -> Result<EventResult, StorageError> {
    let (outcome, cursors) = {
        let mut tables = tables.borrow_mut();
        let outcome = tables.apply_event(change);
        (outcome, Cursors::of(&tables))
    };
    match outcome {
        EventOutcome::Applied(delta) => {
            saved(db, tables, T::KIND, db.save_event(&delta, cursors)).await
        }
        EventOutcome::Stale => Ok(EventResult::Stale),
        EventOutcome::Gap => Ok(EventResult::NeedsSync),
    }
}

/// What an event applied in memory comes to once `save` has run. Apart
/// from [`apply`] so that this part is compiled once, not once per kind.
async fn saved(
    db: &impl MenuStore,
    tables: &RefCell<MenuTables>,
    kind: MasterKind,
    save: impl Future<Output = Result<(), StorageError>>,
) -> Result<EventResult, StorageError> {
    match save.await {
        Ok(()) => Ok(EventResult::Applied(kind)),
        Err(err) => {
            realign(db, tables).await;
            match err {
                StorageError::OutOfStep => Ok(EventResult::NeedsSync),
                other => Err(other),
            }
        }
    }
}

/// After a failed write memory is ahead of the disk; reading the disk back
/// makes them agree, and the next sync fetches the difference. If even the
/// read fails, memory stays as it is: the screen keeps showing a menu.
async fn realign(db: &impl MenuStore, tables: &RefCell<MenuTables>) {
    if let Some(saved) = db.saved_tables().await {
        *tables.borrow_mut() = saved;
    }
}

/// This device's clock, for the sync stamp.
fn now() -> Timestamp {
    // `Date.now()` is whole milliseconds well inside i64; out-of-range only
    // on a broken clock, which then reads as the epoch (a stale menu).
    Timestamp::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod memory_only;
