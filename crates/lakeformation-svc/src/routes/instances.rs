//! `/v1/{project_id}/instances`: LakeFormation instances of a project.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use service_kit::db::{self, StoreError};

use super::Caller;
use crate::error::{Json, LfError};
use crate::policy::{self, Action};
use crate::repo::{self, Instance};
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

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    #[serde(default)]
    charge_mode: Option<String>,
    #[serde(default)]
    enterprise_project_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    shared: Option<bool>,
    #[serde(default)]
    specs: Option<Vec<Spec>>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    product_id: Option<String>,
    spec_code: String,
    stride_num: i64,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Tag {
    key: String,
    value: String,
}

/// `^[A-Za-z0-9_-]{4,32}$`, the vendor's rule.
fn valid_name(name: &str) -> bool {
    (4..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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

/// The row a create makes, once the body follows the vendor's rules.
fn new_instance(b: CreateBody, project_id: String, creator: &str) -> Result<Instance, LfError> {
    if !valid_name(&b.name) {
        return Err(LfError::BadRequest(
            "name must be 4 to 32 letters, digits, '_' or '-'.".into(),
        ));
    }
    if b.charge_mode.as_deref().is_some_and(|m| m != "postPaid") {
        return Err(LfError::BadRequest("charge_mode must be postPaid.".into()));
    }
    let description = b.description.unwrap_or_default();
    if description.chars().count() > 255 || description.chars().any(char::is_control) {
        return Err(LfError::BadRequest(
            "description must be at most 255 characters without control characters.".into(),
        ));
    }
    Ok(Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description,
        status: "RUNNING".into(),
        created_by: creator.to_string(),
        created_at: repo::now(),
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateInstance)?;
    let row = new_instance(body.into_inner(), project_id, &caller.user_id)?;
    let row = db::write(&state.pool, move |conn| {
        repo::insert_instance(conn, &row).map_err(|e| match e {
            StoreError::UniqueViolation => LfError::Conflict(format!(
                "An instance named {} already exists in the project.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, LfError>(row)
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
    let offset = number(&query, "offset", 0, 0..=1000)?;
    let limit = number(&query, "limit", 10, 1..=1000)?;
    let name = query.get("name").cloned();
    // Nothing is ever in the recycle bin: deleting removes.
    let recycled = query.get("in_recycle_bin").is_some_and(|v| v == "true");
    let (rows, total) = if recycled {
        (Vec::new(), 0)
    } else {
        db::run(&state.pool, move |conn| {
            Ok::<_, LfError>(repo::instances_page(
                conn,
                &project_id,
                name.as_deref(),
                offset,
                limit,
            )?)
        })
        .await?
    };
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
        repo::instance(conn, &project_id, &id)?
            .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))
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
    db::write(&state.pool, move |conn| {
        repo::instance(conn, &project_id, &id)?
            .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))?;
        repo::delete_instance(conn, &id, repo::now())?;
        Ok::<_, LfError>(())
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}
