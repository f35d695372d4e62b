//! Showing an amount of integer minor units to a person: `Rp 9.000`,
//! `$12.50`.
//!
//! Amounts travel as ISO 4217 minor units (exponent 2 for both IDR and USD,
//! so 900000 IDR minor units are Rp 9.000). How each currency is *written*
//! differs (symbol, digits after the point, separators), so that lives in one
//! table, [`STYLES`], rather than in branches; a currency missing from it is
//! written `CODE 12.50`. Kiosk and kitchen screens share this so a price
//! reads the same everywhere, including offline in the service worker.

/// How one currency is written.
#[derive(Debug, Clone, Copy)]
struct Style<'a> {
    /// ISO 4217 code the style is for.
    code: &'a str,
    /// Written before the number.
    symbol: &'a str,
    /// Whether a space separates symbol and number (`Rp 9.000`, `$9.00`).
    space: bool,
    /// ISO 4217 exponent: minor units per major unit is `10^exponent`.
    exponent: u32,
    /// Digits shown after the decimal separator (at most `exponent`);
    /// fewer means the amount is rounded half up for display.
    decimals: u32,
    /// Between groups of three digits, if any.
    thousands: Option<char>,
    /// Between whole and fractional digits.
    decimal: char,
}

/// Known currencies. Rupiah has minor units on paper but no coins below a
/// rupiah in use, so prices show whole rupiah with Indonesian separators.
const STYLES: [Style<'static>; 4] = [
    Style {
        code: "IDR",
        symbol: "Rp",
        space: true,
        exponent: 2,
        decimals: 0,
        thousands: Some('.'),
        decimal: ',',
    },
    Style {
        code: "USD",
        symbol: "$",
        space: false,
        exponent: 2,
        decimals: 2,
        thousands: Some(','),
        decimal: '.',
    },
    Style {
        code: "SGD",
        symbol: "S$",
        space: false,
        exponent: 2,
        decimals: 2,
        thousands: Some(','),
        decimal: '.',
    },
    Style {
        code: "JPY",
        symbol: "¥",
        space: false,
        exponent: 0,
        decimals: 0,
        thousands: Some(','),
        decimal: '.',
    },
];

/// The style for `code`: from [`STYLES`], or the code itself with exponent 2
/// and no grouping (a separator could be misread in an unknown locale).
fn style(code: &str) -> Style<'_> {
    STYLES
        .into_iter()
        .find(|style| style.code.eq_ignore_ascii_case(code))
        .unwrap_or(Style {
            code,
            symbol: code,
            space: true,
            exponent: 2,
            decimals: 2,
            thousands: None,
            decimal: '.',
        })
}

/// Formats `amount_minor` minor units of `currency` for display: IDR 900000
/// -> `Rp 9.000`, USD 1250 -> `$12.50`, XYZ 1250 -> `XYZ 12.50`. Negative
/// amounts get a leading `-` (`-$12.50`), unless they round to zero.
pub fn format_money(amount_minor: i64, currency: &str) -> String {
    let style = style(currency);
    // unsigned_abs: i64::MIN has no positive i64 counterpart.
    let magnitude = amount_minor.unsigned_abs();
    let dropped = 10u64.pow(style.exponent - style.decimals);
    let shown = magnitude / dropped + u64::from(magnitude % dropped >= dropped.div_ceil(2));
    let per_unit = 10u64.pow(style.decimals);
    let (whole, fraction) = (shown / per_unit, shown % per_unit);

    let mut out = String::new();
    if amount_minor < 0 && shown != 0 {
        out.push('-');
    }
    out.push_str(style.symbol);
    if style.space {
        out.push(' ');
    }
    push_grouped(&mut out, whole, style.thousands);
    if style.decimals > 0 {
        out.push(style.decimal);
        let width = style.decimals as usize;
        out.push_str(&format!("{fraction:0width$}"));
    }
    out
}

/// Appends `n` with `separator` between groups of three digits.
fn push_grouped(out: &mut String, n: u64, separator: Option<char>) {
    let digits = n.to_string();
    for (i, digit) in digits.chars().enumerate() {
        let remaining = digits.len() - i;
        if i > 0 && remaining % 3 == 0 {
            if let Some(separator) = separator {
                out.push(separator);
            }
        }
        out.push(digit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let cases = [
            (900_000, "IDR", "Rp 9.000"),
            (0, "IDR", "Rp 0"),
            (2_500_000_000, "IDR", "Rp 25.000.000"),
            (1_234_567_800, "idr", "Rp 12.345.678"),
            (-900_000, "IDR", "-Rp 9.000"),
            (149, "IDR", "Rp 1"),
            (150, "IDR", "Rp 2"),
            (-40, "IDR", "Rp 0"),
            (1250, "USD", "$12.50"),
            (5, "USD", "$0.05"),
            (123_456_789, "USD", "$1,234,567.89"),
            (-1250, "USD", "-$12.50"),
            (1250, "SGD", "S$12.50"),
            (1200, "JPY", "¥1,200"),
            (1250, "XYZ", "XYZ 12.50"),
            (123_456_789, "EUR", "EUR 1234567.89"),
            (-7, "XYZ", "-XYZ 0.07"),
            (i64::MIN, "USD", "-$92,233,720,368,547,758.08"),
            (i64::MAX, "IDR", "Rp 92.233.720.368.547.758"),
        ];
        for (amount, currency, want) in cases {
            assert_eq!(format_money(amount, currency), want, "{amount} {currency}");
        }
    }

    #[test]
    fn every_style_is_consistent() {
        for style in STYLES {
            assert!(style.decimals <= style.exponent, "{}", style.code);
            assert_eq!(style.code, style.code.to_ascii_uppercase());
        }
    }

    proptest! {
        #[test]
        fn digits_of_exact_currencies_survive(amount in any::<i64>()) {
            // USD drops nothing, so removing the decoration gives the amount back.
            let text = format_money(amount, "USD");
            let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
            prop_assert_eq!(digits.parse::<u64>(), Ok(amount.unsigned_abs()));
            prop_assert_eq!(text.starts_with('-'), amount < 0);
        }
    }
}
