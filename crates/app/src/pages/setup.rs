//! First run (`/setup?code=...`, the address the server printed): the
//! owner's sign-in and the first outlet, then the first screens' pairing
//! codes, each shown with the link that pairs a screen.
//!
//! The session setup gives stays in this page only: it asks for pairing
//! codes and is gone with the page. Signing in again is the back office's.

use leptos::{prelude::*, task::spawn_local};
use ticketrail_protocol::{OutletInput, Role, SetupRequest};

use crate::api::{self, ApiError};
use crate::components::{use_document_language, Face, LanguageSwitch, Shell};
use crate::i18n::{Key, Lang};
use crate::pages::pair::{browser_lang, in_address};

/// The id of the outlet made at setup; more come from the back office.
const FIRST_OUTLET: &str = "1";

/// The browser's IANA time zone, the likely one of the outlet.
fn browser_timezone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_else(|| "Asia/Jakarta".to_owned())
}

/// Where setup stands.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Form,
    Sending,
    Failed(ApiError),
    Done { token: String },
}

/// The first-run page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let lang = RwSignal::new(browser_lang());
    use_document_language(lang);
    let text = move |key: Key| lang.get().text(key);
    let code = RwSignal::new(in_address("code").unwrap_or_default());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let outlet = RwSignal::new(String::new());
    let timezone = RwSignal::new(browser_timezone());
    let currency = RwSignal::new("IDR".to_owned());
    let progress = RwSignal::new(Progress::Form);
    let submit = move || {
        if progress.get_untracked() == Progress::Sending {
            return;
        }
        let request = SetupRequest {
            code: code.get_untracked(),
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            outlet: Some(OutletInput {
                id: FIRST_OUTLET.to_owned(),
                name: outlet.get_untracked().trim().to_owned(),
                timezone: timezone.get_untracked().trim().to_owned(),
                currency: currency.get_untracked().trim().to_uppercase(),
            }),
        };
        progress.set(Progress::Sending);
        spawn_local(async move {
            progress.set(match api::setup::set_up(&request).await {
                Ok(session) => Progress::Done {
                    token: session.token,
                },
                Err(err) => Progress::Failed(err),
            });
        });
    };
    let field = move |key: Key, id: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label class="pair__label" for=id>{move || text(key)}</label>
            <input
                class="pair__input setup__input"
                id=id
                data-testid=id
                type=kind
                autocomplete=if kind == "password" { "new-password" } else { "off" }
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        }
    };
    let status = move || match progress.get() {
        Progress::Sending => text(Key::SettingUp).to_owned(),
        Progress::Failed(err) => failure_text(lang.get(), &err),
        Progress::Form | Progress::Done { .. } => String::new(),
    };
    let failed = move || matches!(progress.get(), Progress::Failed(_));
    let toolbar = Box::new(move || view! { <LanguageSwitch lang=lang /> }.into_any());
    view! {
        <Shell face=Face::Kiosk lang=lang toolbar=toolbar>
            <section class="pair" data-testid="setup-page" aria-labelledby="setup-title">
                <h1 class="pair__title" id="setup-title">{move || text(Key::SetupTitle)}</h1>
                {move || match progress.get() {
                    Progress::Done { token } => view! { <FirstScreens lang=lang token=token /> }.into_any(),
                    _ => view! {
                        <p class="pair__lead">{move || text(Key::SetupLead)}</p>
                        <form
                            class="setup__form"
                            on:submit=move |event| {
                                event.prevent_default();
                                submit();
                            }
                        >
                            {field(Key::SetupCode, "setup-code", code, "text")}
                            {field(Key::OwnerUsername, "setup-username", username, "text")}
                            {field(Key::OwnerPassword, "setup-password", password, "password")}
                            {field(Key::OutletName, "setup-outlet", outlet, "text")}
                            {field(Key::OutletTimezone, "setup-timezone", timezone, "text")}
                            {field(Key::OutletCurrency, "setup-currency", currency, "text")}
                            <button
                                class="button"
                                type="submit"
                                data-testid="setup-submit"
                                disabled=move || progress.get() == Progress::Sending
                            >
                                {move || text(Key::SetupButton)}
                            </button>
                            <p
                                class="pair__status"
                                data-testid="setup-status"
                                data-failed=move || failed().to_string()
                                role=move || if failed() { "alert" } else { "status" }
                            >
                                {status}
                            </p>
                        </form>
                    }
                    .into_any(),
                }}
            </section>
        </Shell>
    }
}

/// After setup: a pairing code, with its link, for a kiosk and a kitchen.
#[component]
fn FirstScreens(lang: RwSignal<Lang>, token: String) -> impl IntoView {
    let text = move |key: Key| lang.get().text(key);
    let made = RwSignal::new(Vec::<(Role, Result<String, ApiError>)>::new());
    let token = StoredValue::new(token);
    let make = move |role: Role| {
        let token = token.get_value();
        spawn_local(async move {
            let code = api::setup::pairing_code(&token, FIRST_OUTLET, role)
                .await
                .map(|code| code.code);
            made.update(|made| made.push((role, code)));
        });
    };
    let origin = web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default();
    view! {
        <p class="pair__lead" data-testid="setup-done">{move || text(Key::SetupDone)}</p>
        <div class="setup__actions">
            <button class="button" type="button" data-testid="setup-pair-kiosk" on:click=move |_| make(Role::Kiosk)>
                {move || text(Key::MakeKioskCode)}
            </button>
            <button class="button button--secondary" type="button" data-testid="setup-pair-kitchen" on:click=move |_| make(Role::Kitchen)>
                {move || text(Key::MakeKitchenCode)}
            </button>
        </div>
        <ul class="setup__codes" aria-live="polite">
            {move || {
                made.get()
                    .into_iter()
                    .map(|(role, code)| match code {
                        Ok(code) => {
                            let link = format!("{origin}/pair?code={code}");
                            let shown = code.clone();
                            let screen = lang.get().text(match role {
                                Role::Kiosk => Key::SelfOrderKiosk,
                                _ => Key::KitchenLabel,
                            });
                            view! {
                                <li class="setup__code" data-testid="setup-code-made" data-role=role.as_str() data-code=code.clone()>
                                    {screen}": " <strong dir="ltr">{shown}</strong>
                                    " "
                                    <a href=link.clone() dir="ltr">{link.clone()}</a>
                                </li>
                            }
                            .into_any()
                        }
                        Err(err) => view! {
                            <li class="setup__code pair__status" data-failed="true" role="alert">
                                {failure_text(lang.get(), &err)}
                            </li>
                        }
                        .into_any(),
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// What to tell the owner about a failed request.
fn failure_text(lang: Lang, err: &ApiError) -> String {
    match err {
        ApiError::Server { status: 401, .. } => lang.text(Key::SetupCodeRefused).to_owned(),
        ApiError::Server { status: 409, .. } => lang.text(Key::SetupAlready).to_owned(),
        ApiError::Server { status: 429, .. } => lang.text(Key::PairTooMany).to_owned(),
        ApiError::Unreachable => lang.text(Key::PairUnreachable).to_owned(),
        other => format!("{} {other}", lang.text(Key::SetupFailed)),
    }
}
