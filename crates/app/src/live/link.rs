//! The socket's connection policy as a pure state machine: when to open,
//! when to give up on a silent socket, when to ping, how long to wait
//! before retrying, and what the indicator says.
//!
//! The browser glue in [`super`] feeds it what happened (socket opened,
//! message arrived, socket closed, the network came back, a timer tick) with
//! the current time in milliseconds, and carries out the [`Action`]s it
//! returns. Randomness (the retry jitter) also comes in as a parameter, so
//! every decision is testable natively with made-up clocks.

use super::Connection;

/// Client `ping` interval: well inside the server's 60 s silence limit.
pub const PING_EVERY_MS: f64 = 25_000.0;
/// A socket with no message for this long is dead (a half-open connection
/// never reports its own death), so it is closed and replaced.
pub const DEAD_AFTER_MS: f64 = 60_000.0;
/// Without contact for this long the indicator stops saying "reconnecting"
/// and says "offline".
pub const OFFLINE_AFTER_MS: f64 = 10_000.0;
/// An attempt that has not opened after this long is abandoned and retried
/// (a firewall that drops packets leaves `connect` hanging for minutes).
pub const OPEN_TIMEOUT_MS: f64 = 10_000.0;
/// First retry delay; it doubles per failed attempt.
pub const FIRST_RETRY_MS: f64 = 1_000.0;
/// Retry delays stop growing here.
pub const MAX_RETRY_MS: f64 = 30_000.0;

/// Something the glue must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a new socket (with the cursor's `since_id`).
    Open,
    /// Drop the current socket without waiting for its close event.
    Close,
    /// Send `{"type":"ping"}` on the open socket.
    Ping,
}

/// How long to wait before retry number `failures + 1`: 1 s, 2 s, 4 s ...
/// up to 30 s, each shortened by up to a quarter by `jitter` (in `0..1`) so
/// that a room of screens that lost the server together does not come back
/// in lock-step.
pub fn retry_delay_ms(failures: u32, jitter: f64) -> f64 {
    let base = (FIRST_RETRY_MS * 2f64.powi(failures.min(16) as i32)).min(MAX_RETRY_MS);
    base * (1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Socket {
    /// No socket; the next attempt is due at `retry_at`.
    Closed { retry_at: f64 },
    /// An attempt started at `since`.
    Opening { since: f64 },
    /// Open; last ping sent at `pinged`.
    Open { pinged: f64 },
}

/// The connection policy's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    socket: Socket,
    /// Failed attempts since the last open socket: the backoff exponent.
    failures: u32,
    /// When the server was last heard from (or when we started).
    last_contact: f64,
    /// Whether a socket has ever opened, to tell "connecting" from
    /// "reconnecting".
    ever_open: bool,
}

impl Link {
    /// A link created at `now` whose first attempt is due at once.
    pub fn new(now: f64) -> Self {
        Self {
            socket: Socket::Closed { retry_at: now },
            failures: 0,
            last_contact: now,
            ever_open: false,
        }
    }

    /// The socket opened: the server is reachable, backoff starts over.
    pub fn opened(&mut self, now: f64) {
        self.socket = Socket::Open { pinged: now };
        self.failures = 0;
        self.last_contact = now;
        self.ever_open = true;
    }

    /// Any message arrived: the socket is alive.
    pub fn heard(&mut self, now: f64) {
        self.last_contact = now;
    }

    /// The socket closed or failed to open; schedules the next attempt.
    pub fn closed(&mut self, now: f64, jitter: f64) {
        self.socket = Socket::Closed {
            retry_at: now + retry_delay_ms(self.failures, jitter),
        };
        self.failures = self.failures.saturating_add(1);
    }

    /// The browser says the network is back: try at once, with a fresh
    /// backoff, instead of waiting out a long delay.
    pub fn online(&mut self, now: f64) -> Vec<Action> {
        match self.socket {
            Socket::Closed { .. } => {
                self.failures = 0;
                self.socket = Socket::Opening { since: now };
                vec![Action::Open]
            }
            Socket::Opening { .. } | Socket::Open { .. } => Vec::new(),
        }
    }

    /// Time passed: opens when a retry is due, abandons a hung attempt or a
    /// silent socket, pings when it is time.
    pub fn tick(&mut self, now: f64, jitter: f64) -> Vec<Action> {
        match self.socket {
            Socket::Closed { retry_at } if now >= retry_at => {
                self.socket = Socket::Opening { since: now };
                vec![Action::Open]
            }
            Socket::Closed { .. } => Vec::new(),
            Socket::Opening { since } if now - since >= OPEN_TIMEOUT_MS => {
                self.closed(now, jitter);
                vec![Action::Close]
            }
            Socket::Opening { .. } => Vec::new(),
            Socket::Open { .. } if now - self.last_contact >= DEAD_AFTER_MS => {
                self.closed(now, jitter);
                vec![Action::Close]
            }
            Socket::Open { pinged } if now - pinged >= PING_EVERY_MS => {
                self.socket = Socket::Open { pinged: now };
                vec![Action::Ping]
            }
            Socket::Open { .. } => Vec::new(),
        }
    }

    /// What the indicator shows at `now`.
    pub fn connection(&self, now: f64) -> Connection {
        match self.socket {
            Socket::Open { .. } => Connection::Live,
            _ if now - self.last_contact >= OFFLINE_AFTER_MS => Connection::Offline,
            _ if self.ever_open => Connection::Reconnecting,
            _ => Connection::Connecting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs ticks every 100 ms from `from` to `to` and returns the actions
    /// with the time they came out.
    fn run(link: &mut Link, from: f64, to: f64) -> Vec<(f64, Action)> {
        let mut out = Vec::new();
        let mut now = from;
        while now <= to {
            for action in link.tick(now, 0.0) {
                out.push((now, action));
            }
            now += 100.0;
        }
        out
    }

    #[test]
    fn retry_delays_double_from_one_second_to_thirty_with_jitter() {
        let plain: Vec<f64> = (0..8).map(|n| retry_delay_ms(n, 0.0)).collect();
        assert_eq!(
            plain,
            [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0, 30_000.0]
        );
        assert_eq!(retry_delay_ms(0, 1.0), 750.0);
        assert_eq!(retry_delay_ms(9, 0.5), 26_250.0);
        assert_eq!(retry_delay_ms(u32::MAX, 7.0), 22_500.0, "jitter is clamped");
    }

    #[test]
    fn the_first_attempt_is_immediate_and_a_failure_backs_off() {
        let mut link = Link::new(0.0);
        assert_eq!(link.tick(0.0, 0.0), [Action::Open]);
        assert_eq!(link.connection(0.0), Connection::Connecting);
        link.closed(50.0, 0.0);
        assert!(link.tick(1_000.0, 0.0).is_empty());
        assert_eq!(link.tick(1_050.0, 0.0), [Action::Open]);
        link.closed(1_100.0, 0.0);
        assert!(link.tick(3_000.0, 0.0).is_empty());
        assert_eq!(link.tick(3_100.0, 0.0), [Action::Open]);
    }

    #[test]
    fn opening_resets_the_backoff_and_shows_live() {
        let mut link = Link::new(0.0);
        link.tick(0.0, 0.0);
        for n in 0..4 {
            link.closed(f64::from(n), 0.0);
        }
        link.tick(100_000.0, 0.0);
        link.opened(100_100.0);
        assert_eq!(link.connection(100_100.0), Connection::Live);
        link.closed(100_200.0, 0.0);
        assert_eq!(link.connection(100_200.0), Connection::Reconnecting);
        assert_eq!(
            link.tick(101_200.0, 0.0),
            [Action::Open],
            "back to a 1 s delay"
        );
    }

    #[test]
    fn ten_seconds_without_contact_is_offline() {
        let mut link = Link::new(0.0);
        link.tick(0.0, 0.0);
        link.opened(10.0);
        link.heard(5_000.0);
        link.closed(6_000.0, 0.0);
        assert_eq!(link.connection(14_999.0), Connection::Reconnecting);
        assert_eq!(link.connection(15_000.0), Connection::Offline);

        let never = Link::new(0.0);
        assert_eq!(never.connection(9_999.0), Connection::Connecting);
        assert_eq!(never.connection(10_000.0), Connection::Offline);
    }

    #[test]
    fn an_open_socket_pings_every_25_seconds_and_dies_after_60_silent() {
        let mut link = Link::new(0.0);
        link.tick(0.0, 0.0);
        link.opened(0.0);
        let actions = run(&mut link, 100.0, 59_900.0);
        assert_eq!(
            actions,
            [(25_000.0, Action::Ping), (50_000.0, Action::Ping)]
        );
        assert_eq!(link.tick(60_000.0, 0.0), [Action::Close]);
        assert_eq!(
            link.connection(60_000.0),
            Connection::Offline,
            "a minute of silence is well past the offline limit"
        );
        assert_eq!(link.tick(61_000.0, 0.0), [Action::Open]);
    }

    #[test]
    fn messages_keep_an_open_socket_alive() {
        let mut link = Link::new(0.0);
        link.tick(0.0, 0.0);
        link.opened(0.0);
        link.heard(50_000.0);
        let actions = run(&mut link, 50_000.0, 109_900.0);
        assert!(!actions.contains(&(60_000.0, Action::Close)));
        assert!(actions.iter().all(|(_, action)| *action == Action::Ping));
        assert_eq!(link.tick(110_000.0, 0.0), [Action::Close]);
    }

    #[test]
    fn a_hung_attempt_is_abandoned_after_ten_seconds() {
        let mut link = Link::new(0.0);
        assert_eq!(link.tick(0.0, 0.0), [Action::Open]);
        assert!(link.tick(9_900.0, 0.0).is_empty());
        assert_eq!(link.tick(10_000.0, 0.0), [Action::Close]);
        assert_eq!(link.tick(11_000.0, 0.0), [Action::Open]);
    }

    #[test]
    fn coming_back_online_retries_at_once_with_a_fresh_backoff() {
        let mut link = Link::new(0.0);
        link.tick(0.0, 0.0);
        for n in 0..6 {
            link.closed(f64::from(n), 0.0);
        }
        assert!(link.tick(20_000.0, 0.0).is_empty(), "waiting out 30 s");
        assert_eq!(link.online(20_000.0), [Action::Open]);
        assert!(link.online(20_001.0).is_empty(), "already trying");
        link.closed(20_500.0, 0.0);
        assert_eq!(link.tick(21_500.0, 0.0), [Action::Open]);
    }
}
