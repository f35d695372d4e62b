//! `/kiosk`: the customer's self-ordering screen. For now it greets and
//! shows that the outlet's menu is reachable; ordering arrives with the
//! kiosk issue.

use leptos::prelude::*;

use crate::components::{Face, MenuStatus, Shell};

/// The kiosk page.
#[component]
pub fn KioskPage() -> impl IntoView {
    view! {
        <Shell face=Face::Kiosk>
            <section class="hero">
                <h1 class="hero__title">"Welcome!"</h1>
                <p class="hero__lead">"Order at your own pace and we'll call your number."</p>
            </section>
            <MenuStatus />
        </Shell>
    }
}
