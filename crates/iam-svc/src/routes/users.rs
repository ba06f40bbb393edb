//! `/v3/users`: Keystone user management, plus a user's own password change.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::{IamError, Json};
use crate::passwords;
use crate::policy::{self, Action, Caller};
use crate::ratelimit::AttemptKeys;
use crate::repo::{self, users::User, users::UserChanges};
use crate::revocation;
use crate::state::AppState;
use crate::tokens;
use crate::{validate, views};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3/users")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v3/users/{user_id}")
            .route(web::get().to(show))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .route(
        "/v3/users/{user_id}/password",
        web::post().to(change_own_password),
    )
    .route("/v3/users/{user_id}/groups", web::get().to(groups_of_user))
    .route(
        "/v3/users/{user_id}/projects",
        web::get().to(projects_of_user),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    user: CreateUser,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    name: String,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    user: UpdateUser,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    description: Option<String>,
    /// Huawei's "must change password at next login" flag; accepted and ignored.
    #[serde(default)]
    #[allow(dead_code)]
    pwd_status: Option<bool>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    user: PasswordChange,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    original_password: String,
    password: String,
}

/// Ask the policy before any password is hashed: a hash is seconds of work anyone could
/// otherwise ask for. `user_id` is the user acted on, if any.
async fn authorize_first(
    state: &AppState,
    caller: &Caller,
    action: Action,
    user_id: Option<String>,
    domain_id: Option<String>,
) -> Result<(), IamError> {
    let p = caller.principal.clone();
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
    move |e| match e {
        StoreError::UniqueViolation => {
            IamError::Conflict(format!("A user named {name} already exists in the domain."))
        }
        other => other.into(),
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

fn render(state: &AppState, user: &User, full: bool) -> serde_json::Value {
    let mut v = views::user(user, &state.config.public_url, full);
    if full {
        v["pwd_strength"] = json!("Strong");
    }
    v
}

fn insert_user(
    conn: &mut DbConnection,
    p: &Principal,
    u: CreateUser,
    password_hash: String,
) -> Result<User, IamError> {
    let domain_id = policy::in_domain(conn, p, Action::CreateUser, u.domain_id.as_deref())?;
    let now = repo::now();
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

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let u = body.into_inner().user;
    check_fields(
        Some(&u.name),
        u.description.as_deref(),
        u.password.as_deref(),
    )?;
    authorize_first(
        &state,
        &caller,
        Action::CreateUser,
        None,
        u.domain_id.clone(),
    )
    .await?;
    let password_hash = match &u.password {
        Some(pw) => hash(&state, pw).await?,
        // No password: nothing verifies until an admin sets one.
        None => passwords::NO_PASSWORD.to_string(),
    };
    let p = caller.principal.clone();
    let user = db::write(&state.pool, move |conn| {
        insert_user(conn, &p, u, password_hash)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "user": render(&state, &user, false) })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let filter = repo::users::UserFilter {
        name: query.get("name").cloned(),
        enabled: super::parse_bool("enabled", query.get("enabled"))?,
    };
    let asked = query.get("domain_id").cloned();
    let p = caller.principal.clone();
    let users = db::run(&state.pool, move |conn| {
        policy::in_domain(conn, &p, Action::ListUsers, None)?;
        // Another domain's users are not the caller's to list: an empty list, as Keystone.
        if asked.is_some_and(|d| d != p.domain_id) {
            return Ok(Vec::new());
        }
        Ok::<_, IamError>(repo::users::list(conn, &p.domain_id, &filter)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "users": users.iter().map(|u| render(&state, u, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, "/v3/users"),
    })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    let user = db::run(&state.pool, move |conn| {
        policy::user(conn, &p, Action::GetUser, &id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "user": views::user(&user, &state.config.public_url, true) })))
}

/// Apply an admin's changes to a user, with the revocation they call for, in one
/// transaction.
fn apply_update(
    conn: &mut DbConnection,
    state: &AppState,
    p: &Principal,
    id: &str,
    u: UpdateUser,
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
    let changes = UserChanges {
        name: u.name,
        password_hash,
        enabled: u.enabled,
        description: u.description,
        updated_at: Some(repo::now()),
    };
    repo::users::update(conn, id, &changes).map_err(|e| match e {
        StoreError::UniqueViolation => {
            IamError::Conflict("A user with that name already exists in the domain.".into())
        }
        other => other.into(),
    })?;
    revocation::user_updated(conn, cfg, id, disables, new_password)?;
    repo::users::find(conn, id)?.ok_or(IamError::NotFound("user"))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let u = body.into_inner().user;
    check_fields(
        u.name.as_deref(),
        u.description.as_deref(),
        u.password.as_deref(),
    )?;
    let id = path.into_inner();
    authorize_first(&state, &caller, Action::UpdateUser, Some(id.clone()), None).await?;
    let password_hash = match &u.password {
        Some(pw) => Some(hash(&state, pw).await?),
        None => None,
    };
    let p = caller.principal.clone();
    let st = state.clone();
    let user = db::write(&state.pool, move |conn| {
        apply_update(conn, &st, &p, &id, u, password_hash)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::Ok().json(json!({ "user": render(&state, &user, false) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    db::write(&state.pool, move |conn| {
        policy::user(conn, &p, Action::DeleteUser, &id)?;
        if !repo::users::delete(conn, &id)? {
            return Err(IamError::NotFound("user"));
        }
        revocation::user_gone(conn, &id)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Check the original password of a user's own change, counted against their login
/// budget: a stolen token must not turn into unlimited password guesses.
async fn check_original(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: &str,
    original: String,
) -> Result<(), IamError> {
    let p = caller.principal.clone();
    let user_id = id.to_string();
    let stored = db::run(&state.pool, move |conn| {
        Ok::<_, IamError>(policy::user(conn, &p, Action::ChangePassword, &user_id)?.password_hash)
    })
    .await?;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let keys = AttemptKeys::user(id, &address);
    tokens::reserve_attempt(state, &keys).await?;
    let original = credential_core::SecretString::from(original);
    let iterations = state.config.passwords.pbkdf2_iterations;
    if !passwords::verify(original, Some(stored), iterations).await? {
        return Err(IamError::LoginFailed);
    }
    tokens::attempt_succeeded(state, keys).await
}

async fn change_own_password(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<PasswordBody>,
) -> Result<HttpResponse, IamError> {
    let change = body.into_inner().user;
    let id = path.into_inner();
    validate::password(&change.password)?;
    check_original(&state, &caller, &req, &id, change.original_password).await?;
    let new_hash = hash(&state, &change.password).await?;
    let p = caller.principal.clone();
    let st = state.clone();
    db::write(&state.pool, move |conn| {
        policy::user(conn, &p, Action::ChangePassword, &id)?;
        let changes = UserChanges {
            password_hash: Some(new_hash),
            updated_at: Some(repo::now()),
            ..Default::default()
        };
        repo::users::update(conn, &id, &changes)?;
        revocation::password_changed(conn, &st.config, &id)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn groups_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    let user_id = id.clone();
    let groups = db::run(&state.pool, move |conn| {
        policy::user(conn, &p, Action::ListGroupsForUser, &id)?;
        Ok::<_, IamError>(repo::groups::list_for_user(conn, &id)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "groups": groups.iter().map(|g| views::group(g, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/groups")),
    })))
}

async fn projects_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    let user_id = id.clone();
    let projects = db::run(&state.pool, move |conn| {
        let user = policy::user(conn, &p, Action::ListProjectsForUser, &id)?;
        let filter = repo::projects::ProjectFilter {
            ids: Some(repo::grants::user_project_ids(conn, &user.id)?),
            ..Default::default()
        };
        Ok::<_, IamError>(repo::projects::list(conn, &user.domain_id, &filter)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/projects")),
    })))
}
