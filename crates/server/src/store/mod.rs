//! Persistence: every SQL statement of the server lives below this module,
//! behind [`Store`]. Handlers speak in protocol types (orders, menu rows,
//! pages) and never see a connection.
//!
//! Writes go through one writer task, on its own thread, that owns the only
//! write connection and commits in groups (see the `writer` module); reads use a
//! small read-only pool that WAL lets run alongside the writer. The writer also keeps the in-memory
//! state that must move in step with commits: each outlet's current feed
//! `seq`, the master version, and the menu it prices orders from. The
//! schema comes from the migrations in `crates/server/migrations/`, applied
//! on open (see the `schema` module).
//!
//! # Where a PostgreSQL backend plugs in
//!
//! `Store` is the seam. Handlers only call its methods and get protocol
//! types or a [`StoreError`] back, and no sqlx type crosses it:
//! [`StoreError::Database`] keeps a backend's error as text, so the error
//! boundary (`crate::error`) is the same whichever database answered. A
//! PostgreSQL backend is a second implementation of these methods, with its
//! own connection pool and its own migrations folder (sqlx's `Migrator` runs
//! the same way on PostgreSQL; SQL dialects differ, so the folders cannot
//! be shared); `Store` then holds one backend or the other and forwards each
//! method. What it must keep is what callers rely on here: an answer comes
//! after the commit, `client_order_id` and `request_id` make writes
//! idempotent, each outlet's `seq` grows in commit order, and every commit is
//! published on the `Hub`. The black-box tests in `crates/server/tests`
//! speak HTTP only, so they hold either backend to it.

mod access;
mod access_ops;
mod checkpoint;
mod codec;
mod master;
mod menu;
mod orders;
mod outlets;
pub mod provision;
mod rows;
mod schema;
mod seed;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;
use thiserror::Error;
use ticketrail_protocol::{
    MasterKind, Order, OrderEventKind, Page, PlaceOrder, StatusChange, Timestamp,
};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::events::Hub;
use menu::Menu;
use outlets::Outlets;
use writer::{Command, Op, Outcome, Request, Writer};

pub use access::{Credential, CredentialKind, NewPairingCode, User};
pub use access_ops::{AccessOutcome, AccessWrite};
pub use master::{MasterChange, MasterInput, MasterOutcome, MasterRow, MasterWrite};
pub use outlets::{NewOutlet, Outlet, OutletProfile, Zone};
pub use seed::Seed;

/// How many commands may wait for the writer before callers are slowed down.
const QUEUE_CAPACITY: usize = 4096;
/// Read connections; WAL readers do not block the writer or each other.
const READ_CONNECTIONS: u32 = 4;
/// How long a statement waits on a lock (checkpoints) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a store operation failed. The first five are the caller's fault and
/// become 4xx answers; the rest are the server's and stay in its log.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The order, outlet or row does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The write clashes with existing data (live id, reused request id).
    #[error("{0}")]
    Conflict(String),
    /// The input refers to something that does not exist or cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// An order line names an unknown or inactive product.
    #[error("{0}")]
    UnknownProduct(String),
    /// The order state machine refuses the status change.
    #[error("{0}")]
    InvalidTransition(String),
    /// The writer has shut down.
    #[error("the store is closed")]
    Closed,
    /// The database refused a statement; the backend's own error, as text
    /// (see the `From<sqlx::Error>` impl below).
    #[error("database error: {0}")]
    Database(String),
    /// The batch this command was part of could not be committed.
    #[error("the write could not be committed")]
    BatchFailed,
    /// A stored value could not be decoded.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The writer thread could not be started.
    #[error("the writer could not be started: {0}")]
    Start(String),
    /// The schema could not be brought up to date (a migration failed, or
    /// an applied one differs from this build's); nothing was changed.
    #[error("the database could not be upgraded: {0}")]
    Migration(String),
    /// The file was written by a newer build; it is left untouched.
    #[error(
        "the database was written by a newer build (schema version {found}; this build \
         knows up to {supported}) and is left untouched; run that build or a later one"
    )]
    SchemaVersion {
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
}

/// Every backend error becomes [`StoreError::Database`]: callers only learn
/// that the server failed (a 500, logged), exactly as when the variant held
/// the `sqlx::Error` itself. Conditions a client must hear about, such as a
/// live id reused, are checked for before writing and reported as
/// [`StoreError::Conflict`] and friends, never read back from a constraint
/// violation; so nothing is lost by keeping only the text.
impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

/// The answer to placing an order.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The order (the stored one for a replay).
    pub order: Order,
    /// False when `client_order_id` was already known (idempotent replay).
    pub created: bool,
}

/// An order as the feed and catch-up show it: its latest state plus the kind
/// of its latest change, so a snapshot is sent with the right event `type`.
#[derive(Debug, Clone)]
pub struct OrderSnapshot {
    /// The kind of the order's latest change.
    pub kind: OrderEventKind,
    /// The order after that change.
    pub order: Order,
}

/// Which orders an `after` query returns.
#[derive(Debug, Clone, Copy)]
pub enum FeedScope {
    /// Every order whose latest change has `seq` > the cursor.
    Changes,
    /// A fresh screen's board: open orders plus orders closed since
    /// `closed_since`.
    Board {
        /// Orders closed before this instant are left out.
        closed_since: Timestamp,
    },
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    read: SqlitePool,
    /// Stops the background checkpoints.
    checkpoints: CancellationToken,
    commands: mpsc::Sender<Request>,
    outlets: Arc<Outlets>,
    master_version: Arc<AtomicI64>,
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path`, seeds it with
    /// `seed` if it is empty, and starts the writer, which publishes every
    /// committed change on `hub`.
    pub async fn open(path: &Path, seed: Option<&Seed>, hub: Hub) -> Result<Store, StoreError> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // WAL lets readers run beside the writer; FULL syncs the WAL on every
        // commit, so an acknowledged write survives a power cut. Checkpoints
        // happen in the background (see `checkpoint`), not inside commits.
        let write = base
            .clone()
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let mut conn = write
            .clone()
            .create_if_missing(true)
            .pragma("wal_autocheckpoint", "0")
            .connect()
            .await?;
        schema::migrate(&mut conn).await?;
        if let Some(seed) = seed {
            seed::apply_if_empty(&mut conn, seed).await?;
        }
        let outlets = Arc::new(Outlets::new(outlets::load_all(&mut conn).await?));
        let master_version = Arc::new(AtomicI64::new(master::current_version(&mut conn).await?));
        let (products, promotions) = master::load_live(&mut conn).await?;
        let menu = Menu::new(products, promotions);
        let checkpoints = CancellationToken::new();
        tokio::spawn(checkpoint::run(write.connect().await?, checkpoints.clone()));
        let read = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(base.read_only(true))
            .await?;
        let (commands, queue) = mpsc::channel(QUEUE_CAPACITY);
        let writer = Writer::new(conn, menu, outlets.clone(), master_version.clone(), hub);
        // The writer gets a thread and runtime of its own: on the shared
        // runtime each of its many small awaits (one per statement) would
        // queue behind the socket tasks a busy outlet wakes.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Start(e.to_string()))?;
        std::thread::Builder::new()
            .name("ticketrail-writer".into())
            .spawn(move || runtime.block_on(writer.run(queue)))
            .map_err(|e| StoreError::Start(e.to_string()))?;
        Ok(Store {
            inner: Arc::new(Inner {
                read,
                checkpoints,
                commands,
                outlets,
                master_version,
            }),
        })
    }

    /// Finishes every queued write, checkpoints and closes the database.
    /// Later writes fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        self.inner.checkpoints.cancel();
        let (done, finished) = oneshot::channel();
        if self.inner.commands.send(Request::Close(done)).await.is_ok() {
            let _ = finished.await;
        }
        self.inner.read.close().await;
    }

    /// The current master version (0 for an empty menu).
    pub fn master_version(&self) -> i64 {
        self.inner.master_version.load(Ordering::Acquire)
    }

    /// The outlet with `id` among those this process knows.
    pub fn outlet(&self, id: &str) -> Option<Arc<Outlet>> {
        self.inner.outlets.get(id)
    }

    /// The outlet with `id`, also if another process (`ticketrail-server
    /// outlet add`) created it since this one started.
    pub async fn find_outlet(&self, id: &str) -> Result<Option<Arc<Outlet>>, StoreError> {
        if let Some(outlet) = self.outlet(id) {
            return Ok(Some(outlet));
        }
        let mut conn = self.inner.read.acquire().await?;
        self.inner.outlets.find(&mut conn, id).await
    }

    /// Every outlet, by id.
    pub fn outlets(&self) -> Vec<Arc<Outlet>> {
        self.inner.outlets.all()
    }

    /// Every outlet, by id, also those another process (`ticketrail-server
    /// outlet add`) created since this one started.
    pub async fn current_outlets(&self) -> Result<Vec<Arc<Outlet>>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        self.inner.outlets.all_current(&mut conn).await
    }

    /// Runs an access write (outlets, pairing, tokens, people).
    pub async fn access(&self, write: AccessWrite) -> Result<AccessOutcome, StoreError> {
        match self.run(Op::Access(write)).await? {
            Outcome::Access(outcome) => Ok(outcome),
            other => Err(mismatch(&other)),
        }
    }

    /// The credential whose token hashes to `token_hash`, revoked or not.
    pub async fn credential_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<Credential>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        access::credential_by_hash(&mut conn, token_hash).await
    }

    /// The credential with `id`, revoked or not.
    pub async fn credential(&self, id: &str) -> Result<Option<Credential>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        access::credential_by_id(&mut conn, id).await
    }

    /// The device credentials of `outlet_id`, or of every outlet.
    pub async fn devices(&self, outlet_id: Option<&str>) -> Result<Vec<Credential>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        access::devices(&mut conn, outlet_id).await
    }

    /// The person with `username`.
    pub async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        access::user_by_name(&mut conn, username).await
    }

    /// How many people can log in (none: the server is not set up yet).
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        access::user_count(&mut conn).await
    }

    /// Rows of `kind` changed after master version `since`, at most `limit`,
    /// plus the tombstones of the same window (see `PROTOCOL.md`).
    pub async fn page(
        &self,
        kind: MasterKind,
        since: i64,
        limit: u32,
    ) -> Result<Page<MasterRow>, StoreError> {
        // One read transaction, so the version, rows and tombstones come
        // from the same snapshot.
        let mut tx = self.inner.read.begin().await?;
        let page = master::page(&mut tx, kind, since, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Every master change (all kinds) after version `since`, ascending.
    pub async fn master_changes_after(&self, since: i64) -> Result<Vec<MasterChange>, StoreError> {
        let mut tx = self.inner.read.begin().await?;
        let changes = master::changes_after(&mut tx, since).await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// Orders of `outlet_id` in `scope` whose seq is above `after`, ascending
    /// by seq, at most `limit` of them (`None`: all).
    pub async fn orders_after(
        &self,
        outlet_id: &str,
        after: i64,
        scope: FeedScope,
        limit: Option<u32>,
    ) -> Result<Vec<OrderSnapshot>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        orders::after(&mut conn, outlet_id, after, scope, limit).await
    }

    /// The outlet of order `order_id`, if the order exists.
    pub async fn order_outlet(&self, order_id: i64) -> Result<Option<String>, StoreError> {
        let mut conn = self.inner.read.acquire().await?;
        orders::outlet_of(&mut conn, order_id).await
    }

    /// Places an order, or returns the stored one when its
    /// `client_order_id` is known. The answer comes after the commit.
    pub async fn place_order(&self, input: PlaceOrder) -> Result<Placed, StoreError> {
        match self.run(Op::Place(input)).await? {
            Outcome::Placed(placed) => Ok(placed),
            other => Err(mismatch(&other)),
        }
    }

    /// Applies a status change to order `order_id` (idempotent by
    /// `request_id`) and returns the order afterwards.
    pub async fn change_status(
        &self,
        order_id: i64,
        change: StatusChange,
    ) -> Result<Order, StoreError> {
        match self.run(Op::Status { order_id, change }).await? {
            Outcome::Status { order, .. } => Ok(order),
            other => Err(mismatch(&other)),
        }
    }

    /// Creates, updates or deletes a menu row.
    pub async fn write_master(&self, write: MasterWrite) -> Result<MasterOutcome, StoreError> {
        match self.run(Op::Master(write)).await? {
            Outcome::Master(outcome) => Ok(outcome),
            other => Err(mismatch(&other)),
        }
    }

    async fn run(&self, op: Op) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .commands
            .send(Request::Run(Command { op, reply }))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

/// The writer answers each command with its own outcome kind; anything else
/// is a bug, reported as an internal error rather than a panic.
fn mismatch(outcome: &Outcome) -> StoreError {
    StoreError::Corrupt(format!(
        "writer answered with an unexpected outcome: {}",
        outcome.name()
    ))
}

#[cfg(test)]
mod tests;
