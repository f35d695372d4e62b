//! Short, human order numbers: what a customer hears called out and reads on
//! the pick-up screen.
//!
//! The server keeps one counter per outlet per *local* calendar day, so
//! numbers stay short and restart every morning. "Local" matters: an outlet
//! in Jakarta (UTC+7) that is open at 06:30 local time is still on the
//! previous UTC day, and must not continue yesterday's count. The server
//! stores the counter under [`business_day`] and shows it with
//! [`format_order_number`]; the clock reading is a parameter, as everywhere in
//! this crate.

use chrono::{NaiveDate, TimeDelta};
use ticketrail_protocol::Timestamp;

/// Formats the `n`th order of the day, zero-padded to three digits so numbers
/// line up on a screen: 7 -> `"007"`, 42 -> `"042"`, 1234 -> `"1234"`.
pub fn format_order_number(n: u32) -> String {
    format!("{n:03}")
}

/// The outlet-local calendar day `now` falls on, for an outlet whose clock is
/// `utc_offset_minutes` ahead of UTC (negative west of Greenwich).
///
/// A fixed offset rather than a time-zone name keeps this pure and free of a
/// time-zone database; the outlet's configuration supplies it. If the shifted
/// instant would leave chrono's representable range (only with a nonsensical
/// offset at the very edge of time), the UTC date is returned instead of
/// panicking.
pub fn business_day(now: Timestamp, utc_offset_minutes: i32) -> NaiveDate {
    let utc = now.naive_utc();
    TimeDelta::try_minutes(i64::from(utc_offset_minutes))
        .and_then(|offset| utc.checked_add_signed(offset))
        .unwrap_or(utc)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_are_padded_to_three_digits() {
        assert_eq!(format_order_number(0), "000");
        assert_eq!(format_order_number(7), "007");
        assert_eq!(format_order_number(42), "042");
        assert_eq!(format_order_number(999), "999");
        assert_eq!(format_order_number(1234), "1234");
        assert_eq!(format_order_number(u32::MAX), "4294967295");
    }

    #[test]
    fn the_day_follows_the_outlet_clock() {
        let early = "2026-11-20T23:30:00Z".parse().unwrap();
        assert_eq!(business_day(early, 0), day("2026-11-20"));
        assert_eq!(business_day(early, 7 * 60), day("2026-11-21"));
        assert_eq!(business_day(early, 30), day("2026-11-21"));
        assert_eq!(business_day(early, 29), day("2026-11-20"));
        let morning = "2026-11-21T03:00:00Z".parse().unwrap();
        assert_eq!(business_day(morning, -4 * 60), day("2026-11-20"));
        assert_eq!(business_day(morning, -3 * 60), day("2026-11-21"));
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let edge = Timestamp::MAX_UTC;
        assert_eq!(business_day(edge, i32::MAX), edge.date_naive());
        assert_eq!(
            business_day(Timestamp::MIN_UTC, i32::MIN),
            Timestamp::MIN_UTC.date_naive()
        );
    }

    proptest! {
        #[test]
        fn the_day_is_whole_local_days_since_the_epoch(
            secs in -10_000_000_000..10_000_000_000i64,
            offset in -14 * 60..=14 * 60i32,
        ) {
            let now = Timestamp::from_timestamp(secs, 0).unwrap();
            // Model: count whole days of local time since 1970-01-01.
            let local_days = (secs + i64::from(offset) * 60).div_euclid(86_400);
            let expected = day("1970-01-01") + TimeDelta::days(local_days);
            prop_assert_eq!(business_day(now, offset), expected);
        }
    }
}
