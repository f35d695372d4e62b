//! Keeping a device's copy of the menu in step with the outlet server: the
//! merge rules for sync pages and live master-data events.
//!
//! The server has one master version for all three kinds; every create,
//! update and delete takes the next number and stamps exactly one row (or
//! tombstone) with it. A device keeps, per kind, the rows it has and a
//! **cursor**: the version up to which it knows every change of that kind.
//!
//! - A sync page (`GET /api/<kind>/?since_version=<cursor>`) moves the kind's
//!   cursor to the last row's version while `has_more`, and to the page's
//!   `version` (the server's current one) on the last page.
//! - A live event with version `v` for kind `K` is **stale** when `K`'s
//!   cursor is already at or past `v`. It is **next** when every kind's
//!   cursor is at least `v - 1`: then nothing before `v` is missing anywhere,
//!   and since `v` stamps only this one row, every kind is complete through
//!   `v` once it is applied. Otherwise a change is missing (a **gap**): the
//!   event is not applied and the caller runs an incremental sync instead.
//! - A row never replaces a newer copy of itself, so pages and events may
//!   interleave in any order and the table still converges to what a full
//!   download gives.
//!
//! Local-only fields (stock the device counts, favourites) are not in these
//! rows at all: the device keeps them beside the rows ([`LocalFields`]),
//! keyed by id, and nothing here ever writes them, so no sync, event or full
//! re-download can overwrite them.
//!
//! Every merge returns the [`Delta`] to persist, so the storage adapter can
//! write rows and the new cursor in one transaction.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use ticketrail_protocol::{Category, MasterKind, Page, Product, Promotion, Timestamp};

/// A master-data row: what the merge rules need to know of it.
pub trait MasterRow: Clone {
    /// Which of the three kinds this is.
    const KIND: MasterKind;
    /// The row's id.
    fn id(&self) -> &str;
    /// The master version of its last change.
    fn version(&self) -> i64;
}

impl MasterRow for Product {
    const KIND: MasterKind = MasterKind::Products;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl MasterRow for Category {
    const KIND: MasterKind = MasterKind::Categories;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl MasterRow for Promotion {
    const KIND: MasterKind = MasterKind::Promotions;
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

/// Fields a device keeps for itself about a product; never sent by the
/// server, never touched by a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalFields {
    /// Stock the device counts itself, if it counts.
    #[serde(default)]
    pub stock: Option<i64>,
    /// Staff marked it as a favourite.
    #[serde(default)]
    pub favourite: bool,
}

/// One kind's rows and cursor, as a device holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindTable<T> {
    /// Every change of this kind up to this master version is in `rows`.
    pub cursor: i64,
    /// Live rows by id.
    pub rows: BTreeMap<String, T>,
}

impl<T> Default for KindTable<T> {
    fn default() -> Self {
        Self {
            cursor: 0,
            rows: BTreeMap::new(),
        }
    }
}

/// What one merge changed: write these in one transaction with the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta<T> {
    /// Rows to put (new or newer than the stored copy).
    pub upserts: Vec<T>,
    /// Ids to delete.
    pub deletes: Vec<String>,
    /// The kind's cursor after the merge.
    pub cursor: i64,
}

/// The outcome of one sync page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStep<T> {
    /// What to persist.
    pub delta: Delta<T>,
    /// `since_version` of the next page, or `None` when this was the last.
    pub next: Option<i64>,
}

/// A sync page the merge refuses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PageError {
    /// `has_more` without a row to continue from, or with a last row that
    /// does not move past the cursor: following it would loop forever.
    #[error("the server's {0} page says there is more but does not move forward")]
    Stuck(&'static str),
}

impl<T: MasterRow> KindTable<T> {
    /// Applies one page fetched with `since_version = since` (the table's
    /// cursor for the first page, then each [`PageStep::next`]).
    ///
    /// The cursor only moves forward: a live event applied while the page
    /// was in flight may already have taken it past this page.
    pub fn apply_page(&mut self, since: i64, page: Page<T>) -> Result<PageStep<T>, PageError> {
        let (reached, next) = if page.has_more {
            match page.items.last() {
                Some(last) if last.version() > since => (last.version(), Some(last.version())),
                _ => return Err(PageError::Stuck(T::KIND.singular())),
            }
        } else {
            (page.version, None)
        };
        let mut delta = Delta {
            upserts: Vec::new(),
            deletes: Vec::new(),
            cursor: self.cursor.max(reached),
        };
        // The page shows the server as it was up to `reached`. If live events
        // already took the cursor there, the table knows all of it and more:
        // a tombstone in the page could be older than a re-created row the
        // table now holds, so the page must not be applied.
        if reached <= self.cursor {
            return Ok(PageStep { delta, next });
        }
        self.cursor = reached;
        for row in page.items {
            if self.upsert(&row) {
                delta.upserts.push(row);
            }
        }
        for id in page.deleted {
            // The id was deleted when the server read the page, after any
            // copy this table can hold (those are at or below the old cursor).
            if self.rows.remove(&id).is_some() {
                delta.deletes.push(id);
            }
        }
        Ok(PageStep { delta, next })
    }

    /// Stores `row` unless the table already holds this or a newer version
    /// of it; true when it was stored.
    fn upsert(&mut self, row: &T) -> bool {
        match self.rows.get(row.id()) {
            Some(held) if held.version() >= row.version() => false,
            _ => {
                self.rows.insert(row.id().to_owned(), row.clone());
                true
            }
        }
    }
}

/// A live master-data change, as the socket delivers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// Created or updated: the row in its new state.
    Upsert(T),
    /// Deleted: the id, and the version of the deletion.
    Delete {
        /// Id of the deleted row.
        id: String,
        /// Master version of the deletion.
        version: i64,
    },
}

impl<T: MasterRow> Change<T> {
    fn version(&self) -> i64 {
        match self {
            Change::Upsert(row) => row.version(),
            Change::Delete { version, .. } => *version,
        }
    }
}

/// What became of a live event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome<T> {
    /// Applied: persist the delta (and move every kind's cursor to
    /// `cursor`, see [`MenuTables::apply_event`]).
    Applied(Delta<T>),
    /// Already known (an echo of a sync, or a replay): nothing to do.
    Stale,
    /// A change before this one is missing: run an incremental sync, which
    /// brings this change too.
    Gap,
}

/// The three kinds together, since events are ordered across kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MenuTables {
    /// Products.
    pub products: KindTable<Product>,
    /// Categories.
    pub categories: KindTable<Category>,
    /// Promotions.
    pub promotions: KindTable<Promotion>,
}

/// Gives access to the table of one kind inside [`MenuTables`].
pub trait TableOf: MasterRow {
    /// This kind's table.
    fn table(tables: &mut MenuTables) -> &mut KindTable<Self>;
}

impl TableOf for Product {
    fn table(tables: &mut MenuTables) -> &mut KindTable<Self> {
        &mut tables.products
    }
}

impl TableOf for Category {
    fn table(tables: &mut MenuTables) -> &mut KindTable<Self> {
        &mut tables.categories
    }
}

impl TableOf for Promotion {
    fn table(tables: &mut MenuTables) -> &mut KindTable<Self> {
        &mut tables.promotions
    }
}

impl MenuTables {
    /// The lowest cursor: the device knows every change of every kind up
    /// to this version.
    pub fn complete_through(&self) -> i64 {
        self.products
            .cursor
            .min(self.categories.cursor)
            .min(self.promotions.cursor)
    }

    /// True when the server's master version (from the socket's `connected`
    /// message) is past what the device holds: some change was missed while
    /// the socket was down, so an incremental sync is due.
    pub fn is_behind(&self, server_version: i64) -> bool {
        self.complete_through() < server_version
    }

    /// Applies a live event for kind `T`, or says it is stale or follows a
    /// gap. When applied, every kind's cursor becomes at least the event's
    /// version (the event's version stamps only this row, so no other kind
    /// changed at it); persist all three cursors with the delta.
    pub fn apply_event<T: TableOf>(&mut self, change: Change<T>) -> EventOutcome<T> {
        let version = change.version();
        if T::table(self).cursor >= version {
            return EventOutcome::Stale;
        }
        if !follows(self.complete_through(), version) {
            return EventOutcome::Gap;
        }
        let table = T::table(self);
        let mut delta = Delta {
            upserts: Vec::new(),
            deletes: Vec::new(),
            cursor: version,
        };
        match change {
            Change::Upsert(row) => {
                if table.upsert(&row) {
                    delta.upserts.push(row);
                }
            }
            Change::Delete { id, .. } => {
                if table.rows.remove(&id).is_some() {
                    delta.deletes.push(id);
                }
            }
        }
        for cursor in [
            &mut self.products.cursor,
            &mut self.categories.cursor,
            &mut self.promotions.cursor,
        ] {
            *cursor = (*cursor).max(version);
        }
        EventOutcome::Applied(delta)
    }
}

/// True when a change stamped `version` can be applied on top of a store
/// that holds every change of every kind up to `complete_through`: nothing
/// between them is missing. The storage adapter checks the same rule against
/// what is on disk, so a failed earlier write can never leave the disk
/// claiming changes it does not hold.
pub fn follows(complete_through: i64, version: i64) -> bool {
    // Saturating: a version straight off the wire may be any i64.
    complete_through >= version.saturating_sub(1)
}

/// True when a sync page fetched with `since_version = since` can be written
/// on top of a stored kind whose cursor is `stored_cursor`: the store
/// already holds everything up to `since`, so after the page it holds
/// everything up to the page's end.
pub fn page_fits(stored_cursor: i64, since: i64) -> bool {
    since <= stored_cursor
}

/// When the menu was last known to be complete, for the staleness notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStamp {
    /// Cursor reached by that sync.
    pub cursor: i64,
    /// Device time the sync finished.
    pub at: Timestamp,
}

/// The last successful sync of each kind (`None`: never synced).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindStamps {
    /// Products.
    pub products: Option<SyncStamp>,
    /// Categories.
    pub categories: Option<SyncStamp>,
    /// Promotions.
    pub promotions: Option<SyncStamp>,
}

impl KindStamps {
    /// The stamp of `kind`.
    pub fn get(&self, kind: MasterKind) -> Option<SyncStamp> {
        match kind {
            MasterKind::Products => self.products,
            MasterKind::Categories => self.categories,
            MasterKind::Promotions => self.promotions,
        }
    }

    /// Records the stamp of `kind`.
    pub fn set(&mut self, kind: MasterKind, stamp: Option<SyncStamp>) {
        match kind {
            MasterKind::Products => self.products = stamp,
            MasterKind::Categories => self.categories = stamp,
            MasterKind::Promotions => self.promotions = stamp,
        }
    }

    /// The menu is as fresh as its stalest kind: a price list synced now is
    /// no comfort when the promotions are a week old. `None` while any kind
    /// has never synced.
    pub fn menu_stamp(&self) -> Option<SyncStamp> {
        let stamps = [self.products?, self.categories?, self.promotions?];
        stamps.into_iter().min_by_key(|stamp| stamp.at)
    }
}

/// Whole minutes since `stamp`, and whether that is longer than `limit`
/// (the staff area warns then; a limit of zero warns as soon as any time
/// has passed). `None` when the device never synced.
pub fn staleness(stamp: Option<SyncStamp>, now: Timestamp, limit: TimeDelta) -> Staleness {
    match stamp {
        None => Staleness::Never,
        Some(stamp) => {
            // A clock moved backwards reads as "just now", not negative.
            let elapsed = (now - stamp.at).max(TimeDelta::zero());
            Staleness::Synced {
                minutes: elapsed.num_minutes(),
                too_old: elapsed > limit,
            }
        }
    }
}

/// How fresh the device's menu is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staleness {
    /// No sync has ever completed on this device.
    Never,
    /// The last sync finished `minutes` ago.
    Synced {
        /// Whole minutes since then.
        minutes: i64,
        /// Older than the configured limit.
        too_old: bool,
    },
}

mod progress;

pub use progress::SyncProgress;

// Generators and the convergence property live in their own file to keep
// this one about the rules.
#[cfg(test)]
mod tests;
