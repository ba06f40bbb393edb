//! Logging in: check a password (or an existing token), resolve the scope and its
//! roles, and sign a token. Handlers in `routes::auth` only parse and render.

use actix_web::web;
use credential_core::iam_token::{RoleRef, TokenClaims, TokenScope};
use serde::{Deserialize, Serialize};
use service_kit::db::DbConnection;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::error::IamError;
use crate::ratelimit::AttemptKeys;
use crate::repo::{self, domains::Domain, users::User};
use crate::state::AppState;

/// `{"auth": {"identity": ..., "scope": ...}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthRequest {
    pub auth: Auth,
}

/// Who logs in, and the scope the token is for (none: an unscoped token).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub identity: Identity,
    #[serde(default)]
    pub scope: Option<ScopeRequest>,
}

/// The login method and its credential: `methods` `["password"]` with `password`, or
/// `["token"]` with `token` (the other object, if present, is not read).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    #[schema(schema_with = methods_schema)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub password: Option<PasswordMethod>,
    #[serde(default)]
    pub token: Option<TokenMethod>,
}

/// The password method: the user and their password.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordMethod {
    pub user: PasswordUser,
}

impl std::fmt::Debug for PasswordMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordMethod { .. }")
    }
}

/// The user, by `id`, or by `name` with their `domain`; and the password.
#[derive(Deserialize, Serialize, ToSchema)]
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

/// The token method: a valid token, exchanged for one of another scope that expires no
/// later.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenMethod {
    /// The token (an `X-Subject-Token`).
    pub id: String,
}

impl std::fmt::Debug for TokenMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenMethod { .. }")
    }
}

/// A domain by `id` or by `name` (the id wins when both are given).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameOrId {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A project or a domain scope, not both; neither is an unscoped token.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeRequest {
    #[serde(default)]
    pub project: Option<ProjectScopeRequest>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

/// A project by `id`, or by `name` in `domain` (the user's own when absent).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectScopeRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

/// `methods`: exactly one of `password` and `token`.
fn methods_schema() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["password", "token"])),
        )
        .min_items(Some(1))
        .max_items(Some(1))
}

impl PasswordUser {
    /// The same user reference without the password.
    fn clone_identity(&self) -> PasswordUser {
        PasswordUser {
            id: self.id.clone(),
            name: self.name.clone(),
            domain: self.domain.clone(),
            password: String::new(),
        }
    }

    /// How the request spells the user, for counting attempts at a user that does not
    /// exist (existing users are counted by id).
    pub fn limit_key(&self) -> String {
        let domain = self
            .domain
            .as_ref()
            .and_then(|d| d.id.clone().or(d.name.clone()))
            .unwrap_or_default();
        let user = self.id.clone().or(self.name.clone()).unwrap_or_default();
        format!("{domain}/{user}")
    }
}

/// A login (`POST /v3/auth/tokens`): check the password or the token, resolve the scope
/// and sign a token.
pub async fn login(
    state: &web::Data<AppState>,
    auth: Auth,
    address: &str,
) -> Result<(String, TokenClaims), IamError> {
    let Auth { identity, scope } = auth;
    let (user, domain, method, not_after) = if identity.methods == ["password"] {
        let pw = identity
            .password
            .ok_or_else(|| IamError::BadRequest("Expecting to find password in identity".into()))?;
        let (user, domain) = check_password(state, pw.user, address).await?;
        (user, domain, "password", None)
    } else if identity.methods == ["token"] {
        let t = identity
            .token
            .ok_or_else(|| IamError::BadRequest("Expecting to find token in identity".into()))?;
        let old = state.verifier.verify(&t.id, state.clock.now())?;
        let user_id = old.user_id.clone();
        let (user, domain) =
            service_kit::db::run(&state.pool, move |conn| enabled_user(conn, &user_id)).await?;
        (user, domain, "token", Some(old.expires_at))
    } else {
        return Err(IamError::BadRequest(
            "identity.methods must be [\"password\"] or [\"token\"]".into(),
        ));
    };
    let st = state.clone();
    service_kit::db::run(&state.pool, move |conn| {
        let (scope, roles) = resolve_scope(conn, &user, &domain, scope.as_ref())?;
        issue(
            &st,
            &user,
            &domain,
            scope,
            roles,
            vec![method.into()],
            not_after,
        )
    })
    .await
}

/// The user of a token exchanged for another, if they and their domain are still enabled.
fn enabled_user(conn: &mut DbConnection, id: &str) -> Result<(User, Domain), IamError> {
    let user = repo::users::find(conn, id)?
        .filter(|u| u.enabled)
        .ok_or(IamError::LoginFailed)?;
    let domain = repo::domains::find(conn, &user.domain_id)?
        .filter(|d| d.enabled)
        .ok_or(IamError::LoginFailed)?;
    Ok((user, domain))
}

/// Check a password login: look the user up (one short database call), count the
/// attempt against the user's and the address's limits, then hash on the blocking pool
/// without holding a connection. Unknown users cost the same hashing work as known ones,
/// and every failure is the same error.
pub async fn check_password(
    state: &AppState,
    u: PasswordUser,
    address: &str,
) -> Result<(User, Domain), IamError> {
    let lookup = PasswordUser {
        password: String::new(),
        ..u.clone_identity()
    };
    let found = service_kit::db::run(&state.pool, move |conn| find_user(conn, &lookup)).await?;
    let keys = match &found {
        Some((user, _)) => AttemptKeys::user(&user.id, address),
        None => AttemptKeys::unknown(&u.limit_key(), address),
    };
    reserve_attempt(state, &keys).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let password = credential_core::SecretString::from(u.password);
    let stored = found.as_ref().map(|(user, _)| user.password_hash.clone());
    let ok = crate::passwords::verify(password, stored, iterations).await?;
    match found {
        Some((user, domain)) if ok && user.enabled && domain.enabled => {
            attempt_succeeded(state, keys).await?;
            Ok((user, domain))
        }
        _ => Err(IamError::LoginFailed),
    }
}

/// Count a password attempt before it is checked (see `ratelimit`).
pub async fn reserve_attempt(state: &AppState, keys: &AttemptKeys) -> Result<(), IamError> {
    let limits = state.limits.clone();
    let keys = keys.clone();
    let clock = state.clock.clone();
    service_kit::db::write(&state.pool, move |conn| {
        limits.reserve(conn, &keys, clock.stored_now())
    })
    .await
}

/// The password was right: clear the counts the attempt made.
pub async fn attempt_succeeded(state: &AppState, keys: AttemptKeys) -> Result<(), IamError> {
    let limits = state.limits.clone();
    service_kit::db::write(&state.pool, move |conn| limits.succeeded(conn, &keys)).await
}

fn find_user(
    conn: &mut DbConnection,
    u: &PasswordUser,
) -> Result<Option<(User, Domain)>, IamError> {
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
        roles
            .into_iter()
            .map(|r| RoleRef {
                id: r.id,
                name: r.name,
            })
            .collect()
    };
    match scope {
        None => Ok((TokenScope::Unscoped, Vec::new())),
        Some(ScopeRequest {
            project: Some(_),
            domain: Some(_),
        }) => Err(IamError::BadRequest(
            "Specify either a project or a domain scope, not both".into(),
        )),
        Some(ScopeRequest {
            project: Some(p), ..
        }) => {
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
                    return Err(IamError::BadRequest(
                        "Expecting a project id or name in scope".into(),
                    ))
                }
            };
            let project = project
                .filter(|x| x.domain_id == user.domain_id && x.enabled)
                .ok_or_else(refused)?;
            let roles =
                repo::grants::user_project_roles(conn, &user.id, &project.id, &project.domain_id)?;
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
        Some(ScopeRequest {
            domain: Some(d), ..
        }) => {
            let target = resolve_domain(conn, d)?
                .filter(|x| x.id == user.domain_id)
                .ok_or_else(refused)?;
            let roles = repo::grants::user_domain_roles(conn, &user.id, &target.id)?;
            if roles.is_empty() {
                return Err(refused());
            }
            Ok((
                TokenScope::Domain {
                    id: target.id,
                    name: target.name,
                },
                to_refs(roles),
            ))
        }
        Some(ScopeRequest {
            project: None,
            domain: None,
        }) => Ok((TokenScope::Unscoped, Vec::new())),
    }
}

/// Sign a token for the user in the resolved scope. `not_after` caps the expiry: a token
/// obtained with another token never outlives it, or holding a token would be enough to
/// keep one forever.
pub fn issue(
    state: &AppState,
    user: &User,
    domain: &Domain,
    scope: TokenScope,
    roles: Vec<RoleRef>,
    methods: Vec<String>,
    not_after: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(String, TokenClaims), IamError> {
    let issued_at = state.clock.now();
    let lifetime_end = issued_at + state.config.token_lifetime();
    let expires_at = not_after.map_or(lifetime_end, |cap| cap.min(lifetime_end));
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
        expires_at,
    };
    let token = state
        .signer
        .sign(&claims)
        .map_err(|e| IamError::Internal(format!("token signing: {e}")))?;
    Ok((token, claims))
}
