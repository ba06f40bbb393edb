//! `/v3/users`: Keystone user management, plus a user's own password change.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db;

use crate::app::Json;
use crate::authz::{self, Caller};
use crate::error::IamError;
use crate::passwords;
use crate::ratelimit::AttemptKeys;
use crate::repo::{self, users::UserChanges};
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

/// Refuse a caller who may not manage users before any password is hashed: a hash is
/// seconds of work anyone could otherwise ask for.
async fn admin_first(state: &AppState, caller: &Caller) -> Result<(), IamError> {
    let p = caller.principal.clone();
    db::run(&state.pool, move |conn| {
        authz::require_domain_admin(conn, &p)
    })
    .await
}

async fn hash(state: &AppState, pw: &str) -> Result<String, IamError> {
    passwords::hash(state.config.passwords.pbkdf2_iterations, pw).await
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let u = body.into_inner().user;
    validate::resource_name("user", &u.name)?;
    if let Some(d) = &u.description {
        validate::description(d)?;
    }
    if let Some(pw) = &u.password {
        validate::password(pw)?;
    }
    admin_first(&state, &caller).await?;
    let password_hash = match &u.password {
        Some(pw) => hash(&state, pw).await?,
        // No password: nothing verifies until an admin sets one.
        None => passwords::NO_PASSWORD.to_string(),
    };
    let p = caller.principal.clone();
    let user = db::write(&state.pool, move |conn| {
        authz::require_domain_admin(conn, &p)?;
        let domain_id = authz::own_domain(&p, u.domain_id.as_deref())?;
        let now = repo::now();
        let row = repo::users::User {
            id: repo::new_id(),
            domain_id,
            name: u.name,
            password_hash,
            enabled: u.enabled.unwrap_or(true),
            description: u.description.unwrap_or_default(),
            created_at: now,
            updated_at: now,
        };
        repo::users::insert(conn, &row).map_err(|e| match e {
            service_kit::db::StoreError::UniqueViolation => IamError::Conflict(format!(
                "A user named {} already exists in the domain.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, IamError>(row)
    })
    .await?;
    Ok(HttpResponse::Created()
        .json(json!({ "user": views::user(&user, &state.config.public_url, false) })))
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
    let foreign_domain = query
        .get("domain_id")
        .is_some_and(|d| *d != caller.domain_id);
    let p = caller.principal.clone();
    let users = db::run(&state.pool, move |conn| {
        authz::require_domain_admin(conn, &p)?;
        if foreign_domain {
            return Ok(Vec::new());
        }
        Ok::<_, IamError>(repo::users::list(conn, &p.domain_id, &filter)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "users": users.iter().map(|u| {
            let mut v = views::user(u, base, true);
            v["pwd_strength"] = json!("Strong");
            v
        }).collect::<Vec<_>>(),
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
    let user = db::run(&state.pool, move |conn| authz::readable_user(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "user": views::user(&user, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let u = body.into_inner().user;
    if let Some(name) = &u.name {
        validate::resource_name("user", name)?;
    }
    if let Some(d) = &u.description {
        validate::description(d)?;
    }
    if let Some(pw) = &u.password {
        validate::password(pw)?;
    }
    admin_first(&state, &caller).await?;
    let password_hash = match &u.password {
        Some(pw) => Some(hash(&state, pw).await?),
        None => None,
    };
    let p = caller.principal.clone();
    let id = path.into_inner();
    let st = state.clone();
    let user = db::write(&state.pool, move |conn| {
        authz::require_domain_admin(conn, &p)?;
        if u.domain_id.as_deref().is_some_and(|d| d != p.domain_id) {
            return Err(IamError::BadRequest(
                "A user cannot move to another domain.".into(),
            ));
        }
        let before = authz::user_in_domain(conn, &p, &id)?;
        let disables = u.enabled == Some(false) && before.enabled;
        let new_password = password_hash.is_some();
        let changes = UserChanges {
            name: u.name,
            password_hash,
            enabled: u.enabled,
            description: u.description,
            updated_at: Some(repo::now()),
        };
        repo::users::update(conn, &id, &changes).map_err(|e| match e {
            service_kit::db::StoreError::UniqueViolation => {
                IamError::Conflict("A user with that name already exists in the domain.".into())
            }
            other => other.into(),
        })?;
        // Disabling cuts every credential (a new password is then moot); a new
        // password alone, the tokens and temporary keys issued with the old one.
        if disables {
            revocation::user_gone(conn, &id)?;
        } else if new_password {
            revocation::lost_power(conn, &st.config, std::slice::from_ref(&id))?;
        }
        authz::user_in_domain(conn, &p, &id)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "user": views::user(&user, &state.config.public_url, false) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    db::write(&state.pool, move |conn| {
        authz::require_domain_admin(conn, &p)?;
        authz::user_in_domain(conn, &p, &id)?;
        if !repo::users::delete(conn, &id)? {
            return Err(IamError::NotFound("user"));
        }
        revocation::user_gone(conn, &id)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
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
    if id != caller.user_id {
        return Err(IamError::Forbidden(
            "only the user may change their own password",
        ));
    }
    validate::password(&change.password)?;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let p = caller.principal.clone();
    let user_id = id.clone();
    let stored = db::run(&state.pool, move |conn| {
        Ok::<_, IamError>(authz::user_in_domain(conn, &p, &user_id)?.password_hash)
    })
    .await?;
    // A stolen token must not turn into unlimited password guesses: wrong originals
    // count against the user's login budget.
    let keys = AttemptKeys::user(&id, &address);
    tokens::reserve_attempt(&state, &keys).await?;
    let original = credential_core::SecretString::from(change.original_password);
    let iterations = state.config.passwords.pbkdf2_iterations;
    let ok = passwords::verify(original, Some(stored), iterations).await?;
    if !ok {
        return Err(IamError::LoginFailed);
    }
    tokens::attempt_succeeded(&state, keys).await?;
    let new_hash = hash(&state, &change.password).await?;
    let p = caller.principal.clone();
    let st = state.clone();
    db::write(&state.pool, move |conn| {
        authz::user_in_domain(conn, &p, &id)?;
        let changes = UserChanges {
            password_hash: Some(new_hash),
            updated_at: Some(repo::now()),
            ..Default::default()
        };
        repo::users::update(conn, &id, &changes)?;
        revocation::lost_power(conn, &st.config, &[id])
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
        authz::readable_user(conn, &p, &id)?;
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
        let user = authz::readable_user(conn, &p, &id)?;
        let filter = repo::projects::ProjectFilter {
            ids: Some(repo::grants::user_project_ids(conn, &user.id)?),
            ..Default::default()
        };
        Ok::<_, IamError>(repo::projects::list(conn, &p.domain_id, &filter)?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/projects")),
    })))
}
