//! Permanent access keys (AK/SK): creating them within the user's quota, reading,
//! (de)activating and deleting them. The SK is generated here, returned once and stored
//! only sealed under the master key. Each rule is a function of a connection inside the
//! caller's transaction (or, for [`generate`], of the master key), the caller and the
//! request's parts, so tests call them without HTTP; `routes/credentials.rs` runs them on
//! the pool and renders the result.

use chrono::NaiveDateTime;
use credential_core::random::{generate_access_key, generate_secret_key};
use credential_core::seal::Keyring;
use credential_core::SecretString;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{DbConnection, StoreError};
use utoipa::ToSchema;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{
    self,
    access_keys::{AccessKey, AccessKeyChanges, ACTIVE, INACTIVE},
};
use crate::validate;

/// A new key, as Huawei's `POST /v3.0/OS-CREDENTIAL/credentials` names the fields.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredential {
    /// The key's user: the caller, or (for the domain admin) a user of the domain.
    pub user_id: String,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// A change to a key: its status, its description or both (at least one).
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialEdit {
    /// `active` or `inactive`.
    #[serde(default)]
    #[schema(schema_with = status_schema)]
    pub status: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// `status`: [`ACTIVE`] or [`INACTIVE`] (null: unchanged).
fn status_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some([Some(ACTIVE), Some(INACTIVE), None]))
        .build()
}

/// A new key for the user named in `c`, with a fresh secret sealed under `master`, made
/// before the write that stores it ([`create`]); the secret is returned here and never
/// again.
pub fn generate(
    master: &Keyring,
    p: &Principal,
    c: NewCredential,
    now: NaiveDateTime,
) -> Result<(AccessKey, SecretString), IamError> {
    let description = c.description.unwrap_or_default();
    validate::description(&description)?;
    let access = generate_access_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let sealed_secret = master
        .seal(secret.expose().as_bytes(), access.as_bytes())
        .map_err(|e| IamError::Internal(format!("sealing: {e}")))?;
    let row = AccessKey {
        access,
        user_id: c.user_id,
        domain_id: p.domain_id.clone(),
        sealed_secret,
        status: ACTIVE.into(),
        description,
        created_at: now,
        last_used_at: None,
    };
    Ok((row, secret))
}

/// Store a key from [`generate`] if the caller may and the user's quota
/// (`max_per_user`) has room.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    row: AccessKey,
    max_per_user: i64,
) -> Result<AccessKey, IamError> {
    create_as(conn, p, Action::CreateCredential, row, max_per_user)
}

/// [`create`] for any API that makes permanent keys (v3.0's and v5's share this one
/// quota): `action` is the one the policy is asked about.
pub fn create_as(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    row: AccessKey,
    max_per_user: i64,
) -> Result<AccessKey, IamError> {
    locked_user(conn, p, action, &row.user_id)?;
    if repo::access_keys::count_for_user(conn, &row.user_id)? >= max_per_user {
        return Err(IamError::QuotaExceeded);
    }
    repo::access_keys::insert(conn, &row).map_err(|e| match e {
        // Two random 20-character AKs colliding is not expected; say so plainly.
        StoreError::UniqueViolation => IamError::Internal("access key collision".into()),
        other => other.into(),
    })?;
    Ok(row)
}

/// The keys of the user named (the caller when `None`).
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    user_id: Option<String>,
) -> Result<Vec<AccessKey>, IamError> {
    let user_id = user_id.unwrap_or_else(|| p.user_id.clone());
    let user = policy::user(conn, p, Action::ListCredentials, &user_id)?;
    Ok(repo::access_keys::list(
        conn,
        &user.domain_id,
        Some(&user_id),
    )?)
}

/// One key the caller may see.
pub fn show(conn: &mut DbConnection, p: &Principal, access: &str) -> Result<AccessKey, IamError> {
    policy::access_key(conn, p, Action::GetCredential, access)
}

/// (De)activate or describe a key.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    access: &str,
    c: CredentialEdit,
) -> Result<AccessKey, IamError> {
    check_update(&c)?;
    policy::access_key(conn, p, Action::UpdateCredential, access)?;
    let changes = AccessKeyChanges {
        status: c.status,
        description: c.description,
    };
    repo::access_keys::update(conn, access, &changes)?;
    repo::access_keys::find(conn, access)?.ok_or(IamError::NotFound("access key"))
}

/// Delete a key.
pub fn delete(conn: &mut DbConnection, p: &Principal, access: &str) -> Result<(), IamError> {
    policy::access_key(conn, p, Action::DeleteCredential, access)?;
    repo::access_keys::delete(conn, access)?;
    Ok(())
}

fn check_update(c: &CredentialEdit) -> Result<(), IamError> {
    if c.status.is_none() && c.description.is_none() {
        return Err(IamError::BadRequest(
            "Specify status, description or both.".into(),
        ));
    }
    if c.status
        .as_deref()
        .is_some_and(|s| s != ACTIVE && s != INACTIVE)
    {
        return Err(IamError::BadRequest(
            "status must be active or inactive.".into(),
        ));
    }
    if let Some(d) = &c.description {
        validate::description(d)?;
    }
    Ok(())
}

/// The user whose keys the caller manages, with their row locked until the write ends
/// (the quota of keys hangs on it), found and locked in one statement.
fn locked_user(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    user_id: &str,
) -> Result<(), IamError> {
    let domain_id = repo::users::lock(conn, user_id)?.ok_or(IamError::NotFound("user"))?;
    let target = Target {
        domain_id: &domain_id,
        own: user_id == p.user_id,
    };
    policy::check(conn, p, action, target).map_err(|e| match e {
        IamError::NotFound(_) => IamError::NotFound("user"),
        other => other,
    })
}
