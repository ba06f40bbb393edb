//! Who may do what: the path's project must be the caller's scope (403), and an instance
//! of another project does not exist (404). Project admins manage everyone's
//! credentials; everyone else manages their own.

use chrono::{NaiveDateTime, Timelike};
use service_kit::auth::{Authenticated, Principal};
use service_kit::db::DbConnection;

use crate::error::SwrError;
use crate::repo::{self, credentials::Credential, instances::Instance};

/// The authenticated caller of a swr-svc endpoint.
pub type Caller = Authenticated<SwrError>;

pub const ADMIN_ROLE: &str = "admin";
pub const READONLY_ROLE: &str = "readonly";

/// The caller must be scoped to the project named in the path.
pub fn require_project(p: &Principal, project_id: &str) -> Result<(), SwrError> {
    if p.project_id() == Some(project_id) {
        Ok(())
    } else {
        Err(SwrError::Forbidden(
            "the path's project is not the caller's scope",
        ))
    }
}

/// The project's instance, or 404.
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

/// What a credential created by `p` may do on the instance's repositories.
pub fn registry_access(p: &Principal) -> &'static str {
    if p.has_role(ADMIN_ROLE) || p.roles.iter().any(|r| r == "member") {
        "pull,push"
    } else {
        "pull"
    }
}

/// Whether `p` may manage credentials of other users.
pub fn is_project_admin(p: &Principal) -> bool {
    p.has_role(ADMIN_ROLE)
}

/// A revoked credential (its user or project is gone) cannot be changed back to life.
pub fn not_revoked(credential: &Credential) -> Result<(), SwrError> {
    if credential.revoked_at.is_some() {
        return Err(SwrError::Forbidden("the credential was revoked"));
    }
    Ok(())
}

/// Only an admin undoes an admin's disable; the owner may undo their own.
pub fn may_enable(p: &Principal, credential: &Credential) -> Result<(), SwrError> {
    if credential.disabled_by_admin && !is_project_admin(p) {
        return Err(SwrError::Forbidden(
            "a project admin disabled the credential",
        ));
    }
    Ok(())
}

/// A temporary key never mints what outlives it: no long-term credentials.
pub fn may_create_long_term(p: &Principal) -> Result<(), SwrError> {
    if p.is_temporary() {
        return Err(SwrError::Forbidden(
            "a temporary key cannot create long-term credentials",
        ));
    }
    Ok(())
}

/// When a credential `p` creates at `wanted` expiry really expires: no later than the
/// temporary key `p` signed with, if any (rounded down to what the database stores).
pub fn capped_expiry(p: &Principal, wanted: NaiveDateTime) -> NaiveDateTime {
    match &p.temporary {
        Some(key) => {
            let key_end = key.expires_at.naive_utc();
            let key_end = key_end
                .with_nanosecond(key_end.nanosecond() / 1000 * 1000)
                .unwrap_or(key_end);
            wanted.min(key_end)
        }
        None => wanted,
    }
}

/// Creating, changing and deleting instances takes admin or member; readonly may look.
pub fn require_writer(p: &Principal) -> Result<(), SwrError> {
    if p.roles.iter().any(|r| r == ADMIN_ROLE || r == "member") {
        Ok(())
    } else {
        Err(SwrError::Forbidden("read-only role"))
    }
}
