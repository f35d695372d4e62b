//! Validation of the access inputs (pairing, login, outlets, staff PIN) as
//! plain functions, beside the types they check. Shape is serde's job;
//! these check lengths, alphabets and ranges. Time zones are checked by the
//! server, which holds the zone database.

use crate::validate::{validate_id, InputError};
use crate::{Login, OutletInput, PairDevice, PairingCodeRequest, SetupRequest, StaffPin};

/// Longest device, outlet or person name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest username, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest password, in bytes: a slow hash of a huge input would let one
/// request cost the server seconds.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password a person may set.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest pairing code accepted before it is even looked up.
pub const MAX_CODE_CHARS: usize = 64;
/// A staff PIN's length range, in digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

fn bad(message: impl Into<String>) -> InputError {
    InputError::BadRequest(message.into())
}

fn validate_name(field: &str, text: &str, max: usize) -> Result<(), InputError> {
    if text.trim().is_empty() {
        return Err(bad(format!("{field} must not be empty")));
    }
    if text.chars().count() > max {
        return Err(bad(format!("{field} must be at most {max} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(bad(format!("{field} must not contain control characters")));
    }
    Ok(())
}

/// A pairing-code request: an outlet id and a name.
pub fn validate_pairing_request(input: &PairingCodeRequest) -> Result<(), InputError> {
    validate_id("outlet_id", &input.outlet_id)?;
    validate_name("name", &input.name, MAX_NAME_CHARS)
}

/// A pairing attempt: a code of sane length (its value is the server's to
/// judge, answering 401 when it pairs nothing).
pub fn validate_pair(input: &PairDevice) -> Result<(), InputError> {
    if input.code.trim().is_empty() || input.code.chars().count() > MAX_CODE_CHARS {
        return Err(bad(format!(
            "code must be 1 to {MAX_CODE_CHARS} characters"
        )));
    }
    Ok(())
}

/// A login attempt: bounded username and password.
pub fn validate_login(input: &Login) -> Result<(), InputError> {
    validate_name("username", &input.username, MAX_USERNAME_CHARS)?;
    if input.password.is_empty() || input.password.len() > MAX_PASSWORD_BYTES {
        return Err(bad(format!(
            "password must be 1 to {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// A new password: long enough to be worth hashing.
pub fn validate_new_password(password: &str) -> Result<(), InputError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(bad(format!(
            "password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// A first-run request: a code of sane length, an owner with a username
/// and a new password, and a valid outlet when one is given.
pub fn validate_setup(input: &SetupRequest) -> Result<(), InputError> {
    validate_pair(&PairDevice {
        code: input.code.clone(),
    })?;
    validate_name("username", &input.username, MAX_USERNAME_CHARS)?;
    validate_new_password(&input.password)?;
    input.outlet.as_ref().map_or(Ok(()), validate_outlet)
}

/// An outlet: id, name, a three-letter currency code and a time zone name.
pub fn validate_outlet(input: &OutletInput) -> Result<(), InputError> {
    validate_id("id", &input.id)?;
    validate_name("name", &input.name, MAX_NAME_CHARS)?;
    validate_name("timezone", &input.timezone, MAX_NAME_CHARS)?;
    let currency_ok =
        input.currency.len() == 3 && input.currency.bytes().all(|b| b.is_ascii_uppercase());
    if !currency_ok {
        return Err(bad(
            "currency must be an ISO 4217 code of three capital letters, such as IDR",
        ));
    }
    Ok(())
}

/// A staff PIN: 4 to 8 digits.
pub fn validate_staff_pin(input: &StaffPin) -> Result<(), InputError> {
    let digits = input.pin.len();
    if !PIN_DIGITS.contains(&digits) || !input.pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "pin must be {} to {} digits",
            PIN_DIGITS.start(),
            PIN_DIGITS.end()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn outlet(currency: &str) -> OutletInput {
        OutletInput {
            id: "jkt-1".into(),
            name: "Kopi Senja — Kemang".into(),
            timezone: "Asia/Jakarta".into(),
            currency: currency.into(),
        }
    }

    #[test]
    fn outlets_need_a_three_letter_currency() {
        assert!(validate_outlet(&outlet("IDR")).is_ok());
        for currency in ["idr", "ID", "IDRX", "I D", "€UR"] {
            assert!(validate_outlet(&outlet(currency)).is_err(), "{currency}");
        }
    }

    #[test]
    fn pins_are_four_to_eight_digits() {
        for pin in ["1234", "12345678"] {
            assert!(validate_staff_pin(&StaffPin { pin: pin.into() }).is_ok());
        }
        for pin in ["123", "123456789", "12a4", "１２３４", ""] {
            assert!(
                validate_staff_pin(&StaffPin { pin: pin.into() }).is_err(),
                "{pin}"
            );
        }
    }

    #[test]
    fn names_and_passwords_are_bounded() {
        let request = |name: &str| PairingCodeRequest {
            outlet_id: "1".into(),
            role: Role::Kiosk,
            name: name.into(),
        };
        assert!(validate_pairing_request(&request("Kiosk by the door")).is_ok());
        assert!(validate_pairing_request(&request("  ")).is_err());
        assert!(validate_pairing_request(&request(&"k".repeat(81))).is_err());
        let login = |password: String| Login {
            username: "owner".into(),
            password,
        };
        assert!(validate_login(&login("secret".into())).is_ok());
        assert!(validate_login(&login("x".repeat(1025))).is_err());
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long enough").is_ok());
        assert!(validate_pair(&PairDevice { code: "".into() }).is_err());
    }
}
