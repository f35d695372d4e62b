//! The idle warning: in the last seconds before an abandoned order is
//! cleared, a dialog asks whether the customer is still there. Any touch
//! (handled by the page) or the button keeps the order.

use leptos::html;
use leptos::prelude::*;

use super::{clock_ms, use_kiosk};
use crate::components::focus_when_shown;
use crate::i18n::Key;

/// "Are you still there?" with the countdown, shown only while the flow
/// says so.
#[component]
pub fn IdleWarning() -> impl IntoView {
    let kiosk = use_kiosk();
    let seconds_left = Memo::new(move |_| {
        // now_ms changes on each timer wake-up, so the countdown ticks.
        kiosk.now_ms.track();
        kiosk.flow.with(|flow| flow.warning(clock_ms()))
    });
    let keep = NodeRef::<html::Button>::new();
    // Keyboard users land on the way out of the dialog.
    focus_when_shown(keep);
    move || {
        let seconds = seconds_left.get()?;
        let lang = kiosk.lang.get();
        Some(view! {
            <div class="idle" data-testid="idle-warning">
                <div
                    class="idle__card"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="idle-title"
                    aria-describedby="idle-body"
                >
                    <span class="idle__count" aria-hidden="true">{seconds}</span>
                    <h2 class="idle__title" id="idle-title">{lang.text(Key::StillThere)}</h2>
                    <p class="idle__body" id="idle-body">{lang.fill(Key::ClearingIn, &seconds.to_string())}</p>
                    <button
                        type="button"
                        class="button button--hero"
                        data-testid="idle-continue"
                        node_ref=keep
                        on:click=move |_| kiosk.touch()
                    >
                        {lang.text(Key::KeepOrdering)}
                    </button>
                </div>
            </div>
        })
    }
}
