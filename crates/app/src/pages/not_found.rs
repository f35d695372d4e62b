//! Any other path: a friendly dead end that points at the two faces.

use leptos::prelude::*;

use crate::components::{Face, Shell};
use crate::i18n::{Key, Lang};

/// Shown for paths the router does not know (in the default language: no
/// one has picked another on this page).
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let text = |key: Key| Lang::default().text(key);
    view! {
        <Shell face=Face::Kiosk>
            <section class="hero">
                <h1 class="hero__title">{text(Key::NotFoundTitle)}</h1>
                <p class="hero__lead">{text(Key::NotFoundLead)}</p>
            </section>
            <nav class="choices" aria-label=text(Key::Screens)>
                <a class="button" href="/kiosk">{text(Key::SelfOrderKiosk)}</a>
                <a class="button button--secondary" href="/kitchen">{text(Key::KitchenLabel)}</a>
            </nav>
        </Shell>
    }
}
