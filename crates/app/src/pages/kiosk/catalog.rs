//! The menu as the kiosk shows it, built from the device's stored tables:
//! categories in rail order, orderable dishes per category, running offers,
//! and the little derivations a card needs (initials and tone of the
//! placeholder, the offer badge). Plain data and functions, tested
//! natively; prices themselves come from the core crate.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use ticketrail_core::menu_sync::MenuTables;
use ticketrail_core::{format_money, unit_price};
use ticketrail_protocol::{Category, Product, Promotion, PromotionKind, Timestamp};

/// The device's menu, indexed for the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// Every product by id, active or not (the cart needs both to flag
    /// dishes that left the menu).
    pub products: BTreeMap<String, Product>,
    /// Categories with at least one orderable dish, by `sort_order`.
    pub categories: Vec<Category>,
    /// Ids of the orderable dishes of each rail category, in menu order:
    /// worked out once here, not per render (a menu may hold 20,000).
    dishes: BTreeMap<String, Vec<String>>,
    /// Every promotion; the core decides which apply when.
    pub promotions: Vec<Promotion>,
    /// The menu's currency (of its first orderable dish), for totals of an
    /// empty cart; empty when nothing is orderable.
    pub currency: String,
    /// The master version the menu is complete through: what orders carry
    /// as `master_version`.
    pub version: i64,
}

impl Catalog {
    /// Indexes the device's tables.
    pub fn new(tables: &MenuTables) -> Self {
        let products = tables.products.rows.clone();
        let mut dishes: BTreeMap<String, Vec<&Product>> = BTreeMap::new();
        for product in products.values().filter(|product| product.is_active) {
            dishes
                .entry(product.category_id.clone())
                .or_default()
                .push(product);
        }
        let mut categories: Vec<Category> = tables
            .categories
            .rows
            .values()
            .filter(|category| dishes.contains_key(&category.id))
            .cloned()
            .collect();
        categories.sort_by(|a, b| {
            a.sort_order
                .cmp(&b.sort_order)
                .then_with(|| natural_cmp(&a.id, &b.id))
        });
        let dishes = dishes
            .into_iter()
            .map(|(category, mut list)| {
                list.sort_by(|a, b| natural_cmp(&a.id, &b.id));
                let ids = list.into_iter().map(|product| product.id.clone()).collect();
                (category, ids)
            })
            .collect();
        let currency = products
            .values()
            .find(|product| product.is_active)
            .map(|product| product.currency.clone())
            .unwrap_or_default();
        Self {
            products,
            categories,
            dishes,
            promotions: tables.promotions.rows.values().cloned().collect(),
            currency,
            version: tables.complete_through(),
        }
    }

    /// The category a fresh rail selects.
    pub fn first_category(&self) -> Option<&str> {
        self.categories.first().map(|category| category.id.as_str())
    }

    /// `wanted` if the rail has it, else the first category.
    pub fn selected_category(&self, wanted: Option<&str>) -> Option<String> {
        wanted
            .filter(|id| self.categories.iter().any(|category| category.id == *id))
            .or_else(|| self.first_category())
            .map(str::to_owned)
    }

    /// Orderable dishes of `category_id`, in menu order (ids compared
    /// naturally, so `p-2` comes before `p-10`).
    pub fn dishes(&self, category_id: &str) -> Vec<&Product> {
        self.dishes
            .get(category_id)
            .map(|ids| ids.iter().filter_map(|id| self.products.get(id)).collect())
            .unwrap_or_default()
    }

    /// Every orderable dish in menu order: the rail's categories in turn,
    /// each in its dish order. What search goes through.
    pub fn orderable(&self) -> impl Iterator<Item = &Product> + '_ {
        self.categories
            .iter()
            .flat_map(|category| self.dishes(&category.id))
    }

    /// Promotions running at `now` that discount at least one orderable
    /// dish, for the attract screen.
    pub fn offers(&self, now: Timestamp) -> Vec<&Promotion> {
        self.promotions
            .iter()
            .filter(|promotion| {
                promotion.product_ids.iter().any(|id| {
                    self.products.get(id).is_some_and(|product| {
                        product.is_active && discounts(product, promotion, now)
                    })
                })
            })
            .collect()
    }
}

/// The promotion that sets `product`'s price at `now` (the best one, as
/// the core picks it), if any lowers it.
pub fn best_offer<'a>(
    product: &Product,
    promotions: &'a [Promotion],
    now: Timestamp,
) -> Option<&'a Promotion> {
    let best = unit_price(product, promotions, now);
    if best >= product.price {
        return None;
    }
    promotions
        .iter()
        .find(|promotion| unit_price(product, std::slice::from_ref(promotion), now) == best)
}

/// The short badge of an offer on `product`: `−20%` or `−Rp 5.000`.
pub fn offer_badge(promotion: &Promotion, product: &Product) -> String {
    match promotion.kind {
        PromotionKind::PercentOff => format!("−{}%", promotion.value.clamp(0, 100)),
        PromotionKind::AmountOff => format!(
            "−{}",
            format_money(
                promotion.value.clamp(0, product.price.max(0)),
                &product.currency
            )
        ),
    }
}

/// Up to two initials of `name` (first letters of its first two words),
/// upper-cased where the script has case: the placeholder of a dish
/// without a picture.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Number of warm placeholder tones the stylesheet defines
/// (`.dish__media[data-tone="0".."5"]`).
pub const TONES: u32 = 6;

/// A stable tone for `id`, so a dish keeps its colour between visits.
pub fn tone(id: &str) -> u32 {
    // FNV-1a: tiny, stable across builds, and spreads short ids well.
    let hash = id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash % TONES
}

/// Whether `promotion` alone lowers `product`'s price at `now`.
fn discounts(product: &Product, promotion: &Promotion, now: Timestamp) -> bool {
    unit_price(product, std::slice::from_ref(promotion), now) < product.price
}

/// Compares ids so that runs of digits compare as numbers: `p-2 < p-10`;
/// ids equal as numbers (`p-2`, `p-02`) fall back to plain order, so the
/// order is total.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    by_numbers(a, b).then_with(|| a.cmp(b))
}

fn by_numbers(mut a: &str, mut b: &str) -> Ordering {
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (digits_a, rest_a) = split_digits(a);
                let (digits_b, rest_b) = split_digits(b);
                let order = digits_a
                    .len()
                    .cmp(&digits_b.len())
                    .then_with(|| digits_a.cmp(digits_b));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (rest_a, rest_b);
            }
            (Some(x), Some(y)) if x != y => return x.cmp(&y),
            (Some(x), Some(_)) => (a, b) = (&a[x.len_utf8()..], &b[x.len_utf8()..]),
        }
    }
}

/// The leading digits of `text` without leading zeros, and the rest.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, rest) = text.split_at(end);
    (digits.trim_start_matches('0'), rest)
}

#[cfg(test)]
mod tests;
