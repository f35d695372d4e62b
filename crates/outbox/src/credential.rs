//! The screen's credential (`PROTOCOL.md` v2: the token a pairing gave it),
//! kept in the outbox database because the one who sends the queue needs
//! it: the service worker reads it before each drain, and a page stores it
//! when the screen is paired.
//!
//! One record under [`CREDENTIAL_KEY`] in the `device` store. A record
//! that does not read (damaged, or another build's) counts as "not
//! paired": the screen then asks to be paired, which replaces it.

use futures_util::future::join;
use rexie::TransactionMode;
use ticketrail_protocol::Paired;
use wasm_bindgen::JsValue;

use super::{js_object, storage, to_json, Outbox, OutboxError, DEVICE};

/// The key of the credential's record.
const CREDENTIAL_KEY: &str = "credential";

impl Outbox {
    /// The screen's credential; `None` when it was never paired (or the
    /// record does not read).
    pub async fn credential(&self) -> Result<Option<Paired>, OutboxError> {
        let transaction = self.transaction(&[DEVICE], TransactionMode::ReadOnly)?;
        let store = transaction.store(DEVICE).map_err(storage)?;
        let Some(value) = store
            .get(JsValue::from_str(CREDENTIAL_KEY))
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let json = js_sys::Reflect::get(&value, &JsValue::from_str("json"))
            .ok()
            .and_then(|json| json.as_string());
        Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Stores the credential a pairing gave, replacing any older one; it is
    /// durable when this returns.
    pub async fn save_credential(&self, credential: &Paired) -> Result<(), OutboxError> {
        let transaction = self.transaction(&[DEVICE], TransactionMode::ReadWrite)?;
        let store = transaction.store(DEVICE).map_err(storage)?;
        let record = js_object(&[
            ("key", JsValue::from_str(CREDENTIAL_KEY)),
            ("json", JsValue::from_str(&to_json(credential)?)),
        ])?;
        let (put, committed) = join(store.put(&record, None), transaction.commit()).await;
        put.map_err(storage)?;
        committed.map(drop).map_err(storage)
    }
}
