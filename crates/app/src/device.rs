//! What this screen keeps about itself in the browser: its settings
//! (station filter, age thresholds, language) and fresh idempotency keys.
//! Which outlet it serves comes from its pairing ([`crate::pairing`]).
//!
//! Settings are small and per screen, so they live in `localStorage`; the
//! menu and the outbox (larger, transactional) go to IndexedDB elsewhere.
//! Storage can be missing (private mode) or hold junk another build wrote:
//! both read as "not set", never as an error in front of a customer.

use serde::{de::DeserializeOwned, Serialize};

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
