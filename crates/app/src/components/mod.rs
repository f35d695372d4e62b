//! Chrome shared by every page: the branded shell around a face, with its
//! top bar and connection indicator. Components only wire data to markup;
//! their words come from [`crate::i18n`].

mod connection;
mod language;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use connection::ConnectionIndicator;
pub use language::{use_document_language, LanguageSwitch};

use crate::i18n::{Key, Lang};
use crate::live::LiveFeed;

/// Which face of Ticketrail a page is; it picks the label and the theme
/// (the kitchen runs dark so it glares less across a kitchen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The customer self-ordering kiosk.
    Kiosk,
    /// The kitchen display.
    Kitchen,
}

impl Face {
    /// Name shown in the top bar, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.text(match self {
            Face::Kiosk => Key::KioskLabel,
            Face::Kitchen => Key::KitchenLabel,
        })
    }

    /// Value of `data-face`, which the stylesheet themes on.
    fn slug(self) -> &'static str {
        match self {
            Face::Kiosk => "kiosk",
            Face::Kitchen => "kitchen",
        }
    }
}

/// The frame of every page: top bar with the brand, the face's label, the
/// page's own toolbar (if any) and the connection indicator (on pages under
/// the live feed; the pairing page, before there is one, has none), then
/// the page's content. `lang` translates the label (English when not
/// given).
#[component]
pub fn Shell(
    face: Face,
    #[prop(optional, into)] lang: Option<Signal<Lang>>,
    #[prop(optional)] toolbar: Option<Children>,
    children: Children,
) -> impl IntoView {
    let label = move || face.label(lang.map(|lang| lang.get()).unwrap_or_default());
    // Under the "unpaired" notice the page can be neither clicked nor
    // reached with Tab or a screen reader: the notice is the one dialog.
    let refused = crate::pairing::refused_signal();
    view! {
        <div class="shell" data-face=face.slug() inert=move || refused.get()>
            <header class="topbar">
                <span class="brand">
                    <img class="brand__mark" src="/icons/icon-192.png" alt="" width="40" height="40" />
                    <span class="brand__name">"Ticketrail"</span>
                </span>
                <span class="topbar__face">{label}</span>
                <span class="topbar__tools">{toolbar.map(|toolbar| toolbar())}</span>
                {use_context::<LiveFeed>().map(|_| view! { <ConnectionIndicator /> })}
            </header>
            <main class="shell__main">{children()}</main>
        </div>
    }
}

/// Moves keyboard focus to `node` once it is on the page: a dialog's first
/// control, so a keyboard user lands in it (programmatic focus shows no ring
/// to a pointer user, who keeps the last input's modality).
pub fn focus_when_shown<E>(node: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            // Focus can only fail on a detached element; nothing to do then.
            let _ = element.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    });
}
