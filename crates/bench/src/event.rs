//! Just enough parsing of a WebSocket text frame to tell which order a
//! `new_order` event is about.
//!
//! With 1,000 sockets every order becomes 1,000 frames to read in the same
//! process that measures them, on the same two cores as the server, so the
//! readers must not spend a full JSON parse (of the whole order snapshot) per
//! frame. Event objects are serialized by the protocol crate with the `type`
//! tag first and the order's own `client_order_id` before any item, so a
//! scan for the first two keys answers without touching the rest.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The quoted keys the readers look for, with their search tables built once
/// rather than per frame.
static TYPE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(br#""type""#));
static CLIENT_ORDER_ID_KEY: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(br#""client_order_id""#));

/// The order's `client_order_id` if `text` is a `new_order` event; `None`
/// for every other message (connected, pong, other order or master-data
/// events) and for anything malformed.
pub fn new_order_client_id(text: &str) -> Option<&str> {
    if message_type(text)? != "new_order" {
        return None;
    }
    string_field(text, &CLIENT_ORDER_ID_KEY)
}

/// The `type` tag of a server message (`connected`, `new_order`, ...).
pub fn message_type(text: &str) -> Option<&str> {
    // Fast path for the compact form serde writes: the tag opens the object.
    match text.strip_prefix(r#"{"type":""#) {
        Some(rest) => string_value(rest),
        None => string_field(text, &TYPE_KEY),
    }
}

/// The string value of the first `"key": "value"` pair in `text`, `key`
/// being the quoted key.
///
/// A quoted key that is not followed by a colon (e.g. a string value that
/// happens to spell the key) is skipped.
fn string_field<'a>(text: &'a str, key: &Finder<'_>) -> Option<&'a str> {
    let mut from = 0;
    loop {
        let end = from + key.find(text.as_bytes().get(from..)?)? + key.needle().len();
        from = end;
        // The key is ASCII, so `end` is a char boundary.
        let rest = text.get(end..)?.trim_start();
        if let Some(rest) = rest.strip_prefix(':') {
            return string_value(rest.trim_start().strip_prefix('"')?);
        }
    }
}

/// The string that `text` (just after an opening quote) holds up to its
/// closing quote. Values with escapes are refused: ids and event types never
/// contain them, and refusing keeps this a slice of the input.
fn string_value(text: &str) -> Option<&str> {
    let close = memchr::memchr2(b'"', b'\\', text.as_bytes())?;
    // Both bytes are ASCII, so `close` is a char boundary.
    (text.as_bytes()[close] == b'"').then(|| &text[..close])
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use ticketrail_protocol::{Order, OrderEventKind, OrderItem, OrderStatus, ServerMessage};

    use super::*;

    fn order(client_order_id: &str, item_name: &str) -> Order {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap();
        Order {
            id: "17".into(),
            client_order_id: client_order_id.into(),
            order_number: "A-001".into(),
            outlet_id: "1".into(),
            status: OrderStatus::Pending,
            items: vec![OrderItem {
                product_id: "p-1".into(),
                name: item_name.into(),
                quantity: 2,
                notes: Some("\"type\":\"client_order_id\"".into()),
                unit_price: 15000,
                line_total: 30000,
                station: "grill".into(),
            }],
            total_amount: 30000,
            currency: "IDR".into(),
            seq: 3,
            placed_at: at,
            created_at: at,
            updated_at: at,
        }
    }

    fn event(kind: OrderEventKind, client_order_id: &str) -> String {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 1).unwrap();
        let message = ServerMessage::order_event(kind, order(client_order_id, "Nasi goreng"), at);
        serde_json::to_string(&message).unwrap()
    }

    const ID: &str = "6f1c2b1e-8d0a-4c39-9d43-3f7a2f2c9a10";

    #[test]
    fn finds_the_id_of_a_new_order_event_as_the_protocol_crate_writes_it() {
        assert_eq!(
            new_order_client_id(&event(OrderEventKind::NewOrder, ID)),
            Some(ID)
        );
    }

    #[test]
    fn tolerates_whitespace_between_keys_and_values() {
        let compact = event(OrderEventKind::NewOrder, ID);
        let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(new_order_client_id(&pretty), Some(ID));
        let spaced =
            format!(r#"{{ "type" :  "new_order", "order": {{"client_order_id" : "{ID}"}} }}"#);
        assert_eq!(new_order_client_id(&spaced), Some(ID));
    }

    #[test]
    fn ignores_other_order_events() {
        for kind in [
            OrderEventKind::OrderUpdated,
            OrderEventKind::KitchenStatusChanged,
            OrderEventKind::OrderCompleted,
            OrderEventKind::OrderCancelled,
        ] {
            assert_eq!(new_order_client_id(&event(kind, ID)), None, "{kind:?}");
        }
    }

    #[test]
    fn ignores_non_order_messages() {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 1).unwrap();
        let connected = ServerMessage::Connected {
            protocol: ticketrail_protocol::PROTOCOL_VERSION,
            outlet_id: "1".into(),
            seq: 0,
            master_version: 9,
            timestamp: at,
        };
        let pong = ServerMessage::Pong { timestamp: at };
        let connected = serde_json::to_string(&connected).unwrap();
        assert_eq!(message_type(&connected), Some("connected"));
        assert_eq!(new_order_client_id(&connected), None);
        let pong = serde_json::to_string(&pong).unwrap();
        assert_eq!(message_type(&pong), Some("pong"));
        assert_eq!(new_order_client_id(&pong), None);
    }

    #[test]
    fn skips_a_value_that_spells_a_key() {
        let text =
            format!(r#"{{"note":"type","type":"new_order","order":{{"client_order_id":"{ID}"}}}}"#);
        assert_eq!(new_order_client_id(&text), Some(ID));
    }

    #[test]
    fn refuses_escaped_values_and_malformed_text() {
        for text in [
            r#"{"type":"new_order","order":{"client_order_id":"a\"b"}}"#,
            r#"{"type":"new_order","order":{"client_order_id":"unterminated"#,
            r#"{"type":"new_order","order":{"client_order_id":42}}"#,
            r#"{"type":"new_order"}"#,
            r#"{"type":"new_order\"","order":{"client_order_id":"x"}}"#,
            r#"{"type":"#,
            "",
            "\"type",
            "type\"",
            "not json at all",
        ] {
            assert_eq!(new_order_client_id(text), None, "{text}");
        }
    }

    #[test]
    fn handles_non_ascii_around_the_keys() {
        let text = format!(
            r#"{{"type":"new_order","x":"مرحبا 🍜","order":{{"client_order_id":"{ID}"}}}}"#
        );
        assert_eq!(new_order_client_id(&text), Some(ID));
    }
}
