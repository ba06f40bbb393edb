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

use crate::error::LfError;

/// The actions lakeformation-svc serves, named as LakeFormation's IAM actions; an action
/// whose answer depends on its parameters has one variant per answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateInstance,
    ListInstances,
    DescribeInstance,
    DeleteInstance,
    /// Issue a temporary AK/SK with a security token.
    CreateCredential,
    /// Revoke one temporary credential (`{"access": ...}`).
    RevokeCredential,
    /// Revoke every temporary credential of a user (`{"user_id": ...}`).
    RevokeUserCredentials,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::CreateInstance,
        Action::ListInstances,
        Action::DescribeInstance,
        Action::DeleteInstance,
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
            Action::DeleteInstance => "lakeformation:instance:delete",
            Action::CreateCredential => "lakeformation:credential:create",
            Action::RevokeCredential => "lakeformation:credential:revoke (access)",
            Action::RevokeUserCredentials => "lakeformation:credential:revoke (user_id)",
        }
    }
}

/// The caller's strongest role on the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
    Readonly,
    /// None of these (iam-svc normally refuses the scope before this).
    None,
}

/// The roles iam-svc knows, strongest first: each includes the ones after it.
const ROLES: [&str; 3] = ["admin", "member", "readonly"];

impl Role {
    pub fn of(principal: &Principal) -> Role {
        if principal.has_role("admin") {
            Role::Admin
        } else if principal.has_role("member") {
            Role::Member
        } else if principal.has_role("readonly") {
            Role::Readonly
        } else {
            Role::None
        }
    }

    /// The roles a holder of this one may hand on: it and every lesser one.
    pub fn implied(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &ROLES,
            Role::Member => &ROLES[1..],
            Role::Readonly => &ROLES[2..],
            Role::None => &[],
        }
    }
}

/// What the caller called with. A temporary key (this service's AK/SK + security token)
/// acts with the roles it was issued with but never issues a key itself: each would start
/// a fresh lifetime and outlive a revocation of its parent. An IAM token or a permanent
/// access key acts with the role alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Permanent,
    Temporary,
}

impl KeyKind {
    pub fn of(principal: &Principal) -> KeyKind {
        if principal.is_temporary() {
            KeyKind::Temporary
        } else {
            KeyKind::Permanent
        }
    }
}

/// The answer of the table for one caller and action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Allowed, on anything of the project.
    Yes,
    /// Allowed on the caller's own credentials only.
    Own,
    /// Refused (403).
    No,
}

/// The table: what a caller with `role`, calling with a key of this kind, may do.
pub fn answer(action: Action, role: Role, key: KeyKind) -> Grant {
    use Action::*;
    match (role, action) {
        _ if key == KeyKind::Temporary && action == CreateCredential => Grant::No,
        (Role::None, _) => Grant::No,
        // A credential is always its issuer's own, with roles no stronger than theirs.
        (_, ListInstances | DescribeInstance | CreateCredential) => Grant::Yes,
        (Role::Admin, _) => Grant::Yes,
        (Role::Member, CreateInstance | DeleteInstance) => Grant::Yes,
        (Role::Readonly, CreateInstance | DeleteInstance) => Grant::No,
        (_, RevokeCredential | RevokeUserCredentials) => Grant::Own,
    }
}

/// Why the table refuses: one message for every refusal (never shown: LakeFormation's
/// 403 has one).
const REFUSED: &str = "the policy refuses this action to the caller";

/// What the caller may do in the path's project, before anything is read: `Err` when the
/// project is not the caller's scope or the table says no.
pub fn authorize(
    principal: &Principal,
    project_id: &str,
    action: Action,
) -> Result<Grant, LfError> {
    if principal.project_id() != Some(project_id) {
        return Err(LfError::Forbidden(
            "the path's project is not the caller's scope",
        ));
    }
    match answer(action, Role::of(principal), KeyKind::of(principal)) {
        Grant::No => Err(LfError::Forbidden(REFUSED)),
        grant => Ok(grant),
    }
}

impl Grant {
    /// Whether `caller` (a user id) may act on credentials held by `owner` under this
    /// grant.
    pub fn on_owner(self, caller: &str, owner: &str) -> Result<(), LfError> {
        let allowed = match self {
            Grant::Yes => true,
            Grant::Own => caller == owner,
            Grant::No => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(LfError::Forbidden(REFUSED))
        }
    }
}

/// The roles a credential issued to `principal` acts with. Rights never grow: each role
/// asked for must be the caller's strongest here or a lesser one (an unknown role is
/// 404, one the caller lacks 400); without any, the caller's own.
pub fn issued_roles(principal: &Principal, asked: Vec<String>) -> Result<Vec<String>, LfError> {
    if let Some(role) = asked.iter().find(|r| !ROLES.contains(&r.as_str())) {
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

/// The kinds of caller the documented table has a column for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    Admin,
    Member,
    Readonly,
    OtherProject,
    OtherDomain,
    /// A member's permanent access key.
    PermanentKey,
    /// A member's temporary key.
    TemporaryKey,
    DisabledUser,
    Internal,
}

impl CallerKind {
    pub const ALL: [CallerKind; 9] = [
        CallerKind::Admin,
        CallerKind::Member,
        CallerKind::Readonly,
        CallerKind::OtherProject,
        CallerKind::OtherDomain,
        CallerKind::PermanentKey,
        CallerKind::TemporaryKey,
        CallerKind::DisabledUser,
        CallerKind::Internal,
    ];

    /// The column heading in docs/policy/lakeformation.md.
    pub fn heading(self) -> &'static str {
        match self {
            CallerKind::Admin => "admin",
            CallerKind::Member => "member",
            CallerKind::Readonly => "readonly",
            CallerKind::OtherProject => "other project",
            CallerKind::OtherDomain => "other domain",
            CallerKind::PermanentKey => "permanent key",
            CallerKind::TemporaryKey => "temporary key",
            CallerKind::DisabledUser => "disabled or deleted user",
            CallerKind::Internal => "internal caller",
        }
    }
}

/// What the caller gets, as docs/policy/lakeformation.md writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Granted(Grant),
    /// 401: no valid credential for this API (refused before the table is asked).
    Unauthenticated,
}

impl Answer {
    /// The cell in docs/policy/lakeformation.md.
    pub fn cell(self) -> &'static str {
        match self {
            Answer::Granted(Grant::Yes) => "yes",
            Answer::Granted(Grant::Own) => "own",
            Answer::Granted(Grant::No) => "no",
            Answer::Unauthenticated => "401",
        }
    }
}

/// The documented answer for a kind of caller: the table for those that reach it, 403 for
/// a caller scoped elsewhere, 401 for those refused before it.
pub fn documented(action: Action, kind: CallerKind) -> Answer {
    let table = |role, key| Answer::Granted(answer(action, role, key));
    match kind {
        CallerKind::Admin => table(Role::Admin, KeyKind::Permanent),
        CallerKind::Member | CallerKind::PermanentKey => table(Role::Member, KeyKind::Permanent),
        CallerKind::Readonly => table(Role::Readonly, KeyKind::Permanent),
        CallerKind::TemporaryKey => table(Role::Member, KeyKind::Temporary),
        CallerKind::OtherProject | CallerKind::OtherDomain => Answer::Granted(Grant::No),
        CallerKind::DisabledUser | CallerKind::Internal => Answer::Unauthenticated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_roles_include_lesser_ones() {
        assert_eq!(Role::Admin.implied(), ["admin", "member", "readonly"]);
        assert_eq!(Role::Member.implied(), ["member", "readonly"]);
        assert_eq!(Role::Readonly.implied(), ["readonly"]);
        assert!(Role::None.implied().is_empty());
    }
}
