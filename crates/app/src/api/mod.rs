//! Every network call the page itself makes to the outlet server (reads;
//! writes go through the outbox and the service worker), in one place, so
//! the pages never see `fetch`, status codes or JSON.
//!
//! Answers are decoded into the protocol crate's wire types; failures become
//! an [`ApiError`] whose `Display` is fit to show to restaurant staff. The
//! calls are grouped by resource: [`menu`] for master data, [`orders`] for
//! the polling order feed, [`devices`] for pairing and the outlet, [`setup`]
//! for the first run.
//!
//! Every request carries the screen's credential ([`crate::pairing`]); an
//! answer of 401 or 403 to one that did tells the pairing module the
//! server no longer accepts it.

pub mod devices;
pub mod menu;
pub mod orders;
pub mod setup;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit};

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
        /// The contract's error code (`unknown_product`, ...), empty when
        /// the body was not the contract's error shape.
        code: String,
        /// The contract's error message, or the status text.
        message: String,
    },
    /// The server answered something that is not the contract's shape.
    #[error("The outlet server sent an answer this app does not understand: {0}")]
    Decode(String),
}

/// `GET path` and decode the JSON body into `T`.
async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&send("GET", path, None).await?)
}

/// `POST path` with `body` as JSON, and decode the answer into `T`.
async fn post_json<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|err| ApiError::Decode(err.to_string()))?;
    decode(&send("POST", path, Some(&body)).await?)
}

/// `POST path` with `body` as JSON and `token` as the credential instead of
/// the screen's (a person's session), and decode the answer into `T`.
async fn post_json_as<T: DeserializeOwned>(
    path: &str,
    body: &impl Serialize,
    token: &str,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|err| ApiError::Decode(err.to_string()))?;
    decode(&send_as("POST", path, Some(&body), Some(token)).await?)
}

/// A successful answer's JSON body as `T`.
fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|err| ApiError::Decode(err.to_string()))
}

/// `method path` (with a JSON `body`) and returns the body of a successful
/// answer. Not generic over the answer's type, so the wasm holds one copy
/// of the fetch glue instead of one per decoded type.
async fn send(method: &str, path: &str, body: Option<&str>) -> Result<String, ApiError> {
    let token = crate::pairing::token();
    let answer = send_as(method, path, body, token.as_deref()).await;
    if token.is_some()
        && matches!(
            answer,
            Err(ApiError::Server {
                status: 401 | 403,
                ..
            })
        )
    {
        crate::pairing::refused();
    }
    answer
}

/// [`send`] with `token` as the credential (`None`: none).
async fn send_as(
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    let request = build_request(method, path, body, token)
        .map_err(|_| ApiError::Decode(format!("could not build the request for {path}")))?;
    // fetch only rejects when no HTTP answer arrived at all.
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Unreachable)?
        .dyn_into()
        .map_err(|_| ApiError::Decode("fetch did not give a Response".into()))?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    }
    .and_then(|text| text.as_string())
    .ok_or(ApiError::Unreachable)?;
    if !response.ok() {
        let (code, message) =
            error_detail(&text).unwrap_or_else(|| (String::new(), response.status_text()));
        return Err(ApiError::Server {
            status: response.status(),
            code,
            message,
        });
    }
    Ok(text)
}

fn build_request(
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    headers.set("Accept", "application/json")?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        headers.set("Content-Type", "application/json")?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    Request::new_with_str_and_init(path, &init)
}

/// The contract's error body, read loosely: an error code this build does
/// not know yet still shows its text.
#[derive(Deserialize)]
struct LooseErrorBody {
    error: LooseErrorDetail,
}

#[derive(Deserialize)]
struct LooseErrorDetail {
    #[serde(default)]
    code: String,
    message: String,
}

/// The code and human message of the contract's error body, if `body` is one.
fn error_detail(body: &str) -> Option<(String, String)> {
    serde_json::from_str::<LooseErrorBody>(body)
        .ok()
        .map(|body| (body.error.code, body.error.message))
}

#[cfg(test)]
mod tests {
    use super::error_detail;

    #[test]
    fn error_detail_reads_the_contract_body() {
        let body = r#"{"error":{"code":"not_found","message":"no such outlet"}}"#;
        assert_eq!(
            error_detail(body),
            Some(("not_found".into(), "no such outlet".into()))
        );
    }

    #[test]
    fn error_detail_ignores_other_bodies() {
        assert_eq!(error_detail("<html>bad gateway</html>"), None);
        assert_eq!(error_detail(r#"{"error":"flat"}"#), None);
    }
}
