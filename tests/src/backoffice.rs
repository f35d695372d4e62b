//! The back office: management writes to the menu through the server's API
//! (`PUT`/`DELETE /api/products/{id}/`), the way a manager changes a price
//! or takes a dish off the menu while kiosks are running.

use anyhow::{bail, Context, Result};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use ticketrail_protocol::{Product, ProductInput};

use crate::Server;

/// How many writes [`Server::set_prices`] keeps in flight; the server
/// commits concurrent writes in groups.
const CONCURRENT_WRITES: usize = 16;

/// The body that writes `product` back as it is.
pub fn input_of(product: &Product) -> ProductInput {
    ProductInput {
        id: None,
        name: product.name.clone(),
        translations: product.translations.clone(),
        description: product.description.clone(),
        category_id: product.category_id.clone(),
        price: product.price,
        currency: product.currency.clone(),
        image_url: product.image_url.clone(),
        is_active: product.is_active,
        station: product.station.clone(),
    }
}

impl Server {
    /// The product with `id` as the server holds it now.
    pub async fn product(&self, id: &str) -> Result<Product> {
        self.products()
            .await?
            .into_iter()
            .find(|product| product.id == id)
            .with_context(|| format!("no product {id} on the server"))
    }

    /// Changes the price of `product` to `price` (minor units) and returns
    /// the row the server stored.
    pub async fn set_price(&self, product: &Product, price: i64) -> Result<Product> {
        let mut input = input_of(product);
        input.price = price;
        self.put_product(&product.id, &input).await
    }

    /// Changes the prices of all `changes` (product, new price), a few at a
    /// time; returns the stored rows in the same order.
    pub async fn set_prices(&self, changes: &[(Product, i64)]) -> Result<Vec<Product>> {
        stream::iter(changes)
            .map(|(product, price)| self.set_price(product, *price))
            .buffered(CONCURRENT_WRITES)
            .try_collect()
            .await
    }

    /// `PUT /api/products/{id}/` with `input`; must answer 200.
    pub async fn put_product(&self, id: &str, input: &ProductInput) -> Result<Product> {
        let url = self.url(&format!("/api/products/{id}/"));
        let response = self.http().put(&url).json(input).send().await?;
        let status = response.status();
        if !status.is_success() {
            bail!("PUT {url} answered {status}: {}", response.text().await?);
        }
        response
            .json()
            .await
            .with_context(|| format!("decoding the answer of PUT {url}"))
    }

    /// `DELETE /api/products/{id}/`; must answer 200.
    pub async fn delete_product(&self, id: &str) -> Result<()> {
        let url = self.url(&format!("/api/products/{id}/"));
        let response = self.http().delete(&url).send().await?;
        let status = response.status();
        if !status.is_success() {
            bail!("DELETE {url} answered {status}: {}", response.text().await?);
        }
        Ok(())
    }
}
