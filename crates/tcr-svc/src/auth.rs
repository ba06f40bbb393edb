//! Who signed an API 3.0 request, and what the signature covers. Two signatures arrive at
//! `/`, by POST or GET, as the official SDKs send them:
//!
//! * TC3-HMAC-SHA256 ([`tc3`]): an `Authorization` header; the action and version in
//!   `X-TC-*` headers; the parameters as a JSON body (POST) or form-encoded in the query
//!   (GET).
//! * the legacy v1 signature, `HmacSHA256` or `HmacSHA1` ([`v1`]): no `Authorization`;
//!   everything, the signature's own parameters and the action's, form-encoded in the
//!   body (POST) or the query (GET).
//!
//! Either way the signed host must be one of this service's names ([`hosts`]), the MAC is
//! checked by the issuer of the key, which alone holds its secret (iam-svc for permanent
//! keys, the issuer a security token names for temporary ones), and a temporary key is
//! then checked against the revocations this service pulled from iam-svc: its issuer does
//! not know that its user is gone.

pub mod hosts;
mod tc3;
mod v1;

use actix_web::http::Method;
use actix_web::{web, HttpRequest};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use credential_core::expiry::within_skew;
use service_kit::auth::wire::SignatureRelease;
use service_kit::auth::{give_back, Principal};

use crate::error::TcrError;
use crate::state::AppState;

/// A signed request its issuer accepted (once: see `service_kit::auth::replay`).
pub struct Accepted {
    pub principal: Principal,
    /// Gives the signature back if the request fails, so the SDK may send it again; `None`
    /// for a v1 signature, whose nonce the SDKs never send twice.
    pub release: Option<SignatureRelease>,
}

/// Where a signed request carries the action's parameters.
pub enum Carried {
    /// A TC3 POST's JSON body.
    Json(web::Bytes),
    /// A TC3 GET's query string.
    Query(String),
    /// A v1 request's parameters, less the signature's own.
    Form(Vec<(String, String)>),
}

/// What a signed request asks, wherever its signature kind puts it. Read after the
/// signature is accepted, in Tencent's order (version, action, parameters, region).
pub struct Signed {
    pub accepted: Accepted,
    pub version: Option<String>,
    pub action: Option<String>,
    pub params: Carried,
    /// The region, or why the value sent names none.
    pub region: Result<String, TcrError>,
}

/// The signed request `req` with `body`, accepted at `now`, unless its temporary key was
/// issued before its user lost access.
pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
    body: web::Bytes,
    now: DateTime<Utc>,
) -> Result<Signed, TcrError> {
    // A GET signs no body (TC3 hashes an empty payload, v1 signs the query): one sent
    // anyway would travel unsigned.
    if req.method() == Method::GET && !body.is_empty() {
        return Err(TcrError::UnsupportedProtocol(
            "A GET request carries its parameters in the query string, not in a body.".into(),
        ));
    }
    let signed = match header(req, "authorization") {
        Some(authorization) => tc3::check(state, req, authorization, body, now).await?,
        None if is_form(req) => v1::check(state, req, &body, now).await?,
        None => {
            return Err(TcrError::InvalidAuthorization(
                "no Authorization header".into(),
            ))
        }
    };
    let principal = &signed.accepted.principal;
    if let Err(e) = state.verifier.check_temporary(principal, now) {
        if let Some(release) = signed.accepted.release {
            give_back(state.signatures.as_ref(), release).await;
        }
        return Err(e.into());
    }
    Ok(signed)
}

/// Whether `req` may carry a v1 signature: a GET (its query), or a POST of a form.
fn is_form(req: &HttpRequest) -> bool {
    req.method() == Method::GET
        || header(req, "content-type")
            .is_some_and(|t| t.trim().starts_with("application/x-www-form-urlencoded"))
}

fn header<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The `Host` of `req`, if it is one of this service's names.
fn addressed<'r>(state: &AppState, req: &'r HttpRequest) -> Result<hosts::Addressed<'r>, TcrError> {
    header(req, "host")
        .and_then(|h| hosts::Addressed::new(&state.config.api.hosts, h))
        .ok_or(TcrError::HostRefused)
}

/// Whether a request signed at `timestamp` (Unix seconds) is within `max_skew_seconds` of
/// `now`, both counted in whole seconds as the header is. A timestamp no date can hold
/// is as far off as can be.
fn signed_recently(timestamp: i64, now: DateTime<Utc>, max_skew_seconds: u64) -> bool {
    let max_skew = i64::try_from(max_skew_seconds)
        .ok()
        .and_then(Duration::try_seconds)
        .unwrap_or(Duration::MAX);
    DateTime::from_timestamp(timestamp, 0)
        .is_some_and(|claimed| within_skew(claimed, now.trunc_subsecs(0), max_skew))
}

/// The timestamp a signature claims, checked against the clock.
fn timely(text: &str, name: &str, state: &AppState, now: DateTime<Utc>) -> Result<i64, TcrError> {
    let timestamp: i64 = text
        .trim()
        .parse()
        .map_err(|_| TcrError::InvalidParameter(format!("{name} must be Unix seconds.")))?;
    if !signed_recently(timestamp, now, state.config.iam.signature_max_skew_seconds) {
        return Err(TcrError::SignatureExpire);
    }
    Ok(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_timely_within_the_skew_counted_in_whole_seconds() {
        // Half a second past 1000: the header's whole seconds are compared with 1000.
        let now = DateTime::from_timestamp(1_000, 500_000_000).unwrap();
        for (timestamp, timely) in [
            (700, true),
            (699, false),
            (1_300, true),
            (1_301, false),
            (i64::MIN, false),
            (i64::MAX, false),
        ] {
            assert_eq!(signed_recently(timestamp, now, 300), timely, "{timestamp}");
        }
        assert!(signed_recently(1_000, now, 0));
        assert!(signed_recently(-5_000, now, u64::MAX));
    }
}
