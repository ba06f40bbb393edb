//! `/v2/{project_id}/instances` and `/v2/{project_id}/jobs`: SWR Enterprise instances.
//! An instance fronts the configured registry (its token `service` and address). Creation finishes
//! at once, so the job the vendor API reports is already `Success`.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use service_kit::db::{self, StoreError};

use crate::config::RegistryConfig;
use crate::error::{Caller, Json, SwrError};
use crate::policy::{self, Action};
use crate::repo::{self, instances::Instance};
use crate::state::AppState;
use crate::views::swr_time;

pub const SPEC: &str = "swr.ee.professional";
pub const RUNNING: &str = "Running";

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

/// The vendor's body; network and billing fields are recorded and echoed, not acted on.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    spec: Option<String>,
    #[serde(default)]
    vpc_id: Option<String>,
    #[serde(default)]
    subnet_id: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    charge_mode: Option<String>,
    #[serde(default)]
    enterprise_project_id: Option<String>,
    #[serde(default)]
    resource_tags: Option<Vec<Tag>>,
    #[serde(default)]
    obs_encrypt: Option<bool>,
    #[serde(default)]
    encrypt_type: Option<String>,
    #[serde(default)]
    obs_bucket_name: Option<String>,
    #[serde(default)]
    enable_intranet_access: Option<bool>,
    #[serde(default)]
    obs_enc_kms_key_id: Option<String>,
    /// Read only to refuse it: the registry an instance fronts is the operator's
    /// (`registry.service` and `registry.address`), never the caller's.
    #[serde(default)]
    registry: Option<Value>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    #[serde(default)]
    delete_obs: Option<bool>,
    #[serde(default)]
    delete_dns: Option<bool>,
}

/// 3 to 48 characters of `[a-z0-9-]`, starting with a letter, not ending with `-`,
/// without `--` (the vendor's rule).
fn validate_instance_name(name: &str) -> Result<(), SwrError> {
    let ok = (3..=48).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(SwrError::BadRequest(
            "Invalid instance name: 3 to 48 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-', without '--'.".into(),
        ))
    }
}

fn checked_text(field: &str, value: &str, max: usize) -> Result<(), SwrError> {
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(SwrError::BadRequest(format!(
            "{field} must be at most {max} characters without control characters."
        )));
    }
    Ok(())
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

/// The instance a valid create body describes, in `project_id`, made by `created_by`,
/// fronting the configured `registry`.
fn new_instance(
    b: CreateBody,
    project_id: String,
    created_by: String,
    registry: &RegistryConfig,
) -> Result<Instance, SwrError> {
    validate_instance_name(&b.name)?;
    let spec = b.spec.unwrap_or_else(|| SPEC.into());
    if spec != SPEC {
        return Err(SwrError::BadRequest(format!("spec must be {SPEC}.")));
    }
    let charge_mode = b.charge_mode.unwrap_or_else(|| "postPaid".into());
    if charge_mode != "postPaid" {
        return Err(SwrError::BadRequest("charge_mode must be postPaid.".into()));
    }
    let description = b.description.unwrap_or_default();
    checked_text("description", &description, 255)?;
    if b.registry.is_some() {
        return Err(SwrError::BadRequest(
            "registry cannot be chosen: every instance fronts the registry the service is configured with.".into(),
        ));
    }
    for (field, value) in [
        ("vpc_id", &b.vpc_id),
        ("subnet_id", &b.subnet_id),
        ("enterprise_project_id", &b.enterprise_project_id),
    ] {
        checked_text(field, value.as_deref().unwrap_or_default(), 64)?;
    }
    Ok(Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description,
        spec,
        status: RUNNING.into(),
        charge_mode,
        vpc_id: b.vpc_id.unwrap_or_default(),
        subnet_id: b.subnet_id.unwrap_or_default(),
        enterprise_project_id: b.enterprise_project_id.unwrap_or_else(|| "0".into()),
        job_id: uuid::Uuid::new_v4().to_string(),
        registry_service: registry.service.clone(),
        registry_address: registry.address.clone(),
        created_by,
        created_at: repo::now(),
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateInstance)?;
    let row = new_instance(
        body.into_inner(),
        project_id,
        caller.user_id.clone(),
        &state.config.registry,
    )?;
    let row = db::write(&state.pool, move |conn| {
        repo::instances::insert(conn, &row).map_err(|e| match e {
            StoreError::UniqueViolation => SwrError::Conflict(format!(
                "An instance named {} already exists in the project.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, SwrError>(row)
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
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListInstances)?;
    let (offset, limit) = super::pagination(&query)?;
    let status = query.get("status").cloned();
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok::<_, SwrError>(repo::instances::page(
            conn,
            &project_id,
            status.as_deref(),
            offset,
            limit,
        )?)
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
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::GetInstance)?;
    let instance = db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &id)
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
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteInstance)?;
    // The SDK sends no body, or `{"delete_obs": .., "delete_dns": ..}`; both are fine.
    if !body.is_empty() {
        let raw: Value = serde_json::from_slice(&body)
            .map_err(|e| SwrError::BadRequest(service_kit::http::json::describe(&e)))?;
        service_kit::http::json::parse::<DeleteBody>(raw)?;
    }
    db::write(&state.pool, move |conn| {
        super::instance(conn, &project_id, &id)?;
        if !repo::instances::delete(conn, &id)? {
            return Err(SwrError::InstanceNotFound);
        }
        // Its names stay taken: the registry still holds their images.
        repo::namespaces::tombstone_instance(conn, &id, repo::now())?;
        Ok(())
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
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListJobs)?;
    let (offset, limit) = super::pagination(&query)?;
    // Every job finished when it started; asking for any other status lists none.
    let wanted = query.get("status").is_none_or(|s| s == "Success");
    let (rows, total) = if wanted {
        db::run(&state.pool, move |conn| {
            Ok::<_, SwrError>(repo::instances::page(
                conn,
                &project_id,
                None,
                offset,
                limit,
            )?)
        })
        .await?
    } else {
        (Vec::new(), 0)
    };
    Ok(HttpResponse::Ok()
        .json(json!({ "jobs": rows.iter().map(job_view).collect::<Vec<_>>(), "total": total })))
}

async fn show_job(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, job_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::GetJob)?;
    let instance = db::run(&state.pool, move |conn| {
        repo::instances::find_by_job(conn, &project_id, &job_id)?.ok_or(SwrError::RouteNotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(job_view(&instance)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_follow_the_vendor_rule() {
        for ok in ["abc", "my-registry-1", &format!("a{}", "b".repeat(47))] {
            assert!(validate_instance_name(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "1abc", "abc-", "a--b", "ABC", "a_b", &"a".repeat(49)] {
            assert!(validate_instance_name(bad).is_err(), "{bad}");
        }
    }
}
