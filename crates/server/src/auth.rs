//! Who is calling, and whether they may do what they ask: the one seam
//! where authentication will be decided.
//!
//! Every handler takes a [`Caller`] and asks [`Caller::authorize`] before it
//! acts. Today every request is an anonymous caller and is admitted. The
//! next protocol revision adds device tokens (`Authorization: Bearer`, or a
//! `token` query parameter on sockets) scoped to one outlet and one role
//! (`kiosk`, `kitchen`, `admin`); adding them means changing the extractor
//! and the policy below, and no handler.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;

/// What a caller wants to do; the policy decides per action (and outlet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Download the menu.
    ReadMenu,
    /// Create, update or delete menu rows (will need `admin`).
    ManageMenu,
    /// Place an order at an outlet (kiosk).
    PlaceOrder,
    /// Move an order through the kitchen workflow (kitchen).
    ChangeOrderStatus,
    /// Poll an outlet's order feed.
    ReadOrders,
    /// Open an outlet's WebSocket.
    WatchOutlet,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    /// No credentials were presented (the only identity in protocol v1).
    Anonymous,
}

/// The identity behind a request, decided once per request.
#[derive(Debug, Clone)]
pub struct Caller {
    identity: Identity,
}

impl Caller {
    /// Admits or refuses `action`, optionally on one outlet's data.
    ///
    /// Protocol v1 has no credentials, so the anonymous caller may do
    /// everything; the parameters are what the token policy will check.
    pub fn authorize(&self, action: Action, outlet_id: Option<&str>) -> Result<(), AppError> {
        match self.identity {
            Identity::Anonymous => {
                tracing::trace!(?action, outlet_id, "anonymous caller admitted");
                Ok(())
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            identity: Identity::Anonymous,
        })
    }
}
