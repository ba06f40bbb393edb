//! Role grants of groups on projects and on the domain:
//! `/v3/{projects|domains}/{id}/groups/{group_id}/roles[/{role_id}]`. The rules live in
//! [`crate::grants`]; these handlers read the request and render the answer. Each
//! operation has a handler per kind of target (their documents differ), which names the
//! kind and calls the one shared below.

use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::db;

use crate::error::{IamError, KeystoneError};
use crate::grants::{self, GroupOn, Kind};
use crate::openapi::{HeadRefusals, Refusals};
use crate::policy::Caller;
use crate::state::AppState;
use crate::views::{self, RoleList};

pub fn configure(cfg: &mut web::ServiceConfig) {
    const PROJECT: &str = "/v3/projects/{project_id}/groups/{group_id}/roles";
    const DOMAIN: &str = "/v3/domains/{domain_id}/groups/{group_id}/roles";
    cfg.route(PROJECT, web::get().to(list_on_project))
        .service(
            web::resource(format!("{PROJECT}/{{role_id}}"))
                .route(web::put().to(grant_on_project))
                .route(web::head().to(check_on_project))
                .route(web::delete().to(revoke_on_project)),
        )
        .route(DOMAIN, web::get().to(list_on_domain))
        .service(
            web::resource(format!("{DOMAIN}/{{role_id}}"))
                .route(web::put().to(grant_on_domain))
                .route(web::head().to(check_on_domain))
                .route(web::delete().to(revoke_on_domain)),
        );
}

type Pair = web::Path<(String, String)>;
type Triple = web::Path<(String, String, String)>;

/// The roles a group holds on a project
#[utoipa::path(get, path = "/v3/projects/{project_id}/groups/{group_id}/roles", tag = "grants", operation_id = "KeystoneListProjectPermissionsForGroup",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The group's roles on the project.", body = RoleList),
        (status = 404, description = "No such project or group, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn list_on_project(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: Pair,
) -> Result<HttpResponse, IamError> {
    list(Kind::Project, state, caller, req, path).await
}

/// Grant a role to a group on a project
#[utoipa::path(put, path = "/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneAssociateGroupWithProjectPermission",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group holds the role (also if it did already)."),
        (status = 404, description = "No such project, group or role, or one of another domain.",
            body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn grant_on_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    grant(Kind::Project, state, caller, path).await
}

/// Check that a group holds a role on a project
#[utoipa::path(head, path = "/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneCheckProjectPermissionForGroup",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group holds the role."),
        HeadRefusals,
    ))]
pub(crate) async fn check_on_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    check(Kind::Project, state, caller, path).await
}

/// Revoke a role from a group on a project
///
/// The group's members lose what the role granted; the feed is refreshed after the
/// commit.
#[utoipa::path(delete, path = "/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneRemoveProjectPermissionFromGroup",
    params(("project_id" = String, Path, min_length = 1, description = "The project's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group no longer holds the role."),
        (status = 404, description = "No such project, group or grant, or one of another \
            domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn revoke_on_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    revoke(Kind::Project, state, caller, path).await
}

/// The roles a group holds on a domain
#[utoipa::path(get, path = "/v3/domains/{domain_id}/groups/{group_id}/roles", tag = "grants", operation_id = "KeystoneListDomainPermissionsForGroup",
    params(("domain_id" = String, Path, min_length = 1, description = "The domain's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The group's roles on the domain.", body = RoleList),
        (status = 404, description = "No such domain or group, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn list_on_domain(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: Pair,
) -> Result<HttpResponse, IamError> {
    list(Kind::Domain, state, caller, req, path).await
}

/// Grant a role to a group on a domain
#[utoipa::path(put, path = "/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneAssociateGroupWithDomainPermission",
    params(("domain_id" = String, Path, min_length = 1, description = "The domain's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group holds the role (also if it did already)."),
        (status = 404, description = "No such domain, group or role, or one of another domain.",
            body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn grant_on_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    grant(Kind::Domain, state, caller, path).await
}

/// Check that a group holds a role on a domain
#[utoipa::path(head, path = "/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneCheckDomainPermissionForGroup",
    params(("domain_id" = String, Path, min_length = 1, description = "The domain's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group holds the role."),
        HeadRefusals,
    ))]
pub(crate) async fn check_on_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    check(Kind::Domain, state, caller, path).await
}

/// Revoke a role from a group on a domain
///
/// The group's members lose what the role granted; the feed is refreshed after the
/// commit.
#[utoipa::path(delete, path = "/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}", tag = "grants", operation_id = "KeystoneRemoveDomainPermissionFromGroup",
    params(("domain_id" = String, Path, min_length = 1, description = "The domain's id."), ("group_id" = String, Path, min_length = 1, description = "The group's id."), ("role_id" = String, Path, min_length = 1, description = "The role's id.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The group no longer holds the role."),
        (status = 404, description = "No such domain, group or grant, or one of another \
            domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn revoke_on_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    revoke(Kind::Domain, state, caller, path).await
}

/// The grants the request is about, from its path.
fn group_on(kind: Kind, (target_id, group_id): (String, String)) -> GroupOn {
    GroupOn {
        kind,
        target_id,
        group_id,
    }
}

/// The grants and the role the request is about, from its path.
fn role_on(kind: Kind, path: Triple) -> (GroupOn, String) {
    let (target_id, group_id, role) = path.into_inner();
    (group_on(kind, (target_id, group_id)), role)
}

async fn list(
    kind: Kind,
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: Pair,
) -> Result<HttpResponse, IamError> {
    let (p, on) = (caller.principal, group_on(kind, path.into_inner()));
    let roles = db::run(&state.pool, move |conn| grants::list(conn, &p, &on)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(RoleList {
        links: views::list_links(base, req.path()),
        roles: roles.iter().map(|r| views::role(r, base)).collect(),
        total_number: None,
    }))
}

async fn grant(
    kind: Kind,
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    let (p, (on, role)) = (caller.principal, role_on(kind, path));
    db::write(&state.pool, move |conn| grants::grant(conn, &p, &on, &role)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check(
    kind: Kind,
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    let (p, (on, role)) = (caller.principal, role_on(kind, path));
    db::run(&state.pool, move |conn| grants::check(conn, &p, &on, &role)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A grant the group did not hold is `NotFound`, after the feed is refreshed.
async fn revoke(
    kind: Kind,
    state: web::Data<AppState>,
    caller: Caller,
    path: Triple,
) -> Result<HttpResponse, IamError> {
    let (p, (on, role)) = (caller.principal, role_on(kind, path));
    let now = state.clock.stored_now();
    let revoke = move |conn: &mut _| grants::revoke(conn, &p, &on, &role, now);
    let removed = db::write(&state.pool, revoke).await?;
    state.sync_revocations().await?;
    if !removed {
        return Err(IamError::NotFound("grant"));
    }
    Ok(HttpResponse::NoContent().finish())
}
