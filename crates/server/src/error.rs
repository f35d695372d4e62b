//! The HTTP error boundary: [`AppError`] maps every failure to a status and
//! the contract's body `{"error": {"code", "message"}}`.
//!
//! Client mistakes carry a message written for the client. Server failures
//! are logged here with their details and answered with a generic message,
//! so SQL, paths and panics never reach the wire.

use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;
use ticketrail_protocol::validate::InputError;
use ticketrail_protocol::{ErrorBody, ErrorCode, MAX_BODY_BYTES};

use crate::store::StoreError;

/// Everything a handler can answer with instead of success.
#[derive(Debug, Error)]
pub enum AppError {
    /// 400 `bad_request`.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `unauthorized`: no, malformed, unknown, expired or revoked
    /// credential. Answered with `WWW-Authenticate: Bearer`.
    #[error("a valid credential is needed: pair this screen or sign in")]
    Unauthorized,
    /// 403 `forbidden`: the credential's role or outlet does not allow it.
    #[error("this credential is not allowed to do that")]
    Forbidden,
    /// 429 `rate_limited`.
    #[error("too many attempts from this address; wait a minute and try again")]
    RateLimited,
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 405 `method_not_allowed`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 `conflict`.
    #[error("{0}")]
    Conflict(String),
    /// 409 `invalid_transition`.
    #[error("{0}")]
    InvalidTransition(String),
    /// 413 `payload_too_large`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415 `unsupported_media_type`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422 `unknown_product`.
    #[error("{0}")]
    UnknownProduct(String),
    /// 422 `invalid_quantity`.
    #[error("{0}")]
    InvalidQuantity(String),
    /// 503 `internal`: the server is shutting down.
    #[error("the server is shutting down")]
    Unavailable,
    /// 500 `internal`; the text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn parts(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Self::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            Self::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Self::InvalidTransition(_) => (StatusCode::CONFLICT, ErrorCode::InvalidTransition),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            Self::UnknownProduct(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownProduct)
            }
            Self::InvalidQuantity(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidQuantity)
            }
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Internal),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }

    /// The message for the client.
    fn public_message(&self) -> String {
        match self {
            Self::PayloadTooLarge => {
                format!("the request body is larger than {MAX_BODY_BYTES} bytes")
            }
            Self::Internal(_) => {
                "something went wrong inside the server; it has been logged".into()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response =
            (status, Json(ErrorBody::new(code, self.public_message()))).into_response();
        if matches!(self, Self::Unauthorized) {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<InputError> for AppError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::BadRequest(message) => Self::BadRequest(message),
            InputError::InvalidQuantity { .. } => Self::InvalidQuantity(error.to_string()),
            InputError::TooLarge => Self::PayloadTooLarge,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(message) => Self::NotFound(message),
            StoreError::Conflict(message) => Self::Conflict(message),
            StoreError::Invalid(message) => Self::BadRequest(message),
            StoreError::UnknownProduct(message) => Self::UnknownProduct(message),
            StoreError::InvalidTransition(message) => Self::InvalidTransition(message),
            StoreError::Closed => Self::Unavailable,
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Answers a request whose route exists but not for its method.
pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn answer(error: AppError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn internal_details_stay_in_the_log() {
        let (status, body) = answer(AppError::Internal(
            "sqlite: disk I/O error at /var/db".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(!message.contains("sqlite") && !message.contains("/var"));
    }

    #[tokio::test]
    async fn unauthorized_names_the_bearer_scheme() {
        let response = AppError::Unauthorized.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
        let (status, body) = answer(AppError::Forbidden).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "forbidden");
    }

    #[tokio::test]
    async fn store_errors_keep_their_client_meaning() {
        let (status, body) =
            answer(StoreError::UnknownProduct("product \"p-9\"".into()).into()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "unknown_product");
        let (status, body) = answer(StoreError::InvalidTransition("no".into()).into()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "invalid_transition");
    }
}
