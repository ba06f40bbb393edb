//! `/internal/v1/*`: what other services need from IAM (verifying keys, revocations).
//! Guarded by the internal credential, checked before anything else; never meant to be
//! exposed publicly. The rules live in [`crate::directory`] and `state.signatures`.

use std::collections::HashMap;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpResponse, ResponseError};
use service_kit::auth::wire::{
    DirectoryCheck, KeySet, SignatureCheck, SignatureRelease, DIRECTORY_CHECKS_PATH, KEYS_PATH,
    REVOCATIONS_PATH, SIGNATURE_CHECKS_PATH, SIGNATURE_RELEASES_PATH,
};
use service_kit::auth::{AuthError, SignatureVerifier};
use service_kit::db;
use service_kit::http::errors;

use crate::directory;
use crate::error::{IamError, Json};
use crate::state::AppState;

/// Every route under this prefix, known or not, answers only to the internal credential.
const PREFIX: &str = "/internal/v1";

pub fn configure(cfg: &mut web::ServiceConfig) {
    let under = |path: &'static str| path.strip_prefix(PREFIX).unwrap_or(path);
    cfg.service(
        web::scope(PREFIX)
            .wrap(from_fn(internal_only))
            .route(under(KEYS_PATH), web::get().to(keys))
            .route(under(REVOCATIONS_PATH), web::get().to(revocations))
            .route(
                under(SIGNATURE_CHECKS_PATH),
                web::post().to(check_signature),
            )
            .route(
                under(SIGNATURE_RELEASES_PATH),
                web::post().to(release_signature),
            )
            .route(
                under(DIRECTORY_CHECKS_PATH),
                web::post().to(check_directory),
            )
            .default_service(web::to(errors::not_found::<IamError>)),
    );
}

/// The credential is checked before anything else of the request is read (its body, its
/// query, even whether the route exists), so a caller without it learns nothing.
async fn internal_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let accepted = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.internal.accepts(req.request()));
    if !accepted {
        let refusal = IamError::Unauthenticated(AuthError::Missing).error_response();
        return Ok(req.into_response(refusal));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

async fn keys(state: web::Data<AppState>) -> Result<HttpResponse, IamError> {
    Ok(HttpResponse::Ok().json(KeySet {
        keys: state.verifying_keys.clone(),
    }))
}

async fn revocations(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let after = match query.get("after") {
        None => 0,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| IamError::BadRequest("after must be an integer".into()))?,
    };
    let now = state.clock.stored_now();
    let read = move |conn: &mut _| directory::revocations_after(conn, after, now);
    let page = db::run(&state.pool, read).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Check a signature for another service (a permanent key's, or a temporary key iam-svc
/// issued): the principal, or why not. A refusal is a normal answer (200); only our own
/// failures are errors.
async fn check_signature(
    state: web::Data<AppState>,
    body: Json<SignatureCheck>,
) -> Result<HttpResponse, IamError> {
    let verdict = state.signature_verdict(body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(verdict))
}

/// Give back a signature accepted for a request that failed at the calling service, so
/// the same signed request may come again (an SDK's retry). Permanent and temporary
/// keys share the one replay memory in this database.
async fn release_signature(
    state: web::Data<AppState>,
    body: Json<SignatureRelease>,
) -> Result<HttpResponse, IamError> {
    state.signatures.release(body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Which of the named users and groups the domain lacks.
async fn check_directory(
    state: web::Data<AppState>,
    body: web::Json<DirectoryCheck>,
) -> Result<HttpResponse, IamError> {
    let check = body.into_inner();
    directory::within_limit(&check)?;
    let answer = db::run(&state.pool, move |conn| directory::missing(conn, &check)).await?;
    Ok(HttpResponse::Ok().json(answer))
}
