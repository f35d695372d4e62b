//! Every network call the app makes to the outlet server, in one place, so
//! the pages never see `fetch`, status codes or JSON.
//!
//! Answers are decoded into the protocol crate's wire types; failures become
//! an [`ApiError`] whose `Display` is fit to show to restaurant staff.

use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize};
use ticketrail_protocol::{Page, Product};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a call to the outlet server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: the server is down, or the network is.
    #[error("Can't reach the outlet server. Check that it is running and this screen is on its network.")]
    Unreachable,
    /// The server answered with an error status.
    #[error("The outlet server refused the request ({status}): {message}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// The contract's error message, or the status text.
        message: String,
    },
    /// The server answered something that is not the contract's shape.
    #[error("The outlet server sent an answer this app does not understand: {0}")]
    Decode(String),
}

/// Downloads the whole product list (`since_version=0`), following pages
/// until the server says there are no more.
pub async fn fetch_products() -> Result<Vec<Product>, ApiError> {
    let mut rows: BTreeMap<String, Product> = BTreeMap::new();
    let mut since = 0;
    loop {
        let page: Page<Product> =
            get_json(&format!("/api/products/?since_version={since}")).await?;
        let last_version = page.items.last().map(|product| product.version);
        for product in page.items {
            rows.insert(product.id.clone(), product);
        }
        for id in &page.deleted {
            rows.remove(id);
        }
        match (page.has_more, last_version) {
            (false, _) => break,
            // A page must move the cursor forward, or we would ask forever.
            (true, Some(version)) if version > since => since = version,
            (true, _) => {
                return Err(ApiError::Decode(
                    "a product page said has_more without advancing".into(),
                ))
            }
        }
    }
    Ok(rows.into_values().collect())
}

/// `GET path` and decode the JSON body into `T`.
async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    // fetch only rejects when no HTTP answer arrived at all.
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| ApiError::Unreachable)?
        .dyn_into()
        .map_err(|_| ApiError::Decode("fetch did not give a Response".into()))?;
    let body = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    }
    .and_then(|text| text.as_string())
    .ok_or(ApiError::Unreachable)?;
    if !response.ok() {
        return Err(ApiError::Server {
            status: response.status(),
            message: error_message(&body).unwrap_or_else(|| response.status_text()),
        });
    }
    serde_json::from_str(&body).map_err(|err| ApiError::Decode(err.to_string()))
}

/// The contract's error body, read loosely: only the message, so an error
/// code this build does not know yet still shows its text.
#[derive(Deserialize)]
struct LooseErrorBody {
    error: LooseErrorDetail,
}

#[derive(Deserialize)]
struct LooseErrorDetail {
    message: String,
}

/// The human message of the contract's error body, if `body` is one.
fn error_message(body: &str) -> Option<String> {
    serde_json::from_str::<LooseErrorBody>(body)
        .ok()
        .map(|body| body.error.message)
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn error_message_reads_the_contract_body() {
        let body = r#"{"error":{"code":"not_found","message":"no such outlet"}}"#;
        assert_eq!(error_message(body).as_deref(), Some("no such outlet"));
    }

    #[test]
    fn error_message_ignores_other_bodies() {
        assert_eq!(error_message("<html>bad gateway</html>"), None);
        assert_eq!(error_message(r#"{"error":"flat"}"#), None);
    }
}
