//! Random bytes and random credential strings.
//!
//! Owns every draw from the operating system's generator: nothing else in the crate (or the
//! workspace) should create random secrets another way. Characters are chosen by rejection
//! sampling, so every character of the alphabet is exactly equally likely.

use ring::rand::{SecureRandom, SystemRandom};
use thiserror::Error;
use zeroize::Zeroize;

use crate::secret::SecretString;

/// Length of a permanent or temporary access key id.
pub const ACCESS_KEY_LEN: usize = 20;
/// Length of a secret access key.
pub const SECRET_KEY_LEN: usize = 40;
/// Alphabet of access key ids: `[A-Z0-9]`.
pub const ACCESS_KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Alphabet of secret keys: `[A-Za-z0-9]`.
pub const SECRET_KEY_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The system random number generator failed (or, for [`random_alphanumeric`], the
/// alphabet was unusable). In practice this does not happen on a healthy host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("system random number generator failed")]
pub struct RandomError;

/// Returns `N` bytes from [`SystemRandom`].
///
/// # Examples
///
/// ```
/// let nonce: [u8; 12] = credential_core::random::random_bytes()?;
/// assert_eq!(nonce.len(), 12);
/// # Ok::<(), credential_core::random::RandomError>(())
/// ```
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut buf = [0u8; N];
    fill(&mut buf)?;
    Ok(buf)
}

/// Fills `buf` from [`SystemRandom`].
pub fn fill(buf: &mut [u8]) -> Result<(), RandomError> {
    SystemRandom::new().fill(buf).map_err(|_| RandomError)
}

/// Returns `len` characters drawn uniformly from `alphabet`.
///
/// `alphabet` must hold 1 to 256 ASCII bytes; anything else is a programming error and
/// returns `Err(RandomError)` (never a panic). Duplicate bytes are allowed but weight that
/// character more.
///
/// # Examples
///
/// ```
/// let pin = credential_core::random::random_alphanumeric(6, b"0123456789")?;
/// assert!(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()));
/// # Ok::<(), credential_core::random::RandomError>(())
/// ```
pub fn random_alphanumeric(len: usize, alphabet: &[u8]) -> Result<String, RandomError> {
    let n = alphabet.len();
    if n == 0 || n > 256 || !alphabet.is_ascii() {
        return Err(RandomError);
    }
    // Bytes at or above `limit` would make the first `256 % n` characters more likely,
    // so they are thrown away and drawn again.
    let limit = 256 - (256 % n);
    let mut out = Vec::with_capacity(len);
    let mut pool = vec![0u8; len + 16];
    while out.len() < len {
        fill(&mut pool)?;
        for &b in pool.iter() {
            if out.len() == len {
                break;
            }
            let b = usize::from(b);
            if b < limit {
                if let Some(&c) = alphabet.get(b % n) {
                    out.push(c);
                }
            }
        }
    }
    pool.zeroize();
    // The alphabet is ASCII, so this cannot fail; map the impossible case rather than panic.
    String::from_utf8(out).map_err(|e| {
        let mut bytes = e.into_bytes();
        bytes.zeroize();
        RandomError
    })
}

/// Generates an access key id: 20 characters `[A-Z0-9]`.
///
/// # Examples
///
/// ```
/// let ak = credential_core::random::generate_access_key()?;
/// assert_eq!(ak.len(), 20);
/// assert!(ak.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
/// # Ok::<(), credential_core::random::RandomError>(())
/// ```
pub fn generate_access_key() -> Result<String, RandomError> {
    random_alphanumeric(ACCESS_KEY_LEN, ACCESS_KEY_ALPHABET)
}

/// Generates a secret access key: 40 characters `[A-Za-z0-9]`, wrapped so it cannot be logged.
///
/// # Examples
///
/// ```
/// let sk = credential_core::random::generate_secret_key()?;
/// assert_eq!(sk.expose().len(), 40);
/// # Ok::<(), credential_core::random::RandomError>(())
/// ```
pub fn generate_secret_key() -> Result<SecretString, RandomError> {
    random_alphanumeric(SECRET_KEY_LEN, SECRET_KEY_ALPHABET).map(SecretString::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ak = generate_access_key().unwrap();
        assert_eq!(ak.len(), 20);
        assert!(ak.bytes().all(|b| ACCESS_KEY_ALPHABET.contains(&b)));
        let sk = generate_secret_key().unwrap();
        assert_eq!(sk.expose().len(), 40);
        assert!(sk.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(generate_access_key().unwrap(), ak);
    }

    #[test]
    fn bad_alphabets_are_errors() {
        assert_eq!(random_alphanumeric(3, b""), Err(RandomError));
        assert_eq!(random_alphanumeric(3, "é".as_bytes()), Err(RandomError));
        assert_eq!(random_alphanumeric(0, b"ab").unwrap(), "");
        assert_eq!(random_alphanumeric(5, b"x").unwrap(), "xxxxx");
    }

    #[test]
    fn roughly_uniform() {
        // 36 symbols, 36_000 draws: each count is ~1000; a biased sampler that favoured the
        // first 4 symbols (256 % 36 == 4) by 1/7 would put them near 1140.
        let s = random_alphanumeric(36_000, ACCESS_KEY_ALPHABET).unwrap();
        for &c in ACCESS_KEY_ALPHABET {
            let count = s.bytes().filter(|&b| b == c).count();
            assert!(
                (850..1150).contains(&count),
                "{} appeared {count} times",
                c as char
            );
        }
    }

    #[test]
    fn random_bytes_differ() {
        let a: [u8; 32] = random_bytes().unwrap();
        let b: [u8; 32] = random_bytes().unwrap();
        assert_ne!(a, b);
    }
}
