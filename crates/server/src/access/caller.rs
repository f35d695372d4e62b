//! The request side of access: [`Caller`], the verified credential of an
//! HTTP request, and [`ClientAddress`], the peer that rate limits count.
//!
//! A handler that takes a `Caller` is closed to anyone without a valid
//! token: the extractor answers 401 before the handler runs. The handler
//! then asks [`Caller::authorize`] for its action and outlet, which answers
//! 403 without saying whether the thing asked for exists.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;
use ticketrail_protocol::Role;

use super::{Action, Principal};
use crate::error::AppError;
use crate::AppState;

/// The verified credential behind a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Arc<Principal>);

impl Caller {
    /// Admits `action` on `outlet`, or answers 403 `forbidden`.
    pub fn authorize(&self, action: Action, outlet: Option<&str>) -> Result<(), AppError> {
        if self.0.allows(action, outlet) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the caller is an admin (who may learn that a thing does not
    /// exist; everyone else gets 403 for what is not theirs).
    pub fn is_admin(&self) -> bool {
        self.0.role == Role::Admin
    }

    /// The caller's outlet; `None` for an admin.
    pub fn outlet_id(&self) -> Option<&str> {
        self.0.outlet_id.as_deref()
    }
}

/// The token of `Authorization: Bearer <token>`; the scheme is
/// case-insensitive, as HTTP says.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AppError::Unauthorized)?;
        state
            .access
            .verify(&state.store, token, Utc::now())
            .await
            .map(Caller)
    }
}

/// The peer address of a request; unspecified when the server was driven
/// without one (in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut request = Request::builder();
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_a_bearer_token_is_read() {
        assert_eq!(bearer(&parts(Some("Bearer abc"))), Some("abc"));
        assert_eq!(bearer(&parts(Some("bearer  abc "))), Some("abc"));
        for malformed in ["Basic abc", "Bearer", "Bearer ", "abc", "Bearerabc"] {
            assert_eq!(bearer(&parts(Some(malformed))), None, "{malformed}");
        }
        assert_eq!(bearer(&parts(None)), None);
    }
}
