//! This screen's pairing (`PROTOCOL.md` v2 "access"): the credential a
//! pairing code gave it, which every request and the socket's `auth` frame
//! carry, and whether the server has stopped accepting it.
//!
//! The credential lives in the outbox database ([`ticketrail_outbox`]),
//! where the service worker reads it to send the queue. The page reads it
//! once at start ([`load`]); the outlet it serves comes from it, never from
//! the address. When the server answers 401 or 403 (the screen was unpaired,
//! or paired for something else), [`refused`] raises a flag the app shows
//! as "pair this screen again"; queued orders wait meanwhile and go, with
//! the same idempotency keys, once it is paired again.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use ticketrail_outbox::Outbox;
use ticketrail_protocol::{Paired, Role};

thread_local! {
    static CREDENTIAL: RefCell<Option<Paired>> = const { RefCell::new(None) };
    static REFUSED: Cell<Option<RwSignal<bool>>> = const { Cell::new(None) };
}

/// Reads the stored credential into this page; `None`: not paired (or the
/// storage cannot be used, which pairing will report).
pub async fn load() -> Option<Paired> {
    let credential = match Outbox::open().await {
        Ok(outbox) => outbox.credential().await.unwrap_or_else(|err| {
            leptos::logging::warn!("reading this screen's pairing failed: {err}");
            None
        }),
        Err(err) => {
            leptos::logging::warn!("this screen cannot read its pairing: {err}");
            None
        }
    };
    CREDENTIAL.with(|slot| *slot.borrow_mut() = credential.clone());
    credential
}

/// Stores a new credential where the worker finds it.
pub async fn save(credential: &Paired) -> Result<(), ticketrail_outbox::OutboxError> {
    Outbox::open().await?.save_credential(credential).await?;
    CREDENTIAL.with(|slot| *slot.borrow_mut() = Some(credential.clone()));
    Ok(())
}

/// The bearer token of this screen, once paired.
pub fn token() -> Option<String> {
    CREDENTIAL.with(|slot| slot.borrow().as_ref().map(|c| c.token.clone()))
}

/// The outlet this screen serves (empty before it is paired).
pub fn outlet_id() -> String {
    CREDENTIAL.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|c| c.outlet_id.clone())
            .unwrap_or_default()
    })
}

/// Where a screen paired as `role` belongs.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Kiosk => "/kiosk",
        Role::Kitchen | Role::Manager | Role::Admin => "/kitchen",
    }
}

/// True once the server refused this screen's credential.
pub fn refused_signal() -> RwSignal<bool> {
    REFUSED.with(|slot| {
        slot.get().unwrap_or_else(|| {
            let signal = RwSignal::new(false);
            slot.set(Some(signal));
            signal
        })
    })
}

/// The server refused the credential (401 or 403): tell the person.
pub fn refused() {
    let signal = refused_signal();
    if !signal.get_untracked() {
        signal.set(true);
    }
}
