//! Huawei Cloud `SDK-HMAC-SHA256` request signatures (reference: `huawei-sdk-wire.md` §2).
//!
//! The canonical request is rebuilt from the request exactly as received; the SK itself is
//! the HMAC key (no derivation, no scope). A verifier calls [`prepare_verification`] (or
//! [`parse_authorization`] + [`canonical_request`] + [`string_to_sign`]), checks the date
//! against its clock, then [`verify`] with the SK.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::{
    header_value, hmac_sha256, mac_matches_hex, parse_fields, parse_signed_headers, percent_decode,
    push_canonical_headers, push_percent_encoded, push_sha256_hex, push_signed_list,
    SignatureError,
};

/// The algorithm name at the start of the `Authorization` header and the string to sign.
pub const SDK_HMAC_SHA256: &str = "SDK-HMAC-SHA256";
/// The request date header.
pub const SDK_DATE_HEADER: &str = "x-sdk-date";
/// Header carrying the security token of temporary credentials.
pub const SECURITY_TOKEN_HEADER: &str = "x-security-token";
/// Header that replaces the body hash, e.g. with [`UNSIGNED_PAYLOAD`].
pub const CONTENT_SHA256_HEADER: &str = "x-sdk-content-sha256";
/// The only `X-Sdk-Content-Sha256` value that is used literally.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The date format of `X-Sdk-Date`.
pub const SDK_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request as received, borrowed from the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method (any case; upper-cased for signing).
    pub method: &'a str,
    /// The path exactly as received, still percent-encoded, without the query.
    pub path: &'a str,
    /// The raw query string without the leading `?` (empty if none).
    pub query: &'a str,
    /// All headers, names in any case, values as received.
    pub headers: &'a [(&'a str, &'a str)],
    /// The raw body bytes as received.
    pub body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// The value of a header, by case-insensitive name. `Err` if it occurs more than once.
    pub fn header(&self, name: &str) -> Result<Option<&'a str>, SignatureError> {
        header_value(self.headers, name)
    }

    /// True when the body is excluded from the signature (`X-Sdk-Content-Sha256:
    /// UNSIGNED-PAYLOAD` with a non-empty body). A service may refuse such requests.
    pub fn is_unsigned_payload(&self) -> bool {
        !self.body.is_empty()
            && matches!(self.header(CONTENT_SHA256_HEADER), Ok(Some(v)) if v.trim() == UNSIGNED_PAYLOAD)
    }
}

/// The parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkAuthorization {
    /// The access key id.
    pub access: String,
    /// Signed header names, lower case, in the order given.
    pub signed_headers: Vec<String>,
    /// The signature as sent (64 hex digits).
    pub signature: String,
}

/// Parses `SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<a;b>, Signature=<hex>`.
///
/// # Examples
///
/// ```
/// use credential_core::sign::huawei::parse_authorization;
///
/// let sig = "0".repeat(64);
/// let auth = parse_authorization(&format!(
///     "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature={sig}"
/// ))?;
/// assert_eq!(auth.access, "AK1");
/// assert_eq!(auth.signed_headers, ["host", "x-sdk-date"]);
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn parse_authorization(header: &str) -> Result<SdkAuthorization, SignatureError> {
    let rest = header
        .strip_prefix(SDK_HMAC_SHA256)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(SignatureError::MalformedAuthorization)?;
    let [access, signed, signature] = parse_fields(rest, ["Access", "SignedHeaders", "Signature"])?;
    if !super::is_hex64(signature) {
        return Err(SignatureError::MalformedAuthorization);
    }
    Ok(SdkAuthorization {
        access: access.to_owned(),
        signed_headers: parse_signed_headers(signed)?,
        signature: signature.to_owned(),
    })
}

/// Checks the signed-header rules: `host` and `x-sdk-date` signed, every signed header
/// present exactly once, and `X-Security-Token` signed whenever it is present.
pub fn check_signed_headers(
    req: &SignableRequest,
    signed_headers: &[String],
) -> Result<(), SignatureError> {
    let signs = |name: &str| signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !signs("host") {
        return Err(SignatureError::HostNotSigned);
    }
    if !signs(SDK_DATE_HEADER) {
        return Err(SignatureError::DateNotSigned);
    }
    if req.header(SECURITY_TOKEN_HEADER)?.is_some() && !signs(SECURITY_TOKEN_HEADER) {
        return Err(SignatureError::SecurityTokenNotSigned);
    }
    for name in signed_headers {
        if req.header(name)?.is_none() {
            return Err(SignatureError::MissingSignedHeader(
                name.to_ascii_lowercase(),
            ));
        }
    }
    Ok(())
}

/// Builds the canonical request (six lines; see the wire notes §2.2), after
/// [`check_signed_headers`].
///
/// # Examples
///
/// ```
/// use credential_core::sign::huawei::{canonical_request, SignableRequest};
///
/// let headers = [("Host", "example.com"), ("X-Sdk-Date", "20240101T000000Z")];
/// let req = SignableRequest { method: "get", path: "/v3/a b", query: "b=2&a=1", headers: &headers, body: b"" };
/// let signed = vec!["host".to_string(), "x-sdk-date".to_string()];
/// assert_eq!(
///     canonical_request(&req, &signed)?,
///     "GET\n/v3/a%20b/\na=1&b=2\nhost:example.com\nx-sdk-date:20240101T000000Z\n\nhost;x-sdk-date\n\
///      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn canonical_request(
    req: &SignableRequest,
    signed_headers: &[String],
) -> Result<String, SignatureError> {
    check_signed_headers(req, signed_headers)?;
    // Built in one buffer: this runs for every signed request a service receives.
    let mut out =
        String::with_capacity(req.method.len() + 2 * req.path.len() + 2 * req.query.len() + 256);
    out.push_str(req.method);
    out.make_ascii_uppercase();
    out.push('\n');
    push_canonical_uri(&mut out, req.path);
    out.push('\n');
    push_canonical_query(&mut out, req.query);
    out.push('\n');
    push_canonical_headers(&mut out, req.headers, signed_headers, false)?;
    out.push('\n');
    push_signed_list(&mut out, signed_headers);
    out.push('\n');
    push_payload_hash(&mut out, req)?;
    Ok(out)
}

/// Canonical URI: decode fully, re-encode each `/`-separated segment, end with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    push_canonical_uri(&mut out, path);
    out
}

fn push_canonical_uri(out: &mut String, path: &str) {
    let decoded = percent_decode(path);
    for (i, segment) in decoded.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_percent_encoded(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// Canonical query: pairs split at the first `=`, decoded (`+` stays `+`), sorted by name
/// then value, re-encoded and joined by `&`. Empty parts (`a=1&&b=2`) are skipped.
pub fn canonical_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    push_canonical_query(&mut out, query);
    out
}

fn push_canonical_query(out: &mut String, query: &str) {
    if query.is_empty() {
        return;
    }
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    pairs.sort();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_percent_encoded(out, k);
        out.push('=');
        push_percent_encoded(out, v);
    }
}

/// The payload hash line. Only the literal `UNSIGNED-PAYLOAD` replaces the body hash; any
/// other `X-Sdk-Content-Sha256` value is ignored, so a client cannot claim a hash for a body
/// it did not send.
fn push_payload_hash(out: &mut String, req: &SignableRequest) -> Result<(), SignatureError> {
    if req.body.is_empty() {
        out.push_str(EMPTY_SHA256);
        return Ok(());
    }
    match req.header(CONTENT_SHA256_HEADER)? {
        Some(v) if v.trim() == UNSIGNED_PAYLOAD => out.push_str(UNSIGNED_PAYLOAD),
        _ => push_sha256_hex(out, req.body),
    }
    Ok(())
}

/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(SDK_HMAC_SHA256.len() + sdk_date.len() + 66);
    out.push_str(SDK_HMAC_SHA256);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    push_sha256_hex(&mut out, canonical_request.as_bytes());
    out
}

/// The signature: lower-case hex HMAC-SHA256 of the string to sign, keyed by the SK's bytes.
pub fn sign(secret_key: &[u8], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(secret_key, string_to_sign.as_bytes()))
}

/// Checks a received signature in constant time.
///
/// # Examples
///
/// ```
/// use credential_core::sign::huawei::{sign, verify};
///
/// let sig = sign(b"SK", "string to sign");
/// assert!(verify(b"SK", "string to sign", &sig));
/// assert!(!verify(b"other", "string to sign", &sig));
/// ```
pub fn verify(secret_key: &[u8], string_to_sign: &str, signature_hex: &str) -> bool {
    mac_matches_hex(
        &hmac_sha256(secret_key, string_to_sign.as_bytes()),
        signature_hex,
    )
}

/// Parses an `X-Sdk-Date` value (`%Y%m%dT%H%M%SZ`, UTC), e.g. `20240101T000000Z`.
pub fn parse_sdk_date(s: &str) -> Result<DateTime<Utc>, SignatureError> {
    // chrono accepts variable-width fields; pin the exact 16-character shape first.
    let shape_ok = s.len() == 16
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 => b == b'T',
            15 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(SignatureError::MalformedDate);
    }
    // The fields straight from their fixed places; chrono's pattern interpreter only for
    // what they do not make an ordinary time of (a leap second, or nothing valid).
    let field = |at: usize, len: usize| {
        s.as_bytes()
            .get(at..at + len)
            .map(|digits| {
                digits
                    .iter()
                    .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
            })
            .unwrap_or(u32::MAX)
    };
    let direct = i32::try_from(field(0, 4))
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, field(4, 2), field(6, 2)))
        .and_then(|date| date.and_hms_opt(field(9, 2), field(11, 2), field(13, 2)));
    match direct {
        Some(t) => Ok(t.and_utc()),
        None => NaiveDateTime::parse_from_str(s, SDK_DATE_FORMAT)
            .map(|n| n.and_utc())
            .map_err(|_| SignatureError::MalformedDate),
    }
}

/// Formats a time as an `X-Sdk-Date` value.
pub fn format_sdk_date(t: DateTime<Utc>) -> String {
    t.format(SDK_DATE_FORMAT).to_string()
}

/// Client side: signs `req` and returns the full `Authorization` header value. The names in
/// `signed_headers` are lower-cased, sorted and de-duplicated, as the SDK does; `sdk_date`
/// must equal the request's `X-Sdk-Date` header.
///
/// # Examples
///
/// ```
/// use credential_core::sign::huawei::{sign_request, SignableRequest};
///
/// let headers = [("Host", "127.0.0.1:8081"), ("X-Sdk-Date", "20240101T000000Z")];
/// let req = SignableRequest { method: "GET", path: "/v3/projects", query: "", headers: &headers, body: b"" };
/// let auth = sign_request(&req, "AK", b"SK", &["X-Sdk-Date".into(), "host".into()], "20240101T000000Z")?;
/// assert!(auth.starts_with("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature="));
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn sign_request(
    req: &SignableRequest,
    access: &str,
    secret_key: &[u8],
    signed_headers: &[String],
    sdk_date: &str,
) -> Result<String, SignatureError> {
    let mut names: Vec<String> = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let canonical = canonical_request(req, &names)?;
    let signature = sign(secret_key, &string_to_sign(sdk_date, &canonical));
    Ok(format!(
        "{SDK_HMAC_SHA256} Access={access}, SignedHeaders={}, Signature={signature}",
        names.join(";")
    ))
}

/// Everything a verifier needs, built from a received request without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedVerification {
    /// The parsed `Authorization` header.
    pub authorization: SdkAuthorization,
    /// The parsed `X-Sdk-Date`, for the caller's clock-skew check.
    pub sdk_date: DateTime<Utc>,
    /// The string to sign; pass it with `authorization.signature` to [`verify`].
    pub string_to_sign: String,
}

/// Parses the `Authorization` header of `req`, checks the signed-header rules and the date
/// format, and builds the string to sign. The caller still checks the clock skew and the MAC.
///
/// # Examples
///
/// ```
/// use credential_core::sign::huawei::{prepare_verification, sign_request, verify, SignableRequest};
///
/// let headers = [("Host", "h"), ("X-Sdk-Date", "20240101T000000Z")];
/// let req = SignableRequest { method: "GET", path: "/", query: "", headers: &headers, body: b"" };
/// let auth = sign_request(&req, "AK", b"SK", &["host".into(), "x-sdk-date".into()], "20240101T000000Z")?;
/// let received = [headers[0], headers[1], ("Authorization", auth.as_str())];
/// let req = SignableRequest { headers: &received, ..req };
/// let p = prepare_verification(&req)?;
/// assert!(verify(b"SK", &p.string_to_sign, &p.authorization.signature));
/// # Ok::<(), credential_core::sign::SignatureError>(())
/// ```
pub fn prepare_verification(req: &SignableRequest) -> Result<PreparedVerification, SignatureError> {
    let header = req
        .header("authorization")?
        .ok_or(SignatureError::MalformedAuthorization)?;
    let authorization = parse_authorization(header)?;
    let canonical = canonical_request(req, &authorization.signed_headers)?;
    let date_text = req
        .header(SDK_DATE_HEADER)?
        .ok_or(SignatureError::MalformedDate)?
        .trim();
    let sdk_date = parse_sdk_date(date_text)?;
    Ok(PreparedVerification {
        string_to_sign: string_to_sign(date_text, &canonical),
        authorization,
        sdk_date,
    })
}

#[cfg(test)]
mod tests;
