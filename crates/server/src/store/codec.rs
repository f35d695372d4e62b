//! How values that SQLite has no type for are stored: timestamps as
//! fixed-width RFC 3339 text (so text comparison is time comparison) and
//! nested data (translations, order lines, id lists) as JSON text.

use chrono::SecondsFormat;
use serde::de::DeserializeOwned;
use serde::Serialize;
use ticketrail_protocol::Timestamp;

use super::StoreError;

/// `2026-11-21T10:30:00.000000000Z`: always nine fraction digits and `Z`,
/// so lexicographic order is chronological and nothing is rounded.
pub(super) fn time_to_db(ts: &Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Reads a timestamp written by [`time_to_db`].
pub(super) fn time_from_db(text: &str) -> Result<Timestamp, StoreError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|ts| ts.to_utc())
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

/// Encodes nested data as JSON text.
pub(super) fn json_to_db<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("encoding JSON: {e}")))
}

/// Decodes JSON text written by [`json_to_db`].
pub(super) fn json_from_db<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("decoding JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_sort_like_the_times_they_encode() {
        let earlier: Timestamp = "2026-11-21T10:30:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-21T10:30:00.5Z".parse().unwrap();
        assert!(time_to_db(&earlier) < time_to_db(&later));
        assert_eq!(time_to_db(&earlier).len(), time_to_db(&later).len());
        assert_eq!(time_from_db(&time_to_db(&later)).unwrap(), later);
        assert!(time_from_db("yesterday").is_err());
    }
}
