//! Prefixed bearer tokens in GitHub's `ghp_` style: `prefix + 43 base62 chars + 6-char checksum`.
//!
//! Owns the token format and its offline sanity check. The checksum lets a service (and
//! secret scanners) reject typos and foreign strings without a database lookup; it is not a
//! MAC, and a token that passes [`check_bearer`] still has to be found (by its SHA-256) in
//! the database.

use thiserror::Error;
use zeroize::Zeroize;

use crate::random::{random_bytes, RandomError};
use crate::secret::SecretString;

/// The base62 alphabet used for bearer tokens: `0-9A-Za-z`.
pub const BASE62_ALPHABET: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Width of the random part: 62^43 > 2^256, so 43 digits hold any 32 bytes.
pub const RANDOM_PART_LEN: usize = 43;
/// Width of the checksum: 62^6 > 2^32, so 6 digits hold any CRC32.
pub const CHECKSUM_LEN: usize = 6;

/// Why a string is not a well-formed bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BearerError {
    /// The token does not start with the expected prefix.
    #[error("token has the wrong prefix")]
    WrongPrefix,
    /// Wrong length or a character outside the base62 alphabet.
    #[error("token is malformed")]
    Malformed,
    /// The checksum does not match: a typo or a made-up token.
    #[error("token checksum does not match")]
    BadChecksum,
}

/// Generates a new token: `prefix` + base62 of 32 random bytes (43 chars) + base62 CRC32 of
/// everything before it (6 chars). Store only its SHA-256 (see [`crate::digest`]).
///
/// # Examples
///
/// ```
/// use credential_core::bearer::{check_bearer, generate_bearer};
///
/// let token = generate_bearer("swr_")?;
/// assert_eq!(token.expose().len(), 4 + 43 + 6);
/// assert_eq!(check_bearer("swr_", token.expose()), Ok(()));
/// # Ok::<(), credential_core::random::RandomError>(())
/// ```
pub fn generate_bearer(prefix: &str) -> Result<SecretString, RandomError> {
    let mut raw: [u8; 32] = random_bytes()?;
    let mut body = base62_fixed(&raw, RANDOM_PART_LEN);
    raw.zeroize();
    let mut token = String::with_capacity(prefix.len() + RANDOM_PART_LEN + CHECKSUM_LEN);
    token.push_str(prefix);
    token.push_str(&body);
    body.zeroize();
    let checksum = checksum_of(token.as_bytes());
    token.push_str(&checksum);
    Ok(SecretString::new(token))
}

/// Checks a token's prefix, length, alphabet and checksum, without any database.
///
/// # Examples
///
/// ```
/// use credential_core::bearer::{check_bearer, BearerError};
///
/// assert_eq!(check_bearer("tcr_", "ghp_abc"), Err(BearerError::WrongPrefix));
/// assert_eq!(check_bearer("tcr_", "tcr_abc"), Err(BearerError::Malformed));
/// ```
pub fn check_bearer(prefix: &str, token: &str) -> Result<(), BearerError> {
    let rest = token.strip_prefix(prefix).ok_or(BearerError::WrongPrefix)?;
    if rest.len() != RANDOM_PART_LEN + CHECKSUM_LEN || !rest.bytes().all(is_base62) {
        return Err(BearerError::Malformed);
    }
    // `rest` is ASCII, so this byte index is a char boundary.
    let split = token.len() - CHECKSUM_LEN;
    let (signed, checksum) = token.split_at(split);
    if checksum_of(signed.as_bytes()) == checksum {
        Ok(())
    } else {
        Err(BearerError::BadChecksum)
    }
}

fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn checksum_of(data: &[u8]) -> String {
    base62_fixed(&crc32fast::hash(data).to_be_bytes(), CHECKSUM_LEN)
}

/// Encodes the big-endian number in `bytes` as exactly `width` base62 digits, left-padded
/// with `'0'`. Digits above `width` are dropped, so callers pick a width that fits.
fn base62_fixed(bytes: &[u8], width: usize) -> String {
    let mut num = bytes.to_vec();
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        // Long division of `num` by 62; the remainder is the next lowest digit.
        let mut rem: u32 = 0;
        for b in num.iter_mut() {
            let acc = (rem << 8) | u32::from(*b);
            *b = u8::try_from(acc / 62).unwrap_or(0);
            rem = acc % 62;
        }
        *slot = BASE62_ALPHABET.get(rem as usize).copied().unwrap_or(b'0');
    }
    num.zeroize();
    out.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn base62_known_values() {
        assert_eq!(base62_fixed(&[0], 3), "000");
        assert_eq!(base62_fixed(&[61], 3), "00z");
        assert_eq!(base62_fixed(&[62], 3), "010");
        assert_eq!(base62_fixed(&0xFFFF_FFFFu32.to_be_bytes(), 6), "4gfFC3");
        // 2^256 - 1, computed independently with Python integers.
        assert_eq!(
            base62_fixed(&[0xFF; 32], 43),
            "yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1"
        );
        assert_eq!(base62_fixed(&[0; 32], 43), "0".repeat(43));
    }

    #[test]
    fn rejects_bad_tokens() {
        let t = generate_bearer("swr_").unwrap();
        let t = t.expose();
        assert_eq!(check_bearer("tcr_", t), Err(BearerError::WrongPrefix));
        assert_eq!(
            check_bearer("swr_", &t[..t.len() - 1]),
            Err(BearerError::Malformed)
        );
        assert_eq!(
            check_bearer("swr_", &format!("{t}0")),
            Err(BearerError::Malformed)
        );
        let mut bad = t.to_owned();
        bad.replace_range(10..11, "!");
        assert_eq!(check_bearer("swr_", &bad), Err(BearerError::Malformed));
        assert_eq!(check_bearer("", ""), Err(BearerError::Malformed));
    }

    proptest! {
        #[test]
        fn generated_tokens_check(prefix in "[a-z]{0,6}_?") {
            let t = generate_bearer(&prefix).unwrap();
            prop_assert_eq!(check_bearer(&prefix, t.expose()), Ok(()));
        }

        #[test]
        fn single_char_change_fails(pos in 0usize..53, idx in 0usize..62) {
            let prefix = "tcr_";
            let t = generate_bearer(prefix).unwrap();
            let mut bytes = t.expose().as_bytes().to_vec();
            let pos = pos % bytes.len();
            let replacement = if pos < prefix.len() { b'X' } else { BASE62_ALPHABET[idx] };
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            let result = check_bearer(prefix, &changed);
            if pos < prefix.len() {
                prop_assert_eq!(result, Err(BearerError::WrongPrefix));
            } else {
                prop_assert_eq!(result, Err(BearerError::BadChecksum));
            }
        }

        #[test]
        fn arbitrary_input_never_panics(prefix in ".{0,5}", token in ".{0,80}") {
            let _ = check_bearer(&prefix, &token);
        }
    }
}
