//! How values that SQLite has no type for are stored: timestamps as
//! fixed-width RFC 3339 text (so text comparison is time comparison) and
//! nested data (translations, order lines, id lists) as JSON text.
//!
//! Each encoder refuses what its decoder could not read back, with an error
//! rather than a row that would break every later read. Decoders also read
//! what older builds wrote: before the year check, a time outside the years
//! 0000 to 9999 was stored as `+10000-…` or `-0001-…` (see [`time_from_db`]).

use chrono::{DateTime, Datelike, NaiveDateTime, SecondsFormat};
use serde::de::DeserializeOwned;
use serde::Serialize;
use ticketrail_protocol::validate::TIMESTAMP_YEARS;
use ticketrail_protocol::Timestamp;

use super::StoreError;

/// The form older builds gave times outside the years 0000 to 9999: RFC 3339
/// but for a signed or five-digit year, which chrono's `%Y` reads (it always
/// wrote UTC, as `Z`).
const SIGNED_YEAR_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.fZ";

/// `2026-11-21T10:30:00.000000000Z`: always nine fraction digits and `Z`,
/// so lexicographic order is chronological and nothing is rounded.
///
/// Only years 0000 to 9999 have that fixed width (others gain a sign and
/// would sort wrongly and not parse as RFC 3339), so any other year is
/// refused as [`StoreError::Invalid`]. Input validation refuses such times
/// at the edge already; this keeps the store from writing one even if a
/// caller skipped it.
pub(super) fn time_to_db(ts: &Timestamp) -> Result<String, StoreError> {
    if !TIMESTAMP_YEARS.contains(&ts.year()) {
        return Err(StoreError::Invalid(format!(
            "the time {ts} is outside the years 0000 to 9999 and cannot be stored"
        )));
    }
    Ok(ts.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

/// Reads a timestamp written by [`time_to_db`], or by an older build in
/// [`SIGNED_YEAR_FORMAT`], so a database holding such a time opens and
/// serves it rather than failing every read of its row.
pub(super) fn time_from_db(text: &str) -> Result<Timestamp, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|ts| ts.to_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(text, SIGNED_YEAR_FORMAT).map(|ts| ts.and_utc()))
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
    use proptest::prelude::*;

    use super::*;

    /// A time as a client may send it, in any offset.
    fn at(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn stored_times_sort_like_the_times_they_encode() {
        let earlier: Timestamp = "2026-11-21T10:30:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-21T10:30:00.5Z".parse().unwrap();
        let (earlier_text, later_text) =
            (time_to_db(&earlier).unwrap(), time_to_db(&later).unwrap());
        assert!(earlier_text < later_text);
        assert_eq!(earlier_text.len(), later_text.len());
        assert_eq!(time_from_db(&later_text).unwrap(), later);
        assert!(time_from_db("yesterday").is_err());
    }

    #[test]
    fn times_outside_the_years_0000_to_9999_are_refused_not_written() {
        for text in ["9999-12-31T23:30:00-01:00", "0000-01-01T00:00:00+01:00"] {
            assert!(
                matches!(time_to_db(&at(text)), Err(StoreError::Invalid(_))),
                "{text}"
            );
        }
        for (text, stored) in [
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000000000Z"),
            (
                "9999-12-31T23:59:59.999999999Z",
                "9999-12-31T23:59:59.999999999Z",
            ),
            (
                "9999-12-31T23:30:00+01:00",
                "9999-12-31T22:30:00.000000000Z",
            ),
        ] {
            assert_eq!(time_to_db(&at(text)).unwrap(), stored);
            assert_eq!(time_from_db(stored).unwrap(), at(text));
        }
    }

    #[test]
    fn what_older_builds_wrote_outside_the_years_reads_back() {
        for (stored, instant) in [
            (
                "+10000-01-01T00:30:00.000000000Z",
                "9999-12-31T23:30:00-01:00",
            ),
            (
                "-0001-12-31T23:00:00.000000000Z",
                "0000-01-01T00:00:00+01:00",
            ),
        ] {
            assert_eq!(time_from_db(stored).unwrap(), at(instant), "{stored}");
        }
    }

    #[test]
    fn leap_seconds_read_back() {
        let leap = at("2026-06-30T23:59:60.5+01:00");
        let stored = time_to_db(&leap).unwrap();
        assert_eq!(stored, "2026-06-30T22:59:60.500000000Z");
        assert_eq!(time_from_db(&stored).unwrap(), leap);
    }

    /// Seconds since the epoch at the start of `year` (UTC).
    fn start_of(year: i32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .unwrap()
            .and_utc()
            .timestamp()
    }

    /// Instants a day either side of both edges, and anywhere chrono can hold.
    fn instants() -> impl Strategy<Value = (i64, u32)> {
        let day = 86_400;
        let (first, end) = (start_of(0), start_of(10_000));
        let secs = prop_oneof![
            first - day..first + day,
            end - day..end + day,
            start_of(-200_000)..start_of(200_000),
        ];
        (secs, 0u32..1_000_000_000)
    }

    proptest! {
        /// For every instant: the store either refuses it or writes
        /// fixed-width text that reads back as the same instant; and whatever
        /// older builds wrote for it reads back too.
        #[test]
        fn every_time_is_refused_or_reads_back((secs, nanos) in instants()) {
            let ts = DateTime::from_timestamp(secs, nanos).unwrap();
            match time_to_db(&ts) {
                Ok(stored) => {
                    prop_assert_eq!(stored.len(), "2026-11-21T10:30:00.000000000Z".len());
                    prop_assert_eq!(time_from_db(&stored).unwrap(), ts);
                }
                Err(error) => prop_assert!(matches!(error, StoreError::Invalid(_))),
            }
            let old = ts.to_rfc3339_opts(SecondsFormat::Nanos, true);
            prop_assert_eq!(time_from_db(&old).unwrap(), ts, "{}", old);
        }
    }
}
