//! Pairing a screen: `/pair` (and `/pair?code=...`, the link a manager
//! shares), what an unpaired screen shows wherever it is opened, and the
//! notice a screen shows when the server stops accepting it.
//!
//! A code is sent without credentials; the answer's token is stored where
//! the service worker reads it ([`crate::pairing`]), and the page reloads
//! as what the screen was paired as, so every part of the app starts over
//! with the new credential and the queue is sent with it.

use leptos::{html, prelude::*, task::spawn_local};

use crate::api::{self, ApiError};
use crate::components::{focus_when_shown, use_document_language, Face, LanguageSwitch, Shell};
use crate::i18n::{Key, Lang};
use crate::pairing;

/// The language a person setting a screen up most likely reads: the
/// browser's, when the app speaks it.
pub(super) fn browser_lang() -> Lang {
    let language = web_sys::window()
        .and_then(|window| window.navigator().language())
        .unwrap_or_default();
    Lang::ALL
        .into_iter()
        .find(|lang| language.starts_with(lang.code()))
        .unwrap_or_default()
}

/// The query parameter `name` of the address, if set and not blank.
pub(super) fn in_address(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|value| !value.trim().is_empty())
}

/// Where to go once paired: `?next=` when it is a path of this site (a
/// link can land a screen on the page it is for), else the role's page.
fn next_page(role: ticketrail_protocol::Role) -> String {
    in_address("next")
        .filter(|next| next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'))
        .unwrap_or_else(|| pairing::home(role).to_owned())
}

/// Whether the page is a secure context (HTTPS, or this machine): only
/// there does the browser run the service worker that keeps orders and
/// the menu while the network is down.
fn is_secure_address() -> bool {
    web_sys::window().is_some_and(|window| window.is_secure_context())
}

/// The whole page for a screen that is not paired (or opened `/pair`).
#[component]
pub fn PairPage() -> impl IntoView {
    let lang = RwSignal::new(browser_lang());
    use_document_language(lang);
    let toolbar = Box::new(move || view! { <LanguageSwitch lang=lang /> }.into_any());
    view! {
        <Shell face=Face::Kiosk lang=lang toolbar=toolbar>
            <section class="pair" data-testid="pair-page" aria-labelledby="pair-title">
                <h1 class="pair__title" id="pair-title">{move || lang.get().text(Key::PairTitle)}</h1>
                <p class="pair__lead">{move || lang.get().text(Key::PairLead)}</p>
                {(!is_secure_address()).then(|| view! {
                    <p class="pair__warning" role="note" data-testid="insecure-address">
                        {move || lang.get().text(Key::InsecureAddress)}
                    </p>
                })}
                <PairForm lang=lang code=in_address("code") />
            </section>
        </Shell>
    }
}

/// Laid over any page once the server refused this screen's credential.
#[component]
pub fn UnpairedNotice() -> impl IntoView {
    let refused = pairing::refused_signal();
    let lang = RwSignal::new(browser_lang());
    move || {
        refused.get().then(|| {
            view! {
                <div class="unpaired" data-testid="unpaired">
                    <div
                        class="unpaired__card"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="unpaired-title"
                        aria-describedby="unpaired-lead"
                        lang=move || lang.get().code()
                        dir=move || lang.get().dir()
                    >
                        <LanguageSwitch lang=lang />
                        <h2 class="pair__title" id="unpaired-title">
                            {move || lang.get().text(Key::UnpairedTitle)}
                        </h2>
                        <p class="pair__lead" id="unpaired-lead">
                            {move || lang.get().text(Key::UnpairedLead)}
                        </p>
                        <PairForm lang=lang code=None />
                    </div>
                </div>
            }
        })
    }
}

/// Where a pairing attempt stands.
#[derive(Debug, Clone, PartialEq)]
enum Attempt {
    Idle,
    Sending,
    Done,
    Failed(ApiError),
}

/// The code field and its button; with `code` given, pairs at once.
#[component]
fn PairForm(lang: RwSignal<Lang>, code: Option<String>) -> impl IntoView {
    let typed = RwSignal::new(code.clone().unwrap_or_default());
    let attempt = RwSignal::new(Attempt::Idle);
    let input = NodeRef::<html::Input>::new();
    let submit = move || {
        let code = typed.get_untracked();
        if code.trim().is_empty() || attempt.get_untracked() == Attempt::Sending {
            return;
        }
        attempt.set(Attempt::Sending);
        spawn_local(async move {
            match pair(&code).await {
                Ok(next) => {
                    attempt.set(Attempt::Done);
                    if let Some(window) = web_sys::window() {
                        // A reload starts every part of the app over with
                        // the new credential; nothing is lost by it.
                        let _ = window.location().replace(&next);
                    }
                }
                Err(err) => attempt.set(Attempt::Failed(err)),
            }
        });
    };
    if code.is_some() {
        submit();
    }
    focus_when_shown(input);
    let status = move || {
        let lang = lang.get();
        match attempt.get() {
            Attempt::Idle => String::new(),
            Attempt::Sending => lang.text(Key::Pairing).to_owned(),
            Attempt::Done => lang.text(Key::Paired).to_owned(),
            Attempt::Failed(err) => failure_text(lang, &err),
        }
    };
    let failed = move || matches!(attempt.get(), Attempt::Failed(_));
    view! {
        <form
            class="pair__form"
            on:submit=move |event| {
                event.prevent_default();
                submit();
            }
        >
            <label class="pair__label" for="pair-code">{move || lang.get().text(Key::PairCode)}</label>
            <input
                class="pair__input"
                id="pair-code"
                data-testid="pair-code"
                node_ref=input
                type="text"
                inputmode="text"
                autocomplete="one-time-code"
                autocapitalize="characters"
                spellcheck="false"
                dir="ltr"
                maxlength="64"
                prop:value=move || typed.get()
                on:input=move |event| typed.set(event_target_value(&event))
            />
            <button
                class="button pair__button"
                type="submit"
                data-testid="pair-submit"
                disabled=move || attempt.get() == Attempt::Sending
            >
                {move || lang.get().text(Key::PairButton)}
            </button>
            <p
                class="pair__status"
                data-testid="pair-status"
                data-failed=move || failed().to_string()
                role=move || if failed() { "alert" } else { "status" }
            >
                {status}
            </p>
        </form>
    }
}

/// Pairs with `code` and stores the credential: where the screen goes now.
async fn pair(code: &str) -> Result<String, ApiError> {
    let paired = api::devices::pair(code).await?;
    pairing::save(&paired)
        .await
        .map_err(|err| ApiError::Decode(err.to_string()))?;
    Ok(next_page(paired.role))
}

/// What to tell a person about a failed attempt.
fn failure_text(lang: Lang, err: &ApiError) -> String {
    match err {
        ApiError::Server { status: 401, .. } => lang.text(Key::PairCodeRefused).to_owned(),
        ApiError::Server { status: 429, .. } => lang.text(Key::PairTooMany).to_owned(),
        ApiError::Unreachable => lang.text(Key::PairUnreachable).to_owned(),
        other => format!("{} {other}", lang.text(Key::PairFailed)),
    }
}
