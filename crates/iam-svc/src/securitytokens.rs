//! Temporary access keys for a token (`POST /v3.0/OS-CREDENTIAL/securitytokens`, Huawei's
//! `CreateTemporaryAccessKeyByToken`): the key acts as the token's user, in the token's
//! project, with the token's roles that the user still holds, and expires after
//! `duration_seconds` (900 to 86400, 900 by default) but never after the token, doing
//! only what its optional session policy (`policy`) also allows. The key
//! is minted and later checked by service-kit's one machinery for temporary keys
//! (`service_kit::auth::temporary`, issuer `iam`); iam-svc keeps its issuance record.
//!
//! In order: [`asked`] reads the body (methods, token, duration) before anything is
//! looked up; the handler verifies the token; [`issue`] checks the caller against the
//! policy table, the user and roles live, then mints and records the key in the caller's
//! transaction. A temporary key never mints another (the table refuses it), and no
//! token comes from a temporary key (`POST /v3/auth/tokens` takes passwords and tokens
//! only), so no key minted here outlives a temporary one.

use chrono::{DateTime, Duration, Utc};
use credential_core::iam_token::{TokenClaims, TokenScope};
use credential_core::security_token::Issuer;
use credential_core::session_policy::SessionPolicy;
use serde::{Deserialize, Serialize};
use service_kit::auth::temporary::{IssuanceRecords, KeyGrant, Minted, TemporaryKeys};
use service_kit::auth::{AuthError, Principal, ProjectRef};
use service_kit::db::DbConnection;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo;

/// The shortest and longest lifetimes a key may be asked for, and the default.
pub const MIN_DURATION_SECONDS: i64 = 900;
pub const MAX_DURATION_SECONDS: i64 = 86_400;
pub const DEFAULT_DURATION_SECONDS: i64 = 900;

/// `{"auth": {"identity": ...}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityTokenRequest {
    pub auth: TokenAuth,
}

/// Huawei's `TokenAuth`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenAuth {
    pub identity: TokenAuthIdentity,
}

/// Huawei's `TokenAuthIdentity`: `methods` `["token"]`, with the token in `token.id` or
/// the `X-Auth-Token` header, and an optional session policy. `["assume_role"]` (an agency) is refused: agencies do not
/// exist here.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenAuthIdentity {
    #[schema(schema_with = methods_schema)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub token: Option<IdentityToken>,
    /// Read only to refuse it with a clear message: agencies are not supported.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub assume_role: Option<serde_json::Value>,
    /// A session policy (Huawei's `ServicePolicy`): the key may do only what both the
    /// token's roles and this allow. `{"Version": "1.1", "Statement": [{"Effect":
    /// "Allow"|"Deny", "Action": [...], "Resource"?: ["*"]}]}`; action names are the
    /// services' policy actions, `*` a wildcard; `Condition`, any other `Resource`, an
    /// unknown action or field is 400. See docs/api/iam.md.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
}

/// Huawei's `IdentityToken`.
#[derive(Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityToken {
    /// The token; the `X-Auth-Token` header's when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The key's lifetime in seconds, 900 to 86400 (900 when absent); never past the
    /// token's expiry.
    #[serde(default)]
    #[schema(minimum = 900, maximum = 86400)]
    pub duration_seconds: Option<i64>,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityToken")
            .field("duration_seconds", &self.duration_seconds)
            .finish_non_exhaustive()
    }
}

fn methods_schema() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["token"])),
        )
        .min_items(Some(1))
        .max_items(Some(1))
}

/// What the body asks for, checked.
#[derive(Debug)]
pub struct Asked {
    /// `token.id`, when the body carries the token.
    pub token: Option<String>,
    pub duration: Duration,
    /// The session policy, checked against every service's actions.
    pub policy: Option<SessionPolicy>,
}

/// The body read and checked, before any token or row is looked at.
pub fn asked(identity: TokenAuthIdentity) -> Result<Asked, IamError> {
    if identity.methods == ["assume_role"] || identity.assume_role.is_some() {
        return Err(IamError::BadRequest(
            "Agencies are not supported: assume_role cannot be used; ask with methods [\"token\"]."
                .into(),
        ));
    }
    if identity.methods != ["token"] {
        return Err(IamError::BadRequest(
            "identity.methods must be [\"token\"]".into(),
        ));
    }
    let token = identity.token.unwrap_or_default();
    let seconds = token.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if !(MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&seconds) {
        return Err(IamError::BadRequest(format!(
            "token.duration_seconds must be from {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS}."
        )));
    }
    let id = token.id.map(|t| t.trim().to_string());
    if id.as_deref() == Some("") {
        return Err(IamError::BadRequest("token.id must not be empty.".into()));
    }
    let policy = match identity.policy {
        None | Some(serde_json::Value::Null) => None,
        Some(document) => Some(
            SessionPolicy::parse(&document, service_kit::policy::ACTIONS)
                .map_err(|e| IamError::BadRequest(format!("{e}.")))?,
        ),
    };
    Ok(Asked {
        token: id,
        duration: Duration::seconds(seconds),
        policy,
    })
}

/// The token the key is for: the body's, else the `X-Auth-Token` header's.
pub fn token_of<'a>(asked: &'a Asked, header: Option<&'a str>) -> Result<&'a str, IamError> {
    asked
        .token
        .as_deref()
        .or(header)
        .ok_or(IamError::Unauthenticated(AuthError::Missing))
}

/// Mint and record a key for the verified token `claims`, asked by `caller` (the
/// token's principal, or the signer of a signed request), at `now`.
pub fn issue<R: IssuanceRecords>(
    conn: &mut DbConnection,
    keys: &TemporaryKeys<R>,
    caller: &Principal,
    claims: &TokenClaims,
    asked: Asked,
    now: DateTime<Utc>,
) -> Result<Minted, IamError> {
    let target = Target {
        domain_id: &caller.domain_id,
        own: true,
    };
    policy::check_blind(caller, Action::CreateTemporaryAccessKey, target)?;
    let TokenScope::Project { id, name, .. } = &claims.scope else {
        return Err(IamError::BadRequest(
            "The token must be scoped to a project: a temporary key acts in one project.".into(),
        ));
    };
    let roles = held_roles(conn, claims, id)?;
    let grant = KeyGrant {
        issuer: Issuer::Iam,
        user_id: claims.user_id.clone(),
        user_name: claims.user_name.clone(),
        domain_id: claims.domain_id.clone(),
        domain_name: claims.domain_name.clone(),
        project: ProjectRef {
            id: id.clone(),
            name: name.clone(),
        },
        roles,
        user_names: Vec::new(),
        groups: Vec::new(),
        policy: asked.policy,
        // A key never outlives the token behind it.
        expires_at: (now + asked.duration).min(claims.expires_at),
    };
    let minted = keys
        .mint(grant)
        .map_err(|e| IamError::Internal(e.to_string()))?;
    repo::temporary_keys::insert(
        conn,
        &repo::temporary_keys::TemporaryKey {
            access: minted.access.clone(),
            token_id: minted.token_id.clone(),
            user_id: claims.user_id.clone(),
            domain_id: claims.domain_id.clone(),
            project_id: id.clone(),
            issued_at: service_kit::db::stored_time(now),
            expires_at: service_kit::db::stored_time(minted.expires_at),
        },
    )?;
    Ok(minted)
}

/// The token's roles that its user, still enabled in an enabled domain, holds on the
/// project now: a token outliving a lost role must not hand it on.
fn held_roles(
    conn: &mut DbConnection,
    claims: &TokenClaims,
    project_id: &str,
) -> Result<Vec<String>, IamError> {
    let revoked = || IamError::Unauthenticated(AuthError::Revoked);
    let user = repo::users::find(conn, &claims.user_id)?
        .filter(|u| u.enabled)
        .ok_or_else(revoked)?;
    repo::domains::find(conn, &user.domain_id)?
        .filter(|d| d.enabled)
        .ok_or_else(revoked)?;
    let (_, held) = repo::grants::project_scope(conn, &user.id, project_id, &user.domain_id)?
        .ok_or(IamError::ScopeRefused)?;
    let roles: Vec<String> = claims
        .roles
        .iter()
        .map(|r| r.name.clone())
        .filter(|r| held.contains(r))
        .collect();
    if roles.is_empty() {
        return Err(IamError::ScopeRefused);
    }
    Ok(roles)
}
