//! Logging in: check a password (or an existing token), resolve the scope and its
//! roles, and sign a token. Handlers in `routes::auth` only parse and render.

use chrono::Utc;
use credential_core::iam_token::{RoleRef, TokenClaims, TokenScope};
use credential_core::password;
use serde::Deserialize;
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::repo::{self, domains::Domain, users::User};
use crate::state::AppState;

/// `{"auth": {"identity": ..., "scope": ...}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthRequest {
    pub auth: Auth,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub identity: Identity,
    #[serde(default)]
    pub scope: Option<ScopeRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub methods: Vec<String>,
    #[serde(default)]
    pub password: Option<PasswordMethod>,
    #[serde(default)]
    pub token: Option<TokenMethod>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordMethod {
    pub user: PasswordUser,
}

impl std::fmt::Debug for PasswordMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordMethod { .. }")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordUser {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenMethod {
    pub id: String,
}

impl std::fmt::Debug for TokenMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenMethod { .. }")
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameOrId {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRequest {
    #[serde(default)]
    pub project: Option<ProjectScopeRequest>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectScopeRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

impl PasswordUser {
    /// The key failed logins are counted under: the same for a user however they name
    /// themselves is not needed; the same for the same spelling is.
    pub fn limit_key(&self) -> String {
        let domain = self.domain.as_ref().and_then(|d| d.id.clone().or(d.name.clone())).unwrap_or_default();
        let user = self.id.clone().or(self.name.clone()).unwrap_or_default();
        format!("{domain}/{user}")
    }
}

/// Find the user a password login names and check the password. Unknown users cost the
/// same hashing work as known ones, and every failure is the same error.
pub fn check_password(conn: &mut DbConnection, state: &AppState, u: &PasswordUser) -> Result<(User, Domain), IamError> {
    let found = find_user(conn, u)?;
    let Some((user, domain)) = found else {
        password::dummy_verify(&u.password, state.config.passwords.pbkdf2_iterations);
        return Err(IamError::LoginFailed);
    };
    let ok = password::verify_password(&u.password, &user.password_hash)
        .map_err(|e| IamError::Internal(format!("stored password hash of {}: {e}", user.id)))?;
    if !ok || !user.enabled || !domain.enabled {
        return Err(IamError::LoginFailed);
    }
    Ok((user, domain))
}

fn find_user(conn: &mut DbConnection, u: &PasswordUser) -> Result<Option<(User, Domain)>, IamError> {
    let user = if let Some(id) = &u.id {
        repo::users::find(conn, id)?
    } else {
        let (Some(name), Some(domain)) = (&u.name, &u.domain) else {
            return Err(IamError::BadRequest(
                "Expecting to find user id, or user name with its domain, in password".into(),
            ));
        };
        match resolve_domain(conn, domain)? {
            Some(d) => repo::users::find_by_name(conn, &d.id, name)?,
            None => None,
        }
    };
    let Some(user) = user else { return Ok(None) };
    let domain = repo::domains::find(conn, &user.domain_id)?;
    Ok(domain.map(|d| (user, d)))
}

fn resolve_domain(conn: &mut DbConnection, d: &NameOrId) -> Result<Option<Domain>, IamError> {
    match (&d.id, &d.name) {
        (Some(id), _) => Ok(repo::domains::find(conn, id)?),
        (None, Some(name)) => Ok(repo::domains::find_by_name(conn, name)?),
        (None, None) => Err(IamError::BadRequest("Expecting a domain id or name".into())),
    }
}

/// The scope a token asks for, resolved against the user's grants.
pub fn resolve_scope(
    conn: &mut DbConnection,
    user: &User,
    domain: &Domain,
    scope: Option<&ScopeRequest>,
) -> Result<(TokenScope, Vec<RoleRef>), IamError> {
    let refused = || IamError::ScopeRefused;
    let to_refs = |roles: Vec<repo::roles::Role>| -> Vec<RoleRef> {
        roles.into_iter().map(|r| RoleRef { id: r.id, name: r.name }).collect()
    };
    match scope {
        None => Ok((TokenScope::Unscoped, Vec::new())),
        Some(ScopeRequest { project: Some(_), domain: Some(_) }) => Err(IamError::BadRequest(
            "Specify either a project or a domain scope, not both".into(),
        )),
        Some(ScopeRequest { project: Some(p), .. }) => {
            let project = match (&p.id, &p.name) {
                (Some(id), _) => repo::projects::find(conn, id)?,
                (None, Some(name)) => {
                    let project_domain = match &p.domain {
                        Some(d) => resolve_domain(conn, d)?.ok_or_else(refused)?,
                        None => domain.clone(),
                    };
                    repo::projects::find_by_name(conn, &project_domain.id, name)?
                }
                (None, None) => {
                    return Err(IamError::BadRequest("Expecting a project id or name in scope".into()))
                }
            };
            let project = project.filter(|x| x.domain_id == user.domain_id && x.enabled).ok_or_else(refused)?;
            let roles = repo::grants::user_project_roles(conn, &user.id, &project.id, &project.domain_id)?;
            if roles.is_empty() {
                return Err(refused());
            }
            let scope = TokenScope::Project {
                id: project.id,
                name: project.name,
                domain_id: domain.id.clone(),
                domain_name: domain.name.clone(),
            };
            Ok((scope, to_refs(roles)))
        }
        Some(ScopeRequest { domain: Some(d), .. }) => {
            let target = resolve_domain(conn, d)?.filter(|x| x.id == user.domain_id).ok_or_else(refused)?;
            let roles = repo::grants::user_domain_roles(conn, &user.id, &target.id)?;
            if roles.is_empty() {
                return Err(refused());
            }
            Ok((TokenScope::Domain { id: target.id, name: target.name }, to_refs(roles)))
        }
        Some(ScopeRequest { project: None, domain: None }) => Ok((TokenScope::Unscoped, Vec::new())),
    }
}

/// Sign a token for the user in the resolved scope.
pub fn issue(
    state: &AppState,
    user: &User,
    domain: &Domain,
    scope: TokenScope,
    roles: Vec<RoleRef>,
    methods: Vec<String>,
) -> Result<(String, TokenClaims), IamError> {
    let issued_at = Utc::now();
    let claims = TokenClaims {
        token_id: repo::new_id(),
        user_id: user.id.clone(),
        user_name: user.name.clone(),
        domain_id: domain.id.clone(),
        domain_name: domain.name.clone(),
        scope,
        roles,
        methods,
        issued_at,
        expires_at: issued_at + state.config.token_lifetime(),
    };
    let token = state.signer.sign(&claims).map_err(|e| IamError::Internal(format!("token signing: {e}")))?;
    Ok((token, claims))
}
