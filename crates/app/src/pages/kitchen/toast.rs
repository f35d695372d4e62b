//! Short messages at the bottom of the kitchen screen: what went wrong and
//! what to do about it, or confirmation of a recall. They leave on their
//! own (errors stay longer) or on a tap, and at most a few are kept so a
//! burst of failures cannot cover the tickets.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::kitchen as text;

/// How a message looks and how long it stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Confirmation; leaves after a few seconds.
    Info,
    /// Something the cook should act on; stays longer.
    Error,
}

impl Tone {
    fn lifetime(self) -> Duration {
        match self {
            Tone::Info => Duration::from_secs(4),
            Tone::Error => Duration::from_secs(10),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Error => "error",
        }
    }
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    tone: Tone,
    text: String,
}

/// At most this many messages show at once; older ones make room.
const MAX_SHOWN: usize = 3;

/// The message queue, cheap to copy into handlers.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next_id: RwSignal<u64>,
}

impl Toasts {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next_id: RwSignal::new(0),
        }
    }

    /// Shows `text`; it leaves by itself after the tone's lifetime.
    pub fn show(self, tone: Tone, text: String) {
        let id = self.next_id.get_untracked();
        self.next_id.set(id + 1);
        self.list.update(|list| {
            list.push(Toast { id, tone, text });
            let excess = list.len().saturating_sub(MAX_SHOWN);
            list.drain(..excess);
        });
        set_timeout(move || self.dismiss(id), tone.lifetime());
    }

    fn dismiss(self, id: u64) {
        // The page may be gone by the time a timer fires.
        self.list
            .try_update(|list| list.retain(|toast| toast.id != id));
    }
}

/// The visible messages, after `children` (standing notices shown in the
/// same place, such as the sound hint).
#[component]
pub fn ToastList(toasts: Toasts, children: Children) -> impl IntoView {
    view! {
        <div class="toasts">
            {children()}
            <For each=move || toasts.list.get() key=|toast| toast.id let:toast>
                <div
                    class=format!("toast toast--{}", toast.tone.slug())
                    data-testid="kitchen-toast"
                    role=if toast.tone == Tone::Error { "alert" } else { "status" }
                >
                    <span class="toast__text">{toast.text}</span>
                    <button
                        class="toast__close"
                        type="button"
                        aria-label=text::DISMISS_TOAST
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
