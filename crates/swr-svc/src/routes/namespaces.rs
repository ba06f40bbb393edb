//! `/v2/{project_id}/instances/{instance_id}/namespaces[/{namespace_name}]`: the
//! namespaces of an instance, in the shapes `huaweicloudsdkswr` sends and reads. A
//! repository `<namespace>/<name>` belongs to the instance that owns the namespace; the
//! name is unique in the registry, and a deleted one stays taken by its instance
//! (`repo::namespaces`).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use service_kit::db;

use crate::error::{Caller, Json, SwrError};
use crate::namespaces::{list_query, validate_namespace_name, CreateBody, Metadata, UpdateBody};
use crate::policy::{self, Action};
use crate::repo;
use crate::repo::namespaces::{Namespace, NewNamespace};
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

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateNamespace)?;
    let body = body.into_inner();
    validate_namespace_name(&body.namespace_name)?;
    let public = body.metadata.as_ref().map(Metadata::public).transpose()?;
    let name = body.namespace_name;
    let created = db::write(&state.pool, move |conn| {
        // Held until the namespace is in: a delete of the instance then tombstones it too.
        let instance = repo::instances::find_locked_in_project(conn, &project_id, &instance_id)?
            .ok_or(SwrError::InstanceNotFound)?;
        let new = NewNamespace {
            instance_id: &instance.id,
            registry_service: &instance.registry_service,
            name: &name,
            public: public.unwrap_or(false),
        };
        repo::namespaces::create(conn, &new, repo::now())?.ok_or_else(|| {
            SwrError::Conflict(format!(
                "The namespace {name} already exists in the registry."
            ))
        })
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
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListNamespaces)?;
    let wanted = list_query(&query)?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        Ok::<_, SwrError>(repo::namespaces::page(conn, &instance_id, &wanted)?)
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
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::GetNamespace)?;
    let found = db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(&found)))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::UpdateNamespace)?;
    let public = body.into_inner().public()?;
    let updated = db::write(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        if !repo::namespaces::set_public(conn, &instance_id, &name, public, repo::now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
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
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteNamespace)?;
    db::write(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        if !repo::namespaces::tombstone(conn, &instance_id, &name, repo::now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}
