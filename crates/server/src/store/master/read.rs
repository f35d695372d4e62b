//! Master-data reads: the paged sync query, the change list a lagging socket
//! replays, and the live rows the writer prices from.
//!
//! A row that cannot be decoded is logged and left out of all three, so it
//! can neither stop the server from starting (the live rows are read at
//! open) nor fail every sync; the `rows` module has the reasons. Clients
//! simply do not see it until it is repaired or rewritten.

use sqlx::sqlite::SqliteRow;
use sqlx::SqliteConnection;
use ticketrail_protocol::{Category, MasterKind, Page, Product, Promotion, Timestamp};

use super::{kind_from_db, table, MasterChange, MasterOutcome, MasterRow};
use crate::store::codec::{json_from_db, time_from_db};
use crate::store::rows::{decode_each, from_row};
use crate::store::StoreError;

/// The current master version, as committed.
pub(in crate::store) async fn current_version(
    conn: &mut SqliteConnection,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'master_version'")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// One page of the sync answer (see `PROTOCOL.md`): live rows above `since`
/// up to `limit`, and the tombstones of the window those rows cover.
pub(in crate::store) async fn page(
    conn: &mut SqliteConnection,
    kind: MasterKind,
    since: i64,
    limit: u32,
) -> Result<Page<MasterRow>, StoreError> {
    let version = current_version(conn).await?;
    // One row past the limit tells whether the limit cut the page.
    let mut items: Vec<MasterRow> = select(
        conn,
        kind,
        "deleted = 0 AND version > ?1 ORDER BY version",
        &[since],
        Some(limit as usize + 1),
    )
    .await?
    .into_iter()
    .map(|(row, _)| row)
    .collect();
    let has_more = items.len() > limit as usize;
    items.truncate(limit as usize);
    // A client continues from the last item's version, so tombstones beyond
    // it belong to the next page; without a cut the window is everything.
    let window_end = match items.last() {
        Some(last) if has_more => last.version(),
        _ => version,
    };
    let sql = format!(
        "SELECT id FROM {} WHERE deleted = 1 AND version > ? AND version <= ? ORDER BY version",
        table(kind)
    );
    let deleted: Vec<String> = sqlx::query_scalar(&sql)
        .bind(since)
        .bind(window_end)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Page {
        version,
        items,
        deleted,
        has_more,
    })
}

/// Every change of every kind after `since`, ascending by version.
pub(in crate::store) async fn changes_after(
    conn: &mut SqliteConnection,
    since: i64,
) -> Result<Vec<MasterChange>, StoreError> {
    let mut changes = Vec::new();
    for kind in MasterKind::ALL {
        for (row, deleted) in
            select(conn, kind, "version > ?1 ORDER BY version", &[since], None).await?
        {
            changes.push(if deleted {
                MasterOutcome::Deleted {
                    kind,
                    id: row_id(&row).to_owned(),
                    version: row.version(),
                    at: row_updated_at(&row),
                }
            } else {
                MasterOutcome::Updated(row)
            });
        }
    }
    changes.sort_by_key(MasterOutcome::version);
    Ok(changes)
}

fn row_id(row: &MasterRow) -> &str {
    match row {
        MasterRow::Product(r) => &r.id,
        MasterRow::Category(r) => &r.id,
        MasterRow::Promotion(r) => &r.id,
    }
}

fn row_updated_at(row: &MasterRow) -> Timestamp {
    match row {
        MasterRow::Product(r) => r.updated_at,
        MasterRow::Category(r) => r.updated_at,
        MasterRow::Promotion(r) => r.updated_at,
    }
}

/// Live products and promotions: what orders are priced from. Read at open,
/// so a row that does not decode is logged and left out of the menu rather
/// than failing the start.
pub(in crate::store) async fn load_live(
    conn: &mut SqliteConnection,
) -> Result<(Vec<Product>, Vec<Promotion>), StoreError> {
    let mut products = Vec::new();
    for (row, _) in select(
        conn,
        MasterKind::Products,
        "deleted = 0 ORDER BY version",
        &[],
        None,
    )
    .await?
    {
        if let MasterRow::Product(product) = row {
            products.push(product);
        }
    }
    let mut promotions = Vec::new();
    for (row, _) in select(
        conn,
        MasterKind::Promotions,
        "deleted = 0 ORDER BY version",
        &[],
        None,
    )
    .await?
    {
        if let MasterRow::Promotion(promotion) = row {
            promotions.push(promotion);
        }
    }
    Ok((products, promotions))
}

/// Rows of `kind` matching `filter` (the SQL after `WHERE`, with numbered
/// parameters bound from `args`), each with its tombstone flag; at most
/// `cap` of them (`None`: all). Rows that do not decode are logged and left
/// out, and do not count towards `cap`.
async fn select(
    conn: &mut SqliteConnection,
    kind: MasterKind,
    filter: &str,
    args: &[i64],
    cap: Option<usize>,
) -> Result<Vec<(MasterRow, bool)>, StoreError> {
    let columns = match kind {
        MasterKind::Products => {
            "id, name, translations, description, category_id, price, currency, image_url, \
             is_active, station, version, updated_at, deleted"
        }
        MasterKind::Categories => {
            "id, name, translations, sort_order, version, updated_at, deleted"
        }
        MasterKind::Promotions => {
            "id, name, translations, product_ids, kind, value, starts_at, ends_at, version, \
             updated_at, deleted"
        }
    };
    let sql = format!("SELECT {columns} FROM {} WHERE {filter}", table(kind));
    let mut query = sqlx::query(&sql);
    for arg in args {
        query = query.bind(*arg);
    }
    let decode = match kind {
        MasterKind::Products => decode_row::<ProductRow>,
        MasterKind::Categories => decode_row::<CategoryRow>,
        MasterKind::Promotions => decode_row::<PromotionRow>,
    };
    decode_each(conn, query, table(kind), cap, decode).await
}

/// A stored row of one master-data kind: decodes into the wire type and
/// carries its tombstone flag.
trait StoredRow: for<'r> sqlx::FromRow<'r, SqliteRow> {
    /// Whether the row is a tombstone.
    fn deleted(&self) -> bool;
    /// The wire row, or an error when a stored column does not decode.
    fn into_master(self) -> Result<MasterRow, StoreError>;
}

/// Decodes one fetched row as `R`, then into the wire row.
fn decode_row<R: StoredRow>(row: &SqliteRow) -> Result<(MasterRow, bool), StoreError> {
    let row = from_row::<R>(row)?;
    let deleted = row.deleted();
    Ok((row.into_master()?, deleted))
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: String,
    name: String,
    translations: String,
    description: String,
    category_id: String,
    price: i64,
    currency: String,
    image_url: Option<String>,
    is_active: bool,
    station: String,
    version: i64,
    updated_at: String,
    deleted: bool,
}

impl ProductRow {
    fn decode(self) -> Result<Product, StoreError> {
        Ok(Product {
            id: self.id,
            name: self.name,
            translations: json_from_db(&self.translations)?,
            description: self.description,
            category_id: self.category_id,
            price: self.price,
            currency: self.currency,
            image_url: self.image_url,
            is_active: self.is_active,
            station: self.station,
            version: self.version,
            updated_at: time_from_db(&self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: String,
    name: String,
    translations: String,
    sort_order: i32,
    version: i64,
    updated_at: String,
    deleted: bool,
}

impl CategoryRow {
    fn decode(self) -> Result<Category, StoreError> {
        Ok(Category {
            id: self.id,
            name: self.name,
            translations: json_from_db(&self.translations)?,
            sort_order: self.sort_order,
            version: self.version,
            updated_at: time_from_db(&self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PromotionRow {
    id: String,
    name: String,
    translations: String,
    product_ids: String,
    kind: String,
    value: i64,
    starts_at: String,
    ends_at: String,
    version: i64,
    updated_at: String,
    deleted: bool,
}

impl PromotionRow {
    fn decode(self) -> Result<Promotion, StoreError> {
        Ok(Promotion {
            id: self.id,
            name: self.name,
            translations: json_from_db(&self.translations)?,
            product_ids: json_from_db(&self.product_ids)?,
            kind: kind_from_db(&self.kind)?,
            value: self.value,
            starts_at: time_from_db(&self.starts_at)?,
            ends_at: time_from_db(&self.ends_at)?,
            version: self.version,
            updated_at: time_from_db(&self.updated_at)?,
        })
    }
}

impl StoredRow for ProductRow {
    fn deleted(&self) -> bool {
        self.deleted
    }

    fn into_master(self) -> Result<MasterRow, StoreError> {
        Ok(MasterRow::Product(self.decode()?))
    }
}

impl StoredRow for CategoryRow {
    fn deleted(&self) -> bool {
        self.deleted
    }

    fn into_master(self) -> Result<MasterRow, StoreError> {
        Ok(MasterRow::Category(self.decode()?))
    }
}

impl StoredRow for PromotionRow {
    fn deleted(&self) -> bool {
        self.deleted
    }

    fn into_master(self) -> Result<MasterRow, StoreError> {
        Ok(MasterRow::Promotion(self.decode()?))
    }
}
