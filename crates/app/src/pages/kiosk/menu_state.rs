//! The kiosk's menu on the device: read from IndexedDB at start, kept in
//! step with the outlet server, handed to the screen as a [`Catalog`].
//!
//! The screen never reads the menu from the network. At mount the stored
//! menu is opened and loaded into memory ([`MenuTables`]) and, if it is
//! complete, shown at once, online or not. Then a sync runs
//! ([`menu_sync::sync`]: a full download the first time, only the changes
//! afterwards), and again whenever something says the device may be behind:
//! the browser regaining the network (`online`), the live feed reconnecting
//! with a newer master version (`connected`), or a live event that follows
//! a gap. Live events in step are applied as they come
//! ([`menu_sync::apply_message`]) and the screen is redrawn without a
//! reload.
//!
//! Syncs never overlap: a request while one runs is remembered and served
//! by one more run when it ends. A `connected` heard during a run only
//! notes the server's version: the run ends there anyway, and another
//! follows only if it ended short of that version. "Re-download menu" is such a request that
//! first empties the store. A new [`Catalog`] is built only from a complete
//! menu (every kind synced at least once, see `KindStamps::menu_stamp`), so
//! a first download or a re-download in progress never shows half a menu;
//! until it finishes the screen keeps what it had.
//!
//! When IndexedDB cannot be used at all the menu lives in memory only and
//! the kiosk says so ([`StorageNotice::Unavailable`]); when the store had to
//! be rebuilt it says that too ([`StorageNotice::Rebuilt`]).

use std::{
    cell::{Cell, OnceCell, RefCell},
    rc::Rc,
    sync::Arc,
    task::{Poll, Waker},
    time::Duration,
};

use futures_util::future::poll_fn;

use leptos::{ev, prelude::*, task::spawn_local};
use serde_json::json;
use ticketrail_core::menu_sync::{KindStamps, MenuTables};
use ticketrail_protocol::{MasterKind, ServerMessage};

use super::{catalog::Catalog, perf};
use crate::{
    live::LiveFeed,
    menu_sync::{self, EventResult, OutletServer, SyncError, SyncOptions},
    storage::{Cursors, MenuDb, OpenNotice, StorageError},
};

/// Where the current or last sync run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStatus {
    /// None has started yet (the stored menu is still being read).
    Idle,
    /// Running: rows and tombstones received so far and a percentage.
    Running {
        /// Started without a complete menu: a first download or a
        /// re-download, so the screen shows a progress bar.
        full: bool,
        /// Items received so far.
        items: u64,
        /// 0 to 100.
        percent: u8,
    },
    /// The last run brought the menu up to the server's version.
    Done {
        /// It was a whole download.
        full: bool,
        /// Items it received.
        items: u64,
    },
    /// The last run stopped; what it saved stays saved.
    Failed(SyncError),
}

/// Why the kiosk tells staff about its storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageNotice {
    /// The stored menu was unreadable or of another app version, and was
    /// rebuilt; it is being downloaded again.
    Rebuilt(OpenNotice),
    /// IndexedDB cannot be used: the menu is kept in memory only and needs
    /// the network at every start.
    Unavailable(StorageError),
}

/// The kiosk's handle on its menu, cheap to copy into handlers.
#[derive(Clone, Copy)]
pub struct MenuState {
    /// The current or last sync run.
    pub sync: RwSignal<SyncStatus>,
    /// The last successful sync of each kind (staleness).
    pub stamps: RwSignal<KindStamps>,
    /// Storage trouble to show, until dismissed.
    pub notice: RwSignal<Option<StorageNotice>>,
    /// Whether the stored menu has been read, so "nothing stored" is known.
    pub opened: RwSignal<bool>,
    /// Whether the menu is saved on this device (false: memory only).
    pub saved: RwSignal<bool>,
    engine: StoredValue<Rc<Engine>, LocalStorage>,
}

/// The state behind [`MenuState`] that is not shown: the store, the tables
/// in memory and the bookkeeping that keeps syncs from overlapping.
struct Engine {
    /// Set once the stored menu has been read: the database, or `None`
    /// when IndexedDB is unusable. Nothing syncs or applies before.
    store: OnceCell<Option<MenuDb>>,
    tables: RefCell<MenuTables>,
    running: Cell<bool>,
    /// A sync was asked for while one ran.
    again: Cell<bool>,
    /// The highest master version a `connected` reported.
    server_version: Cell<i64>,
    /// The next run empties the store first.
    redownload: Cell<bool>,
    /// A catalog rebuild is queued (events come in bursts).
    rebuild_queued: Cell<bool>,
    sync: RwSignal<SyncStatus>,
    stamps: RwSignal<KindStamps>,
    /// Shows a new catalog (the kiosk also reconciles the cart with it).
    install: Box<dyn Fn(Arc<Catalog>)>,
    /// Callers of [`MenuState::sync_now`] waiting for the runs to end.
    waiters: RefCell<Vec<Rc<Waiter>>>,
}

/// One [`MenuState::sync_now`] waiting: the outcome, once known, and the
/// task to wake then.
#[derive(Default)]
struct Waiter {
    outcome: Cell<Option<bool>>,
    waker: RefCell<Option<Waker>>,
}

impl Waiter {
    /// Settles the wait (the first outcome wins) and wakes the waiting task.
    fn settle(&self, synced: bool) {
        if self.outcome.get().is_none() {
            self.outcome.set(Some(synced));
        }
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

impl MenuState {
    /// Starts the kiosk's menu: opens the store, shows what it holds
    /// through `install`, syncs, and follows the live feed and the network
    /// for the life of the calling component.
    pub fn start(install: impl Fn(Arc<Catalog>) + 'static) -> Self {
        let sync = RwSignal::new(SyncStatus::Idle);
        let stamps = RwSignal::new(KindStamps::default());
        let engine = Rc::new(Engine {
            store: OnceCell::new(),
            tables: RefCell::new(MenuTables::default()),
            running: Cell::new(false),
            again: Cell::new(false),
            server_version: Cell::new(0),
            redownload: Cell::new(false),
            rebuild_queued: Cell::new(false),
            sync,
            stamps,
            install: Box::new(install),
            waiters: RefCell::new(Vec::new()),
        });
        let state = Self {
            sync,
            stamps,
            notice: RwSignal::new(None),
            opened: RwSignal::new(false),
            saved: RwSignal::new(false),
            engine: StoredValue::new_local(Rc::clone(&engine)),
        };
        spawn_local(state.open(engine));
        state.follow_live_feed();
        state.follow_network();
        state
    }

    /// Brings the menu up to date now (or right after the running sync).
    pub fn refresh(&self) {
        if let Some(engine) = self.engine() {
            request_sync(&engine);
        }
    }

    /// Brings the menu up to date now and waits for it: true when the
    /// sync reached the server's version within `limit` (the new menu is
    /// then installed, cart reconciled), false when it failed, took longer,
    /// or the stored menu is not read yet. The place-order check uses it to
    /// see prices as the server has them just before sending.
    pub async fn sync_now(&self, limit: Duration) -> bool {
        let Some(engine) = self.engine() else {
            return false;
        };
        if engine.store.get().is_none() {
            return false;
        }
        let waiter = Rc::new(Waiter::default());
        engine.waiters.borrow_mut().push(Rc::clone(&waiter));
        request_sync(&engine);
        let late = Rc::clone(&waiter);
        let timer = set_timeout_with_handle(move || late.settle(false), limit).ok();
        let synced = poll_fn(|cx| match waiter.outcome.get() {
            Some(synced) => Poll::Ready(synced),
            None => {
                *waiter.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
        if let Some(timer) = timer {
            timer.clear();
        }
        synced
    }

    /// Staff's "Re-download menu": empties the stored menu (local fields
    /// stay) and downloads it whole. The screen keeps the menu it shows
    /// until the download completes.
    pub fn redownload(&self) {
        if let Some(engine) = self.engine() {
            engine.redownload.set(true);
            request_sync(&engine);
        }
    }

    fn engine(&self) -> Option<Rc<Engine>> {
        self.engine.try_get_value()
    }

    /// Opens and reads the store, shows the menu if complete, then syncs.
    async fn open(self, engine: Rc<Engine>) {
        let started = perf::now();
        let (store, menu, notice) = match MenuDb::open().await {
            Ok(opened) => (
                Some(opened.db),
                opened.menu,
                opened.notice.map(StorageNotice::Rebuilt),
            ),
            Err(err) => {
                leptos::logging::warn!("menu storage unavailable, using memory only: {err}");
                (
                    None,
                    Default::default(),
                    Some(StorageNotice::Unavailable(err)),
                )
            }
        };
        perf::measure(
            perf::MENU_LOAD,
            started,
            &json!({
                "products": menu.tables.products.rows.len(),
                "stored": store.is_some(),
                "rebuilt": matches!(notice, Some(StorageNotice::Rebuilt(_))),
            }),
        );
        self.saved.try_set(store.is_some());
        self.notice.try_set(notice);
        *engine.tables.borrow_mut() = menu.tables;
        engine.stamps.try_set(menu.stamps);
        // Set exactly once, here; nothing else can have set it.
        let _ = engine.store.set(store);
        engine.rebuild();
        self.opened.try_set(true);
        request_sync(&engine);
    }

    /// Applies the feed's menu changes; a gap, or a reconnect that shows
    /// the server ahead, asks for a sync.
    fn follow_live_feed(&self) {
        let feed = expect_context::<LiveFeed>();
        let engine = self.engine;
        feed.on_master_data(move |message| {
            let Some(engine) = engine.try_get_value() else {
                return;
            };
            // Before the store is read, the sync that follows covers it.
            if engine.store.get().is_none() {
                return;
            }
            spawn_local(apply(engine, message.clone()));
        });
        // A run that failed while the server was away is retried as soon
        // as the feed hears from it again.
        let sync = self.sync;
        let state = *self;
        Effect::new(move |_| {
            if feed.connection.get().in_contact()
                && sync.with_untracked(|status| matches!(status, SyncStatus::Failed(_)))
            {
                state.refresh();
            }
        });
    }

    /// The browser regaining the network is the moment to catch up.
    fn follow_network(&self) {
        let state = *self;
        let online = window_event_listener(ev::online, move |_| state.refresh());
        on_cleanup(move || online.remove());
    }
}

/// Applies one live message and reacts to the outcome.
async fn apply(engine: Rc<Engine>, message: ServerMessage) {
    let Some(store) = engine.store.get() else {
        return;
    };
    if let ServerMessage::Connected { master_version, .. } = &message {
        engine
            .server_version
            .set(engine.server_version.get().max(*master_version));
        if engine.running.get() {
            // The running sync checks this version when it ends.
            return;
        }
    }
    match menu_sync::apply_message(store, &engine.tables, &message).await {
        Ok(EventResult::Applied(_)) => engine.queue_rebuild(),
        Ok(EventResult::NeedsSync) => request_sync(&engine),
        Ok(EventResult::Stale | EventResult::NotMasterData) => {}
        Err(err) => {
            // Memory was brought back in line with the store; a sync
            // fetches the change again (and shows the failure if it lasts).
            leptos::logging::warn!("saving a menu change failed: {err}");
            request_sync(&engine);
        }
    }
}

/// Starts a sync run, or asks the running one for another round.
fn request_sync(engine: &Rc<Engine>) {
    if engine.store.get().is_none() {
        // Opening ends with a sync anyway.
        return;
    }
    if engine.running.replace(true) {
        engine.again.set(true);
        return;
    }
    let engine = Rc::clone(engine);
    spawn_local(async move {
        loop {
            engine.again.set(false);
            let synced = engine.run().await;
            // Another round when asked for meanwhile, or when a reconnect
            // showed the server past what this run reached; never just
            // because a run failed (the next trigger retries).
            let behind = synced
                && engine
                    .tables
                    .borrow()
                    .is_behind(engine.server_version.get());
            if !engine.again.get() && !behind {
                // Whoever waits hears how the last round went: it ran
                // after their request.
                for waiter in engine.waiters.take() {
                    waiter.settle(synced);
                }
                break;
            }
        }
        engine.running.set(false);
    });
}

impl Engine {
    /// One sync run (after emptying the store for a re-download); true
    /// when it reached the server's version.
    async fn run(&self) -> bool {
        let Some(store) = self.store.get() else {
            return false;
        };
        if self.redownload.replace(false) {
            if let Err(err) = clear(store).await {
                self.sync.try_set(SyncStatus::Failed(err.into()));
                return false;
            }
            *self.tables.borrow_mut() = MenuTables::default();
            self.stamps.try_set(KindStamps::default());
        }
        let before = Cursors::of(&self.tables.borrow());
        let full = MasterKind::ALL.iter().all(|kind| before.get(*kind) == 0);
        self.sync.try_set(SyncStatus::Running {
            full,
            items: 0,
            percent: 0,
        });
        let started = perf::now();
        let outcome = menu_sync::sync(
            &OutletServer,
            store,
            &self.tables,
            &SyncOptions::default(),
            |progress| {
                self.sync.try_set(SyncStatus::Running {
                    full,
                    items: progress.items_done,
                    percent: progress.percent,
                });
            },
        )
        .await;
        let (items, pages) = outcome
            .as_ref()
            .map_or((0, 0), |report| (report.items, report.pages));
        perf::measure(
            perf::MENU_SYNC,
            started,
            &json!({"full": full, "items": items, "pages": pages, "ok": outcome.is_ok()}),
        );
        let synced = outcome.is_ok();
        match outcome {
            Ok(report) => {
                self.stamps.try_update(|stamps| {
                    for kind in MasterKind::ALL {
                        if let Some(stamp) = report.stamps.get(kind) {
                            stamps.set(kind, Some(stamp));
                        }
                    }
                });
                self.sync.try_set(SyncStatus::Done {
                    full,
                    items: report.items,
                });
            }
            Err(err) => {
                leptos::logging::warn!("menu sync stopped: {err}");
                self.sync.try_set(SyncStatus::Failed(err));
            }
        }
        // Pages saved before a failure count too; a run that moved no
        // cursor changed nothing worth a redraw, unless nothing is shown
        // yet (a first download that just completed).
        if Cursors::of(&self.tables.borrow()) != before || full {
            self.rebuild();
        }
        synced
    }

    /// Builds and shows a catalog, if the tables hold a complete menu.
    fn rebuild(&self) {
        let complete = self
            .stamps
            .try_with_untracked(|stamps| stamps.menu_stamp().is_some())
            .unwrap_or(false);
        if complete {
            let catalog = Catalog::new(&self.tables.borrow());
            (self.install)(Arc::new(catalog));
        }
    }

    /// Rebuilds once after the current burst of live events.
    fn queue_rebuild(self: &Rc<Self>) {
        if self.rebuild_queued.replace(true) {
            return;
        }
        let engine = Rc::clone(self);
        spawn_local(async move {
            engine.rebuild_queued.set(false);
            engine.rebuild();
        });
    }
}

/// Empties the stored menu, keeping local fields; nothing to do in memory
/// only.
async fn clear(store: &Option<MenuDb>) -> Result<(), StorageError> {
    match store {
        Some(db) => db.clear_menu_keep_local().await,
        None => Ok(()),
    }
}
