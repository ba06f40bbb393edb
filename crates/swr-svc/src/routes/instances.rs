//! `/v2/{project_id}/instances` and `/v2/{project_id}/jobs`: SWR Enterprise instances.
//! Each handler extracts the request, runs one `domain::instances` function on the pool
//! and renders its answer in the vendor's shapes.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use service_kit::db;

use crate::domain::instances::{self, CreateBody};
use crate::error::{Caller, Json, SwrError};
use crate::repo::instances::Instance;
use crate::state::AppState;
use crate::views::swr_time;

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
    .route("/v2/{project_id}/jobs", web::get().to(list_jobs))
    .route("/v2/{project_id}/jobs/{job_id}", web::get().to(show_job));
}

fn view(i: &Instance) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "description": i.description,
        "spec": i.spec,
        "status": i.status,
        "charge_mode": i.charge_mode,
        "vpc_id": i.vpc_id,
        "subnet_id": i.subnet_id,
        "project_id": i.project_id,
        "enterprise_project_id": i.enterprise_project_id,
        "user_def_obs": false,
        "access_address": i.registry_address,
        "version": "v2",
        "created_at": swr_time(i.created_at),
        "updated_at": swr_time(i.created_at),
        "expires_at": "",
        "registry": { "service": i.registry_service, "address": i.registry_address },
    })
}

fn job_view(i: &Instance) -> Value {
    json!({
        "id": i.job_id,
        "instance_id": i.id,
        "resource_id": i.id,
        "resource_name": i.name,
        "type": "CreateInstance",
        "status": "Success",
        "reason": "",
        "created_at": swr_time(i.created_at),
        "updated_at": swr_time(i.created_at),
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, project_id, body) = (caller.principal, path.into_inner(), body.into_inner());
    let (registry, now) = (state.config.registry.clone(), state.clock.stored_now());
    let row = db::write(&state.pool, move |conn| {
        instances::create(conn, &p, project_id, body, &registry, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "job_id": row.job_id, "instance_id": row.id })))
}

async fn list(
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
    Ok(HttpResponse::Ok()
        .json(json!({ "instances": rows.iter().map(view).collect::<Vec<_>>(), "total": total })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, id)) = (caller.principal, path.into_inner());
    let instance = db::run(&state.pool, move |conn| {
        instances::show(conn, &p, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(&instance)))
}

async fn delete(
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

async fn list_jobs(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (p, project_id, query) = (caller.principal, path.into_inner(), query.into_inner());
    let (rows, total) = db::run(&state.pool, move |conn| {
        instances::list_jobs(conn, &p, &project_id, &query)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "jobs": rows.iter().map(job_view).collect::<Vec<_>>(), "total": total })))
}

async fn show_job(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, (project_id, job_id)) = (caller.principal, path.into_inner());
    let instance = db::run(&state.pool, move |conn| {
        instances::show_job(conn, &p, &project_id, &job_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(job_view(&instance)))
}
