//! Users: creating, reading, changing and deleting them, and a user's own password change.
//! Each rule is a function of a connection inside the caller's transaction, the caller,
//! the request's parts and the time, so tests call them without HTTP; `routes/users.rs`
//! runs them on the pool. A password is hashed on the blocking pool between the policy
//! check ([`authorize`]) and the write, so [`hash_password`] and [`verify_original`] are the
//! async steps the handlers await around them.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};
use utoipa::ToSchema;

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
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(schema_with = validate::schema::name)]
    pub name: String,
    /// The caller's domain when absent; another domain is refused (403).
    #[serde(default)]
    pub domain_id: Option<String>,
    /// None: the user cannot log in until an admin sets one.
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_password)]
    pub password: Option<String>,
    /// True when absent.
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// An admin's change to a user; absent fields stay as they are. Disabling the user or
/// setting a password revokes their tokens and temporary keys.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_name)]
    pub name: Option<String>,
    /// The user's own domain only: a user never moves (400 otherwise).
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_password)]
    pub password: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
    /// Huawei's "must change the password" flag: stored and shown as `pwd_status` until
    /// the user changes their own password, which clears it.
    #[serde(default)]
    pub pwd_status: Option<bool>,
}

/// A user's own password change: the password they have and the one they want.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password; a wrong one counts against the user's login budget.
    pub original_password: String,
    #[schema(schema_with = validate::schema::password)]
    pub password: String,
}

/// What the policy is asked about before any password is hashed.
pub enum Target {
    /// A user acted on, by id.
    User(String),
    /// A domain to create in; the caller's own when `None`.
    Domain(Option<String>),
}

/// Ask the policy before any password is hashed: a hash is seconds of work anyone could
/// otherwise ask for.
pub fn authorize(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    target: Target,
) -> Result<(), IamError> {
    match target {
        Target::User(id) => policy::user(conn, p, action, &id).map(drop),
        Target::Domain(domain_id) => {
            policy::in_domain(conn, p, action, domain_id.as_deref()).map(drop)
        }
    }
}

/// Hash a new password with the configured rounds; `None` when none is given.
pub async fn hash_password(iterations: u32, pw: Option<&str>) -> Result<Option<String>, IamError> {
    match pw {
        Some(pw) => Ok(Some(passwords::hash(iterations, pw).await?)),
        None => Ok(None),
    }
}

/// Check a new user's fields before anything else.
pub fn check_new(u: &NewUser) -> Result<(), IamError> {
    check_fields(
        Some(&u.name),
        u.description.as_deref(),
        u.password.as_deref(),
    )
}

/// Check an edit's fields before anything else.
pub fn check_edit(u: &UserEdit) -> Result<(), IamError> {
    check_fields(
        u.name.as_deref(),
        u.description.as_deref(),
        u.password.as_deref(),
    )
}

/// Create a user in the caller's domain (or the one named, if the policy allows), with
/// the password hashed from `u.password` (`None`: nothing verifies until an admin sets
/// one).
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    u: NewUser,
    password_hash: Option<String>,
    now: NaiveDateTime,
) -> Result<User, IamError> {
    let password_hash = password_hash.unwrap_or_else(|| passwords::NO_PASSWORD.to_string());
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
        pwd_status: true,
    };
    repo::users::insert(conn, &row).map_err(name_conflict(&row.name))?;
    Ok(row)
}

/// The users of the caller's domain that match `filter`.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    asked_domain: Option<String>,
    filter: &repo::users::UserFilter,
) -> Result<Vec<User>, IamError> {
    policy::in_domain(conn, p, Action::ListUsers, None)?;
    if policy::lists_another_domain(p, asked_domain.as_deref()) {
        return Ok(Vec::new());
    }
    Ok(repo::users::list(conn, &p.domain_id, filter)?)
}

/// One user the caller may see.
pub fn show(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<User, IamError> {
    policy::user(conn, p, Action::GetUser, id)
}

/// An admin's edit of a user, with the password already hashed.
pub struct HashedEdit {
    pub edit: UserEdit,
    pub password_hash: Option<String>,
    /// The configured token lifetime: how long a new password's revocation must last.
    pub token_lifetime: Duration,
}

/// Apply an admin's changes to a user, with the revocation they call for (disabling, a
/// new password), in one transaction.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    change: HashedEdit,
    now: NaiveDateTime,
) -> Result<User, IamError> {
    let HashedEdit {
        edit: u,
        password_hash,
        token_lifetime,
    } = change;
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
    let changes = UserChanges {
        name: u.name,
        password_hash,
        enabled: u.enabled,
        description: u.description,
        updated_at: Some(now),
        pwd_status: u.pwd_status,
    };
    repo::users::update(conn, id, &changes).map_err(|e| {
        e.or_taken(|| {
            IamError::Conflict("A user with that name already exists in the domain.".into())
        })
    })?;
    revocation::user_updated(conn, token_lifetime, id, disables, new_password, now)?;
    repo::users::find(conn, id)?.ok_or(IamError::NotFound("user"))
}

/// Delete the user; every credential of theirs dies with them.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    policy::user(conn, p, Action::DeleteUser, id)?;
    if !repo::users::delete(conn, id)? {
        return Err(IamError::NotFound("user"));
    }
    revocation::user_gone(conn, id, now)
}

/// Store a user's own new password (hashed, after [`verify_original`]) and revoke the
/// tokens and temporary keys issued with the old one, for `token_lifetime`.
pub fn set_own_password(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    new_hash: String,
    token_lifetime: Duration,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    policy::user(conn, p, Action::ChangePassword, id)?;
    let changes = UserChanges {
        password_hash: Some(new_hash),
        updated_at: Some(now),
        pwd_status: Some(false),
        ..Default::default()
    };
    repo::users::update(conn, id, &changes)?;
    revocation::password_changed(conn, token_lifetime, id, now)
}

/// The groups the user belongs to.
pub fn groups_of(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<Vec<Group>, IamError> {
    policy::user(conn, p, Action::ListGroupsForUser, id)?;
    Ok(repo::groups::list_for_user(conn, id)?)
}

/// The projects the user holds a role on.
pub fn projects_of(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<Vec<Project>, IamError> {
    let user = policy::user(conn, p, Action::ListProjectsForUser, id)?;
    let filter = repo::projects::ProjectFilter {
        ids: Some(repo::grants::user_project_ids(conn, &user.id)?),
        ..Default::default()
    };
    Ok(repo::projects::list(conn, &user.domain_id, &filter)?)
}

/// Check the original password of a user's own change (the new one already validated),
/// counted against their login budget for `address`, the client's: a stolen token must
/// not turn into unlimited password guesses.
pub async fn verify_original(
    state: &AppState,
    p: &Principal,
    address: &str,
    id: &str,
    original: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let user_id = id.to_string();
    let stored = db::run(&state.pool, move |conn| {
        policy::user(conn, &p, Action::ChangePassword, &user_id).map(|u| u.password_hash)
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
