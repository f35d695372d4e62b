//! Seeding an empty database with a starting menu and outlets (the demo).
//!
//! Rows go through the same write path as the management API, so a seed
//! gets versions, ids and reference checks exactly like later edits. A
//! database that holds anything at all is never touched.

use chrono::Utc;
use sqlx::{Connection, SqliteConnection};
use ticketrail_protocol::{CategoryInput, ProductInput, PromotionInput};

use super::master::{self, MasterInput, MasterWrite};
use super::outlets::{self, NewOutlet};
use super::StoreError;

/// A starting data set. Rows are created in order (categories, products,
/// promotions), so later rows may refer to earlier ones by id.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// Categories, each with an id.
    pub categories: Vec<CategoryInput>,
    /// Products, each with an id and an existing category.
    pub products: Vec<ProductInput>,
    /// Promotions naming existing products.
    pub promotions: Vec<PromotionInput>,
    /// Outlets.
    pub outlets: Vec<NewOutlet>,
}

/// Writes `seed` in one transaction if the database is empty.
pub(super) async fn apply_if_empty(
    conn: &mut SqliteConnection,
    seed: &Seed,
) -> Result<(), StoreError> {
    let rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM categories) + (SELECT COUNT(*) FROM products) \
         + (SELECT COUNT(*) FROM promotions) + (SELECT COUNT(*) FROM outlets) \
         + (SELECT COUNT(*) FROM orders)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if rows > 0 {
        tracing::info!(rows, "database already has data; demo seed skipped");
        return Ok(());
    }
    let now = Utc::now();
    let mut tx = conn.begin().await?;
    let inputs = seed
        .categories
        .iter()
        .cloned()
        .map(MasterInput::Category)
        .chain(seed.products.iter().cloned().map(MasterInput::Product))
        .chain(seed.promotions.iter().cloned().map(MasterInput::Promotion));
    for input in inputs {
        master::apply(&mut tx, MasterWrite::Create(input), now).await?;
    }
    for outlet in &seed.outlets {
        outlets::insert(&mut tx, outlet).await?;
    }
    tx.commit().await?;
    tracing::info!(
        categories = seed.categories.len(),
        products = seed.products.len(),
        promotions = seed.promotions.len(),
        outlets = seed.outlets.len(),
        "seeded the demo menu and outlets"
    );
    Ok(())
}
