//! What a menu change does to a cart, and the notice that tells the
//! customer: dishes that left the menu (deleted or taken off sale) are
//! taken out of the cart, dishes whose price changed are named with their
//! new price. Nothing about an order changes silently.
//!
//! [`reconcile`] is plain data in, plain data out (tested natively);
//! [`install`] applies it when the kiosk's menu engine hands over a new
//! catalog; [`CartNoticeView`] shows the result in the cart.

use std::sync::Arc;

use leptos::prelude::*;
use ticketrail_core::{format_money, unit_price, Cart};
use ticketrail_protocol::master::Translations;
use ticketrail_protocol::{Product, Timestamp};

use super::catalog::Catalog;
use super::use_kiosk;
use crate::i18n::{localized, Key, Lang};

/// A dish as the notice names it: kept whole, so the name still shows in
/// every language after the dish left the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dish {
    /// Product id.
    pub id: String,
    /// English name (the id when the menu never had it).
    pub name: String,
    /// Its other names.
    pub translations: Translations,
}

impl Dish {
    fn of(product: &Product) -> Self {
        Self {
            id: product.id.clone(),
            name: product.name.clone(),
            translations: product.translations.clone(),
        }
    }

    fn name_in(&self, lang: Lang) -> String {
        localized(lang, &self.name, &self.translations).to_owned()
    }
}

/// What menu changes did to the cart since the customer last closed the
/// notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartNotice {
    /// Dishes taken out of the cart.
    pub removed: Vec<Dish>,
    /// Dishes still in the cart at a new unit price: (dish, price,
    /// currency).
    pub repriced: Vec<(Dish, i64, String)>,
}

impl CartNotice {
    fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.repriced.is_empty()
    }

    /// Adds `later` to what is already shown: a dish is listed once, with
    /// its latest fate.
    fn merge(&mut self, later: CartNotice) {
        for dish in later.removed {
            self.repriced.retain(|(held, ..)| held.id != dish.id);
            if !self.removed.iter().any(|held| held.id == dish.id) {
                self.removed.push(dish);
            }
        }
        for change in later.repriced {
            self.repriced.retain(|(held, ..)| held.id != change.0.id);
            self.repriced.push(change);
        }
    }
}

/// Brings `cart` in line with the menu going from `old` to `new` at `now`:
/// takes out the lines whose dish is gone or off sale and lists, once each,
/// those dishes and the dishes left in the cart whose unit price (after
/// promotions) changed.
pub fn reconcile(
    cart: &mut Cart,
    old: Option<&Catalog>,
    new: &Catalog,
    now: Timestamp,
) -> CartNotice {
    let mut notice = CartNotice::default();
    for line in cart.remove_unorderable(&new.products) {
        if notice.removed.iter().any(|dish| dish.id == line.product_id) {
            continue;
        }
        let known = old
            .and_then(|catalog| catalog.products.get(&line.product_id))
            .or_else(|| new.products.get(&line.product_id));
        notice
            .removed
            .push(known.map(Dish::of).unwrap_or_else(|| Dish {
                id: line.product_id.clone(),
                name: line.product_id.clone(),
                translations: Translations::new(),
            }));
    }
    let Some(old) = old else {
        return notice;
    };
    for line in cart.lines() {
        let (Some(before), Some(after)) = (
            old.products.get(&line.product_id),
            new.products.get(&line.product_id),
        ) else {
            continue;
        };
        let price = unit_price(after, &new.promotions, now);
        let changed =
            price != unit_price(before, &old.promotions, now) || after.currency != before.currency;
        if changed && !notice.repriced.iter().any(|(dish, ..)| dish.id == after.id) {
            notice
                .repriced
                .push((Dish::of(after), price, after.currency.clone()));
        }
    }
    notice
}

/// Shows `next` as the kiosk's menu, first taking out of the cart what left
/// the menu and noting what it did for the customer.
pub fn install(
    catalog: RwSignal<Option<Arc<Catalog>>>,
    cart: RwSignal<Cart>,
    notice: RwSignal<Option<CartNotice>>,
    next: Arc<Catalog>,
    now: Timestamp,
) {
    let old = catalog.try_get_untracked().flatten();
    let changes = cart
        .try_update(|cart| reconcile(cart, old.as_deref(), &next, now))
        .unwrap_or_default();
    if !changes.is_empty() {
        notice.try_update(|notice| {
            notice
                .get_or_insert_with(CartNotice::default)
                .merge(changes)
        });
    }
    catalog.try_set(Some(next));
}

/// The notice at the top of the cart, until the customer closes it.
#[component]
pub fn CartNoticeView() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let notice = kiosk.cart_notice.get()?;
        let lang = kiosk.lang.get();
        let removed = notice.removed.iter().map(|dish| {
            view! {
                <li class="cart-notice__item" data-product-id=dish.id.clone() data-change="removed">
                    <strong>{dish.name_in(lang)}</strong>
                    " "
                    {lang.text(Key::RemovedFromOrder)}
                </li>
            }
        });
        let repriced = notice.repriced.iter().map(|(dish, price, currency)| {
            view! {
                <li class="cart-notice__item" data-product-id=dish.id.clone() data-change="price">
                    <strong>{dish.name_in(lang)}</strong>
                    " "
                    {lang.fill(Key::NowCosts, &format_money(*price, currency))}
                </li>
            }
        });
        Some(view! {
            <div class="cart-notice" data-testid="cart-notice" role="alert">
                <p class="cart-notice__title">{lang.text(Key::OrderUpdated)}</p>
                <ul class="cart-notice__list">
                    {removed.collect_view()}
                    {repriced.collect_view()}
                </ul>
                <button
                    type="button"
                    class="button button--small cart-notice__ok"
                    data-testid="cart-notice-dismiss"
                    on:click=move |_| kiosk.cart_notice.set(None)
                >
                    {lang.text(Key::GotIt)}
                </button>
            </div>
        })
    }
}

#[cfg(test)]
mod tests;
