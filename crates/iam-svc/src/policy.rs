//! Who may do what in iam-svc: one table of every action it serves against the kinds of
//! caller, and the functions handlers ask. Nothing else decides.
//!
//! The table (also in `docs/policy/iam.md`, checked against this one by a test):
//! - `admin`, `member`, `readonly`: users of the domain, by their standing (the `admin`
//!   role granted on the domain, read from the database so a revoked grant counts at once;
//!   otherwise the roles of the credential's scope).
//! - `other domain`: a caller of another domain naming this domain's resources.
//! - `permanent key`, `temporary key`: a domain admin signing with an AK/SK. A key acts as
//!   its user, capped by its column: a permanent key's cap is the admin column; a
//!   temporary key never manages identities or credentials (as AWS session credentials
//!   cannot call IAM), never mints another temporary key, and reads only what concerns
//!   its own user.
//! - `disabled or deleted`, `internal`: never reach a public action (the revoked token or
//!   the internal credential is not a user's credential: 401); only the internal
//!   credential reaches `/internal/v1/*`.
//!
//! `Own` allows the caller's own resource only: their user, their keys, their token, a
//! project they hold a role on.

use service_kit::auth::{Authenticated, Principal};
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::repo;

/// The authenticated caller of an iam-svc endpoint.
pub type Caller = Authenticated<IamError>;

// The role names every service's policy reads; iam-svc grants them.
pub const ADMIN_ROLE: &str = service_kit::policy::ADMIN;
pub const MEMBER_ROLE: &str = service_kit::policy::MEMBER;

/// One cell of the table, from least to most allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// 401: the caller is not authenticated for this action at all.
    NoAuth,
    /// 404: the resource is invisible to the caller.
    Hidden,
    /// 403.
    Deny,
    /// Allowed on the caller's own resource only, 403 otherwise.
    Own,
    Allow,
}

impl Answer {
    /// The word the documentation table uses.
    pub fn word(self) -> &'static str {
        match self {
            Answer::NoAuth => "401",
            Answer::Hidden => "404",
            Answer::Deny => "403",
            Answer::Own => "own",
            Answer::Allow => "yes",
        }
    }
}

/// The kinds of caller, in the table's column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Admin,
    Member,
    Readonly,
    OtherDomain,
    PermanentKey,
    TemporaryKey,
    DisabledOrDeleted,
    Internal,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Admin,
        Kind::Member,
        Kind::Readonly,
        Kind::OtherDomain,
        Kind::PermanentKey,
        Kind::TemporaryKey,
        Kind::DisabledOrDeleted,
        Kind::Internal,
    ];

    /// The column heading in the documentation table.
    pub fn heading(self) -> &'static str {
        match self {
            Kind::Admin => "admin",
            Kind::Member => "member",
            Kind::Readonly => "readonly",
            Kind::OtherDomain => "other domain",
            Kind::PermanentKey => "permanent key",
            Kind::TemporaryKey => "temporary key",
            Kind::DisabledOrDeleted => "disabled or deleted",
            Kind::Internal => "internal",
        }
    }

    fn column(self) -> usize {
        self as usize
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal, $route:literal, [$($cell:ident),+];)+) => {
        /// Every action iam-svc serves, named like Huawei IAM's policy actions.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Action { $($variant),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),+ }
            }

            /// Method and path, as the documentation shows them.
            pub fn route(self) -> &'static str {
                match self { $(Action::$variant => $route),+ }
            }

            /// The row of the table, in [`Kind::ALL`]'s order.
            pub fn answers(self) -> [Answer; 8] {
                use Answer::{Allow as Y, Deny as D, Hidden as H, NoAuth as N, Own as O};
                match self { $(Action::$variant => [$($cell),+]),+ }
            }
        }
    };
}

// Columns: admin, member, readonly, other domain, permanent key, temporary key,
// disabled or deleted, internal. Y allow, O own only, D 403, H 404, N 401.
actions! {
    CreateToken = "iam:tokens:createToken", "POST /v3/auth/tokens", [Y, Y, Y, Y, Y, Y, N, Y];
    ValidateToken = "iam:tokens:validateToken", "GET /v3/auth/tokens", [Y, Y, Y, H, Y, Y, N, N];
    CheckToken = "iam:tokens:checkToken", "HEAD /v3/auth/tokens", [Y, Y, Y, H, Y, Y, N, N];
    RevokeToken = "iam:tokens:revokeToken", "DELETE /v3/auth/tokens", [Y, O, O, H, Y, D, N, N];
    ListAuthProjects = "iam:projects:listProjectsForAuthUser", "GET /v3/auth/projects", [Y, Y, Y, Y, Y, Y, N, N];
    ListAuthDomains = "iam:domains:listDomainsForAuthUser", "GET /v3/auth/domains", [Y, Y, Y, Y, Y, Y, N, N];
    ShowCatalog = "iam:catalog:showCatalog", "GET /v3/auth/catalog", [Y, Y, Y, Y, Y, Y, N, N];
    CreateUser = "iam:users:createUser", "POST /v3/users", [Y, D, D, D, Y, D, N, N];
    ListUsers = "iam:users:listUsers", "GET /v3/users", [Y, D, D, Y, Y, D, N, N];
    GetUser = "iam:users:getUser", "GET /v3/users/{user_id}", [Y, O, O, H, Y, O, N, N];
    UpdateUser = "iam:users:updateUser", "PATCH /v3/users/{user_id}", [Y, D, D, H, Y, D, N, N];
    DeleteUser = "iam:users:deleteUser", "DELETE /v3/users/{user_id}", [Y, D, D, H, Y, D, N, N];
    ChangePassword = "iam:users:changePassword", "POST /v3/users/{user_id}/password", [O, O, O, H, O, D, N, N];
    ListGroupsForUser = "iam:groups:listGroupsForUser", "GET /v3/users/{user_id}/groups", [Y, O, O, H, Y, O, N, N];
    ListProjectsForUser = "iam:projects:listProjectsForUser", "GET /v3/users/{user_id}/projects", [Y, O, O, H, Y, O, N, N];
    CreateProject = "iam:projects:createProject", "POST /v3/projects", [Y, D, D, D, Y, D, N, N];
    ListProjects = "iam:projects:listProjects", "GET /v3/projects", [Y, Y, Y, Y, Y, Y, N, N];
    GetProject = "iam:projects:getProject", "GET /v3/projects/{project_id}", [Y, O, O, H, Y, Y, N, N];
    UpdateProject = "iam:projects:updateProject", "PATCH /v3/projects/{project_id}", [Y, D, D, H, Y, D, N, N];
    DeleteProject = "iam:projects:deleteProject", "DELETE /v3/projects/{project_id}", [Y, D, D, H, Y, D, N, N];
    CreateGroup = "iam:groups:createGroup", "POST /v3/groups", [Y, D, D, D, Y, D, N, N];
    ListGroups = "iam:groups:listGroups", "GET /v3/groups", [Y, D, D, Y, Y, D, N, N];
    GetGroup = "iam:groups:getGroup", "GET /v3/groups/{group_id}", [Y, D, D, H, Y, D, N, N];
    UpdateGroup = "iam:groups:updateGroup", "PATCH /v3/groups/{group_id}", [Y, D, D, H, Y, D, N, N];
    DeleteGroup = "iam:groups:deleteGroup", "DELETE /v3/groups/{group_id}", [Y, D, D, H, Y, D, N, N];
    ListUsersInGroup = "iam:groups:listUsersInGroup", "GET /v3/groups/{group_id}/users", [Y, D, D, H, Y, D, N, N];
    AddUserToGroup = "iam:groups:addUserToGroup", "PUT /v3/groups/{group_id}/users/{user_id}", [Y, D, D, H, Y, D, N, N];
    CheckUserInGroup = "iam:groups:checkUserInGroup", "HEAD /v3/groups/{group_id}/users/{user_id}", [Y, D, D, H, Y, D, N, N];
    RemoveUserFromGroup = "iam:groups:removeUserFromGroup", "DELETE /v3/groups/{group_id}/users/{user_id}", [Y, D, D, H, Y, D, N, N];
    ListProjectPermissions = "iam:permissions:listRolesForGroupOnProject", "GET /v3/projects/{project_id}/groups/{group_id}/roles", [Y, D, D, H, Y, D, N, N];
    GrantProjectPermission = "iam:permissions:grantRoleToGroupOnProject", "PUT /v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    CheckProjectPermission = "iam:permissions:checkRoleForGroupOnProject", "HEAD /v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    RevokeProjectPermission = "iam:permissions:revokeRoleFromGroupOnProject", "DELETE /v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    ListDomainPermissions = "iam:permissions:listRolesForGroupOnDomain", "GET /v3/domains/{domain_id}/groups/{group_id}/roles", [Y, D, D, H, Y, D, N, N];
    GrantDomainPermission = "iam:permissions:grantRoleToGroupOnDomain", "PUT /v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    CheckDomainPermission = "iam:permissions:checkRoleForGroupOnDomain", "HEAD /v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    RevokeDomainPermission = "iam:permissions:revokeRoleFromGroupOnDomain", "DELETE /v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", [Y, D, D, H, Y, D, N, N];
    ListRoles = "iam:roles:listRoles", "GET /v3/roles", [Y, Y, Y, Y, Y, Y, N, N];
    GetRole = "iam:roles:getRole", "GET /v3/roles/{role_id}", [Y, Y, Y, Y, Y, Y, N, N];
    CreateCredential = "iam:credentials:createCredential", "POST /v3.0/OS-CREDENTIAL/credentials", [Y, O, O, H, Y, D, N, N];
    ListCredentials = "iam:credentials:listCredentials", "GET /v3.0/OS-CREDENTIAL/credentials", [Y, O, O, H, Y, O, N, N];
    GetCredential = "iam:credentials:getCredential", "GET /v3.0/OS-CREDENTIAL/credentials/{access}", [Y, O, O, H, Y, O, N, N];
    UpdateCredential = "iam:credentials:updateCredential", "PUT /v3.0/OS-CREDENTIAL/credentials/{access}", [Y, O, O, H, Y, D, N, N];
    DeleteCredential = "iam:credentials:deleteCredential", "DELETE /v3.0/OS-CREDENTIAL/credentials/{access}", [Y, O, O, H, Y, D, N, N];
    CreateTemporaryAccessKey = "iam:credentials:createTemporaryAccessKey", "POST /v3.0/OS-CREDENTIAL/securitytokens", [Y, Y, Y, Y, Y, D, N, Y];
    // IAM v5's access keys: the same keys, quota and rules as above.
    CreateCredentialV5 = "iam:credentials:createCredentialV5", "POST /v5/users/{user_id}/access-keys", [Y, O, O, H, Y, D, N, N];
    ListCredentialsV5 = "iam:credentials:listCredentialsV5", "GET /v5/users/{user_id}/access-keys", [Y, O, O, H, Y, O, N, N];
    UpdateCredentialV5 = "iam:credentials:updateCredentialV5", "PUT /v5/users/{user_id}/access-keys/{access_key_id}", [Y, O, O, H, Y, D, N, N];
    DeleteCredentialV5 = "iam:credentials:deleteCredentialV5", "DELETE /v5/users/{user_id}/access-keys/{access_key_id}", [Y, O, O, H, Y, D, N, N];
    GetCredentialLastUsedV5 = "iam:credentials:getCredentialLastUsedV5", "GET /v5/users/{user_id}/access-keys/{access_key_id}/last-used", [Y, O, O, H, Y, O, N, N];
    GetTokenKeys = "iam:internal:getTokenKeys", "GET /internal/v1/token-keys", [N, N, N, N, N, N, N, Y];
    ListRevocations = "iam:internal:listRevocations", "GET /internal/v1/revocations", [N, N, N, N, N, N, N, Y];
    CheckSignature = "iam:internal:checkSignature", "POST /internal/v1/signature-checks", [N, N, N, N, N, N, N, Y];
    ReleaseSignature = "iam:internal:releaseSignature", "POST /internal/v1/signature-releases", [N, N, N, N, N, N, N, Y];
    CheckDirectory = "iam:internal:checkDirectory", "POST /internal/v1/directory-checks", [N, N, N, N, N, N, N, Y];
}

impl Action {
    pub fn answer(self, kind: Kind) -> Answer {
        self.answers()[kind.column()]
    }

    /// Whether the answer is the same whatever the caller's standing in the domain, so
    /// deciding needs no database read (token validation is on every service's hot path).
    fn standing_blind(self) -> bool {
        let [admin, member, readonly, ..] = self.answers();
        admin == member && member == readonly
    }
}

/// What an action is aimed at: the domain that owns it, and whether it is the caller's
/// own (their user, key or token, or a project they hold a role on).
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub domain_id: &'a str,
    pub own: bool,
}

impl<'a> Target<'a> {
    /// Something of the caller's own domain that is nobody's own (a list, a create).
    pub fn domain(p: &'a Principal) -> Target<'a> {
        Target {
            domain_id: &p.domain_id,
            own: false,
        }
    }
}

/// The refusal of a temporary key, whatever its user could do with a permanent one.
pub const TEMPORARY_REFUSED: &str = "Temporary credentials cannot manage identities or credentials, nor read other users' identities or keys; use a permanent access key or a token.";

/// Decide whether `p` may do `action` on `target`. `is_admin` reads the caller's standing
/// when the answer depends on it.
pub fn decide(
    p: &Principal,
    action: Action,
    target: Target,
    is_admin: impl FnOnce() -> Result<bool, IamError>,
) -> Result<(), IamError> {
    // A temporary key's session policy narrows every answer below; its Deny is final.
    if !service_kit::policy::session_allows(p, action.name()) {
        return Err(IamError::Forbidden(service_kit::policy::SESSION_REFUSED));
    }
    if target.domain_id != p.domain_id {
        return apply(action.answer(Kind::OtherDomain), target.own, false);
    }
    // Every standing gets the same answer for a blind action: read no database for it.
    let standing = if action.standing_blind() || is_admin()? {
        Kind::Admin
    } else if p.has_role(MEMBER_ROLE) {
        Kind::Member
    } else {
        Kind::Readonly
    };
    let held = action.answer(standing);
    let cap = if p.is_temporary() {
        action.answer(Kind::TemporaryKey)
    } else if p.access_key.is_some() {
        action.answer(Kind::PermanentKey)
    } else {
        Answer::Allow
    };
    let capped = held.min(cap);
    // Refused only because the key is temporary: say so, the caller can act on it.
    let blame_key = p.is_temporary() && apply(held, target.own, false).is_ok();
    apply(capped, target.own, blame_key)
}

fn apply(answer: Answer, own: bool, blame_key: bool) -> Result<(), IamError> {
    match answer {
        Answer::Allow => Ok(()),
        Answer::Own if own => Ok(()),
        Answer::Own | Answer::Deny if blame_key => Err(IamError::TemporaryKeyRefused),
        Answer::Own | Answer::Deny => Err(IamError::Forbidden("not allowed by the policy")),
        Answer::Hidden => Err(IamError::NotFound("the requested resource")),
        Answer::NoAuth => Err(IamError::Unauthenticated(
            service_kit::auth::AuthError::Missing,
        )),
    }
}

/// [`decide`], reading the caller's standing from the database when needed.
pub fn check(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    target: Target,
) -> Result<(), IamError> {
    decide(p, action, target, || is_domain_admin(conn, p))
}

/// [`decide`] for actions whose answer does not depend on the caller's standing.
pub fn check_blind(p: &Principal, action: Action, target: Target) -> Result<(), IamError> {
    decide(p, action, target, || {
        Err(IamError::Internal(format!(
            "{} depends on the caller's standing",
            action.name()
        )))
    })
}

/// Whether the caller holds `admin` on their domain right now.
fn is_domain_admin(conn: &mut DbConnection, p: &Principal) -> Result<bool, IamError> {
    Ok(repo::grants::holds_domain_role(
        conn,
        &p.user_id,
        &p.domain_id,
        ADMIN_ROLE,
    )?)
}

/// The user `id` if the caller may do `action` on them.
pub fn user(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    id: &str,
) -> Result<repo::users::User, IamError> {
    let user = repo::users::find(conn, id)?.ok_or(IamError::NotFound("user"))?;
    let target = Target {
        domain_id: &user.domain_id,
        own: user.id == p.user_id,
    };
    check(conn, p, action, target).map_err(named("user"))?;
    Ok(user)
}

/// The group `id` if the caller may do `action` on it.
pub fn group(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    id: &str,
) -> Result<repo::groups::Group, IamError> {
    let group = repo::groups::find(conn, id)?.ok_or(IamError::NotFound("group"))?;
    let target = Target {
        domain_id: &group.domain_id,
        own: false,
    };
    check(conn, p, action, target).map_err(named("group"))?;
    Ok(group)
}

/// The project `id` if the caller may do `action` on it; theirs if they hold a role on it.
pub fn project(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    id: &str,
) -> Result<repo::projects::Project, IamError> {
    let project = repo::projects::find(conn, id)?.ok_or(IamError::NotFound("project"))?;
    let own = project.domain_id == p.domain_id
        && !repo::grants::user_project_roles(conn, &p.user_id, id, &p.domain_id)?.is_empty();
    let target = Target {
        domain_id: &project.domain_id,
        own,
    };
    check(conn, p, action, target).map_err(named("project"))?;
    Ok(project)
}

/// The domain `id` (of a domain grant) if the caller may do `action` on it.
pub fn domain(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    id: &str,
) -> Result<(), IamError> {
    let target = Target {
        domain_id: id,
        own: false,
    };
    check(conn, p, action, target).map_err(named("domain"))
}

/// The access key if the caller may do `action` on it; theirs if it is their user's.
pub fn access_key(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    access: &str,
) -> Result<repo::access_keys::AccessKey, IamError> {
    let key = repo::access_keys::find(conn, access)?.ok_or(IamError::NotFound("access key"))?;
    let target = Target {
        domain_id: &key.domain_id,
        own: key.user_id == p.user_id,
    };
    check(conn, p, action, target).map_err(named("access key"))?;
    Ok(key)
}

/// Whether a list asks for another domain's rows (`domain_id` in its query). Keystone
/// answers such a list with nothing rather than a refusal: another domain's users,
/// groups and projects are not the caller's to list, nor to learn of.
pub fn lists_another_domain(p: &Principal, asked_domain: Option<&str>) -> bool {
    asked_domain.is_some_and(|d| d != p.domain_id)
}

/// The domain a create or list is aimed at: the caller's own unless the request names
/// another (`domain_id` in a body or query).
pub fn in_domain(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    requested: Option<&str>,
) -> Result<String, IamError> {
    let domain_id = requested.unwrap_or(&p.domain_id);
    let target = Target {
        domain_id,
        own: false,
    };
    check(conn, p, action, target)?;
    Ok(domain_id.to_string())
}

/// The projects a project list shows the caller: `None` for all of the domain's (its
/// admin), else those they hold a role on through a project grant.
pub fn visible_projects(
    conn: &mut DbConnection,
    p: &Principal,
) -> Result<Option<Vec<String>>, IamError> {
    check(conn, p, Action::ListProjects, Target::domain(p))?;
    if is_domain_admin(conn, p)? {
        return Ok(None);
    }
    Ok(Some(repo::grants::user_project_ids(conn, &p.user_id)?))
}

/// A hidden resource is reported under its own name ("Could not find user.").
fn named(what: &'static str) -> impl Fn(IamError) -> IamError {
    move |e| match e {
        IamError::NotFound(_) => IamError::NotFound(what),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_policy_may_name_every_public_action() {
        let public = Action::ALL
            .iter()
            .map(|a| a.name())
            .filter(|n| !n.starts_with("iam:internal:"));
        service_kit::testing::policy_doc::assert_catalogued("iam:", public);
    }

    #[test]
    fn names_are_unique_and_shaped_like_huawei_actions() {
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        for name in &names {
            let parts: Vec<_> = name.split(':').collect();
            assert_eq!(parts.len(), 3, "{name}");
            assert_eq!(parts[0], "iam", "{name}");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn no_public_action_reaches_a_disabled_user_or_the_internal_credential_and_temporary_keys_write_nothing(
    ) {
        for action in Action::ALL {
            assert_eq!(
                action.answer(Kind::DisabledOrDeleted),
                Answer::NoAuth,
                "{action:?}"
            );
            let internal = action.route().contains("/internal/");
            // Their bodies carry the credential (a password, a token), which decides.
            let body_authenticated =
                [Action::CreateToken, Action::CreateTemporaryAccessKey].contains(action);
            assert_eq!(
                action.answer(Kind::Internal) == Answer::Allow,
                internal || body_authenticated,
                "{action:?}"
            );
            let read = ["GET ", "HEAD "]
                .iter()
                .any(|m| action.route().starts_with(m));
            if !read && !internal && *action != Action::CreateToken {
                assert_eq!(
                    action.answer(Kind::TemporaryKey),
                    Answer::Deny,
                    "{action:?}"
                );
            }
        }
    }
}
