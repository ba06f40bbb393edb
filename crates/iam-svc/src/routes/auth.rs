//! `/v3/auth/*`: issue, validate and revoke tokens; the caller's projects and domains. The
//! rules live in [`crate::tokens`], [`crate::subjects`] and [`crate::scopes`]; these
//! handlers read the request and render the answer.

use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use service_kit::db;
use service_kit::http::client_address;

use crate::error::{IamError, Json};
use crate::policy::{Action, Caller};
use crate::state::AppState;
use crate::tokens::{self, AuthRequest};
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

fn wants_catalog(req: &HttpRequest) -> bool {
    !req.query_string()
        .split('&')
        .any(|kv| kv.split('=').next() == Some("nocatalog"))
}

async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<AuthRequest>,
) -> Result<HttpResponse, IamError> {
    let address = client_address(&req, &state.config.server.trusted_proxies);
    let (token, claims) = tokens::login(&state, body.into_inner().auth, &address).await?;
    Ok(HttpResponse::Created()
        .insert_header((SUBJECT_TOKEN, token))
        .json(views::token(
            &claims,
            &state.config.public_url,
            wants_catalog(&req),
        )))
}

fn subject_token(headers: &HeaderMap) -> Result<&str, IamError> {
    headers
        .get(SUBJECT_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| IamError::BadRequest("X-Subject-Token header is required".into()))
}

async fn validate_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let subject = subject_token(req.headers())?;
    let claims = subjects::inspect(&state, &caller.principal, subject, Action::ValidateToken)?;
    let subject = subject.to_string();
    Ok(HttpResponse::Ok()
        .insert_header((SUBJECT_TOKEN, subject))
        .json(views::token(
            &claims,
            &state.config.public_url,
            wants_catalog(&req),
        )))
}

async fn check_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let subject = subject_token(req.headers())?;
    subjects::inspect(&state, &caller.principal, subject, Action::CheckToken)?;
    Ok(HttpResponse::Ok().finish())
}

async fn revoke_token(
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

async fn my_projects(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, IamError> {
    scopes::allowed(&caller.principal, Action::ListAuthProjects)?;
    let p = caller.principal;
    let projects = db::run(&state.pool, move |conn| scopes::projects(conn, &p)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, false)).collect::<Vec<_>>(),
        "links": { "self": format!("{base}/v3/auth/projects") },
    })))
}

async fn my_domains(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, IamError> {
    scopes::allowed(&caller.principal, Action::ListAuthDomains)?;
    let p = caller.principal;
    let domain = db::run(&state.pool, move |conn| scopes::domain(conn, &p)).await?;
    let base = &state.config.public_url;
    let domains: Vec<_> = domain
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "name": d.name, "enabled": d.enabled, "description": d.description,
                "links": { "self": format!("{base}/v3/domains/{}", d.id) },
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(
        json!({ "domains": domains, "links": { "self": format!("{base}/v3/auth/domains") } }),
    ))
}
