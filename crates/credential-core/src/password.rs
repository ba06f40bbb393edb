//! Password hashing with PBKDF2-HMAC-SHA256 (`ring::pbkdf2`).
//!
//! Owns the stored format `pbkdf2-sha256$<iterations>$<salt>$<hash>` (salt and hash in
//! standard base64 without padding, 16 and 32 bytes). The iteration count is stored with
//! each hash, so raising [`DEFAULT_PBKDF2_ITERATIONS`] later does not break old hashes.

use std::num::NonZeroU32;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use ring::pbkdf2;
use thiserror::Error;
use zeroize::Zeroize;

use crate::random::random_bytes;

/// Iterations for production (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). Tests may use far
/// fewer: the count is a parameter.
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;
/// Scheme tag at the start of every stored hash.
pub const SCHEME: &str = "pbkdf2-sha256";
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;
static ALGORITHM: pbkdf2::Algorithm = pbkdf2::PBKDF2_HMAC_SHA256;

/// Why a password could not be hashed, or a stored hash could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// The iteration count is zero.
    #[error("PBKDF2 iteration count must be at least 1")]
    InvalidIterations,
    /// The stored hash is not in the expected format.
    #[error("stored password hash is malformed")]
    Malformed,
    /// The system random number generator failed.
    #[error("system random number generator failed")]
    Random,
}

/// Hashes `password` with a fresh 16-byte salt.
///
/// # Examples
///
/// ```
/// use credential_core::password::{hash_password, verify_password};
///
/// let stored = hash_password("correct horse", 1_000)?;
/// assert!(stored.starts_with("pbkdf2-sha256$1000$"));
/// assert!(verify_password("correct horse", &stored)?);
/// assert!(!verify_password("wrong", &stored)?);
/// # Ok::<(), credential_core::password::PasswordError>(())
/// ```
pub fn hash_password(password: &str, iterations: u32) -> Result<String, PasswordError> {
    let iter = NonZeroU32::new(iterations).ok_or(PasswordError::InvalidIterations)?;
    let salt: [u8; SALT_LEN] = random_bytes().map_err(|_| PasswordError::Random)?;
    let mut hash = [0u8; HASH_LEN];
    pbkdf2::derive(ALGORITHM, iter, &salt, password.as_bytes(), &mut hash);
    let out = format!(
        "{SCHEME}${iterations}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(hash)
    );
    hash.zeroize();
    Ok(out)
}

/// Checks `password` against a stored hash in constant time. `Ok(false)` means a wrong
/// password; `Err` only means the stored value is malformed.
pub fn verify_password(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = parse(stored)?;
    Ok(pbkdf2::verify(
        ALGORITHM,
        parsed.iterations,
        &parsed.salt,
        password.as_bytes(),
        &parsed.hash,
    )
    .is_ok())
}

/// Does the same work as [`verify_password`] for a hash with `iterations`, and throws the
/// result away. Call it when the user does not exist, so response time does not reveal that.
///
/// # Examples
///
/// ```
/// credential_core::password::dummy_verify("guess", 1_000);
/// ```
pub fn dummy_verify(password: &str, iterations: u32) {
    let iter = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    let result = pbkdf2::verify(
        ALGORITHM,
        iter,
        &[0u8; SALT_LEN],
        password.as_bytes(),
        &[0u8; HASH_LEN],
    );
    // Keep the optimiser from discarding the work.
    std::hint::black_box(result.is_ok());
}

struct Parsed {
    iterations: NonZeroU32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn parse(stored: &str) -> Result<Parsed, PasswordError> {
    let mut parts = stored.split('$');
    let (Some(scheme), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(PasswordError::Malformed);
    };
    if scheme != SCHEME || !iter.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PasswordError::Malformed);
    }
    let iterations = iter
        .parse::<u32>()
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or(PasswordError::Malformed)?;
    let salt = STANDARD_NO_PAD
        .decode(salt)
        .map_err(|_| PasswordError::Malformed)?;
    let hash = STANDARD_NO_PAD
        .decode(hash)
        .map_err(|_| PasswordError::Malformed)?;
    if salt.is_empty() || hash.len() != HASH_LEN {
        return Err(PasswordError::Malformed);
    }
    Ok(Parsed {
        iterations,
        salt,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip() {
        let h = hash_password("pässwörd", 10).unwrap();
        let parts: Vec<&str> = h.split('$').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(STANDARD_NO_PAD.decode(parts[2]).unwrap().len(), 16);
        assert_eq!(STANDARD_NO_PAD.decode(parts[3]).unwrap().len(), 32);
        assert!(verify_password("pässwörd", &h).unwrap());
        assert!(!verify_password("passwörd", &h).unwrap());
        assert!(!verify_password("", &h).unwrap());
        assert_ne!(
            hash_password("pässwörd", 10).unwrap(),
            h,
            "salt must be fresh"
        );
    }

    #[test]
    fn known_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64) starts with these 32 bytes.
        let stored = format!(
            "pbkdf2-sha256$1${}${}",
            STANDARD_NO_PAD.encode(b"salt"),
            STANDARD_NO_PAD.encode(
                hex::decode("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
                    .unwrap()
            )
        );
        assert!(verify_password("passwd", &stored).unwrap());
    }

    #[test]
    fn errors() {
        assert_eq!(hash_password("x", 0), Err(PasswordError::InvalidIterations));
        for bad in [
            "",
            "pbkdf2-sha256$0$AAAA$AAAA",
            "bcrypt$10$a$b",
            "pbkdf2-sha256$+1$AAAA$AAAA",
            "pbkdf2-sha256$1$AAAA$AAAA$x",
        ] {
            assert_eq!(
                verify_password("x", bad),
                Err(PasswordError::Malformed),
                "{bad}"
            );
        }
        dummy_verify("x", 0);
        dummy_verify("x", 10);
    }

    proptest! {
        #[test]
        fn arbitrary_stored_never_panics(s in ".{0,100}") {
            let _ = verify_password("x", &s);
        }
    }
}
