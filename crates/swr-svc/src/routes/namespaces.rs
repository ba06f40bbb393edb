//! `/v2/{project_id}/instances/{instance_id}/namespaces[/{namespace_name}]`: the
//! namespaces of an instance, in the shapes `huaweicloudsdkswr` sends and reads. Each
//! handler extracts the request, runs one `domain::namespaces` function on the pool
//! (writes at the time the write reads from the clock) and renders its answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};

use service_kit::db;

use crate::domain::namespaces::{self, NamespacePath};
use crate::domain::InstancePath;
use crate::error::{Caller, ErrorBody, Json, SwrError};
use crate::namespaces::{CreateBody, OrderBy, OrderType, UpdateBody};
use crate::openapi::Refusals;
use crate::state::AppState;
use crate::views::namespaces::{Created, NamespacePage, NamespaceView, Updated};

pub fn configure(cfg: &mut web::ServiceConfig) {
    let base = "/v2/{project_id}/instances/{instance_id}/namespaces";
    cfg.service(
        web::resource(base)
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource(format!("{base}/{{namespace_name}}"))
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

fn namespace_path((project_id, instance_id, name): (String, String, String)) -> NamespacePath {
    NamespacePath {
        project_id,
        instance_id,
        name,
    }
}

/// Create a namespace in an instance
///
/// Its name must be free in the registry: no instance, whatever its project, has it,
/// live or deleted; only the instance that had it may create it again.
#[utoipa::path(post, path = "/v2/{project_id}/instances/{instance_id}/namespaces",
    tag = "namespaces", operation_id = "CreateInstanceNamespace",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    request_body = CreateBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "Created.", body = Created),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        (status = 409, description = "The name is taken in the registry (`SVCSTG.SWR.4090060`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn create(
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
    let clock = state.clock.clone();
    let created = db::write(&state.pool, move |conn| {
        namespaces::create(conn, &p, instance, body, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Created().json(Created { id: created.id }))
}

/// List an instance's namespaces
///
/// Live ones only; the order is stable (the id breaks ties) and `total` counts every
/// match. Any other query parameter is refused.
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}/namespaces",
    tag = "namespaces", operation_id = "ListInstanceNamespaces",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Rows to skip (0)."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Rows to answer (10)."),
        ("order_column" = Option<OrderBy>, Query, description = "What the list is ordered by (`created_at`)."),
        ("order_type" = Option<OrderType>, Query, description = "Ascending or descending (`asc`)."),
        ("name" = Option<String>, Query, min_length = 1, max_length = 64, pattern = "^[a-z0-9._-]+$",
            description = "Only the namespaces whose name contains this, matched literally."),
        ("public" = Option<String>, Query,
            description = "`true`: only the public namespaces; any other non-empty value: only the private ones; empty: all."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "A page of namespaces.", body = NamespacePage),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn list(
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
        namespaces::list(conn, &p, instance, &query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(NamespacePage::of(&rows, total)))
}

/// Show a namespace
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}/namespaces/{namespace_name}",
    tag = "namespaces", operation_id = "ShowInstanceNamespace",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("namespace_name" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The namespace.", body = NamespaceView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`), or no live namespace of that name in it (`SVCSTG.SWR.4040058`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, path) = (caller.principal, namespace_path(path.into_inner()));
    let found = db::run(&state.pool, move |conn| namespaces::show(conn, &p, path)).await?;
    Ok(HttpResponse::Ok().json(NamespaceView::of(&found)))
}

/// Make a namespace public or private
#[utoipa::path(put, path = "/v2/{project_id}/instances/{instance_id}/namespaces/{namespace_name}",
    tag = "namespaces", operation_id = "UpdateInstanceNamespace",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("namespace_name" = String, Path),
    ),
    request_body = UpdateBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The namespace as it now is.", body = Updated),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`), or no live namespace of that name in it (`SVCSTG.SWR.4040058`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, path, body) = (
        caller.principal,
        namespace_path(path.into_inner()),
        body.into_inner(),
    );
    let clock = state.clock.clone();
    let updated = db::write(&state.pool, move |conn| {
        namespaces::update(conn, &p, path, body, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Updated::of(&updated)))
}

/// Delete a namespace
///
/// Its name stays taken by the instance: the registry still holds its images.
#[utoipa::path(delete, path = "/v2/{project_id}/instances/{instance_id}/namespaces/{namespace_name}",
    tag = "namespaces", operation_id = "DeleteInstanceNamespace",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("namespace_name" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "Deleted."),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`), or no live namespace of that name in it (`SVCSTG.SWR.4040058`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, path, clock) = (
        caller.principal,
        namespace_path(path.into_inner()),
        state.clock.clone(),
    );
    db::write(&state.pool, move |conn| {
        namespaces::delete(conn, &p, path, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}
