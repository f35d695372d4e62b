//! What this screen knows about itself, kept in the browser: which outlet it
//! serves, its settings (station filter, age thresholds, language), and
//! fresh idempotency keys.
//!
//! Settings are small and per screen, so they live in `localStorage`; the
//! menu and the outbox (larger, transactional) go to IndexedDB elsewhere.
//! Storage can be missing (private mode) or hold junk another build wrote:
//! both read as "not set", never as an error in front of a customer.

use serde::{de::DeserializeOwned, Serialize};

/// Key under which the outlet id is remembered.
const OUTLET_KEY: &str = "ticketrail.outlet";

/// The outlet a fresh screen serves until told otherwise.
const DEFAULT_OUTLET: &str = "1";

/// The outlet this screen serves: `?outlet=ID` in the address (remembered
/// from then on), else the remembered one, else outlet `1`.
pub fn outlet_id() -> String {
    let from_query = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("outlet"))
        .filter(|id| ticketrail_protocol::validate::validate_id("outlet_id", id).is_ok());
    match from_query {
        Some(id) => {
            save(OUTLET_KEY, &id);
            id
        }
        None => load(OUTLET_KEY).unwrap_or_else(|| DEFAULT_OUTLET.to_owned()),
    }
}

/// A new UUID v4 for `client_order_id` / `request_id`.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Every browser that runs wasm has `crypto`; if one did not, a
        // time-and-Math.random key still keeps retries idempotent, which
        // is what the key is for.
        let seed = js_sys::Date::now().to_bits().to_le_bytes();
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = seed[index % 8] ^ ((js_sys::Math::random() * 256.0) as u8);
        }
    }
    ticketrail_core::ids::uuid_v4(bytes)
}

/// The value stored under `key`, or `None` if absent, unreadable or not a
/// `T`.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

/// Stores `value` under `key`; a full or missing storage only costs the
/// setting on the next reload, so it is not reported.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
        // Quota errors only lose a preference; nothing to tell the user.
        let _ = storage.set_item(key, &text);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
