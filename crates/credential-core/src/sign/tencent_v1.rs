//! Tencent Cloud's legacy signature ("v1": `HmacSHA256`, `HmacSHA1`) and the form encoding
//! its parameters travel in (reference: `tencent-sdk-wire.md` §2, "Legacy signature v1").
//!
//! Every parameter, the signature's own (`Action`, `Nonce`, `Timestamp`, `SecretId`,
//! `SignatureMethod`, ...) and the action's flattened ones (`Name.0`, `Name.Sub`), travels
//! form-encoded in the body (POST) or the query (GET). The signature is
//! `base64(HMAC(SecretKey, METHOD + host + path + "?" + k=v&... ))` over every parameter but
//! `Signature`, keys sorted, values as decoded. This module parses the form and builds and
//! checks that string; what the parameters mean is the receiving service's.

use base64::Engine;
use ring::hmac;
use thiserror::Error;

use crate::secret::constant_time_eq;

/// The parameter that carries the signature; the only one left out of the string to sign.
pub const SIGNATURE: &str = "Signature";

/// The MAC a v1 signature is made with (`SignatureMethod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V1Method {
    /// `HmacSHA256`.
    HmacSha256,
    /// `HmacSHA1`: SHA-1 is weak; the vendor still accepts it.
    HmacSha1,
}

impl V1Method {
    /// The method a `SignatureMethod` value names, if any (exact spelling, as the SDKs send).
    ///
    /// # Examples
    ///
    /// ```
    /// use credential_core::sign::tencent_v1::V1Method;
    ///
    /// assert_eq!(V1Method::parse("HmacSHA256"), Some(V1Method::HmacSha256));
    /// assert_eq!(V1Method::parse("hmacsha256"), None);
    /// ```
    pub fn parse(name: &str) -> Option<V1Method> {
        match name {
            "HmacSHA256" => Some(V1Method::HmacSha256),
            "HmacSHA1" => Some(V1Method::HmacSha1),
            _ => None,
        }
    }

    /// The `SignatureMethod` value.
    pub fn as_str(self) -> &'static str {
        match self {
            V1Method::HmacSha256 => "HmacSHA256",
            V1Method::HmacSha1 => "HmacSHA1",
        }
    }

    fn algorithm(self) -> hmac::Algorithm {
        match self {
            V1Method::HmacSha256 => hmac::HMAC_SHA256,
            V1Method::HmacSha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        }
    }
}

/// Why a form could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormError {
    /// A name or value decodes to bytes that are not UTF-8 text.
    #[error("parameter {0:?} is not UTF-8 text")]
    NotText(String),
    /// A pair has an empty name (`=x`, or `&&` is fine but `=` alone is not).
    #[error("a parameter has no name")]
    EmptyName,
    /// The same name twice: which value was signed and which is read is ambiguous.
    #[error("parameter {0:?} occurs more than once")]
    Duplicate(String),
}

/// Decodes `application/x-www-form-urlencoded` text (a POST body or a query string) into
/// its pairs, in order: `+` is a space, `%XX` a byte, and every name and value must be
/// UTF-8. Empty pieces (`a=1&&b=2`) are skipped; a piece without `=` is a name with an
/// empty value. A name given twice is refused.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent_v1::parse_form;
///
/// let pairs = parse_form("Action=DescribeInstances&Registryids.0=tcr-1&Desc=a+b%C3%A9")?;
/// assert_eq!(pairs[2], ("Desc".to_string(), "a bé".to_string()));
/// assert!(parse_form("A=1&A=2").is_err());
/// # Ok::<(), credential_core::sign::tencent_v1::FormError>(())
/// ```
pub fn parse_form(input: &str) -> Result<Vec<(String, String)>, FormError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in input.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = decode_component(name)?;
        if name.is_empty() {
            return Err(FormError::EmptyName);
        }
        let value = decode_component(value).map_err(|_| FormError::NotText(name.clone()))?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(FormError::Duplicate(name));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn decode_component(text: &str) -> Result<String, FormError> {
    let spaced = text.replace('+', " ");
    String::from_utf8(super::percent_decode(&spaced))
        .map_err(|_| FormError::NotText(text.chars().take(64).collect()))
}

/// The string a v1 signature signs: `METHOD + host + path + "?"` and every parameter but
/// `Signature` as `name=value`, joined by `&`, sorted by name after `_` became `.` (as
/// tencentcloud-sdk-python writes the names there; the Node SDK's names have no `_`).
/// Values are the decoded ones, not re-encoded.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent_v1::string_to_sign;
///
/// let params = [("Nonce".to_string(), "1".to_string()), ("Action".to_string(), "A".to_string()),
///     ("Signature".to_string(), "x".to_string())];
/// assert_eq!(string_to_sign("post", "127.0.0.1:8084", "/", &params), "POST127.0.0.1:8084/?Action=A&Nonce=1");
/// ```
pub fn string_to_sign(method: &str, host: &str, path: &str, params: &[(String, String)]) -> String {
    let mut signed: Vec<(String, &str)> = params
        .iter()
        .filter(|(name, _)| name != SIGNATURE)
        .map(|(name, value)| (name.replace('_', "."), value.as_str()))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = method.to_ascii_uppercase();
    out.push_str(host);
    out.push_str(path);
    out.push('?');
    for (i, (name, value)) in signed.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The signature of `string_to_sign`: standard base64 of the HMAC under the secret key.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent_v1::{sign, verify, V1Method};
///
/// let sig = sign(b"SK", V1Method::HmacSha256, "POSTh/?A=1");
/// assert!(verify(b"SK", V1Method::HmacSha256, "POSTh/?A=1", &sig));
/// assert!(!verify(b"SK", V1Method::HmacSha1, "POSTh/?A=1", &sig));
/// ```
pub fn sign(secret_key: &[u8], method: V1Method, string_to_sign: &str) -> String {
    let tag = hmac::sign(
        &hmac::Key::new(method.algorithm(), secret_key),
        string_to_sign.as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

/// Checks a received signature in constant time (the base64 text as sent).
pub fn verify(secret_key: &[u8], method: V1Method, string_to_sign: &str, signature: &str) -> bool {
    let expected = sign(secret_key, method, string_to_sign);
    // Lengths are not secret: each method's signature has one length.
    expected.len() == signature.len() && constant_time_eq(expected.as_bytes(), signature.as_bytes())
}

#[cfg(test)]
mod tests;
