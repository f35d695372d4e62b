//! The cart panel: what a menu change did to the order (if anything), the
//! lines with their quantity steppers, notes and totals, the running total
//! (priced by the core crate with the server's rule), the place-order
//! button and, when placing failed, the error with its retry.

use leptos::prelude::*;
use ticketrail_core::cart::{MAX_QUANTITY, MIN_QUANTITY};
use ticketrail_core::{format_money, LineId, PricingError, Quote, Screen};

use super::cart_notice::CartNoticeView;
use super::{clock_ms, timestamp, use_kiosk, Kiosk};
use crate::i18n::{localized, Key};

/// The cart priced now: `None` while the menu is not loaded.
type Priced = Option<Result<Quote, PricingError>>;

/// "Your order", its lines and the total.
#[component]
pub fn CartPanel() -> impl IntoView {
    let kiosk = use_kiosk();
    let quote: Memo<Priced> = Memo::new(move |_| {
        let catalog = kiosk.catalog.get()?;
        Some(kiosk.cart.with(|cart| {
            cart.quote(
                &catalog.products,
                &catalog.promotions,
                timestamp(clock_ms()),
            )
        }))
    });
    let text = move |key: Key| kiosk.lang.get().text(key);
    let count = move || kiosk.cart.with(|cart| cart.unit_count());
    let is_empty = move || kiosk.cart.with(|cart| cart.is_empty());
    let line_ids = move || {
        kiosk
            .cart
            .with(|cart| cart.lines().iter().map(|line| line.id).collect::<Vec<_>>())
    };
    let total = move || total_text(kiosk, &quote.get());
    // Re-created on every change, so its bump animation replays as a dish
    // lands in the cart.
    let count_badge = move || {
        let count = count();
        let zero = count == 0;
        view! {
            <span class="cart__count" class:cart__count--zero=zero aria-hidden="true">
                {count}
            </span>
        }
    };
    view! {
        <aside class="cart" data-testid="cart" aria-labelledby="cart-title">
            <header class="cart__head">
                <h2 class="cart__title" id="cart-title">{move || text(Key::YourOrder)}</h2>
                {count_badge}
            </header>
            <CartNoticeView />
            <Show
                when=move || !is_empty()
                fallback=move || view! {
                    <div class="cart__empty">
                        <svg class="cart__empty-icon" viewBox="0 0 24 24" aria-hidden="true">
                            <path d="M4 5h2l2.2 10.2a1.5 1.5 0 0 0 1.5 1.2h7.6a1.5 1.5 0 0 0 1.5-1.1L20.5 8H7" />
                            <circle cx="10" cy="20" r="1.2" />
                            <circle cx="17" cy="20" r="1.2" />
                        </svg>
                        <p class="cart__empty-title">{move || text(Key::CartEmpty)}</p>
                        <p class="cart__empty-hint">{move || text(Key::CartEmptyHint)}</p>
                    </div>
                }
            >
                <ul class="cart__lines">
                    <For each=line_ids key=|id| *id let:id>
                        <CartRow id=id quote=quote />
                    </For>
                </ul>
            </Show>
            <footer class="cart__foot">
                <OrderError />
                {move || {
                    matches!(quote.get(), Some(Err(_)))
                        .then(|| view! { <p class="cart__warning" role="alert">{text(Key::CannotTotal)}</p> })
                }}
                <div class="cart__total">
                    <span class="cart__total-label">{move || text(Key::Total)}</span>
                    <strong class="cart__total-amount" data-testid="cart-total" aria-live="polite">
                        {total}
                    </strong>
                </div>
                <div class="cart__actions">
                    <button type="button" class="button button--ghost" on:click=move |_| kiosk.finish()>
                        {move || text(Key::StartOver)}
                    </button>
                    <PlaceButton quote=quote />
                </div>
            </footer>
        </aside>
    }
}

/// One line: name and line total, the quantity stepper and remove, and
/// under them the kitchen note across the whole line.
#[component]
fn CartRow(id: LineId, quote: Memo<Priced>) -> impl IntoView {
    let kiosk = use_kiosk();
    let line = move || kiosk.cart.with(|cart| cart.line(id).cloned());
    let product_id = line().map(|line| line.product_id).unwrap_or_default();
    let initial_note = line().map(|line| line.note).unwrap_or_default();
    let name = {
        let product_id = product_id.clone();
        move || {
            let lang = kiosk.lang.get();
            kiosk
                .catalog
                .get()
                .and_then(|catalog| {
                    catalog.products.get(&product_id).map(|product| {
                        localized(lang, &product.name, &product.translations).to_owned()
                    })
                })
                .unwrap_or_else(|| product_id.clone())
        }
    };
    let quantity = move || line().map(|line| line.quantity).unwrap_or_default();
    // Comparisons stay out of the view! macro, whose parser reads `<`/`>`.
    let at_min = move || quantity() <= MIN_QUANTITY;
    let at_max = move || quantity() >= MAX_QUANTITY;
    let unavailable =
        move || quote.with(|quote| matches!(quote, Some(Ok(quote)) if quote.is_unavailable(id)));
    let line_total = move || {
        quote
            .with(|quote| match quote {
                Some(Ok(quote)) => quote
                    .line(id)
                    .map(|item| format_money(item.line_total, &quote.currency)),
                _ => None,
            })
            .unwrap_or_else(|| "—".to_owned())
    };
    let fill = {
        let name = name.clone();
        move |key: Key| kiosk.lang.get().fill(key, &name())
    };
    let (inc_label, dec_label, remove_label, note_label, qty_label) =
        (fill.clone(), fill.clone(), fill.clone(), fill, move || {
            kiosk
                .lang
                .get()
                .fill(Key::QuantityOf, &quantity().to_string())
        });
    view! {
        <li
            class="line"
            class:line--unavailable=unavailable
            data-testid="cart-line"
            data-product-id=product_id
        >
            <div class="line__top">
                <span class="line__name">{name}</span>
                <span class="line__total" data-testid="line-total">{line_total}</span>
            </div>
            {move || {
                unavailable()
                    .then(|| view! { <p class="line__flag">{kiosk.lang.get().text(Key::NoLongerAvailable)}</p> })
            }}
            <div class="line__controls">
                <div class="stepper">
                    <button
                        type="button"
                        class="stepper__button"
                        data-testid="qty-dec"
                        aria-label=move || dec_label(Key::DecreaseQuantity)
                        disabled=at_min
                        on:click=move |_| {
                            kiosk.cart.update(|cart| {
                                cart.decrement(id);
                            });
                        }
                    >
                        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12h14" /></svg>
                    </button>
                    <span class="stepper__value" data-testid="line-qty" aria-live="polite" aria-label=qty_label>
                        {quantity}
                    </span>
                    <button
                        type="button"
                        class="stepper__button"
                        data-testid="qty-inc"
                        aria-label=move || inc_label(Key::IncreaseQuantity)
                        disabled=at_max
                        on:click=move |_| {
                            kiosk.cart.update(|cart| {
                                cart.increment(id);
                            });
                        }
                    >
                        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5v14M5 12h14" /></svg>
                    </button>
                </div>
                <button
                    type="button"
                    class="icon-button line__remove"
                    data-testid="line-remove"
                    aria-label=move || remove_label(Key::RemoveDish)
                    on:click=move |_| {
                        kiosk.cart.update(|cart| {
                            cart.remove(id);
                        });
                    }
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3" />
                    </svg>
                </button>
                <input
                    class="line__note"
                    data-testid="line-note"
                    type="text"
                    maxlength="500"
                    autocomplete="off"
                    prop:value=initial_note
                    placeholder=move || kiosk.lang.get().text(Key::NotePlaceholder)
                    aria-label=move || note_label(Key::NoteFor)
                    on:input=move |event| {
                        let note = event_target_value(&event);
                        kiosk.cart.update(|cart| {
                            cart.set_note(id, &note);
                        });
                    }
                />
            </div>
        </li>
    }
}

/// "Place order", or a spinner while the order is on its way.
#[component]
fn PlaceButton(quote: Memo<Priced>) -> impl IntoView {
    let kiosk = use_kiosk();
    let placing = Memo::new(move |_| kiosk.flow.with(|flow| flow.screen() == Screen::Placing));
    let orderable =
        move || quote.with(|quote| matches!(quote, Some(Ok(quote)) if !quote.lines.is_empty()));
    view! {
        <button
            type="button"
            class="button button--place"
            data-testid="place-order"
            disabled=move || placing.get() || !orderable()
            aria-busy=move || placing.get().to_string()
            on:click=move |_| kiosk.place()
        >
            {move || {
                let lang = kiosk.lang.get();
                if placing.get() {
                    view! {
                        <span class="spinner spinner--small" aria-hidden="true"></span>
                        <span>{lang.text(Key::Sending)}</span>
                    }
                    .into_any()
                } else {
                    view! { <span>{lang.text(Key::PlaceOrder)}</span> }.into_any()
                }
            }}
        </button>
    }
}

/// Why the order could not be queued, with a retry of the same order.
#[component]
fn OrderError() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let err = kiosk.order_error.get()?;
        let lang = kiosk.lang.get();
        Some(view! {
            <div class="order-error" data-testid="order-error" role="alert" title=err.to_string()>
                <p class="order-error__message">{lang.text(Key::OrderNotSaved)}</p>
                <button type="button" class="button button--small" on:click=move |_| kiosk.place()>
                    {lang.text(Key::TryAgain)}
                </button>
            </div>
        })
    }
}

/// The cart total as shown: the quote's, in the menu's currency while the
/// cart is empty; a dash when it cannot be priced.
fn total_text(kiosk: Kiosk, quote: &Priced) -> String {
    match quote {
        Some(Ok(quote)) if !quote.currency.is_empty() => {
            format_money(quote.total_amount, &quote.currency)
        }
        Some(Ok(quote)) => kiosk
            .catalog
            .with(|catalog| catalog.as_ref().map(|catalog| catalog.currency.clone()))
            .filter(|currency| !currency.is_empty())
            .map(|currency| format_money(quote.total_amount, &currency))
            .unwrap_or_else(|| "—".to_owned()),
        _ => "—".to_owned(),
    }
}
