//! Examples and properties of the cart: limits hold after any sequence of
//! taps, and the cart's total is exactly the server's price of its request.

use super::*;
use proptest::prelude::*;
use ticketrail_protocol::validate::validate_place_order;
use ticketrail_protocol::{PlaceOrder, PromotionKind};

fn now() -> Timestamp {
    "2026-11-21T10:30:00Z".parse().unwrap()
}

fn product(id: &str, price: i64, active: bool) -> Product {
    Product {
        id: id.into(),
        name: format!("Name of {id}"),
        translations: Default::default(),
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

fn menu() -> BTreeMap<String, Product> {
    [
        product("p-1", 1_800_000, true),
        product("p-2", 2_200_000, true),
        product("p-3", 3_800_000, true),
        product("p-off", 4_500_000, false),
    ]
    .into_iter()
    .map(|product| (product.id.clone(), product))
    .collect()
}

fn promotions() -> Vec<Promotion> {
    vec![Promotion {
        id: "promo-1".into(),
        name: "20% off".into(),
        translations: Default::default(),
        product_ids: vec!["p-2".into()],
        kind: PromotionKind::PercentOff,
        value: 20,
        starts_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        ends_at: "2027-01-01T00:00:00Z".parse().unwrap(),
        version: 1,
        updated_at: now(),
    }]
}

#[test]
fn adding_the_same_product_counts_up_one_line() {
    let mut cart = Cart::new();
    let first = cart.add("p-1");
    let again = cart.add("p-1");
    assert_eq!(first, again);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.lines()[0].quantity, 2);
    assert_eq!(cart.unit_count(), 2);
}

#[test]
fn a_line_with_a_note_is_a_separate_dish() {
    let mut cart = Cart::new();
    let plain = cart.add("p-1").unwrap();
    assert!(cart.set_note(plain, "no chilli"));
    let second = cart.add("p-1").unwrap();
    assert_ne!(plain, second);
    assert_eq!(cart.lines().len(), 2);
    assert_eq!(cart.lines()[1].note, "");
}

#[test]
fn quantities_stay_within_1_to_99() {
    let mut cart = Cart::new();
    let line = cart.add("p-1").unwrap();
    assert_eq!(cart.decrement(line), Some(1));
    assert_eq!(cart.set_quantity(line, 0), Some(1));
    assert_eq!(cart.set_quantity(line, -5), Some(1));
    assert_eq!(cart.set_quantity(line, 150), Some(99));
    assert_eq!(cart.increment(line), Some(99));
    for _ in 0..3 {
        cart.add("p-1");
    }
    assert_eq!(cart.lines()[0].quantity, 99);
    assert_eq!(cart.set_quantity(line, i64::MIN), Some(1));
}

#[test]
fn operations_on_a_missing_line_do_nothing() {
    let mut cart = Cart::new();
    let line = cart.add("p-1").unwrap();
    assert!(cart.remove(line));
    assert!(!cart.remove(line));
    assert_eq!(cart.increment(line), None);
    assert_eq!(cart.set_quantity(line, 3), None);
    assert!(!cart.set_note(line, "x"));
    assert!(cart.is_empty());
}

#[test]
fn line_ids_are_not_reused_after_removal() {
    let mut cart = Cart::new();
    let first = cart.add("p-1").unwrap();
    cart.remove(first);
    let second = cart.add("p-1").unwrap();
    assert_ne!(first, second);
}

#[test]
fn no_more_than_the_protocols_line_limit() {
    let mut cart = Cart::new();
    for index in 0..MAX_ORDER_LINES {
        assert!(cart.add(&format!("p-{index}")).is_some());
    }
    assert_eq!(cart.add("one-too-many"), None);
    // An existing line still counts up.
    assert!(cart.add("p-0").is_some());
    assert_eq!(cart.lines().len(), MAX_ORDER_LINES);
}

#[test]
fn notes_are_made_acceptable_to_the_server() {
    let mut cart = Cart::new();
    let line = cart.add("p-1").unwrap();
    cart.set_note(line, "no\tice\r\nplease\u{7}");
    assert_eq!(cart.lines()[0].note, "no ice \nplease ");
    cart.set_note(line, &"é".repeat(MAX_NOTE_CHARS + 20));
    assert_eq!(cart.lines()[0].note.chars().count(), MAX_NOTE_CHARS);
}

#[test]
fn requests_trim_notes_and_drop_empty_ones() {
    let mut cart = Cart::new();
    let with_note = cart.add("p-1").unwrap();
    cart.set_note(with_note, "  less sugar ");
    cart.add("p-2");
    let requests = cart.requests(&menu());
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].notes.as_deref(), Some("less sugar"));
    assert_eq!(requests[1].notes, None);
    cart.set_note(with_note, "   ");
    assert_eq!(cart.requests(&menu())[0].notes, None);
}

#[test]
fn quote_applies_promotions_like_the_server() {
    let mut cart = Cart::new();
    let coffee = cart.add("p-2").unwrap();
    cart.set_quantity(coffee, 2);
    let rice = cart.add("p-3").unwrap();
    let quote = cart.quote(&menu(), &promotions(), now()).unwrap();
    // 22.000 less 20% is 17.600, twice, plus 38.000.
    assert_eq!(
        quote.line(coffee).map(|item| item.line_total),
        Some(3_520_000)
    );
    assert_eq!(
        quote.line(rice).map(|item| item.unit_price),
        Some(3_800_000)
    );
    assert_eq!(quote.total_amount, 7_320_000);
    assert_eq!(quote.currency, "IDR");
    assert!(quote.unavailable.is_empty());
}

#[test]
fn vanished_and_inactive_products_are_flagged_not_priced() {
    let mut cart = Cart::new();
    let kept = cart.add("p-1").unwrap();
    let inactive = cart.add("p-off").unwrap();
    let vanished = cart.add("p-gone").unwrap();
    let quote = cart.quote(&menu(), &[], now()).unwrap();
    assert_eq!(quote.unavailable, vec![inactive, vanished]);
    assert!(quote.is_unavailable(vanished));
    assert!(quote.line(inactive).is_none());
    assert_eq!(
        quote.line(kept).map(|item| item.line_total),
        Some(1_800_000)
    );
    assert_eq!(quote.total_amount, 1_800_000);
    let requests = cart.requests(&menu());
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].product_id, "p-1");
    assert_eq!(cart.lines().len(), 3, "flagged, not silently dropped");
}

#[test]
fn removing_unorderable_lines_returns_them_and_keeps_the_rest() {
    let mut cart = Cart::new();
    let inactive = cart.add("p-off").unwrap();
    let kept = cart.add("p-1").unwrap();
    let vanished = cart.add("p-gone").unwrap();
    cart.set_note(vanished, "no chilli");
    let gone = cart.remove_unorderable(&menu());
    let gone_ids: Vec<LineId> = gone.iter().map(|line| line.id).collect();
    assert_eq!(gone_ids, [inactive, vanished]);
    assert_eq!(gone[1].note, "no chilli", "the line comes back whole");
    let left: Vec<LineId> = cart.lines().iter().map(|line| line.id).collect();
    assert_eq!(left, [kept]);
    assert!(
        cart.remove_unorderable(&menu()).is_empty(),
        "nothing more to take"
    );
    let again = cart.add("p-2").unwrap();
    assert!(!gone_ids.contains(&again), "line ids are never reused");
}

#[test]
fn an_empty_cart_totals_zero() {
    let quote = Cart::new().quote(&menu(), &promotions(), now()).unwrap();
    assert_eq!(quote.total_amount, 0);
    assert_eq!(quote.currency, "");
}

#[test]
fn the_submission_id_survives_retries_until_the_cart_is_cleared() {
    let mut cart = Cart::new();
    cart.add("p-1");
    let first = cart.submission_id(|| "id-1".into());
    let retry = cart.submission_id(|| "id-2".into());
    assert_eq!(first, "id-1");
    assert_eq!(retry, "id-1");
    cart.clear();
    assert!(cart.is_empty());
    assert_eq!(cart.submission_id(|| "id-3".into()), "id-3");
}

/// A tap on the kiosk, as the property tests generate them.
#[derive(Debug, Clone)]
enum Tap {
    Add(usize),
    Increment(usize),
    Decrement(usize),
    Set(usize, i64),
    Note(usize, String),
    Remove(usize),
}

const PRODUCT_IDS: [&str; 5] = ["p-1", "p-2", "p-3", "p-off", "p-gone"];

fn tap() -> impl Strategy<Value = Tap> {
    prop_oneof![
        4 => (0..PRODUCT_IDS.len()).prop_map(Tap::Add),
        2 => (0..8usize).prop_map(Tap::Increment),
        2 => (0..8usize).prop_map(Tap::Decrement),
        1 => (0..8usize, any::<i64>()).prop_map(|(line, qty)| Tap::Set(line, qty)),
        1 => (0..8usize, any::<String>()).prop_map(|(line, note)| Tap::Note(line, note)),
        1 => (0..8usize).prop_map(Tap::Remove),
    ]
}

fn apply(cart: &mut Cart, tap: &Tap) {
    // Taps name lines by position, so they hit real lines most of the time.
    let id = |cart: &Cart, index: usize| {
        cart.lines()
            .get(index % cart.lines().len().max(1))
            .map(|line| line.id)
    };
    match tap {
        Tap::Add(product) => {
            cart.add(PRODUCT_IDS[*product]);
        }
        Tap::Increment(index) => {
            if let Some(line) = id(cart, *index) {
                cart.increment(line);
            }
        }
        Tap::Decrement(index) => {
            if let Some(line) = id(cart, *index) {
                cart.decrement(line);
            }
        }
        Tap::Set(index, quantity) => {
            if let Some(line) = id(cart, *index) {
                cart.set_quantity(line, *quantity);
            }
        }
        Tap::Note(index, note) => {
            if let Some(line) = id(cart, *index) {
                cart.set_note(line, note);
            }
        }
        Tap::Remove(index) => {
            if let Some(line) = id(cart, *index) {
                cart.remove(line);
            }
        }
    }
}

proptest! {
    #[test]
    fn any_sequence_of_taps_keeps_the_limits_and_the_servers_total(
        taps in proptest::collection::vec(tap(), 0..60),
    ) {
        let mut cart = Cart::new();
        for tap in &taps {
            apply(&mut cart, tap);
        }
        for line in cart.lines() {
            prop_assert!((MIN_QUANTITY..=MAX_QUANTITY).contains(&line.quantity));
        }
        let menu = menu();
        let requests = cart.requests(&menu);
        let quote = cart.quote(&menu, &promotions(), now()).unwrap();
        let server = price_order(&requests, &menu, &promotions(), now()).unwrap();
        prop_assert_eq!(quote.total_amount, server.total_amount);
        prop_assert_eq!(quote.lines.len() + quote.unavailable.len(), cart.lines().len());
        let items: Vec<OrderItem> = quote.lines.into_iter().map(|(_, item)| item).collect();
        prop_assert_eq!(items, server.items);
        if !requests.is_empty() {
            let order = PlaceOrder {
                client_order_id: "8a1f0c4e-2b7d-4c1e-9f3a-5d6b7c8e9f01".into(),
                outlet_id: "1".into(),
                items: requests,
                master_version: Some(1),
                placed_at: now(),
            };
            let key = order.client_order_id.clone();
            prop_assert!(validate_place_order(&order, Some(&key)).is_ok());
        }
    }
}
