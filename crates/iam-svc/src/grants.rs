//! Role grants of groups on projects and on the domain. Each function is one whole
//! operation for an authenticated principal (policy check on the target and the group,
//! the write and the revocation it calls for), so `routes/grants.rs` only extracts the
//! request, calls one of these and renders the result.

use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection};

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{self, grants::Target, roles::Role};
use crate::revocation;
use crate::state::AppState;

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
pub async fn list(state: &AppState, p: &Principal, on: GroupOn) -> Result<Vec<Role>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        checked(conn, &p, Op::List, &on)?;
        Ok(repo::grants::roles_of_group(
            conn,
            on.target(),
            &on.group_id,
        )?)
    })
    .await
}

/// Grant the role (which must exist) to the group on the target.
pub async fn grant(
    state: &AppState,
    p: &Principal,
    on: GroupOn,
    role_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    db::write(&state.pool, move |conn| {
        checked(conn, &p, Op::Grant, &on)?;
        repo::roles::find(conn, &role_id)?.ok_or(IamError::NotFound("role"))?;
        Ok(repo::grants::grant(
            conn,
            on.target(),
            &on.group_id,
            &role_id,
        )?)
    })
    .await
}

/// Whether the group holds the role on the target: `NotFound` when not.
pub async fn check(
    state: &AppState,
    p: &Principal,
    on: GroupOn,
    role_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let granted = db::run(&state.pool, move |conn| {
        checked(conn, &p, Op::Check, &on)?;
        Ok::<_, IamError>(repo::grants::has_grant(
            conn,
            on.target(),
            &on.group_id,
            &role_id,
        )?)
    })
    .await?;
    if granted {
        Ok(())
    } else {
        Err(IamError::NotFound("grant"))
    }
}

/// Take the role from the group on the target; its members lose what it granted,
/// credentials made with it too. `NotFound` when the group did not hold it.
pub async fn revoke(
    state: &AppState,
    p: &Principal,
    on: GroupOn,
    role_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let clock = state.clock.clone();
    let removed = db::write(&state.pool, move |conn| {
        checked(conn, &p, Op::Revoke, &on)?;
        let removed = repo::grants::revoke(conn, on.target(), &on.group_id, &role_id)?;
        if removed {
            revocation::group_lost_power(conn, &on.group_id, clock.stored_now())?;
        }
        Ok::<_, IamError>(removed)
    })
    .await?;
    state.sync_revocations().await?;
    if removed {
        Ok(())
    } else {
        Err(IamError::NotFound("grant"))
    }
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
