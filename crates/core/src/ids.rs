//! Idempotency keys made on the device: UUID v4 (`client_order_id`,
//! `request_id`).
//!
//! The randomness comes in as bytes because reading it is I/O: the browser
//! fills them from `crypto.getRandomValues`, which (unlike
//! `crypto.randomUUID`) also exists on a plain-`http` outlet LAN address.

/// Formats 16 random bytes as a lowercase, hyphenated UUID version 4
/// (RFC 9562): the version nibble becomes `4` and the variant bits `10`.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::uuid_v4;

    #[test]
    fn sets_version_and_variant_bits() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn keeps_every_random_byte_outside_the_fixed_bits() {
        let bytes = [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65,
            0x43, 0x21,
        ];
        assert_eq!(uuid_v4(bytes), "12345678-9abc-4ef0-8fed-cba987654321");
    }

    #[test]
    fn passes_the_servers_validation() {
        let id = uuid_v4([7; 16]);
        assert!(
            ticketrail_protocol::validate::validate_id("client_order_id", &id).is_ok(),
            "{id}"
        );
    }
}
