//! `POST /internal/v1/signature-checks`: other services ask here about requests that
//! carry a security token (`X-Security-Token`, `X-TC-Token`); `POST
//! /internal/v1/signature-releases` gives back the signature of a request that failed.
//! Guarded by the internal credential; never meant to be exposed publicly.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use service_kit::auth::wire::{
    SignatureCheck, SignatureRelease, SIGNATURE_CHECKS_PATH, SIGNATURE_RELEASES_PATH,
};
use service_kit::auth::{AuthError, InternalCredential, SignatureVerifier};

use crate::error::LfError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(SIGNATURE_CHECKS_PATH, web::post().to(check_signature))
        .route(SIGNATURE_RELEASES_PATH, web::post().to(release_signature));
}

/// The body of another service's call, once its internal credential is accepted. The
/// credential first: strangers learn nothing, not even how the body is judged.
fn internal_body<T: DeserializeOwned>(
    internal: &InternalCredential,
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, LfError> {
    if !internal.accepts(req) {
        return Err(LfError::Unauthenticated(AuthError::Missing));
    }
    serde_json::from_slice(body)
        .map_err(|e| LfError::BadRequest(service_kit::http::json::describe(&e)))
}

async fn check_signature(
    state: web::Data<AppState>,
    internal: web::Data<InternalCredential>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let check: SignatureCheck = internal_body(&internal, &req, &body)?;
    let verdict = state.temporary.verdict(check).await?;
    Ok(HttpResponse::Ok().json(verdict))
}

/// A service whose request failed gives back the signature this issuer accepted for it.
async fn release_signature(
    state: web::Data<AppState>,
    internal: web::Data<InternalCredential>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let release: SignatureRelease = internal_body(&internal, &req, &body)?;
    state.temporary.release(release).await?;
    Ok(HttpResponse::NoContent().finish())
}
