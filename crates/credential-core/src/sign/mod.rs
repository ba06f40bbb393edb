//! Request signatures of the vendor SDKs: Huawei `SDK-HMAC-SHA256` ([`huawei`]), Tencent
//! `TC3-HMAC-SHA256` ([`tencent`]) and Tencent's legacy `HmacSHA256`/`HmacSHA1`
//! ([`tencent_v1`]), plus the primitives they share.
//!
//! Owns canonicalisation, string-to-sign and MAC computation as pure functions over the
//! request as received. It does not look up secrets or read the clock: the caller checks
//! the timestamp (see [`crate::expiry::within_skew`]) and supplies the secret key.

pub mod huawei;
pub mod tencent;
pub mod tencent_v1;

use ring::hmac;
use thiserror::Error;

use crate::secret::constant_time_eq;

/// Why a signed request could not be checked. None of these says whether the MAC matched:
/// that is the `bool` of the `verify` functions.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// The `Authorization` header is not in the algorithm's format.
    #[error("malformed Authorization header")]
    MalformedAuthorization,
    /// A header listed as signed is missing from the request.
    #[error("signed header {0:?} is missing from the request")]
    MissingSignedHeader(String),
    /// A header listed as signed occurs more than once, so its value is ambiguous.
    #[error("signed header {0:?} occurs more than once")]
    DuplicateSignedHeader(String),
    /// `host` is not among the signed headers.
    #[error("the host header must be signed")]
    HostNotSigned,
    /// `x-sdk-date` is not among the signed headers.
    #[error("the x-sdk-date header must be signed")]
    DateNotSigned,
    /// `content-type` is not among the signed headers (TC3).
    #[error("the content-type header must be signed")]
    ContentTypeNotSigned,
    /// The request's date header is missing or not in the expected format.
    #[error("malformed request date")]
    MalformedDate,
    /// `X-Security-Token` is present but not signed.
    #[error("the x-security-token header must be signed")]
    SecurityTokenNotSigned,
    /// The credential scope (date or service) does not match the request (TC3).
    #[error("credential scope does not match the request")]
    ScopeMismatch,
}

/// HMAC-SHA256 of `message` under `key`.
///
/// # Examples
///
/// ```
/// // RFC 4231 test case 2.
/// let mac = credential_core::sign::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// RFC 3986 encoding: `A-Z a-z 0-9 - _ . ~` stay, every other byte becomes `%XX` with
/// upper-case hex (so space is `%20`, `/` is `%2F`).
///
/// # Examples
///
/// ```
/// assert_eq!(credential_core::sign::percent_encode(b"a b/+*~"), "a%20b%2F%2B%2A~");
/// ```
pub fn percent_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    push_percent_encoded(&mut out, input);
    out
}

/// [`percent_encode`], appended to `out`.
pub(crate) fn push_percent_encoded(out: &mut String, input: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Lower-case hex of `bytes`, appended to `out` (what `hex::encode` returns, without a
/// `String` of its own).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

/// Lower-case hex of the SHA-256 of `data`, appended to `out`.
pub(crate) fn push_sha256_hex(out: &mut String, data: &[u8]) {
    push_hex(out, &crate::digest::sha256(data));
}

/// Appends `text` to `out` with ASCII letters lower-cased.
pub(crate) fn push_ascii_lowercase(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
}

/// Percent-decodes `input` to bytes. Like Python's `unquote`, a `%` not followed by two hex
/// digits is kept literally, and `+` stays `+` (it is not a space here).
///
/// # Examples
///
/// ```
/// assert_eq!(credential_core::sign::percent_decode("a%20b+%zz"), b"a b+%zz");
/// ```
pub fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|&c| hex_value(c));
            let lo = bytes.get(i + 2).and_then(|&c| hex_value(c));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Compares a computed MAC with the hex signature from a request, in constant time. The
/// received hex is lower-cased first (the SDKs send lower case; upper case is harmless).
pub(crate) fn mac_matches_hex(mac: &[u8; 32], signature_hex: &str) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let received = signature_hex.as_bytes();
    // Lengths are not secret: every signature is 64 hex digits.
    if received.len() != 64 {
        return false;
    }
    let mut expected = [0u8; 64];
    for (pair, &b) in expected.chunks_exact_mut(2).zip(mac) {
        pair.copy_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
    }
    let mut lowered = [0u8; 64];
    for (l, r) in lowered.iter_mut().zip(received) {
        *l = r.to_ascii_lowercase();
    }
    constant_time_eq(&expected, &lowered)
}

/// Finds the single value of a header by case-insensitive name.
pub(crate) fn header_value<'a>(
    headers: &[(&str, &'a str)],
    name: &str,
) -> Result<Option<&'a str>, SignatureError> {
    let mut found = None;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            if found.is_some() {
                return Err(SignatureError::DuplicateSignedHeader(
                    name.to_ascii_lowercase(),
                ));
            }
            found = Some(*v);
        }
    }
    Ok(found)
}

/// Appends `name:value\n` to `out` for each signed header, looked up case-insensitively.
pub(crate) fn push_canonical_headers(
    out: &mut String,
    headers: &[(&str, &str)],
    signed_headers: &[String],
    lowercase_values: bool,
) -> Result<(), SignatureError> {
    for name in signed_headers {
        let value = header_value(headers, name)?
            .ok_or_else(|| SignatureError::MissingSignedHeader(name.to_ascii_lowercase()))?
            .trim();
        push_ascii_lowercase(out, name);
        out.push(':');
        if lowercase_values {
            out.push_str(&value.to_lowercase());
        } else {
            out.push_str(value);
        }
        out.push('\n');
    }
    Ok(())
}

/// Appends the signed header names, lower case, joined by `;`.
pub(crate) fn push_signed_list(out: &mut String, signed_headers: &[String]) {
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_ascii_lowercase(out, name);
    }
}

/// Parses `k1=v1, k2=v2, k3=v3` into values for exactly the given keys, in any order.
pub(crate) fn parse_fields<'a, const N: usize>(
    text: &'a str,
    keys: [&str; N],
) -> Result<[&'a str; N], SignatureError> {
    let mut values: [Option<&'a str>; N] = [None; N];
    for part in text.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::MalformedAuthorization)?;
        let slot = keys
            .iter()
            .position(|key| *key == k)
            .and_then(|i| values.get_mut(i))
            .ok_or(SignatureError::MalformedAuthorization)?;
        if slot.is_some() || v.is_empty() {
            return Err(SignatureError::MalformedAuthorization);
        }
        *slot = Some(v);
    }
    let mut out = [""; N];
    for (o, v) in out.iter_mut().zip(values) {
        *o = v.ok_or(SignatureError::MalformedAuthorization)?;
    }
    Ok(out)
}

/// Splits `a;b;c` into lower-case header names; empty names are an error.
pub(crate) fn parse_signed_headers(list: &str) -> Result<Vec<String>, SignatureError> {
    list.split(';')
        .map(|h| {
            let ok = !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && b != b':');
            ok.then(|| h.to_ascii_lowercase())
                .ok_or(SignatureError::MalformedAuthorization)
        })
        .collect()
}

/// True for 64 hex digits.
pub(crate) fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("é".as_bytes()), "%C3%A9");
        assert_eq!(percent_decode("%c3%A9"), "é".as_bytes());
        assert_eq!(percent_decode("%"), b"%");
        assert_eq!(percent_decode("%4"), b"%4");
    }

    #[test]
    fn fields() {
        assert_eq!(parse_fields("A=1, B=2", ["A", "B"]).unwrap(), ["1", "2"]);
        assert_eq!(parse_fields("B=2,A=1", ["A", "B"]).unwrap(), ["1", "2"]);
        assert!(parse_fields("A=1, A=2", ["A", "B"]).is_err());
        assert!(parse_fields("A=1", ["A", "B"]).is_err());
        assert!(parse_fields("A=1, B=2, C=3", ["A", "B"]).is_err());
        assert!(parse_fields("A=, B=2", ["A", "B"]).is_err());
    }

    proptest! {
        /// The same answer as comparing `hex::encode(mac)` with the lower-cased signature.
        #[test]
        fn mac_hex_compare_matches_hex_encode(mac in any::<[u8; 32]>(), other in "[0-9a-fA-F]{0,70}", upper in any::<bool>()) {
            let hex = hex::encode(mac);
            let sent = if upper { hex.to_ascii_uppercase() } else { hex.clone() };
            prop_assert!(mac_matches_hex(&mac, &sent));
            prop_assert_eq!(mac_matches_hex(&mac, &other), hex == other.to_ascii_lowercase());
            let mut out = String::from("x");
            push_hex(&mut out, &mac);
            prop_assert_eq!(out, format!("x{hex}"));
        }

        #[test]
        fn decode_inverts_encode(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(percent_decode(&percent_encode(&bytes)), bytes);
        }

        #[test]
        fn decode_never_panics(s in ".{0,64}") {
            let _ = percent_decode(&s);
        }
    }
}
