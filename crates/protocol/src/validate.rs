//! Validation of everything a client sends, as plain functions.
//!
//! Deserialization checks shape; these functions check the rules the types
//! cannot express (lengths, ranges, ids, the years a timestamp may fall
//! in). Each failure maps to one contract error code through
//! [`InputError::code`].

use chrono::Datelike;
use thiserror::Error;

use crate::master::{CategoryInput, ProductInput, PromotionInput};
use crate::{
    ClientMessage, ErrorCode, PlaceOrder, PromotionKind, StatusChange, Timestamp, MAX_BODY_BYTES,
};

/// Longest id (client order id, request id, row id) accepted, in characters.
pub const MAX_ID_CHARS: usize = 128;
/// Longest kitchen note on an order line, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Most lines one order may have.
pub const MAX_ORDER_LINES: usize = 100;
/// Legal quantity range of an order line.
pub const QUANTITY_RANGE: std::ops::RangeInclusive<i64> = 1..=99;
/// Longest name or description, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// UTC years a timestamp may fall in. RFC 3339 has four-digit years only:
/// outside them chrono writes `+10000-…` or `-0001-…`, which strict RFC 3339
/// readers (most clients, and the server's own storage, which keeps times
/// as fixed-width text) cannot read back.
pub const TIMESTAMP_YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// Why a client's input was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// A field breaks a rule; the message names the field.
    #[error("{0}")]
    BadRequest(String),
    /// An order line's quantity is outside 1..=99.
    #[error("item {index}: quantity {quantity} is outside 1..=99")]
    InvalidQuantity {
        /// Position of the line in `items`.
        index: usize,
        /// The quantity sent.
        quantity: i64,
    },
    /// A WebSocket frame over the size limit.
    #[error("message is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

impl InputError {
    /// The contract error code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::InvalidQuantity { .. } => ErrorCode::InvalidQuantity,
            Self::TooLarge => ErrorCode::PayloadTooLarge,
        }
    }
}

fn bad(message: impl Into<String>) -> InputError {
    InputError::BadRequest(message.into())
}

/// An id: 1..=128 characters, no whitespace or control characters, no `/`.
pub fn validate_id(field: &str, id: &str) -> Result<(), InputError> {
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_ID_CHARS {
        return Err(bad(format!(
            "{field} must be 1 to {MAX_ID_CHARS} characters"
        )));
    }
    if id
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '/')
    {
        return Err(bad(format!(
            "{field} must not contain spaces, control characters or '/'"
        )));
    }
    Ok(())
}

/// A timestamp whose UTC year is within [`TIMESTAMP_YEARS`]. The year is
/// the UTC one because that is what is stored and sent back:
/// `9999-12-31T23:30:00-01:00` is year 10000 in UTC and is refused.
pub fn validate_timestamp(field: &str, timestamp: &Timestamp) -> Result<(), InputError> {
    if TIMESTAMP_YEARS.contains(&timestamp.year()) {
        Ok(())
    } else {
        Err(bad(format!(
            "{field} must fall in the years 0000 to 9999 in UTC"
        )))
    }
}

fn validate_text(field: &str, text: &str, allow_empty: bool) -> Result<(), InputError> {
    let chars = text.chars().count();
    if !allow_empty && text.trim().is_empty() {
        return Err(bad(format!("{field} must not be empty")));
    }
    if chars > MAX_TEXT_CHARS {
        return Err(bad(format!(
            "{field} must be at most {MAX_TEXT_CHARS} characters"
        )));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad(format!("{field} must not contain control characters")));
    }
    Ok(())
}

fn validate_translations(
    field: &str,
    translations: &crate::master::Translations,
) -> Result<(), InputError> {
    for (lang, text) in translations {
        validate_id(&format!("{field} language"), lang)?;
        validate_text(&format!("{field}.{lang}"), text, false)?;
    }
    Ok(())
}

fn validate_currency(currency: &str) -> Result<(), InputError> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(bad("currency must be an ISO 4217 code such as \"IDR\""))
    }
}

/// Checks `POST /api/orders/` beyond its shape. `idempotency_key` is the
/// `Idempotency-Key` header, which must match `client_order_id` when sent.
pub fn validate_place_order(
    order: &PlaceOrder,
    idempotency_key: Option<&str>,
) -> Result<(), InputError> {
    validate_id("client_order_id", &order.client_order_id)?;
    if let Some(key) = idempotency_key {
        if key != order.client_order_id {
            return Err(bad("Idempotency-Key header must equal client_order_id"));
        }
    }
    validate_id("outlet_id", &order.outlet_id)?;
    if order.items.is_empty() {
        return Err(bad("items must hold at least one line"));
    }
    if order.items.len() > MAX_ORDER_LINES {
        return Err(bad(format!(
            "items must hold at most {MAX_ORDER_LINES} lines"
        )));
    }
    validate_timestamp("placed_at", &order.placed_at)?;
    if let Some(version) = order.master_version {
        if version < 0 {
            return Err(bad("master_version must not be negative"));
        }
    }
    for (index, item) in order.items.iter().enumerate() {
        validate_id(&format!("items[{index}].product_id"), &item.product_id)?;
        if !QUANTITY_RANGE.contains(&item.quantity) {
            return Err(InputError::InvalidQuantity {
                index,
                quantity: item.quantity,
            });
        }
        if let Some(notes) = &item.notes {
            if notes.chars().count() > MAX_NOTE_CHARS {
                return Err(bad(format!(
                    "items[{index}].notes must be at most {MAX_NOTE_CHARS} characters"
                )));
            }
            if notes.chars().any(|c| c.is_control() && c != '\n') {
                return Err(bad(format!(
                    "items[{index}].notes must not contain control characters"
                )));
            }
        }
    }
    Ok(())
}

/// Checks `POST /api/orders/{id}/status` beyond its shape.
pub fn validate_status_change(change: &StatusChange) -> Result<(), InputError> {
    validate_id("request_id", &change.request_id)
}

/// Checks a product create/update body.
pub fn validate_product_input(input: &ProductInput) -> Result<(), InputError> {
    if let Some(id) = &input.id {
        validate_id("id", id)?;
    }
    validate_text("name", &input.name, false)?;
    validate_translations("translations", &input.translations)?;
    validate_text("description", &input.description, true)?;
    validate_id("category_id", &input.category_id)?;
    if input.price < 0 {
        return Err(bad("price must not be negative"));
    }
    validate_currency(&input.currency)?;
    if let Some(url) = &input.image_url {
        validate_text("image_url", url, false)?;
    }
    validate_id("station", &input.station)
}

/// Checks a category create/update body.
pub fn validate_category_input(input: &CategoryInput) -> Result<(), InputError> {
    if let Some(id) = &input.id {
        validate_id("id", id)?;
    }
    validate_text("name", &input.name, false)?;
    validate_translations("translations", &input.translations)
}

/// Checks a promotion create/update body.
pub fn validate_promotion_input(input: &PromotionInput) -> Result<(), InputError> {
    if let Some(id) = &input.id {
        validate_id("id", id)?;
    }
    validate_text("name", &input.name, false)?;
    validate_translations("translations", &input.translations)?;
    for (index, product_id) in input.product_ids.iter().enumerate() {
        validate_id(&format!("product_ids[{index}]"), product_id)?;
    }
    match input.kind {
        PromotionKind::PercentOff if !(0..=100).contains(&input.value) => {
            return Err(bad("a percent_off value must be 0 to 100"))
        }
        PromotionKind::AmountOff if input.value < 0 => {
            return Err(bad("an amount_off value must not be negative"))
        }
        _ => {}
    }
    validate_timestamp("starts_at", &input.starts_at)?;
    validate_timestamp("ends_at", &input.ends_at)?;
    if input.ends_at <= input.starts_at {
        return Err(bad("ends_at must be after starts_at"));
    }
    Ok(())
}

/// Parses a WebSocket text frame from a client.
pub fn parse_client_message(text: &str) -> Result<ClientMessage, InputError> {
    if text.len() > MAX_BODY_BYTES {
        return Err(InputError::TooLarge);
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| bad("message is not valid JSON"))?;
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return Err(bad("message has no string \"type\" field"));
    };
    let kind = kind.to_owned();
    serde_json::from_value(value).map_err(|_| bad(format!("unknown message type \"{kind}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrderItemRequest;
    use proptest::prelude::*;

    fn order(quantity: i64) -> PlaceOrder {
        PlaceOrder {
            client_order_id: "6f1c2b1e-8d0a-4c39-9d43-3f7a2f2c9a10".into(),
            outlet_id: "1".into(),
            items: vec![OrderItemRequest {
                product_id: "p-1".into(),
                quantity,
                notes: Some("tanpa es 🧊 بدون ثلج".into()),
            }],
            master_version: Some(3),
            placed_at: "2026-11-21T10:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_good_order_passes() {
        assert_eq!(validate_place_order(&order(2), None), Ok(()));
        assert_eq!(
            validate_place_order(&order(2), Some("6f1c2b1e-8d0a-4c39-9d43-3f7a2f2c9a10")),
            Ok(())
        );
    }

    #[test]
    fn a_mismatched_idempotency_key_is_refused() {
        let err = validate_place_order(&order(2), Some("other")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadRequest);
    }

    #[test]
    fn empty_orders_and_bad_ids_are_refused() {
        let mut empty = order(1);
        empty.items.clear();
        assert_eq!(
            validate_place_order(&empty, None).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        let mut bad_id = order(1);
        bad_id.client_order_id = "has space".into();
        assert_eq!(
            validate_place_order(&bad_id, None).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        bad_id.client_order_id = "x".repeat(MAX_ID_CHARS + 1);
        assert_eq!(
            validate_place_order(&bad_id, None).unwrap_err().code(),
            ErrorCode::BadRequest
        );
    }

    proptest! {
        #[test]
        fn quantity_is_valid_exactly_in_1_to_99(quantity in any::<i64>()) {
            let result = validate_place_order(&order(quantity), None);
            if (1..=99).contains(&quantity) {
                prop_assert_eq!(result, Ok(()));
            } else {
                prop_assert_eq!(result.unwrap_err().code(), ErrorCode::InvalidQuantity);
            }
        }

        #[test]
        fn client_frames_never_panic(text in ".{0,64}") {
            let _ = parse_client_message(&text);
        }
    }

    #[test]
    fn client_frames_map_to_codes() {
        assert_eq!(
            parse_client_message(r#"{"type":"ping"}"#),
            Ok(ClientMessage::Ping)
        );
        assert_eq!(
            parse_client_message("not json").unwrap_err().code(),
            ErrorCode::BadRequest
        );
        let unknown = parse_client_message(r#"{"type":"dance"}"#).unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::BadRequest);
        assert!(unknown.to_string().contains("dance"));
        let big = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_BODY_BYTES)
        );
        assert_eq!(
            parse_client_message(&big).unwrap_err(),
            InputError::TooLarge
        );
    }

    /// A timestamp as a client may send it: any offset, any year chrono reads.
    fn at(text: &str) -> Timestamp {
        serde_json::from_value(serde_json::Value::String(text.into())).unwrap()
    }

    /// Local times whose UTC year is outside 0000-9999, in the forms a client
    /// may send them (the first two are the fuzz findings).
    const OUTSIDE_THE_YEARS: [&str; 4] = [
        "9999-12-31T23:30:00-01:00",
        "0000-01-01T00:00:00+01:00",
        "+10000-01-01T00:00:00Z",
        "-0001-12-31T23:59:59.999999999Z",
    ];

    /// The first and last instants that are still accepted, plus local times
    /// near the edges whose UTC year is inside.
    const AT_THE_EDGES: [&str; 4] = [
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "0000-01-01T00:30:00-01:00",
        "9999-12-31T23:30:00+01:00",
    ];

    fn assert_names_the_year_rule(err: InputError, field: &str) {
        assert_eq!(err.code(), ErrorCode::BadRequest);
        assert_eq!(
            err.to_string(),
            format!("{field} must fall in the years 0000 to 9999 in UTC")
        );
    }

    #[test]
    fn an_order_placed_outside_the_years_0000_to_9999_is_refused() {
        for text in OUTSIDE_THE_YEARS {
            let mut placed = order(1);
            placed.placed_at = at(text);
            assert_names_the_year_rule(
                validate_place_order(&placed, None).unwrap_err(),
                "placed_at",
            );
        }
        for text in AT_THE_EDGES {
            let mut placed = order(1);
            placed.placed_at = at(text);
            assert_eq!(validate_place_order(&placed, None), Ok(()), "{text}");
        }
    }

    #[test]
    fn a_promotion_window_outside_the_years_0000_to_9999_is_refused() {
        let first = at("0000-01-01T00:00:00Z");
        let last = at("9999-12-31T23:59:59.999999999Z");
        let widest = PromotionInput {
            id: None,
            name: "Forever".into(),
            translations: Default::default(),
            product_ids: vec!["p-1".into()],
            kind: PromotionKind::AmountOff,
            value: 500,
            starts_at: first,
            ends_at: last,
        };
        assert_eq!(validate_promotion_input(&widest), Ok(()));
        for text in OUTSIDE_THE_YEARS {
            let starts = PromotionInput {
                starts_at: at(text),
                ..widest.clone()
            };
            assert_names_the_year_rule(validate_promotion_input(&starts).unwrap_err(), "starts_at");
            let ends = PromotionInput {
                ends_at: at(text),
                ..widest.clone()
            };
            assert_names_the_year_rule(validate_promotion_input(&ends).unwrap_err(), "ends_at");
        }
    }

    /// Seconds since the epoch at the start of `year` (UTC).
    fn start_of(year: i32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .unwrap()
            .and_utc()
            .timestamp()
    }

    /// Instants a day either side of both edges, and anywhere chrono can hold.
    fn instants() -> impl Strategy<Value = (i64, u32)> {
        let day = 86_400;
        let (first, end) = (start_of(0), start_of(10_000));
        let secs = prop_oneof![
            first - day..first + day,
            end - day..end + day,
            start_of(-200_000)..start_of(200_000),
        ];
        (secs, 0u32..1_000_000_000)
    }

    proptest! {
        /// The rule is exactly "its RFC 3339 text reads back as the same
        /// instant", which is why it exists.
        #[test]
        fn a_timestamp_passes_exactly_when_its_rfc3339_text_reads_back((secs, nanos) in instants()) {
            let timestamp = chrono::DateTime::from_timestamp(secs, nanos).unwrap();
            let text = timestamp.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            let reads_back = chrono::DateTime::parse_from_rfc3339(&text)
                .is_ok_and(|read| read.to_utc() == timestamp);
            prop_assert_eq!(validate_timestamp("t", &timestamp).is_ok(), reads_back, "{}", text);
        }
    }

    #[test]
    fn promotion_windows_and_values_are_checked() {
        let input = PromotionInput {
            id: None,
            name: "Happy hour".into(),
            translations: Default::default(),
            product_ids: vec!["p-1".into()],
            kind: PromotionKind::PercentOff,
            value: 101,
            starts_at: "2026-11-21T10:00:00Z".parse().unwrap(),
            ends_at: "2026-11-21T12:00:00Z".parse().unwrap(),
        };
        assert!(validate_promotion_input(&input).is_err());
        let ok = PromotionInput {
            value: 20,
            ..input.clone()
        };
        assert_eq!(validate_promotion_input(&ok), Ok(()));
        let backwards = PromotionInput {
            ends_at: ok.starts_at,
            ..ok
        };
        assert!(validate_promotion_input(&backwards).is_err());
    }
}
