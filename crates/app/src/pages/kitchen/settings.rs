//! This screen's kitchen settings, kept in `localStorage`: the station
//! filter, the age-colour thresholds (with their small form) and whether
//! the chime plays.
//!
//! Each screen keeps its own: the bar's tablet shows the bar, the pass shows
//! everything. A stored value this build cannot read counts as "not set".

use leptos::prelude::*;
use ticketrail_core::tickets::{AgeThresholds, StationFilter};

use super::Kitchen;
use crate::{device, i18n::kitchen as text};

const FILTER_KEY: &str = "ticketrail.kitchen.station";
const THRESHOLDS_KEY: &str = "ticketrail.kitchen.thresholds";
const SOUND_KEY: &str = "ticketrail.kitchen.sound";

/// The remembered station filter (all stations when none).
pub fn load_filter() -> StationFilter {
    device::load(FILTER_KEY).unwrap_or_default()
}

/// Remembers the station filter.
pub fn save_filter(filter: &StationFilter) {
    device::save(FILTER_KEY, filter);
}

/// The remembered thresholds (5 and 8 minutes when none).
pub fn load_thresholds() -> AgeThresholds {
    device::load(THRESHOLDS_KEY).unwrap_or_default()
}

/// Whether the chime is on (it is unless switched off here).
pub fn load_sound() -> bool {
    device::load(SOUND_KEY).unwrap_or(true)
}

/// Remembers the chime switch.
pub fn save_sound(on: bool) {
    device::save(SOUND_KEY, &on);
}

/// Thresholds from the two inputs' text, or what is wrong with it.
fn parse_thresholds(warn: &str, late: &str) -> Result<AgeThresholds, &'static str> {
    let (Ok(warn), Ok(late)) = (warn.trim().parse::<u32>(), late.trim().parse::<u32>()) else {
        return Err(text::threshold_error(None));
    };
    AgeThresholds::from_minutes(warn, late).map_err(|err| text::threshold_error(Some(err)))
}

/// The age-colour thresholds form. A valid pair takes effect as it is
/// typed; a mistake is pointed out only once the cook leaves the field
/// (or presses Enter), so half-typed numbers do not flash errors.
#[component]
pub fn SettingsForm() -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    let initial = kitchen.thresholds.get_untracked();
    let warn = RwSignal::new(initial.warn_minutes().to_string());
    let late = RwSignal::new(initial.late_minutes().to_string());
    let (error, set_error) = signal(None::<&'static str>);

    let apply =
        move |report: bool| match parse_thresholds(&warn.get_untracked(), &late.get_untracked()) {
            Ok(thresholds) => {
                set_error.set(None);
                if thresholds != kitchen.thresholds.get_untracked() {
                    kitchen.thresholds.set(thresholds);
                    device::save(THRESHOLDS_KEY, &thresholds);
                }
            }
            Err(message) if report => set_error.set(Some(message)),
            Err(_) => {}
        };
    let field = move |name: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      tone: &'static str| {
        view! {
            <label class="settings__field">
                <span class=format!("settings__swatch settings__swatch--{tone}") aria-hidden="true"></span>
                <span class="settings__label">{label}</span>
                <input
                    class="settings__input"
                    type="number"
                    name=name
                    min="1"
                    max=AgeThresholds::MAX_MINUTES.to_string()
                    step="1"
                    inputmode="numeric"
                    aria-invalid=move || error.get().is_some().to_string()
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        apply(false);
                    }
                    on:change=move |_| apply(true)
                />
                <span class="settings__unit">{text::MINUTES}</span>
            </label>
        }
    };
    view! {
        <form
            class="settings"
            data-testid="kitchen-settings"
            aria-label=text::SETTINGS_LABEL
            on:submit=move |ev| {
                ev.prevent_default();
                apply(true);
            }
        >
            {field("warn_minutes", text::WARN_LABEL, warn, "warn")}
            {field("late_minutes", text::LATE_LABEL, late, "late")}
            <span class="settings__error" role="alert">{move || error.get()}</span>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_thresholds;

    #[test]
    fn thresholds_parse_from_the_inputs_or_say_what_is_wrong() {
        let ok = parse_thresholds(" 4 ", "9").unwrap();
        assert_eq!((ok.warn_minutes(), ok.late_minutes()), (4, 9));
        assert_eq!(parse_thresholds("", "8"), Err("Enter whole minutes."));
        assert_eq!(parse_thresholds("2.5", "8"), Err("Enter whole minutes."));
        assert_eq!(
            parse_thresholds("9", "4"),
            Err("Red must come after yellow.")
        );
        assert_eq!(parse_thresholds("0", "4"), Err("Use at least 1 minute."));
    }
}
