//! Expectations computed independently of the server: the contract's pricing
//! rule re-stated from PROTOCOL.md/the brief, so a test checks the server's
//! totals against the menu it GETs rather than against hard-coded numbers.

use ticketrail_protocol::{Order, Product, Promotion, PromotionKind, Timestamp};

/// Discount one promotion gives on `price` (never more than the price).
fn discount(price: i64, promotion: &Promotion) -> i64 {
    let off = match promotion.kind {
        // round-half-up of price * value / 100, for non-negative operands
        PromotionKind::PercentOff => (price * promotion.value + 50) / 100,
        PromotionKind::AmountOff => promotion.value,
    };
    off.clamp(0, price)
}

/// Unit price of `product` at `now`: the single best applicable promotion wins.
pub fn expected_unit_price(product: &Product, promotions: &[Promotion], now: Timestamp) -> i64 {
    let best = promotions
        .iter()
        .filter(|p| p.product_ids.contains(&product.id))
        .filter(|p| p.starts_at <= now && now < p.ends_at)
        .map(|p| discount(product.price, p))
        .max()
        .unwrap_or(0);
    product.price - best
}

/// Whether some promotion's window edge lies within `slack` of `now`, in
/// which case the price at the server's instant is legitimately ambiguous.
pub fn near_promotion_edge(
    promotions: &[Promotion],
    now: Timestamp,
    slack: chrono::Duration,
) -> bool {
    promotions
        .iter()
        .any(|p| (p.starts_at - now).abs() <= slack || (p.ends_at - now).abs() <= slack)
}

/// Panics unless every line and the total of `order` follow from `menu` and
/// `promotions` at the order's creation time, with name and station copied.
pub fn assert_priced(order: &Order, menu: &[Product], promotions: &[Promotion]) {
    assert!(
        !near_promotion_edge(promotions, order.created_at, chrono::Duration::seconds(5)),
        "order created within 5 s of a promotion window edge; the expected price is ambiguous"
    );
    let mut total = 0;
    for item in &order.items {
        let product = menu
            .iter()
            .find(|p| p.id == item.product_id)
            .unwrap_or_else(|| panic!("ordered product {} not on the menu", item.product_id));
        let unit = expected_unit_price(product, promotions, order.created_at);
        assert_eq!(item.unit_price, unit, "unit price of {}", product.id);
        assert_eq!(
            item.line_total,
            unit * item.quantity,
            "line total of {}",
            product.id
        );
        assert_eq!(item.name, product.name, "name copied at order time");
        assert_eq!(
            item.station, product.station,
            "station copied at order time"
        );
        assert_eq!(order.currency, product.currency);
        total += item.line_total;
    }
    assert_eq!(order.total_amount, total, "total_amount");
}

/// Text the contract says must round-trip byte-exact: Arabic, Indonesian,
/// emoji (with skin tone, ZWJ sequences and a flag), RTL and combining marks.
pub const UTF8_SAMPLES: [&str; 5] = [
    "بدون ثلج من فضلك، وأضف الليمون",
    "tanpa es, pedasnya sedang ya — terima kasih",
    "🌶️🌶️ extra pedas 👍🏽 👨‍👩‍👧‍👦 🇮🇩",
    "مع الكثير من الحب ❤️ dan sambal 🔥",
    "e\u{301} café naïve 家族 ‏RTL‏ mark",
];
