//! A service account's password: random (shown once) or chosen by the caller, and stored
//! only as a digest tagged with its scheme:
//!
//! - `sha256$<hex>` for a random password: 32 characters of `[A-Za-z0-9]` (190 bits) cannot
//!   be guessed, so a fast digest is enough, as for instance tokens;
//! - `pbkdf2-sha256$<iterations>$<salt>$<hash>` (`credential_core::password`) for a chosen
//!   one, which may be guessable: a slow, salted hash.
//!
//! Checks compare in constant time. A password never reaches a log, an error or `Debug`:
//! it travels as a [`SecretString`].

use credential_core::digest::sha256_hex;
use credential_core::password::{hash_password, verify_password};
use credential_core::random::{random_alphanumeric, SECRET_KEY_ALPHABET};
use credential_core::secret::constant_time_eq;
use credential_core::SecretString;

use crate::error::TcrError;

/// Length of a random password (Tencent's are 32 characters).
pub const RANDOM_LEN: usize = 32;
/// Scheme tag of a random password's digest.
const SHA256: &str = "sha256$";

/// A new random password and its stored digest.
pub fn random() -> Result<(SecretString, String), TcrError> {
    let password = random_alphanumeric(RANDOM_LEN, SECRET_KEY_ALPHABET)
        .map(SecretString::new)
        .map_err(|e| TcrError::Internal(e.to_string()))?;
    let digest = format!("{SHA256}{}", sha256_hex(password.expose().as_bytes()));
    Ok((password, digest))
}

/// Tencent's rule for a chosen password: 8 to 20 characters with at least one upper-case
/// letter, one lower-case letter and one digit; printable ASCII only, so that every client
/// sends the same bytes.
pub fn check_chosen(password: &SecretString) -> Result<(), TcrError> {
    let p = password.expose();
    let ok = (8..=20).contains(&p.len())
        && p.bytes().all(|b| b.is_ascii_graphic())
        && p.bytes().any(|b| b.is_ascii_uppercase())
        && p.bytes().any(|b| b.is_ascii_lowercase())
        && p.bytes().any(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(TcrError::InvalidParameter(
            "Password must be 8 to 20 printable ASCII characters with at least one upper-case letter, one lower-case letter and one digit.".into(),
        ))
    }
}

/// The stored digest of a chosen password (slow: run it off the request threads).
pub fn hash_chosen(password: &SecretString, iterations: u32) -> Result<String, TcrError> {
    hash_password(password.expose(), iterations).map_err(|e| TcrError::Internal(e.to_string()))
}

/// Whether `password` is the one `stored` is the digest of (slow for a chosen one). A
/// digest of an unknown scheme matches nothing.
pub fn verify(password: &SecretString, stored: &str) -> bool {
    match stored.strip_prefix(SHA256) {
        Some(hex) => constant_time_eq(
            sha256_hex(password.expose().as_bytes()).as_bytes(),
            hex.as_bytes(),
        ),
        None => verify_password(password.expose(), stored).unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_password_is_stored_as_its_tagged_sha256() {
        let (password, digest) = random().unwrap();
        assert_eq!(password.expose().len(), RANDOM_LEN);
        assert!(digest.starts_with("sha256$"));
        assert!(!digest.contains(password.expose()));
        assert!(verify(&password, &digest));
        assert!(!verify(&SecretString::from("Wrong1234"), &digest));
    }

    #[test]
    fn a_chosen_password_is_stored_slowly_hashed() {
        let chosen = SecretString::from("Password123");
        check_chosen(&chosen).unwrap();
        let digest = hash_chosen(&chosen, 1_000).unwrap();
        assert!(digest.starts_with("pbkdf2-sha256$1000$"));
        assert!(verify(&chosen, &digest));
        assert!(!verify(&SecretString::from("Password124"), &digest));
        assert!(!verify(&chosen, "md5$whatever"));
        assert!(!verify(&chosen, ""));
    }

    #[test]
    fn chosen_passwords_follow_the_rule() {
        for bad in [
            "Short1",
            "alllower123",
            "ALLUPPER123",
            "NoDigitsHere",
            "Has Space12",
            "Ünicode1234",
            "Toolongpassword123456",
        ] {
            assert!(check_chosen(&SecretString::from(bad)).is_err(), "{bad}");
        }
        for ok in [
            "Passw0rd",
            "Password123",
            "A1b2C3d4E5f6G7h8I9j0",
            "Pa$$w0rd:x",
        ] {
            assert!(check_chosen(&SecretString::from(ok)).is_ok(), "{ok}");
        }
    }
}
