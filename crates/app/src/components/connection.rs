//! The connection indicator on every screen: Live / Polling / Offline,
//! readable from across a kitchen, with how fresh the tickets are whenever
//! the socket is down.
//!
//! Colour alone would fail colour-blind staff and a glance from far away,
//! so each state has its own dot shape and motion (a steady glow when live,
//! a pulsing ring while connecting or polling, a hollow dot when offline)
//! plus a word.

use std::time::Duration;

use leptos::prelude::*;

use crate::{
    i18n::kitchen::{connection_detail, connection_label, connection_since},
    live::{Connection, LiveFeed},
};

/// The `data-state` the stylesheet and the browser tests read: a first
/// attempt counts as reconnecting (the screen is trying, not yet live).
fn state_slug(connection: Connection) -> &'static str {
    match connection {
        Connection::Connecting => "reconnecting",
        Connection::Live => "live",
        Connection::Polling { .. } => "polling",
        Connection::Offline { .. } => "offline",
    }
}

/// Shows the shared live feed's connection state.
#[component]
pub fn ConnectionIndicator() -> impl IntoView {
    let feed = expect_context::<LiveFeed>();
    let connection = feed.connection;
    // "updated 4 s ago" ticks while the socket is down.
    let (now, set_now) = signal(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let down = connection.with_untracked(|state| {
                matches!(
                    state,
                    Connection::Polling { .. } | Connection::Offline { .. }
                )
            });
            if down {
                set_now.set(js_sys::Date::now());
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let since = move || {
        connection_since(connection.get(), now.get())
            .map(|since| view! { <span class="connection__since">{since}</span> })
    };
    view! {
        <span
            class="connection"
            data-testid="connection"
            data-state=move || state_slug(connection.get())
            role="status"
            aria-live="polite"
            title=move || connection_detail(connection.get())
        >
            <span class="connection__dot" aria-hidden="true"></span>
            <span class="connection__label">{move || connection_label(connection.get())}</span>
            {since}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_maps_to_a_contract_slug() {
        assert_eq!(state_slug(Connection::Live), "live");
        assert_eq!(state_slug(Connection::Connecting), "reconnecting");
        assert_eq!(state_slug(Connection::Polling { heard_at: 1.0 }), "polling");
        assert_eq!(
            state_slug(Connection::Offline { heard_at: None }),
            "offline"
        );
    }
}
