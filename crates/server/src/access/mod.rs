//! Access (`PROTOCOL.md` v2): who is calling, and whether they may.
//!
//! Every credential is a random token the server stores only as a hash.
//! Checking one is on the path of every request, so verified credentials
//! are kept in memory as [`Principal`]s, keyed by token hash: a known token
//! costs one SHA-256 and one map lookup, and only an unknown one reads the
//! database (tokens made by `ticketrail-server token` from another process
//! show up that way). Revoking through the API marks the cached principal,
//! which every socket holding it is watching, so they close at once.
//!
//! [`policy`] decides what each role may do, [`caller`] turns a request's
//! `Authorization` header into a [`Caller`], [`secret`] makes and hashes the
//! secrets, and [`rate`] limits pairing and login attempts per address.

pub mod caller;
pub mod policy;
pub mod rate;
pub mod secret;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, TimeDelta};
use ticketrail_protocol::{Device, Role, Timestamp};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

use crate::error::AppError;
use crate::store::{AccessWrite, Credential, CredentialKind, Store};

pub use caller::{Caller, ClientAddress};
pub use policy::Action;
use rate::RateLimit;

/// Longest token looked at; anything longer is not one of ours.
const MAX_TOKEN_CHARS: usize = 256;
/// A screen that made a request this recently counts as online even with
/// no socket open (a polling screen asks every 3 s).
const ONLINE_WITHIN: TimeDelta = TimeDelta::seconds(10);
/// "Last seen" is written to the database at most this often per
/// credential; in between it is kept in memory.
const WRITE_SEEN_EVERY: TimeDelta = TimeDelta::seconds(60);

/// A verified credential, shared by every request and socket that uses it.
#[derive(Debug)]
pub struct Principal {
    /// The credential's id (the device id).
    pub id: String,
    /// Screen or login.
    pub kind: CredentialKind,
    /// A screen's name or a person's username.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its outlet; `None` for `admin`.
    pub outlet_id: Option<String>,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    revoked: CancellationToken,
    /// Unix milliseconds of the last use in this process (0: none).
    last_seen_ms: AtomicI64,
    /// Unix milliseconds of the last "last seen" written (0: none).
    written_ms: AtomicI64,
    /// Open sockets using it.
    sockets: AtomicUsize,
}

impl Principal {
    fn new(credential: &Credential) -> Principal {
        Principal {
            id: credential.id.clone(),
            kind: credential.kind,
            name: credential.name.clone(),
            role: credential.role,
            outlet_id: credential.outlet_id.clone(),
            expires_at: credential.expires_at,
            revoked: CancellationToken::new(),
            last_seen_ms: AtomicI64::new(0),
            written_ms: AtomicI64::new(0),
            sockets: AtomicUsize::new(0),
        }
    }

    /// Whether it may do `action` on `outlet` (see [`policy`]).
    pub fn allows(&self, action: Action, outlet: Option<&str>) -> bool {
        policy::allows(self.role, self.outlet_id.as_deref(), action, outlet)
    }

    /// Resolves when the credential is revoked.
    pub fn revoked(&self) -> WaitForCancellationFuture<'_> {
        self.revoked.cancelled()
    }

    fn usable_at(&self, now: Timestamp) -> bool {
        !self.revoked.is_cancelled() && self.expires_at.is_none_or(|expiry| now < expiry)
    }

    /// Counts an open socket until the guard is dropped.
    pub fn socket_opened(self: &Arc<Self>) -> SocketGuard {
        self.sockets.fetch_add(1, Ordering::AcqRel);
        SocketGuard(self.clone())
    }

    /// Notes a use at `now`; true when it is time to write it down.
    fn seen(&self, now: Timestamp) -> bool {
        let now = now.timestamp_millis();
        self.last_seen_ms.fetch_max(now, Ordering::AcqRel);
        let written = self.written_ms.load(Ordering::Acquire);
        now - written >= WRITE_SEEN_EVERY.num_milliseconds()
            && self
                .written_ms
                .compare_exchange(written, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    fn last_seen(&self) -> Option<Timestamp> {
        match self.last_seen_ms.load(Ordering::Acquire) {
            0 => None,
            ms => DateTime::from_timestamp_millis(ms),
        }
    }
}

/// Keeps a principal's socket count while a socket is open.
#[derive(Debug)]
pub struct SocketGuard(Arc<Principal>);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0.sockets.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The access state a server shares: verified credentials and the
/// attempt limits.
#[derive(Debug, Default)]
pub struct Access {
    by_hash: RwLock<HashMap<String, Arc<Principal>>>,
    /// Pairing attempts per address.
    pub pairing_limit: RateLimit,
    /// Login attempts per address.
    pub login_limit: RateLimit,
}

impl Access {
    /// The principal behind `token`, or 401 for no, unknown, expired or
    /// revoked credentials alike.
    pub async fn verify(
        &self,
        store: &Store,
        token: &str,
        now: Timestamp,
    ) -> Result<Arc<Principal>, AppError> {
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Err(AppError::Unauthorized);
        }
        let hash = secret::hash_secret(token);
        let cached = self.read().get(&hash).cloned();
        let principal = match cached {
            Some(principal) => principal,
            None => {
                let credential = store
                    .credential_by_hash(&hash)
                    .await?
                    .filter(|credential| !credential.revoked)
                    .ok_or(AppError::Unauthorized)?;
                let principal = Arc::new(Principal::new(&credential));
                self.by_hash
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(hash)
                    .or_insert(principal)
                    .clone()
            }
        };
        if !principal.usable_at(now) {
            return Err(AppError::Unauthorized);
        }
        if principal.seen(now) {
            let store = store.clone();
            let id = principal.id.clone();
            tokio::spawn(async move {
                if let Err(error) = store.access(AccessWrite::Seen { id, at: now }).await {
                    tracing::warn!(%error, "could not record when a device was last seen");
                }
            });
        }
        Ok(principal)
    }

    /// Revokes credential `id` in memory: its cached principal stops
    /// working and its sockets are told. The caller revokes it in the
    /// database first.
    pub fn revoke(&self, id: &str) {
        let mut by_hash = self.by_hash.write().unwrap_or_else(PoisonError::into_inner);
        by_hash.retain(|_, principal| {
            if principal.id == id {
                principal.revoked.cancel();
                false
            } else {
                true
            }
        });
    }

    /// A stored device as the device list shows it, with what this process
    /// knows of its activity.
    pub fn device(&self, credential: Credential, now: Timestamp) -> Device {
        let live = self
            .read()
            .values()
            .find(|principal| principal.id == credential.id)
            .cloned();
        let memory_seen = live.as_ref().and_then(|principal| principal.last_seen());
        let last_seen_at = credential.last_seen_at.max(memory_seen);
        let online = !credential.revoked
            && live.is_some_and(|principal| {
                principal.sockets.load(Ordering::Acquire) > 0
                    || memory_seen.is_some_and(|seen| now - seen < ONLINE_WITHIN)
            });
        Device {
            id: credential.id,
            name: credential.name,
            role: credential.role,
            outlet_id: credential.outlet_id,
            created_at: credential.created_at,
            last_seen_at,
            online,
            revoked: credential.revoked,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Principal>>> {
        self.by_hash.read().unwrap_or_else(PoisonError::into_inner)
    }
}
