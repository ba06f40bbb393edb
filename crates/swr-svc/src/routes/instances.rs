//! `/v2/{project_id}/instances`: SWR Enterprise instances, their tags and statistics.
//! Each handler extracts the request, runs one `domain::instances` function on the pool
//! and renders its answer in the vendor's shapes.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};

use service_kit::db;

use crate::domain::instances;
use crate::error::{Caller, ErrorBody, Json, SwrError};
use crate::instance_requests::{CreateBody, DeleteBody};
use crate::openapi::Refusals;
use crate::state::AppState;
use crate::views::instances::{Created, InstancePage, InstanceView, StatisticsView, TagsView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v2/{project_id}/instances")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v2/{project_id}/instances/{instance_id}")
            .route(web::get().to(show))
            .route(web::delete().to(delete)),
    )
    .route(
        "/v2/{project_id}/instances/{instance_id}/tags",
        web::get().to(tags),
    )
    .route(
        "/v2/{project_id}/instances/{instance_id}/statistics",
        web::get().to(statistics),
    );
}

/// Create an instance
///
/// The instance fronts the configured registry and is `Running` at once; its creation
/// job is recorded done. OBS, encryption and intranet settings that ask for something
/// are refused (400): no such resource is made.
#[utoipa::path(post, path = "/v2/{project_id}/instances", tag = "instances",
    operation_id = "CreateInstance",
    params(("project_id" = String, Path, description = "The caller's project.")),
    request_body = CreateBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "Created.", body = Created),
        (status = 409, description = "The project has an instance of that name (`SVCSTG.SWR.4098001`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, project_id, body) = (caller.principal, path.into_inner(), body.into_inner());
    let (registry, now) = (state.config.registry.clone(), state.clock.stored_now());
    let (row, job) = db::write(&state.pool, move |conn| {
        instances::create(conn, &p, project_id, body, &registry, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(Created::of(&row, &job)))
}

/// List the project's instances
///
/// Oldest first; `total` counts every match. Any other query parameter is refused.
#[utoipa::path(get, path = "/v2/{project_id}/instances", tag = "instances",
    operation_id = "ListInstance",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Rows to skip (0)."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Rows to answer (100)."),
        ("status" = Option<String>, Query, pattern = "^(Initial|Creating|Running|Unavailable)$",
            description = "Only the instances in this status (every instance is `Running`)."),
        ("enterprise_project_id" = Option<String>, Query, max_length = 64,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$",
            description = "Only the instances of this enterprise project."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses((status = 200, description = "A page of instances.", body = InstancePage), Refusals))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (p, project_id, query) = (caller.principal, path.into_inner(), query.into_inner());
    let (rows, total) = db::run(&state.pool, move |conn| {
        instances::list(conn, &p, &project_id, &query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstancePage::of(&rows, total)))
}

/// Show an instance
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "ShowInstance",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The instance.", body = InstanceView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, id)) = (caller.principal, path.into_inner());
    let instance = db::run(&state.pool, move |conn| {
        instances::show(conn, &p, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceView::of(&instance)))
}

/// Delete an instance
///
/// Its credentials go with it; its namespaces are deleted and their names stay taken; a
/// `DeleteInstance` job records it. The SDK sends no body, or one with `delete_obs` and
/// `delete_dns`.
#[utoipa::path(delete, path = "/v2/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "DeleteInstance",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    request_body(content = Option<DeleteBody>, content_type = "application/json",
        description = "Optional; read only when not empty."),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 202, description = "Deleted."),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, id)) = (caller.principal, path.into_inner());
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        instances::delete(conn, &p, &project_id, &id, &body, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// List an instance's resource tags
///
/// The tags its create gave, in that order.
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}/tags", tag = "instances",
    operation_id = "ListInstanceResourceTags",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The tags.", body = TagsView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn tags(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, id)) = (caller.principal, path.into_inner());
    let tags = db::run(&state.pool, move |conn| {
        instances::tags(conn, &p, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(TagsView { tags }))
}

/// Show an instance's statistics
///
/// The figures swr-svc knows, from its database: the live namespaces and the per-user
/// credential quota. The vendor's others are left out.
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}/statistics", tag = "instances",
    operation_id = "ListInstanceStatistics",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The statistics.", body = StatisticsView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn statistics(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, id)) = (caller.principal, path.into_inner());
    let rules = state.config.credentials.clone();
    let figures = db::run(&state.pool, move |conn| {
        instances::statistics(conn, &p, &project_id, &id, &rules)
    })
    .await?;
    Ok(HttpResponse::Ok().json(StatisticsView::of(&figures)))
}
