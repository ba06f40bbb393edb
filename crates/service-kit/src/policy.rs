//! The words every service's policy table is written in, and the rules that hold in all
//! of them. Each service keeps its own actions and its own table (`answer`): that is its
//! policy. What is here is what the tables share:
//! - the caller's role on the project (or account), a ladder admin > member > readonly in
//!   which each role includes the lesser ones ([`Role`]);
//! - the kind of key they called with ([`KeyKind`]): a temporary key is weaker than what
//!   issued it, so a credential made with one dies no later than the key
//!   ([`expiry_within_key`]);
//! - what a table answers ([`Grant`]) and the words docs/policy/*.md write it with;
//! - only an admin undoes an admin's disable ([`disables_as_admin`]), and a read-only
//!   caller's registry credentials only pull ([`registry_access`]);
//! - for the services whose paths name a project (swr-svc, lakeformation-svc): the path's
//!   project must be the caller's scope ([`project_grant`]), and the documented table has
//!   the same columns ([`CallerKind`]) and cells ([`Answer`]).
//!
//! iam-svc decides on a domain-level standing read from the database and tcr-svc has no
//! projects; they keep their own columns, built on the same roles and key kinds.

use chrono::{NaiveDateTime, SubsecRound};

use crate::auth::Principal;

pub const ADMIN: &str = "admin";
pub const MEMBER: &str = "member";
pub const READONLY: &str = "readonly";

/// The roles iam-svc grants, strongest first: each includes the ones after it.
const LADDER: [&str; 3] = [ADMIN, MEMBER, READONLY];

/// The caller's strongest role on the project (or account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
    Readonly,
    /// None of these (iam-svc normally refuses the scope before this).
    None,
}

impl Role {
    /// A caller holding several roles acts with the strongest.
    pub fn of(principal: &Principal) -> Role {
        if principal.has_role(ADMIN) {
            Role::Admin
        } else if principal.has_role(MEMBER) {
            Role::Member
        } else if principal.has_role(READONLY) {
            Role::Readonly
        } else {
            Role::None
        }
    }

    /// The roles a holder of this one may hand on: it and every lesser one.
    pub fn implied(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &LADDER,
            Role::Member => &LADDER[1..],
            Role::Readonly => &LADDER[2..],
            Role::None => &[],
        }
    }

    /// Whether `name` is a role of the ladder at all.
    pub fn exists(name: &str) -> bool {
        LADDER.contains(&name)
    }
}

/// What the caller called with. A temporary key (lakeformation-svc's AK/SK + security
/// token) acts with the roles it was issued with, but each table refuses it what would
/// outlive it (a long-lived credential, another key); an IAM token or a permanent access
/// key acts with the role alone.
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

/// The answer of a table for one caller and action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Allowed, on anything in the caller's scope.
    Yes,
    /// Allowed on the caller's own credentials only.
    Own,
    /// Allowed on the caller's own credentials, unless an admin disabled the credential.
    OwnUnlessAdminDisabled,
    /// Refused (403).
    No,
}

/// What [`Grant::allows`] needs to know of the credential acted on.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    /// The caller is its holder.
    pub own: bool,
    /// An admin disabled it (always false where credentials cannot be disabled).
    pub disabled_by_admin: bool,
}

impl Grant {
    /// Whether this grant covers acting on a credential held as `held` says.
    pub fn allows(self, held: Held) -> bool {
        match self {
            Grant::Yes => true,
            Grant::Own => held.own,
            Grant::OwnUnlessAdminDisabled => held.own && !held.disabled_by_admin,
            Grant::No => false,
        }
    }

    /// The cell docs/policy/*.md writes for it (tcr-svc says "own tokens" instead).
    pub fn cell(self) -> &'static str {
        match self {
            Grant::Yes => "yes",
            Grant::Own => "own",
            Grant::OwnUnlessAdminDisabled => "own, unless an admin disabled it",
            Grant::No => "no",
        }
    }
}

/// Why a table refuses: one reason for every refusal, so that a refusal says nothing of
/// which rule applied (the vendors' 403 bodies have their own fixed text anyway).
pub const REFUSED: &str = "the policy refuses this action to the caller";

/// Why a caller scoped to another project is refused.
pub const OTHER_PROJECT: &str = "the path's project is not the caller's scope";

/// What the caller may do in the path's project, before anything is read: the grant of
/// `table` for their role and key, or the reason of the 403 when the project is not the
/// caller's scope or the table says no.
pub fn project_grant(
    principal: &Principal,
    project_id: &str,
    table: impl FnOnce(Role, KeyKind) -> Grant,
) -> Result<Grant, &'static str> {
    if principal.project_id() != Some(project_id) {
        return Err(OTHER_PROJECT);
    }
    match table(Role::of(principal), KeyKind::of(principal)) {
        Grant::No => Err(REFUSED),
        grant => Ok(grant),
    }
}

/// Whether a disable by `principal` is an admin's, which only an admin undoes.
pub fn disables_as_admin(principal: &Principal) -> bool {
    Role::of(principal) == Role::Admin
}

/// What a registry credential (SWR long-term credential, TCR instance token) made by
/// `principal` may do in its instance's or registry's namespaces, fixed when it is made:
/// everyone pulls, those who may write push, and only an admin, who alone removes what
/// others made, deletes images.
pub fn registry_access(principal: &Principal) -> &'static str {
    match Role::of(principal) {
        Role::Admin => "pull,push,delete",
        Role::Member => "pull,push",
        Role::Readonly | Role::None => "pull",
    }
}

/// When a credential made by `principal` and meant to last until `wanted` expires: one
/// made with a temporary key dies no later than the key.
pub fn expiry_within_key(principal: &Principal, wanted: NaiveDateTime) -> NaiveDateTime {
    match &principal.temporary {
        // Stored in whole microseconds: truncated, never rounded past the key.
        Some(key) => wanted.min(key.expires_at.naive_utc().trunc_subsecs(6)),
        None => wanted,
    }
}

/// Every policy action a temporary key's session policy may name: the actions of every
/// service's table (its `name()`, without the parenthesised case some rows add), iam-svc's
/// internal ones aside. Each service's tests hold its table to its part of this list, so
/// iam-svc, which checks policies at issue, knows the other services' actions without
/// linking them.
pub const ACTIONS: &[&str] = &[
    "iam:tokens:createToken",
    "iam:tokens:validateToken",
    "iam:tokens:checkToken",
    "iam:tokens:revokeToken",
    "iam:projects:listProjectsForAuthUser",
    "iam:domains:listDomainsForAuthUser",
    "iam:catalog:showCatalog",
    "iam:users:createUser",
    "iam:users:listUsers",
    "iam:users:getUser",
    "iam:users:updateUser",
    "iam:users:deleteUser",
    "iam:users:changePassword",
    "iam:groups:listGroupsForUser",
    "iam:projects:listProjectsForUser",
    "iam:projects:createProject",
    "iam:projects:listProjects",
    "iam:projects:getProject",
    "iam:projects:updateProject",
    "iam:projects:deleteProject",
    "iam:groups:createGroup",
    "iam:groups:listGroups",
    "iam:groups:getGroup",
    "iam:groups:updateGroup",
    "iam:groups:deleteGroup",
    "iam:groups:listUsersInGroup",
    "iam:groups:addUserToGroup",
    "iam:groups:checkUserInGroup",
    "iam:groups:removeUserFromGroup",
    "iam:permissions:listRolesForGroupOnProject",
    "iam:permissions:grantRoleToGroupOnProject",
    "iam:permissions:checkRoleForGroupOnProject",
    "iam:permissions:revokeRoleFromGroupOnProject",
    "iam:permissions:listRolesForGroupOnDomain",
    "iam:permissions:grantRoleToGroupOnDomain",
    "iam:permissions:checkRoleForGroupOnDomain",
    "iam:permissions:revokeRoleFromGroupOnDomain",
    "iam:roles:listRoles",
    "iam:roles:getRole",
    "iam:credentials:createCredential",
    "iam:credentials:listCredentials",
    "iam:credentials:getCredential",
    "iam:credentials:updateCredential",
    "iam:credentials:deleteCredential",
    "iam:credentials:createCredentialV5",
    "iam:credentials:listCredentialsV5",
    "iam:credentials:updateCredentialV5",
    "iam:credentials:deleteCredentialV5",
    "iam:credentials:getCredentialLastUsedV5",
    "iam:credentials:createTemporaryAccessKey",
    "lakeformation:instance:create",
    "lakeformation:instance:list",
    "lakeformation:instance:describe",
    "lakeformation:instance:update",
    "lakeformation:instance:delete",
    "lakeformation:instance:recover",
    "lakeformation:credential:create",
    "lakeformation:credential:revoke",
    "swr:instance:create",
    "swr:instance:list",
    "swr:instance:get",
    "swr:instance:delete",
    "swr:instance:listJobs",
    "swr:instance:getJob",
    "swr:instance:deleteJob",
    "swr:instance:createLTCredential",
    "swr:instance:createTempCredential",
    "swr:instance:listLTCredentials",
    "swr:instance:updateLTCredential",
    "swr:instance:deleteLTCredential",
    "swr:instance:createNamespace",
    "swr:instance:listNamespaces",
    "swr:instance:getNamespace",
    "swr:instance:updateNamespace",
    "swr:instance:deleteNamespace",
    "tcr:CreateInstance",
    "tcr:DescribeInstances",
    "tcr:DeleteInstance",
    "tcr:DescribeInstanceStatus",
    "tcr:CheckInstanceName",
    "tcr:CheckInstance",
    "tcr:CreateInstanceToken",
    "tcr:DescribeInstanceToken",
    "tcr:ModifyInstanceToken",
    "tcr:DeleteInstanceToken",
    "tcr:CreateNamespace",
    "tcr:DescribeNamespaces",
    "tcr:ModifyNamespace",
    "tcr:DeleteNamespace",
    "tcr:DescribeInstanceAllNamespaces",
    "tcr:CreateServiceAccount",
    "tcr:DescribeServiceAccounts",
    "tcr:ModifyServiceAccount",
    "tcr:ModifyServiceAccountPassword",
    "tcr:DeleteServiceAccount",
];

/// The policy action a table's row name stands for: `swr:instance:listLTCredentials`
/// for `swr:instance:listLTCredentials (self_only)`.
pub fn policy_action(row_name: &str) -> &str {
    row_name.split(" (").next().unwrap_or(row_name)
}

/// The refusal of an action a temporary key's session policy does not allow.
pub const SESSION_REFUSED: &str = "the temporary key's session policy does not allow this action";

/// Whether the caller's session policy allows the action named `row_name` (a table's
/// row name): true for every caller without one. Each service's policy module asks this
/// with the row it decides, before its table; a `Deny` there is final.
pub fn session_allows(principal: &Principal, row_name: &str) -> bool {
    principal
        .temporary
        .as_ref()
        .and_then(|key| key.policy.as_ref())
        .is_none_or(|policy| policy.allows(policy_action(row_name)))
}

/// The kinds of caller the documented table of a project-scoped service has a column
/// for.
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

    /// The column heading in `docs/policy/<service>.md`.
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

    /// The documented answer of `table` for this kind of caller: the table for those
    /// that reach it, 403 for a caller scoped elsewhere, 401 for those refused before it
    /// (authentication refuses a disabled or deleted user's credentials, and the internal
    /// credential is none on a public API).
    pub fn answer(self, table: impl Fn(Role, KeyKind) -> Grant) -> Answer {
        let granted = |role, key| Answer::Granted(table(role, key));
        match self {
            CallerKind::Admin => granted(Role::Admin, KeyKind::Permanent),
            CallerKind::Member | CallerKind::PermanentKey => {
                granted(Role::Member, KeyKind::Permanent)
            }
            CallerKind::Readonly => granted(Role::Readonly, KeyKind::Permanent),
            CallerKind::TemporaryKey => granted(Role::Member, KeyKind::Temporary),
            CallerKind::OtherProject | CallerKind::OtherDomain => Answer::Granted(Grant::No),
            CallerKind::DisabledUser | CallerKind::Internal => Answer::Unauthenticated,
        }
    }
}

/// What the caller gets, as the documented table of a project-scoped service writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Granted(Grant),
    /// 401: no valid credential for this API (refused before the table is asked).
    Unauthenticated,
}

impl Answer {
    /// The cell in `docs/policy/<service>.md`.
    pub fn cell(self) -> &'static str {
        match self {
            Answer::Granted(grant) => grant.cell(),
            Answer::Unauthenticated => "401",
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::auth::{ProjectRef, TemporaryKey};

    fn caller(project: &str, roles: &[&str], temporary: Option<TemporaryKey>) -> Principal {
        Principal {
            user_id: "carol-id".into(),
            user_name: "carol".into(),
            domain_id: "domain-1".into(),
            domain_name: "domain".into(),
            project: Some(ProjectRef {
                id: project.into(),
                name: project.into(),
            }),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            access_key: None,
            temporary,
            token: None,
        }
    }

    fn key_until(expires_at: chrono::DateTime<Utc>) -> TemporaryKey {
        TemporaryKey {
            issued_at: expires_at - Duration::hours(1),
            expires_at,
            policy: None,
        }
    }

    #[test]
    fn a_caller_acts_with_the_strongest_role_they_hold() {
        let role = |roles: &[&str]| Role::of(&caller("p", roles, None));
        assert_eq!(role(&["readonly", "admin", "member"]), Role::Admin);
        assert_eq!(role(&["readonly", "member"]), Role::Member);
        assert_eq!(role(&["readonly"]), Role::Readonly);
        assert_eq!(role(&["auditor"]), Role::None);
    }

    #[test]
    fn stronger_roles_include_lesser_ones() {
        assert_eq!(Role::Admin.implied(), ["admin", "member", "readonly"]);
        assert_eq!(Role::Member.implied(), ["member", "readonly"]);
        assert_eq!(Role::Readonly.implied(), ["readonly"]);
        assert!(Role::None.implied().is_empty());
        assert!(Role::exists("member") && !Role::exists("none"));
    }

    #[test]
    fn the_key_kind_is_the_temporary_marker() {
        let now = Utc::now();
        assert_eq!(
            KeyKind::of(&caller("p", &[], Some(key_until(now)))),
            KeyKind::Temporary
        );
        assert_eq!(KeyKind::of(&caller("p", &[], None)), KeyKind::Permanent);
    }

    #[test]
    fn grants_cover_what_they_say() {
        let held = |own, disabled_by_admin| Held {
            own,
            disabled_by_admin,
        };
        for (grant, cases) in [
            (Grant::Yes, [true, true, true, true]),
            (Grant::Own, [true, true, false, false]),
            (Grant::OwnUnlessAdminDisabled, [true, false, false, false]),
            (Grant::No, [false, false, false, false]),
        ] {
            let got = [(true, false), (true, true), (false, false), (false, true)]
                .map(|(own, by_admin)| grant.allows(held(own, by_admin)));
            assert_eq!(got, cases, "{grant:?}");
        }
    }

    #[test]
    fn the_project_must_be_the_callers_scope_before_the_table_is_asked() {
        let member = caller("p", &["member"], None);
        let asked = std::cell::Cell::new(false);
        let table = |_, _| {
            asked.set(true);
            Grant::Yes
        };
        assert_eq!(project_grant(&member, "q", table), Err(OTHER_PROJECT));
        assert!(!asked.get());
        let table = |role, key| {
            assert_eq!((role, key), (Role::Member, KeyKind::Permanent));
            Grant::Own
        };
        assert_eq!(project_grant(&member, "p", table), Ok(Grant::Own));
        assert_eq!(project_grant(&member, "p", |_, _| Grant::No), Err(REFUSED));
    }

    #[test]
    fn a_credential_made_with_a_temporary_key_dies_with_it() {
        let key_end =
            Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap() + Duration::nanoseconds(1_500);
        let later = key_end.naive_utc() + Duration::days(1);
        let temporary = caller("p", &["member"], Some(key_until(key_end)));
        let capped = expiry_within_key(&temporary, later);
        assert_eq!(capped, key_end.naive_utc() - Duration::nanoseconds(500));
        let earlier = key_end.naive_utc() - Duration::days(1);
        assert_eq!(expiry_within_key(&temporary, earlier), earlier);
        assert_eq!(expiry_within_key(&caller("p", &[], None), later), later);
    }

    #[test]
    fn only_readers_pull_only_and_only_admins_disable_as_admins() {
        let of = |role| caller("p", &[role], None);
        assert_eq!(registry_access(&of("admin")), "pull,push,delete");
        assert_eq!(registry_access(&of("member")), "pull,push");
        assert_eq!(registry_access(&of("readonly")), "pull");
        assert!(disables_as_admin(&of("admin")));
        assert!(!disables_as_admin(&of("member")));
    }

    #[test]
    fn the_documented_columns_reach_the_table_as_their_callers_do() {
        let table = |role, key| match (role, key) {
            (_, KeyKind::Temporary) => Grant::No,
            (Role::Admin, _) => Grant::Yes,
            (Role::Member, _) => Grant::OwnUnlessAdminDisabled,
            _ => Grant::Own,
        };
        let cells = CallerKind::ALL.map(|k| k.answer(table).cell());
        assert_eq!(
            cells,
            [
                "yes",
                "own, unless an admin disabled it",
                "own",
                "no",
                "no",
                "own, unless an admin disabled it",
                "no",
                "401",
                "401"
            ]
        );
    }
}
