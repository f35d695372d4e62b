//! The ordering screen's menu side: the category rail, the search field and
//! the grid of dish cards (or the search results), with the states before a
//! menu is there (reading it, downloading it, "menu unavailable"), beside
//! the cart.

use leptos::html;
use leptos::prelude::*;
use ticketrail_core::{format_money, unit_price};
use ticketrail_protocol::Product;

use super::cart::CartPanel;
use super::catalog::{best_offer, initials, offer_badge, tone, Catalog};
use super::search::{SearchBox, SearchResults};
use super::sync_status::SyncPanel;
use super::{clock_ms, timestamp, use_kiosk, Kiosk};
use crate::i18n::{localized, Key, Lang};

/// How many placeholder cards show while the menu loads.
const SKELETON_CARDS: usize = 6;

/// Rail, grid and cart.
#[component]
pub fn OrderingScreen() -> impl IntoView {
    let kiosk = use_kiosk();
    let has_menu = Memo::new(move |_| kiosk.catalog.with(Option::is_some));
    // Before there is a menu: reading the stored one (skeleton), getting it
    // from the server (progress) or failing to (the notice with a retry).
    let waiting = move || {
        if kiosk.awaiting_download() {
            view! { <div class="menu__state"><SyncPanel /></div> }.into_any()
        } else {
            view! { <MenuLoading /> }.into_any()
        }
    };
    let body = move || {
        if has_menu.get() {
            view! { <CategoryRail /><MenuSection /> }.into_any()
        } else {
            waiting().into_any()
        }
    };
    view! {
        <div class="ordering">
            {body}
            <CartPanel />
        </div>
    }
}

/// The categories, in rail order; the selected one is `aria-pressed`.
#[component]
fn CategoryRail() -> impl IntoView {
    let kiosk = use_kiosk();
    let selected = Memo::new(move |_| {
        let catalog = kiosk.catalog.get()?;
        kiosk
            .category
            .with(|wanted| catalog.selected_category(wanted.as_deref()))
    });
    // A memo, so typing a query does not touch every button of the rail.
    let searching = Memo::new(move |_| kiosk.query.with(|query| !query.trim().is_empty()));
    let buttons = move || {
        let catalog = kiosk.catalog.get()?;
        let lang = kiosk.lang.get();
        Some(
            catalog
                .categories
                .iter()
                .map(|category| {
                    let id = category.id.clone();
                    let pick = id.clone();
                    // While a search shows, no category is on screen.
                    let pressed = move || {
                        (!searching.get() && selected.get().as_deref() == Some(id.as_str()))
                            .to_string()
                    };
                    view! {
                        <button
                            type="button"
                            class="rail__item"
                            data-testid="category"
                            data-category-id=category.id.clone()
                            aria-pressed=pressed
                            on:click=move |_| {
                                kiosk.query.set(String::new());
                                kiosk.category.set(Some(pick.clone()));
                            }
                        >
                            {localized(lang, &category.name, &category.translations).to_owned()}
                        </button>
                    }
                })
                .collect_view(),
        )
    };
    let label = move || kiosk.lang.get().text(Key::Categories);
    view! { <nav class="rail" aria-label=label>{buttons}</nav> }
}

/// The search field over the dishes of the selected category, or over the
/// search results while the field holds a query.
#[component]
fn MenuSection() -> impl IntoView {
    let kiosk = use_kiosk();
    let searching = Memo::new(move |_| kiosk.query.with(|query| !query.trim().is_empty()));
    let section = NodeRef::<html::Section>::new();
    // A new category or a new search starts at its top, not where the last
    // one was left. Scrolling forces a layout, so it waits for the frame
    // that lays the new content out anyway instead of adding one to the
    // keystroke or tap.
    Effect::new(move |_| {
        kiosk.category.track();
        searching.track();
        request_animation_frame(move || {
            if let Some(section) = section.get_untracked() {
                section.set_scroll_top(0);
            }
        });
    });
    view! {
        <section class="menu" aria-labelledby="menu-title" node_ref=section>
            <SearchBox />
            // The category's grid stays mounted, only hidden, while a search
            // shows: tearing down a grid of a hundred cards on the first
            // keystroke cost more than the whole search.
            <div class="menu__browse" hidden=move || searching.get()>
                <DishGrid />
            </div>
            <Show when=move || searching.get()>
                <SearchResults />
            </Show>
        </section>
    }
}

/// The dishes of the selected category.
#[component]
fn DishGrid() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let catalog = kiosk.catalog.get()?;
        let lang = kiosk.lang.get();
        let category_id = kiosk
            .category
            .with(|wanted| catalog.selected_category(wanted.as_deref()))?;
        let title = catalog
            .categories
            .iter()
            .find(|category| category.id == category_id)
            .map(|category| localized(lang, &category.name, &category.translations).to_owned());
        let dishes = catalog.dishes(&category_id);
        let cards = if dishes.is_empty() {
            view! { <p class="menu__empty">{lang.text(Key::EmptyCategory)}</p> }.into_any()
        } else {
            view! {
                <div class="grid">
                    {dishes.into_iter().map(|product| dish_card(kiosk, &catalog, product, lang)).collect_view()}
                </div>
            }
            .into_any()
        };
        Some(view! {
            <h1 class="menu__title" id="menu-title">{title}</h1>
            {cards}
        })
    }
}

/// One dish: picture or placeholder, name, price (after the best offer,
/// with the list price struck through) and a "+". The whole card is the
/// add button.
pub(super) fn dish_card(
    kiosk: Kiosk,
    catalog: &Catalog,
    product: &Product,
    lang: Lang,
) -> impl IntoView {
    let now = timestamp(clock_ms());
    let name = localized(lang, &product.name, &product.translations).to_owned();
    let price = unit_price(product, &catalog.promotions, now);
    let price_text = format_money(price, &product.currency);
    let was = (price < product.price).then(|| format_money(product.price, &product.currency));
    let badge =
        best_offer(product, &catalog.promotions, now).map(|offer| offer_badge(offer, product));
    // Descriptions only exist in English; under another language they
    // would be the one foreign line on the card.
    let description =
        (lang == Lang::En && !product.description.is_empty()).then(|| product.description.clone());
    let label = lang.fill(Key::AddDish, &format!("{name}, {price_text}"));
    let media = match &product.image_url {
        Some(url) => {
            view! { <img class="dish__img" src=url.clone() alt="" loading="lazy" /> }.into_any()
        }
        None => view! { <span class="dish__initials" aria-hidden="true">{initials(&name)}</span> }
            .into_any(),
    };
    let id = product.id.clone();
    view! {
        <button
            type="button"
            class="dish"
            data-testid="product"
            data-product-id=product.id.clone()
            aria-label=label
            on:click=move |_| {
                kiosk.cart.update(|cart| {
                    cart.add(&id);
                });
            }
        >
            <span class="dish__media" data-tone=tone(&product.id).to_string()>
                {media}
                {badge.map(|badge| view! { <span class="dish__badge">{badge}</span> })}
            </span>
            <span class="dish__body">
                <span class="dish__name" data-testid="product-name">{name}</span>
                {description.map(|text| view! { <span class="dish__desc">{text}</span> })}
                <span class="dish__foot">
                    <span class="dish__prices">
                        <span class="dish__price" data-testid="product-price">{price_text}</span>
                        {was.map(|was| view! { <s class="dish__was">{was}</s> })}
                    </span>
                    <span class="dish__add" aria-hidden="true">
                        <svg viewBox="0 0 24 24"><path d="M12 5v14M5 12h14" /></svg>
                    </span>
                </span>
            </span>
        </button>
    }
}

/// Grey cards where dishes will appear.
#[component]
fn MenuLoading() -> impl IntoView {
    let kiosk = use_kiosk();
    view! {
        <div class="rail rail--loading" aria-hidden="true">
            <span class="skeleton skeleton--pill"></span>
            <span class="skeleton skeleton--pill"></span>
            <span class="skeleton skeleton--pill"></span>
        </div>
        <section class="menu" aria-busy="true">
            <p class="menu__loading" role="status">
                <span class="spinner" aria-hidden="true"></span>
                {move || kiosk.lang.get().text(Key::MenuLoading)}
            </p>
            <div class="grid" aria-hidden="true">
                {(0..SKELETON_CARDS).map(|_| view! { <span class="dish dish--skeleton"></span> }).collect_view()}
            </div>
        </section>
    }
}

/// The menu could not be downloaded: say so in words a customer (or the
/// staff they call) understands, and offer a retry.
#[component]
pub fn MenuUnavailable() -> impl IntoView {
    let kiosk = use_kiosk();
    let text = move |key: Key| kiosk.lang.get().text(key);
    view! {
        <div class="notice" data-testid="menu-unavailable" role="alert">
            <svg class="notice__icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M12 8v5M12 16.5v.5M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
            </svg>
            <h2 class="notice__title">{move || text(Key::MenuUnavailableTitle)}</h2>
            <p class="notice__body">{move || text(Key::MenuUnavailableBody)}</p>
            <button type="button" class="button" on:click=move |_| kiosk.menu.refresh()>
                {move || text(Key::TryAgain)}
            </button>
        </div>
    }
}
