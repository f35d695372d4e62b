//! The outlet's staff PIN on this kiosk: its hash, kept on the screen so
//! the check works offline, and the check itself with the browser's own
//! PBKDF2 (WebCrypto), so no hashing code ships in the kiosk's wasm.
//!
//! The hash comes with the outlet (`GET /api/outlets/`, see
//! [`crate::api::devices`]); the lockout rule is the core's
//! ([`ticketrail_core::staff_pin`]), kept in `localStorage` with the hash.

use js_sys::{Array, Uint8Array};
use ticketrail_core::staff_pin::PinGate;
use ticketrail_protocol::PinHash;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, Pbkdf2Params};

use crate::device;

/// Where the outlet's PIN hash is kept on this screen.
const HASH_KEY: &str = "ticketrail.kiosk.staff_pin";
/// Where the lockout is kept, so a reload does not reset it.
const GATE_KEY: &str = "ticketrail.kiosk.staff_pin_gate";

/// The PIN hash last heard from the server; `None` before a manager set one.
pub fn saved_hash() -> Option<PinHash> {
    device::load(HASH_KEY)
}

/// Asks the server for the outlet's PIN hash and keeps it; with no answer,
/// the kept one stays.
pub async fn refresh_hash() {
    let own = crate::pairing::outlet_id();
    if let Ok(outlets) = crate::api::devices::outlets().await {
        if let Some(outlet) = outlets.into_iter().find(|outlet| outlet.id == own) {
            device::save(HASH_KEY, &outlet.staff_pin);
        }
    }
}

/// The lockout state of this screen.
pub fn gate() -> PinGate {
    device::load(GATE_KEY).unwrap_or_default()
}

/// Keeps the lockout state.
pub fn save_gate(gate: &PinGate) {
    device::save(GATE_KEY, gate);
}

/// Whether `pin` derives to `hash` (PBKDF2-HMAC-SHA256 with its salt and
/// rounds). An error is the browser's (no WebCrypto outside a secure
/// context), never a wrong PIN.
pub async fn matches(pin: &str, hash: &PinHash) -> Result<bool, String> {
    let salt = decode_hex(&hash.salt).ok_or("the stored PIN has an unreadable salt")?;
    let expected = decode_hex(&hash.hash).ok_or("the stored PIN is unreadable")?;
    let subtle = web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(describe)?
        .subtle();
    let key_data = Uint8Array::from(pin.as_bytes());
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let key: CryptoKey = JsFuture::from(
        subtle
            .import_key_with_str("raw", &key_data, "PBKDF2", false, &usages)
            .map_err(describe)?,
    )
    .await
    .map_err(describe)?
    .dyn_into()
    .map_err(describe)?;
    let params = Pbkdf2Params::new(
        "PBKDF2",
        &JsValue::from_str("SHA-256"),
        hash.rounds,
        &Uint8Array::from(salt.as_slice()),
    );
    let bits = JsFuture::from(
        subtle
            .derive_bits_with_object(&params, &key, 256)
            .map_err(describe)?,
    )
    .await
    .map_err(describe)?;
    Ok(Uint8Array::new(&bits).to_vec() == expected)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

fn describe(err: JsValue) -> String {
    err.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&err, &"message".into())
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| "the browser refused".to_owned())
}

#[cfg(test)]
mod tests {
    use super::decode_hex;

    #[test]
    fn hex_decodes_and_refuses_junk() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex(""), Some(Vec::new()));
    }
}
