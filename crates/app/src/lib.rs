//! Ticketrail's browser app: the customer kiosk and the kitchen display, one
//! Leptos client-side app with a route per face.
//!
//! Pages live in [`pages`], every network call in [`api`], and the shared
//! chrome in [`components`]; business rules come from the core crate, so
//! components only wire signals to the DOM. The kiosk's menu lives on the
//! device: [`storage`] keeps it in IndexedDB and [`menu_sync`] keeps it in
//! step with the outlet server.

pub mod api;
mod components;
mod device;
mod i18n;
mod live;
pub mod menu_sync;
mod outbox;
mod pages;
mod pairing;
mod service_worker;
mod staff_pin;
pub mod storage;

use leptos::prelude::*;
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, NavigateOptions,
};

/// Starts the app: installs the panic hook, registers the service worker,
/// reads the screen's pairing and mounts the app onto `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    service_worker::register();
    // Leptos sets up its executor when it mounts; until then, the browser's.
    wasm_bindgen_futures::spawn_local(async {
        let paired = pairing::load().await.is_some();
        let path = web_sys::window()
            .and_then(|window| window.location().pathname().ok())
            .unwrap_or_default();
        if path.starts_with("/setup") {
            mount_to_body(pages::SetupPage);
        } else if paired && !path.starts_with("/pair") {
            mount_to_body(move || view! { <App path=path /> });
        } else {
            // Nothing else starts before the screen is paired: no socket,
            // no menu download, no queue sending without a credential.
            mount_to_body(pages::PairPage);
        }
    });
}

/// The router: `/kiosk`, `/kitchen`, and `/` sending a fresh device to the
/// kiosk, under the one live feed every page shares, with the notice that
/// covers them all if the server stops accepting this screen.
#[component]
fn App(path: String) -> impl IntoView {
    let feed = live::connect(pairing::outlet_id(), live::face_of(&path));
    let queue = outbox::OutboxQueue::start();
    // The server answering again is the moment to send what waits out a
    // backoff, not a minute later.
    Effect::new(move |was: Option<bool>| {
        let now = feed.connection.with(|connection| connection.in_contact());
        if now && was == Some(false) {
            queue.send_now();
        }
        now
    });
    provide_context(feed);
    provide_context(queue);
    view! {
        <Router>
            <Routes fallback=pages::NotFoundPage>
                <Route path=path!("/kiosk") view=pages::KioskPage />
                <Route path=path!("/kitchen") view=pages::KitchenPage />
                <Route path=path!("/") view=RootRedirect />
            </Routes>
        </Router>
        <pages::UnpairedNotice />
    }
}

/// `/` is only an entry point; replacing the history entry keeps the back
/// button from bouncing a customer between `/` and `/kiosk`.
#[component]
fn RootRedirect() -> impl IntoView {
    let options = NavigateOptions {
        replace: true,
        ..NavigateOptions::default()
    };
    view! { <Redirect path="/kiosk" options=options /> }
}
