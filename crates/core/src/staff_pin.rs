//! The kiosk's staff PIN gate: how many wrong PINs in a row it takes before
//! the staff area locks, and for how long.
//!
//! The PIN itself is checked by the kiosk against the outlet's PBKDF2 hash
//! (it works offline); this module only counts. It is plain data, so the
//! kiosk keeps it in storage: reloading the page does not reset a lockout.
//! Times are milliseconds on the device's clock, given as parameters.

use serde::{Deserialize, Serialize};

/// Wrong PINs in a row that lock the staff area.
pub const MAX_TRIES: u32 = 5;
/// How long it stays locked.
pub const LOCK_MS: f64 = 60_000.0;

/// Wrong tries so far and the end of a lockout, if one runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PinGate {
    /// Wrong PINs since the last right one or the last lockout.
    pub failures: u32,
    /// While `now` is before this, no PIN is checked at all.
    pub locked_until: Option<f64>,
}

/// What a typed PIN led to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Right: the staff area opens.
    Open,
    /// Wrong; this many tries are left before the lockout.
    Wrong {
        /// Tries left.
        left: u32,
    },
    /// Locked until this time (the PIN was not even checked, or this wrong
    /// try was the last one).
    Locked {
        /// When the lockout ends.
        until: f64,
    },
}

impl PinGate {
    /// The lockout running at `now`, if any.
    pub fn locked_at(&self, now: f64) -> Option<f64> {
        self.locked_until.filter(|until| now < *until)
    }

    /// Records a try at `now` whose PIN `matched` (ignored while locked:
    /// call [`PinGate::locked_at`] first and do not check the PIN then).
    pub fn record(&mut self, matched: bool, now: f64) -> Verdict {
        if let Some(until) = self.locked_at(now) {
            return Verdict::Locked { until };
        }
        if matched {
            *self = PinGate::default();
            return Verdict::Open;
        }
        self.failures += 1;
        if self.failures >= MAX_TRIES {
            let until = now + LOCK_MS;
            *self = PinGate {
                failures: 0,
                locked_until: Some(until),
            };
            return Verdict::Locked { until };
        }
        Verdict::Wrong {
            left: MAX_TRIES - self.failures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_pins_lock_the_area_for_a_minute_then_it_opens_again() {
        let mut gate = PinGate::default();
        for (try_no, now) in (1..MAX_TRIES).zip([0.0, 1.0, 2.0, 3.0]) {
            assert_eq!(
                gate.record(false, now),
                Verdict::Wrong {
                    left: MAX_TRIES - try_no
                }
            );
        }
        assert_eq!(
            gate.record(false, 4.0),
            Verdict::Locked {
                until: 4.0 + LOCK_MS
            }
        );
        // The right PIN does not open it while locked ...
        assert_eq!(gate.locked_at(LOCK_MS), Some(4.0 + LOCK_MS));
        assert_eq!(
            gate.record(true, LOCK_MS),
            Verdict::Locked {
                until: 4.0 + LOCK_MS
            }
        );
        // ... and does once the minute is over, with a fresh count.
        assert_eq!(gate.locked_at(4.0 + LOCK_MS), None);
        assert_eq!(gate.record(true, 4.0 + LOCK_MS), Verdict::Open);
        assert_eq!(gate, PinGate::default());
    }

    #[test]
    fn a_right_pin_forgets_the_wrong_ones_before_it() {
        let mut gate = PinGate::default();
        gate.record(false, 0.0);
        gate.record(false, 1.0);
        assert_eq!(gate.record(true, 2.0), Verdict::Open);
        assert_eq!(gate.record(false, 3.0), Verdict::Wrong { left: 4 });
    }
}
