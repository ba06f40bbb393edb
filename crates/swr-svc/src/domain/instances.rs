//! SWR Enterprise instances: the instance a create makes (fronting the operator's
//! registry, never the caller's) and the job that records it, listing and showing them,
//! their tags and figures, and what deleting one leaves behind. What the bodies and the
//! list's query may say is `crate::instance_requests`'.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::Value;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::config::{CredentialRules, RegistryConfig};
use crate::error::SwrError;
use crate::instance_requests::{
    one_of, CreateBody, DeleteBody, Tag, CHARGE_MODE, DEFAULT_ENTERPRISE_PROJECT,
    INSTANCE_STATUSES, SPEC,
};
use crate::policy::{self, Action};
use crate::repo::jobs::{Job, CREATE_INSTANCE, DELETE_INSTANCE, SUCCESS};
use crate::repo::{self, instances::Instance};

pub const RUNNING: &str = "Running";

/// The instance a valid create body describes, in `project_id`, made by `created_by` at
/// `now`, fronting the configured `registry`, and its tags as `(key, value)`.
fn new_instance(
    b: CreateBody,
    project_id: String,
    created_by: String,
    registry: &RegistryConfig,
    now: NaiveDateTime,
) -> Result<(Instance, Vec<(String, String)>), SwrError> {
    b.check(&project_id)?;
    let tags = b.resource_tags.unwrap_or_default();
    let tags = tags.into_iter().map(|t| (t.key, t.value)).collect();
    let instance = Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description: b.description.unwrap_or_default(),
        spec: SPEC.into(),
        status: RUNNING.into(),
        charge_mode: CHARGE_MODE.into(),
        vpc_id: b.vpc_id.unwrap_or_default(),
        subnet_id: b.subnet_id.unwrap_or_default(),
        enterprise_project_id: b
            .enterprise_project_id
            .unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.into()),
        registry_service: registry.service.clone(),
        registry_address: registry.address.clone(),
        created_by,
        created_at: now,
        updated_at: now,
    };
    Ok((instance, tags))
}

/// The finished job of `kind` on `instance` at `now`, with the id `id`.
fn finished_job(id: String, kind: &str, instance: &Instance, now: NaiveDateTime) -> Job {
    Job {
        id,
        project_id: instance.project_id.clone(),
        instance_id: instance.id.clone(),
        kind: kind.into(),
        status: SUCCESS.into(),
        reason: String::new(),
        resource_name: instance.name.clone(),
        created_at: now,
        updated_at: now,
    }
}

/// Create the instance `body` describes in the project at `now`, fronting `registry`; its
/// name is unique in the project. Answers it and the job that records its creation.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: String,
    body: CreateBody,
    registry: &RegistryConfig,
    now: NaiveDateTime,
) -> Result<(Instance, Job), SwrError> {
    policy::authorize(p, &project_id, Action::CreateInstance)?;
    let (row, tags) = new_instance(body, project_id, p.user_id.clone(), registry, now)?;
    repo::instances::insert(conn, &row).map_err(|e| {
        e.or_taken(|| {
            SwrError::Conflict(format!(
                "An instance named {} already exists in the project.",
                row.name
            ))
        })
    })?;
    repo::instances::insert_tags(conn, &row.id, &tags)?;
    // Creation finishes here, so its job is recorded done.
    let job = finished_job(repo::new_id(), CREATE_INSTANCE, &row, now);
    repo::jobs::insert(conn, &job)?;
    Ok((row, job))
}

/// The page of the project's instances `query` asks for (`status`,
/// `enterprise_project_id`, `offset`, `limit`; any other parameter is refused), and how
/// many there are in all.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    query: &HashMap<String, String>,
) -> Result<(Vec<Instance>, i64), SwrError> {
    policy::authorize(p, project_id, Action::ListInstances)?;
    super::only_known(
        query,
        &["offset", "limit", "status", "enterprise_project_id"],
    )?;
    let (offset, limit) = super::pagination(query)?;
    let enterprise_project_id = query.get("enterprise_project_id").map(String::as_str);
    if let Some(id) = enterprise_project_id {
        crate::instance_requests::check_enterprise_project(id)?;
    }
    let filter = repo::instances::Filter {
        status: one_of(query, "status", &INSTANCE_STATUSES)?,
        enterprise_project_id,
    };
    Ok(repo::instances::page(
        conn, project_id, &filter, offset, limit,
    )?)
}

/// The project's instance `id`.
pub fn show(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    id: &str,
) -> Result<Instance, SwrError> {
    policy::authorize(p, project_id, Action::GetInstance)?;
    super::instance(conn, project_id, id)
}

/// Delete the project's instance `id` at `now`. The SDK sends no body, or
/// `{"delete_obs": .., "delete_dns": ..}`; both are accepted, and so is `null`.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    id: &str,
    body: &[u8],
    now: NaiveDateTime,
) -> Result<(), SwrError> {
    policy::authorize(p, project_id, Action::DeleteInstance)?;
    if !body.is_empty() {
        let raw: Value = serde_json::from_slice(body)
            .map_err(|e| SwrError::BadRequest(service_kit::http::json::describe(&e)))?;
        // `null` says no more than no body: the document's optional body allows it.
        if !raw.is_null() {
            service_kit::http::json::parse::<DeleteBody>(raw)?;
        }
    }
    let instance = super::instance(conn, project_id, id)?;
    if !repo::instances::delete(conn, id)? {
        return Err(SwrError::InstanceNotFound);
    }
    // Its names stay taken: the registry still holds their images.
    repo::namespaces::tombstone_instance(conn, id, now)?;
    let job = finished_job(repo::new_id(), DELETE_INSTANCE, &instance, now);
    repo::jobs::insert(conn, &job)?;
    Ok(())
}

/// The resource tags of the project's instance `id`, as given at its creation.
pub fn tags(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    id: &str,
) -> Result<Vec<Tag>, SwrError> {
    policy::authorize(p, project_id, Action::GetInstance)?;
    super::instance(conn, project_id, id)?;
    let tags = repo::instances::tags(conn, id)?;
    Ok(tags
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect())
}

/// What the statistics of an instance count, from the database.
pub struct Statistics {
    /// Its live namespaces.
    pub namespaces: i64,
    /// The long-term credentials one user may hold on it (with temporary ones).
    pub long_term_quota: u32,
}

/// The figures of the project's instance `id` that swr-svc knows; `rules` hold the quota.
pub fn statistics(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    id: &str,
    rules: &CredentialRules,
) -> Result<Statistics, SwrError> {
    policy::authorize(p, project_id, Action::GetInstance)?;
    super::instance(conn, project_id, id)?;
    Ok(Statistics {
        namespaces: repo::namespaces::count_live(conn, id)?,
        long_term_quota: rules.max_per_user_per_instance,
    })
}
