//! `/v2/{project_id}/instances/{instance_id}/namespaces[/{namespace_name}]`: the
//! namespaces of an instance, in the shapes `huaweicloudsdkswr` sends and reads. Each
//! handler extracts the request, runs one `domain::namespaces` function on the pool
//! (writes at the time the write reads from the clock) and renders its answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use service_kit::db;

use crate::domain::namespaces::{self, NamespacePath};
use crate::domain::InstancePath;
use crate::error::{Caller, Json, SwrError};
use crate::namespaces::{CreateBody, UpdateBody};
use crate::repo::namespaces::Namespace;
use crate::state::AppState;
use crate::views::swr_time;

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

fn metadata_view(n: &Namespace) -> Value {
    json!({ "public": if n.public { "true" } else { "false" } })
}

/// The SDK's `Namespace` (and `ShowInstanceNamespaceResponse`). `repo_count` and
/// `cve_allowlist` are left out: the registry's contents are not known here.
fn view(n: &Namespace) -> Value {
    json!({
        "name": n.name,
        "namespace_id": n.id,
        "metadata": metadata_view(n),
        "created_at": swr_time(n.created_at),
        "updated_at": swr_time(n.updated_at),
    })
}

fn namespace_path((project_id, instance_id, name): (String, String, String)) -> NamespacePath {
    NamespacePath {
        project_id,
        instance_id,
        name,
    }
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
    let clock = state.clock.clone();
    let created = db::write(&state.pool, move |conn| {
        namespaces::create(conn, &p, instance, body, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "id": created.id })))
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
        namespaces::list(conn, &p, instance, &query)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "namespaces": rows.iter().map(view).collect::<Vec<_>>(), "total": total })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, path) = (caller.principal, namespace_path(path.into_inner()));
    let found = db::run(&state.pool, move |conn| namespaces::show(conn, &p, path)).await?;
    Ok(HttpResponse::Ok().json(view(&found)))
}

async fn update(
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
    Ok(HttpResponse::Ok().json(json!({
        "namespace_name": updated.name,
        "metadata": metadata_view(&updated),
    })))
}

async fn delete(
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
