//! The kitchen's bottom bar: how much work is on the board, the sound
//! switch and the age-colour settings; plus the hint that a tap is needed
//! before sound can play.

use leptos::prelude::*;
use ticketrail_core::tickets::summarize;

use super::{settings, Kitchen};
use crate::i18n::kitchen::{self as text, SummaryPart};

/// Asks for the tap browsers need before a page may play sound; shown
/// while the chime is on and still locked.
#[component]
pub fn SoundHint(
    /// Whether the browser has allowed sound yet (after the first tap).
    sound_unlocked: ReadSignal<bool>,
) -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    view! {
        <Show when=move || kitchen.sound_on.get() && !sound_unlocked.get()>
            <p class="sound-hint" data-testid="sound-hint">
                <SpeakerIcon muted=true />
                {text::SOUND_LOCKED}
            </p>
        </Show>
    }
}

/// The bottom bar.
#[component]
pub fn Footer() -> impl IntoView {
    let kitchen = expect_context::<Kitchen>();
    let summary = Memo::new(move |_| kitchen.tickets.with(|tickets| summarize(tickets)));
    let part = move |what: SummaryPart, count: fn(&ticketrail_core::tickets::Summary) -> usize| {
        let slug = match what {
            SummaryPart::New => "pending",
            SummaryPart::Preparing => "preparing",
            SummaryPart::Ready => "ready",
            SummaryPart::Late => "late",
        };
        view! {
            <li
                class=format!("summary__part summary__part--{slug}")
                class:summary__part--zero=move || summary.with(|s| count(s) == 0)
            >
                <span class="summary__dot" aria-hidden="true"></span>
                {move || text::summary_part(summary.with(count), what)}
            </li>
        }
    };
    let toggle_sound = move |_| {
        let on = !kitchen.sound_on.get_untracked();
        kitchen.sound_on.set(on);
        settings::save_sound(on);
    };
    view! {
        <footer class="kitchen__footer">
            <ul class="summary" aria-label="Summary">
                {part(SummaryPart::New, |s| s.pending)}
                {part(SummaryPart::Preparing, |s| s.preparing)}
                {part(SummaryPart::Ready, |s| s.ready)}
                {part(SummaryPart::Late, |s| s.late)}
            </ul>
            <div class="kitchen__footer-end">
                <button
                    class="sound-switch"
                    type="button"
                    data-testid="sound-toggle"
                    aria-pressed=move || kitchen.sound_on.get().to_string()
                    on:click=toggle_sound
                >
                    {move || view! { <SpeakerIcon muted=!kitchen.sound_on.get() /> }}
                    {text::SOUND}
                </button>
                <settings::SettingsForm />
            </div>
        </footer>
    }
}

/// A speaker, with a cross when `muted`.
#[component]
fn SpeakerIcon(muted: bool) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
            <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
            {if muted {
                view! {
                    <path
                        d="M16 9l5 6M21 9l-5 6"
                        stroke="currentColor"
                        stroke-width="2"
                        stroke-linecap="round"
                    />
                }
                    .into_any()
            } else {
                view! {
                    <path
                        d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2"
                        stroke-linecap="round"
                    />
                }
                    .into_any()
            }}
        </svg>
    }
}
