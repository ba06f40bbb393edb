//! Who may do what in lakeformation-svc: one table of every action it serves against the
//! caller's role on the project and the kind of credential they called with. Handlers ask
//! [`authorize`] before touching the database and, for a credential they act on, the
//! [`Grant`] it returns; the roles an issued key acts with come from [`issued_roles`].
//! Nothing else decides. docs/policy/lakeformation.md shows the same table
//! ([`documented`]), and a test keeps the two equal.
//!
//! What this module does not decide, because it happens before it: authentication (the
//! token or signature, and the revocations pulled from iam-svc: a disabled or deleted
//! user's credentials are refused there with 401), and the project an instance or a
//! credential belongs to (every query is filtered by the path's project, so another
//! project's is not found).

use service_kit::auth::Principal;
use service_kit::policy::{self, Held};
// The shared words of the table.
pub use service_kit::policy::{Answer, CallerKind, Grant, KeyKind, Role};

use crate::error::LfError;

/// The actions lakeformation-svc serves, named as LakeFormation's IAM actions; an action
/// whose answer depends on its parameters has one variant per answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateInstance,
    ListInstances,
    DescribeInstance,
    /// Change an instance's name or description.
    UpdateInstance,
    /// Delete an instance, or move it to the recycle bin.
    DeleteInstance,
    /// Bring an instance back from the recycle bin.
    RecoverInstance,
    /// Issue a temporary AK/SK with a security token.
    CreateCredential,
    /// Revoke one temporary credential (`{"access": ...}`).
    RevokeCredential,
    /// Revoke every temporary credential of a user (`{"user_id": ...}`).
    RevokeUserCredentials,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::CreateInstance,
        Action::ListInstances,
        Action::DescribeInstance,
        Action::UpdateInstance,
        Action::DeleteInstance,
        Action::RecoverInstance,
        Action::CreateCredential,
        Action::RevokeCredential,
        Action::RevokeUserCredentials,
    ];

    /// The IAM action, and the parameters that select this variant of it.
    pub fn name(self) -> &'static str {
        match self {
            Action::CreateInstance => "lakeformation:instance:create",
            Action::ListInstances => "lakeformation:instance:list",
            Action::DescribeInstance => "lakeformation:instance:describe",
            Action::UpdateInstance => "lakeformation:instance:update",
            Action::DeleteInstance => "lakeformation:instance:delete",
            Action::RecoverInstance => "lakeformation:instance:recover",
            Action::CreateCredential => "lakeformation:credential:create",
            Action::RevokeCredential => "lakeformation:credential:revoke (access)",
            Action::RevokeUserCredentials => "lakeformation:credential:revoke (user_id)",
        }
    }
}

/// The table: what a caller with `role`, calling with a key of this kind, may do.
pub fn answer(action: Action, role: Role, key: KeyKind) -> Grant {
    use Action::*;
    match (role, action) {
        // A temporary key never issues a key itself: each would start a fresh lifetime
        // and outlive a revocation of its parent.
        _ if key == KeyKind::Temporary && action == CreateCredential => Grant::No,
        (Role::None, _) => Grant::No,
        // A credential is always its issuer's own, with roles no stronger than theirs.
        (_, ListInstances | DescribeInstance | CreateCredential) => Grant::Yes,
        (Role::Admin, _) => Grant::Yes,
        (Role::Member, CreateInstance | UpdateInstance | DeleteInstance | RecoverInstance) => {
            Grant::Yes
        }
        (Role::Readonly, CreateInstance | UpdateInstance | DeleteInstance | RecoverInstance) => {
            Grant::No
        }
        (_, RevokeCredential | RevokeUserCredentials) => Grant::Own,
    }
}

/// What the caller may do in the path's project, before anything is read: `Err` when the
/// project is not the caller's scope or the table says no.
pub fn authorize(
    principal: &Principal,
    project_id: &str,
    action: Action,
) -> Result<Grant, LfError> {
    // A temporary key's session policy narrows the table; its Deny is final.
    if !policy::session_allows(principal, action.name()) {
        return Err(LfError::Forbidden(policy::SESSION_REFUSED));
    }
    policy::project_grant(principal, project_id, |role, key| answer(action, role, key))
        .map_err(LfError::Forbidden)
}

/// Whether `caller` (a user id) may act on credentials held by `owner` under `grant`
/// (no admin disables a temporary credential: it is revoked).
pub fn on_owner(grant: Grant, caller: &str, owner: &str) -> Result<(), LfError> {
    let held = Held {
        own: caller == owner,
        disabled_by_admin: false,
    };
    if grant.allows(held) {
        Ok(())
    } else {
        Err(LfError::Forbidden(policy::REFUSED))
    }
}

/// The roles a credential issued to `principal` acts with. Rights never grow: each role
/// asked for must be the caller's strongest here or a lesser one (an unknown role is
/// 404, one the caller lacks 400); without any, the caller's own.
pub fn issued_roles(principal: &Principal, asked: Vec<String>) -> Result<Vec<String>, LfError> {
    if let Some(role) = asked.iter().find(|r| !Role::exists(r)) {
        return Err(LfError::NotFound(format!(
            "The role {role} does not exist."
        )));
    }
    let held = Role::of(principal).implied();
    if let Some(role) = asked.iter().find(|r| !held.contains(&r.as_str())) {
        return Err(LfError::BadRequest(format!(
            "The caller does not hold the role {role} in this project."
        )));
    }
    if asked.is_empty() {
        Ok(principal.roles.clone())
    } else {
        Ok(asked)
    }
}

/// The documented answer for a kind of caller: the table for those that reach it, 403 for
/// a caller scoped elsewhere, 401 for those refused before it.
pub fn documented(action: Action, kind: CallerKind) -> Answer {
    kind.answer(|role, key| answer(action, role, key))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_session_policy_may_name_every_action() {
        let rows = super::Action::ALL.iter().map(|a| a.name());
        service_kit::testing::policy_doc::assert_catalogued("lakeformation:", rows);
    }
}
