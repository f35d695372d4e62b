//! The attract screen: what the kiosk shows between customers. One big
//! "Tap to order" and the running offers as a teaser; while there is no
//! menu to show, the download's progress or, when it could not be had, the
//! notice staff need to see, in the button's place (a customer is not
//! invited to order from an empty screen).

use leptos::prelude::*;

use super::sync_status::SyncPanel;
use super::{clock_ms, timestamp, use_kiosk};
use crate::i18n::{localized, Key};

/// "Hungry? Order here." with the start button.
#[component]
pub fn AttractScreen() -> impl IntoView {
    let kiosk = use_kiosk();
    let text = move |key: Key| kiosk.lang.get().text(key);
    view! {
        <section class="attract" data-testid="attract">
            <div class="attract__inner">
                <img class="attract__mark" src="/icons/icon-512.png" alt="" width="112" height="112" />
                <h1 class="attract__title">{move || text(Key::Welcome)}</h1>
                <p class="attract__lead">{move || text(Key::AttractLead)}</p>
                // "Tap to order" only with a menu to show: without one, the
                // download's progress or the notice takes its place.
                <div class="attract__action">
                    <Show when=move || kiosk.catalog.with(Option::is_some)>
                        <button
                            type="button"
                            class="button button--hero"
                            data-testid="start-order"
                            on:click=move |_| kiosk.start()
                        >
                            <span>{move || text(Key::TapToOrder)}</span>
                            <svg class="button__arrow" viewBox="0 0 24 24" aria-hidden="true">
                                <path d="M5 12h14M13 6l6 6-6 6" />
                            </svg>
                        </button>
                    </Show>
                    {move || kiosk.awaiting_download().then(|| view! { <SyncPanel /> })}
                </div>
                <Offers />
            </div>
        </section>
    }
}

/// The promotions running now, as chips under the button.
#[component]
fn Offers() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let catalog = kiosk.catalog.get()?;
        let lang = kiosk.lang.get();
        let names: Vec<String> = catalog
            .offers(timestamp(clock_ms()))
            .into_iter()
            .map(|offer| localized(lang, &offer.name, &offer.translations).to_owned())
            .collect();
        (!names.is_empty()).then(|| {
            view! {
                <div class="offers">
                    <h2 class="offers__title">{lang.text(Key::TodaysOffers)}</h2>
                    <ul class="offers__list">
                        {names
                            .into_iter()
                            .map(|name| view! { <li class="offers__item">{name}</li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
