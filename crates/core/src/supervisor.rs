//! The connection supervisor of a screen's order feed: one pure state
//! machine that decides when to open, ping, abandon and retry the outlet's
//! WebSocket, when to fall back to polling `GET /api/orders` every 3 s and
//! when to stop, which order snapshots to apply, and what the connection
//! indicator says.
//!
//! The browser glue feeds it [`Input`]s (socket opened, closed or heard,
//! poll answered or failed, a timer fired, the network came back, the page
//! was hidden or shown) with the current time in milliseconds and a random
//! number for the retry jitter, carries out the [`Action`]s it returns and
//! sets one timer for [`Supervisor::wake_at`]. Nothing here reads a clock or
//! touches the network, so every rule is tested natively with simulated
//! time.
//!
//! # Rules
//! - The socket is tried at once. One that has not opened within
//!   [`OPEN_TIMEOUT_MS`] is abandoned; a failed or dropped socket is retried
//!   after 1 s, doubling to 30 s, each delay shortened by up to a quarter of
//!   jitter so a room of screens does not come back in lock-step
//!   ([`retry_delay_ms`]). The network coming back (`online`) or the page
//!   becoming visible retries at once with a fresh backoff.
//! - From the moment the socket fails (cannot open, times out, drops) until
//!   one opens again, the feed is polled: the first poll at once, then every
//!   [`POLL_EVERY_MS`] from the start of the previous one. A poll that has
//!   not answered within [`POLL_TIMEOUT_MS`] counts as failed. A kiosk stops
//!   polling while its page is hidden; a kitchen screen never does.
//! - An open socket is pinged every [`PING_EVERY_MS`]; one silent for
//!   [`DEAD_AFTER_MS`] is dead (half-open connections never report it) and
//!   is replaced.
//! - Socket catch-up, live events and poll answers all go through one
//!   [`FeedCursor`], so the overlap between them (a reconnect replays what a
//!   poll already brought, a slow poll answers after the socket is back) is
//!   never applied twice, and every (re)connect or poll asks for
//!   `since_id` = the highest seq applied, so nothing is missed.
//! - A server whose current seq is below the cursor (its database was
//!   replaced) would never send anything new to this screen: the screen
//!   forgets its tickets ([`Action::Reset`]) and starts again from 0.
//! - The indicator is Live while the socket is open, Polling (with when the
//!   feed was last heard) while the fallback has contact, and Offline after
//!   [`OFFLINE_AFTER_MS`] without any contact.

use ticketrail_protocol::Order;

use crate::feed::{FeedCursor, Offer};

/// Client `ping` interval: well inside the server's 60 s silence limit.
pub const PING_EVERY_MS: f64 = 25_000.0;
/// A socket with no message for this long is dead and replaced.
pub const DEAD_AFTER_MS: f64 = 60_000.0;
/// Without any contact for this long the indicator says Offline.
pub const OFFLINE_AFTER_MS: f64 = 10_000.0;
/// An attempt that has not opened after this long is abandoned and the
/// fallback starts (a firewall that drops packets leaves a connect hanging
/// for minutes).
pub const OPEN_TIMEOUT_MS: f64 = 5_000.0;
/// First retry delay; it doubles per failed attempt.
pub const FIRST_RETRY_MS: f64 = 1_000.0;
/// Retry delays stop growing here.
pub const MAX_RETRY_MS: f64 = 30_000.0;
/// The polling fallback's period.
pub const POLL_EVERY_MS: f64 = 3_000.0;
/// A poll without an answer for this long counts as failed and the next
/// one is sent.
pub const POLL_TIMEOUT_MS: f64 = 5_000.0;

/// Which screen the feed serves; they differ in one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// A customer kiosk: nobody looks at a hidden one, so it stops polling.
    Kiosk,
    /// A kitchen display: always on, polls even when hidden.
    Kitchen,
}

/// What a socket message means to the supervisor (the glue parses it).
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// `connected`, with the server's current seq.
    Connected {
        /// The outlet's current seq on the server.
        seq: i64,
    },
    /// An order event's snapshot.
    Order(Box<Order>),
    /// Anything else (pong, a menu change, an error frame): a sign of life.
    Other,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Time passed (the timer set for [`Supervisor::wake_at`] fired).
    Tick,
    /// The socket asked for by the last [`Action::OpenSocket`] opened.
    SocketOpened,
    /// A message arrived on the open socket.
    SocketMessage(Heard),
    /// The socket failed to open or closed.
    SocketClosed,
    /// The poll `poll` answered with these snapshots.
    PollAnswered {
        /// The id of the [`Action::Poll`] it answers.
        poll: u64,
        /// The server's snapshots, as sent.
        orders: Vec<Order>,
    },
    /// The poll `poll` failed (network error, an error status, unreadable).
    PollFailed {
        /// The id of the [`Action::Poll`] that failed.
        poll: u64,
    },
    /// The browser says the network is back.
    Online,
    /// The page was hidden (`false`) or shown (`true`).
    Visible(bool),
}

/// Something the glue must do, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open a socket at `/ws/outlet/{id}/?since_id=<since_id>`, replacing
    /// any current one.
    OpenSocket {
        /// The cursor: the highest seq applied.
        since_id: i64,
    },
    /// Drop the current socket without waiting for its close event.
    CloseSocket,
    /// Send `{"type":"ping"}` on the open socket.
    Ping,
    /// `GET /api/orders?outlet_id=..&since_id=<since_id>`, answered with
    /// [`Input::PollAnswered`] or [`Input::PollFailed`] carrying `poll`.
    Poll {
        /// Identifies the answer.
        poll: u64,
        /// The cursor: the highest seq applied.
        since_id: i64,
    },
    /// Forget every order held: the server's feed started over.
    Reset,
    /// Apply these snapshots (new to the screen, ascending by seq).
    Apply(Vec<Order>),
}

/// What the connection indicator shows. Times are the glue's clock (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Connection {
    /// The first attempt is under way; nothing heard yet.
    Connecting,
    /// The socket is open.
    Live,
    /// The socket is down and the polling fallback has contact.
    Polling {
        /// When the server was last heard from.
        heard_at: f64,
    },
    /// Nothing has answered for [`OFFLINE_AFTER_MS`].
    Offline {
        /// When the server was last heard from, if ever.
        heard_at: Option<f64>,
    },
}

impl Connection {
    /// Whether the server answers, over the socket or the polling
    /// fallback: the screen's orders are current.
    pub fn in_contact(&self) -> bool {
        matches!(self, Connection::Live | Connection::Polling { .. })
    }
}

/// How long to wait before retry number `failures + 1`: 1 s, 2 s, 4 s ...
/// up to 30 s, each shortened by up to a quarter by `jitter` (in `0..1`).
pub fn retry_delay_ms(failures: u32, jitter: f64) -> f64 {
    let exponent = i32::try_from(failures.min(16)).unwrap_or(16);
    let base = (FIRST_RETRY_MS * 2f64.powi(exponent)).min(MAX_RETRY_MS);
    base * (1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Socket {
    /// No socket; the next attempt is due at `retry_at`.
    Closed { retry_at: f64 },
    /// An attempt started at `since`, asking for `since_id`.
    Opening { since: f64, since_id: i64 },
    /// Open, asked for `since_id`; last ping sent at `pinged`, last
    /// message at `heard`.
    Open {
        since_id: i64,
        pinged: f64,
        heard: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Polling {
    /// The socket is fine (or not yet known to fail): no polling.
    Off,
    /// The next poll is due at `at`.
    Due { at: f64 },
    /// Poll `poll` was sent at `since`.
    InFlight { poll: u64, since: f64 },
}

/// The supervisor's state. Create one per screen with [`Supervisor::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Supervisor {
    face: Face,
    socket: Socket,
    polling: Polling,
    cursor: FeedCursor,
    /// Failed attempts since the last open socket: the backoff exponent.
    failures: u32,
    /// When the server was last heard from, over either channel.
    heard_at: Option<f64>,
    /// When the supervisor started, for "offline" before any contact.
    started: f64,
    hidden: bool,
    /// Id of the last poll sent.
    polls: u64,
    /// Since the socket last failed, the last poll was answered (not
    /// failed, not timed out).
    poll_answered: bool,
}

impl Supervisor {
    /// A supervisor started at `now` for a `face` screen that has applied
    /// everything up to `cursor` (0 for a fresh screen, or the one it
    /// stored). The first [`Supervisor::handle`] opens the socket.
    pub fn new(now: f64, face: Face, cursor: i64) -> Self {
        Self {
            face,
            socket: Socket::Closed { retry_at: now },
            polling: Polling::Off,
            cursor: FeedCursor::new(cursor),
            failures: 0,
            heard_at: None,
            started: now,
            hidden: false,
            polls: 0,
            poll_answered: false,
        }
    }

    /// The highest seq applied: what a screen stores to resume from.
    pub fn cursor(&self) -> i64 {
        self.cursor.since()
    }

    /// Takes in `input` at `now`; `jitter` (in `0..1`) spreads retries.
    pub fn handle(&mut self, now: f64, input: Input, jitter: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        match input {
            Input::Tick => {}
            Input::SocketOpened => self.opened(now),
            Input::SocketMessage(heard) => self.heard_on_socket(now, heard, &mut actions),
            Input::SocketClosed => self.socket_failed(now, jitter),
            Input::PollAnswered { poll, orders } => {
                self.heard_at = Some(now);
                self.poll_answered = true;
                self.poll_done(now, poll);
                let fresh = self.cursor.apply_batch(orders, |order| order.seq);
                if !fresh.is_empty() {
                    actions.push(Action::Apply(fresh));
                }
            }
            Input::PollFailed { poll } => {
                self.poll_answered = false;
                self.poll_done(now, poll);
            }
            Input::Online => self.retry_now(now),
            Input::Visible(visible) => {
                self.hidden = !visible;
                if visible {
                    self.retry_now(now);
                }
            }
        }
        self.drive(now, jitter, &mut actions);
        actions
    }

    /// When the next thing after `now` is due (a retry, a timeout, a ping,
    /// a poll, the indicator turning Offline): the glue's timer should fire
    /// then. Infinite when nothing is.
    pub fn wake_at(&self, now: f64) -> f64 {
        let socket = match self.socket {
            Socket::Closed { retry_at } => retry_at,
            Socket::Opening { since, .. } => since + OPEN_TIMEOUT_MS,
            Socket::Open { pinged, heard, .. } => {
                (pinged + PING_EVERY_MS).min(heard + DEAD_AFTER_MS)
            }
        };
        let polling = match self.polling {
            Polling::Off => f64::INFINITY,
            Polling::Due { .. } if self.polling_paused() => f64::INFINITY,
            Polling::Due { at } => at,
            Polling::InFlight { since, .. } => since + POLL_TIMEOUT_MS,
        };
        let offline = Some(self.heard_at.unwrap_or(self.started) + OFFLINE_AFTER_MS)
            .filter(|at| *at > now)
            .unwrap_or(f64::INFINITY);
        socket.min(polling).min(offline)
    }

    /// Whether the server answered the last thing asked of it: the socket
    /// is open, or, since it failed, the last poll was answered. Stricter
    /// than [`Connection::in_contact`], which gives the indicator
    /// [`OFFLINE_AFTER_MS`] of grace: a screen that is about to make a
    /// request only worth making when the server is there (the kiosk's
    /// price check before an order) skips it when this is false, rather
    /// than wait for a request to fail.
    pub fn answering(&self) -> bool {
        matches!(self.socket, Socket::Open { .. }) || self.poll_answered
    }

    /// What the indicator shows at `now`.
    pub fn connection(&self, now: f64) -> Connection {
        if let Socket::Open { .. } = self.socket {
            return Connection::Live;
        }
        let last = self.heard_at.unwrap_or(self.started);
        match self.heard_at {
            _ if now - last >= OFFLINE_AFTER_MS => Connection::Offline {
                heard_at: self.heard_at,
            },
            Some(heard_at) => Connection::Polling { heard_at },
            None => Connection::Connecting,
        }
    }

    fn opened(&mut self, now: f64) {
        if let Socket::Opening { since_id, .. } = self.socket {
            self.socket = Socket::Open {
                since_id,
                pinged: now,
                heard: now,
            };
            self.failures = 0;
            self.heard_at = Some(now);
            // A poll still in flight may answer; the cursor sorts it out.
            self.polling = Polling::Off;
        }
    }

    fn heard_on_socket(&mut self, now: f64, heard: Heard, actions: &mut Vec<Action>) {
        let Socket::Open {
            since_id, pinged, ..
        } = self.socket
        else {
            return;
        };
        self.socket = Socket::Open {
            since_id,
            pinged,
            heard: now,
        };
        self.heard_at = Some(now);
        match heard {
            // Compared with what this socket asked for, not with the cursor
            // now: a poll answered since may have moved the cursor past the
            // seq this message was sent with.
            Heard::Connected { seq } if seq < since_id => {
                // The server's feed started over below what this screen has
                // seen: nothing above the cursor will ever come. Start from
                // zero on a new socket, without counting it as a failure.
                self.cursor = FeedCursor::new(0);
                self.socket = Socket::Closed { retry_at: now };
                actions.push(Action::Reset);
                actions.push(Action::CloseSocket);
            }
            Heard::Order(order) => {
                if self.cursor.offer(order.seq) == Offer::Apply {
                    actions.push(Action::Apply(vec![*order]));
                }
            }
            Heard::Connected { .. } | Heard::Other => {}
        }
    }

    /// The socket could not open, timed out or dropped: back off, and poll
    /// meanwhile.
    fn socket_failed(&mut self, now: f64, jitter: f64) {
        if let Socket::Closed { .. } = self.socket {
            return;
        }
        if let Socket::Open { .. } = self.socket {
            // Polls answered before the socket opened say nothing now; a
            // socket that fails to reopen does not undo a poll's answer.
            self.poll_answered = false;
        }
        self.socket = Socket::Closed {
            retry_at: now + retry_delay_ms(self.failures, jitter),
        };
        self.failures = self.failures.saturating_add(1);
        if self.polling == Polling::Off {
            self.polling = Polling::Due { at: now };
        }
    }

    fn poll_done(&mut self, now: f64, poll: u64) {
        if let Polling::InFlight {
            poll: current,
            since,
        } = self.polling
        {
            if current == poll {
                self.polling = Polling::Due {
                    at: (since + POLL_EVERY_MS).max(now),
                };
            }
        }
    }

    /// The network is back or the page shows again: try the socket now
    /// with a fresh backoff, and poll now if polling.
    fn retry_now(&mut self, now: f64) {
        if let Socket::Closed { .. } = self.socket {
            self.failures = 0;
            self.socket = Socket::Closed { retry_at: now };
        }
        if let Polling::Due { .. } = self.polling {
            self.polling = Polling::Due { at: now };
        }
    }

    fn polling_paused(&self) -> bool {
        self.hidden && self.face == Face::Kiosk
    }

    /// Does whatever is due at `now`.
    fn drive(&mut self, now: f64, jitter: f64, actions: &mut Vec<Action>) {
        match self.socket {
            Socket::Closed { retry_at } if now >= retry_at => {
                let since_id = self.cursor.since();
                self.socket = Socket::Opening {
                    since: now,
                    since_id,
                };
                actions.push(Action::OpenSocket { since_id });
            }
            Socket::Opening { since, .. } if now - since >= OPEN_TIMEOUT_MS => {
                self.socket_failed(now, jitter);
                actions.push(Action::CloseSocket);
            }
            Socket::Open { heard, .. } if now - heard >= DEAD_AFTER_MS => {
                self.socket_failed(now, jitter);
                actions.push(Action::CloseSocket);
            }
            Socket::Open {
                since_id,
                pinged,
                heard,
            } if now - pinged >= PING_EVERY_MS => {
                self.socket = Socket::Open {
                    since_id,
                    pinged: now,
                    heard,
                };
                actions.push(Action::Ping);
            }
            Socket::Closed { .. } | Socket::Opening { .. } | Socket::Open { .. } => {}
        }
        match self.polling {
            Polling::InFlight { since, .. } if now - since >= POLL_TIMEOUT_MS => {
                self.poll_answered = false;
                self.send_poll(now, actions);
            }
            Polling::Due { at } if now >= at && !self.polling_paused() => {
                self.send_poll(now, actions);
            }
            Polling::Off | Polling::Due { .. } | Polling::InFlight { .. } => {}
        }
    }

    fn send_poll(&mut self, now: f64, actions: &mut Vec<Action>) {
        self.polls += 1;
        self.polling = Polling::InFlight {
            poll: self.polls,
            since: now,
        };
        actions.push(Action::Poll {
            poll: self.polls,
            since_id: self.cursor.since(),
        });
    }
}

#[cfg(test)]
mod tests;
