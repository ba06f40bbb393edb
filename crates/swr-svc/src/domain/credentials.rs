//! Long-term and temporary registry credentials of an instance: who may create, list,
//! enable, disable and delete them, the per-user quota, and what a new one holds. The
//! auth_token is handed back once, at creation, and stored only as its SHA-256.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use credential_core::bearer::generate_bearer;
use credential_core::digest::sha256_hex;
use credential_core::names::validate_swr_credential_name;
use credential_core::secret::SecretString;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use utoipa::ToSchema;

use super::InstancePath;
use crate::config::CredentialRules;
use crate::error::SwrError;
use crate::policy::{self, Action, Grant};
use crate::repo::{
    self,
    credentials::{Credential, LONG_TERM, TEMPORARY},
};

/// Prefix of every SWR auth_token; registry logins recognise SWR tokens by it.
pub const TOKEN_PREFIX: &str = "swr_";

/// The body of a long-term credential's creation.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateCredentialBody)]
pub struct CreateBody {
    /// 1 to 64 characters of `a-z` and `0-9`, with single `.`, `_` or `-` between them;
    /// unique among the caller's credentials on the instance.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub name: String,
}

/// The body of a long-term credential's update: enable or disable it.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UpdateCredentialBody)]
pub struct UpdateBody {
    pub enable: bool,
}

/// A credential as just created, with the auth_token its owner sees this once.
pub struct Issued {
    pub token: SecretString,
    pub credential: Credential,
}

/// A project's instance's credential, as the path names it.
pub struct CredentialPath {
    pub project_id: String,
    pub instance_id: String,
    pub credential_id: String,
}

/// What creation needs besides the caller.
struct NewCredential {
    instance: InstancePath,
    name: String,
    kind: &'static str,
    lifetime: Duration,
}

/// A long-term credential named by `body`, for the caller, on the project's instance,
/// created at `now` under `rules`.
pub fn create_long_term(
    conn: &mut DbConnection,
    p: &Principal,
    instance: InstancePath,
    body: CreateBody,
    rules: &CredentialRules,
    now: NaiveDateTime,
) -> Result<Issued, SwrError> {
    policy::authorize(p, &instance.project_id, Action::CreateLongTermCredential)?;
    let name = body.name;
    validate_swr_credential_name(&name)
        .map_err(|e| SwrError::InvalidName(format!("Invalid credential name: {e}")))?;
    let lifetime = Duration::days(i64::from(rules.long_term_lifetime_days));
    let new = NewCredential {
        instance,
        name,
        kind: LONG_TERM,
        lifetime,
    };
    issue(conn, p, new, rules.max_per_user_per_instance, now)
}

/// A temporary credential for the caller on the project's instance, created at `now`
/// under `rules`.
pub fn create_temporary(
    conn: &mut DbConnection,
    p: &Principal,
    instance: InstancePath,
    rules: &CredentialRules,
    now: NaiveDateTime,
) -> Result<Issued, SwrError> {
    policy::authorize(p, &instance.project_id, Action::CreateTempCredential)?;
    let lifetime = Duration::seconds(i64::from(rules.temporary_lifetime_seconds));
    // Temporary credentials have no user-chosen name; a unique one keeps the index simple.
    let name = format!("temp-{}", repo::new_id());
    let new = NewCredential {
        instance,
        name,
        kind: TEMPORARY,
        lifetime,
    };
    issue(conn, p, new, rules.max_per_user_per_instance, now)
}

/// Create a credential under the per-user quota of `max`; returns it and its auth_token.
/// The caller was authorized for the create action of `new.kind`.
fn issue(
    conn: &mut DbConnection,
    p: &Principal,
    new: NewCredential,
    max: u32,
    now: NaiveDateTime,
) -> Result<Issued, SwrError> {
    let token = generate_bearer(TOKEN_PREFIX).map_err(|e| SwrError::Internal(e.to_string()))?;
    let digest = sha256_hex(token.expose().as_bytes());
    super::lock_instance(conn, &new.instance.project_id, &new.instance.instance_id)?;
    make_room(conn, &new.instance.instance_id, &p.user_id, max, now)?;
    let row = new_row(p, new, digest, now);
    let credential = insert_named(conn, row)?;
    Ok(Issued { token, credential })
}

/// Store `row`; its name taken by the same user on the instance is a conflict.
fn insert_named(conn: &mut DbConnection, row: Credential) -> Result<Credential, SwrError> {
    repo::credentials::insert(conn, &row).map_err(|e| {
        e.or_taken(|| {
            SwrError::Conflict(format!(
                "You already have a credential named {} on this instance.",
                row.name
            ))
        })
    })?;
    Ok(row)
}

/// The stored row of a credential `principal` creates now; its token has `digest`.
fn new_row(
    principal: &Principal,
    new: NewCredential,
    digest: String,
    now: NaiveDateTime,
) -> Credential {
    Credential {
        id: uuid::Uuid::new_v4().to_string(),
        instance_id: new.instance.instance_id,
        user_id: principal.user_id.clone(),
        user_name: principal.user_name.clone(),
        name: new.name,
        kind: new.kind.into(),
        token_digest: digest,
        access: policy::registry_access(principal).into(),
        enabled: true,
        disabled_by: None,
        disabled_by_admin: false,
        revoked_at: None,
        created_at: now,
        expires_at: policy::expiry_within_key(principal, now + new.lifetime),
    }
}

/// The per-user quota, under the instance's lock: `Ok` when the user may hold one more
/// credential on the instance.
///
/// An expired temporary credential is dead weight: it can no longer log in, and it is
/// never listed, so its owner has no way to find it and delete it. When the user's rows
/// would stop this create, their expired temporary ones are deleted here, so these hold
/// no quota (and a user never holds more rows than the quota). Only then: the purge reads
/// every row the user holds on the instance, which most creates need not pay for. Expired
/// long-term credentials still count: the list shows them as `expired`, and removing
/// them is the user's choice.
fn make_room(
    conn: &mut DbConnection,
    instance_id: &str,
    user_id: &str,
    max: u32,
    now: NaiveDateTime,
) -> Result<(), SwrError> {
    let max_held = i64::from(max);
    let held = repo::credentials::count_for_user(conn, instance_id, user_id)?;
    if held >= max_held {
        let purged = repo::credentials::delete_expired_temporary(conn, instance_id, user_id, now)?;
        if held - purged as i64 >= max_held {
            return Err(SwrError::QuotaExceeded(max));
        }
    }
    Ok(())
}

/// `self_only`: true (the default) lists the caller's own credentials, false everyone's.
fn list_action(query: &HashMap<String, String>) -> Result<Action, SwrError> {
    match query.get("self_only").map(String::as_str) {
        None | Some("true") => Ok(Action::ListOwnLongTermCredentials),
        Some("false") => Ok(Action::ListAllLongTermCredentials),
        Some(_) => Err(SwrError::BadRequest(
            "self_only must be true or false.".into(),
        )),
    }
}

/// The page of the instance's credentials `query` asks for (`self_only`, `offset`,
/// `limit`; any other parameter is refused), and how many there are in all.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    instance: InstancePath,
    query: &HashMap<String, String>,
) -> Result<(Vec<Credential>, i64), SwrError> {
    super::only_known(query, &["offset", "limit", "self_only"])?;
    let action = list_action(query)?;
    policy::authorize(p, &instance.project_id, action)?;
    let (offset, limit) = super::pagination(query)?;
    let user = (action == Action::ListOwnLongTermCredentials).then_some(p.user_id.as_str());
    repo::credentials::page(
        conn,
        &instance.project_id,
        &instance.instance_id,
        user,
        offset,
        limit,
    )?
    .ok_or(SwrError::InstanceNotFound)
}

/// The instance's credential the path names, if the grant lets the caller act on it.
fn manageable(
    conn: &mut DbConnection,
    p: &Principal,
    grant: (Action, Grant),
    path: &CredentialPath,
) -> Result<Credential, SwrError> {
    super::instance(conn, &path.project_id, &path.instance_id)?;
    let credential =
        repo::credentials::find_long_term(conn, &path.instance_id, &path.credential_id)?
            .ok_or(SwrError::CredentialNotFound)?;
    policy::on_credential(grant.1, grant.0, &p.user_id, &credential)?;
    Ok(credential)
}

/// Enable or disable a long-term credential. A disable by an administrator is recorded
/// as such, so that its owner cannot enable it again.
pub fn set_enabled(
    conn: &mut DbConnection,
    p: &Principal,
    path: CredentialPath,
    enable: bool,
) -> Result<(), SwrError> {
    let action = if enable {
        Action::EnableLongTermCredential
    } else {
        Action::DisableLongTermCredential
    };
    let grant = policy::authorize(p, &path.project_id, action)?;
    manageable(conn, p, (action, grant), &path)?;
    let id = &path.credential_id;
    if enable {
        repo::credentials::enable(conn, id)?;
    } else {
        repo::credentials::disable(conn, id, &p.user_id, policy::disables_as_admin(p))?;
    }
    Ok(())
}

/// Delete a long-term credential.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    path: CredentialPath,
) -> Result<(), SwrError> {
    let action = Action::DeleteLongTermCredential;
    let grant = policy::authorize(p, &path.project_id, action)?;
    manageable(conn, p, (action, grant), &path)?;
    // The delete trigger updates the instance's count: take the instance first, as
    // creation does, so a delete and a create of the same name cannot deadlock.
    repo::instances::lock(conn, &path.instance_id)?;
    if !repo::credentials::delete(conn, &path.credential_id)? {
        return Err(SwrError::CredentialNotFound);
    }
    Ok(())
}
