//! Per-address limits on pairing and login attempts (`PROTOCOL.md`: 429
//! `rate_limited` after 10 in a minute), so a code or a password cannot be
//! guessed at speed from one machine.
//!
//! A sliding window: each address keeps the instants of its last attempts,
//! at most the limit of them. The clock is a parameter.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Attempts allowed per address per window.
pub const ATTEMPTS: usize = 10;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Past this many addresses, idle ones are forgotten before a new one is
/// added, so a flood of addresses cannot grow the map without bound.
const MAX_ADDRESSES: usize = 10_000;

/// The attempts of every address; one per kind of attempt.
#[derive(Debug, Default)]
pub struct RateLimit {
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimit {
    /// Counts an attempt from `address` at `now`; false when it is over the
    /// limit (and then it is not counted).
    pub fn attempt(&self, address: IpAddr, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= MAX_ADDRESSES && !seen.contains_key(&address) {
            seen.retain(|_, times| times.back().is_some_and(|t| now - *t < WINDOW));
        }
        let times = seen.entry(address).or_default();
        while times.front().is_some_and(|t| now - *t >= WINDOW) {
            times.pop_front();
        }
        if times.len() >= ATTEMPTS {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_a_minute_per_address_then_the_window_slides() {
        let limit = RateLimit::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let start = Instant::now();
        for i in 0..ATTEMPTS {
            assert!(limit.attempt(a, start + Duration::from_secs(i as u64)));
        }
        assert!(!limit.attempt(a, start + Duration::from_secs(30)));
        assert!(limit.attempt(b, start + Duration::from_secs(30)));
        // The first attempt leaves the window a minute after it was made.
        assert!(!limit.attempt(a, start + Duration::from_millis(59_999)));
        assert!(limit.attempt(a, start + WINDOW));
        assert!(!limit.attempt(a, start + WINDOW));
    }
}
