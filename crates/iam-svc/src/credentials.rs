//! Permanent access keys (AK/SK): creating them within the user's quota, reading,
//! (de)activating and deleting them. The SK is generated here, returned once and stored
//! only sealed under the master key. Each function is one whole operation for an
//! authenticated principal, so `routes/credentials.rs` only extracts the request, calls
//! one of these and renders the result.

use credential_core::random::{generate_access_key, generate_secret_key};
use credential_core::SecretString;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{
    self,
    access_keys::{AccessKey, AccessKeyChanges, ACTIVE, INACTIVE},
};
use crate::state::AppState;
use crate::validate;

/// A new key, as Huawei's `POST /v3.0/OS-CREDENTIAL/credentials` names the fields.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewCredential {
    pub user_id: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A change to a key: its status, its description or both.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialEdit {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Create a key for the user named; the secret is returned here and never again.
pub async fn create(
    state: &AppState,
    p: &Principal,
    c: NewCredential,
) -> Result<(AccessKey, SecretString), IamError> {
    let description = c.description.unwrap_or_default();
    validate::description(&description)?;
    let (row, secret) = new_key(state, p, c.user_id, description)?;
    let p = p.clone();
    let max = i64::from(state.config.access_keys.max_per_user);
    let key = db::write(&state.pool, move |conn| insert_key(conn, &p, row, max)).await?;
    Ok((key, secret))
}

/// The keys of the user named (the caller when `None`).
pub async fn list(
    state: &AppState,
    p: &Principal,
    user_id: Option<String>,
) -> Result<Vec<AccessKey>, IamError> {
    let user_id = user_id.unwrap_or_else(|| p.user_id.clone());
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        let user = policy::user(conn, &p, Action::ListCredentials, &user_id)?;
        Ok(repo::access_keys::list(
            conn,
            &user.domain_id,
            Some(&user_id),
        )?)
    })
    .await
}

/// One key the caller may see.
pub async fn show(state: &AppState, p: &Principal, access: String) -> Result<AccessKey, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::access_key(conn, &p, Action::GetCredential, &access)
    })
    .await
}

/// (De)activate or describe a key.
pub async fn update(
    state: &AppState,
    p: &Principal,
    access: String,
    c: CredentialEdit,
) -> Result<AccessKey, IamError> {
    check_update(&c)?;
    let p = p.clone();
    db::write(&state.pool, move |conn| {
        policy::access_key(conn, &p, Action::UpdateCredential, &access)?;
        let changes = AccessKeyChanges {
            status: c.status,
            description: c.description,
        };
        repo::access_keys::update(conn, &access, &changes)?;
        repo::access_keys::find(conn, &access)?.ok_or(IamError::NotFound("access key"))
    })
    .await
}

/// Delete a key.
pub async fn delete(state: &AppState, p: &Principal, access: String) -> Result<(), IamError> {
    let p = p.clone();
    db::write(&state.pool, move |conn| -> Result<(), IamError> {
        policy::access_key(conn, &p, Action::DeleteCredential, &access)?;
        repo::access_keys::delete(conn, &access)?;
        Ok(())
    })
    .await
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

/// A new key row for `user_id` with a fresh secret, sealed under the master key.
fn new_key(
    state: &AppState,
    p: &Principal,
    user_id: String,
    description: String,
) -> Result<(AccessKey, SecretString), IamError> {
    let access = generate_access_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let sealed_secret = state
        .signatures
        .keys()
        .master()
        .seal(secret.expose().as_bytes(), access.as_bytes())
        .map_err(|e| IamError::Internal(format!("sealing: {e}")))?;
    let row = AccessKey {
        access,
        user_id,
        domain_id: p.domain_id.clone(),
        sealed_secret,
        status: ACTIVE.into(),
        description,
        created_at: state.clock.stored_now(),
        last_used_at: None,
    };
    Ok((row, secret))
}

/// Store the key if the caller may and the user's quota has room.
fn insert_key(
    conn: &mut DbConnection,
    p: &Principal,
    row: AccessKey,
    max: i64,
) -> Result<AccessKey, IamError> {
    locked_user(conn, p, Action::CreateCredential, &row.user_id)?;
    if repo::access_keys::count_for_user(conn, &row.user_id)? >= max {
        return Err(IamError::QuotaExceeded);
    }
    repo::access_keys::insert(conn, &row).map_err(|e| match e {
        // Two random 20-character AKs colliding is not expected; say so plainly.
        StoreError::UniqueViolation => IamError::Internal("access key collision".into()),
        other => other.into(),
    })?;
    Ok(row)
}
