//! The staff PIN in front of the kiosk's staff area: the area opens only
//! with the outlet's PIN, checked on the screen (so it works offline), and
//! locks for a minute after five wrong tries ([`ticketrail_core::staff_pin`]).

use std::time::Duration;

use leptos::{html, prelude::*, task::spawn_local};
use ticketrail_core::staff_pin::Verdict;

use super::staff::StaffDialog;
use super::{clock_ms, use_kiosk};
use crate::components::focus_when_shown;
use crate::i18n::staff as text;
use crate::staff_pin;

/// What the last try said.
#[derive(Debug, Clone, PartialEq)]
enum Said {
    Nothing,
    Checking,
    Wrong(u32),
    Locked,
    NoPin,
    Failed(String),
}

/// The PIN prompt, then the staff area once the PIN was right.
#[component]
pub fn StaffGate() -> impl IntoView {
    let unlocked = RwSignal::new(false);
    move || {
        if unlocked.get() {
            view! { <StaffDialog /> }.into_any()
        } else {
            view! { <PinPrompt unlocked=unlocked /> }.into_any()
        }
    }
}

#[component]
fn PinPrompt(unlocked: RwSignal<bool>) -> impl IntoView {
    let kiosk = use_kiosk();
    let close = move || kiosk.staff_open.set(false);
    // A manager may have changed the PIN since: ask, quietly.
    spawn_local(staff_pin::refresh_hash());
    let typed = RwSignal::new(String::new());
    let said = RwSignal::new(Said::Nothing);
    let now = RwSignal::new(clock_ms() as f64);
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(clock_ms() as f64), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let locked_for = move || {
        staff_pin::gate()
            .locked_at(now.get())
            .map(|until| ((until - now.get()) / 1000.0).ceil().max(1.0) as u64)
    };
    let input = NodeRef::<html::Input>::new();
    focus_when_shown(input);
    let submit = move || {
        let pin = typed.get_untracked();
        if pin.is_empty() || said.get_untracked() == Said::Checking {
            return;
        }
        let mut gate = staff_pin::gate();
        if gate.locked_at(clock_ms() as f64).is_some() {
            said.set(Said::Locked);
            return;
        }
        said.set(Said::Checking);
        spawn_local(async move {
            // Not heard yet on this screen: ask once before saying so.
            if staff_pin::saved_hash().is_none() {
                staff_pin::refresh_hash().await;
            }
            let Some(hash) = staff_pin::saved_hash() else {
                said.set(Said::NoPin);
                return;
            };
            match staff_pin::matches(&pin, &hash).await {
                Ok(matched) => {
                    let verdict = gate.record(matched, clock_ms() as f64);
                    staff_pin::save_gate(&gate);
                    typed.set(String::new());
                    match verdict {
                        Verdict::Open => unlocked.set(true),
                        Verdict::Wrong { left } => said.set(Said::Wrong(left)),
                        Verdict::Locked { .. } => said.set(Said::Locked),
                    }
                }
                Err(err) => said.set(Said::Failed(err)),
            }
        });
    };
    let message = move || match said.get() {
        // A lockout says so whatever was tried, also after a reload.
        _ if locked_for().is_some() => text::pin_locked(locked_for().unwrap_or(0)),
        Said::Checking => text::PIN_CHECKING.to_owned(),
        Said::Wrong(left) => text::pin_wrong(left),
        Said::NoPin => text::PIN_NOT_SET.to_owned(),
        Said::Failed(err) => format!("{} ({err})", text::PIN_FAILED),
        // A lockout that is over has nothing left to say.
        Said::Nothing | Said::Locked => String::new(),
    };
    let alert = move || {
        locked_for().is_some()
            || matches!(said.get(), Said::Wrong(_) | Said::NoPin | Said::Failed(_))
    };
    view! {
        <div class="staff" on:click=move |_| close()>
            <form
                class="staff__card staff__pin"
                data-testid="staff-pin-prompt"
                role="dialog"
                aria-modal="true"
                aria-labelledby="staff-pin-title"
                on:click=|event| event.stop_propagation()
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        close();
                    }
                }
                on:submit=move |event| {
                    event.prevent_default();
                    submit();
                }
            >
                <header class="staff__head">
                    <h2 class="staff__title" id="staff-pin-title">{text::PIN_TITLE}</h2>
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        on:click=move |_| close()
                    >
                        {text::CLOSE}
                    </button>
                </header>
                <label class="staff__field">
                    <span>{text::PIN_LABEL}</span>
                    <input
                        class="staff__input"
                        data-testid="staff-pin"
                        node_ref=input
                        type="password"
                        inputmode="numeric"
                        autocomplete="off"
                        maxlength="8"
                        prop:value=move || typed.get()
                        on:input=move |event| typed.set(event_target_value(&event))
                    />
                </label>
                <button
                    class="button"
                    type="submit"
                    data-testid="staff-pin-submit"
                    disabled=move || locked_for().is_some() || said.get() == Said::Checking
                >
                    {text::PIN_OPEN}
                </button>
                <p
                    class="staff__pin-status"
                    data-testid="staff-pin-status"
                    data-locked=move || locked_for().is_some().to_string()
                    role=move || if alert() { "alert" } else { "status" }
                >
                    {message}
                </p>
            </form>
        </div>
    }
}
