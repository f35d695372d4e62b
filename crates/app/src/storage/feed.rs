//! The kitchen's saved feed: its cursor and the tickets it holds, in
//! IndexedDB, so a reload shows the tickets at once and asks the server only
//! for what changed since.
//!
//! The whole saved feed is one record (cursor, outlet and snapshots as one
//! JSON string) in the database [`FEED_DB_NAME`]: a kitchen holds tens of
//! tickets, so writing them all is a few kilobytes, and one record makes the
//! cursor and the tickets it describes one atomic write with no transaction
//! to coordinate. Anything that does not read back (another layout, another
//! outlet, damaged JSON) is ignored and the screen starts from zero, which
//! the server's catch-up (`since_id=0`) fills in; a storage that cannot be
//! opened leaves the screen working without saving.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use ticketrail_protocol::Order;
use wasm_bindgen::JsValue;

/// The database the kitchen keeps its feed in.
pub const FEED_DB_NAME: &str = "ticketrail-kitchen";
/// Its one store, keyed by `key`.
const STORE: &str = "feed";
/// The one record's key.
const KEY: &str = "feed";
/// The database's version (stores and key paths). Not 1: that is what a
/// bare `indexedDB.open(name)` creates, with no stores.
const DB_VERSION: u32 = 2;
/// The record's shape; a record of another one is ignored.
const LAYOUT: u32 = 1;

/// What the kitchen saved: everything applied up to `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedFeed {
    layout: u32,
    outlet_id: String,
    /// The highest seq applied.
    pub cursor: i64,
    /// The snapshots held, worth keeping when saved.
    pub orders: Vec<Order>,
}

impl SavedFeed {
    /// The feed of `outlet_id` as applied up to `cursor`.
    pub fn new(outlet_id: &str, cursor: i64, orders: Vec<Order>) -> Self {
        Self {
            layout: LAYOUT,
            outlet_id: outlet_id.to_owned(),
            cursor,
            orders,
        }
    }
}

/// The open saved-feed database.
pub struct FeedStore {
    db: Rexie,
}

impl FeedStore {
    /// Opens (or creates) [`FEED_DB_NAME`].
    pub async fn open() -> Result<Self, String> {
        Self::open_named(FEED_DB_NAME).await
    }

    /// Opens (or creates) the saved-feed database `name` (tests use their
    /// own names).
    pub async fn open_named(name: &str) -> Result<Self, String> {
        Rexie::builder(name)
            .version(DB_VERSION)
            .add_object_store(ObjectStore::new(STORE).key_path("key"))
            .build()
            .await
            .map(|db| Self { db })
            .map_err(|err| err.to_string())
    }

    /// The saved feed of `outlet_id`, or `None` when there is none this
    /// build can use (the reason is logged).
    pub async fn load(&self, outlet_id: &str) -> Option<SavedFeed> {
        let read = async {
            let transaction = self
                .db
                .transaction(&[STORE], TransactionMode::ReadOnly)
                .map_err(|err| err.to_string())?;
            let store = transaction.store(STORE).map_err(|err| err.to_string())?;
            store
                .get(JsValue::from_str(KEY))
                .await
                .map_err(|err| err.to_string())
        };
        let record = match read.await {
            Ok(record) => record?,
            Err(err) => {
                leptos::logging::warn!("the saved kitchen tickets could not be read: {err}");
                return None;
            }
        };
        match decode(&record, outlet_id) {
            Ok(saved) => Some(saved),
            Err(reason) => {
                leptos::logging::warn!("ignoring the saved kitchen tickets: {reason}");
                None
            }
        }
    }

    /// Replaces the saved feed with `feed`, in one write.
    pub async fn save(&self, feed: &SavedFeed) -> Result<(), String> {
        let record = js_sys::Object::new();
        let json = serde_json::to_string(feed).map_err(|err| err.to_string())?;
        for (field, value) in [("key", KEY), ("json", json.as_str())] {
            js_sys::Reflect::set(
                &record,
                &JsValue::from_str(field),
                &JsValue::from_str(value),
            )
            .map_err(|_| "the record could not be built".to_owned())?;
        }
        let transaction = self
            .db
            .transaction(&[STORE], TransactionMode::ReadWrite)
            .map_err(|err| err.to_string())?;
        let store = transaction.store(STORE).map_err(|err| err.to_string())?;
        store
            .put(&record, None)
            .await
            .map_err(|err| err.to_string())?;
        transaction
            .done()
            .await
            .map_err(|err| err.to_string())
            .map(|_| ())
    }
}

/// Reads a saved record: `{"key": "feed", "json": "..."}` with the JSON of
/// a [`SavedFeed`] of this layout and outlet.
fn decode(record: &JsValue, outlet_id: &str) -> Result<SavedFeed, String> {
    let json = js_sys::Reflect::get(record, &JsValue::from_str("json"))
        .ok()
        .and_then(|value| value.as_string())
        .ok_or("the record holds no feed")?;
    parse(&json, outlet_id)
}

/// The saved feed in `json`, when it is of this layout and outlet.
fn parse(json: &str, outlet_id: &str) -> Result<SavedFeed, String> {
    let saved: SavedFeed = serde_json::from_str(json).map_err(|err| err.to_string())?;
    if saved.layout != LAYOUT {
        return Err(format!("it has layout {}, not {LAYOUT}", saved.layout));
    }
    if saved.outlet_id != outlet_id {
        return Err(format!(
            "it belongs to outlet {}, this screen shows outlet {outlet_id}",
            saved.outlet_id
        ));
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_feed_reads_back_only_for_its_layout_and_outlet() {
        let saved = SavedFeed::new("1", 42, Vec::new());
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(parse(&json, "1"), Ok(saved.clone()));
        assert!(parse(&json, "2").unwrap_err().contains("outlet 1"));
        let old = json.replace("\"layout\":1", "\"layout\":0");
        assert!(parse(&old, "1").unwrap_err().contains("layout 0"));
        assert!(parse("{\"cursor\":", "1").is_err());
    }
}
