//! The device's IndexedDB (through `rexie`): the menu the kiosk reads
//! offline, the cursors that say how complete it is, and the fields the
//! device keeps for itself.
//!
//! One database, [`DB_NAME`], laid out as [`SCHEMA_VERSION`] describes: a
//! store per master-data kind holding a log of change sets (one record per
//! sync page or live event, replayed on load and compacted when it grows;
//! see `records` for why not one record per row), `meta` (per kind: the
//! cursor and the last successful sync) and `local` ([`LocalFields`] by
//! product id, which no sync ever writes). The merge decisions come from
//! `ticketrail_core::menu_sync`; this module only persists their results,
//! under three rules:
//!
//! - rows and the cursor that describes them are written in one
//!   transaction, so a crash or a failed write never leaves them out of step;
//! - before writing, a transaction checks that the stored cursors are where
//!   the change starts (the core's `follows` / `page_fits`), so a store that
//!   missed an earlier write refuses later ones instead of claiming rows it
//!   does not hold;
//! - [`MenuDb::open`] rebuilds a database of another layout or with a record
//!   this build cannot read, keeping local fields that still read, and says
//!   so with an [`OpenNotice`] instead of failing.
//!
//! The kitchen's saved order feed is a second, separate database
//! ([`feed`]): it has nothing to do with the menu's and is rebuilt by other
//! rules.
//!
//! [`LocalFields`]: ticketrail_core::menu_sync::LocalFields

pub mod feed;
mod menu_db;
mod open;
mod records;
mod schema;

pub use menu_db::{Cursors, MenuDb, StoredMenu};
pub use open::{OpenNotice, Opened};
pub use schema::{DB_NAME, SCHEMA_VERSION};

/// Why the menu storage failed. The text is meant for restaurant staff; the
/// detail in parentheses is the browser's own, for whoever reads the logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// IndexedDB could not be opened (private browsing, disk full, blocked
    /// by the browser) or the connection is gone.
    #[error("This screen cannot use its offline menu storage ({0}). Check that the browser is not in private mode and the disk has space.")]
    Unavailable(String),
    /// Reading the saved menu failed.
    #[error("Reading the menu saved on this screen failed ({0}).")]
    Read(String),
    /// A write failed and was rolled back: nothing of it was saved.
    #[error("Saving the menu on this screen failed ({0}); it will be downloaded again.")]
    Write(String),
    /// A saved record cannot be read by this build. Opening the storage
    /// again rebuilds it.
    #[error("The menu saved on this screen is damaged ({0}); restart the screen to rebuild it.")]
    Corrupt(String),
    /// The saved menu is not where this change starts (an earlier write
    /// failed); nothing was written, and a sync brings it up to date.
    #[error("The menu saved on this screen is behind; it will be downloaded again.")]
    OutOfStep,
    /// A row could not be turned into a record (a number beyond what the
    /// browser stores exactly).
    #[error("A menu item could not be saved on this screen ({0}).")]
    Encode(String),
}

/// The browser's words for a `rexie` failure: its own `Display` only says
/// "idb error".
fn detail(err: rexie::Error) -> String {
    match err {
        rexie::Error::IdbError(inner) => inner.to_string(),
        other => other.to_string(),
    }
}
