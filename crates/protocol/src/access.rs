//! Credentials and who may do what (`PROTOCOL.md` v2 "access"): roles, the
//! pairing of screens, people's logins, the device list and outlets.
//!
//! Tokens are opaque strings to every client; only the server knows how they
//! are made and checked. Each credential carries one [`Role`] and, except for
//! `admin`, one outlet.

mod validate;

use serde::{Deserialize, Serialize};

use crate::Timestamp;

pub use validate::{
    validate_login, validate_new_password, validate_outlet, validate_pair,
    validate_pairing_request, validate_setup, validate_staff_pin, MAX_NAME_CHARS, PIN_DIGITS,
};

/// The protocol revision the server speaks, reported by `/healthz` and the
/// socket's `connected` message.
pub const PROTOCOL_VERSION: u32 = 2;

/// What a credential may do; every role but `admin` is bound to one outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A customer kiosk: reads the menu, places orders at its outlet,
    /// watches its outlet.
    Kiosk,
    /// A kitchen screen: reads and watches its outlet's orders and moves
    /// them through the kitchen.
    Kitchen,
    /// A manager: what the kitchen may, plus the outlet's devices, reports
    /// and staff PIN.
    Manager,
    /// The owner: everything, at every outlet.
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 4] = [Role::Kiosk, Role::Kitchen, Role::Manager, Role::Admin];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Kitchen => "kitchen",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// The role with wire name `text`.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// `POST /api/pairing-codes`: a manager or admin asks for a code that pairs
/// one screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCodeRequest {
    /// The outlet the screen will serve.
    pub outlet_id: String,
    /// The role the screen will have.
    pub role: Role,
    /// A name people recognise it by ("Kiosk by the door").
    pub name: String,
}

/// A pairing code: single use, short-lived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCode {
    /// What the screen types (or gets in a `/pair?code=` link).
    pub code: String,
    /// After this the code pairs nothing.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
}

/// `POST /api/devices/pair`, sent by the screen without credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairDevice {
    /// The code a manager made.
    pub code: String,
}

/// A paired screen's credential; the token is shown only here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paired {
    /// Bearer token for every request and the socket's `auth` frame.
    pub token: String,
    /// The device's id in the device list.
    pub device_id: String,
    /// The outlet it serves.
    pub outlet_id: String,
    /// What it may do.
    pub role: Role,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Login {
    /// The person's username.
    pub username: String,
    /// Their password.
    pub password: String,
}

/// A person's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginSession {
    /// Bearer token until `expires_at`.
    pub token: String,
    /// Their role.
    pub role: Role,
    /// Their outlet; `None` for an admin.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub outlet_id: Option<String>,
    /// When the token stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
}

/// A paired screen (or scripted credential) in the device list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its outlet; `None` for an admin credential.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub outlet_id: Option<String>,
    /// When it was paired.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it last made a request or held a socket, if ever.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, required = true))]
    pub last_seen_at: Option<Timestamp>,
    /// Whether it has a socket open, or asked something in the last moments.
    pub online: bool,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// An outlet, as `GET /api/outlets/` lists it and as admins write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutletInput {
    /// Stable id, e.g. `"1"`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA time zone (`Asia/Jakarta`); decides the business day.
    pub timezone: String,
    /// ISO 4217 code (`IDR`).
    pub currency: String,
}

/// An outlet as the server answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutletInfo {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub timezone: String,
    /// ISO 4217 code.
    pub currency: String,
    /// How the kiosk checks the staff PIN offline; `None` until one is set.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub staff_pin: Option<PinHash>,
}

/// A staff PIN as it reaches the kiosks: PBKDF2-HMAC-SHA256, so a kiosk
/// checks a typed PIN without the server and without the PIN itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinHash {
    /// Always `pbkdf2-sha256`.
    pub algorithm: String,
    /// Iterations (at least 100,000).
    pub rounds: u32,
    /// The salt, hex.
    pub salt: String,
    /// The derived 32 bytes, hex.
    pub hash: String,
}

/// `PUT /api/outlets/{id}/staff-pin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffPin {
    /// 4 to 8 digits.
    pub pin: String,
}

/// `POST /api/setup`: the first run of a server with nobody to sign in,
/// authorised by the one-time code the server printed when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupRequest {
    /// The code from the server's setup address.
    pub code: String,
    /// The owner's username.
    pub username: String,
    /// The owner's password (at least 8 characters).
    pub password: String,
    /// The first outlet; may be left out when the server already has one.
    pub outlet: Option<OutletInput>,
}

/// `GET /api/setup`: whether the server still waits for its first run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupState {
    /// True until an owner has been created.
    pub needed: bool,
}
