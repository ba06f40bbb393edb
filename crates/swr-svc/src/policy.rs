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

use service_kit::auth::Principal;
use service_kit::policy::{self, Held};
// The shared words of the table, and the rules every service's table keeps.
pub use service_kit::policy::{
    disables_as_admin, expiry_within_key, Answer, CallerKind, Grant, KeyKind, Role,
};

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
    /// Forget a job's record; its instance is untouched.
    DeleteJob,
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
    CreateNamespace,
    ListNamespaces,
    GetNamespace,
    /// `PUT`: whether the namespace is public.
    UpdateNamespace,
    DeleteNamespace,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::CreateInstance,
        Action::ListInstances,
        Action::GetInstance,
        Action::DeleteInstance,
        Action::ListJobs,
        Action::GetJob,
        Action::DeleteJob,
        Action::CreateLongTermCredential,
        Action::CreateTempCredential,
        Action::ListOwnLongTermCredentials,
        Action::ListAllLongTermCredentials,
        Action::DisableLongTermCredential,
        Action::EnableLongTermCredential,
        Action::DeleteLongTermCredential,
        Action::CreateNamespace,
        Action::ListNamespaces,
        Action::GetNamespace,
        Action::UpdateNamespace,
        Action::DeleteNamespace,
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
            Action::DeleteJob => "swr:instance:deleteJob",
            Action::CreateLongTermCredential => "swr:instance:createLTCredential",
            Action::CreateTempCredential => "swr:instance:createTempCredential",
            Action::ListOwnLongTermCredentials => "swr:instance:listLTCredentials (self_only)",
            Action::ListAllLongTermCredentials => {
                "swr:instance:listLTCredentials (self_only false)"
            }
            Action::DisableLongTermCredential => "swr:instance:updateLTCredential (enable false)",
            Action::EnableLongTermCredential => "swr:instance:updateLTCredential (enable true)",
            Action::DeleteLongTermCredential => "swr:instance:deleteLTCredential",
            Action::CreateNamespace => "swr:instance:createNamespace",
            Action::ListNamespaces => "swr:instance:listNamespaces",
            Action::GetNamespace => "swr:instance:getNamespace",
            Action::UpdateNamespace => "swr:instance:updateNamespace",
            Action::DeleteNamespace => "swr:instance:deleteNamespace",
        }
    }
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
        (
            _,
            ListInstances
            | GetInstance
            | ListJobs
            | GetJob
            | ListOwnLongTermCredentials
            | ListNamespaces
            | GetNamespace,
        ) => Grant::Yes,
        // A credential is always its creator's own; a read-only caller's only pulls.
        (_, CreateLongTermCredential | CreateTempCredential) => Grant::Yes,
        (Role::Admin, _) => Grant::Yes,
        // Namespaces and jobs are managed as the instances they belong to: by whoever may
        // create and delete instances (a temporary key too; it mints no credential).
        (
            Role::Member,
            CreateInstance | DeleteInstance | DeleteJob | CreateNamespace | UpdateNamespace
            | DeleteNamespace,
        ) => Grant::Yes,
        (
            Role::Readonly,
            CreateInstance | DeleteInstance | DeleteJob | CreateNamespace | UpdateNamespace
            | DeleteNamespace,
        ) => Grant::No,
        (_, ListAllLongTermCredentials) => Grant::No,
        (_, DisableLongTermCredential | DeleteLongTermCredential) => Grant::Own,
        (_, EnableLongTermCredential) => Grant::OwnUnlessAdminDisabled,
    }
}

/// What a registry credential made by a caller holds in its namespaces: one rule for
/// both registry services.
pub use service_kit::policy::registry_access;

/// What the caller may do in the path's project, before anything is read: `Err` when the
/// project is not the caller's scope or the table says no.
pub fn authorize(
    principal: &Principal,
    project_id: &str,
    action: Action,
) -> Result<Grant, SwrError> {
    // A temporary key's session policy narrows the table; its Deny is final.
    if !policy::session_allows(principal, action.name()) {
        return Err(SwrError::Forbidden(policy::SESSION_REFUSED));
    }
    policy::project_grant(principal, project_id, |role, key| answer(action, role, key))
        .map_err(SwrError::Forbidden)
}

/// Whether `caller` (a user id) may act on `credential` under `grant`. A revoked
/// credential (its user or project is gone) is never enabled or disabled again; it may
/// still be deleted.
pub fn on_credential(
    grant: Grant,
    action: Action,
    caller: &str,
    credential: &Credential,
) -> Result<(), SwrError> {
    let allowed = grant.allows(Held {
        own: credential.user_id == caller,
        disabled_by_admin: credential.disabled_by_admin,
    });
    let revived = credential.revoked_at.is_some()
        && matches!(
            action,
            Action::EnableLongTermCredential | Action::DisableLongTermCredential
        );
    if allowed && !revived {
        Ok(())
    } else {
        Err(SwrError::Forbidden(policy::REFUSED))
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
        service_kit::testing::policy_doc::assert_catalogued("swr:", rows);
    }

    use service_kit::auth::ProjectRef;

    use super::*;

    fn with_roles(roles: &[&str]) -> Principal {
        Principal {
            user_id: "carol-id".into(),
            user_name: "carol".into(),
            domain_id: "domain-1".into(),
            domain_name: "domain".into(),
            project: Some(ProjectRef {
                id: "p".into(),
                name: "p".into(),
            }),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            access_key: None,
            temporary: None,
            token: None,
        }
    }

    #[test]
    fn registry_access_follows_what_the_role_may_do_in_the_project() {
        let access = |roles: &[&str]| registry_access(&with_roles(roles));
        assert_eq!(access(&["admin"]), "pull,push,delete");
        assert_eq!(access(&["member", "readonly"]), "pull,push");
        assert_eq!(access(&["readonly"]), "pull");
        assert_eq!(access(&["auditor"]), "pull");
        // Push needs what instance writes need; delete what managing others' needs.
        for (role, key) in [
            (Role::Member, KeyKind::Permanent),
            (Role::Readonly, KeyKind::Permanent),
        ] {
            let writes = answer(Action::CreateNamespace, role, key) == Grant::Yes;
            let name = if role == Role::Member {
                "member"
            } else {
                "readonly"
            };
            assert_eq!(access(&[name]).contains("push"), writes, "{role:?}");
            let admin_only = answer(Action::ListAllLongTermCredentials, role, key) == Grant::Yes;
            assert_eq!(access(&[name]).contains("delete"), admin_only, "{role:?}");
        }
    }
}
