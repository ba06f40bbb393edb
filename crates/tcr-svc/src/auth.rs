//! TC3-HMAC-SHA256 for API 3.0 requests: the checks Tencent makes, in its order, with the
//! MAC itself checked by iam-svc, which alone holds the secret keys (lakeformation-svc
//! for temporary keys), and a temporary key then checked against the revocations this
//! service pulled from iam-svc: its issuer does not know that its user is gone.

use actix_web::HttpRequest;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use credential_core::expiry::within_skew;
use credential_core::sign::tencent;
use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureCheck, SignatureRelease};
use service_kit::auth::{give_back, AuthError, Principal, SignatureVerifier, TokenVerifier};

use crate::error::TcrError;

/// The service name in every TCR credential scope.
pub const SERVICE: &str = "tcr";

/// A signed request its issuer accepted (once: see `service_kit::auth::replay`).
pub struct Accepted {
    pub principal: Principal,
    /// Gives the signature back if the request fails, so the SDK may send it again.
    pub release: SignatureRelease,
}

/// Who signed the request, scoped to their account (iam-svc domain), unless their
/// temporary key was issued before their user lost access.
pub async fn authenticate(
    verifier: &dyn SignatureVerifier,
    revocations: &TokenVerifier,
    req: &HttpRequest,
    body: &[u8],
    max_skew_seconds: u64,
    now: DateTime<Utc>,
) -> Result<Accepted, TcrError> {
    let accepted = check_signature(verifier, req, body, max_skew_seconds, now).await?;
    if let Err(e) = revocations.check_temporary(&accepted.principal, now) {
        give_back(verifier, accepted.release).await;
        return Err(e.into());
    }
    Ok(accepted)
}

async fn check_signature(
    verifier: &dyn SignatureVerifier,
    req: &HttpRequest,
    body: &[u8],
    max_skew_seconds: u64,
    now: DateTime<Utc>,
) -> Result<Accepted, TcrError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let authorization = header("authorization")
        .ok_or_else(|| TcrError::InvalidAuthorization("no Authorization header".into()))?;
    let auth = tencent::parse_authorization(authorization)
        .map_err(|e| TcrError::InvalidAuthorization(e.to_string()))?;
    let timestamp_text = header("x-tc-timestamp")
        .ok_or_else(|| TcrError::MissingParameter("X-TC-Timestamp".into()))?;
    let timestamp: i64 = timestamp_text
        .trim()
        .parse()
        .map_err(|_| TcrError::InvalidParameter("X-TC-Timestamp must be Unix seconds.".into()))?;
    if !signed_recently(timestamp, now, max_skew_seconds) {
        return Err(TcrError::SignatureExpire);
    }
    auth.check_scope(timestamp, SERVICE)
        .map_err(|_| TcrError::SignatureFailure)?;

    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect();
    let unsigned = header("x-tc-content-sha256").map(str::trim) == Some(tencent::UNSIGNED_PAYLOAD);
    let method = req.method().as_str();
    // A POST's parameters are its body: a signature that leaves it out would let a
    // captured request carry any parameters. No official SDK call here needs it.
    if unsigned && method != "GET" {
        return Err(TcrError::InvalidAuthorization(
            "UNSIGNED-PAYLOAD is not accepted: sign the body".into(),
        ));
    }
    // GET signs the raw query; POST signs the body. The path is always "/".
    let query = if method == "GET" {
        req.query_string()
    } else {
        ""
    };
    let canonical = |lower: bool| {
        let build = if lower {
            tencent::canonical_request_lowercase_values
        } else {
            tencent::canonical_request
        };
        build(
            method,
            query,
            &headers,
            &auth.signed_headers,
            body,
            unsigned,
        )
        .map(|c| tencent::string_to_sign(timestamp_text.trim(), &auth.date, &auth.service, &c))
        .map_err(|e| TcrError::InvalidAuthorization(e.to_string()))
    };
    let check = |string_to_sign: String| SignatureCheck {
        algorithm: SignatureAlgorithm::Tc3HmacSha256,
        access: auth.secret_id.clone(),
        string_to_sign,
        signature: auth.signature.clone(),
        tc3_date: Some(auth.date.clone()),
        tc3_service: Some(auth.service.clone()),
        project_id: None,
        domain_id: None,
        own_domain: true,
        security_token: header("x-tc-token").map(str::to_string),
        replay: replay_rule(&auth.signed_headers, header("x-tc-action")),
    };
    let release = SignatureRelease {
        access: auth.secret_id.clone(),
        signature: auth.signature.clone(),
        temporary: header("x-tc-token").is_some(),
    };
    let accepted = |principal| Accepted { principal, release };
    let as_sent = canonical(false)?;
    match verifier.check(check(as_sent.clone())).await {
        // The SDK signs header values as sent, the public spec lower-cased: accept either.
        Err(AuthError::SignatureMismatch) => {
            let lowered = canonical(true)?;
            if lowered == as_sent {
                return Err(TcrError::SignatureFailure);
            }
            Ok(accepted(verifier.check(check(lowered)).await?))
        }
        other => Ok(accepted(other?)),
    }
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

/// What the issuer may accept again. A read may be repeated (clients poll). The official
/// SDKs leave `X-TC-Action` out of the signature, so a read's signature is recorded: sent
/// again as `CreateInstanceToken`, it is refused. Anything else is accepted once.
fn replay_rule(signed_headers: &[String], action: Option<&str>) -> Replay {
    let action = action.unwrap_or_default().trim();
    if !action.starts_with("Describe") {
        Replay::Once
    } else if signed_headers.iter().any(|h| h == "x-tc-action") {
        Replay::Repeatable
    } else {
        Replay::Read
    }
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

    #[test]
    fn reads_repeat_bound_to_their_action_and_writes_once() {
        let sdk = ["content-type".to_string(), "host".to_string()];
        let with_action = [
            "content-type".to_string(),
            "host".to_string(),
            "x-tc-action".to_string(),
        ];
        let cases = [
            (&sdk[..], Some("DescribeInstanceToken"), Replay::Read),
            (
                &with_action[..],
                Some("DescribeInstanceToken"),
                Replay::Repeatable,
            ),
            (&sdk[..], Some("CreateInstanceToken"), Replay::Once),
            (&with_action[..], Some("DeleteInstanceToken"), Replay::Once),
            (&sdk[..], None, Replay::Once),
            (&sdk[..], Some(" DescribeInstances "), Replay::Read),
        ];
        for (signed, action, want) in cases {
            assert_eq!(replay_rule(signed, action), want, "{signed:?} {action:?}");
        }
    }
}
