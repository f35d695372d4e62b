//! The access writes the writer runs (outlets, staff PIN, pairing, tokens,
//! revocation, people), and what each one tells the in-memory state once it
//! is committed.
//!
//! They go through the one writer like every other write, so they share its
//! group commit and never contend with it for the database.

use std::sync::Arc;

use sqlx::SqliteConnection;
use ticketrail_protocol::{PinHash, Timestamp};

use super::access::{self, Credential, CredentialKind, NewPairingCode, User};
use super::outlets::{self, NewOutlet, Outlet, OutletProfile};
use super::StoreError;

/// One access write.
#[derive(Debug, Clone)]
pub enum AccessWrite {
    /// `POST /api/outlets/`.
    CreateOutlet(NewOutlet),
    /// `PUT /api/outlets/{id}/`.
    UpdateOutlet(NewOutlet),
    /// Sets an outlet's staff PIN hash.
    SetStaffPin {
        /// The outlet.
        outlet_id: String,
        /// The new hash.
        pin: PinHash,
    },
    /// Stores a pairing code.
    CreatePairingCode(NewPairingCode),
    /// Redeems a pairing code into a device credential with `id` and
    /// `token_hash`; fails with `NotFound` when the code pairs nothing.
    Pair {
        /// Hash of the code the screen sent.
        code_hash: String,
        /// The new device's id.
        id: String,
        /// Hash of its new token.
        token_hash: String,
    },
    /// Stores a credential made elsewhere (a login session).
    CreateCredential(Credential),
    /// Revokes a credential; `NotFound` when there is none.
    Revoke {
        /// Its id.
        id: String,
    },
    /// Records when a credential was last used.
    Seen {
        /// Its id.
        id: String,
        /// When.
        at: Timestamp,
    },
    /// Stores a person.
    CreateUser(User),
}

/// What an access write did.
#[derive(Debug)]
pub enum AccessOutcome {
    /// A new outlet, to add to the map once committed.
    OutletCreated(Arc<Outlet>),
    /// An outlet's new profile, to swap in once committed.
    ProfileChanged {
        /// The outlet.
        outlet_id: String,
        /// Its profile now.
        profile: OutletProfile,
    },
    /// A new device credential.
    Paired(Credential),
    /// Nothing to tell.
    Done,
}

/// Runs `write` on the writer's connection, inside its savepoint.
pub(super) async fn apply(
    conn: &mut SqliteConnection,
    write: AccessWrite,
    now: Timestamp,
) -> Result<AccessOutcome, StoreError> {
    match write {
        AccessWrite::CreateOutlet(outlet) => Ok(AccessOutcome::OutletCreated(Arc::new(
            outlets::insert(conn, &outlet).await?,
        ))),
        AccessWrite::UpdateOutlet(outlet) => Ok(AccessOutcome::ProfileChanged {
            profile: outlets::update(conn, &outlet).await?,
            outlet_id: outlet.id,
        }),
        AccessWrite::SetStaffPin { outlet_id, pin } => Ok(AccessOutcome::ProfileChanged {
            profile: outlets::set_staff_pin(conn, &outlet_id, &pin).await?,
            outlet_id,
        }),
        AccessWrite::CreatePairingCode(code) => {
            access::insert_pairing_code(conn, &code, now).await?;
            Ok(AccessOutcome::Done)
        }
        AccessWrite::Pair {
            code_hash,
            id,
            token_hash,
        } => {
            let (outlet_id, role, name) = access::redeem_pairing_code(conn, &code_hash, now)
                .await?
                .ok_or_else(|| StoreError::NotFound("the code pairs nothing".into()))?;
            let credential = Credential {
                id,
                kind: CredentialKind::Device,
                token_hash,
                name,
                role,
                outlet_id: Some(outlet_id),
                created_at: now,
                expires_at: None,
                last_seen_at: None,
                revoked: false,
            };
            access::insert_credential(conn, &credential).await?;
            Ok(AccessOutcome::Paired(credential))
        }
        AccessWrite::CreateCredential(credential) => {
            access::insert_credential(conn, &credential).await?;
            Ok(AccessOutcome::Done)
        }
        AccessWrite::Revoke { id } => {
            if access::revoke(conn, &id, now).await? {
                Ok(AccessOutcome::Done)
            } else {
                Err(StoreError::NotFound(format!("no device with id \"{id}\"")))
            }
        }
        AccessWrite::Seen { id, at } => {
            access::touch(conn, &id, at).await?;
            Ok(AccessOutcome::Done)
        }
        AccessWrite::CreateUser(user) => {
            access::insert_user(conn, &user, now).await?;
            Ok(AccessOutcome::Done)
        }
    }
}
