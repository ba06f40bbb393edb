//! `/v2/{project_id}/jobs`: what the API did to the project's instances (their creation
//! and deletion). Each handler extracts the request, runs one `domain::jobs` function on
//! the pool and renders its answer in the vendor's shapes.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};

use service_kit::db;

use crate::domain::jobs;
use crate::error::{Caller, ErrorBody, SwrError};
use crate::openapi::Refusals;
use crate::state::AppState;
use crate::views::instances::{JobPage, JobView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v2/{project_id}/jobs", web::get().to(list))
        .service(
            web::resource("/v2/{project_id}/jobs/{job_id}")
                .route(web::get().to(show))
                .route(web::delete().to(delete)),
        );
}

/// List the project's jobs
///
/// Each instance's creation and deletion, oldest first; every job finished in the
/// request that started it (`Success`). Any other query parameter is refused.
#[utoipa::path(get, path = "/v2/{project_id}/jobs", tag = "instances",
    operation_id = "ListInstanceJobs",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Rows to skip (0)."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Rows to answer (100)."),
        ("status" = Option<String>, Query, pattern = "^(Creating|Initializing|Running|Failed|Success)$",
            description = "Only the jobs in this status."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses((status = 200, description = "A page of jobs.", body = JobPage), Refusals))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (p, project_id, query) = (caller.principal, path.into_inner(), query.into_inner());
    let (rows, total) = db::run(&state.pool, move |conn| {
        jobs::list(conn, &p, &project_id, &query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(JobPage::of(&rows, total)))
}

/// Show a job
#[utoipa::path(get, path = "/v2/{project_id}/jobs/{job_id}", tag = "instances",
    operation_id = "ShowInstanceJob",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("job_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The job.", body = JobView),
        (status = 404, description = "No such job in the project (`SVCSTG.SWR.4048003`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, job_id)) = (caller.principal, path.into_inner());
    let job = db::run(&state.pool, move |conn| {
        jobs::show(conn, &p, &project_id, &job_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(JobView::of(&job)))
}

/// Delete a job
///
/// Forgets the job's record; its instance is untouched.
#[utoipa::path(delete, path = "/v2/{project_id}/jobs/{job_id}", tag = "instances",
    operation_id = "DeleteInstanceJob",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("job_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such job in the project (`SVCSTG.SWR.4048003`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, job_id)) = (caller.principal, path.into_inner());
    db::write(&state.pool, move |conn| {
        jobs::delete(conn, &p, &project_id, &job_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
