//! Reconciling a cart with a changed menu: what leaves, what is repriced,
//! and what the customer is told.

use super::*;
use ticketrail_core::menu_sync::{KindTable, MenuTables};
use ticketrail_protocol::{Category, Promotion, PromotionKind};

fn now() -> Timestamp {
    "2026-11-21T10:30:00Z".parse().unwrap()
}

fn product(id: &str, price: i64, active: bool) -> Product {
    Product {
        id: id.into(),
        name: format!("Dish {id}"),
        translations: [("id".to_owned(), format!("Hidangan {id}"))].into(),
        description: String::new(),
        category_id: "c-1".into(),
        price,
        currency: "IDR".into(),
        image_url: None,
        is_active: active,
        station: "kitchen".into(),
        version: 1,
        updated_at: now(),
    }
}

fn catalog(products: &[Product], promotions: &[Promotion]) -> Catalog {
    let category = Category {
        id: "c-1".into(),
        name: "Mains".into(),
        translations: Translations::new(),
        sort_order: 1,
        version: 1,
        updated_at: now(),
    };
    Catalog::new(&MenuTables {
        products: KindTable {
            cursor: 9,
            rows: products.iter().map(|p| (p.id.clone(), p.clone())).collect(),
        },
        categories: KindTable {
            cursor: 9,
            rows: [(category.id.clone(), category)].into(),
        },
        promotions: KindTable {
            cursor: 9,
            rows: promotions
                .iter()
                .map(|p| (p.id.clone(), p.clone()))
                .collect(),
        },
    })
}

fn half_off(id: &str) -> Promotion {
    Promotion {
        id: "promo-1".into(),
        name: "Half off".into(),
        translations: Translations::new(),
        product_ids: vec![id.into()],
        kind: PromotionKind::PercentOff,
        value: 50,
        starts_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        ends_at: "2027-01-01T00:00:00Z".parse().unwrap(),
        version: 2,
        updated_at: now(),
    }
}

fn ids(dishes: &[Dish]) -> Vec<&str> {
    dishes.iter().map(|dish| dish.id.as_str()).collect()
}

#[test]
fn deleted_and_deactivated_dishes_leave_the_cart_named() {
    let before = catalog(
        &[
            product("p-1", 100, true),
            product("p-2", 200, true),
            product("p-3", 300, true),
        ],
        &[],
    );
    let after = catalog(
        &[product("p-1", 100, true), product("p-3", 300, false)],
        &[],
    );
    let mut cart = Cart::new();
    for id in ["p-1", "p-2", "p-3", "p-2"] {
        cart.add(id);
    }
    let second = cart.lines()[1].id;
    cart.set_note(second, "extra sambal");
    cart.add("p-2");

    let notice = reconcile(&mut cart, Some(&before), &after, now());
    assert_eq!(ids(&notice.removed), ["p-2", "p-3"], "each dish once");
    assert_eq!(
        notice.removed[0].name_in(Lang::Id),
        "Hidangan p-2",
        "named from the old menu"
    );
    assert!(notice.repriced.is_empty());
    let left: Vec<&str> = cart.lines().iter().map(|l| l.product_id.as_str()).collect();
    assert_eq!(left, ["p-1"]);
}

#[test]
fn a_new_price_is_reported_with_promotions_applied() {
    let before = catalog(&[product("p-1", 100, true), product("p-2", 200, true)], &[]);
    let after = catalog(
        &[product("p-1", 120, true), product("p-2", 200, true)],
        &[half_off("p-2")],
    );
    let mut cart = Cart::new();
    cart.add("p-1");
    cart.add("p-2");
    let notice = reconcile(&mut cart, Some(&before), &after, now());
    let repriced: Vec<(&str, i64)> = notice
        .repriced
        .iter()
        .map(|(dish, price, _)| (dish.id.as_str(), *price))
        .collect();
    assert_eq!(repriced, [("p-1", 120), ("p-2", 100)]);
    assert_eq!(cart.lines().len(), 2, "repriced dishes stay");
}

#[test]
fn an_unchanged_menu_or_a_first_menu_says_nothing() {
    let menu = catalog(&[product("p-1", 100, true)], &[]);
    let mut cart = Cart::new();
    cart.add("p-1");
    assert_eq!(
        reconcile(&mut cart, Some(&menu), &menu, now()),
        CartNotice::default()
    );
    assert_eq!(
        reconcile(&mut cart, None, &menu, now()),
        CartNotice::default()
    );
    assert_eq!(cart.lines().len(), 1);
}

#[test]
fn a_dish_unknown_to_both_menus_is_named_by_its_id() {
    let menu = catalog(&[product("p-1", 100, true)], &[]);
    let mut cart = Cart::new();
    cart.add("p-ghost");
    let notice = reconcile(&mut cart, None, &menu, now());
    assert_eq!(notice.removed[0].name_in(Lang::En), "p-ghost");
    assert!(cart.is_empty());
}

#[test]
fn later_changes_merge_into_the_open_notice() {
    let dish = |id: &str| Dish::of(&product(id, 1, true));
    let mut shown = CartNotice {
        removed: vec![dish("p-1")],
        repriced: vec![(dish("p-2"), 150, "IDR".into())],
    };
    shown.merge(CartNotice {
        removed: vec![dish("p-2"), dish("p-1")],
        repriced: vec![(dish("p-3"), 90, "IDR".into())],
    });
    assert_eq!(ids(&shown.removed), ["p-1", "p-2"]);
    let repriced: Vec<&str> = shown.repriced.iter().map(|(d, ..)| d.id.as_str()).collect();
    assert_eq!(
        repriced,
        ["p-3"],
        "a removed dish is no longer listed as repriced"
    );
}
