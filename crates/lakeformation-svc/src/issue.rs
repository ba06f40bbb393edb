//! Issuing a temporary credential: check what is asked for (sizes, roles through the
//! policy, user and group names through iam-svc's directory), seal the secret into the
//! security token and record the issuance. The caller has been authorized already
//! (`policy::authorize` with `Action::CreateCredential`); this module decides nothing
//! about who may issue.

use chrono::{Duration, NaiveDateTime};
use credential_core::random::{generate_access_key, generate_secret_key};
use credential_core::SecretString;
use serde::{Deserialize, Serialize};
use service_kit::auth::wire::DirectoryCheck;
use service_kit::auth::Principal;
use service_kit::db;

use crate::error::LfError;
use crate::policy;
use crate::repo::{self, Issuance};
use crate::security_token::{self, TokenBody};
use crate::state::AppState;

/// LakeFormation's `IdentityInput`; every field optional, `{}` and no body both valid.
#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    #[serde(default)]
    user_names: Option<Vec<String>>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    roles: Option<Vec<String>>,
}

const MAX_NAMES: usize = 50;
/// The width of `issuances.user_names` and `issuances.groups_requested` (VARCHAR(2048)),
/// where the names are stored joined by commas: 50 names of iam-svc's 64 characters do
/// not fit, and PostgreSQL would refuse the insert (a 500) where SQLite stores it.
const MAX_JOINED_CHARS: usize = 2048;

/// A credential as issued: the secret exists only here and inside the sealed token.
pub struct Issued {
    pub access: String,
    pub secret: SecretString,
    pub security_token: SecretString,
    pub expires_at: NaiveDateTime,
}

/// What the credential is asked to carry, checked.
struct Asked {
    user_names: Vec<String>,
    groups: Vec<String>,
    roles: Vec<String>,
}

/// Issue a credential of `caller` through `instance_id` in `project_id`.
pub async fn issue(
    state: &AppState,
    caller: &Principal,
    project_id: String,
    instance_id: String,
    input: IdentityInput,
) -> Result<Issued, LfError> {
    let asked = checked(input)?;
    let roles = policy::issued_roles(caller, asked.roles.clone())?;
    check_directory(state, caller, &asked).await?;
    let access = generate_access_key().map_err(|e| LfError::Internal(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| LfError::Internal(e.to_string()))?;
    let issued_at = state.clock.stored_now();
    let lifetime = Duration::seconds(i64::from(state.config.credentials.lifetime_seconds));
    let expires_at = lifetime_end(caller, issued_at, lifetime);
    let body = token_body(caller, &secret, roles, &asked, expires_at)?;
    let security_token = security_token::seal(state.temporary.keys().keyring(), &access, &body)?;
    let record = Issuance {
        id: body.token_id.clone(),
        access: access.clone(),
        instance_id: instance_id.clone(),
        project_id: project_id.clone(),
        domain_id: caller.domain_id.clone(),
        user_id: caller.user_id.clone(),
        user_names: asked.user_names.join(","),
        groups_requested: asked.groups.join(","),
        roles: body.roles.join(","),
        issued_at,
        expires_at,
        revoked_at: None,
    };
    drop(body);
    db::write(&state.pool, move |conn| {
        repo::instance(conn, &project_id, &instance_id)?
            .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))?;
        repo::insert_issuance(conn, &record)?;
        Ok::<_, LfError>(())
    })
    .await?;
    Ok(Issued {
        access,
        secret,
        security_token,
        expires_at,
    })
}

/// The input within the limits the records can hold.
fn checked(input: IdentityInput) -> Result<Asked, LfError> {
    let asked = Asked {
        user_names: input.user_names.unwrap_or_default(),
        groups: input.groups.unwrap_or_default(),
        roles: input.roles.unwrap_or_default(),
    };
    if [&asked.user_names, &asked.groups, &asked.roles]
        .iter()
        .any(|names| names.len() > MAX_NAMES)
    {
        return Err(LfError::BadRequest(format!(
            "At most {MAX_NAMES} user names, groups and roles each."
        )));
    }
    if [&asked.user_names, &asked.groups]
        .iter()
        .any(|names| names.join(",").chars().count() > MAX_JOINED_CHARS)
    {
        return Err(LfError::BadRequest(format!(
            "The user names, and the groups, may take at most {MAX_JOINED_CHARS} characters each, joined by commas."
        )));
    }
    Ok(asked)
}

/// The user and group names asked for must exist in the caller's account (iam-svc says).
async fn check_directory(
    state: &AppState,
    caller: &Principal,
    asked: &Asked,
) -> Result<(), LfError> {
    if asked.user_names.is_empty() && asked.groups.is_empty() {
        return Ok(());
    }
    let check = DirectoryCheck {
        domain_id: caller.domain_id.clone(),
        user_names: asked.user_names.clone(),
        groups: asked.groups.clone(),
    };
    let missing = state.iam.check_directory(&check).await?;
    if let Some(name) = missing.missing_user_names.first() {
        return Err(LfError::NotFound(format!(
            "The user {name} does not exist in the account."
        )));
    }
    if let Some(name) = missing.missing_groups.first() {
        return Err(LfError::NotFound(format!(
            "The group {name} does not exist in the account."
        )));
    }
    Ok(())
}

/// What the security token seals: the secret, who the caller is and what they asked for.
fn token_body(
    caller: &Principal,
    secret: &SecretString,
    roles: Vec<String>,
    asked: &Asked,
    expires_at: NaiveDateTime,
) -> Result<TokenBody, LfError> {
    let project = caller
        .project
        .as_ref()
        .ok_or(LfError::Forbidden("not project-scoped"))?;
    Ok(TokenBody {
        token_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: secret.expose().to_string(),
        user_id: caller.user_id.clone(),
        user_name: caller.user_name.clone(),
        domain_id: caller.domain_id.clone(),
        domain_name: caller.domain_name.clone(),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        roles,
        user_names: asked.user_names.clone(),
        groups: asked.groups.clone(),
        expires_at: expires_at.and_utc(),
    })
}

/// When a key issued at `issued_at` expires: after the configured lifetime, and never after
/// the IAM token it was issued with (a key must not outlive the credential behind it).
fn lifetime_end(caller: &Principal, issued_at: NaiveDateTime, lifetime: Duration) -> NaiveDateTime {
    let configured = issued_at + lifetime;
    match &caller.token {
        Some(claims) => configured.min(claims.expires_at.naive_utc()),
        None => configured,
    }
}
