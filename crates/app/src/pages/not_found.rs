//! Any other path: a friendly dead end that points at the two faces.

use leptos::prelude::*;

use crate::components::{Face, Shell};

/// Shown for paths the router does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Shell face=Face::Kiosk>
            <section class="hero">
                <h1 class="hero__title">"This page doesn't exist"</h1>
                <p class="hero__lead">"Pick the screen this device should show."</p>
            </section>
            <nav class="choices" aria-label="Screens">
                <a class="button" href="/kiosk">"Self-order kiosk"</a>
                <a class="button button--secondary" href="/kitchen">"Kitchen display"</a>
            </nav>
        </Shell>
    }
}
