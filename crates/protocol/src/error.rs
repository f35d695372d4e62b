//! The error body every non-2xx answer carries, and its machine-readable codes.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// Code and human-readable message of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, `snake_case` code a client can branch on.
    pub code: ErrorCode,
    /// Text for a person; never contains internal details (SQL, paths, panics).
    pub message: String,
}

/// Every error code the contract names, plus the few the server needs besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed or violates a field rule.
    BadRequest,
    /// The resource (order, product, outlet, route) does not exist.
    NotFound,
    /// An order names a product that is unknown or inactive.
    UnknownProduct,
    /// An order line has a quantity outside 1..=99.
    InvalidQuantity,
    /// A status change that the order state machine forbids.
    InvalidTransition,
    /// The body (or WebSocket frame) is over 1 MiB.
    PayloadTooLarge,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The HTTP method is not allowed on this route.
    MethodNotAllowed,
    /// A write conflicts with existing data (duplicate id, reused idempotency key).
    Conflict,
    /// No, malformed, unknown, expired or revoked credential.
    Unauthorized,
    /// The credential is valid but its role or outlet does not allow this.
    Forbidden,
    /// Too many pairing or login attempts from one address.
    RateLimited,
    /// Something failed inside the server; details are in its log only.
    Internal,
}

impl ErrorCode {
    /// The `snake_case` name as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::NotFound => "not_found",
            Self::UnknownProduct => "unknown_product",
            Self::InvalidQuantity => "invalid_quantity",
            Self::InvalidTransition => "invalid_transition",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::NotFound,
            ErrorCode::UnknownProduct,
            ErrorCode::InvalidQuantity,
            ErrorCode::InvalidTransition,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn body_has_the_contract_shape() {
        let body = ErrorBody::new(ErrorCode::NotFound, "no such order");
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"error": {"code": "not_found", "message": "no such order"}})
        );
    }
}
