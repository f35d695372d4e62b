//! Moving WAL pages into the main database file in the background.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the
//! threshold, so every thousand pages or so one unlucky batch of orders
//! waits for the database file to be written and synced. The writer turns
//! it off; this task runs a PASSIVE checkpoint (which never blocks the
//! writer or readers) on a connection of its own about once a second.

use std::time::Duration;

use sqlx::{Connection, SqliteConnection};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_secs(1);

/// Checkpoints on `conn` until `stop` is cancelled, then closes it.
pub(super) async fn run(mut conn: SqliteConnection, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = ticks.tick() => {
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut conn)
                    .await
                {
                    tracing::warn!(%error, "background checkpoint failed");
                }
            }
        }
    }
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the checkpoint connection failed");
    }
}
