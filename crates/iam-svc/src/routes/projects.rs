//! `/v3/projects`: projects of the caller's domain.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::{IamError, Json};
use crate::policy::{self, Action, Caller};
use crate::repo::{self, projects::ProjectChanges};
use crate::revocation;
use crate::state::AppState;
use crate::{validate, views};

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
    project: CreateProject,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateProject {
    name: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    project: UpdateProject,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateProject {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

fn name_conflict(e: StoreError) -> IamError {
    match e {
        StoreError::UniqueViolation => {
            IamError::Conflict("A project with that name already exists in the domain.".into())
        }
        other => other.into(),
    }
}

/// A new project of the caller's domain, its parent a project of the same domain.
fn insert_project(
    conn: &mut DbConnection,
    p: &Principal,
    x: CreateProject,
) -> Result<repo::projects::Project, IamError> {
    let domain_id = policy::in_domain(conn, p, Action::CreateProject, x.domain_id.as_deref())?;
    // A top-level project's parent is its domain, as in Keystone.
    let parent_id = match x.parent_id {
        Some(parent) if parent != domain_id => {
            let found = repo::projects::find(conn, &parent)?;
            if found.is_none_or(|x| x.domain_id != domain_id) {
                return Err(IamError::BadRequest(
                    "parent_id must be a project of the domain".into(),
                ));
            }
            Some(parent)
        }
        _ => None,
    };
    let row = repo::projects::Project {
        id: repo::new_id(),
        domain_id,
        parent_id,
        name: x.name,
        description: x.description.unwrap_or_default(),
        enabled: true,
        created_at: repo::now(),
    };
    repo::projects::insert(conn, &row).map_err(name_conflict)?;
    Ok(row)
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let x = body.into_inner().project;
    validate::resource_name("project", &x.name)?;
    if let Some(d) = &x.description {
        validate::description(d)?;
    }
    let p = caller.principal.clone();
    let project = db::write(&state.pool, move |conn| insert_project(conn, &p, x)).await?;
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
    let asked = query.get("domain_id").cloned();
    let p = caller.principal.clone();
    let projects = db::run(&state.pool, move |conn| {
        // Another domain's projects are not the caller's to list: an empty list.
        if asked.is_some_and(|d| d != p.domain_id) {
            return Ok(Vec::new());
        }
        let mut filter = filter;
        filter.ids = policy::visible_projects(conn, &p)?;
        Ok::<_, IamError>(repo::projects::list(conn, &p.domain_id, &filter)?)
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
    let p = caller.principal.clone();
    let id = path.into_inner();
    let project = db::run(&state.pool, move |conn| {
        policy::project(conn, &p, Action::GetProject, &id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "project": views::project(&project, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let x = body.into_inner().project;
    if let Some(name) = &x.name {
        validate::resource_name("project", name)?;
    }
    if let Some(d) = &x.description {
        validate::description(d)?;
    }
    let p = caller.principal.clone();
    let id = path.into_inner();
    let project = db::write(&state.pool, move |conn| {
        policy::project(conn, &p, Action::UpdateProject, &id)?;
        repo::projects::update(
            conn,
            &id,
            &ProjectChanges {
                name: x.name,
                description: x.description,
            },
        )
        .map_err(name_conflict)?;
        repo::projects::find(conn, &id)?.ok_or(IamError::NotFound("project"))
    })
    .await?;
    let mut body = views::project(&project, &state.config.public_url, false);
    body["extra"] = json!({});
    Ok(HttpResponse::Ok().json(json!({ "project": body })))
}

/// Keystone's project delete: the domain admin's, refused while child projects remain.
/// Every credential scoped to the project dies with it.
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    db::write(&state.pool, move |conn| {
        policy::project(conn, &p, Action::DeleteProject, &id)?;
        if repo::projects::has_children(conn, &id)? {
            return Err(IamError::Conflict(
                "The project has child projects; delete them first.".into(),
            ));
        }
        if !repo::projects::delete(conn, &id)? {
            return Err(IamError::NotFound("project"));
        }
        revocation::project_gone(conn, &id)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}
