//! A runtime of their own for the outlet sockets.
//!
//! A busy outlet wakes a thousand socket tasks per flush. On the runtime
//! that also serves HTTP, every request task would queue behind them, and
//! placing an order (several awaits) would wait for several such waves.
//! On separate threads the operating system interleaves the two instead, so
//! acknowledgements stay fast while the fan-out runs.
//!
//! The runtime lives on an owner thread (a runtime may not be dropped from
//! async code); [`Sockets`] hands it tasks, tells them to close at shutdown
//! and waits for them.

use std::future::Future;

use tokio::runtime::{Builder, Handle};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The sockets' runtime and the bookkeeping to shut them down.
pub struct Sockets {
    handle: Handle,
    tracker: TaskTracker,
    /// Sessions watch it and close their socket when it is cancelled.
    shutdown: CancellationToken,
    /// Ends the owner thread, which drops the runtime.
    owner: CancellationToken,
}

impl Sockets {
    /// Starts the runtime.
    pub fn start() -> std::io::Result<Sockets> {
        // As many workers as cores, like the main runtime: measured on two
        // cores, one worker gave ~25 % more orders/s but twice the fan-out
        // latency.
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let runtime = Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("ticketrail-ws")
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let owner = CancellationToken::new();
        let stop = owner.clone();
        std::thread::Builder::new()
            .name("ticketrail-ws-owner".into())
            .spawn(move || runtime.block_on(stop.cancelled()))?;
        Ok(Sockets {
            handle,
            tracker: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            owner,
        })
    }

    /// The token sessions watch for shutdown.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs a session on the socket runtime.
    pub fn spawn(&self, session: impl Future<Output = ()> + Send + 'static) {
        self.handle.spawn(self.tracker.track_future(session));
    }

    /// Tells every session to close its socket (returns at once).
    pub fn begin_shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Closes every socket and waits until their sessions have ended.
    pub async fn close(&self) {
        self.shutdown.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for Sockets {
    fn drop(&mut self) {
        self.owner.cancel();
    }
}
