//! What the bench may order: the server's active products, learned through
//! the same master-data sync a kiosk uses, so no product id is hard-coded.

use anyhow::{bail, Context};
use ticketrail_protocol::{Page, Product};

/// The active products of the server's menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// Ids of active products, in sync order.
    pub product_ids: Vec<String>,
    /// The master version they were read at.
    pub master_version: i64,
}

/// Downloads the product list from `base_url` (following `has_more`) and
/// keeps the active ones. Fails when there is nothing to order.
pub async fn fetch(client: &reqwest::Client, base_url: &str) -> anyhow::Result<Catalog> {
    let mut pages = Vec::new();
    let mut since = 0;
    loop {
        let url = format!("{base_url}/api/products/?since_version={since}");
        let response = client
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("GET {url} answered {status}");
        }
        let page: Page<Product> = response
            .json()
            .await
            .with_context(|| format!("GET {url}: body is not a product page"))?;
        let next = page.items.last().map(|p| p.version);
        let has_more = page.has_more;
        pages.push(page);
        match next {
            Some(version) if has_more && version > since => since = version,
            _ => break,
        }
    }
    let catalog = from_pages(pages);
    if catalog.product_ids.is_empty() {
        bail!("{base_url} has no active product to order (start the server with --demo)");
    }
    Ok(catalog)
}

/// Folds sync pages into the set of active products, applying tombstones.
fn from_pages(pages: Vec<Page<Product>>) -> Catalog {
    let master_version = pages.iter().map(|p| p.version).max().unwrap_or(0);
    let mut active: Vec<String> = Vec::new();
    for page in pages {
        for product in page.items {
            active.retain(|id| *id != product.id);
            if product.is_active {
                active.push(product.id);
            }
        }
        active.retain(|id| !page.deleted.contains(id));
    }
    Catalog {
        product_ids: active,
        master_version,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn product(id: &str, version: i64, is_active: bool) -> Product {
        Product {
            id: id.into(),
            name: format!("Product {id}"),
            translations: Default::default(),
            description: String::new(),
            category_id: "c-1".into(),
            price: 10_000,
            currency: "IDR".into(),
            image_url: None,
            is_active,
            station: "grill".into(),
            version,
            updated_at: Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap(),
        }
    }

    fn page(version: i64, items: Vec<Product>, deleted: &[&str]) -> Page<Product> {
        Page {
            version,
            items,
            deleted: deleted.iter().map(|d| d.to_string()).collect(),
            has_more: false,
        }
    }

    #[test]
    fn keeps_active_products_and_applies_later_changes() {
        let catalog = from_pages(vec![
            page(
                9,
                vec![
                    product("p-1", 1, true),
                    product("p-2", 2, false),
                    product("p-3", 3, true),
                ],
                &[],
            ),
            page(
                9,
                vec![product("p-1", 4, false), product("p-2", 5, true)],
                &["p-3"],
            ),
        ]);
        assert_eq!(catalog.product_ids, vec!["p-2".to_string()]);
        assert_eq!(catalog.master_version, 9);
    }

    #[test]
    fn no_pages_means_nothing_to_order() {
        assert_eq!(
            from_pages(Vec::new()),
            Catalog {
                product_ids: Vec::new(),
                master_version: 0
            }
        );
    }
}
