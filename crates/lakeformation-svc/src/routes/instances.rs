//! `/v1/{project_id}/instances`: LakeFormation instances of a project, as the vendor's
//! JSON; the rules are in `crate::instances`.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use service_kit::db;

use super::Caller;
use crate::error::{Json, LfError};
use crate::instances::{self, NewInstance, Page};
use crate::policy::{self, Action};
use crate::repo::Instance;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/{project_id}/instances")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v1/{project_id}/instances/{instance_id}")
            .route(web::get().to(show))
            .route(web::delete().to(delete)),
    );
}

fn time(t: chrono::NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 3, "Z")
}

fn view(i: &Instance) -> Value {
    json!({
        "instance_id": i.id,
        "name": i.name,
        "description": i.description,
        "enterprise_project_id": "0",
        "shared": true,
        "default_instance": false,
        "create_time": time(i.created_at),
        "update_time": time(i.created_at),
        "status": i.status,
        "in_recycle_bin": false,
        "tags": [],
        "specs": [],
        "charge_mode": "postPaid",
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<NewInstance>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateInstance)?;
    let (p, input, now) = (
        caller.principal.clone(),
        body.into_inner(),
        state.clock.stored_now(),
    );
    let row = db::write(&state.pool, move |conn| {
        instances::create(conn, &p, &project_id, input, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(view(&row)))
}

/// The integer query parameter `name`, within `range`; `default` when absent.
fn number(
    query: &HashMap<String, String>,
    name: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, LfError> {
    match query.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                LfError::BadRequest(format!(
                    "{name} must be an integer from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListInstances)?;
    let page = Page {
        offset: number(&query, "offset", 0, 0..=1000)?,
        limit: number(&query, "limit", 10, 1..=1000)?,
        name: query.get("name").cloned(),
        in_recycle_bin: query.get("in_recycle_bin").is_some_and(|v| v == "true"),
    };
    let (rows, total) = db::run(&state.pool, move |conn| {
        instances::page(conn, &project_id, page)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "instances": rows.iter().map(view).collect::<Vec<_>>(), "total": total })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DescribeInstance)?;
    let instance = db::run(&state.pool, move |conn| {
        instances::show(conn, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(&instance)))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteInstance)?;
    let now = state.clock.stored_now();
    db::write(&state.pool, move |conn| {
        instances::delete(conn, &project_id, &id, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}
