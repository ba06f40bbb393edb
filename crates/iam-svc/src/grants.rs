//! Role grants of groups on projects and on the domain. Each rule is a function of a
//! connection inside the caller's transaction, the caller, the grant asked about and the
//! time (policy check on the target and the group, the write and the revocation it calls
//! for), so tests call them without HTTP; `routes/grants.rs` runs them on the pool,
//! refreshes the revocation feed after a revoking commit and renders the result.

use chrono::NaiveDateTime;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{self, grants::Target, roles::Role};
use crate::revocation;

/// What a grant is on: a project or the domain.
#[derive(Clone, Copy)]
pub enum Kind {
    Project,
    Domain,
}

/// One group's grants on one target.
pub struct GroupOn {
    pub kind: Kind,
    pub target_id: String,
    pub group_id: String,
}

/// The roles the group holds on the target.
pub fn list(conn: &mut DbConnection, p: &Principal, on: &GroupOn) -> Result<Vec<Role>, IamError> {
    checked(conn, p, Op::List, on)?;
    Ok(repo::grants::roles_of_group(
        conn,
        on.target(),
        &on.group_id,
    )?)
}

/// Grant the role (which must exist) to the group on the target.
pub fn grant(
    conn: &mut DbConnection,
    p: &Principal,
    on: &GroupOn,
    role_id: &str,
) -> Result<(), IamError> {
    checked(conn, p, Op::Grant, on)?;
    repo::roles::find(conn, role_id)?.ok_or(IamError::NotFound("role"))?;
    Ok(repo::grants::grant(
        conn,
        on.target(),
        &on.group_id,
        role_id,
    )?)
}

/// Whether the group holds the role on the target: `NotFound` when not.
pub fn check(
    conn: &mut DbConnection,
    p: &Principal,
    on: &GroupOn,
    role_id: &str,
) -> Result<(), IamError> {
    checked(conn, p, Op::Check, on)?;
    if repo::grants::has_grant(conn, on.target(), &on.group_id, role_id)? {
        Ok(())
    } else {
        Err(IamError::NotFound("grant"))
    }
}

/// Take the role from the group on the target; its members lose what it granted,
/// credentials made with it too. Whether the group held it: the handler answers
/// `NotFound` after the feed is refreshed when it did not.
pub fn revoke(
    conn: &mut DbConnection,
    p: &Principal,
    on: &GroupOn,
    role_id: &str,
    now: NaiveDateTime,
) -> Result<bool, IamError> {
    checked(conn, p, Op::Revoke, on)?;
    let removed = repo::grants::revoke(conn, on.target(), &on.group_id, role_id)?;
    if removed {
        revocation::group_lost_power(conn, &on.group_id, now)?;
    }
    Ok(removed)
}

/// The policy's action for the operation (`Op`) on the kind of target.
#[derive(Clone, Copy)]
enum Op {
    List,
    Grant,
    Check,
    Revoke,
}

fn action(kind: Kind, op: Op) -> Action {
    match (kind, op) {
        (Kind::Project, Op::List) => Action::ListProjectPermissions,
        (Kind::Project, Op::Grant) => Action::GrantProjectPermission,
        (Kind::Project, Op::Check) => Action::CheckProjectPermission,
        (Kind::Project, Op::Revoke) => Action::RevokeProjectPermission,
        (Kind::Domain, Op::List) => Action::ListDomainPermissions,
        (Kind::Domain, Op::Grant) => Action::GrantDomainPermission,
        (Kind::Domain, Op::Check) => Action::CheckDomainPermission,
        (Kind::Domain, Op::Revoke) => Action::RevokeDomainPermission,
    }
}

/// Ask the policy about the target (project or domain) and the group.
fn checked(conn: &mut DbConnection, p: &Principal, op: Op, on: &GroupOn) -> Result<(), IamError> {
    let action = action(on.kind, op);
    match on.kind {
        Kind::Project => policy::project(conn, p, action, &on.target_id).map(drop)?,
        Kind::Domain => policy::domain(conn, p, action, &on.target_id)?,
    }
    policy::group(conn, p, action, &on.group_id).map(drop)
}

impl GroupOn {
    fn target(&self) -> Target<'_> {
        match self.kind {
            Kind::Project => Target::Project(&self.target_id),
            Kind::Domain => Target::Domain(&self.target_id),
        }
    }
}
