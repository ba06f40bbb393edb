//! `/v3/roles`: the fixed roles, readable by any authenticated caller. The rules live in
//! [`crate::roles`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use service_kit::db;

use crate::error::{IamError, KeystoneError};
use crate::openapi::Refusals;
use crate::policy::{Action, Caller};
use crate::state::AppState;
use crate::views::{RoleBody, RoleList};
use crate::{roles, views};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v3/roles", web::get().to(list))
        .route("/v3/roles/{role_id}", web::get().to(show));
}

/// List the roles
#[utoipa::path(get, path = "/v3/roles", tag = "roles", operation_id = "KeystoneListPermissions",
    params(("name" = Option<String>, Query, description = "Only the role of this name.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "`admin`, `member` and `readonly`, by name.", body = RoleList),
        Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    roles::allowed(&caller.principal, Action::ListRoles)?;
    let name = query.get("name").cloned();
    let roles = db::run(&state.pool, move |conn| roles::list(conn, name.as_deref())).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(RoleList {
        links: views::list_links(base, "/v3/roles"),
        roles: roles.iter().map(|r| views::role(r, base)).collect(),
        total_number: Some(roles.len()),
    }))
}

/// Show a role
#[utoipa::path(get, path = "/v3/roles/{role_id}", tag = "roles", operation_id = "KeystoneShowPermission",
    params(("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The role.", body = RoleBody),
        (status = 404, description = "No such role.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    roles::allowed(&caller.principal, Action::GetRole)?;
    let id = path.into_inner();
    let role = db::run(&state.pool, move |conn| roles::show(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(RoleBody {
        role: views::role(&role, &state.config.public_url),
    }))
}
