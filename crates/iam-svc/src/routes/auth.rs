//! `/v3/auth/*`: issue, validate and revoke tokens; the caller's projects and domains. The
//! rules live in [`crate::tokens`], [`crate::subjects`] and [`crate::scopes`]; these
//! handlers read the request and render the answer.

use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::db;
use service_kit::http::client_address;

use crate::catalog::{self, CatalogEntry};
use crate::error::{IamError, Json, KeystoneError};
use crate::openapi::{HeadRefusals, Refusals};
use crate::policy::{Action, Caller};
use crate::state::AppState;
use crate::tokens::{self, AuthRequest};
use crate::views::{DomainList, ProjectList, TokenBody};
use crate::{scopes, subjects, views};

const SUBJECT_TOKEN: &str = "x-subject-token";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3/auth/tokens")
            .route(web::post().to(create_token))
            .route(web::get().to(validate_token))
            .route(web::head().to(check_token))
            .route(web::delete().to(revoke_token)),
    )
    .route("/v3/auth/projects", web::get().to(my_projects))
    .route("/v3/auth/domains", web::get().to(my_domains));
}

/// The token's catalog: the whole service catalog, or none with `?nocatalog`.
fn token_catalog<'a>(state: &'a AppState, req: &HttpRequest) -> Vec<CatalogEntry<'a>> {
    let nocatalog = req
        .query_string()
        .split('&')
        .any(|kv| kv.split('=').next() == Some("nocatalog"));
    if nocatalog {
        Vec::new()
    } else {
        catalog::entries(&state.config)
    }
}

/// Log in: a token for a password, or for another token
///
/// The token is in the `X-Subject-Token` header of the answer; the body describes it.
/// Wrong user, domain or password and a disabled user are one 401. Attempts are counted
/// per user and per address: over the limit, 429 until the window passes.
#[utoipa::path(post, path = "/v3/auth/tokens", tag = "tokens",
    operation_id = "KeystoneCreateUserTokenByPassword",
    params(("nocatalog" = Option<String>, Query,
        description = "Present (with any value or none): the token's catalog is empty.")),
    request_body = AuthRequest,
    responses(
        (status = 201, description = "The token was issued.", body = TokenBody,
            headers(("X-Subject-Token" = String, description = "The token, for `X-Auth-Token`."))),
        (status = 400, description = "A malformed body, or one naming neither or both scopes.",
            body = KeystoneError),
        (status = 401, description = "Wrong credentials, an invalid token, or a scope the user \
            holds no role on.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        (status = 429, description = "Too many failed attempts for the user or the address.",
            body = KeystoneError),
        (status = 503, description = "The database is unavailable.", body = KeystoneError),
    ))]
pub(crate) async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<AuthRequest>,
) -> Result<HttpResponse, IamError> {
    let address = client_address(&req, &state.config.server.trusted_proxies);
    let (token, claims) = tokens::login(&state, body.into_inner().auth, &address).await?;
    Ok(HttpResponse::Created()
        .insert_header((SUBJECT_TOKEN, token))
        .json(views::token(&claims, token_catalog(&state, &req))))
}

fn subject_token(headers: &HeaderMap) -> Result<&str, IamError> {
    headers
        .get(SUBJECT_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| IamError::BadRequest("X-Subject-Token header is required".into()))
}

/// Validate a token and read it
#[utoipa::path(get, path = "/v3/auth/tokens", tag = "tokens",
    operation_id = "KeystoneValidateToken",
    params(
        ("X-Subject-Token" = String, Header, description = "The token to validate."),
        ("nocatalog" = Option<String>, Query,
            description = "Present (with any value or none): the token's catalog is empty."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The token is valid.", body = TokenBody,
            headers(("X-Subject-Token" = String, description = "The token validated."))),
        (status = 404, description = "The token is invalid, expired or revoked, or of another \
            domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn validate_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let subject = subject_token(req.headers())?;
    let claims = subjects::inspect(&state, &caller.principal, subject, Action::ValidateToken)?;
    let subject = subject.to_string();
    Ok(HttpResponse::Ok()
        .insert_header((SUBJECT_TOKEN, subject))
        .json(views::token(&claims, token_catalog(&state, &req))))
}

/// Check a token
#[utoipa::path(head, path = "/v3/auth/tokens", tag = "tokens",
    operation_id = "KeystoneCheckToken",
    params(("X-Subject-Token" = String, Header, description = "The token to check.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The token is valid."),
        HeadRefusals,
    ))]
pub(crate) async fn check_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let subject = subject_token(req.headers())?;
    subjects::inspect(&state, &caller.principal, subject, Action::CheckToken)?;
    Ok(HttpResponse::Ok().finish())
}

/// Revoke a token
///
/// Every replica and service refuses it within seconds.
#[utoipa::path(delete, path = "/v3/auth/tokens", tag = "tokens",
    operation_id = "KeystoneRevokeToken",
    params(("X-Subject-Token" = String, Header, description = "The token to revoke.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The token is revoked."),
        (status = 404, description = "The token is invalid, expired or already revoked, or of \
            another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let claims = subjects::verify(&state, subject_token(req.headers())?)?;
    let (p, now) = (caller.principal, state.clock.stored_now());
    db::write(&state.pool, move |conn| {
        subjects::revoke(conn, &p, &claims, now)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The projects the caller may scope a token to
#[utoipa::path(get, path = "/v3/auth/projects", tag = "tokens",
    operation_id = "KeystoneListAuthProjects",
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The enabled projects the caller holds a role on (all of \
            the domain's with a role on the domain), in their own domain only.", body = ProjectList),
        Refusals,
    ))]
pub(crate) async fn my_projects(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, IamError> {
    scopes::allowed(&caller.principal, Action::ListAuthProjects)?;
    let p = caller.principal;
    let projects = db::run(&state.pool, move |conn| scopes::projects(conn, &p)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(ProjectList {
        links: views::self_link(base, "/v3/auth/projects"),
        projects: projects
            .iter()
            .map(|x| views::project(x, base, false))
            .collect(),
    }))
}

/// The domains the caller may scope a token to
#[utoipa::path(get, path = "/v3/auth/domains", tag = "tokens",
    operation_id = "KeystoneListAuthDomains",
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The caller's own domain (account): the one a \
            `GlobalCredentials` without a domain id resolves to.", body = DomainList),
        Refusals,
    ))]
pub(crate) async fn my_domains(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, IamError> {
    scopes::allowed(&caller.principal, Action::ListAuthDomains)?;
    let p = caller.principal;
    let domain = db::run(&state.pool, move |conn| scopes::domain(conn, &p)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(DomainList {
        domains: domain.iter().map(|d| views::domain(d, base)).collect(),
        links: views::self_link(base, "/v3/auth/domains"),
    }))
}
