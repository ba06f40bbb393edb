//! `/internal/v1/*`: what other services need from IAM (verifying keys, revocations).
//! Guarded by the internal credential; never meant to be exposed publicly.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::auth::wire::{
    DirectoryAnswer, DirectoryCheck, KeySet, Refusal, RevocationPage, SignatureCheck,
    SignatureVerdict, DIRECTORY_CHECKS_PATH, KEYS_PATH, REVOCATIONS_PATH, SIGNATURE_CHECKS_PATH,
};
use service_kit::auth::SignatureVerifier;
use service_kit::db;

use crate::app::Json;
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
    body: Json<SignatureCheck>,
) -> Result<HttpResponse, IamError> {
    guard(&state, &req)?;
    let verdict = match state.signatures.check(body.into_inner()).await {
        Ok(principal) => SignatureVerdict::Accepted(principal),
        Err(e) => match Refusal::from_auth_error(&e) {
            Some(refusal) => SignatureVerdict::Refused(refusal),
            None => return Err(IamError::from(e)),
        },
    };
    Ok(HttpResponse::Ok().json(verdict))
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
