//! `/v3/projects`: projects of the caller's domain. The rules live in [`crate::projects`];
//! these handlers read the request, page the list and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db;

use crate::error::{IamError, Json};
use crate::policy::Caller;
use crate::projects::{self, NewProject, ProjectEdit};
use crate::repo;
use crate::state::AppState;
use crate::views;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3/projects")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v3/projects/{project_id}")
            .route(web::get().to(show))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    project: NewProject,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    project: ProjectEdit,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let (p, new, now) = (
        caller.principal,
        body.into_inner().project,
        state.clock.stored_now(),
    );
    let project = db::write(&state.pool, move |conn| {
        projects::create(conn, &p, new, now)
    })
    .await?;
    Ok(HttpResponse::Created()
        .json(json!({ "project": views::project(&project, &state.config.public_url, false) })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let filter = repo::projects::ProjectFilter {
        name: query.get("name").cloned(),
        parent_id: query.get("parent_id").cloned(),
        enabled: super::parse_bool("enabled", query.get("enabled"))?,
        ids: None,
    };
    let page = parse_positive("page", query.get("page"))?.unwrap_or(1);
    let per_page = parse_positive("per_page", query.get("per_page"))?
        .unwrap_or(5000)
        .min(5000);
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let projects = db::run(&state.pool, move |conn| {
        projects::list(conn, &p, asked, filter)
    })
    .await?;
    let base = &state.config.public_url;
    let start = (page - 1).saturating_mul(per_page);
    let items: Vec<_> = projects
        .iter()
        .skip(start)
        .take(per_page)
        .map(|x| views::project(x, base, true))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "projects": items, "links": views::list_links(base, "/v3/projects") })))
}

fn parse_positive(name: &str, v: Option<&String>) -> Result<Option<usize>, IamError> {
    match v {
        None => Ok(None),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(IamError::BadRequest(format!(
                "{name} must be a positive integer"
            ))),
        },
    }
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id) = (caller.principal, path.into_inner());
    let project = db::run(&state.pool, move |conn| projects::show(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "project": views::project(&project, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, edit) = (
        caller.principal,
        path.into_inner(),
        body.into_inner().project,
    );
    let update = move |conn: &mut _| projects::update(conn, &p, &id, edit);
    let project = db::write(&state.pool, update).await?;
    let mut body = views::project(&project, &state.config.public_url, false);
    body["extra"] = json!({});
    Ok(HttpResponse::Ok().json(json!({ "project": body })))
}

/// Every credential scoped to the project dies with it; the feed is refreshed after the
/// commit.
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id, now) = (
        caller.principal,
        path.into_inner(),
        state.clock.stored_now(),
    );
    db::write(&state.pool, move |conn| {
        projects::delete(conn, &p, &id, now)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}
