//! The last look at prices before an order is sent: the cart as the
//! customer saw it priced, against the cart priced again right after the
//! menu was brought up to date. When the total moved, the kiosk asks the
//! customer to confirm the new one, naming the lines that changed, before
//! anything is sent (no silent price change).
//!
//! Plain data in, plain data out, tested natively; the dialog that shows
//! the result is [`super::price_confirm`].

use ticketrail_core::{LineId, Quote};

/// A cart line whose price moved between the two quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedLine {
    /// The cart line.
    pub line: LineId,
    /// Its product, so the dialog can name it in the customer's language.
    pub product_id: String,
    /// The line's total the customer saw; `None` if it was not orderable.
    pub before: Option<i64>,
    /// The line's total now; `None` when it is no longer orderable (it
    /// will not be sent).
    pub after: Option<i64>,
}

/// The total moved: what the customer saw, what will be charged, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceCheck {
    /// The total the customer saw, minor units of `before_currency`.
    pub before_total: i64,
    /// Its currency.
    pub before_currency: String,
    /// The total now, minor units of `currency`.
    pub after_total: i64,
    /// The currency of the order now.
    pub currency: String,
    /// The lines behind the change, in cart order.
    pub lines: Vec<ChangedLine>,
}

/// Compares the quote the customer saw (`before`) with the quote after the
/// menu sync (`after`): `None` when the total (amount and currency) is the
/// same, which is all that is charged, else the change with every line
/// whose total moved or that is no longer (or newly) orderable.
pub fn price_check(before: &Quote, after: &Quote) -> Option<PriceCheck> {
    if before.total_amount == after.total_amount && before.currency == after.currency {
        return None;
    }
    let mut ids: Vec<(LineId, &str)> = before
        .lines
        .iter()
        .map(|(id, item)| (*id, item.product_id.as_str()))
        .collect();
    for (id, item) in &after.lines {
        if !ids.iter().any(|(held, _)| held == id) {
            ids.push((*id, item.product_id.as_str()));
        }
    }
    let lines = ids
        .into_iter()
        .filter_map(|(line, product_id)| {
            let before = before.line(line).map(|item| item.line_total);
            let after = after.line(line).map(|item| item.line_total);
            (before != after).then(|| ChangedLine {
                line,
                product_id: product_id.to_owned(),
                before,
                after,
            })
        })
        .collect();
    Some(PriceCheck {
        before_total: before.total_amount,
        before_currency: before.currency.clone(),
        after_total: after.total_amount,
        currency: after.currency.clone(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use ticketrail_core::Cart;
    use ticketrail_protocol::OrderItem;

    use super::*;

    fn item(product_id: &str, quantity: i64, unit_price: i64) -> OrderItem {
        OrderItem {
            product_id: product_id.to_owned(),
            name: product_id.to_owned(),
            quantity,
            notes: None,
            unit_price,
            line_total: unit_price * quantity,
            station: "kitchen".to_owned(),
        }
    }

    fn quote(lines: Vec<(LineId, OrderItem)>, unavailable: Vec<LineId>) -> Quote {
        Quote {
            total_amount: lines.iter().map(|(_, item)| item.line_total).sum(),
            currency: "IDR".to_owned(),
            lines,
            unavailable,
        }
    }

    /// Two real line ids (a cart is the only maker of them).
    fn two_lines() -> (LineId, LineId) {
        let mut cart = Cart::new();
        let tea = cart.add("tea");
        let rice = cart.add("rice");
        tea.zip(rice).expect("an empty cart takes two dishes")
    }

    #[test]
    fn the_same_total_needs_no_confirmation() {
        let (tea, rice) = two_lines();
        let seen = quote(
            vec![
                (tea, item("tea", 1, 9_000)),
                (rice, item("rice", 2, 20_000)),
            ],
            vec![],
        );
        assert_eq!(price_check(&seen, &seen.clone()), None);
        // Two prices moving in opposite directions leave the charge as it
        // was: nothing to confirm.
        let swapped = quote(
            vec![
                (tea, item("tea", 1, 11_000)),
                (rice, item("rice", 2, 19_000)),
            ],
            vec![],
        );
        assert_eq!(price_check(&seen, &swapped), None);
    }

    #[test]
    fn a_new_price_names_only_its_line_and_the_new_total() {
        let (tea, rice) = two_lines();
        let seen = quote(
            vec![
                (tea, item("tea", 1, 9_000)),
                (rice, item("rice", 2, 20_000)),
            ],
            vec![],
        );
        let now = quote(
            vec![
                (tea, item("tea", 1, 9_000)),
                (rice, item("rice", 2, 22_000)),
            ],
            vec![],
        );
        let check = price_check(&seen, &now).expect("the total moved");
        assert_eq!((check.before_total, check.after_total), (49_000, 53_000));
        assert_eq!(check.currency, "IDR");
        assert_eq!(
            check.lines,
            vec![ChangedLine {
                line: rice,
                product_id: "rice".to_owned(),
                before: Some(40_000),
                after: Some(44_000),
            }]
        );
    }

    #[test]
    fn a_dish_that_left_the_menu_is_named_as_gone() {
        let (tea, rice) = two_lines();
        let seen = quote(
            vec![
                (tea, item("tea", 1, 9_000)),
                (rice, item("rice", 1, 20_000)),
            ],
            vec![],
        );
        let now = quote(vec![(tea, item("tea", 1, 9_000))], vec![rice]);
        let check = price_check(&seen, &now).expect("the total moved");
        assert_eq!(check.after_total, 9_000);
        assert_eq!(check.lines.len(), 1);
        assert_eq!(check.lines[0].line, rice);
        assert_eq!(
            (check.lines[0].before, check.lines[0].after),
            (Some(20_000), None)
        );
    }

    #[test]
    fn a_dish_back_on_the_menu_is_named_as_added() {
        let (tea, rice) = two_lines();
        let seen = quote(vec![(tea, item("tea", 1, 9_000))], vec![rice]);
        let now = quote(
            vec![
                (tea, item("tea", 1, 9_000)),
                (rice, item("rice", 1, 20_000)),
            ],
            vec![],
        );
        let check = price_check(&seen, &now).expect("the total moved");
        assert_eq!(check.lines.len(), 1);
        assert_eq!(
            (check.lines[0].before, check.lines[0].after),
            (None, Some(20_000))
        );
    }

    #[test]
    fn another_currency_is_a_change_even_at_the_same_amount() {
        let (tea, _) = two_lines();
        let seen = quote(vec![(tea, item("tea", 1, 9_000))], vec![]);
        let mut now = seen.clone();
        now.currency = "USD".to_owned();
        let check = price_check(&seen, &now).expect("the currency moved");
        assert_eq!(
            (check.before_currency.as_str(), check.currency.as_str()),
            ("IDR", "USD")
        );
    }
}
