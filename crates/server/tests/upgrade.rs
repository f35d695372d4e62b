//! Upgrading in place: the database file the first release wrote starts
//! under this build with everything it held (menu, orders, idempotency keys,
//! feed seqs), gets sqlx's migration record, and a second start changes
//! nothing.
//!
//! `fixtures/release-v1.db` was written by the first release's binary
//! (commit 4dce524, before migrations): started with `--demo`, three orders
//! placed at outlet 1 and one at outlet 2, one moved to preparing and one on
//! to completed, then stopped with SIGTERM, which folds the WAL into the one
//! file. `fixtures/release-v1.json` holds what that binary answered: the
//! three menu downloads, each order's request and final state, and the
//! status requests sent.

mod util;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use ticketrail_protocol::{Category, Order, Page, Product, Promotion};
use util::{order_body, Server, ServerOptions};

/// How long a graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// What the first release served while the fixture was written.
#[derive(Deserialize)]
struct Release {
    products: Page<Product>,
    categories: Page<Category>,
    promotions: Page<Promotion>,
    orders: Vec<Placed>,
    status_changes: Vec<StatusChange>,
}

/// An order's `POST /api/orders/` body and the order as it was last left.
#[derive(Deserialize)]
struct Placed {
    body: Value,
    order: Order,
}

/// A `POST /api/orders/{order_id}/status` that was acknowledged.
#[derive(Deserialize)]
struct StatusChange {
    order_id: String,
    body: StatusBody,
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
    request_id: String,
}

/// A `_sqlx_migrations` row: `(version, description, success, checksum,
/// installed_on, execution_time)`.
type MigrationRow = (i64, String, bool, Vec<u8>, String, i64);

/// What a database file says about its schema.
#[derive(Debug, Clone, PartialEq)]
struct SchemaRecord {
    user_version: i64,
    /// `None` when there is no `_sqlx_migrations` table.
    migrations: Option<Vec<MigrationRow>>,
}

impl SchemaRecord {
    /// The record without when and how fast each migration ran.
    fn without_timings(mut self) -> Self {
        for row in self.migrations.iter_mut().flatten() {
            row.4.clear();
            row.5 = 0;
        }
        self
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn release() -> Release {
    let text = std::fs::read_to_string(fixture("release-v1.json")).expect("read release-v1.json");
    serde_json::from_str(&text).expect("release-v1.json matches the contract types")
}

/// Reads the schema record of the (stopped server's) file at `path`
/// without writing to it.
async fn schema_record(path: &Path) -> SchemaRecord {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .expect("open the database file");
    let user_version = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut conn)
        .await
        .expect("read user_version");
    let tracked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations')",
    )
    .fetch_one(&mut conn)
    .await
    .expect("look for _sqlx_migrations");
    let migrations = if tracked {
        Some(
            sqlx::query_as(
                "SELECT version, description, success, checksum, \
                 CAST(installed_on AS TEXT), execution_time \
                 FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&mut conn)
            .await
            .expect("read _sqlx_migrations"),
        )
    } else {
        None
    };
    conn.close().await.expect("close the database file");
    SchemaRecord {
        user_version,
        migrations,
    }
}

/// The schema record of a database this build created from scratch.
async fn fresh_record() -> SchemaRecord {
    let mut server = Server::start().await;
    server.stop_with_signal("TERM", SHUTDOWN).await;
    schema_record(&server.db_path()).await
}

#[tokio::test]
async fn the_fixture_is_a_release_v1_file() {
    // On a copy: opening a WAL file, even read-only, adds files beside it.
    let dir = tempfile::tempdir().expect("create temp dir");
    let copy = dir.path().join("release-v1.db");
    std::fs::copy(fixture("release-v1.db"), &copy).expect("copy the fixture");
    let record = schema_record(&copy).await;
    assert_eq!(
        record,
        SchemaRecord {
            user_version: 1,
            migrations: None
        }
    );
}

#[tokio::test]
async fn a_release_v1_file_upgrades_in_place_and_keeps_everything() {
    let release = release();
    let mut server =
        Server::start_on_copy_of(&fixture("release-v1.db"), ServerOptions::default()).await;

    // The menu, as the release served it (`--demo` seeds only an empty file).
    assert_eq!(server.products().await, release.products);
    assert_eq!(server.categories().await, release.categories);
    assert_eq!(server.promotions().await, release.promotions);
    assert_eq!(server.master_version().await, release.products.version);

    // Every order, reached through its idempotency key.
    for placed in &release.orders {
        let replay: Order = server.place(&placed.body).await.expect(200).json();
        assert_eq!(replay, placed.order, "order {} changed", placed.order.id);
    }
    // Status requests already applied are recognised, not applied again.
    for change in &release.status_changes {
        let answer: Order = server
            .set_status_with(
                &change.order_id,
                &change.body.status,
                &change.body.request_id,
            )
            .await
            .expect(200)
            .json();
        assert_eq!(answer.id, change.order_id);
        let last = release.orders.iter().find(|p| p.order.id == answer.id);
        assert_eq!(Some(&answer), last.map(|p| &p.order));
    }

    for outlet in ["1", "2"] {
        let theirs = || {
            release
                .orders
                .iter()
                .map(|p| &p.order)
                .filter(move |o| o.outlet_id == outlet)
        };
        // The open orders are still on the board, in feed order.
        let mut open: Vec<&Order> = theirs().filter(|o| !o.status.is_closed()).collect();
        open.sort_by_key(|o| o.seq);
        assert!(!open.is_empty(), "the fixture has open orders at {outlet}");
        let feed = server.feed(outlet, 0).await;
        let board: Vec<&Order> = feed.iter().filter(|o| !o.status.is_closed()).collect();
        assert_eq!(board, open, "board of outlet {outlet}");
        // The next order continues the outlet's feed.
        let head = theirs().map(|o| o.seq).max().expect("orders at the outlet");
        let menu = server.orderable(1).await;
        let next = server
            .place_ok(&order_body(outlet, &[(&menu[0].id, 1)]))
            .await;
        assert_eq!(next.seq, head + 1, "next seq at outlet {outlet}");
    }

    let board = server.feed("1", 0).await;
    server.stop_with_signal("TERM", SHUTDOWN).await;
    let upgraded = schema_record(&server.db_path()).await;
    let rows = upgraded.migrations.as_deref().expect("a migration record");
    assert_eq!(
        (rows[0].0, rows[0].1.as_str(), rows[0].2),
        (1, "initial", true),
        "migration 1 is recorded as applied"
    );
    assert_eq!(Some(upgraded.user_version), rows.last().map(|row| row.0));
    assert_eq!(
        upgraded.clone().without_timings(),
        fresh_record().await.without_timings(),
        "the upgraded file records its migrations as a new file does"
    );

    // A second start finds nothing to do: the record is untouched, down to
    // when each migration ran (`schema::tests` checks it writes no byte).
    server.restart().await;
    assert_eq!(server.products().await, release.products);
    assert_eq!(server.feed("1", 0).await, board);
    server.stop_with_signal("TERM", SHUTDOWN).await;
    assert_eq!(schema_record(&server.db_path()).await, upgraded);
}
