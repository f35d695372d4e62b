//! A synthetic menu of any size, for benchmarks: `--seed-menu
//! products=20000,categories=200,promotions=50` seeds it (with the demo's
//! outlets) into an empty database instead of the demo menu.
//!
//! The rows look like a large chain's catalogue, so that transfer size,
//! parsing, storage and search cost what they would in a real outlet: names
//! in English with Indonesian and Arabic translations, a description, a
//! price in rupiah, a picture URL, a kitchen station, one product in fifty
//! inactive, and promotions running now over spread-out products. Names are
//! composed from a style, a main ingredient and a dish (1,000 combinations),
//! numbered when the catalogue repeats them, so a search for "chicken"
//! matches a tenth of the menu. Everything is a pure function of the index:
//! two servers seeded with the same size hold the same menu.
//!
//! The rows go through the same write path as the demo seed and the
//! management API (one version per row, reference checks), in one
//! transaction at start, which takes about a second for 20,000 products.

use std::fmt;
use std::str::FromStr;

use chrono::{TimeDelta, Utc};
use ticketrail_protocol::master::Translations;
use ticketrail_protocol::{CategoryInput, ProductInput, PromotionInput, PromotionKind};

use crate::demo;
use crate::store::Seed;

/// How big a synthetic menu is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuSize {
    /// Products, at least 1.
    pub products: u32,
    /// Categories, at least 1.
    pub categories: u32,
    /// Promotions (0 is fine).
    pub promotions: u32,
}

/// The largest count of any kind `--seed-menu` accepts.
const MAX_ROWS: u32 = 1_000_000;

impl FromStr for MenuSize {
    type Err = String;

    /// Parses `products=N,categories=N,promotions=N` (any order; a missing
    /// kind is 0, but products and categories must be at least 1).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut size = MenuSize {
            products: 0,
            categories: 0,
            promotions: 0,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected KIND=COUNT, got {part:?}"))?;
            let count: u32 = value
                .trim()
                .parse()
                .ok()
                .filter(|count| *count <= MAX_ROWS)
                .ok_or_else(|| format!("{key} must be a count from 0 to {MAX_ROWS}"))?;
            match key.trim() {
                "products" => size.products = count,
                "categories" => size.categories = count,
                "promotions" => size.promotions = count,
                other => return Err(format!("unknown kind {other:?}")),
            }
        }
        if size.products == 0 || size.categories == 0 {
            return Err("a menu needs at least one product and one category".into());
        }
        Ok(size)
    }
}

impl fmt::Display for MenuSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "products={},categories={},promotions={}",
            self.products, self.categories, self.promotions
        )
    }
}

/// `(English, Indonesian, Arabic)`.
type Words = (&'static str, &'static str, &'static str);

const STYLES: [Words; 10] = [
    ("Spicy", "Pedas", "حار"),
    ("Grilled", "Bakar", "مشوي"),
    ("Crispy", "Krispi", "مقرمش"),
    ("Sweet Soy", "Kecap", "بصلصة الصويا"),
    ("Balinese", "Bali", "بالي"),
    ("Padang", "Padang", "بادانغ"),
    ("Garlic", "Bawang Putih", "بالثوم"),
    ("Sambal Matah", "Sambal Matah", "بسامبال ماتاه"),
    ("Coconut", "Kelapa", "بجوز الهند"),
    ("Black Pepper", "Lada Hitam", "بالفلفل الأسود"),
];

const MAINS: [Words; 10] = [
    ("Chicken", "Ayam", "دجاج"),
    ("Beef", "Sapi", "لحم بقري"),
    ("Prawn", "Udang", "روبيان"),
    ("Tofu", "Tahu", "توفو"),
    ("Tempeh", "Tempe", "تمبيه"),
    ("Fish", "Ikan", "سمك"),
    ("Squid", "Cumi", "حبار"),
    ("Lamb", "Kambing", "لحم ضأن"),
    ("Egg", "Telur", "بيض"),
    ("Mushroom", "Jamur", "فطر"),
];

/// `(English, Indonesian, Arabic, station)`.
const DISHES: [(&str, &str, &str, &str); 10] = [
    ("Fried Rice", "Nasi Goreng", "أرز مقلي", "wok"),
    ("Noodles", "Mi", "نودلز", "wok"),
    ("Satay", "Sate", "ساتيه", "grill"),
    ("Soup", "Sop", "حساء", "kitchen"),
    ("Curry", "Kari", "كاري", "kitchen"),
    ("Rice Bowl", "Nasi Mangkuk", "طبق أرز", "kitchen"),
    ("Salad", "Salad", "سلطة", "cold"),
    ("Spring Rolls", "Lumpia", "لفائف الربيع", "fryer"),
    ("Burger", "Burger", "برغر", "grill"),
    ("Porridge", "Bubur", "عصيدة", "kitchen"),
];

const SIDES: [&str; 6] = [
    "steamed rice and pickles",
    "prawn crackers",
    "a fried egg and sambal",
    "fresh cucumber and basil",
    "lontong rice cakes",
    "a clear vegetable broth",
];

const COURSES: [Words; 10] = [
    ("Rice", "Nasi", "أرز"),
    ("Noodles", "Mi", "نودلز"),
    ("Grill", "Bakaran", "مشويات"),
    ("Soups", "Sop", "حساء"),
    ("Snacks", "Camilan", "وجبات خفيفة"),
    ("Desserts", "Pencuci Mulut", "حلويات"),
    ("Coffee", "Kopi", "قهوة"),
    ("Tea", "Teh", "شاي"),
    ("Juices", "Jus", "عصائر"),
    ("Set Meals", "Paket", "وجبات كاملة"),
];

const REGIONS: [Words; 10] = [
    ("Java", "Jawa", "جاوة"),
    ("Bali", "Bali", "بالي"),
    ("Sumatra", "Sumatra", "سومطرة"),
    ("Sulawesi", "Sulawesi", "سولاويسي"),
    ("Kalimantan", "Kalimantan", "كاليمانتان"),
    ("Papua", "Papua", "بابوا"),
    ("Aceh", "Aceh", "آتشيه"),
    ("Lombok", "Lombok", "لومبوك"),
    ("Madura", "Madura", "مادورا"),
    ("Betawi", "Betawi", "بيتاوي"),
];

/// Products each promotion covers (spread over the whole catalogue).
const PRODUCTS_PER_PROMOTION: u32 = 40;
/// Minor units per rupiah (IDR has ISO 4217 exponent 2).
const SEN: i64 = 100;

/// The synthetic menu of `size` with the demo's outlets.
pub fn seed(size: MenuSize) -> Seed {
    Seed {
        categories: (0..size.categories).map(category).collect(),
        products: (0..size.products)
            .map(|index| product(index, size.categories))
            .collect(),
        promotions: (0..size.promotions)
            .map(|index| promotion(index, size.products))
            .collect(),
        outlets: demo::outlets(),
    }
}

fn pick<T: Copy, const N: usize>(table: &[T; N], index: u32) -> T {
    table[index as usize % N]
}

fn translations(indonesian: String, arabic: String) -> Translations {
    Translations::from([("id".to_owned(), indonesian), ("ar".to_owned(), arabic)])
}

/// Category `index` (id `c-{index+1}`): a course of a region; past the first
/// hundred combinations, the "Express" counter's version of it.
fn category(index: u32) -> CategoryInput {
    let course = pick(&COURSES, index);
    let region = pick(&REGIONS, index / 10);
    let (en, id, ar) = match index / 100 {
        0 => (
            format!("{} of {}", course.0, region.0),
            format!("{} {}", course.1, region.1),
            format!("{} {}", course.2, region.2),
        ),
        round => (
            format!("{} of {} · Express {round}", course.0, region.0),
            format!("{} {} · Ekspres {round}", course.1, region.1),
            format!("{} {} · سريع {round}", course.2, region.2),
        ),
    };
    CategoryInput {
        id: Some(format!("c-{}", index + 1)),
        name: en,
        translations: translations(id, ar),
        sort_order: i32::try_from(index).unwrap_or(i32::MAX),
    }
}

/// Product `index` (id `p-{index+1}`).
fn product(index: u32, categories: u32) -> ProductInput {
    let style = pick(&STYLES, index);
    let main = pick(&MAINS, index / 10);
    let dish = pick(&DISHES, index / 100);
    // The thousand combinations repeat as numbered variants (a chain's
    // regional recipes), so names stay unique.
    let (en, id, ar) = match index / 1000 {
        0 => (
            format!("{} {} {}", style.0, main.0, dish.0),
            format!("{} {} {}", dish.1, main.1, style.1),
            format!("{} {} {}", dish.2, main.2, style.2),
        ),
        round => (
            format!("{} {} {} No. {round}", style.0, main.0, dish.0),
            format!("{} {} {} No. {round}", dish.1, main.1, style.1),
            format!("{} {} {} رقم {round}", dish.2, main.2, style.2),
        ),
    };
    let description = format!(
        "{} {} {}, cooked to order and served with {}.",
        style.0,
        main.0.to_lowercase(),
        dish.0.to_lowercase(),
        pick(&SIDES, index / 7)
    );
    // A spread of prices from Rp 8.000 to Rp 95.000 in steps of Rp 1.000.
    let rupiah = 8_000 + i64::from(index.wrapping_mul(7_919) % 88) * 1_000;
    ProductInput {
        id: Some(format!("p-{}", index + 1)),
        name: en,
        translations: translations(id, ar),
        description,
        category_id: format!("c-{}", index % categories + 1),
        price: rupiah * SEN,
        currency: "IDR".to_owned(),
        image_url: Some(format!("/images/products/p-{}.webp", index + 1)),
        is_active: index % 50 != 49,
        station: dish.3.to_owned(),
    }
}

/// Promotion `index` (id `promo-{index+1}`): alternately a percentage and
/// an amount off, over [`PRODUCTS_PER_PROMOTION`] products spread over the
/// catalogue, running from a month ago for a year.
fn promotion(index: u32, products: u32) -> PromotionInput {
    let now = Utc::now();
    let stride = (products / PRODUCTS_PER_PROMOTION).max(1);
    let product_ids = (0..PRODUCTS_PER_PROMOTION.min(products))
        .map(|n| format!("p-{}", (index + n * stride) % products + 1))
        .collect();
    let (kind, value, en, id, ar) = if index % 2 == 0 {
        let percent = 5 + i64::from(index % 6) * 5;
        (
            PromotionKind::PercentOff,
            percent,
            format!("Weekly Deal {}: {percent}% Off", index + 1),
            format!("Promo Mingguan {}: Diskon {percent}%", index + 1),
            format!("عرض الأسبوع {}: خصم {percent}٪", index + 1),
        )
    } else {
        let rupiah = 2_000 + i64::from(index % 4) * 1_000;
        (
            PromotionKind::AmountOff,
            rupiah * SEN,
            format!("Weekly Deal {}: Rp {rupiah} Off", index + 1),
            format!("Promo Mingguan {}: Potongan Rp {rupiah}", index + 1),
            format!("عرض الأسبوع {}: خصم {rupiah} روبية", index + 1),
        )
    };
    PromotionInput {
        id: Some(format!("promo-{}", index + 1)),
        name: en,
        translations: translations(id, ar),
        product_ids,
        kind,
        value,
        starts_at: now - TimeDelta::days(30),
        ends_at: now + TimeDelta::days(365),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use ticketrail_protocol::validate::{
        validate_category_input, validate_product_input, validate_promotion_input,
    };

    use super::*;

    #[test]
    fn sizes_parse_in_any_order_and_bad_ones_are_refused() {
        let size: MenuSize = "promotions=50, products=20000,categories=200"
            .parse()
            .unwrap();
        assert_eq!(
            size,
            MenuSize {
                products: 20_000,
                categories: 200,
                promotions: 50
            }
        );
        assert_eq!(size.to_string().parse::<MenuSize>(), Ok(size));
        for bad in [
            "",
            "products=10",
            "products=10,categories=0",
            "products=x,categories=1",
            "dishes=1,products=1,categories=1",
            "products=2000000,categories=1",
            "products",
        ] {
            assert!(bad.parse::<MenuSize>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_menu_is_valid_unique_and_refers_to_itself() {
        let seed = seed(MenuSize {
            products: 2_500,
            categories: 120,
            promotions: 7,
        });
        assert_eq!(
            (
                seed.products.len(),
                seed.categories.len(),
                seed.promotions.len()
            ),
            (2_500, 120, 7)
        );
        let category_ids: BTreeSet<_> = seed.categories.iter().map(|c| c.id.clone()).collect();
        let product_ids: BTreeSet<_> = seed.products.iter().map(|p| p.id.clone()).collect();
        let names: BTreeSet<_> = seed.products.iter().map(|p| p.name.clone()).collect();
        assert_eq!(category_ids.len(), 120);
        assert_eq!(product_ids.len(), 2_500);
        assert_eq!(names.len(), 2_500, "product names are unique");
        for input in &seed.categories {
            validate_category_input(input).unwrap();
        }
        for input in &seed.products {
            validate_product_input(input).unwrap();
            assert!(category_ids.contains(&Some(input.category_id.clone())));
            assert!(input.translations.contains_key("id") && input.translations.contains_key("ar"));
        }
        for input in &seed.promotions {
            validate_promotion_input(input).unwrap();
            assert_eq!(input.product_ids.len(), 40);
            assert!(input
                .product_ids
                .iter()
                .all(|id| product_ids.contains(&Some(id.clone()))));
        }
        let inactive = seed.products.iter().filter(|p| !p.is_active).count();
        assert_eq!(inactive, 50, "one product in fifty is inactive");
        let chicken = seed
            .products
            .iter()
            .filter(|p| p.name.contains("Chicken"))
            .count();
        assert_eq!(chicken, 250, "a tenth of the names mention chicken");
    }
}
