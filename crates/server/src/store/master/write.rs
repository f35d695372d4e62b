//! Management writes: create, update and tombstone rows, each stamped with
//! the next master version, with the reference checks that keep the menu
//! consistent.

use sqlx::SqliteConnection;
use ticketrail_protocol::{MasterKind, Timestamp};

use super::{id_prefix, kind_to_db, table, MasterInput, MasterOutcome, MasterRow, MasterWrite};
use crate::store::codec::{json_to_db, time_to_db};
use crate::store::StoreError;

/// Executes one management write inside the caller's transaction.
pub(in crate::store) async fn apply(
    conn: &mut SqliteConnection,
    write: MasterWrite,
    now: Timestamp,
) -> Result<MasterOutcome, StoreError> {
    match write {
        MasterWrite::Create(input) => {
            let kind = input.kind();
            let id = match input.requested_id() {
                Some(id) => {
                    if row_state(conn, kind, id).await? == Some(Live) {
                        return Err(StoreError::Conflict(format!(
                            "a {} with id \"{id}\" already exists",
                            kind.singular()
                        )));
                    }
                    id.to_owned()
                }
                None => next_id(conn, kind).await?,
            };
            check_references(conn, &input).await?;
            let version = bump_version(conn).await?;
            let row = input.into_row(id, version, now);
            upsert(conn, &row).await?;
            Ok(MasterOutcome::Created(row))
        }
        MasterWrite::Update { id, input } => {
            let kind = input.kind();
            if row_state(conn, kind, &id).await? != Some(Live) {
                return Err(not_found(kind, &id));
            }
            check_references(conn, &input).await?;
            let version = bump_version(conn).await?;
            let row = input.into_row(id, version, now);
            upsert(conn, &row).await?;
            Ok(MasterOutcome::Updated(row))
        }
        MasterWrite::Delete { kind, id } => {
            if row_state(conn, kind, &id).await? != Some(Live) {
                return Err(not_found(kind, &id));
            }
            if kind == MasterKind::Categories {
                let products: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM products WHERE category_id = ? AND deleted = 0",
                )
                .bind(&id)
                .fetch_one(&mut *conn)
                .await?;
                if products > 0 {
                    return Err(StoreError::Conflict(format!(
                        "category \"{id}\" still has {products} products; move or delete them first"
                    )));
                }
            }
            let version = bump_version(conn).await?;
            let sql = format!(
                "UPDATE {} SET deleted = 1, version = ?, updated_at = ? WHERE id = ?",
                table(kind)
            );
            sqlx::query(&sql)
                .bind(version)
                .bind(time_to_db(&now)?)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            Ok(MasterOutcome::Deleted {
                kind,
                id,
                version,
                at: now,
            })
        }
    }
}

fn not_found(kind: MasterKind, id: &str) -> StoreError {
    StoreError::NotFound(format!("no {} with id \"{id}\"", kind.singular()))
}

/// Whether an id is in use by a live row or only by a tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowState {
    Live,
    Tombstone,
}
use RowState::{Live, Tombstone};

async fn row_state(
    conn: &mut SqliteConnection,
    kind: MasterKind,
    id: &str,
) -> Result<Option<RowState>, StoreError> {
    let sql = format!("SELECT deleted FROM {} WHERE id = ?", table(kind));
    let deleted: Option<bool> = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(deleted.map(|deleted| if deleted { Tombstone } else { Live }))
}

/// A product must sit in a live category and a promotion may only name live
/// products, so the menu never points at nothing.
async fn check_references(
    conn: &mut SqliteConnection,
    input: &MasterInput,
) -> Result<(), StoreError> {
    match input {
        MasterInput::Product(product) => {
            if row_state(conn, MasterKind::Categories, &product.category_id).await? != Some(Live) {
                return Err(StoreError::Invalid(format!(
                    "category_id \"{}\" is not an existing category",
                    product.category_id
                )));
            }
        }
        MasterInput::Promotion(promotion) => {
            for id in &promotion.product_ids {
                if row_state(conn, MasterKind::Products, id).await? != Some(Live) {
                    return Err(StoreError::Invalid(format!(
                        "product_ids: \"{id}\" is not an existing product"
                    )));
                }
            }
        }
        MasterInput::Category(_) => {}
    }
    Ok(())
}

async fn bump_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE meta SET value = value + 1 WHERE key = 'master_version' RETURNING value",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// The next `prefix-n` not taken by a live row or a tombstone (a client may
/// have chosen such an id itself).
async fn next_id(conn: &mut SqliteConnection, kind: MasterKind) -> Result<String, StoreError> {
    let key = format!("next_id:{}", table(kind));
    loop {
        let n: i64 =
            sqlx::query_scalar("UPDATE meta SET value = value + 1 WHERE key = ? RETURNING value")
                .bind(&key)
                .fetch_one(&mut *conn)
                .await?;
        let id = format!("{}-{n}", id_prefix(kind));
        if row_state(conn, kind, &id).await?.is_none() {
            return Ok(id);
        }
    }
}

async fn upsert(conn: &mut SqliteConnection, row: &MasterRow) -> Result<(), StoreError> {
    match row {
        MasterRow::Product(p) => {
            sqlx::query(
                "INSERT INTO products (id, name, translations, description, category_id, price, \
                 currency, image_url, is_active, station, version, updated_at, deleted) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 translations = excluded.translations, description = excluded.description, \
                 category_id = excluded.category_id, price = excluded.price, \
                 currency = excluded.currency, image_url = excluded.image_url, \
                 is_active = excluded.is_active, station = excluded.station, \
                 version = excluded.version, updated_at = excluded.updated_at, deleted = 0",
            )
            .bind(&p.id)
            .bind(&p.name)
            .bind(json_to_db(&p.translations)?)
            .bind(&p.description)
            .bind(&p.category_id)
            .bind(p.price)
            .bind(&p.currency)
            .bind(&p.image_url)
            .bind(p.is_active)
            .bind(&p.station)
            .bind(p.version)
            .bind(time_to_db(&p.updated_at)?)
            .execute(&mut *conn)
            .await?;
        }
        MasterRow::Category(c) => {
            sqlx::query(
                "INSERT INTO categories (id, name, translations, sort_order, version, updated_at, \
                 deleted) VALUES (?, ?, ?, ?, ?, ?, 0) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 translations = excluded.translations, sort_order = excluded.sort_order, \
                 version = excluded.version, updated_at = excluded.updated_at, deleted = 0",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(json_to_db(&c.translations)?)
            .bind(c.sort_order)
            .bind(c.version)
            .bind(time_to_db(&c.updated_at)?)
            .execute(&mut *conn)
            .await?;
        }
        MasterRow::Promotion(p) => {
            sqlx::query(
                "INSERT INTO promotions (id, name, translations, product_ids, kind, value, \
                 starts_at, ends_at, version, updated_at, deleted) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 translations = excluded.translations, product_ids = excluded.product_ids, \
                 kind = excluded.kind, value = excluded.value, starts_at = excluded.starts_at, \
                 ends_at = excluded.ends_at, version = excluded.version, \
                 updated_at = excluded.updated_at, deleted = 0",
            )
            .bind(&p.id)
            .bind(&p.name)
            .bind(json_to_db(&p.translations)?)
            .bind(json_to_db(&p.product_ids)?)
            .bind(kind_to_db(p.kind))
            .bind(p.value)
            .bind(time_to_db(&p.starts_at)?)
            .bind(time_to_db(&p.ends_at)?)
            .bind(p.version)
            .bind(time_to_db(&p.updated_at)?)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
