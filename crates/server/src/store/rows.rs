//! Reading lists of stored rows so that one row which cannot be decoded never
//! takes a whole read down, let alone the server's start.
//!
//! Rows are written by this server from validated input, so one that does
//! not decode means a bug in an older build (such as the `+10000-…` times
//! builds before the year check stored) or a hand-edited file. What happens
//! to such a row, decided once here for every list read:
//!
//! - At open (the outlets, and the live products and promotions orders are
//!   priced from) it is left out: a server that starts without one product
//!   is better than an outlet whose kiosks cannot order at all.
//! - In the order feed, the socket catch-up and the master-data pages and
//!   change lists it is skipped: one bad order must not blank a kitchen's
//!   whole board. Limits count decoded rows, so a skipped row never makes a
//!   page look like the last one.
//! - Reads of one named row (an order by id for a status change, a replay by
//!   `client_order_id`) do not come through here and still fail with
//!   [`StoreError::Corrupt`]: the caller asked about that very row, and
//!   there is no truthful answer to give.
//!
//! Every row left out is a `tracing::error!` naming the table and the row id,
//! so it can be found and repaired; it is left out again on every read until
//! then.

use futures_util::TryStreamExt;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{FromRow, Row, Sqlite, SqliteConnection};

use super::StoreError;

/// Runs `query` on `conn` and decodes each row of `table` with `decode`, in
/// the query's order, until `cap` rows have decoded (`None`: every row). A
/// row that does not decode is logged and left out. Only a failing query is
/// an error.
pub(super) async fn decode_each<'q, T>(
    conn: &mut SqliteConnection,
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    table: &str,
    cap: Option<usize>,
    mut decode: impl FnMut(&SqliteRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut decoded = Vec::new();
    // Streamed rather than fetched with a SQL `LIMIT`: how many rows make
    // `cap` decoded ones is only known while reading. Dropping the stream
    // early stops the statement.
    let mut rows = query.fetch(&mut *conn);
    while cap.is_none_or(|cap| decoded.len() < cap) {
        let Some(row) = rows.try_next().await? else {
            break;
        };
        match decode(&row) {
            Ok(value) => decoded.push(value),
            Err(error) => tracing::error!(
                table,
                id = %row_id(&row),
                %error,
                "left out a stored row that cannot be decoded"
            ),
        }
    }
    Ok(decoded)
}

/// Reads the columns of `row` into `R`; a column of the wrong type is
/// [`StoreError::Corrupt`], like any other value that does not decode.
pub(super) fn from_row<R: for<'r> FromRow<'r, SqliteRow>>(
    row: &SqliteRow,
) -> Result<R, StoreError> {
    R::from_row(row).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The row's `id` column (text for menu rows and outlets, an integer for
/// orders) for the log; `?` when even that does not decode.
fn row_id(row: &SqliteRow) -> String {
    row.try_get::<String, _>("id")
        .or_else(|_| row.try_get::<i64, _>("id").map(|id| id.to_string()))
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use super::*;

    /// A table of five rows whose `value` is a number except in rows 2 and
    /// 4, where decoding it fails.
    async fn table() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT NOT NULL); \
             INSERT INTO t VALUES (1, '10'), (2, 'ten'), (3, '30'), (4, 'forty'), (5, '50');",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn
    }

    fn value(row: &SqliteRow) -> Result<i64, StoreError> {
        let text: String = row.try_get("value")?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("value {text:?}")))
    }

    #[tokio::test]
    async fn rows_that_do_not_decode_are_left_out() {
        let mut conn = table().await;
        let query = sqlx::query("SELECT id, value FROM t ORDER BY id");
        let read = decode_each(&mut conn, query, "t", None, value)
            .await
            .unwrap();
        assert_eq!(read, [10, 30, 50]);
    }

    #[tokio::test]
    async fn the_cap_counts_decoded_rows() {
        let mut conn = table().await;
        for (cap, expected) in [
            (1, &[10][..]),
            (2, &[10, 30]),
            (3, &[10, 30, 50]),
            (9, &[10, 30, 50]),
        ] {
            let query = sqlx::query("SELECT id, value FROM t WHERE id > ?1 ORDER BY id").bind(0);
            let read = decode_each(&mut conn, query, "t", Some(cap), value)
                .await
                .unwrap();
            assert_eq!(read, expected, "cap {cap}");
        }
        // The connection is still usable after a stream stopped early.
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(count, 5);
    }

    #[tokio::test]
    async fn a_failing_query_is_still_an_error() {
        let mut conn = table().await;
        let query = sqlx::query("SELECT id, value FROM no_such_table");
        let read = decode_each(&mut conn, query, "no_such_table", None, value).await;
        assert!(matches!(read, Err(StoreError::Database(_))));
    }
}
