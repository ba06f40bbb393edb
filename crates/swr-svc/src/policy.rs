//! Who may do what in swr-svc: one table of every action it serves against the caller's
//! role on the project and the kind of credential they called with. Handlers ask
//! [`authorize`] before touching the database and, for a credential they act on, the
//! [`Grant`] it returns; nothing else decides. docs/policy/swr.md shows the same table
//! ([`documented`]), and a test keeps the two equal.
//!
//! What this module does not decide, because it happens before it: authentication (the
//! token or signature, and the revocations pulled from iam-svc: a disabled or deleted
//! user's credentials are refused there with 401), and the project an instance belongs
//! to (every query is filtered by the path's project, so another project's instance is
//! not found).

use chrono::{NaiveDateTime, SubsecRound};
use service_kit::auth::Principal;

use crate::error::SwrError;
use crate::repo::credentials::Credential;

/// The actions swr-svc serves, named as SWR's IAM actions; an action whose answer
/// depends on its parameters has one variant per answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateInstance,
    ListInstances,
    GetInstance,
    DeleteInstance,
    ListJobs,
    GetJob,
    CreateLongTermCredential,
    CreateTempCredential,
    /// The caller's own long-term credentials (`self_only=true`, the default).
    ListOwnLongTermCredentials,
    /// Everyone's (`self_only=false`).
    ListAllLongTermCredentials,
    /// `PUT` with `enable: false`.
    DisableLongTermCredential,
    /// `PUT` with `enable: true`.
    EnableLongTermCredential,
    DeleteLongTermCredential,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::CreateInstance,
        Action::ListInstances,
        Action::GetInstance,
        Action::DeleteInstance,
        Action::ListJobs,
        Action::GetJob,
        Action::CreateLongTermCredential,
        Action::CreateTempCredential,
        Action::ListOwnLongTermCredentials,
        Action::ListAllLongTermCredentials,
        Action::DisableLongTermCredential,
        Action::EnableLongTermCredential,
        Action::DeleteLongTermCredential,
    ];

    /// The IAM action, and the parameters that select this variant of it.
    pub fn name(self) -> &'static str {
        match self {
            Action::CreateInstance => "swr:instance:create",
            Action::ListInstances => "swr:instance:list",
            Action::GetInstance => "swr:instance:get",
            Action::DeleteInstance => "swr:instance:delete",
            Action::ListJobs => "swr:instance:listJobs",
            Action::GetJob => "swr:instance:getJob",
            Action::CreateLongTermCredential => "swr:instance:createLTCredential",
            Action::CreateTempCredential => "swr:instance:createTempCredential",
            Action::ListOwnLongTermCredentials => "swr:instance:listLTCredentials (self_only)",
            Action::ListAllLongTermCredentials => {
                "swr:instance:listLTCredentials (self_only false)"
            }
            Action::DisableLongTermCredential => "swr:instance:updateLTCredential (enable false)",
            Action::EnableLongTermCredential => "swr:instance:updateLTCredential (enable true)",
            Action::DeleteLongTermCredential => "swr:instance:deleteLTCredential",
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
}

/// What the caller called with. A temporary key (lakeformation-svc's AK/SK + security
/// token) acts with its holder's role but never makes or revives a long-lived credential;
/// an IAM token or a permanent access key acts with the role alone.
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
    /// Allowed on the caller's own credentials, unless an admin disabled the credential.
    OwnUnlessAdminDisabled,
    /// Refused (403).
    No,
}

/// The table: what a caller with `role`, calling with a key of this kind, may do.
pub fn answer(action: Action, role: Role, key: KeyKind) -> Grant {
    use Action::*;
    match (role, action) {
        _ if key == KeyKind::Temporary
            && matches!(action, CreateLongTermCredential | EnableLongTermCredential) =>
        {
            Grant::No
        }
        (Role::None, _) => Grant::No,
        (_, ListInstances | GetInstance | ListJobs | GetJob | ListOwnLongTermCredentials) => {
            Grant::Yes
        }
        // A credential is always its creator's own; a read-only caller's only pulls.
        (_, CreateLongTermCredential | CreateTempCredential) => Grant::Yes,
        (Role::Admin, _) => Grant::Yes,
        (Role::Member, CreateInstance | DeleteInstance) => Grant::Yes,
        (Role::Readonly, CreateInstance | DeleteInstance) => Grant::No,
        (_, ListAllLongTermCredentials) => Grant::No,
        (_, DisableLongTermCredential | DeleteLongTermCredential) => Grant::Own,
        (_, EnableLongTermCredential) => Grant::OwnUnlessAdminDisabled,
    }
}

/// Why the table refuses: one message for every refusal (never shown: SWR's 403 has one).
const REFUSED: &str = "the policy refuses this action to the caller";

/// What the caller may do in the path's project, before anything is read: `Err` when the
/// project is not the caller's scope or the table says no.
pub fn authorize(
    principal: &Principal,
    project_id: &str,
    action: Action,
) -> Result<Grant, SwrError> {
    if principal.project_id() != Some(project_id) {
        return Err(SwrError::Forbidden(
            "the path's project is not the caller's scope",
        ));
    }
    match answer(action, Role::of(principal), KeyKind::of(principal)) {
        Grant::No => Err(SwrError::Forbidden(REFUSED)),
        grant => Ok(grant),
    }
}

impl Grant {
    /// Whether `caller` (a user id) may act on `credential` under this grant. A revoked
    /// credential (its user or project is gone) is never enabled or disabled again; it
    /// may still be deleted.
    pub fn on_credential(
        self,
        action: Action,
        caller: &str,
        credential: &Credential,
    ) -> Result<(), SwrError> {
        let own = credential.user_id == caller;
        let allowed = match self {
            Grant::Yes => true,
            Grant::Own => own,
            Grant::OwnUnlessAdminDisabled => own && !credential.disabled_by_admin,
            Grant::No => false,
        };
        let revived = credential.revoked_at.is_some()
            && matches!(
                action,
                Action::EnableLongTermCredential | Action::DisableLongTermCredential
            );
        if allowed && !revived {
            Ok(())
        } else {
            Err(SwrError::Forbidden(REFUSED))
        }
    }
}

/// Whether a disable by `principal` is an admin's, which only an admin undoes.
pub fn disables_as_admin(principal: &Principal) -> bool {
    Role::of(principal) == Role::Admin
}

/// What a credential created by `principal` may do on its instance's repositories.
pub fn registry_access(principal: &Principal) -> &'static str {
    match Role::of(principal) {
        Role::Admin | Role::Member => "pull,push",
        Role::Readonly | Role::None => "pull",
    }
}

/// When a credential created by `principal` and meant to last until `wanted` expires: one
/// made with a temporary key dies no later than the key.
pub fn credential_expiry(principal: &Principal, wanted: NaiveDateTime) -> NaiveDateTime {
    match &principal.temporary {
        // Stored in whole microseconds: truncated, never rounded past the key.
        Some(key) => wanted.min(key.expires_at.naive_utc().trunc_subsecs(6)),
        None => wanted,
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

    /// The column heading in docs/policy/swr.md.
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

/// What the caller gets, as docs/policy/swr.md writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Granted(Grant),
    /// 401: no valid credential for this API (refused before the table is asked).
    Unauthenticated,
}

impl Answer {
    /// The cell in docs/policy/swr.md.
    pub fn cell(self) -> &'static str {
        match self {
            Answer::Granted(Grant::Yes) => "yes",
            Answer::Granted(Grant::Own) => "own",
            Answer::Granted(Grant::OwnUnlessAdminDisabled) => "own, unless an admin disabled it",
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
