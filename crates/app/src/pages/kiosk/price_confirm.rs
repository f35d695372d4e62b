//! The dialog that asks the customer to confirm a new total before the
//! order is sent (see [`super::price_check`]): the lines whose price moved,
//! the new total beside the one they saw, "Place order for …" and a way
//! back to the cart.
//!
//! A modal alert dialog: focus moves to the accept button when it opens,
//! Tab stays inside it, Escape goes back to the cart, and focus returns to
//! "Place order" when it closes.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use ticketrail_core::format_money;

use super::price_check::{ChangedLine, PriceCheck};
use super::{use_kiosk, Kiosk};
use crate::components::focus_when_shown;
use crate::i18n::{localized, Key, Lang};

/// The dialog, while a price check waits for the customer.
#[component]
pub fn PriceConfirm() -> impl IntoView {
    let kiosk = use_kiosk();
    let accept = NodeRef::<html::Button>::new();
    let back = NodeRef::<html::Button>::new();
    focus_when_shown(accept);
    // Tab and Shift+Tab go round the dialog's two buttons; Escape closes.
    let on_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            close(kiosk);
        }
        "Tab" => {
            event.prevent_default();
            let on_accept = accept
                .get_untracked()
                .zip(document().active_element())
                .is_some_and(|(button, active)| {
                    let button: &web_sys::Element = &button;
                    *button == active
                });
            let next = if on_accept { back } else { accept };
            if let Some(button) = next.get_untracked() {
                let _ = button.focus();
            }
        }
        _ => {}
    };
    move || {
        let check = kiosk.price_confirm.get()?;
        let lang = kiosk.lang.get();
        let total = format_money(check.after_total, &check.currency);
        let was = format_money(check.before_total, &check.before_currency);
        let lines = check
            .lines
            .iter()
            .map(|line| changed_line(kiosk, lang, line, &check))
            .collect_view();
        Some(view! {
            <div class="price-confirm" on:keydown=on_keydown>
                <div
                    class="price-confirm__card"
                    data-testid="price-confirm"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="price-confirm-title"
                    aria-describedby="price-confirm-body"
                >
                    <h2 class="price-confirm__title" id="price-confirm-title">
                        {lang.text(Key::PriceConfirmTitle)}
                    </h2>
                    <p class="price-confirm__body" id="price-confirm-body">
                        {lang.text(Key::PriceConfirmBody)}
                    </p>
                    <ul class="price-confirm__lines">{lines}</ul>
                    <p class="price-confirm__total">
                        <span class="price-confirm__total-label">{lang.text(Key::NewTotal)}</span>
                        <strong class="price-confirm__total-amount">{total.clone()}</strong>
                        <span class="price-confirm__was">{lang.fill(Key::WasAmount, &was)}</span>
                    </p>
                    <div class="price-confirm__actions">
                        <button
                            type="button"
                            class="button button--ghost"
                            data-testid="price-confirm-back"
                            node_ref=back
                            on:click=move |_| close(kiosk)
                        >
                            {lang.text(Key::BackToOrder)}
                        </button>
                        <button
                            type="button"
                            class="button button--place"
                            data-testid="price-confirm-accept"
                            node_ref=accept
                            on:click=move |_| kiosk.accept_new_total()
                        >
                            {lang.fill(Key::PlaceOrderFor, &total)}
                        </button>
                    </div>
                </div>
            </div>
        })
    }
}

/// One changed line: the dish, what it was and what it is now (or that it
/// is no longer included).
fn changed_line(kiosk: Kiosk, lang: Lang, line: &ChangedLine, check: &PriceCheck) -> impl IntoView {
    let name = kiosk
        .catalog
        .with_untracked(|catalog| {
            catalog
                .as_ref()
                .and_then(|catalog| catalog.products.get(&line.product_id))
                .map(|product| localized(lang, &product.name, &product.translations).to_owned())
        })
        .unwrap_or_else(|| line.product_id.clone());
    let was = line.before.map(|amount| {
        lang.fill(
            Key::WasAmount,
            &format_money(amount, &check.before_currency),
        )
    });
    let now = match line.after {
        Some(amount) => format_money(amount, &check.currency),
        None => lang.text(Key::NotIncluded).to_owned(),
    };
    view! {
        <li class="price-confirm__line">
            <span class="price-confirm__name">{name}</span>
            <span class="price-confirm__amounts">
                <span class="price-confirm__now">{now}</span>
                {was.map(|was| view! { <span class="price-confirm__line-was">{was}</span> })}
            </span>
        </li>
    }
}

/// Back to the cart without sending; focus returns to "Place order".
fn close(kiosk: Kiosk) {
    kiosk.price_confirm.set(None);
    if let Some(place) = document()
        .query_selector("[data-testid=\"place-order\"]")
        .ok()
        .flatten()
    {
        if let Ok(place) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(place) {
            let _ = place.focus();
        }
    }
}
