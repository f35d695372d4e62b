//! The demo data set `--demo` seeds into an empty database: an Indonesian
//! café menu priced in rupiah, two kitchen stations (`kitchen`, `bar`), two
//! running promotions and the outlets "1" and "2" in Jakarta time.
//!
//! Everything is one table per kind below, so the menu reads like a menu.
//! Prices are written in whole rupiah and stored in minor units (IDR has
//! ISO 4217 exponent 2: Rp 25.000 is 2 500 000).

use chrono::{TimeDelta, Utc};
use ticketrail_protocol::master::Translations;
use ticketrail_protocol::{CategoryInput, ProductInput, PromotionInput, PromotionKind};

use crate::store::{NewOutlet, Seed, Zone};

const BAR: &str = "bar";
const KITCHEN: &str = "kitchen";
const CURRENCY: &str = "IDR";
/// Minor units per rupiah.
const SEN: i64 = 100;
/// Both demo outlets are in Jakarta (WIB, UTC+7 all year).
const TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

/// `(id, English, Indonesian, Arabic, sort order)`.
const CATEGORIES: [(&str, &str, &str, &str, i32); 7] = [
    ("c-1", "Coffee", "Kopi", "القهوة", 1),
    (
        "c-2",
        "Tea & Non-Coffee",
        "Teh & Non-Kopi",
        "الشاي ومشروبات بدون قهوة",
        2,
    ),
    (
        "c-3",
        "Juices & Smoothies",
        "Jus & Smoothie",
        "العصائر والسموذي",
        3,
    ),
    ("c-4", "Rice Dishes", "Aneka Nasi", "أطباق الأرز", 4),
    ("c-5", "Noodles", "Aneka Mi", "أطباق النودلز", 5),
    ("c-6", "Snacks", "Camilan", "وجبات خفيفة", 6),
    ("c-7", "Desserts", "Hidangan Penutup", "الحلويات", 7),
];

/// A product row of the table below.
struct Dish {
    id: &'static str,
    category: &'static str,
    station: &'static str,
    rupiah: i64,
    active: bool,
    en: &'static str,
    id_name: &'static str,
    ar: &'static str,
    description: &'static str,
}

const fn dish(
    id: &'static str,
    category: &'static str,
    station: &'static str,
    rupiah: i64,
    names: [&'static str; 3],
    description: &'static str,
) -> Dish {
    Dish {
        id,
        category,
        station,
        rupiah,
        active: true,
        en: names[0],
        id_name: names[1],
        ar: names[2],
        description,
    }
}

// One dish per line reads as the menu it is; rustfmt would spread each
// over nine lines.
#[rustfmt::skip]
const PRODUCTS: [Dish; 48] = [
    dish("p-1", "c-1", BAR, 18_000, ["Espresso", "Espresso", "إسبريسو"], "A short, strong shot of our house blend."),
    dish("p-2", "c-1", BAR, 22_000, ["Americano", "Americano", "أمريكانو"], "Espresso lengthened with hot water."),
    dish("p-3", "c-1", BAR, 28_000, ["Cappuccino", "Cappuccino", "كابتشينو"], "Espresso with steamed milk and thick foam."),
    dish("p-4", "c-1", BAR, 28_000, ["Café Latte", "Kafe Latte", "كافيه لاتيه"], "Espresso with plenty of silky steamed milk."),
    dish("p-5", "c-1", BAR, 25_000, ["Palm Sugar Iced Coffee", "Kopi Susu Gula Aren", "قهوة مثلجة بالحليب وسكر النخيل"], "Iced coffee with fresh milk and palm sugar."),
    dish("p-6", "c-1", BAR, 15_000, ["Kopi Tubruk", "Kopi Tubruk", "قهوة توبروك"], "Javanese coffee brewed with the grounds in the cup."),
    dish("p-7", "c-1", BAR, 24_000, ["Vietnamese Drip", "Kopi Vietnam", "قهوة فيتنامية بالتقطير"], "Slow-drip coffee over sweet condensed milk."),
    dish("p-8", "c-1", BAR, 32_000, ["Caramel Macchiato", "Karamel Macchiato", "كراميل ماكياتو"], "Vanilla milk, espresso and a caramel drizzle."),
    dish("p-9", "c-1", BAR, 30_000, ["Affogato", "Affogato", "أفوجاتو"], "Vanilla ice cream drowned in a shot of espresso."),
    dish("p-10", "c-2", BAR, 10_000, ["Sweet Iced Tea", "Es Teh Manis", "شاي مثلج محلى"], "Sweet iced jasmine tea."),
    dish("p-11", "c-2", BAR, 18_000, ["Teh Tarik", "Teh Tarik", "شاي تاريك"], "Pulled milk tea, frothy and sweet."),
    dish("p-12", "c-2", BAR, 30_000, ["Matcha Latte", "Matcha Latte", "ماتشا لاتيه"], "Japanese green tea whisked with steamed milk."),
    dish("p-13", "c-2", BAR, 26_000, ["Chocolate", "Cokelat", "شوكولاتة"], "Rich chocolate, hot or iced."),
    dish("p-14", "c-2", BAR, 16_000, ["Ginger Brew", "Wedang Jahe", "مشروب الزنجبيل الساخن"], "Hot ginger with lemongrass and palm sugar."),
    dish("p-15", "c-2", BAR, 15_000, ["Lemon Tea", "Teh Lemon", "شاي بالليمون"], "Black tea with fresh lemon, hot or iced."),
    dish("p-16", "c-2", BAR, 8_000, ["Mineral Water", "Air Mineral", "مياه معدنية"], "Chilled still water, 600 ml."),
    dish("p-17", "c-3", BAR, 25_000, ["Avocado Juice", "Jus Alpukat", "عصير الأفوكادو"], "Creamy avocado blended with chocolate syrup."),
    dish("p-18", "c-3", BAR, 20_000, ["Orange Juice", "Jus Jeruk", "عصير البرتقال"], "Freshly squeezed local oranges."),
    dish("p-19", "c-3", BAR, 27_000, ["Mango Smoothie", "Smoothie Mangga", "سموذي المانجو"], "Ripe mango blended with yoghurt."),
    dish("p-20", "c-3", BAR, 18_000, ["Watermelon Juice", "Jus Semangka", "عصير البطيخ"], "Fresh watermelon, no sugar added."),
    dish("p-21", "c-3", BAR, 22_000, ["Soursop Juice", "Jus Sirsak", "عصير القشطة الشائكة"], "Tangy soursop blended with ice."),
    dish("p-22", "c-3", BAR, 20_000, ["Young Coconut", "Es Kelapa Muda", "جوز الهند الطازج"], "Young coconut water with the tender flesh."),
    dish("p-23", "c-4", KITCHEN, 38_000, ["Special Fried Rice", "Nasi Goreng Spesial", "أرز مقلي خاص"], "Fried rice with chicken, a fried egg, crackers and pickles."),
    dish("p-24", "c-4", KITCHEN, 35_000, ["Smashed Chicken Rice", "Nasi Ayam Penyet", "أرز مع دجاج مهروس"], "Smashed fried chicken with sambal, tofu, tempeh and rice."),
    dish("p-25", "c-4", KITCHEN, 45_000, ["Beef Rendang Rice", "Nasi Rendang", "أرز مع رندانغ اللحم"], "Slow-cooked beef rendang with rice and cassava leaves."),
    dish("p-26", "c-4", KITCHEN, 32_000, ["Coconut Rice Plate", "Nasi Uduk", "أرز بحليب جوز الهند"], "Coconut rice with fried chicken, egg and peanut sambal."),
    dish("p-27", "c-4", KITCHEN, 42_000, ["Balinese Mixed Rice", "Nasi Campur Bali", "أرز مشكل على الطريقة البالية"], "Rice with satay lilit, spiced chicken and vegetables."),
    dish("p-28", "c-4", KITCHEN, 30_000, ["Gado-Gado", "Gado-Gado", "سلطة غادو غادو"], "Steamed vegetables, tofu and egg in peanut sauce."),
    dish("p-29", "c-4", KITCHEN, 30_000, ["Chicken Soto", "Soto Ayam", "حساء الدجاج سوتو"], "Turmeric chicken soup with rice, egg and glass noodles."),
    dish("p-30", "c-4", KITCHEN, 36_000, ["Chicken Satay", "Sate Ayam", "ساتيه الدجاج"], "Ten chicken skewers with peanut sauce and rice cakes."),
    dish("p-31", "c-5", KITCHEN, 33_000, ["Javanese Fried Noodles", "Mi Goreng Jawa", "نودلز مقلية على الطريقة الجاوية"], "Fried egg noodles with chicken and vegetables."),
    dish("p-32", "c-5", KITCHEN, 30_000, ["Chicken Noodles with Meatballs", "Mi Ayam Bakso", "نودلز بالدجاج وكرات اللحم"], "Chicken noodles with beef meatballs and broth."),
    dish("p-33", "c-5", KITCHEN, 36_000, ["Fried Flat Noodles", "Kwetiau Goreng", "نودلز الأرز العريضة المقلية"], "Stir-fried flat rice noodles with prawns."),
    dish("p-34", "c-5", KITCHEN, 32_000, ["Noodle Soup", "Bakmi Kuah", "حساء النودلز"], "Egg noodle soup with chicken and bok choy."),
    dish("p-35", "c-5", KITCHEN, 40_000, ["Laksa", "Laksa", "حساء اللاكسا"], "Spicy coconut curry noodle soup with prawns."),
    dish("p-36", "c-5", KITCHEN, 18_000, ["Fried Instant Noodles with Egg", "Indomie Goreng Telur", "إندومي مقلية مع بيضة"], "The café classic, with a fried egg on top."),
    dish("p-37", "c-6", KITCHEN, 18_000, ["Banana Fritters", "Pisang Goreng", "موز مقلي"], "Crispy fried bananas with a palm sugar dip."),
    dish("p-38", "c-6", KITCHEN, 16_000, ["Crispy Tofu", "Tahu Crispy", "توفو مقرمش"], "Crispy tofu bites with chilli and garlic."),
    dish("p-39", "c-6", KITCHEN, 20_000, ["French Fries", "Kentang Goreng", "بطاطس مقلية"], "Golden fries with chilli sauce."),
    dish("p-40", "c-6", KITCHEN, 35_000, ["Savoury Martabak", "Martabak Telur", "مرتبك مالح بالبيض"], "Pan-fried pastry stuffed with egg, beef and leek."),
    dish("p-41", "c-6", KITCHEN, 15_000, ["Cireng", "Cireng", "سيرينغ"], "Chewy fried tapioca with spicy rujak sauce."),
    dish("p-42", "c-6", KITCHEN, 22_000, ["Semarang Spring Rolls", "Lumpia Semarang", "لفائف الربيع على طريقة سمارانغ"], "Spring rolls with bamboo shoots and prawns."),
    dish("p-43", "c-7", BAR, 22_000, ["Mixed Shaved Ice", "Es Campur", "ثلج مبشور بالفواكه"], "Shaved ice with fruit, jelly and condensed milk."),
    dish("p-44", "c-7", KITCHEN, 15_000, ["Klepon", "Klepon", "كليبون"], "Pandan rice cake balls filled with palm sugar."),
    dish("p-45", "c-7", KITCHEN, 38_000, ["Sweet Martabak", "Martabak Manis", "مرتبك حلو"], "Thick sweet pancake with chocolate, cheese and peanuts."),
    dish("p-46", "c-7", BAR, 18_000, ["Iced Cendol", "Es Cendol", "تشيندول مثلج"], "Pandan jelly in coconut milk and palm sugar syrup."),
    dish("p-47", "c-7", KITCHEN, 22_000, ["Grilled Banana with Cheese", "Pisang Bakar Keju", "موز مشوي بالجبن"], "Grilled banana with cheese and chocolate."),
    Dish {
        active: false,
        ..dish("p-48", "c-7", KITCHEN, 45_000, ["Durian Pancake", "Pancake Durian", "فطيرة الدوريان"], "Seasonal: back when the durians are.")
    },
];

/// A promotion row; both run from a month before seeding for ten years.
struct Offer {
    id: &'static str,
    names: [&'static str; 3],
    kind: PromotionKind,
    value: i64,
    products: &'static [&'static str],
}

const PROMOTIONS: [Offer; 2] = [
    Offer {
        id: "promo-1",
        names: [
            "Coffee Lovers: 20% Off",
            "Pencinta Kopi: Diskon 20%",
            "لعشاق القهوة: خصم 20٪",
        ],
        kind: PromotionKind::PercentOff,
        value: 20,
        products: &["p-2", "p-3", "p-4", "p-5"],
    },
    Offer {
        id: "promo-2",
        names: [
            "Rp 5.000 Off Rice Plates",
            "Potongan Rp 5.000 Aneka Nasi",
            "خصم 5000 روبية على أطباق الأرز",
        ],
        kind: PromotionKind::AmountOff,
        value: 5_000 * SEN,
        products: &["p-23", "p-24", "p-25"],
    },
];

/// `(id, name)`; both in Jakarta time.
const OUTLETS: [(&str, &str); 2] = [
    ("1", "Ticketrail Café — Senayan"),
    ("2", "Ticketrail Café — Kemang"),
];

fn translations(indonesian: &str, arabic: &str) -> Translations {
    Translations::from([
        ("id".to_owned(), indonesian.to_owned()),
        ("ar".to_owned(), arabic.to_owned()),
    ])
}

/// The demo data set, with promotions running around the current time.
pub fn seed() -> Seed {
    let now = Utc::now();
    Seed {
        categories: CATEGORIES
            .iter()
            .map(|&(id, en, id_name, ar, sort_order)| CategoryInput {
                id: Some(id.to_owned()),
                name: en.to_owned(),
                translations: translations(id_name, ar),
                sort_order,
            })
            .collect(),
        products: PRODUCTS
            .iter()
            .map(|dish| ProductInput {
                id: Some(dish.id.to_owned()),
                name: dish.en.to_owned(),
                translations: translations(dish.id_name, dish.ar),
                description: dish.description.to_owned(),
                category_id: dish.category.to_owned(),
                price: dish.rupiah * SEN,
                currency: CURRENCY.to_owned(),
                image_url: None,
                is_active: dish.active,
                station: dish.station.to_owned(),
            })
            .collect(),
        promotions: PROMOTIONS
            .iter()
            .map(|offer| PromotionInput {
                id: Some(offer.id.to_owned()),
                name: offer.names[0].to_owned(),
                translations: translations(offer.names[1], offer.names[2]),
                product_ids: offer.products.iter().map(|p| (*p).to_owned()).collect(),
                kind: offer.kind,
                value: offer.value,
                starts_at: now - TimeDelta::days(30),
                ends_at: now + TimeDelta::days(3650),
            })
            .collect(),
        outlets: outlets(),
    }
}

/// The demo's outlets "1" and "2"; also what a synthetic menu
/// ([`crate::synthetic`]) is seeded with.
pub fn outlets() -> Vec<NewOutlet> {
    OUTLETS
        .iter()
        .map(|&(id, name)| NewOutlet {
            id: id.to_owned(),
            name: name.to_owned(),
            zone: Zone::Named(TIMEZONE),
            currency: CURRENCY.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use ticketrail_protocol::validate::{
        validate_category_input, validate_product_input, validate_promotion_input,
    };

    use super::*;

    #[test]
    fn the_demo_menu_is_valid_and_big_enough() {
        let seed = seed();
        assert!(seed.categories.len() >= 6);
        assert!(seed.products.len() >= 40);
        assert_eq!(seed.promotions.len(), 2);
        for input in &seed.categories {
            validate_category_input(input).unwrap();
        }
        for input in &seed.products {
            validate_product_input(input).unwrap();
            assert!(
                !input.description.is_empty(),
                "{:?} has no description",
                input.id
            );
        }
        for input in &seed.promotions {
            validate_promotion_input(input).unwrap();
        }
        let stations: BTreeSet<&str> = seed.products.iter().map(|p| p.station.as_str()).collect();
        assert_eq!(stations, BTreeSet::from([BAR, KITCHEN]));
        let kinds: BTreeSet<_> = seed
            .promotions
            .iter()
            .map(|p| format!("{:?}", p.kind))
            .collect();
        assert_eq!(kinds.len(), 2, "one percent_off and one amount_off");
        let ids: BTreeSet<_> = seed.products.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids.len(), seed.products.len(), "product ids are unique");
        let all_translated = seed
            .categories
            .iter()
            .map(|c| &c.translations)
            .chain(seed.products.iter().map(|p| &p.translations))
            .chain(seed.promotions.iter().map(|p| &p.translations))
            .all(|t| t.contains_key("id") && t.contains_key("ar"));
        assert!(all_translated);
        let outlet_ids: Vec<&str> = seed.outlets.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(outlet_ids, ["1", "2"]);
    }
}
