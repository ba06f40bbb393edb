//! The rules of swr-svc, callable without HTTP: who may do what (through `crate::policy`),
//! what a request may say, and what it changes in the store. Each function takes a
//! connection, the caller, the request's parts (with the configured limits it needs) and,
//! when it dates rows, the time; checks them in a fixed order, so a request wrong in two ways
//! always gets the same refusal; and answers rows for `crate::routes` to render. The
//! handler runs it on the pool, `db::run` for reads and `db::write` for writes, and a
//! write whose rows are dated after the instance is found reads the clock inside the
//! write, so a quota check and the rows it counts see one moment.
//!
//! `credentials` (issuance under the per-user quota, enabling, deleting), `instances`,
//! `jobs` and `namespaces`; this file holds the path, the lookups and the paging they share.

pub mod credentials;
pub mod instances;
pub mod jobs;
pub mod namespaces;

use std::collections::HashMap;

use service_kit::db::DbConnection;

use crate::error::SwrError;
use crate::repo::{self, instances::Instance};

/// For `#[serde(default, deserialize_with = "present")]` on a field read only to refuse
/// it: a field given at all is `Some`, `null` included (serde would read a plain
/// `Option`'s `null` as absent), so the refusal cannot be dodged by sending `null`.
pub fn present<'de, D: serde::Deserializer<'de>>(
    value: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(value).map(Some)
}

/// A project's instance, as a path names it.
pub struct InstancePath {
    pub project_id: String,
    pub instance_id: String,
}

impl From<(String, String)> for InstancePath {
    fn from((project_id, instance_id): (String, String)) -> Self {
        InstancePath {
            project_id,
            instance_id,
        }
    }
}

/// Refuse any query parameter but `known`: one a list does not read is not ignored.
pub fn only_known(query: &HashMap<String, String>, known: &[&str]) -> Result<(), SwrError> {
    match query.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(SwrError::BadRequest(format!(
            "Unknown query parameter {unknown:?}: the list takes {}.",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// `offset` (default 0) and `limit` (default 100, at most 100) from a query.
pub fn pagination(query: &HashMap<String, String>) -> Result<(i64, i64), SwrError> {
    page_bounds(query, 100)
}

/// `offset` (default 0) and `limit` (default `default_limit`, 1 to 100) from a query.
pub fn page_bounds(
    query: &HashMap<String, String>,
    default_limit: i64,
) -> Result<(i64, i64), SwrError> {
    let offset = match query.get("offset") {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            SwrError::BadPagination("offset must be an integer of at least 0.".into())
        })?,
    };
    let limit = match query.get("limit") {
        None => default_limit,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                SwrError::BadPagination("limit must be an integer from 1 to 100.".into())
            })?,
    };
    Ok((offset, limit))
}

/// The project's instance, or 404: another project's instance does not exist from here.
pub fn instance(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Instance, SwrError> {
    repo::instances::find_in_project(conn, project_id, id)?.ok_or(SwrError::InstanceNotFound)
}

/// The project's instance exists, or 404; held until the write ends (see
/// `repo::instances::lock`): for writes whose checks (the per-user quota) must not
/// interleave with another's on the instance.
pub fn lock_instance(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<(), SwrError> {
    if repo::instances::lock_in_project(conn, project_id, id)? {
        Ok(())
    } else {
        Err(SwrError::InstanceNotFound)
    }
}
