//! Provisioning straight into the database file, for the
//! `ticketrail-server token` and `outlet add` subcommands: operators and
//! scripts set a server up without a network or a UI, whether or not it is
//! running.
//!
//! These open their own connection (migrating a new or old file first) and
//! write in one short transaction; a running server's writer and SQLite's
//! busy timeout take turns with them. A running server learns of the new
//! row on first use: an unknown token or outlet is looked up in the file.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use chrono::Utc;

use super::access::{self, Credential, NewPairingCode};
use super::outlets::{self, NewOutlet};
use super::{schema, StoreError, BUSY_TIMEOUT};

async fn open(path: &Path) -> Result<SqliteConnection, StoreError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    schema::migrate(&mut conn).await?;
    Ok(conn)
}

/// Fails unless outlet `outlet_id` exists, saying how to add it.
async fn expect_outlet(conn: &mut SqliteConnection, outlet_id: &str) -> Result<(), StoreError> {
    let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM outlets WHERE id = ?")
        .bind(outlet_id)
        .fetch_optional(&mut *conn)
        .await?;
    match known {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(format!(
            "there is no outlet \"{outlet_id}\"; add it first with `ticketrail-server outlet add`"
        ))),
    }
}

/// Stores `credential` in the file at `path`. Its outlet, if any, must
/// exist.
pub async fn add_credential(path: &Path, credential: &Credential) -> Result<(), StoreError> {
    let mut conn = open(path).await?;
    if let Some(outlet_id) = &credential.outlet_id {
        expect_outlet(&mut conn, outlet_id).await?;
    }
    let mut tx = conn.begin().await?;
    access::insert_credential(&mut tx, credential).await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// Stores a pairing code in the file at `path`; its outlet must exist.
pub async fn add_pairing_code(path: &Path, code: &NewPairingCode) -> Result<(), StoreError> {
    let mut conn = open(path).await?;
    expect_outlet(&mut conn, &code.outlet_id).await?;
    let mut tx = conn.begin().await?;
    access::insert_pairing_code(&mut tx, code, Utc::now()).await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// Creates `outlet` in the file at `path`.
pub async fn add_outlet(path: &Path, outlet: &NewOutlet) -> Result<(), StoreError> {
    let mut conn = open(path).await?;
    let mut tx = conn.begin().await?;
    outlets::insert(&mut tx, outlet).await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}
