//! Chrome shared by every page: the branded shell around a face and the
//! menu status card. Components only wire data to markup; the counting and
//! wording live in plain functions beside them.

use leptos::prelude::*;
use ticketrail_protocol::Product;

use crate::api::{self, ApiError};

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
    /// Name shown in the top bar.
    fn label(self) -> &'static str {
        match self {
            Face::Kiosk => "Self-order kiosk",
            Face::Kitchen => "Kitchen display",
        }
    }

    /// Value of `data-face`, which the stylesheet themes on.
    fn slug(self) -> &'static str {
        match self {
            Face::Kiosk => "kiosk",
            Face::Kitchen => "kitchen",
        }
    }
}

/// The frame of every page: top bar with the brand and the face, then the
/// page's own content.
#[component]
pub fn Shell(face: Face, children: Children) -> impl IntoView {
    view! {
        <div class="shell" data-face=face.slug()>
            <header class="topbar">
                <span class="brand">
                    <img class="brand__mark" src="/icons/icon-192.png" alt="" width="40" height="40" />
                    <span class="brand__name">"Ticketrail"</span>
                </span>
                <span class="topbar__face">{face.label()}</span>
            </header>
            <main class="shell__main">{children()}</main>
        </div>
    }
}

/// How many dishes the outlet has on the menu, loaded from the server, with
/// a loading state and a readable error that offers a retry.
#[component]
pub fn MenuStatus() -> impl IntoView {
    let products = LocalResource::new(api::fetch_products);
    let loading = || {
        view! {
            <p class="status" data-testid="menu-status" data-state="loading">
                <span class="spinner" aria-hidden="true"></span>
                "Loading the menu…"
            </p>
        }
    };
    view! {
        <section class="card" aria-live="polite">
            <Suspense fallback=loading>
                {move || {
                    products
                        .get()
                        .map(|answer| match answer {
                            Ok(list) => menu_count_view(active_count(&list)).into_any(),
                            Err(err) => menu_error_view(&err, move || products.refetch()).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn menu_count_view(count: usize) -> impl IntoView {
    view! {
        <p class="status" data-testid="menu-status" data-state="ready">
            <span class="status__count" data-testid="menu-count">{count}</span>
            <span class="status__label">{dishes_label(count)}</span>
        </p>
    }
}

fn menu_error_view(err: &ApiError, retry: impl Fn() + 'static) -> impl IntoView {
    view! {
        <div class="status status--error" data-testid="menu-status" data-state="error" role="alert">
            <p class="status__message">{err.to_string()}</p>
            <button class="button" type="button" on:click=move |_| retry()>
                "Try again"
            </button>
        </div>
    }
}

/// Products a customer could order right now: inactive ones stay hidden.
fn active_count(products: &[Product]) -> usize {
    products.iter().filter(|product| product.is_active).count()
}

fn dishes_label(count: usize) -> &'static str {
    if count == 1 {
        "dish on the menu"
    } else {
        "dishes on the menu"
    }
}

#[cfg(test)]
mod tests {
    use super::dishes_label;

    #[test]
    fn dishes_label_agrees_with_the_count() {
        assert_eq!(dishes_label(1), "dish on the menu");
        assert_eq!(dishes_label(0), "dishes on the menu");
        assert_eq!(dishes_label(42), "dishes on the menu");
    }
}
