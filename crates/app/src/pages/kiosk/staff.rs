//! The staff area: how old the menu on this screen is (with a warning past
//! a limit staff set), what it holds and where it is kept, and
//! "Re-download menu". Opened from a small, quiet button in the top bar,
//! with the outlet's staff PIN (`staff_gate`); its words are English
//! ([`crate::i18n::staff`]).
//!
//! The staleness rule is the core's (`menu_sync::staleness`) over the last
//! successful sync of the stalest kind; the limit is kept on the screen
//! (`localStorage`, see [`crate::device`]).

use std::time::Duration;

use chrono::TimeDelta;
use leptos::html;
use leptos::prelude::*;
use ticketrail_core::menu_sync::{staleness, Staleness};

use super::delivery::StaffQueue;
use super::menu_state::SyncStatus;
use super::sync_status::ProgressBar;
use super::{clock_ms, timestamp, use_kiosk, Kiosk};
use crate::components::focus_when_shown;
use crate::device;
use crate::i18n::staff as text;

/// Where the staleness limit (hours) is kept.
const STALE_LIMIT_KEY: &str = "ticketrail.kiosk.menu_stale_hours";
/// The limit until staff set another.
pub const DEFAULT_STALE_HOURS: f64 = 24.0;
/// The largest limit accepted: a year.
const MAX_STALE_HOURS: f64 = 24.0 * 366.0;
/// How often the menu's age is re-read while it is on screen.
const AGE_TICK: Duration = Duration::from_secs(15);

/// The limit saved on this screen, or the default.
pub fn saved_limit() -> f64 {
    device::load::<f64>(STALE_LIMIT_KEY)
        .filter(|hours| parse_limit(&hours.to_string()).is_some())
        .unwrap_or(DEFAULT_STALE_HOURS)
}

/// A limit typed by staff: hours, 0 or more (fractions allowed), at most a
/// year; `None` for anything else.
pub fn parse_limit(text: &str) -> Option<f64> {
    let hours: f64 = text.trim().parse().ok()?;
    (hours.is_finite() && (0.0..=MAX_STALE_HOURS).contains(&hours)).then_some(hours)
}

/// `hours` as the core's limit, to the millisecond.
fn limit(hours: f64) -> TimeDelta {
    // In range after `parse_limit`: at most ~3.2e10 ms.
    TimeDelta::milliseconds((hours * 3_600_000.0).round() as i64)
}

/// How fresh the menu is at `now_ms` against `limit_hours`.
fn freshness(kiosk: Kiosk, now_ms: u64, limit_hours: f64) -> Staleness {
    let stamp = kiosk.menu.stamps.with(|stamps| stamps.menu_stamp());
    staleness(stamp, timestamp(now_ms), limit(limit_hours))
}

fn is_stale(freshness: Staleness) -> bool {
    matches!(
        freshness,
        Staleness::Never | Staleness::Synced { too_old: true, .. }
    )
}

/// A clock that ticks every [`AGE_TICK`] while the calling component lives.
fn use_age_clock() -> RwSignal<u64> {
    let now = RwSignal::new(clock_ms());
    if let Ok(handle) = set_interval_with_handle(move || now.set(clock_ms()), AGE_TICK) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// The way in: small and quiet, with a dot when the menu is stale.
#[component]
pub fn StaffButton() -> impl IntoView {
    let kiosk = use_kiosk();
    let now = use_age_clock();
    // Not while a sync runs: a first download is not a problem to flag.
    let stale = move || {
        kiosk.menu.opened.get()
            && !kiosk
                .menu
                .sync
                .with(|status| matches!(status, SyncStatus::Running { .. }))
            && is_stale(freshness(kiosk, now.get(), kiosk.stale_limit_hours.get()))
    };
    view! {
        <button
            type="button"
            class="staff-button"
            class:staff-button--alert=stale
            data-testid="staff-open"
            title=text::OPEN_HINT
            aria-haspopup="dialog"
            aria-expanded=move || kiosk.staff_open.get().to_string()
            on:click=move |_| kiosk.staff_open.set(true)
        >
            <svg viewBox="0 0 24 24" aria-hidden="true">
                <rect x="5" y="10.5" width="14" height="9.5" rx="2" />
                <path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5" />
            </svg>
            <span class="staff-button__label">{text::OPEN}</span>
        </button>
    }
}

/// The staff area, while open: first its PIN ([`super::staff_gate`]).
#[component]
pub fn StaffArea() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        kiosk
            .staff_open
            .get()
            .then(|| view! { <super::staff_gate::StaffGate /> })
    }
}

/// The staff area itself, once the PIN was right.
#[component]
pub(super) fn StaffDialog() -> impl IntoView {
    let kiosk = use_kiosk();
    let now = use_age_clock();
    let fresh = Memo::new(move |_| freshness(kiosk, now.get(), kiosk.stale_limit_hours.get()));
    let close = move || kiosk.staff_open.set(false);
    let close_button = NodeRef::<html::Button>::new();
    focus_when_shown(close_button);
    let age = move || text::menu_age(fresh.get());
    let minutes = move || match fresh.get() {
        Staleness::Synced { minutes, .. } => Some(minutes.to_string()),
        Staleness::Never => None,
    };
    let warning = move || {
        is_stale(fresh.get()).then(|| {
            let words = text::stale_warning(fresh.get(), kiosk.stale_limit_hours.get());
            view! { <p class="staff__warning" data-testid="menu-stale-warning" role="alert">{words}</p> }
        })
    };
    let initial_limit = kiosk.stale_limit_hours.get_untracked().to_string();
    view! {
        <div class="staff" on:click=move |_| close()>
            <div
                class="staff__card"
                data-testid="staff-area"
                role="dialog"
                aria-modal="true"
                aria-labelledby="staff-title"
                on:click=|event| event.stop_propagation()
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        close();
                    }
                }
            >
                <header class="staff__head">
                    <h2 class="staff__title" id="staff-title">{text::TITLE}</h2>
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        data-testid="staff-close"
                        node_ref=close_button
                        on:click=move |_| close()
                    >
                        {text::CLOSE}
                    </button>
                </header>
                <section class="staff__section">
                    <h3 class="staff__heading">{text::MENU_HEADING}</h3>
                    <p class="staff__age" data-testid="menu-age" data-minutes=minutes>{age}</p>
                    {warning}
                    <MenuFacts />
                </section>
                <section class="staff__section">
                    <label class="staff__field">
                        <span>{text::STALE_LIMIT_LABEL}</span>
                        <input
                            class="staff__input"
                            data-testid="stale-limit-hours"
                            type="number"
                            min="0"
                            step="any"
                            inputmode="decimal"
                            value=initial_limit
                            on:input=move |event| {
                                if let Some(hours) = parse_limit(&event_target_value(&event)) {
                                    device::save(STALE_LIMIT_KEY, &hours);
                                    kiosk.stale_limit_hours.set(hours);
                                }
                            }
                        />
                        <span class="staff__hint">{text::STALE_LIMIT_HINT}</span>
                    </label>
                </section>
                <section class="staff__section">
                    <Redownload />
                </section>
                <StaffQueue />
            </div>
        </div>
    }
}

/// What the menu holds, where it is kept, and how the last sync went.
#[component]
fn MenuFacts() -> impl IntoView {
    let kiosk = use_kiosk();
    let contents = move || {
        kiosk.catalog.with(|catalog| {
            catalog.as_ref().map(|catalog| {
                let on_sale = catalog
                    .products
                    .values()
                    .filter(|product| product.is_active)
                    .count();
                (
                    text::contents(
                        catalog.products.len(),
                        on_sale,
                        catalog.categories.len(),
                        catalog.promotions.len(),
                    ),
                    text::version(catalog.version),
                )
            })
        })
    };
    let sync = move || match kiosk.menu.sync.get() {
        SyncStatus::Idle => text::SYNC_IDLE.to_owned(),
        SyncStatus::Running {
            full,
            items,
            percent,
        } => text::sync_running(full, items, percent),
        SyncStatus::Done { full, items } => text::sync_done(full, items),
        SyncStatus::Failed(err) => text::sync_failed(&err.to_string()),
    };
    view! {
        <ul class="staff__facts">
            {move || contents().map(|(contents, version)| view! {
                <li>{contents}</li>
                <li>{version}</li>
            })}
            <li data-testid="menu-storage">{move || text::storage(kiosk.menu.saved.get())}</li>
            <li data-testid="menu-sync-detail">{sync}</li>
        </ul>
    }
}

/// "Re-download menu" and its progress.
#[component]
fn Redownload() -> impl IntoView {
    let kiosk = use_kiosk();
    let running = move || {
        kiosk
            .menu
            .sync
            .with(|status| matches!(status, SyncStatus::Running { .. }))
    };
    let progress = move || match kiosk.menu.sync.get() {
        SyncStatus::Running { percent, .. } => {
            Some(view! { <ProgressBar percent=percent label=text::REDOWNLOAD /> })
        }
        _ => None,
    };
    view! {
        <button
            type="button"
            class="button"
            data-testid="redownload-menu"
            disabled=running
            on:click=move |_| kiosk.menu.redownload()
        >
            {text::REDOWNLOAD}
        </button>
        <p class="staff__hint">{text::REDOWNLOAD_HINT}</p>
        {progress}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_hours_from_zero_to_a_year() {
        assert_eq!(parse_limit("24"), Some(24.0));
        assert_eq!(parse_limit(" 0.5 "), Some(0.5));
        assert_eq!(parse_limit("0"), Some(0.0));
        for bad in ["", "-1", "abc", "NaN", "inf", "9000"] {
            assert_eq!(parse_limit(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn limits_become_milliseconds() {
        assert_eq!(limit(24.0), TimeDelta::hours(24));
        assert_eq!(limit(0.001), TimeDelta::milliseconds(3_600));
        assert_eq!(limit(0.0), TimeDelta::zero());
    }

    #[test]
    fn never_synced_and_too_old_are_stale() {
        assert!(is_stale(Staleness::Never));
        assert!(is_stale(Staleness::Synced {
            minutes: 2,
            too_old: true
        }));
        assert!(!is_stale(Staleness::Synced {
            minutes: 2,
            too_old: false
        }));
    }
}
