//! SWR Enterprise instances and their creation jobs: what a create body may say, the
//! instance it makes (fronting the operator's registry, never the caller's), and what
//! deleting one leaves behind. Creation finishes at once, so its job is already done.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use credential_core::names::{
    validate_swr_instance_name, validate_text, SWR_INSTANCE_NAME_RULE, TEXT_MAX,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use utoipa::ToSchema;

use crate::config::RegistryConfig;
use crate::error::SwrError;
use crate::policy::{self, Action};
use crate::repo::{self, instances::Instance};

pub const SPEC: &str = "swr.ee.professional";
pub const RUNNING: &str = "Running";

/// The SDK's `CreateInstanceRequestBody`. The network and billing fields are stored and
/// echoed, not acted on; the storage fields are accepted and not used.
// The `#[schema]` limits state `check_body`'s rules, so generated requests meet both sides.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateInstanceBody)]
pub struct CreateBody {
    /// 3 to 48 characters of `a-z`, `0-9` and `-`, starting with a letter, not ending
    /// with `-`, without `--`; unique in the project.
    #[schema(min_length = 3, max_length = 48, pattern = "^[a-z](-?[a-z0-9])*$")]
    name: String,
    #[serde(default)]
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    description: Option<String>,
    /// The one spec offered; the default.
    #[serde(default)]
    #[schema(pattern = r"^swr\.ee\.professional$")]
    spec: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    vpc_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    subnet_id: Option<String>,
    /// The project of the VPC and subnet; not used: the instance is the path's project's.
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    project_id: Option<String>,
    /// The one billing mode offered; the default.
    #[serde(default)]
    #[schema(pattern = "^postPaid$")]
    charge_mode: Option<String>,
    /// `0` by default.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    enterprise_project_id: Option<String>,
    /// Accepted and not used, as the remaining fields: no cloud resource is made.
    #[serde(default)]
    resource_tags: Option<Vec<Tag>>,
    #[serde(default)]
    obs_encrypt: Option<bool>,
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    encrypt_type: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    obs_bucket_name: Option<String>,
    #[serde(default)]
    enable_intranet_access: Option<bool>,
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    obs_enc_kms_key_id: Option<String>,
    /// Read only to refuse it: the registry an instance fronts is the operator's
    /// (`registry.service` and `registry.address`), never the caller's. Not in the
    /// schema, which allows no other field.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(ignore)]
    registry: Option<Value>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceTag)]
struct Tag {
    #[schema(pattern = r"^[^\u0000]*$")]
    key: String,
    #[schema(pattern = r"^[^\u0000]*$")]
    value: String,
}

/// The body a delete may carry; both flags are accepted and not used (no bucket or DNS
/// record is made).
#[derive(Deserialize, Serialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DeleteInstanceBody)]
pub struct DeleteBody {
    #[serde(default)]
    delete_obs: Option<bool>,
    #[serde(default)]
    delete_dns: Option<bool>,
}

/// The vendor's rule: `credential_core::names::validate_swr_instance_name`.
fn validate_instance_name(name: &str) -> Result<(), SwrError> {
    validate_swr_instance_name(name).map_err(|_| {
        SwrError::BadRequest(format!("Invalid instance name: {SWR_INSTANCE_NAME_RULE}."))
    })
}

/// Free text of at most `max` characters: `credential_core::names::validate_text`.
fn checked_text(field: &str, value: &str, max: usize) -> Result<(), SwrError> {
    validate_text(value, max).map_err(|_| {
        SwrError::BadRequest(format!(
            "{field} must be at most {max} characters without control characters."
        ))
    })
}

/// `value` when given, else `default`; any other value than `default` is refused, since
/// the service offers one spec and one billing mode.
fn only_choice(field: &str, value: Option<String>, default: &str) -> Result<String, SwrError> {
    let value = value.unwrap_or_else(|| default.into());
    if value == default {
        Ok(value)
    } else {
        Err(SwrError::BadRequest(format!("{field} must be {default}.")))
    }
}

/// What a create body may say: every rule on its fields, in the order they are checked.
fn check_body(b: &CreateBody) -> Result<(), SwrError> {
    validate_instance_name(&b.name)?;
    only_choice("spec", b.spec.clone(), SPEC)?;
    only_choice("charge_mode", b.charge_mode.clone(), "postPaid")?;
    checked_text(
        "description",
        b.description.as_deref().unwrap_or_default(),
        TEXT_MAX,
    )?;
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
    Ok(())
}

/// The instance a valid create body describes, in `project_id`, made by `created_by` at
/// `now`, fronting the configured `registry`.
fn new_instance(
    b: CreateBody,
    project_id: String,
    created_by: String,
    registry: &RegistryConfig,
    now: NaiveDateTime,
) -> Result<Instance, SwrError> {
    check_body(&b)?;
    Ok(Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description: b.description.unwrap_or_default(),
        spec: b.spec.unwrap_or_else(|| SPEC.into()),
        status: RUNNING.into(),
        charge_mode: b.charge_mode.unwrap_or_else(|| "postPaid".into()),
        vpc_id: b.vpc_id.unwrap_or_default(),
        subnet_id: b.subnet_id.unwrap_or_default(),
        enterprise_project_id: b.enterprise_project_id.unwrap_or_else(|| "0".into()),
        job_id: uuid::Uuid::new_v4().to_string(),
        registry_service: registry.service.clone(),
        registry_address: registry.address.clone(),
        created_by,
        created_at: now,
    })
}

/// Create the instance `body` describes in the project at `now`, fronting `registry`; its
/// name is unique in the project.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: String,
    body: CreateBody,
    registry: &RegistryConfig,
    now: NaiveDateTime,
) -> Result<Instance, SwrError> {
    policy::authorize(p, &project_id, Action::CreateInstance)?;
    let row = new_instance(body, project_id, p.user_id.clone(), registry, now)?;
    repo::instances::insert(conn, &row).map_err(|e| {
        e.or_taken(|| {
            SwrError::Conflict(format!(
                "An instance named {} already exists in the project.",
                row.name
            ))
        })
    })?;
    Ok(row)
}

/// The page of the project's instances `query` asks for (`status`,
/// `enterprise_project_id`, `offset`, `limit`), and how many there are in all.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    query: &HashMap<String, String>,
) -> Result<(Vec<Instance>, i64), SwrError> {
    policy::authorize(p, project_id, Action::ListInstances)?;
    let (offset, limit) = super::pagination(query)?;
    let filter = repo::instances::Filter {
        status: query.get("status").map(String::as_str),
        enterprise_project_id: query.get("enterprise_project_id").map(String::as_str),
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
    super::instance(conn, project_id, id)?;
    if !repo::instances::delete(conn, id)? {
        return Err(SwrError::InstanceNotFound);
    }
    // Its names stay taken: the registry still holds their images.
    repo::namespaces::tombstone_instance(conn, id, now)?;
    Ok(())
}

/// The page of the project's creation jobs `query` asks for (`status`, `offset`,
/// `limit`): one per instance, each finished when it started.
pub fn list_jobs(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    query: &HashMap<String, String>,
) -> Result<(Vec<Instance>, i64), SwrError> {
    policy::authorize(p, project_id, Action::ListJobs)?;
    let (offset, limit) = super::pagination(query)?;
    // Every job finished when it started; asking for any other status lists none.
    if query.get("status").is_some_and(|s| s != "Success") {
        return Ok((Vec::new(), 0));
    }
    Ok(repo::instances::page(
        conn,
        project_id,
        &repo::instances::Filter::default(),
        offset,
        limit,
    )?)
}

/// The instance whose creation is the project's job `job_id`.
pub fn show_job(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    job_id: &str,
) -> Result<Instance, SwrError> {
    policy::authorize(p, project_id, Action::GetJob)?;
    repo::instances::find_by_job(conn, project_id, job_id)?.ok_or(SwrError::RouteNotFound)
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
