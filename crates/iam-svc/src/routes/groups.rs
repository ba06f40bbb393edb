//! `/v3/groups`: groups of the caller's domain and their members. The rules live in
//! [`crate::groups`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use service_kit::db;
use utoipa::ToSchema;

use crate::error::{IamError, Json, KeystoneError};
use crate::groups::{self, GroupEdit, Membership, NewGroup};
use crate::openapi::{HeadRefusals, Refusals};
use crate::policy::Caller;
use crate::state::AppState;
use crate::views::{self, GroupBody, GroupList, UserForm, UserList};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3/groups")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v3/groups/{group_id}")
            .route(web::get().to(show))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .route("/v3/groups/{group_id}/users", web::get().to(members))
    .service(
        web::resource("/v3/groups/{group_id}/users/{user_id}")
            .route(web::put().to(add_member))
            .route(web::head().to(check_member))
            .route(web::delete().to(remove_member)),
    );
}

/// `{"group": {...}}` of a create.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateGroupBody {
    group: NewGroup,
}

/// `{"group": {...}}` of an update.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateGroupBody {
    group: GroupEdit,
}

/// Create a group
#[utoipa::path(post, path = "/v3/groups", tag = "groups", operation_id = "KeystoneCreateGroup",
    request_body = CreateGroupBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "The group.", body = GroupBody),
        (status = 409, description = "A group of that name exists in the domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateGroupBody>,
) -> Result<HttpResponse, IamError> {
    let (p, fields, now) = (
        caller.principal,
        body.into_inner().group,
        state.clock.stored_now(),
    );
    let group = db::write(&state.pool, move |conn| {
        groups::create(conn, &p, fields, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(GroupBody {
        group: views::group(&group, &state.config.public_url, false),
    }))
}

/// List the groups of the caller's domain
#[utoipa::path(get, path = "/v3/groups", tag = "groups", operation_id = "KeystoneListGroups",
    params(
        ("name" = Option<String>, Query, description = "Only the group of this name."),
        ("domain_id" = Option<String>, Query,
            description = "Another domain than the caller's lists nothing."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The groups.", body = GroupList),
        Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let name = query.get("name").cloned();
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let read = move |conn: &mut _| groups::list(conn, &p, asked, name.as_deref());
    let groups = db::run(&state.pool, read).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(GroupList {
        groups: groups.iter().map(|g| views::group(g, base, true)).collect(),
        links: views::list_links(base, "/v3/groups"),
    }))
}

/// Show a group
#[utoipa::path(get, path = "/v3/groups/{group_id}", tag = "groups", operation_id = "KeystoneShowGroup",
    params(("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The group.", body = GroupBody),
        (status = 404, description = "No such group, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, id) = (caller.principal, path.into_inner());
    let group = db::run(&state.pool, move |conn| groups::show(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok().json(GroupBody {
        group: views::group(&group, &state.config.public_url, true),
    }))
}

/// Rename or describe a group
#[utoipa::path(patch, path = "/v3/groups/{group_id}", tag = "groups",
    operation_id = "KeystoneUpdateGroup",
    params(("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    request_body = UpdateGroupBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The group as changed.", body = GroupBody),
        (status = 404, description = "No such group, or one of another domain.", body = KeystoneError),
        (status = 409, description = "A group of that name exists in the domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateGroupBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, fields) = (caller.principal, path.into_inner(), body.into_inner().group);
    let group = db::write(&state.pool, move |conn| {
        groups::update(conn, &p, &id, fields)
    })
    .await?;
    Ok(HttpResponse::Ok().json(GroupBody {
        group: views::group(&group, &state.config.public_url, false),
    }))
}

/// Delete a group
///
/// The members lose what the group granted; the feed is refreshed after the commit.
#[utoipa::path(delete, path = "/v3/groups/{group_id}", tag = "groups",
    operation_id = "KeystoneDeleteGroup",
    params(("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group is deleted."),
        (status = 404, description = "No such group, or one of another domain.", body = KeystoneError),
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
    db::write(&state.pool, move |conn| groups::delete(conn, &p, &id, now)).await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a group
#[utoipa::path(get, path = "/v3/groups/{group_id}/users", tag = "groups",
    operation_id = "KeystoneListUsersForGroupByAdmin",
    params(("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The members.", body = UserList),
        (status = 404, description = "No such group, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, group_id) = (caller.principal, path.into_inner());
    let id = group_id.clone();
    let users = db::run(&state.pool, move |conn| groups::members(conn, &p, &id)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(UserList {
        links: views::list_links(base, &format!("/v3/groups/{group_id}/users")),
        users: users
            .iter()
            .map(|u| views::user(u, base, UserForm::Listed))
            .collect(),
    }))
}

fn membership(path: web::Path<(String, String)>) -> Membership {
    let (group_id, user_id) = path.into_inner();
    Membership { group_id, user_id }
}

/// Add a user to a group
#[utoipa::path(put, path = "/v3/groups/{group_id}/users/{user_id}", tag = "groups",
    operation_id = "KeystoneAddUserToGroup",
    params(
        ("group_id" = String, Path, min_length = 1, description = "The group's id."),
        ("user_id" = String, Path, min_length = 1, description = "The user's id."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The user is a member (also if they were already)."),
        (status = 404, description = "No such group or user, or one of another domain.",
            body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (p, m) = (caller.principal, membership(path));
    db::write(&state.pool, move |conn| groups::add_member(conn, &p, &m)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Check that a user is a member of a group
#[utoipa::path(head, path = "/v3/groups/{group_id}/users/{user_id}", tag = "groups",
    operation_id = "KeystoneCheckUserInGroup",
    params(
        ("group_id" = String, Path, min_length = 1, description = "The group's id."),
        ("user_id" = String, Path, min_length = 1, description = "The user's id."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The user is a member."),
        HeadRefusals,
    ))]
pub(crate) async fn check_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (p, m) = (caller.principal, membership(path));
    db::run(&state.pool, move |conn| groups::check_member(conn, &p, &m)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a user from a group
///
/// The user loses what the group granted; the feed is refreshed after the commit, and a
/// user who was no member is `NotFound` after it.
#[utoipa::path(delete, path = "/v3/groups/{group_id}/users/{user_id}", tag = "groups",
    operation_id = "KeystoneRemoveUserFromGroup",
    params(
        ("group_id" = String, Path, min_length = 1, description = "The group's id."),
        ("user_id" = String, Path, min_length = 1, description = "The user's id."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The user is no longer a member."),
        (status = 404, description = "No such group, user or membership, or one of another \
            domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (p, m, now) = (caller.principal, membership(path), state.clock.stored_now());
    let removed = db::write(&state.pool, move |conn| {
        groups::remove_member(conn, &p, m, now)
    })
    .await?;
    state.sync_revocations().await?;
    if !removed {
        return Err(IamError::NotFound("membership"));
    }
    Ok(HttpResponse::NoContent().finish())
}
