//! Who may do what in tcr-svc: one table of every action it serves against the caller's
//! role on the account and the kind of key they signed with. Actions ask [`allow`] before
//! touching the database and, for a token they act on, the [`Grant`] it returns; nothing
//! else decides. docs/policy/tcr.md shows the same table, and a test keeps the two equal.
//!
//! What this module does not decide, because it happens before or around it: the
//! signature and the key's status (iam-svc, or lakeformation-svc for temporary keys, and
//! the revocations this service pulled), and the account a registry belongs to (every
//! query is filtered by the caller's account, so another account's registry is not found).
//! [`cell`] states those answers too, so that the documented table is whole. TCR has no
//! projects: registries and tokens belong to the account (iam-svc domain), and requests
//! name no project, so there is no "other project" caller.

use service_kit::auth::Principal;
use service_kit::policy::{self, Held};
// The shared words of the table, and the rules every service's table keeps.
pub use service_kit::policy::{disables_as_admin, expiry_within_key, Grant, KeyKind, Role};

use crate::error::TcrError;

/// The actions tcr-svc serves, named as TCR's CAM actions; an action whose answer depends
/// on its parameters has one variant per answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateInstance,
    DescribeInstances,
    DeleteInstance,
    DescribeInstanceStatus,
    CheckInstanceName,
    CheckInstance,
    /// `CreateInstanceToken` with `TokenType: temp` (the default).
    CreateTempToken,
    /// `CreateInstanceToken` with `TokenType: longterm`.
    CreateLongtermToken,
    DescribeInstanceToken,
    /// `ModifyInstanceToken` of the description, or with `Enable: false`.
    ModifyInstanceToken,
    /// `ModifyInstanceToken` with `Enable: true`.
    EnableInstanceToken,
    DeleteInstanceToken,
    CreateNamespace,
    DescribeNamespaces,
    ModifyNamespace,
    DeleteNamespace,
    /// The namespaces of every registry of the caller's account.
    DescribeInstanceAllNamespaces,
    CreateServiceAccount,
    DescribeServiceAccounts,
    ModifyServiceAccount,
    ModifyServiceAccountPassword,
    DeleteServiceAccount,
}

impl Action {
    pub const ALL: [Action; 22] = [
        Action::CreateInstance,
        Action::DescribeInstances,
        Action::DeleteInstance,
        Action::DescribeInstanceStatus,
        Action::CheckInstanceName,
        Action::CheckInstance,
        Action::CreateTempToken,
        Action::CreateLongtermToken,
        Action::DescribeInstanceToken,
        Action::ModifyInstanceToken,
        Action::EnableInstanceToken,
        Action::DeleteInstanceToken,
        Action::CreateNamespace,
        Action::DescribeNamespaces,
        Action::ModifyNamespace,
        Action::DeleteNamespace,
        Action::DescribeInstanceAllNamespaces,
        Action::CreateServiceAccount,
        Action::DescribeServiceAccounts,
        Action::ModifyServiceAccount,
        Action::ModifyServiceAccountPassword,
        Action::DeleteServiceAccount,
    ];

    /// The CAM action, and the parameters that select this variant of it.
    pub fn name(self) -> &'static str {
        match self {
            Action::CreateInstance => "tcr:CreateInstance",
            Action::DescribeInstances => "tcr:DescribeInstances",
            Action::DeleteInstance => "tcr:DeleteInstance",
            Action::DescribeInstanceStatus => "tcr:DescribeInstanceStatus",
            Action::CheckInstanceName => "tcr:CheckInstanceName",
            Action::CheckInstance => "tcr:CheckInstance",
            Action::CreateTempToken => "tcr:CreateInstanceToken (temp)",
            Action::CreateLongtermToken => "tcr:CreateInstanceToken (longterm)",
            Action::DescribeInstanceToken => "tcr:DescribeInstanceToken",
            Action::ModifyInstanceToken => "tcr:ModifyInstanceToken (Desc, or Enable false)",
            Action::EnableInstanceToken => "tcr:ModifyInstanceToken (Enable true)",
            Action::DeleteInstanceToken => "tcr:DeleteInstanceToken",
            Action::CreateNamespace => "tcr:CreateNamespace",
            Action::DescribeNamespaces => "tcr:DescribeNamespaces",
            Action::ModifyNamespace => "tcr:ModifyNamespace",
            Action::DeleteNamespace => "tcr:DeleteNamespace",
            Action::DescribeInstanceAllNamespaces => "tcr:DescribeInstanceAllNamespaces",
            Action::CreateServiceAccount => "tcr:CreateServiceAccount",
            Action::DescribeServiceAccounts => "tcr:DescribeServiceAccounts",
            Action::ModifyServiceAccount => "tcr:ModifyServiceAccount",
            Action::ModifyServiceAccountPassword => "tcr:ModifyServiceAccountPassword",
            Action::DeleteServiceAccount => "tcr:DeleteServiceAccount",
        }
    }
}

/// The table: what a caller with `role`, signing with a `key` of this kind, may do.
pub fn answer(action: Action, role: Role, key: KeyKind) -> Grant {
    use Action::*;
    match (role, action) {
        // A temporary key acts with its holder's role, but never makes a long-lived
        // credential: no `longterm` token, and no enabling one again; no service account,
        // no new password for one, and no change that could enable or extend one.
        _ if key == KeyKind::Temporary
            && matches!(
                action,
                CreateLongtermToken
                    | EnableInstanceToken
                    | CreateServiceAccount
                    | ModifyServiceAccount
                    | ModifyServiceAccountPassword
            ) =>
        {
            Grant::No
        }
        (Role::None, _) => Grant::No,
        (
            _,
            DescribeInstances
            | DescribeInstanceStatus
            | CheckInstanceName
            | CheckInstance
            | DescribeInstanceToken
            | DescribeNamespaces
            | DescribeInstanceAllNamespaces
            | DescribeServiceAccounts,
        ) => Grant::Yes,
        // A token is always the caller's own; a read-only caller's only pulls.
        (_, CreateTempToken | CreateLongtermToken) => Grant::Yes,
        (Role::Admin, _) => Grant::Yes,
        // Managing registries and their namespaces: any writer of the account.
        (
            Role::Member,
            CreateInstance | DeleteInstance | CreateNamespace | ModifyNamespace | DeleteNamespace,
        ) => Grant::Yes,
        (
            Role::Readonly,
            CreateInstance | DeleteInstance | CreateNamespace | ModifyNamespace | DeleteNamespace,
        ) => Grant::No,
        // A service account belongs to the registry, not to a user, and outlives whoever
        // made it: managing one is the account admin's.
        (
            _,
            CreateServiceAccount
            | ModifyServiceAccount
            | ModifyServiceAccountPassword
            | DeleteServiceAccount,
        ) => Grant::No,
        (_, ModifyInstanceToken | DeleteInstanceToken) => Grant::Own,
        (_, EnableInstanceToken) => Grant::OwnUnlessAdminDisabled,
    }
}

/// What the caller may do, before anything is read: `Err` when the table says no.
pub fn allow(action: Action, principal: &Principal) -> Result<Grant, TcrError> {
    // A temporary key's session policy narrows the table; its Deny is final.
    if !policy::session_allows(principal, action.name()) {
        return Err(TcrError::UnauthorizedOperation(policy::SESSION_REFUSED));
    }
    let (role, key) = (Role::of(principal), KeyKind::of(principal));
    match answer(action, role, key) {
        // Refused for the key alone: say so, the holder's permanent key may.
        Grant::No if answer(action, role, KeyKind::Permanent) != Grant::No => {
            Err(TcrError::TemporaryKeyRefused)
        }
        Grant::No => Err(TcrError::UnauthorizedOperation(policy::REFUSED)),
        grant => Ok(grant),
    }
}

/// What a registry credential made by a caller holds in its namespaces: one rule for
/// both registry services.
pub use service_kit::policy::registry_access;

/// What [`on_token`] needs to know of a stored token.
pub struct TokenFacts<'a> {
    pub owner: &'a str,
    pub disabled_by_admin: bool,
}

/// Whether `caller` (a user id) may act on `token` under `grant`.
pub fn on_token(grant: Grant, caller: &str, token: &TokenFacts<'_>) -> Result<(), TcrError> {
    let held = Held {
        own: token.owner == caller,
        disabled_by_admin: token.disabled_by_admin,
    };
    if grant.allows(held) {
        Ok(())
    } else {
        Err(TcrError::UnauthorizedOperation(policy::REFUSED))
    }
}

/// The kinds of caller the documented table has a column for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    /// An account admin, signing with a permanent key.
    Admin,
    /// A member of the account, signing with a permanent key.
    Member,
    /// A read-only user of the account, signing with a permanent key.
    Readonly,
    /// An admin's permanent key (the same as `Admin`: keys act with their holder's role).
    PermanentKey,
    /// An admin's temporary key (lakeformation-svc's AK/SK + `X-TC-Token`).
    TemporaryKey,
    /// A user who is disabled or deleted, or whose account is disabled, with either key.
    DisabledUser,
    /// A user of another account, on this account's registries and tokens.
    OtherAccount,
    /// A service presenting the internal credential (`X-Internal-Token`).
    Internal,
}

impl CallerKind {
    pub const ALL: [CallerKind; 8] = [
        CallerKind::Admin,
        CallerKind::Member,
        CallerKind::Readonly,
        CallerKind::PermanentKey,
        CallerKind::TemporaryKey,
        CallerKind::DisabledUser,
        CallerKind::OtherAccount,
        CallerKind::Internal,
    ];

    /// The column's heading in docs/policy/tcr.md.
    pub fn label(self) -> &'static str {
        match self {
            CallerKind::Admin => "admin",
            CallerKind::Member => "member",
            CallerKind::Readonly => "readonly",
            CallerKind::PermanentKey => "permanent key (admin's)",
            CallerKind::TemporaryKey => "temporary key (admin's)",
            CallerKind::DisabledUser => "disabled or deleted user",
            CallerKind::OtherAccount => "other account",
            CallerKind::Internal => "internal caller",
        }
    }
}

/// One cell of the documented table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The answer of [`answer`].
    Policy(Grant),
    /// The key is refused before any action: iam-svc knows the user is gone, and the
    /// revocations pulled from it stop their temporary keys.
    KeyRefused,
    /// Allowed, in the caller's own account; nothing of this account is seen.
    OwnAccountOnly,
    /// This account's registries and tokens do not exist for the caller.
    NotFound,
    /// The internal credential is no credential on the public API.
    NotACredential,
}

impl Cell {
    /// The text of the cell in docs/policy/tcr.md.
    pub fn text(self) -> &'static str {
        match self {
            // TCR's table speaks of tokens, the only credentials it acts on.
            Cell::Policy(Grant::Own) => "own tokens",
            Cell::Policy(Grant::OwnUnlessAdminDisabled) => {
                "own tokens, unless an admin disabled it"
            }
            Cell::Policy(grant) => grant.cell(),
            Cell::KeyRefused => "no: key refused",
            Cell::OwnAccountOnly => "in its own account",
            Cell::NotFound => "not found",
            Cell::NotACredential => "no: not a credential",
        }
    }
}

/// The documented answer for a kind of caller.
pub fn cell(action: Action, kind: CallerKind) -> Cell {
    let policy = |role, key| Cell::Policy(answer(action, role, key));
    match kind {
        CallerKind::Admin | CallerKind::PermanentKey => policy(Role::Admin, KeyKind::Permanent),
        CallerKind::Member => policy(Role::Member, KeyKind::Permanent),
        CallerKind::Readonly => policy(Role::Readonly, KeyKind::Permanent),
        CallerKind::TemporaryKey => policy(Role::Admin, KeyKind::Temporary),
        CallerKind::DisabledUser => Cell::KeyRefused,
        CallerKind::OtherAccount => match action {
            Action::CreateInstance
            | Action::DescribeInstances
            | Action::DescribeInstanceStatus
            | Action::CheckInstanceName
            | Action::DescribeInstanceAllNamespaces => Cell::OwnAccountOnly,
            _ => Cell::NotFound,
        },
        CallerKind::Internal => Cell::NotACredential,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_session_policy_may_name_every_action() {
        let rows = super::Action::ALL.iter().map(|a| a.name());
        service_kit::testing::policy_doc::assert_catalogued("tcr:", rows);
    }
}
