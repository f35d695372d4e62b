//! The kitchen display's strings, and the connection indicator's.
//!
//! Kitchen staff read English on this screen (the kiosk's languages are for
//! customers), so these are plain functions and constants rather than a
//! table per language; they stay in one place so wording is reviewed, and
//! later translated, here and nowhere else.

use ticketrail_core::tickets::{StationFilter, ThresholdError};
use ticketrail_protocol::OrderStatus;

use crate::live::Connection;

/// The indicator's label.
pub fn connection_label(connection: Connection) -> &'static str {
    match connection {
        Connection::Connecting => "Connecting",
        Connection::Live => "Live",
        Connection::Polling { .. } => "Polling",
        Connection::Offline { .. } => "Offline",
    }
}

/// The indicator's second line at `now_ms`: how fresh the tickets are
/// when the socket is down ("updated 4 s ago", "last contact 3 min ago").
pub fn connection_since(connection: Connection, now_ms: f64) -> Option<String> {
    match connection {
        Connection::Connecting | Connection::Live => None,
        Connection::Polling { heard_at } => Some(format!("updated {}", ago(now_ms - heard_at))),
        Connection::Offline {
            heard_at: Some(heard_at),
        } => Some(format!("last contact {}", ago(now_ms - heard_at))),
        Connection::Offline { heard_at: None } => Some("never reached".to_owned()),
    }
}

/// `4 s ago`, `3 min ago`, `2 h ago`.
pub fn ago(ms: f64) -> String {
    let secs = (ms / 1_000.0).floor().max(0.0) as u64;
    match secs {
        0..=59 => format!("{secs} s ago"),
        60..=3_599 => format!("{} min ago", secs / 60),
        _ => format!("{} h ago", secs / 3_600),
    }
}

/// The indicator's longer explanation (tooltip and screen readers).
pub fn connection_detail(connection: Connection) -> &'static str {
    match connection {
        Connection::Connecting => "Connecting to the outlet server…",
        Connection::Live => "Live: new orders appear the moment they are placed",
        Connection::Polling { .. } => {
            "The live connection is down: checking the outlet server for new orders every 3 seconds"
        }
        Connection::Offline { .. } => {
            "Offline: the outlet server has not answered for a while. Tickets may be out of date."
        }
    }
}

/// `aria-label` of the station filter group.
pub const FILTER_LABEL: &str = "Show tickets for";
/// The filter button that shows every station.
pub const FILTER_ALL: &str = "All stations";

/// A station's name as a heading: `bar` -> `Bar`, `cold_kitchen` ->
/// `Cold kitchen`.
pub fn station_name(station: &str) -> String {
    let spaced = station.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The recall button.
pub const RECALL: &str = "Recall";
/// The recall button's longer description.
pub const RECALL_HINT: &str = "Bring back the last completed ticket";
/// Recall with no completed ticket at all.
pub const RECALL_NONE: &str = "No completed ticket to bring back yet.";
/// Recall pressed past the oldest completed ticket.
pub const RECALL_NO_EARLIER: &str = "No earlier completed ticket to bring back.";

/// Toast after a recall.
pub fn recalled(number: &str) -> String {
    format!("Order {number} recalled. Tap Dismiss to hide it again.")
}

/// The status chip on a ticket.
pub fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "New",
        OrderStatus::Preparing => "Preparing",
        OrderStatus::Ready => "Ready",
        OrderStatus::Completed => "Completed",
        OrderStatus::Cancelled => "Cancelled",
    }
}

/// The chip of a recalled ticket.
pub const RECALLED_CHIP: &str = "Recalled";

/// The advance button's label for moving an order to `next`.
pub fn advance_label(next: OrderStatus) -> &'static str {
    match next {
        OrderStatus::Preparing => "Start preparing",
        OrderStatus::Ready => "Mark ready",
        OrderStatus::Completed => "Complete",
        OrderStatus::Pending | OrderStatus::Cancelled => "Move on",
    }
}

/// The button on a recalled ticket, which hides it again.
pub const DISMISS: &str = "Dismiss";
/// The advance button while its request is on the way.
pub const SENDING: &str = "Sending…";
/// What a cancelled ticket tells the cook.
pub const CANCELLED_NOTE: &str = "Cancelled: stop and set aside";

/// `aria-label` of a ticket card.
pub fn ticket_aria(number: &str, status: OrderStatus, age: &str) -> String {
    format!(
        "Order {number}, {}, {age} old",
        status_label(status).to_lowercase()
    )
}

/// The label before the order number on a card.
pub const ORDER_PREFIX: &str = "#";
/// The label of the order total on a card.
pub const TOTAL: &str = "Total";

/// The empty board's title: "all caught up" is only true while the feed
/// is live; otherwise the board may be missing orders it cannot see yet.
pub fn empty_title(live: bool) -> &'static str {
    if live {
        "All caught up"
    } else {
        "No tickets to show yet"
    }
}

/// The empty board's explanation, for every station or one, and whether
/// the feed is live.
pub fn empty_detail(filter: &StationFilter, live: bool) -> String {
    if !live {
        return "Not connected to the outlet server. Orders placed meanwhile appear here as soon as the connection is back.".to_owned();
    }
    match filter {
        StationFilter::All => "New orders appear here the moment they are placed.".to_owned(),
        StationFilter::Station(station) => format!(
            "Nothing for {} right now. New orders appear here the moment they are placed.",
            station_name(station)
        ),
    }
}

/// Summary counts in the footer: `3 new`, `1 late`.
pub fn summary_part(count: usize, what: SummaryPart) -> String {
    let word = match what {
        SummaryPart::New => "new",
        SummaryPart::Preparing => "preparing",
        SummaryPart::Ready => "ready",
        SummaryPart::Late => "late",
    };
    format!("{count} {word}")
}

/// Which count [`summary_part`] words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryPart {
    /// Pending tickets.
    New,
    /// Tickets being made.
    Preparing,
    /// Tickets waiting for pick-up.
    Ready,
    /// Open tickets past the red threshold.
    Late,
}

/// Screen-reader announcement of new tickets.
pub fn arrived(numbers: &[String]) -> String {
    match numbers {
        [one] => format!("New order {one}"),
        many => format!("New orders {}", many.join(", ")),
    }
}

/// Shown until the first tap, because browsers only play sound after one.
pub const SOUND_LOCKED: &str = "Tap anywhere to enable sound";
/// The sound switch.
pub const SOUND: &str = "Sound";

/// The settings form's heading (for screen readers).
pub const SETTINGS_LABEL: &str = "Ticket age colours";
/// Label of the warning threshold input.
pub const WARN_LABEL: &str = "Yellow after";
/// Label of the late threshold input.
pub const LATE_LABEL: &str = "Red after";
/// Unit after the threshold inputs.
pub const MINUTES: &str = "min";

/// Why the thresholds typed in were not taken.
pub fn threshold_error(error: Option<ThresholdError>) -> &'static str {
    match error {
        None => "Enter whole minutes.",
        Some(ThresholdError::Zero) => "Use at least 1 minute.",
        Some(ThresholdError::LateNotAfterWarn) => "Red must come after yellow.",
        // Kept in step with `AgeThresholds::MAX_MINUTES` by a test.
        Some(ThresholdError::TooLong) => "Use at most 240 minutes.",
    }
}

/// Close button of a toast.
pub const DISMISS_TOAST: &str = "Dismiss message";

/// A queued move of order `number` (it was `was`) that the server refused
/// with `message`.
pub fn advance_refused(number: &str, was: OrderStatus, message: &str) -> String {
    let was = status_label(was).to_lowercase();
    format!("The server did not move order {number} ({message}). This screen shows where it is now; it was {was}.")
}

/// A move of order `number` that could not even be queued on this screen.
pub fn not_queued(number: &str, reason: &str) -> String {
    format!("Order {number} was not moved: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_names_read_as_headings() {
        assert_eq!(station_name("bar"), "Bar");
        assert_eq!(station_name("cold_kitchen"), "Cold kitchen");
        assert_eq!(station_name(""), "");
    }

    #[test]
    fn every_forward_move_has_a_distinct_label() {
        let labels: Vec<&str> = [
            OrderStatus::Preparing,
            OrderStatus::Ready,
            OrderStatus::Completed,
        ]
        .into_iter()
        .map(advance_label)
        .collect();
        assert_eq!(labels, ["Start preparing", "Mark ready", "Complete"]);
    }

    #[test]
    fn refusals_tell_the_cook_why_and_what_the_ticket_was() {
        let text = advance_refused("7", OrderStatus::Preparing, "already ready");
        assert!(
            text.contains("already ready") && text.contains("was preparing"),
            "{text}"
        );
        assert!(not_queued("042", "disk full").contains("disk full"));
    }

    #[test]
    fn announcements_and_empty_states_name_what_they_are_about() {
        assert_eq!(arrived(&["042".into()]), "New order 042");
        assert_eq!(
            arrived(&["042".into(), "043".into()]),
            "New orders 042, 043"
        );
        assert!(empty_detail(&StationFilter::Station("bar".into()), true)
            .starts_with("Nothing for Bar"));
        assert_eq!(empty_title(true), "All caught up");
        assert_ne!(
            empty_title(false),
            empty_title(true),
            "offline is never caught up"
        );
        assert!(empty_detail(&StationFilter::All, false).contains("Not connected"));
        assert_eq!(summary_part(2, SummaryPart::Late), "2 late");
    }

    #[test]
    fn the_too_long_message_names_the_real_limit() {
        let limit = ticketrail_core::tickets::AgeThresholds::MAX_MINUTES.to_string();
        assert!(threshold_error(Some(ThresholdError::TooLong)).contains(&limit));
    }
}
