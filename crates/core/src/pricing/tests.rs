//! Examples and properties of the pricing rule, checked against a model
//! written independently of the implementation.

use super::*;
use chrono::TimeDelta;
use proptest::prelude::*;

fn now() -> Timestamp {
    "2026-11-21T10:30:00Z".parse().unwrap()
}

fn at(offset_secs: i64) -> Timestamp {
    now() + TimeDelta::seconds(offset_secs)
}

fn product(id: &str, price: i64, currency: &str) -> Product {
    Product {
        id: id.into(),
        name: format!("Name of {id}"),
        translations: Default::default(),
        description: String::new(),
        category_id: "c-1".into(),
        price,
        currency: currency.into(),
        image_url: None,
        is_active: true,
        station: format!("station-{id}"),
        version: 1,
        updated_at: now(),
    }
}

fn promo(kind: PromotionKind, value: i64, ids: &[&str], start: i64, end: i64) -> Promotion {
    Promotion {
        id: format!("promo-{value}"),
        name: "Promo".into(),
        translations: Default::default(),
        product_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        kind,
        value,
        starts_at: at(start),
        ends_at: at(end),
        version: 1,
        updated_at: now(),
    }
}

fn line(product_id: &str, quantity: i64) -> OrderItemRequest {
    OrderItemRequest {
        product_id: product_id.into(),
        quantity,
        notes: None,
    }
}

fn menu(products: impl IntoIterator<Item = Product>) -> BTreeMap<String, Product> {
    products.into_iter().map(|p| (p.id.clone(), p)).collect()
}

use PromotionKind::{AmountOff, PercentOff};

#[test]
fn percent_off_rounds_half_up() {
    let cases = [
        (5, 10, 4),
        (15, 10, 13),
        (14, 10, 13),
        (2_500_000, 10, 2_250_000),
        (1, 50, 0),
    ];
    for (price, percent, want) in cases {
        let p = product("p-1", price, "IDR");
        let promos = [promo(PercentOff, percent, &["p-1"], -60, 60)];
        assert_eq!(
            unit_price(&p, &promos, now()),
            want,
            "{percent}% off {price}"
        );
    }
}

#[test]
fn amount_off_never_goes_below_zero() {
    let p = product("p-1", 300, "USD");
    assert_eq!(
        unit_price(&p, &[promo(AmountOff, 120, &["p-1"], -1, 1)], now()),
        180
    );
    assert_eq!(
        unit_price(&p, &[promo(AmountOff, 999, &["p-1"], -1, 1)], now()),
        0
    );
}

#[test]
fn the_window_includes_its_start_and_excludes_its_end() {
    let p = product("p-1", 1000, "IDR");
    let starts_now = [promo(AmountOff, 100, &["p-1"], 0, 60)];
    let ends_now = [promo(AmountOff, 100, &["p-1"], -60, 0)];
    assert_eq!(unit_price(&p, &starts_now, now()), 900);
    assert_eq!(unit_price(&p, &ends_now, now()), 1000);
}

#[test]
fn the_largest_discount_wins_and_promotions_never_stack() {
    let p = product("p-1", 10_000, "IDR");
    let promos = [
        promo(AmountOff, 500, &["p-1"], -1, 1),
        promo(PercentOff, 10, &["p-1"], -1, 1),
        promo(AmountOff, 5_000, &["p-2"], -1, 1),
    ];
    assert_eq!(unit_price(&p, &promos, now()), 9_000);
}

#[test]
fn out_of_range_master_data_is_clamped_not_trusted() {
    let p = product("p-1", 1000, "IDR");
    assert_eq!(
        unit_price(&p, &[promo(PercentOff, 150, &["p-1"], -1, 1)], now()),
        0
    );
    assert_eq!(
        unit_price(&p, &[promo(PercentOff, -20, &["p-1"], -1, 1)], now()),
        1000
    );
    assert_eq!(
        unit_price(&p, &[promo(AmountOff, -20, &["p-1"], -1, 1)], now()),
        1000
    );
    assert_eq!(unit_price(&product("p-2", -5, "IDR"), &[], now()), 0);
}

#[test]
fn lines_keep_request_order_and_copy_menu_fields() {
    let products = menu([
        product("p-1", 2_000_000, "IDR"),
        product("p-2", 900_000, "IDR"),
    ]);
    let promos = [promo(PercentOff, 50, &["p-2"], -1, 1)];
    let mut noted = line("p-2", 3);
    noted.notes = Some("tanpa es 🧊 بدون ثلج".into());
    let items = [noted, line("p-1", 1), line("p-2", 1)];
    let priced = price_order(&items, &products, &promos, now()).unwrap();
    let ids: Vec<_> = priced.items.iter().map(|i| i.product_id.as_str()).collect();
    assert_eq!(ids, ["p-2", "p-1", "p-2"]);
    let first = &priced.items[0];
    assert_eq!(first.name, "Name of p-2");
    assert_eq!(first.station, "station-p-2");
    assert_eq!(first.notes.as_deref(), Some("tanpa es 🧊 بدون ثلج"));
    assert_eq!((first.unit_price, first.line_total), (450_000, 1_350_000));
    assert_eq!(priced.total_amount, 1_350_000 + 2_000_000 + 450_000);
    assert_eq!(priced.currency, "IDR");
}

#[test]
fn unknown_and_inactive_products_are_refused_by_id() {
    let mut off_menu = product("p-9", 100, "IDR");
    off_menu.is_active = false;
    let products = menu([product("p-1", 100, "IDR"), off_menu]);
    for missing in ["p-404", "p-9"] {
        let err = price_order(&[line("p-1", 1), line(missing, 1)], &products, &[], now());
        let err = err.unwrap_err();
        assert_eq!(err, PricingError::UnknownProduct(missing.into()));
        assert!(err.to_string().contains(missing), "{err}");
    }
}

#[test]
fn mixed_currencies_are_refused() {
    let products = menu([product("p-1", 100, "IDR"), product("p-2", 100, "USD")]);
    let err = price_order(&[line("p-1", 1), line("p-2", 1)], &products, &[], now());
    assert_eq!(err, Err(PricingError::MixedCurrency));
}

#[test]
fn overflow_is_an_error() {
    let products = menu([
        product("p-1", i64::MAX, "IDR"),
        product("p-2", i64::MAX / 2 + 1, "IDR"),
    ]);
    let line_overflow = price_order(&[line("p-1", 2)], &products, &[], now());
    assert_eq!(line_overflow, Err(PricingError::Overflow));
    let sum_overflow = price_order(&[line("p-2", 1), line("p-2", 1)], &products, &[], now());
    assert_eq!(sum_overflow, Err(PricingError::Overflow));
    let fits = price_order(&[line("p-1", 1)], &products, &[], now()).unwrap();
    assert_eq!(fits.total_amount, i64::MAX);
}

/// The rule restated on its own, in i128, to check the implementation against.
fn model_unit_price(price: i64, promos: &[Promotion], product_id: &str) -> i64 {
    let price = i128::from(price.max(0));
    let best = promos
        .iter()
        .filter(|p| p.starts_at <= now() && now() < p.ends_at)
        .filter(|p| p.product_ids.iter().any(|id| id == product_id))
        .map(|p| match p.kind {
            PercentOff => {
                let scaled = price * i128::from(p.value.clamp(0, 100));
                scaled / 100 + i128::from(scaled % 100 >= 50)
            }
            AmountOff => i128::from(p.value).clamp(0, price),
        })
        .max()
        .unwrap_or(0);
    i64::try_from(price - best).unwrap()
}

const IDS: [&str; 4] = ["p-0", "p-1", "p-2", "p-3"];

/// A promotion on a random subset of [`IDS`] with a window somewhere around
/// `now()` (seconds relative to it), so some run and some do not.
fn any_promo(max_amount: i64) -> impl Strategy<Value = Promotion> {
    (
        prop::bool::ANY,
        0..=100i64,
        0..=max_amount,
        prop::collection::vec(prop::sample::select(IDS.to_vec()), 0..4),
        -100..100i64,
        1..100i64,
    )
        .prop_map(|(percent, pct, amount, ids, start, len)| {
            let (kind, value) = if percent {
                (PercentOff, pct)
            } else {
                (AmountOff, amount)
            };
            promo(kind, value, &ids, start, start + len)
        })
}

proptest! {
    #[test]
    fn totals_add_up_and_unit_prices_stay_within_the_list_price(
        prices in prop::collection::vec(0..=1_000_000_000i64, IDS.len()),
        promos in prop::collection::vec(any_promo(2_000_000_000), 0..6),
        lines in prop::collection::vec((0..IDS.len(), 1..=99i64), 1..20),
    ) {
        let products = menu(IDS.iter().zip(&prices).map(|(id, price)| product(id, *price, "IDR")));
        let items: Vec<_> = lines.iter().map(|(i, q)| line(IDS[*i], *q)).collect();
        let priced = price_order(&items, &products, &promos, now()).unwrap();
        prop_assert_eq!(priced.items.len(), items.len());
        let mut sum = 0i64;
        for (request, item) in items.iter().zip(&priced.items) {
            let list = products[&request.product_id].price;
            prop_assert_eq!(&item.product_id, &request.product_id);
            prop_assert!((0..=list).contains(&item.unit_price));
            prop_assert_eq!(item.line_total, item.unit_price * item.quantity);
            sum += item.line_total;
        }
        prop_assert_eq!(priced.total_amount, sum);
    }

    #[test]
    fn the_best_running_promotion_wins(
        price in 0..=i64::MAX,
        promos in prop::collection::vec(any_promo(i64::MAX), 0..8),
    ) {
        let p = product("p-1", price, "IDR");
        prop_assert_eq!(unit_price(&p, &promos, now()), model_unit_price(price, &promos, "p-1"));
    }

    #[test]
    fn a_promotion_outside_its_window_never_applies(
        price in 0..=i64::MAX,
        promos in prop::collection::vec(any_promo(i64::MAX), 1..8),
        shift in 0..1000i64,
    ) {
        // Move every window wholly before or wholly after now().
        let outside: Vec<_> = promos
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                let len = p.ends_at - p.starts_at;
                if i % 2 == 0 {
                    p.ends_at = at(-shift);
                    p.starts_at = p.ends_at - len;
                } else {
                    p.starts_at = at(shift + 1);
                    p.ends_at = p.starts_at + len;
                }
                p
            })
            .collect();
        let p = product("p-1", price, "IDR");
        prop_assert_eq!(unit_price(&p, &outside, now()), price);
    }

    #[test]
    fn huge_orders_give_overflow_never_a_panic_or_a_wrong_total(
        prices in prop::collection::vec(0..=i64::MAX, IDS.len()),
        lines in prop::collection::vec((0..IDS.len(), 1..=99i64), 1..10),
    ) {
        let products = menu(IDS.iter().zip(&prices).map(|(id, price)| product(id, *price, "IDR")));
        let items: Vec<_> = lines.iter().map(|(i, q)| line(IDS[*i], *q)).collect();
        // Overflow anywhere means the running sum left i64 at some point.
        let mut exact = Some(0i128);
        for (i, q) in &lines {
            let line_total = i128::from(prices[*i]) * i128::from(*q);
            exact = exact
                .filter(|_| i64::try_from(line_total).is_ok())
                .map(|sum| sum + line_total)
                .filter(|sum| i64::try_from(*sum).is_ok());
        }
        match (price_order(&items, &products, &[], now()), exact) {
            (Ok(priced), Some(total)) => prop_assert_eq!(i128::from(priced.total_amount), total),
            (Err(PricingError::Overflow), None) => {}
            (got, want) => prop_assert!(false, "got {:?}, model says {:?}", got, want),
        }
    }
}
