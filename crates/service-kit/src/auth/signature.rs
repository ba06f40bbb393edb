//! Requests signed with an access key (Huawei SDK-HMAC-SHA256).
//!
//! The [`signed_requests`] middleware reads the body of a signed request (bounded), builds
//! the string to sign from the request as received, checks the clock skew, and asks a
//! [`SignatureVerifier`] — iam-svc itself, or iam-svc over HTTP for other services — to
//! check the MAC. The outcome waits in the request's extensions for the
//! [`Authenticated`](super::Authenticated) extractor, which renders a refusal in the
//! service's own envelope.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use credential_core::sign::huawei::{self, SignableRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;

use super::wire::{Replay, SignatureAlgorithm, SignatureCheck, SignatureRelease};
use super::{AuthError, Principal, TokenVerifier};
use crate::clock::Clock;

/// Checks signatures for the access keys an issuer holds.
pub trait SignatureVerifier: Send + Sync + 'static {
    /// Check the MAC (and the security token, if any) and resolve the principal. An
    /// issuer accepts each signature once (see [`replay`](super::replay)).
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>>;

    /// Give back a signature `check` accepted, because the request failed: the same
    /// request may then be sent again (an SDK's retry). Issuers that do not remember
    /// signatures have nothing to give back.
    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        let _ = release;
        Box::pin(async { Ok(()) })
    }
}

/// The longest a failed request's answer waits for its signature to be given back. The
/// release is a write to the issuer's database, often the very thing that failed the
/// request: waiting out the issuer's own database timeout there would double the wait
/// the caller sees in an outage. A release cut short costs what a failed one costs.
pub const GIVE_BACK_WAIT: Duration = Duration::from_millis(500);

/// Give back the signature of a request whose answer is a failure, so the SDK's retry of
/// the same signed request is not taken for a replay. A failed release only costs that
/// retry; it is logged.
pub async fn give_back(verifier: &dyn SignatureVerifier, release: SignatureRelease) {
    match actix_web::rt::time::timeout(GIVE_BACK_WAIT, verifier.release(release)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => log::warn!("could not give back the signature of a failed request: {e}"),
        Err(_) => log::warn!(
            "could not give back the signature of a failed request within {} ms",
            GIVE_BACK_WAIT.as_millis()
        ),
    }
}

/// Limits of the middleware.
#[derive(Clone, Debug)]
pub struct SignatureSettings {
    /// Largest body read for hashing; larger signed requests are refused.
    pub max_body_bytes: usize,
    /// Largest accepted distance between `X-Sdk-Date` and our clock.
    pub max_skew: Duration,
}

/// The outcome of checking a signed request, for the extractor.
#[derive(Clone, Debug)]
pub(crate) struct SignedOutcome(pub Result<Principal, AuthError>);

const SCHEME_PREFIX: &str = "SDK-HMAC-SHA256 ";

/// Headers that choose the caller's scope or credential.
const SCOPE_HEADERS: [&str; 3] = ["x-project-id", "x-domain-id", "x-security-token"];

/// The middleware: `.wrap(from_fn(signed_requests))`. Needs `web::Data<SignatureSettings>`
/// and `web::Data<dyn SignatureVerifier>` in the app data. Requests without a
/// SDK-HMAC-SHA256 `Authorization` header pass untouched.
pub async fn signed_requests(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let signed = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(SCHEME_PREFIX));
    if !signed {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let verifier = req.app_data::<web::Data<dyn SignatureVerifier>>().cloned();
    let outcome = check_request(&mut req).await;
    let accepted = outcome.as_ref().ok().map(|(_, release)| release.clone());
    req.extensions_mut()
        .insert(SignedOutcome(outcome.map(|(principal, _)| principal)));
    let res = next.call(req).await?;
    let failed = !(res.status().is_success() || res.status().is_redirection());
    if let (true, Some(verifier), Some(release)) = (failed, verifier, accepted) {
        give_back(verifier.get_ref(), release).await;
    }
    Ok(res.map_into_boxed_body())
}

/// The service's clock: the one its token verifier reads, so a signed request and a token
/// are judged at the same time (the system clock in an app without a verifier).
fn service_clock(req: &ServiceRequest) -> Clock {
    req.app_data::<web::Data<TokenVerifier>>()
        .map_or_else(Clock::system, |verifier| verifier.clock().clone())
}

/// The principal, and what gives its signature back if the request fails.
async fn check_request(
    req: &mut ServiceRequest,
) -> Result<(Principal, SignatureRelease), AuthError> {
    let settings = req
        .app_data::<web::Data<SignatureSettings>>()
        .cloned()
        .ok_or_else(|| AuthError::IssuerUnavailable("signature settings missing".into()))?;
    let verifier = req
        .app_data::<web::Data<dyn SignatureVerifier>>()
        .cloned()
        .ok_or_else(|| AuthError::IssuerUnavailable("no signature verifier".into()))?;
    let body = read_body(req, settings.max_body_bytes).await?;
    // Put the body back for the handler's own extractors.
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body.clone());
    req.set_payload(payload.into());

    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect();
    let signable = SignableRequest {
        method: req.method().as_str(),
        path: req.uri().path(),
        query: req.query_string(),
        headers: &headers,
        body: &body,
    };
    // The body is what the handler acts on: a signature that leaves it out would let a
    // captured request carry any body. No official SDK call of these JSON APIs needs it.
    if signable.is_unsigned_payload() {
        return Err(AuthError::MalformedSignature(
            "UNSIGNED-PAYLOAD is not accepted: sign the body".into(),
        ));
    }
    let prepared = huawei::prepare_verification(&signable)
        .map_err(|e| AuthError::MalformedSignature(e.to_string()))?;
    let skew =
        chrono::Duration::from_std(settings.max_skew).unwrap_or(chrono::Duration::minutes(15));
    if !credential_core::expiry::within_skew(prepared.sdk_date, service_clock(req).now(), skew) {
        return Err(AuthError::SignatureExpired);
    }
    // A scope or token header decides who the caller acts as, so it counts only when the
    // signature covers it; an unsigned one could be swapped in a replayed request.
    let signed_headers = &prepared.authorization.signed_headers;
    for name in SCOPE_HEADERS {
        let present = signable.header(name).ok().flatten().is_some();
        if present && !signed_headers.iter().any(|h| h == name) {
            return Err(AuthError::MalformedSignature(format!(
                "{name} must be signed"
            )));
        }
    }
    let header = |name: &str| {
        signable
            .header(name)
            .ok()
            .flatten()
            .map(|v| v.trim().to_string())
    };
    let check = SignatureCheck {
        algorithm: SignatureAlgorithm::SdkHmacSha256,
        access: prepared.authorization.access,
        string_to_sign: prepared.string_to_sign,
        signature: prepared.authorization.signature,
        tc3_date: None,
        tc3_service: None,
        project_id: header("x-project-id"),
        domain_id: header("x-domain-id"),
        own_domain: false,
        security_token: header("x-security-token"),
        // Every part of a Huawei request is signed, so a GET cannot be replayed as
        // anything but itself, and reading again is harmless.
        replay: if matches!(req.method().as_str(), "GET" | "HEAD") {
            Replay::Repeatable
        } else {
            Replay::Once
        },
    };
    let release = SignatureRelease {
        access: check.access.clone(),
        signature: check.signature.clone(),
        temporary: check.security_token.is_some(),
    };
    Ok((verifier.check(check).await?, release))
}

async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, AuthError> {
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AuthError::MalformedSignature(format!("body unreadable: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AuthError::MalformedSignature(
                "signed body too large".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An issuer that never answers (its database hung).
    struct Hung;

    impl SignatureVerifier for Hung {
        fn check(&self, _: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
            Box::pin(std::future::pending())
        }

        fn release(&self, _: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
            Box::pin(std::future::pending())
        }
    }

    #[actix_web::test]
    async fn a_give_back_the_issuer_never_answers_holds_the_answer_only_its_wait() {
        let release = SignatureRelease {
            access: "AKTEST00000000000001".into(),
            signature: "mac".into(),
            temporary: false,
        };
        let started = std::time::Instant::now();
        give_back(&Hung, release).await;
        let waited = started.elapsed();
        assert!(waited >= GIVE_BACK_WAIT, "{waited:?}");
        assert!(waited < GIVE_BACK_WAIT * 3, "{waited:?}");
    }
}
