//! The kitchen's controls in the top bar: the station filter and recall.
//!
//! The filter offers every station the menu names, plus any the tickets
//! name (an old order may name a station the menu no longer has), plus the
//! remembered choice, so a bar screen opened before its first order still
//! offers "Bar".

use leptos::prelude::*;
use ticketrail_core::tickets::StationFilter;

use super::{actions, settings, Kitchen};
use crate::{api, i18n::kitchen as text};

/// The stations to offer, sorted and without repeats.
fn filter_choices(board: Vec<String>, menu: Vec<String>, current: &StationFilter) -> Vec<String> {
    let mut stations = board;
    stations.extend(menu);
    if let StationFilter::Station(station) = current {
        stations.push(station.clone());
    }
    stations.retain(|station| !station.is_empty());
    stations.sort_unstable();
    stations.dedup();
    stations
}

/// Station filter and recall button.
#[component]
pub fn Toolbar() -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    let menu = LocalResource::new(api::menu::fetch_menu);
    let menu_stations = move || {
        menu.get()
            .and_then(Result::ok)
            .map(|menu| {
                menu.products
                    .into_iter()
                    .filter(|product| product.is_active)
                    .map(|product| product.station)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let choices = Memo::new(move |_| {
        let board = kitchen.board.with(|board| board.stations());
        filter_choices(board, menu_stations(), &kitchen.filter.get())
    });
    let choose = move |filter: StationFilter| {
        settings::save_filter(&filter);
        kitchen.filter.set(filter);
    };
    let button = move |filter: StationFilter, label: String| {
        let key = filter.key().to_owned();
        let pressed = {
            let filter = filter.clone();
            move || (kitchen.filter.get() == filter).to_string()
        };
        view! {
            <button
                class="station-filter__choice"
                type="button"
                data-station=key
                aria-pressed=pressed
                on:click=move |_| choose(filter.clone())
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="kitchen-tools">
            <div
                class="station-filter"
                data-testid="station-filter"
                role="group"
                aria-label=text::FILTER_LABEL
            >
                {button(StationFilter::All, text::FILTER_ALL.to_owned())}
                <For each=move || choices.get() key=String::clone let:station>
                    {button(StationFilter::Station(station.clone()), text::station_name(&station))}
                </For>
            </div>
            <button
                class="recall"
                type="button"
                data-testid="recall"
                title=text::RECALL_HINT
                on:click=move |_| actions::recall(kitchen)
            >
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path
                        d="M4 12a8 8 0 1 0 2.4-5.7M4 4v5h5"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2.2"
                        stroke-linecap="round"
                        stroke-linejoin="round"
                    />
                </svg>
                {text::RECALL}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_join_board_menu_and_the_remembered_station() {
        let choices = filter_choices(
            vec!["kitchen".into(), "bar".into()],
            vec!["bar".into(), "grill".into(), String::new()],
            &StationFilter::Station("dessert".into()),
        );
        assert_eq!(choices, ["bar", "dessert", "grill", "kitchen"]);
        assert!(filter_choices(Vec::new(), Vec::new(), &StationFilter::All).is_empty());
    }
}
