//! Making and checking secrets: tokens, pairing codes, ids, passwords and
//! the staff PIN.
//!
//! Tokens are 256 random bits and pairing codes 50, so a single SHA-256 is
//! all their stored form needs: nobody can guess their way back from it.
//! Passwords are chosen by people, so they get argon2id; the staff PIN
//! reaches the kiosks, which check it offline, so it gets PBKDF2-HMAC-SHA256
//! that a browser computes natively (WebCrypto).

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use ticketrail_protocol::PinHash;

use crate::error::AppError;

/// Pairing codes use these 30 symbols: no 0/O, 1/I/L or U, so a code read
/// aloud or off a screen is typed right.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols per pairing code (about 49 bits).
const CODE_SYMBOLS: usize = 10;
/// PBKDF2 iterations for the staff PIN.
pub const PIN_ROUNDS: u32 = 100_000;

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness from the OS: {error}")))?;
    Ok(bytes)
}

/// A new bearer token: 256 random bits, hex.
pub fn new_token() -> Result<String, AppError> {
    Ok(hex::encode(random::<32>()?))
}

/// A new id with `prefix` (`dev-…`, `u-…`): 64 random bits, hex.
pub fn new_id(prefix: &str) -> Result<String, AppError> {
    Ok(format!("{prefix}{}", hex::encode(random::<8>()?)))
}

/// The stored form of a token or a normalised pairing code.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new pairing code, shown as two groups of five (`K7M2Q-9XRT4`).
pub fn new_pairing_code() -> Result<String, AppError> {
    let mut code = String::with_capacity(CODE_SYMBOLS + 1);
    while code.len() < CODE_SYMBOLS + 1 {
        for byte in random::<32>()? {
            // Rejection sampling keeps every symbol equally likely.
            let limit = 256 - 256 % CODE_ALPHABET.len();
            if usize::from(byte) >= limit || code.len() == CODE_SYMBOLS + 1 {
                continue;
            }
            if code.len() == CODE_SYMBOLS / 2 {
                code.push('-');
            }
            code.push(char::from(
                CODE_ALPHABET[usize::from(byte) % CODE_ALPHABET.len()],
            ));
        }
    }
    Ok(code)
}

/// A typed code as it is hashed: capitals, without spaces or dashes.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// argon2id with a fresh salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random::<16>()?)
        .map_err(|error| AppError::Internal(format!("salt: {error}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(format!("hashing a password: {error}")))
}

/// Whether `password` matches `stored` (a PHC string). With no stored hash
/// (unknown user) it still spends the same time, so a wrong username and a
/// wrong password cannot be told apart by the clock.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: OnceLock<Option<String>> = OnceLock::new();
    match stored {
        Some(stored) => matches(password, stored),
        None => {
            let decoy = DECOY.get_or_init(|| hash_password("decoy password").ok());
            if let Some(decoy) = decoy {
                matches(password, decoy);
            }
            false
        }
    }
}

fn matches(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            tracing::error!("a stored password hash is unreadable");
            false
        }
    }
}

/// The staff PIN as kiosks check it: PBKDF2-HMAC-SHA256, fresh salt.
pub fn hash_pin(pin: &str) -> Result<PinHash, AppError> {
    let salt = random::<16>()?;
    Ok(PinHash {
        algorithm: "pbkdf2-sha256".into(),
        rounds: PIN_ROUNDS,
        salt: hex::encode(salt),
        hash: hex::encode(pin_key(pin, &salt, PIN_ROUNDS)),
    })
}

/// The derived key of `pin`.
pub fn pin_key(pin: &str, salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), salt, rounds, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_normalise_back() {
        for _ in 0..200 {
            let code = new_pairing_code().unwrap();
            assert_eq!(code.len(), CODE_SYMBOLS + 1, "{code}");
            assert_eq!(&code[5..6], "-");
            let bare = normalize_code(&code);
            assert_eq!(bare.len(), CODE_SYMBOLS);
            assert!(bare.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
            assert_eq!(hash_secret(&normalize_code(&typed)), hash_secret(&bare));
        }
    }

    #[test]
    fn tokens_are_long_random_and_hashed_one_way() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(hash_secret(&a), a);
        assert_eq!(hash_secret(&a), hash_secret(&a));
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let stored = hash_password("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&stored)));
        assert!(!verify_password("wrong horse", Some(&stored)));
        assert!(!verify_password("decoy password", None));
        assert!(!verify_password("correct horse", Some("not a hash")));
    }

    #[test]
    fn the_pin_hash_is_pbkdf2_of_the_pin() {
        let stored = hash_pin("2468").unwrap();
        assert!(stored.rounds >= 100_000);
        let salt = hex::decode(&stored.salt).unwrap();
        assert_eq!(
            hex::encode(pin_key("2468", &salt, stored.rounds)),
            stored.hash
        );
        assert_ne!(
            hex::encode(pin_key("2469", &salt, stored.rounds)),
            stored.hash
        );
    }
}
