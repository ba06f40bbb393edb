//! `/v3/projects`: projects of the caller's domain. The rules live in [`crate::projects`];
//! these handlers read the request, page the list and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use service_kit::db;
use utoipa::ToSchema;

use crate::error::{IamError, Json, KeystoneError};
use crate::openapi::Refusals;
use crate::policy::Caller;
use crate::projects::{self, NewProject, ProjectEdit};
use crate::repo;
use crate::state::AppState;
use crate::views::{self, ProjectBody, ProjectList};

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

/// `{"project": {...}}` of a create.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateProjectBody {
    project: NewProject,
}

/// `{"project": {...}}` of an update.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateProjectBody {
    project: ProjectEdit,
}

/// The most projects a page holds.
const MAX_PER_PAGE: usize = 5000;

/// Create a project
#[utoipa::path(post, path = "/v3/projects", tag = "projects", operation_id = "KeystoneCreateProject",
    request_body = CreateProjectBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "The project.", body = ProjectBody),
        (status = 409, description = "A project of that name exists in the domain.",
            body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateProjectBody>,
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
    Ok(HttpResponse::Created().json(ProjectBody {
        project: views::project(&project, &state.config.public_url, false),
    }))
}

/// List the projects of the caller's domain the caller may see
///
/// All of them for the domain admin, else those the caller holds a role on.
#[utoipa::path(get, path = "/v3/projects", tag = "projects", operation_id = "KeystoneListProjects",
    params(
        ("name" = Option<String>, Query, description = "Only the project of this name."),
        ("parent_id" = Option<String>, Query, description = "Only the children of this project \
            (the domain's id: the top-level projects)."),
        ("enabled" = Option<String>, Query, pattern = r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$",
            description = "`true` or `false`, in any case: only enabled or disabled projects."),
        ("domain_id" = Option<String>, Query,
            description = "Another domain than the caller's lists nothing."),
        ("page" = Option<i32>, Query, minimum = 1, maximum = 2147483647, description = "The page, from 1 (the default)."),
        ("per_page" = Option<i32>, Query, minimum = 1, maximum = 2147483647,
            description = "Projects per page: 5000 (the default) at most; more counts as 5000."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The page of projects.", body = ProjectList),
        Refusals,
    ))]
pub(crate) async fn list(
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
        .unwrap_or(MAX_PER_PAGE)
        .min(MAX_PER_PAGE);
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let projects = db::run(&state.pool, move |conn| {
        projects::list(conn, &p, asked, filter)
    })
    .await?;
    let base = &state.config.public_url;
    let start = (page - 1).saturating_mul(per_page);
    Ok(HttpResponse::Ok().json(ProjectList {
        links: views::list_links(base, "/v3/projects"),
        projects: projects
            .iter()
            .skip(start)
            .take(per_page)
            .map(|x| views::project(x, base, true))
            .collect(),
    }))
}

/// A page number: a positive 32-bit integer, as the document says.
fn parse_positive(name: &str, v: Option<&String>) -> Result<Option<usize>, IamError> {
    match v.map(|v| v.parse::<i32>()) {
        None => Ok(None),
        Some(Ok(n)) if n >= 1 => Ok(usize::try_from(n).ok()),
        Some(_) => Err(IamError::BadRequest(format!(
            "{name} must be a positive integer"
        ))),
    }
}

/// Show a project
#[utoipa::path(get, path = "/v3/projects/{project_id}", tag = "projects",
    operation_id = "KeystoneShowProject",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The project.", body = ProjectBody),
        (status = 404, description = "No such project, or one of another domain.",
            body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id) = (caller.principal, path.into_inner());
    let project = db::run(&state.pool, move |conn| projects::show(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok().json(ProjectBody {
        project: views::project(&project, &state.config.public_url, true),
    }))
}

/// Rename or describe a project
#[utoipa::path(patch, path = "/v3/projects/{project_id}", tag = "projects",
    operation_id = "KeystoneUpdateProject",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id.")),
    request_body = UpdateProjectBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The project as changed.", body = ProjectBody),
        (status = 404, description = "No such project, or one of another domain.",
            body = KeystoneError),
        (status = 409, description = "A project of that name exists in the domain.",
            body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateProjectBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, edit) = (
        caller.principal,
        path.into_inner(),
        body.into_inner().project,
    );
    let update = move |conn: &mut _| projects::update(conn, &p, &id, edit);
    let project = db::write(&state.pool, update).await?;
    Ok(HttpResponse::Ok().json(ProjectBody {
        project: views::project(&project, &state.config.public_url, false).edited(),
    }))
}

/// Delete a project
///
/// Every credential scoped to the project dies with it; the feed is refreshed after the
/// commit.
#[utoipa::path(delete, path = "/v3/projects/{project_id}", tag = "projects",
    operation_id = "KeystoneDeleteProject",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The project is deleted."),
        (status = 404, description = "No such project, or one of another domain.",
            body = KeystoneError),
        (status = 409, description = "The project still has child projects.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn delete(
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
