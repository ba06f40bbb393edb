//! What other services may ask about a domain's directory and its revocations over the
//! internal API: which named users and groups a domain lacks, and the revocation feed
//! after a sequence number. The internal credential is checked by the route's guard.

use service_kit::auth::wire::{DirectoryAnswer, DirectoryCheck, RevocationPage};
use service_kit::db;

use crate::error::IamError;
use crate::repo;
use crate::state::AppState;

/// The most names one directory check may ask about, so a check stays one short visit.
const MAX_NAMES_PER_CHECK: usize = 100;

/// Which of the named users and groups the domain lacks (for services that let a caller
/// name them, such as lakeformation-svc's credential requests).
pub async fn missing(state: &AppState, check: DirectoryCheck) -> Result<DirectoryAnswer, IamError> {
    if check.user_names.len() + check.groups.len() > MAX_NAMES_PER_CHECK {
        return Err(IamError::BadRequest("At most 100 names per check.".into()));
    }
    db::run(&state.pool, move |conn| {
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
    })
    .await
}

/// The revocation events after `after` that still matter. `last_seq` never goes back
/// below `after`, so a reader that found nothing new keeps its place.
pub async fn revocations_after(state: &AppState, after: i64) -> Result<RevocationPage, IamError> {
    let clock = state.clock.clone();
    let events = db::run(&state.pool, move |conn| -> Result<_, IamError> {
        Ok(repo::revocations::after(conn, after, clock.stored_now())?)
    })
    .await?;
    let last_seq = events
        .iter()
        .map(|e| e.seq)
        .max()
        .unwrap_or(after)
        .max(after);
    Ok(RevocationPage { events, last_seq })
}
