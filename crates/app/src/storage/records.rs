//! What the stores hold, and the conversion between Rust values and the
//! JavaScript objects IndexedDB stores.
//!
//! A kind's rows are not stored one record per row: IndexedDB pays per
//! record (20,000 single-row puts take seconds here, 40 records of 500 rows
//! take tens of milliseconds; see `FLOORS.md`). Each store is instead a log
//! of [`ChunkRecord`]s, one per saved change set (a sync page, a live
//! event), its rows as one JSON text, keyed by an auto-increment id so the
//! log reads back in the order it was written. Replaying it, upserts then
//! deletes, gives exactly the table the merges built in memory, since every
//! chunk is one [`Delta`](ticketrail_core::menu_sync::Delta).
//!
//! Decoding never trusts what is stored: a record that does not read is a
//! [`StorageError::Corrupt`], never a panic.

use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_wasm_bindgen::Serializer;
use ticketrail_core::menu_sync::{KindStamps, LocalFields, MasterRow, SyncStamp};
use ticketrail_protocol::MasterKind;
use wasm_bindgen::JsValue;

use super::{menu_db::Cursors, StorageError};

/// Rows per chunk when a log is compacted.
pub(super) const CHUNK_ROWS: usize = 500;

/// How many chunks beyond the compact size a log may grow (small change
/// sets from live events) before it is rewritten.
const CHUNK_SLACK: usize = 64;

/// One change set in a kind's row log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ChunkRecord {
    /// The rows put, as a JSON array: one string is far cheaper to store
    /// and read than an object per field.
    pub rows: String,
    /// Ids deleted, applied after `rows`.
    #[serde(default)]
    pub deletes: Vec<String>,
}

/// One kind's entry in `meta`: written with every change to its rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct MetaRecord {
    /// The key.
    pub kind: MasterKind,
    /// Every change of this kind up to here is in its store.
    pub cursor: i64,
    /// The last sync of this kind that reached the server's version.
    pub synced: Option<SyncStamp>,
}

/// A product's entry in `local`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LocalRecord {
    /// The product id, the key.
    pub id: String,
    /// What the device keeps about it.
    pub local: LocalFields,
}

/// The three `meta` entries, missing ones read as "nothing stored yet".
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct StoredMeta {
    pub cursors: Cursors,
    pub stamps: KindStamps,
}

impl StoredMeta {
    /// Reads the records of the `meta` store.
    pub fn decode(values: Vec<JsValue>) -> Result<Self, StorageError> {
        let mut meta = Self::default();
        for value in values {
            let record: MetaRecord = decode(super::schema::META, value)?;
            meta.cursors.set(record.kind, record.cursor);
            meta.stamps.set(record.kind, record.synced);
        }
        Ok(meta)
    }

    /// The record of `kind` with a new cursor, keeping its stamp unless
    /// `synced` replaces it.
    pub fn record(&self, kind: MasterKind, cursor: i64, synced: Option<SyncStamp>) -> MetaRecord {
        MetaRecord {
            kind,
            cursor,
            synced: synced.or(self.stamps.get(kind)),
        }
    }
}

/// `value` as a stored object.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    value
        .serialize(&Serializer::json_compatible())
        .map_err(|err| StorageError::Encode(err.to_string()))
}

/// A stored object of `store` read back as `T`.
pub(super) fn decode<T: DeserializeOwned>(store: &str, value: JsValue) -> Result<T, StorageError> {
    serde_wasm_bindgen::from_value(value).map_err(|err| corrupt(store, err))
}

fn corrupt(store: &str, err: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("a record in {store}: {err}"))
}

/// The chunk for a change set, or `None` when it changes no row.
pub(super) fn encode_chunk<R: Serialize>(
    rows: &[R],
    deletes: &[String],
) -> Result<Option<JsValue>, StorageError> {
    if rows.is_empty() && deletes.is_empty() {
        return Ok(None);
    }
    let rows = serde_json::to_string(rows).map_err(|err| StorageError::Encode(err.to_string()))?;
    encode(&ChunkRecord {
        rows,
        deletes: deletes.to_vec(),
    })
    .map(Some)
}

/// Replays a row log, read in key order, into the table of rows by id.
pub(super) fn replay<T: MasterRow + DeserializeOwned>(
    store: &str,
    chunks: Vec<JsValue>,
) -> Result<BTreeMap<String, T>, StorageError> {
    let mut table = BTreeMap::new();
    for value in chunks {
        let chunk: ChunkRecord = decode(store, value)?;
        let rows: Vec<T> = serde_json::from_str(&chunk.rows).map_err(|err| corrupt(store, err))?;
        for row in rows {
            table.insert(row.id().to_owned(), row);
        }
        for id in &chunk.deletes {
            table.remove(id);
        }
    }
    Ok(table)
}

/// True when a log of `chunks` records holding `rows` live rows has grown
/// enough past its compact size to be worth rewriting.
pub(super) fn needs_compaction(chunks: usize, rows: usize) -> bool {
    chunks > rows.div_ceil(CHUNK_ROWS).saturating_add(CHUNK_SLACK)
}

/// The records of the `local` store, by product id.
pub(super) fn decode_locals(
    values: Vec<JsValue>,
) -> Result<BTreeMap<String, LocalFields>, StorageError> {
    // Inserted one by one rather than collected: collecting into a map
    // sorts first, and that sort is several KiB of wasm for a handful of
    // records.
    let mut locals = BTreeMap::new();
    for value in values {
        let record: LocalRecord = decode(super::schema::LOCAL, value)?;
        locals.insert(record.id, record.local);
    }
    Ok(locals)
}

#[cfg(test)]
mod tests {
    use super::needs_compaction;

    #[test]
    fn a_log_is_compacted_only_well_past_its_compact_size() {
        assert!(!needs_compaction(0, 0));
        assert!(!needs_compaction(64, 0), "slack for live events");
        assert!(needs_compaction(65, 0));
        assert!(
            !needs_compaction(40 + 64, 20_000),
            "40 chunks of 500, plus slack"
        );
        assert!(needs_compaction(40 + 65, 20_000));
        assert!(needs_compaction(usize::MAX, usize::MAX), "no overflow");
    }
}
