//! The connection indicator on every screen: Live / Reconnecting / Offline,
//! readable from across a kitchen.
//!
//! Colour alone would fail colour-blind staff and a glance from far away,
//! so each state has its own dot shape and motion (a steady glow when live,
//! a pulsing ring while retrying, a hollow dot when offline) plus a word.

use leptos::prelude::*;

use crate::{
    i18n::kitchen::{connection_detail, connection_label},
    live::{Connection, LiveFeed},
};

/// The `data-state` the stylesheet and the browser tests read: a first
/// attempt counts as reconnecting (the screen is trying, not yet live).
fn state_slug(connection: Connection) -> &'static str {
    match connection {
        Connection::Connecting | Connection::Reconnecting => "reconnecting",
        Connection::Live => "live",
        Connection::Offline => "offline",
    }
}

/// Shows the shared live feed's connection state.
#[component]
pub fn ConnectionIndicator() -> impl IntoView {
    let feed = expect_context::<LiveFeed>();
    let connection = feed.connection;
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
        assert_eq!(state_slug(Connection::Reconnecting), "reconnecting");
        assert_eq!(state_slug(Connection::Offline), "offline");
    }
}
