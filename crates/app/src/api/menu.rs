//! Master data: the outlet's products, categories and promotions, page by
//! page (for the device's sync) or as one full download.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use ticketrail_protocol::{Category, MasterKind, Page, Product, Promotion};

use super::{get_json, ApiError};

/// The whole menu as the server has it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    /// Every product, active or not, in id order.
    pub products: Vec<Product>,
    /// Every category, in id order (sort with `sort_order` to show them).
    pub categories: Vec<Category>,
    /// Every promotion, running or not (the core decides which apply).
    pub promotions: Vec<Promotion>,
    /// The server's master version when the last page was read.
    pub version: i64,
}

/// Downloads products, categories and promotions.
pub async fn fetch_menu() -> Result<Menu, ApiError> {
    let (products, product_version) =
        fetch_all::<Product>("products", |row| (&row.id, row.version)).await?;
    let (categories, category_version) =
        fetch_all::<Category>("categories", |row| (&row.id, row.version)).await?;
    let (promotions, promotion_version) =
        fetch_all::<Promotion>("promotions", |row| (&row.id, row.version)).await?;
    Ok(Menu {
        products,
        categories,
        promotions,
        version: product_version.max(category_version).max(promotion_version),
    })
}

/// One sync page: `GET /api/<kind>/?since_version=<since>&limit=<limit>`.
pub async fn fetch_page<T: DeserializeOwned>(
    kind: MasterKind,
    since: i64,
    limit: u32,
) -> Result<Page<T>, ApiError> {
    let path = match kind {
        MasterKind::Products => "products",
        MasterKind::Categories => "categories",
        MasterKind::Promotions => "promotions",
    };
    get_json(&format!("/api/{path}/?since_version={since}&limit={limit}")).await
}

/// Every row of one kind, following `has_more` pages; returns the rows and
/// the server's master version from the last page.
async fn fetch_all<T: DeserializeOwned>(
    kind: &str,
    key: impl Fn(&T) -> (&String, i64),
) -> Result<(Vec<T>, i64), ApiError> {
    let mut rows: BTreeMap<String, T> = BTreeMap::new();
    let mut since = 0;
    loop {
        let page: Page<T> = get_json(&format!("/api/{kind}/?since_version={since}")).await?;
        let last_version = page.items.last().map(|row| key(row).1);
        for row in page.items {
            rows.insert(key(&row).0.clone(), row);
        }
        for id in &page.deleted {
            rows.remove(id);
        }
        match (page.has_more, last_version) {
            (false, _) => return Ok((rows.into_values().collect(), page.version)),
            // A page must move the cursor forward, or we would ask forever.
            (true, Some(version)) if version > since => since = version,
            (true, _) => {
                return Err(ApiError::Decode(format!(
                    "a {kind} page said has_more without advancing"
                )))
            }
        }
    }
}
