//! Long-term and temporary registry credentials of an instance:
//! `/v2/{project_id}/instances/{instance_id}/long-term-credential(s)` and `/temp-credential`.
//! Each handler extracts the request, calls `domain::credentials` and renders its answer;
//! the auth_token is rendered once, at creation.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::json;

use crate::domain::credentials::{self, CreateBody, CredentialPath, Issued, UpdateBody};
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
    let (project_id, instance_id) = path.into_inner();
    let issued =
        credentials::create_long_term(&state, &caller, project_id, instance_id, body.into_inner())
            .await?;
    Ok(issued_view(&issued))
}

async fn create_temporary(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    let issued = credentials::create_temporary(&state, &caller, project_id, instance_id).await?;
    Ok(issued_view(&issued))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    let (rows, total) = credentials::list(&state, &caller, project_id, instance_id, &query).await?;
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
    let path = credential_path(path.into_inner());
    credentials::set_enabled(&state, &caller, path, body.into_inner().enable).await?;
    Ok(HttpResponse::Created().finish())
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    credentials::delete(&state, &caller, credential_path(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}
