//! Long-term and temporary registry credentials of an instance:
//! `/v2/{project_id}/instances/{instance_id}/long-term-credential(s)` and `/temp-credential`.
//! Each handler extracts the request, runs one `domain::credentials` function on the pool
//! (a create at the time the write reads from the clock) and renders its answer;
//! the auth_token is rendered once, at creation.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::json;

use service_kit::db;

use crate::domain::credentials::{self, CreateBody, CredentialPath, Issued, UpdateBody};
use crate::domain::InstancePath;
use crate::error::{Caller, Json, SwrError};
use crate::repo::credentials::Credential;
use crate::state::AppState;
use crate::views::swr_time;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let base = "/v2/{project_id}/instances/{instance_id}";
    cfg.route(
        &format!("{base}/long-term-credential"),
        web::post().to(create),
    )
    .route(
        &format!("{base}/long-term-credentials"),
        web::get().to(list),
    )
    .service(
        web::resource(format!("{base}/long-term-credentials/{{credential_id}}"))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .route(
        &format!("{base}/temp-credential"),
        web::post().to(create_temporary),
    );
}

/// A new credential with its auth_token, the one answer that shows it.
fn issued_view(issued: &Issued) -> HttpResponse {
    let row = &issued.credential;
    HttpResponse::Created().json(json!({
        "auth_token": issued.token.expose(),
        "created_at": swr_time(row.created_at),
        "expire_date": swr_time(row.expires_at),
        "token_id": row.id,
        "user_id": row.user_id,
    }))
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, instance, body) = (
        caller.principal,
        InstancePath::from(path.into_inner()),
        body.into_inner(),
    );
    let (rules, clock) = (state.config.credentials.clone(), state.clock.clone());
    let issued = db::write(&state.pool, move |conn| {
        credentials::create_long_term(conn, &p, instance, body, &rules, clock.stored_now())
    })
    .await?;
    Ok(issued_view(&issued))
}

async fn create_temporary(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, instance) = (caller.principal, InstancePath::from(path.into_inner()));
    let (rules, clock) = (state.config.credentials.clone(), state.clock.clone());
    let issued = db::write(&state.pool, move |conn| {
        credentials::create_temporary(conn, &p, instance, &rules, clock.stored_now())
    })
    .await?;
    Ok(issued_view(&issued))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (p, instance, query) = (
        caller.principal,
        InstancePath::from(path.into_inner()),
        query.into_inner(),
    );
    let (rows, total) = db::run(&state.pool, move |conn| {
        credentials::list(conn, &p, instance, &query)
    })
    .await?;
    let now = state.clock.stored_now();
    Ok(HttpResponse::Ok().json(CredentialPage {
        total,
        auth_tokens: rows.iter().map(|c| CredentialView::of(c, now)).collect(),
    }))
}

/// A page of credentials as SWR lists them; typed rather than a `Value` tree, because
/// lists are the most frequent answer.
#[derive(Serialize)]
struct CredentialPage<'a> {
    total: i64,
    auth_tokens: Vec<CredentialView<'a>>,
}

#[derive(Serialize)]
struct CredentialView<'a> {
    token_id: &'a str,
    name: &'a str,
    user_id: &'a str,
    instance_id: &'a str,
    enable: bool,
    created_at: String,
    expire_date: String,
    user_profile: &'a str,
    status: &'static str,
}

impl<'a> CredentialView<'a> {
    fn of(c: &'a Credential, now: NaiveDateTime) -> Self {
        let status = if c.revoked_at.is_some() {
            "revoked"
        } else if c.expires_at <= now {
            "expired"
        } else if c.enabled {
            "active"
        } else {
            "disabled"
        };
        CredentialView {
            token_id: &c.id,
            name: &c.name,
            user_id: &c.user_id,
            instance_id: &c.instance_id,
            enable: c.enabled,
            created_at: swr_time(c.created_at),
            expire_date: swr_time(c.expires_at),
            user_profile: &c.user_name,
            status,
        }
    }
}

fn credential_path(
    (project_id, instance_id, credential_id): (String, String, String),
) -> CredentialPath {
    CredentialPath {
        project_id,
        instance_id,
        credential_id,
    }
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, path, enable) = (
        caller.principal,
        credential_path(path.into_inner()),
        body.into_inner().enable,
    );
    db::write(&state.pool, move |conn| {
        credentials::set_enabled(conn, &p, path, enable)
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, path) = (caller.principal, credential_path(path.into_inner()));
    db::write(&state.pool, move |conn| credentials::delete(conn, &p, path)).await?;
    Ok(HttpResponse::NoContent().finish())
}
