//! Role grants of groups on projects and on the domain:
//! `/v3/{projects|domains}/{id}/groups/{group_id}/roles[/{role_id}]`.

use actix_web::{web, HttpResponse};
use serde_json::json;
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection};

use crate::error::IamError;
use crate::policy::{self, Action, Caller};
use crate::repo::{self, grants::Target};
use crate::revocation;
use crate::state::AppState;
use crate::views;

pub fn configure(cfg: &mut web::ServiceConfig) {
    for kind in ["projects", "domains"] {
        cfg.route(
            &format!("/v3/{kind}/{{target_id}}/groups/{{group_id}}/roles"),
            web::get().to(list),
        )
        .service(
            web::resource(format!(
                "/v3/{kind}/{{target_id}}/groups/{{group_id}}/roles/{{role_id}}"
            ))
            .route(web::put().to(grant))
            .route(web::head().to(check))
            .route(web::delete().to(revoke)),
        );
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Project,
    Domain,
}

fn kind_of(req: &actix_web::HttpRequest) -> Kind {
    if req.path().starts_with("/v3/domains/") {
        Kind::Domain
    } else {
        Kind::Project
    }
}

/// The policy's action for the operation (`Op`) on the kind of target.
#[derive(Clone, Copy)]
enum Op {
    List,
    Grant,
    Check,
    Revoke,
}

fn action(kind: Kind, op: Op) -> Action {
    match (kind, op) {
        (Kind::Project, Op::List) => Action::ListProjectPermissions,
        (Kind::Project, Op::Grant) => Action::GrantProjectPermission,
        (Kind::Project, Op::Check) => Action::CheckProjectPermission,
        (Kind::Project, Op::Revoke) => Action::RevokeProjectPermission,
        (Kind::Domain, Op::List) => Action::ListDomainPermissions,
        (Kind::Domain, Op::Grant) => Action::GrantDomainPermission,
        (Kind::Domain, Op::Check) => Action::CheckDomainPermission,
        (Kind::Domain, Op::Revoke) => Action::RevokeDomainPermission,
    }
}

/// Ask the policy about the target (project or domain) and the group.
fn checked(
    conn: &mut DbConnection,
    p: &Principal,
    kind: Kind,
    op: Op,
    target_id: &str,
    group_id: &str,
) -> Result<(), IamError> {
    let action = action(kind, op);
    match kind {
        Kind::Project => policy::project(conn, p, action, target_id).map(drop)?,
        Kind::Domain => policy::domain(conn, p, action, target_id)?,
    }
    policy::group(conn, p, action, group_id).map(drop)
}

fn target(kind: Kind, id: &str) -> Target<'_> {
    match kind {
        Kind::Project => Target::Project(id),
        Kind::Domain => Target::Domain(id),
    }
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let kind = kind_of(&req);
    let p = caller.principal.clone();
    let (target_id, group_id) = path.into_inner();
    let roles = db::run(&state.pool, move |conn| {
        checked(conn, &p, kind, Op::List, &target_id, &group_id)?;
        Ok::<_, IamError>(repo::grants::roles_of_group(
            conn,
            target(kind, &target_id),
            &group_id,
        )?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "roles": roles.iter().map(|r| views::role(r, base)).collect::<Vec<_>>(),
        "links": views::list_links(base, req.path()),
    })))
}

async fn grant(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let kind = kind_of(&req);
    let p = caller.principal.clone();
    let (target_id, group_id, role_id) = path.into_inner();
    db::write(&state.pool, move |conn| {
        checked(conn, &p, kind, Op::Grant, &target_id, &group_id)?;
        repo::roles::find(conn, &role_id)?.ok_or(IamError::NotFound("role"))?;
        Ok::<_, IamError>(repo::grants::grant(
            conn,
            target(kind, &target_id),
            &group_id,
            &role_id,
        )?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let kind = kind_of(&req);
    let p = caller.principal.clone();
    let (target_id, group_id, role_id) = path.into_inner();
    let granted = db::run(&state.pool, move |conn| {
        checked(conn, &p, kind, Op::Check, &target_id, &group_id)?;
        Ok::<_, IamError>(repo::grants::has_grant(
            conn,
            target(kind, &target_id),
            &group_id,
            &role_id,
        )?)
    })
    .await?;
    if granted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(IamError::NotFound("grant"))
    }
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let kind = kind_of(&req);
    let p = caller.principal.clone();
    let (target_id, group_id, role_id) = path.into_inner();
    let removed = db::write(&state.pool, move |conn| {
        checked(conn, &p, kind, Op::Revoke, &target_id, &group_id)?;
        let removed = repo::grants::revoke(conn, target(kind, &target_id), &group_id, &role_id)?;
        if removed {
            revocation::group_lost_power(conn, &group_id)?;
        }
        Ok::<_, IamError>(removed)
    })
    .await?;
    state.sync_revocations().await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(IamError::NotFound("grant"))
    }
}
