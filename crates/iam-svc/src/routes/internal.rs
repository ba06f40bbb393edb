//! `/internal/v1/*`: what other services need from IAM (verifying keys, revocations).
//! Guarded by the internal credential; never meant to be exposed publicly.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use service_kit::auth::wire::{
    DirectoryAnswer, DirectoryCheck, KeySet, Refusal, RevocationPage, SignatureCheck,
    SignatureVerdict, DIRECTORY_CHECKS_PATH, KEYS_PATH, REVOCATIONS_PATH, SIGNATURE_CHECKS_PATH,
};
use service_kit::auth::SignatureVerifier;
use service_kit::db;
use service_kit::http::json::describe;
use service_kit::http::BodyError;

use crate::error::IamError;
use crate::repo;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(KEYS_PATH, web::get().to(keys))
        .route(REVOCATIONS_PATH, web::get().to(revocations))
        .route(SIGNATURE_CHECKS_PATH, web::post().to(check_signature))
        .route(DIRECTORY_CHECKS_PATH, web::post().to(check_directory));
}

fn guard(state: &AppState, req: &HttpRequest) -> Result<(), IamError> {
    if state.internal.accepts(req) {
        Ok(())
    } else {
        Err(IamError::Unauthenticated(
            service_kit::auth::AuthError::Missing,
        ))
    }
}

async fn keys(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, IamError> {
    guard(&state, &req)?;
    Ok(HttpResponse::Ok().json(KeySet {
        keys: state.verifying_keys.clone(),
    }))
}

async fn revocations(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    guard(&state, &req)?;
    let after = match query.get("after") {
        None => 0,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| IamError::BadRequest("after must be an integer".into()))?,
    };
    let events = db::run(&state.pool, move |conn| {
        Ok::<_, IamError>(repo::revocations::after(conn, after, repo::now())?)
    })
    .await?;
    let last_seq = events
        .iter()
        .map(|e| e.seq)
        .max()
        .unwrap_or(after)
        .max(after);
    Ok(HttpResponse::Ok().json(RevocationPage { events, last_seq }))
}

/// Check a signature for another service: the principal, or why not. A refusal is a
/// normal answer (200); only our own failures are errors.
async fn check_signature(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, IamError> {
    // Refused as the body extractor `crate::app::Json` would, so before the credential.
    let check = signature_check(&body)?;
    guard(&state, &req)?;
    let verdict = match state.signatures.check(check).await {
        Ok(principal) => SignatureVerdict::Accepted(principal),
        Err(e) => match Refusal::from_auth_error(&e) {
            Some(refusal) => SignatureVerdict::Refused(refusal),
            None => return Err(IamError::from(e)),
        },
    };
    Ok(HttpResponse::Ok().json(verdict))
}

/// The body of a signature check, refused exactly as `StrictJson` (`crate::app::Json`)
/// refuses one, without its copies: it clones the parsed body, then serialises the result
/// back to compare shapes, which for this flat body can only find a top-level array read
/// by position. Every signed request in the system comes through here.
fn signature_check(raw: &Value) -> Result<SignatureCheck, BodyError> {
    if contains_nul(raw) {
        return Err(BodyError::Invalid(
            "Text must not contain NUL characters.".into(),
        ));
    }
    let check = SignatureCheck::deserialize(raw).map_err(|e| BodyError::Invalid(describe(&e)))?;
    if !raw.is_object() {
        return Err(BodyError::Invalid(
            "Invalid request body: body must be a JSON object.".into(),
        ));
    }
    Ok(check)
}

fn contains_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// Which of the named users and groups the domain lacks (for services that let a caller
/// name them, such as lakeformation-svc's credential requests).
async fn check_directory(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<DirectoryCheck>,
) -> Result<HttpResponse, IamError> {
    guard(&state, &req)?;
    let check = body.into_inner();
    if check.user_names.len() + check.groups.len() > 100 {
        return Err(IamError::BadRequest("At most 100 names per check.".into()));
    }
    let answer = db::run(&state.pool, move |conn| {
        let mut answer = DirectoryAnswer::default();
        for name in &check.user_names {
            if repo::users::find_by_name(conn, &check.domain_id, name)?.is_none() {
                answer.missing_user_names.push(name.clone());
            }
        }
        for name in &check.groups {
            if repo::groups::find_by_name(conn, &check.domain_id, name)?.is_none() {
                answer.missing_groups.push(name.clone());
            }
        }
        Ok::<_, IamError>(answer)
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use service_kit::http::json::parse;

    use super::*;

    /// The shortcut answers every body as `StrictJson` does, value or message.
    #[test]
    fn signature_check_bodies_are_read_as_strict_json_reads_them() {
        let good = json!({
            "algorithm": "TC3-HMAC-SHA256", "access": "AK", "string_to_sign": "sts",
            "signature": "ab", "tc3_date": "2024-01-01", "tc3_service": "tcr",
            "project_id": "p", "domain_id": null, "own_domain": true,
            "security_token": "t", "unknown": {"nested": [1, "x"]},
        });
        let mut bodies = vec![
            good.clone(),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": "AK", "string_to_sign": "s", "signature": "0"}),
            json!(["SDK-HMAC-SHA256", "AK", "s", "0"]),
            json!([
                "SDK-HMAC-SHA256",
                "AK",
                "s",
                "0",
                null,
                null,
                "p",
                null,
                false,
                null
            ]),
            json!(["SDK-HMAC-SHA256", "AK", "s"]),
            json!([["SDK-HMAC-SHA256"], "AK", "s", "0"]),
            json!({"algorithm": "MD5", "access": "AK", "string_to_sign": "s", "signature": "0"}),
            json!({"algorithm": 7, "access": "AK", "string_to_sign": "s", "signature": "0"}),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": ["AK"], "string_to_sign": "s", "signature": "0"}),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": {"a": 1}, "string_to_sign": "s", "signature": "0"}),
            json!({"algorithm": "SDK-HMAC-SHA256", "string_to_sign": "s", "signature": "0"}),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": "AK", "string_to_sign": "s", "signature": "0", "own_domain": "yes"}),
            json!({"access": "A\u{0}K"}),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": "AK", "string_to_sign": "s", "signature": "0", "x\u{0}": 1}),
            json!({"algorithm": "SDK-HMAC-SHA256", "access": "AK", "string_to_sign": "s", "signature": "0", "x": ["\u{0}"]}),
            json!({}),
            json!([]),
            json!(null),
            json!("SDK-HMAC-SHA256"),
            json!(12),
        ];
        for key in [
            "algorithm",
            "access",
            "signature",
            "project_id",
            "own_domain",
        ] {
            let mut partial = good.clone();
            partial[key] = Value::Null;
            bodies.push(partial);
        }
        for body in bodies {
            let strict = parse::<SignatureCheck>(body.clone());
            let quick = signature_check(&body);
            match (strict, quick) {
                (Ok(a), Ok(b)) => assert_eq!(
                    serde_json::to_value(a).unwrap(),
                    serde_json::to_value(b).unwrap(),
                    "{body}"
                ),
                (Err(a), Err(b)) => assert_eq!(a, b, "{body}"),
                (a, b) => panic!(
                    "{body}: StrictJson {:?}, shortcut {:?}",
                    a.is_ok(),
                    b.is_ok()
                ),
            }
        }
    }

    /// The shortcut relies on the body having no object below the top level: `StrictJson`
    /// checks nested objects too, so a nested field would need its checks here.
    #[test]
    fn a_signature_check_is_flat() {
        let full = json!({
            "algorithm": "TC3-HMAC-SHA256", "access": "AK", "string_to_sign": "sts",
            "signature": "ab", "tc3_date": "d", "tc3_service": "s", "project_id": "p",
            "domain_id": "d", "own_domain": true, "security_token": "t",
        });
        let check: SignatureCheck = serde_json::from_value(full).unwrap();
        let Value::Object(fields) = serde_json::to_value(check).unwrap() else {
            panic!("a signature check serialises to an object");
        };
        for (name, value) in fields {
            assert!(!value.is_object() && !value.is_array(), "{name} is nested");
        }
    }
}
