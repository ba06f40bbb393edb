//! Issuing a temporary credential: check what is asked for (sizes, roles through the
//! policy, user and group names through iam-svc's directory), seal the secret into the
//! security token and record the issuance. The caller has been authorized already
//! (`policy::authorize` with `Action::CreateCredential`); this module decides nothing
//! about who may issue.
//!
//! In order: [`asked`], [`check_directory`] (a call to iam-svc, outside any transaction),
//! [`seal`] at the request's time, then [`record`] on a connection inside the caller's
//! transaction. Only the last touches the database; tests call each without HTTP.

use chrono::{Duration, NaiveDateTime};
use credential_core::seal::Keyring;
use credential_core::security_token::Issuer;
use credential_core::SecretString;
use serde::{Deserialize, Serialize};
use service_kit::auth::temporary::{self, KeyGrant};
use service_kit::auth::wire::DirectoryCheck;
use service_kit::auth::{Principal, RemoteSignatureVerifier};
use service_kit::db::DbConnection;

use crate::error::LfError;
use crate::instances;
use crate::policy;
use crate::repo::{self, Issuance};

/// LakeFormation's `IdentityInput`; every field optional, `{}` and no body both valid.
#[derive(Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    /// Users of the caller's account the credential is for (iam-svc must know each);
    /// at most 2048 characters joined by commas.
    #[serde(default)]
    #[schema(max_items = 50)]
    user_names: Option<Vec<String>>,
    /// Groups of the caller's account (iam-svc must know each); at most 2048 characters
    /// joined by commas.
    #[serde(default)]
    #[schema(max_items = 50)]
    groups: Option<Vec<String>>,
    /// The roles the credential acts with: the caller's own or lesser ones (an unknown
    /// role is 404, one the caller lacks 400); without any, the caller's own.
    #[serde(default)]
    #[schema(max_items = 50)]
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

/// What the credential is asked to carry, checked: the names within the records' limits
/// and the roles the policy lets the caller hand on.
pub struct Asked {
    user_names: Vec<String>,
    groups: Vec<String>,
    roles: Vec<String>,
}

/// A credential to issue: where, what it carries, and how long it may live.
pub struct NewCredential {
    pub project_id: String,
    pub instance_id: String,
    pub asked: Asked,
    /// `credentials.lifetime_seconds`; the caller's IAM token may cut it short.
    pub lifetime: Duration,
}

/// A credential sealed and not yet recorded: what the caller will see, and the record.
pub struct Sealed {
    issued: Issued,
    record: Issuance,
}

/// What `input` asks the credential to carry, within the limits the records can hold,
/// with the roles `caller` may hand on.
pub fn asked(caller: &Principal, input: IdentityInput) -> Result<Asked, LfError> {
    let mut asked = checked(input)?;
    asked.roles = policy::issued_roles(caller, std::mem::take(&mut asked.roles))?;
    Ok(asked)
}

/// A new key pair for `caller`, issued at `now`, its secret sealed under `keyring` into
/// the security token, and the issuance that records it.
pub fn seal(
    caller: &Principal,
    new: NewCredential,
    keyring: &Keyring,
    now: NaiveDateTime,
) -> Result<Sealed, LfError> {
    let expires_at = lifetime_end(caller, now, new.lifetime);
    let asked = new.asked;
    let grant = key_grant(caller, &asked, expires_at)?;
    let minted = temporary::mint(keyring, grant).map_err(|e| LfError::Internal(e.to_string()))?;
    let record = Issuance {
        id: minted.token_id,
        access: minted.access.clone(),
        instance_id: new.instance_id,
        project_id: new.project_id,
        domain_id: caller.domain_id.clone(),
        user_id: caller.user_id.clone(),
        user_names: asked.user_names.join(","),
        groups_requested: asked.groups.join(","),
        roles: asked.roles.join(","),
        issued_at: now,
        expires_at,
        revoked_at: None,
    };
    let issued = Issued {
        access: minted.access,
        secret: minted.secret,
        security_token: minted.security_token,
        expires_at,
    };
    Ok(Sealed { issued, record })
}

/// Record a sealed credential, issued through its project's instance, which must exist
/// and serve (not be in the recycle bin); only then is it handed out.
pub fn record(conn: &mut DbConnection, sealed: Sealed) -> Result<Issued, LfError> {
    let r = &sealed.record;
    instances::held_serving(conn, &r.project_id, &r.instance_id)?;
    repo::insert_issuance(conn, r)?;
    Ok(sealed.issued)
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
/// Asked after [`asked`] and before [`seal`]: no key is made for names that do not exist.
pub async fn check_directory(
    iam: &RemoteSignatureVerifier,
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
    let missing = iam.check_directory(&check).await?;
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

/// What the security token seals: who the caller is and what they asked for.
fn key_grant(
    caller: &Principal,
    asked: &Asked,
    expires_at: NaiveDateTime,
) -> Result<KeyGrant, LfError> {
    let project = caller
        .project
        .clone()
        .ok_or(LfError::Forbidden("not project-scoped"))?;
    Ok(KeyGrant {
        issuer: Issuer::LakeFormation,
        user_id: caller.user_id.clone(),
        user_name: caller.user_name.clone(),
        domain_id: caller.domain_id.clone(),
        domain_name: caller.domain_name.clone(),
        project,
        roles: asked.roles.clone(),
        user_names: asked.user_names.clone(),
        groups: asked.groups.clone(),
        // LakeFormation's API has no session policy: its roles alone decide.
        policy: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    use utoipa::PartialSchema;

    /// The OpenAPI document states the limit [`checked`] enforces.
    #[test]
    fn the_documented_list_limit_is_the_enforced_one() {
        let RefOr::T(Schema::Object(input)) = IdentityInput::schema() else {
            panic!("IdentityInput is an object");
        };
        for field in ["user_names", "groups", "roles"] {
            let Some(RefOr::T(Schema::Array(list))) = input.properties.get(field) else {
                panic!("{field} is an array");
            };
            assert_eq!(list.max_items, Some(MAX_NAMES), "{field}");
        }
    }
}
