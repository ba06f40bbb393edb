//! Discovery: the Keystone version documents (`GET /`, `GET /v3`), open to anyone as
//! Keystone's are, and the service catalog of an authenticated caller
//! (`GET /v3/auth/catalog`). The shapes live in [`crate::versions`] and [`crate::catalog`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::catalog::{self, CatalogBody};
use crate::error::IamError;
use crate::openapi::Refusals;
use crate::policy::{self, Action, Caller, Target};
use crate::state::AppState;
use crate::versions::{self, VersionBody, VersionsBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(list_versions))
        .route("/v3", web::get().to(show_version))
        .route("/v3/", web::get().to(show_version_root))
        .route("/v3/auth/catalog", web::get().to(show_catalog));
}

/// The Identity API versions
///
/// Keystone's answer to its root: 300 Multiple Choices with every version (v3 only).
/// No credential is needed.
#[utoipa::path(get, path = "/", tag = "versions", operation_id = "KeystoneListVersions",
    responses(
        (status = 300, description = "The versions iam-svc serves, linked under `public_url`.",
            body = VersionsBody),
    ))]
pub(crate) async fn list_versions(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::build(StatusCode::MULTIPLE_CHOICES).json(versions::all(&state.config.public_url))
}

/// Identity API v3
///
/// No credential is needed.
#[utoipa::path(get, path = "/v3", tag = "versions", operation_id = "KeystoneShowVersion",
    responses(
        (status = 200, description = "Version v3.6, linked under `public_url`.", body = VersionBody),
    ))]
pub(crate) async fn show_version(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(versions::current(&state.config.public_url))
}

/// Identity API v3, at the address its `self` link gives
///
/// The same answer as `GET /v3`. No credential is needed.
#[utoipa::path(get, path = "/v3/", tag = "versions", operation_id = "KeystoneShowVersionRoot",
    responses(
        (status = 200, description = "Version v3.6, linked under `public_url`.", body = VersionBody),
    ))]
pub(crate) async fn show_version_root(state: web::Data<AppState>) -> HttpResponse {
    show_version(state).await
}

/// The service catalog
///
/// Every service of the stack with a configured address (`public_url` for iam-svc,
/// `[catalog]` for the others): the same list as a token's `catalog`.
#[utoipa::path(get, path = "/v3/auth/catalog", tag = "tokens",
    operation_id = "KeystoneShowCatalog",
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "iam-svc, then swr-svc, lakeformation-svc and tcr-svc if \
            configured.", body = CatalogBody),
        Refusals,
    ))]
pub(crate) async fn show_catalog(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, IamError> {
    let p = &caller.principal;
    policy::check_blind(p, Action::ShowCatalog, Target::domain(p))?;
    Ok(HttpResponse::Ok().json(catalog::body(&state.config)))
}
