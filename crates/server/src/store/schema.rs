//! The SQLite schema: the numbered SQL files in `crates/server/migrations/`,
//! embedded into the binary by `sqlx::migrate!` and applied when the store
//! opens, so a file written by any earlier build upgrades itself in place.
//! A schema change is one new `NNNN_what.sql` file there and nothing else
//! (`build.rs` makes cargo embed the folder again when it changes), numbered
//! next in sequence rather than by timestamp: `user_version` is stamped with
//! the newest number and holds only 32 bits.
//!
//! A file is one of four kinds:
//!
//! - new: every migration runs;
//! - written by a build with migrations (it has sqlx's `_sqlx_migrations`
//!   table): the ones it lacks run, after sqlx has checked that the applied
//!   ones are unchanged;
//! - written by the first release, which created schema version 1 in one
//!   piece and stamped `PRAGMA user_version = 1` but kept no migration table:
//!   migration 1 is exactly that schema, so it is recorded as applied, with
//!   the row sqlx itself writes (its SHA-384 checksum included), and the
//!   rest run;
//! - written by a newer build (`user_version` above the newest migration
//!   here, or an applied migration this build does not have): refused
//!   before anything is written, so an old binary never writes into a layout
//!   it does not know.
//!
//! All of it is one transaction: sqlx gives each migration a transaction of
//! its own, which inside ours is a savepoint, so a crash half-way leaves the
//! file as it was. Last, `user_version` is set to the newest migration; the
//! first release checks only that number, so it too refuses what it cannot
//! read.

use sqlx::migrate::Migrator;
use sqlx::{Connection, SqliteConnection};

use super::StoreError;

/// Every migration of this build, oldest first.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The `user_version` the first release stamped on the schema it created,
/// which is migration 1.
const RELEASE_V1: i64 = 1;

/// Brings the database on `conn` up to the newest migration, or refuses it
/// (unchanged) when a newer build wrote it.
pub(super) async fn migrate(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    apply(conn, &MIGRATOR).await
}

/// [`migrate`] with the migrations of `migrator`, which tests replace.
async fn apply(conn: &mut SqliteConnection, migrator: &Migrator) -> Result<(), StoreError> {
    let newest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    // IMMEDIATE takes the write lock before the first read, so what is
    // decided below cannot be overtaken by another process.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let user_version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await?;
    let tracked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master \
         WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *tx)
    .await?;
    let refused = |found| StoreError::SchemaVersion {
        found,
        supported: newest,
    };
    if user_version > newest {
        return Err(refused(user_version));
    }
    if tracked {
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&mut *tx)
            .await?;
        if let Some(&unknown) = applied.iter().find(|&&v| !migrator.version_exists(v)) {
            return Err(refused(unknown));
        }
    } else {
        match user_version {
            0 => {}
            RELEASE_V1 => adopt_release_v1(&mut tx, migrator).await?,
            // Only the first release stamped a version without recording
            // migrations.
            other => {
                return Err(StoreError::Migration(format!(
                    "user_version is {other} but no migration is recorded; \
                     no Ticketrail build writes such a file"
                )))
            }
        }
    }
    migrator
        .run(&mut *tx)
        .await
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    // Setting the pragma is a write even when the value stays the same, and
    // a start with nothing to do writes nothing.
    if user_version != newest {
        sqlx::raw_sql(&format!("PRAGMA user_version = {newest}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records migration 1 as applied on a file the first release created: the
/// row sqlx writes when it applies a migration itself, with
/// `execution_time` 0 since nothing ran.
async fn adopt_release_v1(
    conn: &mut SqliteConnection,
    migrator: &Migrator,
) -> Result<(), StoreError> {
    let first = migrator
        .iter()
        .find(|m| m.version == RELEASE_V1)
        .ok_or_else(|| StoreError::Migration("migration 1 is missing from this build".into()))?;
    // sqlx's own table definition (`ensure_migrations_table`); `run` below
    // finds it in place and leaves it be.
    sqlx::raw_sql(
        "CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?1, ?2, TRUE, ?3, 0)",
    )
    .bind(first.version)
    .bind(&*first.description)
    .bind(&*first.checksum)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Files this build must refuse, a second run with nothing to do, and
    //! an upgrade that fails half-way, each checked to leave the file byte
    //! for byte as it was. They drive one connection, as `Store::open`
    //! does before anything else runs, so its close settles the file.

    use std::path::Path;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::ConnectOptions;

    use super::*;

    async fn connect(path: &Path) -> SqliteConnection {
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .connect()
            .await
            .unwrap()
    }

    /// Creates a current database at `path` and runs `sql` on it.
    async fn create_then(path: &Path, sql: &str) {
        let mut conn = connect(path).await;
        migrate(&mut conn).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }

    /// Applies `migrator` to the file at `path` and returns what it
    /// answered, asserting that the file is unchanged afterwards.
    async fn apply_untouched(path: &Path, migrator: &Migrator) -> Result<(), StoreError> {
        let before = std::fs::read(path).unwrap();
        let mut conn = connect(path).await;
        let result = apply(&mut conn, migrator).await;
        conn.close().await.unwrap();
        assert!(std::fs::read(path).unwrap() == before, "the file changed");
        result
    }

    async fn assert_refused(tamper: &str, found: i64) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        create_then(&path, tamper).await;
        let error = apply_untouched(&path, &MIGRATOR)
            .await
            .expect_err("a file from a newer build is refused");
        let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
        assert!(
            matches!(error, StoreError::SchemaVersion { found: f, supported } if f == found && supported == newest),
            "{error:?}"
        );
        assert!(error.to_string().contains("newer build"), "{error}");
    }

    #[tokio::test]
    async fn a_file_with_a_newer_user_version_is_refused_untouched() {
        let next = MIGRATOR.iter().map(|m| m.version).max().unwrap() + 1;
        assert_refused(&format!("PRAGMA user_version = {next}"), next).await;
    }

    #[tokio::test]
    async fn a_file_with_an_unknown_applied_migration_is_refused_untouched() {
        assert_refused(
            "INSERT INTO _sqlx_migrations \
             (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', TRUE, x'00', 1)",
            99_990_101_000_000,
        )
        .await;
    }

    #[tokio::test]
    async fn a_second_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        create_then(&path, "").await;
        apply_untouched(&path, &MIGRATOR).await.unwrap();
    }

    /// The adoption of migration 1 and every migration after it stand or
    /// fall together: here migration 2 fails after its first statement.
    #[tokio::test]
    async fn a_failed_upgrade_leaves_a_release_v1_file_as_it_was() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let migrations = dir.path().join("migrations");
        std::fs::create_dir(&migrations).unwrap();
        std::fs::copy(
            manifest.join("migrations/0001_initial.sql"),
            migrations.join("0001_initial.sql"),
        )
        .unwrap();
        std::fs::write(
            migrations.join("0002_broken.sql"),
            "ALTER TABLE orders ADD COLUMN note TEXT;\nINSERT INTO no_such_table VALUES (1);\n",
        )
        .unwrap();
        let migrator = Migrator::new(migrations.as_path()).await.unwrap();
        let path = dir.path().join("t.db");
        std::fs::copy(manifest.join("tests/fixtures/release-v1.db"), &path).unwrap();
        let error = apply_untouched(&path, &migrator).await.unwrap_err();
        assert!(matches!(error, StoreError::Migration(_)), "{error:?}");
    }
}
