//! The page's side of the outbox: every write is queued in IndexedDB
//! ([`ticketrail_outbox`]) before the screen says anything, and the service
//! worker sends it. This module queues, keeps the screen's view of the
//! queue current, and nudges the worker:
//!
//! - after queueing, and at app start, on `online`, when the page becomes
//!   visible and every [`NUDGE_EVERY`] while anything is pending, it posts
//!   `{type: "drain"}` to the worker and registers a Background Sync
//!   (`ticketrail-outbox`) where the browser has it, so the worker sends
//!   even if this page closes;
//! - a page no service worker controls (a plain-http LAN address has
//!   none; a first visit whose worker could not install has none yet)
//!   sends the queue itself, with the same code ([`ticketrail_outbox::drain`]);
//!   the leases in IndexedDB keep it and a worker from sending an entry
//!   twice;
//! - the worker posts `{type: "outbox"}` after each send; the queue is read
//!   again then (and after each nudge), into [`OutboxQueue::contents`]: its
//!   first [`PAGE_WINDOW`] records and the count of the rest, at most every
//!   [`REREAD_AFTER`] or more while a long queue drains.
//!
//! Nothing here sends to the server: the page never waits on the network to
//! accept a write.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::{ev, prelude::*, task::spawn_local};
use ticketrail_core::outbox::{Entry, Write};
use ticketrail_outbox::{Contents, Outbox, OutboxError};
use ticketrail_protocol::Order;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// While anything is pending the worker is nudged this often (for browsers
/// without Background Sync, and workers the browser stopped).
const NUDGE_EVERY: Duration = Duration::from_secs(15);
/// The shortest gap between two reads of the queue while the worker keeps
/// changing it.
const REREAD_AFTER: Duration = Duration::from_millis(250);
/// ... or this many times as long as the last read took, so reading a long
/// queue (a read of up to 50 ms: 1,000 entries take 20 to 40) takes a
/// twentieth of the page's time at most ...
const REREAD_COST_SHARE: f64 = 20.0;
/// ... but never longer than this: a read slowed by a busy device must not
/// keep the confirmation from hearing that its order was delivered.
const REREAD_AFTER_AT_MOST: Duration = Duration::from_secs(1);
/// How many records of the queue the page reads, counting the rest: the
/// screen shows the count and age of what waits, and staff a list of the
/// first ones, which is all a person can act on.
const PAGE_WINDOW: u32 = 50;
/// The Background Sync tag the worker listens for.
const SYNC_TAG: &str = "ticketrail-outbox";

thread_local! {
    static DB: RefCell<Option<Rc<Outbox>>> = const { RefCell::new(None) };
    /// The page's queue, for a drain run by the page itself to refresh.
    static QUEUE: RefCell<Option<OutboxQueue>> = const { RefCell::new(None) };
    /// A read of the queue is under way or waiting for its turn / another
    /// one is wanted after it: while the worker sends a long queue, its
    /// messages come faster than the whole queue can be read.
    static READING: Cell<(bool, bool)> = const { Cell::new((false, false)) };
    /// The earliest time (ms) the next read may start: the last read's
    /// end plus its [`reread_pause`].
    static NEXT_READ_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// The open outbox, opened once per page.
async fn db() -> Result<Rc<Outbox>, OutboxError> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(Outbox::open().await?);
    DB.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&db)));
    Ok(db)
}

/// The screen's handle on the queue, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct OutboxQueue {
    /// What the queue holds, as last read.
    pub contents: ReadSignal<Contents>,
    set_contents: WriteSignal<Contents>,
    /// The last storage failure, for staff (`None` while it works).
    pub failure: ReadSignal<Option<OutboxError>>,
    set_failure: WriteSignal<Option<OutboxError>>,
}

impl OutboxQueue {
    /// Reads the queue, listens to the worker and the page's events, and
    /// nudges the worker for the life of the page.
    pub fn start() -> Self {
        let (contents, set_contents) = signal(Contents::default());
        let (failure, set_failure) = signal(None);
        let queue = Self {
            contents,
            set_contents,
            failure,
            set_failure,
        };
        QUEUE.with(|slot| *slot.borrow_mut() = Some(queue));
        listen_to_worker(queue);
        // The listeners live as long as the page.
        let _online = window_event_listener(ev::online, move |_| queue.send_now());
        let _visible = window_event_listener(ev::visibilitychange, move |_| {
            if !document().hidden() {
                queue.nudge();
            }
        });
        // A handle that lives as long as the page: never cleared.
        let _nudging = set_interval_with_handle(
            move || {
                if queue.contents.with_untracked(Contents::has_pending) {
                    queue.nudge();
                }
            },
            NUDGE_EVERY,
        );
        queue.nudge();
        queue
    }

    /// Queues `write` now; once this returns the write is durable and will
    /// be sent, whatever happens to this page.
    pub async fn enqueue(&self, write: Write) -> Result<Entry, OutboxError> {
        let result = async { db().await?.enqueue(write, js_sys::Date::now()).await }.await;
        match &result {
            Ok(_) => {
                self.set_failure.set(None);
                self.nudge();
            }
            Err(err) => self.set_failure.set(Some(err.clone())),
        }
        result
    }

    /// The server's order for the write with idempotency key `key`, once
    /// it was delivered.
    pub async fn ack(&self, key: &str) -> Option<Order> {
        db().await.ok()?.ack(key).await.ok().flatten()
    }

    /// Staff's "retry now" for entry `seq`.
    pub fn retry_now(&self, seq: u64) {
        let queue = *self;
        spawn_local(async move {
            let result = async { db().await?.retry_now(seq, js_sys::Date::now()).await }.await;
            if let Err(err) = result {
                queue.set_failure.set(Some(err));
            }
            queue.nudge();
        });
    }

    /// Removes a refused entry once a person saw why.
    pub fn dismiss_rejected(&self, seq: u64) {
        let queue = *self;
        spawn_local(async move {
            let result = async { db().await?.dismiss_rejected(seq).await }.await;
            if let Err(err) = result {
                queue.set_failure.set(Some(err));
            }
            queue.refresh();
        });
    }

    /// Asks the worker to send what is queued (or sends it from this page
    /// when no worker controls it), and reads the queue again.
    pub fn nudge(&self) {
        if !ask_worker_to_drain() {
            spawn_local(async {
                if let Err(err) = ticketrail_outbox::drain(refresh_page_queue).await {
                    leptos::logging::warn!("sending the order queue failed: {err:?}");
                }
                refresh_page_queue();
            });
        }
        self.refresh();
    }

    /// The server is reachable again: the head waiting out a backoff is
    /// due now, and the worker is asked to send.
    pub fn send_now(&self) {
        let waiting = self.contents.with_untracked(|contents| {
            ticketrail_core::outbox::head(&contents.entries).map(|entry| entry.seq)
        });
        match waiting {
            Some(seq) => self.retry_now(seq),
            None => self.nudge(),
        }
    }

    /// Reads the queue into [`OutboxQueue::contents`]: one read at a time,
    /// each starting no sooner than [`reread_pause`] after the last one
    /// ended; asks made meanwhile get one read when its turn comes.
    fn refresh(&self) {
        let (busy, _) = READING.with(|state| state.get());
        READING.with(|state| state.set((true, busy)));
        if busy {
            return;
        }
        let queue = *self;
        spawn_local(async move {
            loop {
                // Reading a long queue holds off the worker's writes to it
                // and takes the page's thread: the worker sends for a
                // while, the longer the last read the longer, before the
                // next one. A page that read long ago reads at once.
                let wait = NEXT_READ_AT.with(Cell::get) - js_sys::Date::now();
                if wait > 0.0 {
                    // Never longer than a pause can be, should the clock
                    // have been set back meanwhile.
                    let wait = Duration::try_from_secs_f64(wait / 1000.0)
                        .map_or(REREAD_AFTER_AT_MOST, |wait| wait.min(REREAD_AFTER_AT_MOST));
                    pause(wait).await;
                }
                READING.with(|state| state.set((true, false)));
                let mut took_ms = 0.0;
                let read = async {
                    let db = db().await?;
                    let started = js_sys::Date::now();
                    let contents = db.front(PAGE_WINDOW).await;
                    took_ms = js_sys::Date::now() - started;
                    contents
                };
                match read.await {
                    Ok(contents) => queue.set_contents.set(contents),
                    Err(err) => queue.set_failure.set(Some(err)),
                }
                let next = reread_pause(took_ms).as_secs_f64() * 1000.0;
                NEXT_READ_AT.with(|at| at.set(js_sys::Date::now() + next));
                let (_, again) = READING.with(|state| state.get());
                READING.with(|state| state.set((again, false)));
                if !again {
                    break;
                }
            }
        });
    }
}

/// The pause before reading the queue again when the last read (opening
/// the database aside) took `took_ms`: [`REREAD_COST_SHARE`] times that,
/// within [`REREAD_AFTER`] and [`REREAD_AFTER_AT_MOST`].
fn reread_pause(took_ms: f64) -> Duration {
    let share = Duration::try_from_secs_f64(took_ms.max(0.0) * REREAD_COST_SHARE / 1000.0)
        .unwrap_or(REREAD_AFTER_AT_MOST);
    share.clamp(REREAD_AFTER, REREAD_AFTER_AT_MOST)
}

/// Resumes after `delay` (at once where there is no window timer).
async fn pause(delay: Duration) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        let set = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(delay.as_millis()).unwrap_or(i32::MAX),
            )
        });
        if !matches!(set, Some(Ok(_))) {
            // No timer to wait for: go on now.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    // The promise only ever resolves.
    let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
}

/// Reads the page's queue again (after a send the page made itself).
fn refresh_page_queue() {
    if let Some(queue) = QUEUE.with(|slot| *slot.borrow()) {
        queue.refresh();
    }
}

/// Re-reads the queue whenever the worker says it changed.
fn listen_to_worker(queue: OutboxQueue) {
    let Some(container) = service_workers() else {
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let kind = js_sys::Reflect::get(&event.data(), &JsValue::from_str("type"))
                .ok()
                .and_then(|kind| kind.as_string());
            if kind.as_deref() == Some("outbox") {
                queue.refresh();
            }
        });
    let added =
        container.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    if added.is_ok() {
        // Lives as long as the page.
        on_message.forget();
    }
}

/// `navigator.serviceWorker`, where the page may use one (secure contexts).
fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// Posts `{type: "drain"}` to the active worker (controlling this page or
/// not) and registers a Background Sync where the browser has it. Returns
/// whether a worker controls this page (and so will send); without one,
/// the page must send itself.
fn ask_worker_to_drain() -> bool {
    let Some(container) = service_workers() else {
        return false;
    };
    let controlled = container.controller().is_some();
    let Ok(ready) = container.ready() else {
        return controlled;
    };
    spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        if let Some(worker) = registration.active() {
            let message = js_sys::Object::new();
            if js_sys::Reflect::set(&message, &"type".into(), &"drain".into()).is_ok() {
                // A worker that is going away is replaced by one that
                // drains when it starts.
                let _ = worker.post_message(&message);
            }
        }
        register_sync(&registration).await;
    });
    controlled
}

/// `registration.sync.register(SYNC_TAG)`, called by name: Background Sync
/// is not in every browser (nor in web-sys's stable API).
async fn register_sync(registration: &web_sys::ServiceWorkerRegistration) {
    let Ok(sync) = js_sys::Reflect::get(registration, &JsValue::from_str("sync")) else {
        return;
    };
    let register = js_sys::Reflect::get(&sync, &JsValue::from_str("register"))
        .ok()
        .and_then(|register| register.dyn_into::<js_sys::Function>().ok());
    let Some(promise) = register
        .and_then(|register| register.call1(&sync, &JsValue::from_str(SYNC_TAG)).ok())
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>().ok())
    else {
        return;
    };
    // A refused registration leaves the other triggers.
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_read_pauses_twenty_times_as_long_within_a_quarter_and_one_second() {
        assert_eq!(reread_pause(2.0), REREAD_AFTER);
        assert_eq!(reread_pause(30.0), Duration::from_millis(600));
        assert_eq!(reread_pause(400.0), REREAD_AFTER_AT_MOST);
        assert_eq!(reread_pause(f64::INFINITY), REREAD_AFTER_AT_MOST);
        assert_eq!(reread_pause(-5.0), REREAD_AFTER);
        assert_eq!(reread_pause(f64::NAN), REREAD_AFTER);
    }
}
