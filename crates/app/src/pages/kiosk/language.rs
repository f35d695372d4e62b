//! The language switch in the kiosk's top bar: each language named in
//! itself, so a customer finds theirs whatever is showing.

use leptos::prelude::*;

use super::use_kiosk;
use crate::i18n::{Key, Lang};

/// English / Bahasa Indonesia / العربية.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let kiosk = use_kiosk();
    let label = move || kiosk.lang.get().text(Key::Language);
    view! {
        <div class="lang-switch" data-testid="language" role="group" aria-label=label>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    let pressed = move || (kiosk.lang.get() == lang).to_string();
                    view! {
                        <button
                            type="button"
                            class="lang-switch__option"
                            data-lang=lang.code()
                            lang=lang.code()
                            dir=lang.dir()
                            aria-pressed=pressed
                            on:click=move |_| kiosk.lang.set(lang)
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
