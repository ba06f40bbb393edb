//! Users: creating, reading, changing and deleting them, and a user's own password change.
//! Each function is one whole operation for an authenticated principal (policy check,
//! password hashing, the write and the revocation it calls for), so `routes/users.rs`
//! only extracts the request, calls one of these and renders the result.

use actix_web::web;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::IamError;
use crate::passwords;
use crate::policy::{self, Action};
use crate::ratelimit::AttemptKeys;
use crate::repo::{self, groups::Group, projects::Project, users::User, users::UserChanges};
use crate::revocation;
use crate::state::AppState;
use crate::tokens;
use crate::validate;

/// A new user, as Keystone's `POST /v3/users` names the fields.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
}

/// An admin's change to a user; absent fields stay as they are.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    /// Huawei's "must change password at next login" flag; accepted and ignored.
    #[serde(default)]
    #[allow(dead_code)]
    pub pwd_status: Option<bool>,
}

/// A user's own password change: the password they have and the one they want.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub original_password: String,
    pub password: String,
}

/// Create a user in the caller's domain (or the one named, if the policy allows).
pub async fn create(state: &AppState, p: &Principal, u: NewUser) -> Result<User, IamError> {
    check_fields(
        Some(&u.name),
        u.description.as_deref(),
        u.password.as_deref(),
    )?;
    authorize_first(state, p, Action::CreateUser, None, u.domain_id.clone()).await?;
    let password_hash = match &u.password {
        Some(pw) => hash(state, pw).await?,
        // No password: nothing verifies until an admin sets one.
        None => passwords::NO_PASSWORD.to_string(),
    };
    let p = p.clone();
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        insert_user(conn, &p, u, password_hash, clock.stored_now())
    })
    .await
}

/// The users of the caller's domain that match `filter`.
pub async fn list(
    state: &AppState,
    p: &Principal,
    asked_domain: Option<String>,
    filter: repo::users::UserFilter,
) -> Result<Vec<User>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::in_domain(conn, &p, Action::ListUsers, None)?;
        // Another domain's users are not the caller's to list: an empty list, as Keystone.
        if asked_domain.is_some_and(|d| d != p.domain_id) {
            return Ok(Vec::new());
        }
        Ok(repo::users::list(conn, &p.domain_id, &filter)?)
    })
    .await
}

/// One user the caller may see.
pub async fn show(state: &AppState, p: &Principal, id: String) -> Result<User, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::user(conn, &p, Action::GetUser, &id)
    })
    .await
}

/// Apply an admin's edit; disabling or a new password revokes what it must.
pub async fn update(
    state: &web::Data<AppState>,
    p: &Principal,
    id: String,
    u: UserEdit,
) -> Result<User, IamError> {
    check_fields(
        u.name.as_deref(),
        u.description.as_deref(),
        u.password.as_deref(),
    )?;
    authorize_first(state, p, Action::UpdateUser, Some(id.clone()), None).await?;
    let password_hash = match &u.password {
        Some(pw) => Some(hash(state, pw).await?),
        None => None,
    };
    let p = p.clone();
    let st = state.clone();
    let user = db::write(&state.pool, move |conn| {
        apply_update(conn, &st, &p, &id, u, password_hash)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(user)
}

/// Delete the user; every credential of theirs dies with them.
pub async fn delete(state: &AppState, p: &Principal, id: String) -> Result<(), IamError> {
    let p = p.clone();
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        policy::user(conn, &p, Action::DeleteUser, &id)?;
        if !repo::users::delete(conn, &id)? {
            return Err(IamError::NotFound("user"));
        }
        revocation::user_gone(conn, &id, clock.stored_now())
    })
    .await?;
    state.sync_revocations().await
}

/// A user changes their own password. The original is checked against their login budget
/// (counted for `address`, the client's), and the tokens and temporary keys issued with it
/// are revoked.
pub async fn change_own_password(
    state: &web::Data<AppState>,
    p: &Principal,
    id: String,
    address: &str,
    change: PasswordChange,
) -> Result<(), IamError> {
    validate::password(&change.password)?;
    check_original(state, p, address, &id, change.original_password).await?;
    let new_hash = hash(state, &change.password).await?;
    let p = p.clone();
    let st = state.clone();
    db::write(&state.pool, move |conn| {
        policy::user(conn, &p, Action::ChangePassword, &id)?;
        let now = st.clock.stored_now();
        let changes = UserChanges {
            password_hash: Some(new_hash),
            updated_at: Some(now),
            ..Default::default()
        };
        repo::users::update(conn, &id, &changes)?;
        revocation::password_changed(conn, &st.config, &id, now)
    })
    .await?;
    state.sync_revocations().await
}

/// The groups the user belongs to.
pub async fn groups_of(
    state: &AppState,
    p: &Principal,
    id: String,
) -> Result<Vec<Group>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::user(conn, &p, Action::ListGroupsForUser, &id)?;
        Ok(repo::groups::list_for_user(conn, &id)?)
    })
    .await
}

/// The projects the user holds a role on.
pub async fn projects_of(
    state: &AppState,
    p: &Principal,
    id: String,
) -> Result<Vec<Project>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        let user = policy::user(conn, &p, Action::ListProjectsForUser, &id)?;
        let filter = repo::projects::ProjectFilter {
            ids: Some(repo::grants::user_project_ids(conn, &user.id)?),
            ..Default::default()
        };
        Ok(repo::projects::list(conn, &user.domain_id, &filter)?)
    })
    .await
}

/// Ask the policy before any password is hashed: a hash is seconds of work anyone could
/// otherwise ask for. `user_id` is the user acted on, if any.
async fn authorize_first(
    state: &AppState,
    p: &Principal,
    action: Action,
    user_id: Option<String>,
    domain_id: Option<String>,
) -> Result<(), IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| match user_id {
        Some(id) => policy::user(conn, &p, action, &id).map(drop),
        None => policy::in_domain(conn, &p, action, domain_id.as_deref()).map(drop),
    })
    .await
}

async fn hash(state: &AppState, pw: &str) -> Result<String, IamError> {
    passwords::hash(state.config.passwords.pbkdf2_iterations, pw).await
}

fn name_conflict(name: &str) -> impl Fn(StoreError) -> IamError + '_ {
    move |e: StoreError| {
        e.or_taken(|| {
            IamError::Conflict(format!("A user named {name} already exists in the domain."))
        })
    }
}

fn check_fields(
    name: Option<&str>,
    description: Option<&str>,
    pw: Option<&str>,
) -> Result<(), IamError> {
    if let Some(name) = name {
        validate::resource_name("user", name)?;
    }
    if let Some(d) = description {
        validate::description(d)?;
    }
    if let Some(pw) = pw {
        validate::password(pw)?;
    }
    Ok(())
}

fn insert_user(
    conn: &mut DbConnection,
    p: &Principal,
    u: NewUser,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<User, IamError> {
    let domain_id = policy::in_domain(conn, p, Action::CreateUser, u.domain_id.as_deref())?;
    let row = User {
        id: repo::new_id(),
        domain_id,
        name: u.name,
        password_hash,
        enabled: u.enabled.unwrap_or(true),
        description: u.description.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    repo::users::insert(conn, &row).map_err(name_conflict(&row.name))?;
    Ok(row)
}

/// Apply an admin's changes to a user, with the revocation they call for, in one
/// transaction.
fn apply_update(
    conn: &mut DbConnection,
    state: &AppState,
    p: &Principal,
    id: &str,
    u: UserEdit,
    password_hash: Option<String>,
) -> Result<User, IamError> {
    let before = policy::user(conn, p, Action::UpdateUser, id)?;
    if u.domain_id
        .as_deref()
        .is_some_and(|d| d != before.domain_id)
    {
        return Err(IamError::BadRequest(
            "A user cannot move to another domain.".into(),
        ));
    }
    let disables = u.enabled == Some(false) && before.enabled;
    let new_password = password_hash.is_some();
    let cfg = &state.config;
    let now = state.clock.stored_now();
    let changes = UserChanges {
        name: u.name,
        password_hash,
        enabled: u.enabled,
        description: u.description,
        updated_at: Some(now),
    };
    repo::users::update(conn, id, &changes).map_err(|e| {
        e.or_taken(|| {
            IamError::Conflict("A user with that name already exists in the domain.".into())
        })
    })?;
    revocation::user_updated(conn, cfg, id, disables, new_password, now)?;
    repo::users::find(conn, id)?.ok_or(IamError::NotFound("user"))
}

/// Check the original password of a user's own change, counted against their login
/// budget: a stolen token must not turn into unlimited password guesses.
async fn check_original(
    state: &AppState,
    p: &Principal,
    address: &str,
    id: &str,
    original: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let user_id = id.to_string();
    let stored = db::run(&state.pool, move |conn| {
        Ok::<_, IamError>(policy::user(conn, &p, Action::ChangePassword, &user_id)?.password_hash)
    })
    .await?;
    let keys = AttemptKeys::user(id, address);
    tokens::reserve_attempt(state, &keys).await?;
    let original = credential_core::SecretString::from(original);
    let iterations = state.config.passwords.pbkdf2_iterations;
    if !passwords::verify(original, Some(stored), iterations).await? {
        return Err(IamError::LoginFailed);
    }
    tokens::attempt_succeeded(state, keys).await
}
