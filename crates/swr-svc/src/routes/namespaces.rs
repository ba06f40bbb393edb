//! `/v2/{project_id}/instances/{instance_id}/namespaces[/{namespace_name}]`: the
//! namespaces of an instance, in the shapes `huaweicloudsdkswr` sends and reads. Each
//! handler extracts the request, calls `domain::namespaces` and renders its answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::namespaces::{self, NamespacePath};
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
    let (project_id, instance_id) = path.into_inner();
    let created =
        namespaces::create(&state, &caller, project_id, instance_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(json!({ "id": created.id })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    let (rows, total) = namespaces::list(&state, &caller, project_id, instance_id, &query).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "namespaces": rows.iter().map(view).collect::<Vec<_>>(), "total": total })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let found = namespaces::show(&state, &caller, namespace_path(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(view(&found)))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let path = namespace_path(path.into_inner());
    let updated = namespaces::update(&state, &caller, path, body.into_inner()).await?;
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
    namespaces::delete(&state, &caller, namespace_path(path.into_inner())).await?;
    Ok(HttpResponse::Ok().finish())
}
