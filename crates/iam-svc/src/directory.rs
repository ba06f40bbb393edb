//! What other services may ask about a domain's directory and its revocations over the
//! internal API: which named users and groups a domain lacks, and the revocation feed
//! after a sequence number, as functions of a connection. The internal credential is
//! checked by the route's guard.

use chrono::NaiveDateTime;
use service_kit::auth::wire::{DirectoryAnswer, DirectoryCheck, RevocationPage};
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::repo;

/// The most names one directory check may ask about, so a check stays one short visit.
const MAX_NAMES_PER_CHECK: usize = 100;

/// Refuse a check that names too many users and groups; asked before the pool is.
pub fn within_limit(check: &DirectoryCheck) -> Result<(), IamError> {
    if check.user_names.len() + check.groups.len() > MAX_NAMES_PER_CHECK {
        return Err(IamError::BadRequest("At most 100 names per check.".into()));
    }
    Ok(())
}

/// Which of the named users and groups the domain lacks (for services that let a caller
/// name them, such as lakeformation-svc's credential requests), after [`within_limit`].
pub fn missing(
    conn: &mut DbConnection,
    check: &DirectoryCheck,
) -> Result<DirectoryAnswer, IamError> {
    let mut answer = DirectoryAnswer::default();
    for name in &check.user_names {
        if repo::users::find_by_name(conn, &check.domain_id, name)?.is_none() {
            answer.missing_user_names.push(name.clone());
        }
    }
    for name in &check.groups {
        if repo::groups::find_by_name(conn, &check.domain_id, name)?.is_none() {
            answer.missing_groups.push(name.clone());
        }
    }
    Ok(answer)
}

/// The revocation events after `after` that still matter at `now`. `last_seq` never goes
/// back below `after`, so a reader that found nothing new keeps its place.
pub fn revocations_after(
    conn: &mut DbConnection,
    after: i64,
    now: NaiveDateTime,
) -> Result<RevocationPage, IamError> {
    let events = repo::revocations::after(conn, after, now)?;
    let last_seq = events
        .iter()
        .map(|e| e.seq)
        .max()
        .unwrap_or(after)
        .max(after);
    Ok(RevocationPage { events, last_seq })
}
