//! `/kitchen`: the kitchen display. For now it shows that the outlet's menu
//! is reachable; live tickets arrive with the kitchen issue.

use leptos::prelude::*;

use crate::components::{Face, MenuStatus, Shell};

/// The kitchen display page.
#[component]
pub fn KitchenPage() -> impl IntoView {
    view! {
        <Shell face=Face::Kitchen>
            <section class="hero">
                <h1 class="hero__title">"Kitchen"</h1>
                <p class="hero__lead">"New tickets appear here as customers order."</p>
            </section>
            <MenuStatus />
        </Shell>
    }
}
