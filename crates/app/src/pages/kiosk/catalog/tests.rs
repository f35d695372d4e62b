//! The catalog over a small menu shaped like the demo one.

use super::*;
use ticketrail_core::menu_sync::KindTable;

fn now() -> Timestamp {
    "2026-11-21T10:30:00Z".parse().unwrap()
}

fn product(id: &str, category: &str, price: i64, active: bool) -> Product {
    Product {
        id: id.into(),
        name: format!("Dish {id}"),
        translations: Default::default(),
        description: String::new(),
        category_id: category.into(),
        price,
        currency: "IDR".into(),
        image_url: None,
        is_active: active,
        station: "kitchen".into(),
        version: 1,
        updated_at: now(),
    }
}

fn category(id: &str, sort_order: i32) -> Category {
    Category {
        id: id.into(),
        name: format!("Category {id}"),
        translations: Default::default(),
        sort_order,
        version: 1,
        updated_at: now(),
    }
}

fn promotion(
    id: &str,
    kind: PromotionKind,
    value: i64,
    products: &[&str],
    running: bool,
) -> Promotion {
    let (starts, ends) = if running {
        ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
    } else {
        ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    };
    Promotion {
        id: id.into(),
        name: format!("Offer {id}"),
        translations: Default::default(),
        product_ids: products.iter().map(|id| (*id).to_owned()).collect(),
        kind,
        value,
        starts_at: starts.parse().unwrap(),
        ends_at: ends.parse().unwrap(),
        version: 1,
        updated_at: now(),
    }
}

/// The sample menu as lists (the tests pick rows by position), turned
/// into the device's tables by [`Menu::tables`].
struct Menu {
    products: Vec<Product>,
    categories: Vec<Category>,
    promotions: Vec<Promotion>,
    version: i64,
}

impl Menu {
    fn tables(&self) -> MenuTables {
        fn table<T: Clone>(rows: &[T], id: impl Fn(&T) -> &str, cursor: i64) -> KindTable<T> {
            KindTable {
                cursor,
                rows: rows
                    .iter()
                    .map(|row| (id(row).to_owned(), row.clone()))
                    .collect(),
            }
        }
        MenuTables {
            products: table(&self.products, |row| &row.id, self.version),
            categories: table(&self.categories, |row| &row.id, self.version),
            // One kind behind: the catalog's version is the lowest cursor.
            promotions: table(&self.promotions, |row| &row.id, self.version - 1),
        }
    }
}

fn menu() -> Menu {
    Menu {
        products: vec![
            product("p-1", "c-1", 1_800_000, true),
            product("p-10", "c-1", 1_000_000, true),
            product("p-2", "c-1", 2_200_000, true),
            product("p-23", "c-4", 3_800_000, true),
            product("p-48", "c-7", 4_500_000, false),
        ],
        categories: vec![category("c-7", 7), category("c-4", 4), category("c-1", 1)],
        promotions: vec![
            promotion("promo-1", PromotionKind::PercentOff, 20, &["p-2"], true),
            promotion(
                "promo-2",
                PromotionKind::AmountOff,
                500_000,
                &["p-23"],
                true,
            ),
            promotion("promo-old", PromotionKind::PercentOff, 50, &["p-1"], false),
            promotion("promo-off", PromotionKind::PercentOff, 10, &["p-48"], true),
        ],
        version: 42,
    }
}

#[test]
fn the_rail_is_sorted_and_skips_categories_without_orderable_dishes() {
    let catalog = Catalog::new(&menu().tables());
    let rail: Vec<&str> = catalog.categories.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(rail, ["c-1", "c-4"]);
    assert_eq!(catalog.first_category(), Some("c-1"));
    assert_eq!(catalog.currency, "IDR");
    assert_eq!(catalog.version, 41, "complete through the lowest cursor");
}

#[test]
fn a_selection_that_left_the_rail_falls_back_to_the_first() {
    let catalog = Catalog::new(&menu().tables());
    assert_eq!(
        catalog.selected_category(Some("c-4")).as_deref(),
        Some("c-4")
    );
    assert_eq!(
        catalog.selected_category(Some("c-7")).as_deref(),
        Some("c-1")
    );
    assert_eq!(catalog.selected_category(None).as_deref(), Some("c-1"));
}

#[test]
fn dishes_come_in_natural_id_order_and_only_when_active() {
    let catalog = Catalog::new(&menu().tables());
    let ids: Vec<&str> = catalog
        .dishes("c-1")
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["p-1", "p-2", "p-10"]);
    assert!(catalog.dishes("c-7").is_empty());
    assert!(
        catalog.products.contains_key("p-48"),
        "kept for the cart to flag"
    );
}

#[test]
fn orderable_dishes_come_rail_by_rail_in_dish_order() {
    let catalog = Catalog::new(&menu().tables());
    let ids: Vec<&str> = catalog.orderable().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p-1", "p-2", "p-10", "p-23"]);
}

#[test]
fn offers_are_the_running_ones_on_orderable_dishes() {
    let catalog = Catalog::new(&menu().tables());
    let ids: Vec<&str> = catalog
        .offers(now())
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["promo-1", "promo-2"]);
}

#[test]
fn the_best_offer_is_the_one_the_core_applies() {
    let menu = menu();
    let coffee = &menu.products[2];
    let mut promotions = menu.promotions.clone();
    promotions.push(promotion(
        "promo-small",
        PromotionKind::PercentOff,
        5,
        &["p-2"],
        true,
    ));
    let best = best_offer(coffee, &promotions, now()).map(|p| p.id.as_str());
    assert_eq!(best, Some("promo-1"));
    let plain = &menu.products[1];
    assert_eq!(best_offer(plain, &promotions, now()), None);
    let expired_only = &menu.products[0];
    assert_eq!(best_offer(expired_only, &promotions, now()), None);
}

#[test]
fn badges_read_as_the_discount() {
    let menu = menu();
    assert_eq!(offer_badge(&menu.promotions[0], &menu.products[2]), "−20%");
    assert_eq!(
        offer_badge(&menu.promotions[1], &menu.products[3]),
        "−Rp 5.000"
    );
}

#[test]
fn initials_take_the_first_two_words() {
    assert_eq!(initials("Special Fried Rice"), "SF");
    assert_eq!(initials("laksa"), "L");
    assert_eq!(initials("  Gado-Gado "), "G");
    assert_eq!(initials("(Hot) Chocolate"), "HC");
    assert_eq!(initials("شاي مثلج محلى"), "شم");
    assert_eq!(initials(""), "");
}

#[test]
fn tones_are_stable_and_in_range() {
    assert_eq!(tone("p-1"), tone("p-1"));
    let tones: std::collections::BTreeSet<u32> =
        (1..=48).map(|n| tone(&format!("p-{n}"))).collect();
    assert!(tones.iter().all(|tone| *tone < TONES));
    assert!(
        tones.len() > 3,
        "a menu should not be all one colour: {tones:?}"
    );
}

#[test]
fn natural_order_compares_numbers_as_numbers() {
    let mut ids = ["p-10", "p-2", "p-1", "q-1", "p-02", "p-100", "p"];
    ids.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(ids, ["p", "p-1", "p-02", "p-2", "p-10", "p-100", "q-1"]);
}
