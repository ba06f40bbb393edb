//! The jobs of a project: what the API did to its instances (creations and deletions),
//! listed, shown and deleted. Deleting a job forgets the record only; its instance is
//! untouched.

use std::collections::HashMap;

use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::SwrError;
use crate::instance_requests::{one_of, JOB_STATUSES};
use crate::policy::{self, Action};
use crate::repo::{self, jobs::Job};

/// The page of the project's jobs `query` asks for (`status`, `offset`, `limit`; any
/// other parameter is refused), and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    query: &HashMap<String, String>,
) -> Result<(Vec<Job>, i64), SwrError> {
    policy::authorize(p, project_id, Action::ListJobs)?;
    super::only_known(query, &["offset", "limit", "status"])?;
    let (offset, limit) = super::pagination(query)?;
    let status = one_of(query, "status", &JOB_STATUSES)?;
    Ok(repo::jobs::page(conn, project_id, status, offset, limit)?)
}

/// The project's job `job_id`.
pub fn show(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    job_id: &str,
) -> Result<Job, SwrError> {
    policy::authorize(p, project_id, Action::GetJob)?;
    repo::jobs::find(conn, project_id, job_id)?.ok_or(SwrError::JobNotFound)
}

/// Delete the project's job `job_id`.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    project_id: &str,
    job_id: &str,
) -> Result<(), SwrError> {
    policy::authorize(p, project_id, Action::DeleteJob)?;
    if repo::jobs::delete(conn, project_id, job_id)? {
        Ok(())
    } else {
        Err(SwrError::JobNotFound)
    }
}
