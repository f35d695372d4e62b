//! Request parsing at the edge: extractors that turn axum's rejections into
//! contract errors, and the body-size guard in front of every route.
//!
//! Handlers take [`ApiJson`], [`ApiQuery`] and [`ApiPath`] instead of axum's
//! own extractors so that a malformed body is a 400 `bad_request`, a missing
//! content type a 415, an oversize body a 413 — each with the contract's
//! error body rather than axum's plain-text one.

use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use ticketrail_protocol::MAX_BODY_BYTES;

use crate::error::AppError;

/// How much of an oversize body is read and thrown away before answering
/// 413, so the client reads the answer instead of a connection reset.
const DRAIN_LIMIT: usize = 32 * MAX_BODY_BYTES;
/// How long draining an oversize body may take.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// A JSON body; see the module docs for its error answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(e.body_text()),
        JsonRejection::JsonDataError(e) => AppError::BadRequest(e.body_text()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest("the request body could not be read".into()),
    }
}

/// A query string; a malformed one is a 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                AppError::BadRequest(format!("invalid query string: {}", rejection.body_text()))
            })
    }
}

/// Path parameters; undecodable ones are a 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| {
                AppError::BadRequest(format!("invalid path: {}", rejection.body_text()))
            })
    }
}

/// Parses an optional non-negative integer query parameter.
pub fn non_negative(name: &str, value: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(text) = value else { return Ok(None) };
    match text.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err(AppError::BadRequest(format!(
            "{name} must be a non-negative integer"
        ))),
    }
}

/// Middleware: refuses bodies over [`MAX_BODY_BYTES`] with 413, whether
/// they announce their length or arrive chunked, and hands the routes a
/// fully read body.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let chunked = req.headers().contains_key(TRANSFER_ENCODING);
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return too_large(req.into_body()).await;
    }
    if !chunked && declared.unwrap_or(0) == 0 {
        // No body (every GET, every WebSocket upgrade): nothing to guard.
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return AppError::BadRequest("the request body could not be read".into())
                .into_response();
        };
        if buffer.len() + chunk.len() > MAX_BODY_BYTES {
            return too_large(Body::from_stream(stream)).await;
        }
        buffer.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(buffer)))
        .await
}

/// Reads (a bounded amount of) the rest of `body`, then answers 413 and
/// closes the connection.
async fn too_large(body: Body) -> Response {
    let mut stream = body.into_data_stream();
    let drain = async {
        let mut read = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read > DRAIN_LIMIT {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    let mut response = AppError::PayloadTooLarge.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
