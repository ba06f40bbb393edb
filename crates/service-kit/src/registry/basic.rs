//! HTTP Basic credentials: `Authorization: Basic base64(user:pass)`, split at the first `:`.

use actix_web::http::header::AUTHORIZATION;
use actix_web::HttpRequest;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use credential_core::SecretString;
use zeroize::Zeroizing;

/// Padding is optional: some clients leave it off.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A username and its password, as the client sent them.
pub struct BasicCredentials {
    /// Everything before the first `:`.
    pub username: String,
    /// Everything after it.
    pub password: SecretString,
}

/// The request's Basic credentials; `None` when absent, not Basic, not base64, not UTF-8,
/// without a `:`, or with an empty username or password.
pub(crate) fn basic_credentials(req: &HttpRequest) -> Option<BasicCredentials> {
    parse_header(req.headers().get(AUTHORIZATION)?.to_str().ok()?)
}

/// The Basic credentials of an `Authorization` header value (what
/// [`super::token`] reads from every `GET /service/token`); `None` as for a request.
pub fn parse_header(value: &str) -> Option<BasicCredentials> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    parse(encoded.trim())
}

fn parse(encoded: &str) -> Option<BasicCredentials> {
    let decoded = Zeroizing::new(LENIENT.decode(encoded).ok()?);
    let text = std::str::from_utf8(&decoded).ok()?;
    let (username, password) = text.split_once(':')?;
    if username.is_empty() || password.is_empty() {
        return None;
    }
    Some(BasicCredentials {
        username: username.to_string(),
        password: SecretString::from(password),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD as B64;

    fn creds(text: &[u8]) -> Option<(String, String)> {
        parse(&B64.encode(text)).map(|c| (c.username, c.password.expose().to_string()))
    }

    #[test]
    fn splits_at_the_first_colon() {
        assert_eq!(
            creds(b"alice:pa:ss"),
            Some(("alice".into(), "pa:ss".into()))
        );
        assert_eq!(
            creds(b"u-1:swr_abc"),
            Some(("u-1".into(), "swr_abc".into()))
        );
    }

    #[test]
    fn refuses_what_is_not_a_user_and_a_password() {
        for bad in [
            &b"alice"[..],
            b":secret",
            b"alice:",
            b"",
            b"al\xffice:secret",
            b"alice:\xff",
        ] {
            assert!(creds(bad).is_none(), "{bad:?}");
        }
        assert!(parse("not base64!").is_none());
    }

    #[test]
    fn padding_is_optional() {
        let encoded = B64.encode("alice:secret1");
        assert!(encoded.ends_with('='));
        assert!(parse(encoded.trim_end_matches('=')).is_some());
    }

    #[test]
    fn the_header_scheme_is_case_insensitive_and_must_be_basic() {
        let value = format!("basic {}", B64.encode("alice:secret"));
        let req = actix_web::test::TestRequest::default()
            .insert_header((AUTHORIZATION, value))
            .to_http_request();
        assert_eq!(
            basic_credentials(&req).map(|c| c.username),
            Some("alice".into())
        );
        let req = actix_web::test::TestRequest::default()
            .insert_header((AUTHORIZATION, "Bearer abc"))
            .to_http_request();
        assert!(basic_credentials(&req).is_none());
    }
}
