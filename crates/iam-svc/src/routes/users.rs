//! `/v3/users`: Keystone user management, plus a user's own password change. The rules
//! live in [`crate::accounts`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use service_kit::db;
use service_kit::http::client_address;
use utoipa::ToSchema;

use crate::accounts::{self, HashedEdit, NewUser, PasswordChange, Target, UserEdit};
use crate::error::{IamError, Json, KeystoneError};
use crate::openapi::Refusals;
use crate::passwords;
use crate::policy::{Action, Caller};
use crate::repo;
use crate::state::AppState;
use crate::validate;
use crate::views::{self, GroupList, ProjectList, UserBody, UserForm, UserList};

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

/// `{"user": {...}}` of a create.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUserBody {
    user: NewUser,
}

/// `{"user": {...}}` of an update.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateUserBody {
    user: UserEdit,
}

/// `{"user": {"original_password", "password"}}`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordBody {
    user: PasswordChange,
}

/// Create a user
#[utoipa::path(post, path = "/v3/users", tag = "users", operation_id = "KeystoneCreateUser",
    request_body = CreateUserBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "The user.", body = UserBody),
        (status = 409, description = "A user of that name exists in the domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUserBody>,
) -> Result<HttpResponse, IamError> {
    let (p, u) = (caller.principal, body.into_inner().user);
    accounts::check_new(&u)?;
    let (asker, target) = (p.clone(), Target::Domain(u.domain_id.clone()));
    let ask = move |conn: &mut _| accounts::authorize(conn, &asker, Action::CreateUser, target);
    db::run(&state.pool, ask).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let hash = accounts::hash_password(iterations, u.password.as_deref()).await?;
    let now = state.clock.stored_now();
    let user = db::write(&state.pool, move |conn| {
        accounts::create(conn, &p, u, hash, now)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Created().json(UserBody {
        user: views::user(&user, base, UserForm::Written),
    }))
}

/// List the users of the caller's domain
#[utoipa::path(get, path = "/v3/users", tag = "users", operation_id = "KeystoneListUsers",
    params(
        ("name" = Option<String>, Query, description = "Only the user of this name."),
        ("enabled" = Option<String>, Query, pattern = r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$",
            description = "`true` or `false`, in any case: only enabled or disabled users."),
        ("domain_id" = Option<String>, Query,
            description = "Another domain than the caller's lists nothing."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The users.", body = UserList),
        Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let filter = repo::users::UserFilter {
        name: query.get("name").cloned(),
        enabled: super::parse_bool("enabled", query.get("enabled"))?,
    };
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let users = db::run(&state.pool, move |conn| {
        accounts::list(conn, &p, asked, &filter)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(UserList {
        links: views::list_links(base, "/v3/users"),
        users: users
            .iter()
            .map(|u| views::user(u, base, UserForm::Listed))
            .collect(),
    }))
}

/// Show a user
#[utoipa::path(get, path = "/v3/users/{user_id}", tag = "users", operation_id = "KeystoneShowUser",
    params(("user_id" = String, Path, min_length = 1, description = "The user's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The user.", body = UserBody),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id) = (caller.principal, path.into_inner());
    let user = db::run(&state.pool, move |conn| accounts::show(conn, &p, &id)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(UserBody {
        user: views::user(&user, base, UserForm::Shown),
    }))
}

/// Change a user (the domain admin)
///
/// Disabling or a new password revokes what it must; the feed is refreshed after the
/// commit.
#[utoipa::path(patch, path = "/v3/users/{user_id}", tag = "users",
    operation_id = "KeystoneUpdateUserByAdmin",
    params(("user_id" = String, Path, min_length = 1, description = "The user's id.")),
    request_body = UpdateUserBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The user as changed.", body = UserBody),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        (status = 409, description = "A user of that name exists in the domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateUserBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, edit) = (caller.principal, path.into_inner(), body.into_inner().user);
    accounts::check_edit(&edit)?;
    let (asker, target) = (p.clone(), Target::User(id.clone()));
    let ask = move |conn: &mut _| accounts::authorize(conn, &asker, Action::UpdateUser, target);
    db::run(&state.pool, ask).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let change = HashedEdit {
        password_hash: accounts::hash_password(iterations, edit.password.as_deref()).await?,
        edit,
        token_lifetime: state.config.token_lifetime(),
    };
    let now = state.clock.stored_now();
    let write = move |conn: &mut _| accounts::update(conn, &p, &id, change, now);
    let user = db::write(&state.pool, write).await?;
    state.sync_revocations().await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(UserBody {
        user: views::user(&user, base, UserForm::Written),
    }))
}

/// Delete a user
///
/// Every credential of the user dies with them; the feed is refreshed after the commit.
#[utoipa::path(delete, path = "/v3/users/{user_id}", tag = "users", operation_id = "KeystoneDeleteUser",
    params(("user_id" = String, Path, min_length = 1, description = "The user's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The user is deleted."),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id, now) = (
        caller.principal,
        path.into_inner(),
        state.clock.stored_now(),
    );
    db::write(&state.pool, move |conn| {
        accounts::delete(conn, &p, &id, now)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password
///
/// The original password is checked against the user's login budget (counted for the
/// client's address), then the new one stored and the tokens and temporary keys issued
/// with the old one revoked.
#[utoipa::path(post, path = "/v3/users/{user_id}/password", tag = "users",
    operation_id = "KeystoneUpdateUserPassword",
    params(("user_id" = String, Path, min_length = 1, description = "The caller's own user id.")),
    request_body = PasswordBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The password is changed."),
        // After the common refusals, so this 401's description replaces theirs.
        Refusals,
        (status = 401, description = "No or a bad credential, or a wrong original password.",
            body = KeystoneError),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        (status = 429, description = "Too many failed attempts for the user.", body = KeystoneError),
    ))]
pub(crate) async fn change_own_password(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<PasswordBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, change) = (caller.principal, path.into_inner(), body.into_inner().user);
    let address = client_address(&req, &state.config.server.trusted_proxies);
    validate::password(&change.password)?;
    accounts::verify_original(&state, &p, &address, &id, change.original_password).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let new_hash = passwords::hash(iterations, &change.password).await?;
    let (lifetime, now) = (state.config.token_lifetime(), state.clock.stored_now());
    let write =
        move |conn: &mut _| accounts::set_own_password(conn, &p, &id, new_hash, lifetime, now);
    db::write(&state.pool, write).await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The groups a user belongs to
#[utoipa::path(get, path = "/v3/users/{user_id}/groups", tag = "users",
    operation_id = "KeystoneListGroupsForUser",
    params(("user_id" = String, Path, min_length = 1, description = "The user's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The user's groups.", body = GroupList),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn groups_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, user_id) = (caller.principal, path.into_inner());
    let id = user_id.clone();
    let groups = db::run(&state.pool, move |conn| accounts::groups_of(conn, &p, &id)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(GroupList {
        groups: groups.iter().map(|g| views::group(g, base, true)).collect(),
        links: views::list_links(base, &format!("/v3/users/{user_id}/groups")),
    }))
}

/// The projects a user holds a role on
#[utoipa::path(get, path = "/v3/users/{user_id}/projects", tag = "users",
    operation_id = "KeystoneListProjectsForUser",
    params(("user_id" = String, Path, min_length = 1, description = "The user's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The projects the user holds a role on through a project \
            grant.", body = ProjectList),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn projects_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, user_id) = (caller.principal, path.into_inner());
    let id = user_id.clone();
    let projects = db::run(&state.pool, move |conn| {
        accounts::projects_of(conn, &p, &id)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(ProjectList {
        links: views::list_links(base, &format!("/v3/users/{user_id}/projects")),
        projects: projects
            .iter()
            .map(|x| views::project(x, base, true))
            .collect(),
    }))
}
