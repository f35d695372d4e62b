//! The kiosk's screens and timers as a pure state machine.
//!
//! ```text
//!  Attract --start--> Ordering --place--> Placing --placed--> Confirmation
//!     ^                 |   ^                 |                    |
//!     |                 |   +--place_failed---+                    |
//!     +---- idle_ms ----+                                          |
//!     +------------- confirmation_ms or new_order -----------------+
//! ```
//!
//! Time comes in as milliseconds on any monotonic-enough clock (the page
//! passes `Date.now()`), so the whole flow runs in tests without waiting.
//! While ordering, every touch restarts the idle clock; during the last
//! `warning_ms` before `idle_ms` the page shows a warning with a countdown,
//! and at `idle_ms` the cart is abandoned. The page asks
//! [`KioskFlow::next_deadline`] and keeps exactly one timer for it; when it
//! fires, [`KioskFlow::tick`] says whether to reset.

use serde::Deserialize;

/// The kiosk's timers, as the test hook in `localStorage`
/// (`ticketrail.kiosk.timers`) may override them; every field is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Timers {
    /// Without a touch for this long, an unfinished order is cleared.
    /// Default 90 000 (90 s).
    pub idle_ms: u64,
    /// The warning shows for this long before the idle reset. Default
    /// 10 000 (10 s); at most `idle_ms`.
    pub warning_ms: u64,
    /// The confirmation screen returns to the attract screen after this
    /// long. Default 30 000 (30 s).
    pub confirmation_ms: u64,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            idle_ms: 90_000,
            warning_ms: 10_000,
            confirmation_ms: 30_000,
        }
    }
}

impl Timers {
    /// The same timers with `warning_ms` no longer than `idle_ms`, so the
    /// warning never starts before the customer's last touch.
    pub fn normalized(self) -> Self {
        Self {
            warning_ms: self.warning_ms.min(self.idle_ms),
            ..self
        }
    }
}

/// Which screen the kiosk shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// "Tap to order", waiting for a customer.
    Attract,
    /// Menu and cart.
    Ordering,
    /// The order is on its way to the server; the cart stays on screen.
    Placing,
    /// The order number and its live status.
    Confirmation,
}

/// Why the kiosk went back to the attract screen by itself; either way the
/// page clears the cart and the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// Nobody touched the screen for `idle_ms` while ordering.
    Idle,
    /// The confirmation has been shown for `confirmation_ms`.
    ConfirmationDone,
}

/// The kiosk's screen and the instant its current clock started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskFlow {
    timers: Timers,
    screen: Screen,
    /// Ordering: the last touch. Confirmation: when it was shown.
    since_ms: u64,
}

impl KioskFlow {
    /// A kiosk on its attract screen.
    pub fn new(timers: Timers) -> Self {
        Self {
            timers: timers.normalized(),
            screen: Screen::Attract,
            since_ms: 0,
        }
    }

    /// The screen to show.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The timers in force.
    pub fn timers(&self) -> Timers {
        self.timers
    }

    /// "Tap to order": from the attract screen to the menu.
    pub fn start(&mut self, now_ms: u64) {
        if self.screen == Screen::Attract {
            self.screen = Screen::Ordering;
            self.since_ms = now_ms;
        }
    }

    /// Any touch or key press: restarts the idle clock while ordering
    /// (which also dismisses the warning). Elsewhere it changes nothing: a
    /// confirmation leaves on schedule however much it is touched.
    pub fn touch(&mut self, now_ms: u64) {
        if self.screen == Screen::Ordering {
            self.since_ms = self.since_ms.max(now_ms);
        }
    }

    /// The customer placed the order. Returns whether sending should start:
    /// `false` unless ordering, so a double tap sends once.
    pub fn place(&mut self, now_ms: u64) -> bool {
        if self.screen != Screen::Ordering {
            return false;
        }
        self.screen = Screen::Placing;
        self.since_ms = now_ms;
        true
    }

    /// The server accepted the order: show the confirmation.
    pub fn placed(&mut self, now_ms: u64) {
        if self.screen == Screen::Placing {
            self.screen = Screen::Confirmation;
            self.since_ms = now_ms;
        }
    }

    /// Sending failed: back to the cart (kept), with a fresh idle clock so
    /// the customer has time to read the error and retry.
    pub fn place_failed(&mut self, now_ms: u64) {
        if self.screen == Screen::Placing {
            self.screen = Screen::Ordering;
            self.since_ms = now_ms;
        }
    }

    /// "Start a new order" (or "start over"): back to the attract screen.
    /// Not while placing: the answer decides where the kiosk goes.
    pub fn finish(&mut self) {
        if self.screen != Screen::Placing {
            self.screen = Screen::Attract;
        }
    }

    /// Applies the clock: returns the reset that is due at `now_ms`, having
    /// already moved to the attract screen, or `None`.
    pub fn tick(&mut self, now_ms: u64) -> Option<Reset> {
        let reset = match self.screen {
            Screen::Ordering if now_ms >= self.idle_at() => Reset::Idle,
            Screen::Confirmation if now_ms >= self.confirmation_ends_at() => {
                Reset::ConfirmationDone
            }
            _ => return None,
        };
        self.screen = Screen::Attract;
        Some(reset)
    }

    /// While the idle warning shows: the whole seconds left before the
    /// reset, rounded up (so it reads 10 .. 1, never 0). `None` otherwise.
    pub fn warning(&self, now_ms: u64) -> Option<u64> {
        if self.screen != Screen::Ordering || self.timers.warning_ms == 0 {
            return None;
        }
        let idle_at = self.idle_at();
        let shows_from = idle_at - self.timers.warning_ms;
        (shows_from..idle_at)
            .contains(&now_ms)
            .then(|| (idle_at - now_ms).div_ceil(1000))
    }

    /// The next instant at which what the page shows changes by itself: the
    /// warning appearing, its countdown going down a second, the idle reset,
    /// or the confirmation ending. `None` when nothing is scheduled.
    pub fn next_deadline(&self, now_ms: u64) -> Option<u64> {
        match self.screen {
            Screen::Ordering => {
                let idle_at = self.idle_at();
                let shows_from = idle_at - self.timers.warning_ms;
                if now_ms < shows_from {
                    Some(shows_from)
                } else if now_ms < idle_at {
                    // The countdown changes whenever the time left crosses a
                    // whole second.
                    let left = idle_at - now_ms;
                    let to_next_second = match left % 1000 {
                        0 => 1000,
                        part => part,
                    };
                    Some(now_ms + to_next_second)
                } else {
                    Some(now_ms)
                }
            }
            Screen::Confirmation => Some(self.confirmation_ends_at().max(now_ms)),
            Screen::Attract | Screen::Placing => None,
        }
    }

    fn idle_at(&self) -> u64 {
        self.since_ms.saturating_add(self.timers.idle_ms)
    }

    fn confirmation_ends_at(&self) -> u64 {
        self.since_ms.saturating_add(self.timers.confirmation_ms)
    }
}

#[cfg(test)]
mod tests;
