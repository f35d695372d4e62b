//! The language switch (English / Bahasa Indonesia / العربية, each named
//! in itself, so a person finds theirs whatever is showing) and the hook
//! that keeps `<html lang dir>` on the chosen language, for every page that
//! speaks to customers or to someone setting a screen up.

use leptos::prelude::*;

use crate::i18n::{Key, Lang};

/// The three languages as a toggle group over `lang`.
#[component]
pub fn LanguageSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let label = move || lang.get().text(Key::Language);
    view! {
        <div class="lang-switch" data-testid="language" role="group" aria-label=label>
            {Lang::ALL
                .into_iter()
                .map(|option| {
                    let pressed = move || (lang.get() == option).to_string();
                    view! {
                        <button
                            type="button"
                            class="lang-switch__option"
                            data-lang=option.code()
                            lang=option.code()
                            dir=option.dir()
                            aria-pressed=pressed
                            on:click=move |_| lang.set(option)
                        >
                            {option.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Keeps `<html lang dir>` on `lang` (Arabic mirrors the whole layout), and
/// puts it back when the page goes away.
pub fn use_document_language(lang: RwSignal<Lang>) {
    let apply = |lang: Lang| {
        if let Some(root) = document().document_element() {
            // Attributes on <html> cannot fail to set; nothing to report.
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("dir", lang.dir());
        }
    };
    Effect::new(move |_| apply(lang.get()));
    on_cleanup(move || apply(Lang::default()));
}
