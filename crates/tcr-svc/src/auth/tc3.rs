//! TC3-HMAC-SHA256: the checks Tencent makes, in its order, the MAC itself left to the
//! key's issuer.

use actix_web::http::Method;
use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use credential_core::sign::tencent::{self, Tc3Authorization};
use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureCheck, SignatureRelease};
use service_kit::auth::AuthError;

use super::{addressed, header, hosts::Addressed, timely, Accepted, Carried, Signed};
use crate::error::TcrError;
use crate::registries;
use crate::state::AppState;

pub(super) async fn check(
    state: &AppState,
    req: &HttpRequest,
    authorization: &str,
    body: web::Bytes,
    now: DateTime<Utc>,
) -> Result<Signed, TcrError> {
    let auth = tencent::parse_authorization(authorization)
        .map_err(|e| TcrError::InvalidAuthorization(e.to_string()))?;
    let timestamp_text = header(req, "x-tc-timestamp")
        .ok_or_else(|| TcrError::MissingParameter("X-TC-Timestamp".into()))?
        .trim();
    let timestamp = timely(timestamp_text, "X-TC-Timestamp", state, now)?;
    let host = addressed(state, req)?;
    // The scope's date must be the timestamp's; its service, one this Host allows.
    auth.check_scope(timestamp, &auth.service)
        .map_err(|_| TcrError::SignatureFailure)?;
    if !host.scope_service_allowed(&auth.service) {
        return Err(TcrError::SignatureFailure);
    }
    let unsigned =
        header(req, "x-tc-content-sha256").map(str::trim) == Some(tencent::UNSIGNED_PAYLOAD);
    let get = req.method() == Method::GET;
    // A POST's parameters are its body: a signature that leaves it out would let a
    // captured request carry any parameters. No official SDK call here needs it.
    if unsigned && !get {
        return Err(TcrError::InvalidAuthorization(
            "UNSIGNED-PAYLOAD is not accepted: sign the body".into(),
        ));
    }
    let token = header(req, "x-tc-token").map(str::to_string);
    let release = SignatureRelease {
        access: auth.secret_id.clone(),
        signature: auth.signature.clone(),
        temporary: token.is_some(),
    };
    let check = SignatureCheck {
        algorithm: SignatureAlgorithm::Tc3HmacSha256,
        access: auth.secret_id.clone(),
        string_to_sign: String::new(),
        signature: auth.signature.clone(),
        tc3_date: Some(auth.date.clone()),
        tc3_service: Some(auth.service.clone()),
        project_id: None,
        domain_id: None,
        own_domain: true,
        security_token: token,
        replay: replay_rule(&auth.signed_headers, header(req, "x-tc-action")),
    };
    for string_to_sign in candidates(req, &auth, &host, &body, timestamp_text, unsigned)? {
        let check = SignatureCheck {
            string_to_sign,
            ..check.clone()
        };
        match state.signatures.check(check).await {
            Err(AuthError::SignatureMismatch) => continue,
            Err(e) => return Err(e.into()),
            Ok(principal) => {
                let accepted = Accepted {
                    principal,
                    release: Some(release),
                };
                return Ok(signed(req, accepted, body, get));
            }
        }
    }
    Err(TcrError::SignatureFailure)
}

/// The strings to sign the signature may be over, each once, the likelier first: the SDKs
/// sign header values as sent, the public spec lower-cased; the Node SDK signs the host
/// without its port (see [`super::hosts`]).
fn candidates(
    req: &HttpRequest,
    auth: &Tc3Authorization,
    host: &Addressed<'_>,
    body: &[u8],
    timestamp: &str,
    unsigned: bool,
) -> Result<Vec<String>, TcrError> {
    let method = req.method().as_str();
    // GET signs the raw query; POST signs the body. The path is always "/".
    let query = if method == "GET" {
        req.query_string()
    } else {
        ""
    };
    let node = header(req, "x-tc-requestclient").is_some_and(|c| c.starts_with("SDK_NODEJS"));
    let mut out: Vec<String> = Vec::new();
    for signed_host in host.signed_forms(node) {
        let headers: Vec<(&str, &str)> = req
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
            .map(|(k, v)| {
                if k == "host" {
                    (k, signed_host)
                } else {
                    (k, v)
                }
            })
            .collect();
        for build in [
            tencent::canonical_request,
            tencent::canonical_request_lowercase_values,
        ] {
            let canonical = build(
                method,
                query,
                &headers,
                &auth.signed_headers,
                body,
                unsigned,
            )
            .map_err(|e| TcrError::InvalidAuthorization(e.to_string()))?;
            let sts = tencent::string_to_sign(timestamp, &auth.date, &auth.service, &canonical);
            if !out.contains(&sts) {
                out.push(sts);
            }
        }
    }
    Ok(out)
}

/// What the request asks: the action and version in headers, the parameters in the body
/// (POST) or the query (GET).
fn signed(req: &HttpRequest, accepted: Accepted, body: web::Bytes, get: bool) -> Signed {
    let text = |name| header(req, name).map(|v| v.trim().to_string());
    // A value that is not visible ASCII names no region: refused, not read as none.
    let region = match req.headers().get("x-tc-region") {
        Some(value) => value
            .to_str()
            .map(|v| v.trim().to_string())
            .map_err(|_| registries::region_refused()),
        None => Ok(String::new()),
    };
    Signed {
        accepted,
        version: text("x-tc-version"),
        action: text("x-tc-action"),
        params: if get {
            Carried::Query(req.query_string().to_string())
        } else {
            Carried::Json(body)
        },
        region,
    }
}

/// What the issuer may accept again. A read (`Describe*`, and the `Check*` questions) may
/// be repeated (clients poll). The official
/// SDKs leave `X-TC-Action` out of the signature, so a read's signature is recorded: sent
/// again as `CreateInstanceToken`, it is refused. Anything else is accepted once.
fn replay_rule(signed_headers: &[String], action: Option<&str>) -> Replay {
    let action = action.unwrap_or_default().trim();
    if !(action.starts_with("Describe") || action.starts_with("Check")) {
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
            (&sdk[..], Some("CheckInstanceName"), Replay::Read),
            (&sdk[..], Some("CheckInstance"), Replay::Read),
        ];
        for (signed, action, want) in cases {
            assert_eq!(replay_rule(signed, action), want, "{signed:?} {action:?}");
        }
    }
}
