//! Tencent Cloud `TC3-HMAC-SHA256` request signatures (reference: `tencent-sdk-wire.md` §2).
//!
//! The canonical URI is always `/`; the GET query is used raw (not decoded or sorted); the
//! key is derived from the secret key, the UTC date of `X-TC-Timestamp` and the service.
//! Header values: the SDK signs them raw, the public spec lower-cases them, so a verifier
//! should accept a match with either [`canonical_request`] or
//! [`canonical_request_lowercase_values`].

use chrono::{DateTime, Datelike};
use zeroize::Zeroize;

use super::{
    hmac_sha256, is_hex64, mac_matches_hex, parse_fields, parse_signed_headers,
    push_canonical_headers, push_sha256_hex, push_signed_list, SignatureError,
};

/// The algorithm name at the start of the `Authorization` header and the string to sign.
pub const TC3_HMAC_SHA256: &str = "TC3-HMAC-SHA256";
/// The fixed last element of the credential scope.
pub const TC3_REQUEST: &str = "tc3_request";
/// The literal payload used with `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Authorization {
    /// The SecretId.
    pub secret_id: String,
    /// The scope date, `YYYY-MM-DD`.
    pub date: String,
    /// The scope service, e.g. `tcr`.
    pub service: String,
    /// Signed header names, lower case, in the order given.
    pub signed_headers: Vec<String>,
    /// The signature as sent (64 hex digits).
    pub signature: String,
}

impl Tc3Authorization {
    /// Checks that the scope matches the request: the date is the UTC date of `timestamp`
    /// and the service is `service`.
    pub fn check_scope(&self, timestamp: i64, service: &str) -> Result<(), SignatureError> {
        if date_of_timestamp(timestamp).as_deref() == Some(self.date.as_str())
            && self.service == service
        {
            Ok(())
        } else {
            Err(SignatureError::ScopeMismatch)
        }
    }
}

/// Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
/// SignedHeaders=<a;b>, Signature=<hex>`. `content-type` and `host` must be signed.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent::parse_authorization;
///
/// let auth = parse_authorization(&format!(
///     "TC3-HMAC-SHA256 Credential=AKID1/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature={}",
///     "a".repeat(64)
/// ))?;
/// assert_eq!((auth.secret_id.as_str(), auth.date.as_str(), auth.service.as_str()), ("AKID1", "2023-11-14", "tcr"));
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn parse_authorization(header: &str) -> Result<Tc3Authorization, SignatureError> {
    let rest = header
        .strip_prefix(TC3_HMAC_SHA256)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(SignatureError::MalformedAuthorization)?;
    let [credential, signed, signature] =
        parse_fields(rest, ["Credential", "SignedHeaders", "Signature"])?;
    let mut scope = credential.split('/');
    let (Some(secret_id), Some(date), Some(service), Some(TC3_REQUEST), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(SignatureError::MalformedAuthorization);
    };
    if secret_id.is_empty() || service.is_empty() || !is_date(date) || !is_hex64(signature) {
        return Err(SignatureError::MalformedAuthorization);
    }
    let signed_headers = parse_signed_headers(signed)?;
    if !signed_headers.iter().any(|h| h == "content-type") {
        return Err(SignatureError::ContentTypeNotSigned);
    }
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(SignatureError::HostNotSigned);
    }
    Ok(Tc3Authorization {
        secret_id: secret_id.to_owned(),
        date: date.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Builds the canonical request with header values as received (what the SDK signs).
/// The query is used only for GET (POST signs an empty query); the payload is the body,
/// except for GET (empty) and with `unsigned_payload` (the literal `UNSIGNED-PAYLOAD`).
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent::canonical_request;
///
/// let headers = [("Content-Type", "application/json"), ("Host", "127.0.0.1:18084")];
/// let signed = vec!["content-type".to_string(), "host".to_string()];
/// let c = canonical_request("POST", "ignored=1", &headers, &signed, b"{}", false)?;
/// assert!(c.starts_with("POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:18084\n\ncontent-type;host\n"));
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn canonical_request(
    method: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed_headers: &[String],
    body: &[u8],
    unsigned_payload: bool,
) -> Result<String, SignatureError> {
    build(
        method,
        query,
        headers,
        signed_headers,
        body,
        unsigned_payload,
        false,
    )
}

/// Like [`canonical_request`] but with header values lower-cased, as the public spec says.
pub fn canonical_request_lowercase_values(
    method: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed_headers: &[String],
    body: &[u8],
    unsigned_payload: bool,
) -> Result<String, SignatureError> {
    build(
        method,
        query,
        headers,
        signed_headers,
        body,
        unsigned_payload,
        true,
    )
}

fn build(
    method: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed_headers: &[String],
    body: &[u8],
    unsigned_payload: bool,
    lowercase_values: bool,
) -> Result<String, SignatureError> {
    let is_get = method.eq_ignore_ascii_case("GET");
    let query = if is_get { query } else { "" };
    let payload: &[u8] = if unsigned_payload {
        UNSIGNED_PAYLOAD.as_bytes()
    } else if is_get {
        b""
    } else {
        body
    };
    // Built in one buffer: this runs for every signed request a service receives.
    let mut out = String::with_capacity(method.len() + query.len() + 256);
    out.push_str(method);
    out.make_ascii_uppercase();
    out.push_str("\n/\n");
    out.push_str(query);
    out.push('\n');
    push_canonical_headers(&mut out, headers, signed_headers, lowercase_values)?;
    out.push('\n');
    push_signed_list(&mut out, signed_headers);
    out.push('\n');
    push_sha256_hex(&mut out, payload);
    Ok(out)
}

/// `TC3-HMAC-SHA256\n<timestamp>\n<date>/<service>/tc3_request\n<hex sha256(canonical)>`.
pub fn string_to_sign(
    timestamp: &str,
    date: &str,
    service: &str,
    canonical_request: &str,
) -> String {
    let mut out = format!("{TC3_HMAC_SHA256}\n{timestamp}\n{date}/{service}/{TC3_REQUEST}\n");
    push_sha256_hex(&mut out, canonical_request.as_bytes());
    out
}

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp; `None` outside the years
/// 0000 to 9999, which no credential scope can name (its date has four-digit years), so
/// such a timestamp can neither be signed nor match a scope.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent::date_of_timestamp;
///
/// assert_eq!(date_of_timestamp(1_700_000_000).as_deref(), Some("2023-11-14"));
/// // Milliseconds given as seconds: the year 55840.
/// assert_eq!(date_of_timestamp(1_700_000_000_000), None);
/// ```
pub fn date_of_timestamp(timestamp: i64) -> Option<String> {
    let t = DateTime::from_timestamp(timestamp, 0)?;
    let (year, month, day) = (t.year(), t.month(), t.day());
    (0..=9999)
        .contains(&year)
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// The derived signing key: `HMAC(HMAC(HMAC("TC3" + SK, date), service), "tc3_request")`.
pub fn signing_key(secret_key: &[u8], date: &str, service: &str) -> [u8; 32] {
    let mut first_key = Vec::with_capacity(3 + secret_key.len());
    first_key.extend_from_slice(b"TC3");
    first_key.extend_from_slice(secret_key);
    let mut k_date = hmac_sha256(&first_key, date.as_bytes());
    first_key.zeroize();
    let mut k_service = hmac_sha256(&k_date, service.as_bytes());
    k_date.zeroize();
    let k_signing = hmac_sha256(&k_service, TC3_REQUEST.as_bytes());
    k_service.zeroize();
    k_signing
}

/// The signature: lower-case hex HMAC of the string to sign under [`signing_key`].
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent::{sign, verify};
///
/// let sig = sign(b"SK", "2023-11-14", "tcr", "sts");
/// assert!(verify(b"SK", "2023-11-14", "tcr", "sts", &sig));
/// assert!(!verify(b"SK", "2023-11-15", "tcr", "sts", &sig));
/// ```
pub fn sign(secret_key: &[u8], date: &str, service: &str, string_to_sign: &str) -> String {
    let mut key = signing_key(secret_key, date, service);
    let sig = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    key.zeroize();
    sig
}

/// Checks a received signature in constant time.
pub fn verify(
    secret_key: &[u8],
    date: &str,
    service: &str,
    string_to_sign: &str,
    signature_hex: &str,
) -> bool {
    let mut key = signing_key(secret_key, date, service);
    let ok = mac_matches_hex(&hmac_sha256(&key, string_to_sign.as_bytes()), signature_hex);
    key.zeroize();
    ok
}

/// A request to sign on the client side (see [`sign_request`]).
#[derive(Debug, Clone, Copy)]
pub struct Tc3Request<'a> {
    /// HTTP method, `POST` or `GET`.
    pub method: &'a str,
    /// Raw query string without `?` (signed only for GET).
    pub query: &'a str,
    /// All headers; must include the signed ones and `X-TC-Timestamp`.
    pub headers: &'a [(&'a str, &'a str)],
    /// Raw body bytes.
    pub body: &'a [u8],
    /// True when the request carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
    pub unsigned_payload: bool,
}

/// Client side: the full `Authorization` header value for a request. `signed_headers`
/// are lower-cased, sorted and de-duplicated; `content-type` and `host` must be among them.
/// `timestamp` must equal the request's `X-TC-Timestamp` header.
///
/// # Examples
///
/// ```
/// use credential_core::sign::tencent::{sign_request, Tc3Request};
///
/// let headers = [("Content-Type", "application/json"), ("Host", "h"), ("X-TC-Timestamp", "1700000000")];
/// let req = Tc3Request { method: "POST", query: "", headers: &headers, body: b"{}", unsigned_payload: false };
/// let auth = sign_request(&req, "AKID", b"SK", "tcr", 1_700_000_000, &["host".into(), "content-type".into()])?;
/// assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKID/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature="));
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn sign_request(
    req: &Tc3Request,
    secret_id: &str,
    secret_key: &[u8],
    service: &str,
    timestamp: i64,
    signed_headers: &[String],
) -> Result<String, SignatureError> {
    let mut names: Vec<String> = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    if !names.iter().any(|h| h == "content-type") {
        return Err(SignatureError::ContentTypeNotSigned);
    }
    if !names.iter().any(|h| h == "host") {
        return Err(SignatureError::HostNotSigned);
    }
    let date = date_of_timestamp(timestamp).ok_or(SignatureError::MalformedDate)?;
    let canonical = canonical_request(
        req.method,
        req.query,
        req.headers,
        &names,
        req.body,
        req.unsigned_payload,
    )?;
    let sts = string_to_sign(&timestamp.to_string(), &date, service, &canonical);
    let signature = sign(secret_key, &date, service, &sts);
    Ok(format!(
        "{TC3_HMAC_SHA256} Credential={secret_id}/{date}/{service}/{TC3_REQUEST}, SignedHeaders={}, Signature={signature}",
        names.join(";")
    ))
}

#[cfg(test)]
mod tests;
