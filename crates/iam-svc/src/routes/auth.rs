//! `/v3/auth/*`: issue, validate and revoke tokens; the caller's projects and domains.

use std::sync::Arc;

use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use credential_core::iam_token::TokenClaims;
use serde_json::json;
use service_kit::db;

use crate::error::{IamError, Json};
use crate::policy::{self, Action, Caller, Target};
use crate::repo;
use crate::revocation;
use crate::state::AppState;
use crate::tokens::{self, AuthRequest};
use crate::views;

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
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
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

/// Verify the subject token and ask the policy whether the caller may do `action` with
/// it (the tokens of other domains are not theirs to see). Validation answers the same
/// for every standing, so it reads no database.
fn verified_subject(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    action: Action,
) -> Result<Arc<TokenClaims>, IamError> {
    let subject = subject_token(req.headers())?;
    let claims = state.verifier.verify(subject, Utc::now()).map_err(|e| {
        if e.is_unavailable() {
            IamError::from(e)
        } else {
            IamError::NotFound("token")
        }
    })?;
    policy::check_blind(&caller.principal, action, subject_of(&claims, caller))
        .map_err(token_named)?;
    Ok(claims)
}

fn subject_of<'a>(claims: &'a TokenClaims, caller: &Caller) -> Target<'a> {
    Target {
        domain_id: &claims.domain_id,
        own: claims.user_id == caller.user_id,
    }
}

fn token_named(e: IamError) -> IamError {
    match e {
        IamError::NotFound(_) => IamError::NotFound("token"),
        other => other,
    }
}

async fn validate_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let claims = verified_subject(&state, &caller, &req, Action::ValidateToken)?;
    let subject = subject_token(req.headers())?.to_string();
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
    verified_subject(&state, &caller, &req, Action::CheckToken)?;
    Ok(HttpResponse::Ok().finish())
}

async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, IamError> {
    let subject = subject_token(req.headers())?;
    // An unknown or already revoked token is not found, whoever asks.
    let claims = state.verifier.verify(subject, Utc::now()).map_err(|e| {
        if e.is_unavailable() {
            IamError::from(e)
        } else {
            IamError::NotFound("token")
        }
    })?;
    let p = caller.principal.clone();
    db::write(&state.pool, move |conn| {
        let target = Target {
            domain_id: &claims.domain_id,
            own: claims.user_id == p.user_id,
        };
        policy::check(conn, &p, Action::RevokeToken, target).map_err(token_named)?;
        revocation::token_revoked(conn, &claims.token_id, claims.expires_at.naive_utc())
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn my_projects(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    policy::check_blind(&p, Action::ListAuthProjects, Target::domain(&p))?;
    let projects = db::run(&state.pool, move |conn| {
        let domain_wide =
            !repo::grants::user_domain_roles(conn, &p.user_id, &p.domain_id)?.is_empty();
        let filter = repo::projects::ProjectFilter {
            ids: if domain_wide {
                None
            } else {
                Some(repo::grants::user_project_ids(conn, &p.user_id)?)
            },
            enabled: Some(true),
            ..Default::default()
        };
        Ok::<_, IamError>(repo::projects::list(conn, &p.domain_id, &filter)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, false)).collect::<Vec<_>>(),
        "links": { "self": format!("{base}/v3/auth/projects") },
    })))
}

async fn my_domains(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    policy::check_blind(&p, Action::ListAuthDomains, Target::domain(&p))?;
    let domain = db::run(&state.pool, move |conn| {
        let has_roles =
            !repo::grants::user_domain_roles(conn, &p.user_id, &p.domain_id)?.is_empty();
        Ok::<_, IamError>(if has_roles {
            repo::domains::find(conn, &p.domain_id)?
        } else {
            None
        })
    })
    .await?;
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
