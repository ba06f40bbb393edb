//! Role grants of groups on projects and on the domain:
//! `/v3/{projects|domains}/{id}/groups/{group_id}/roles[/{role_id}]`. The rules live in
//! [`crate::grants`]; these handlers read the request and render the answer.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use service_kit::db;

use crate::error::IamError;
use crate::grants::{self, GroupOn, Kind};
use crate::policy::Caller;
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

/// The grants the request is about, from its path.
fn group_on(req: &HttpRequest, target_id: String, group_id: String) -> GroupOn {
    let kind = if req.path().starts_with("/v3/domains/") {
        Kind::Domain
    } else {
        Kind::Project
    };
    GroupOn {
        kind,
        target_id,
        group_id,
    }
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id) = path.into_inner();
    let (p, on) = (caller.principal, group_on(&req, target_id, group_id));
    let roles = db::run(&state.pool, move |conn| grants::list(conn, &p, &on)).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "roles": roles.iter().map(|r| views::role(r, base)).collect::<Vec<_>>(),
        "links": views::list_links(base, req.path()),
    })))
}

async fn grant(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id, role) = path.into_inner();
    let (p, on) = (caller.principal, group_on(&req, target_id, group_id));
    db::write(&state.pool, move |conn| grants::grant(conn, &p, &on, &role)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id, role) = path.into_inner();
    let (p, on) = (caller.principal, group_on(&req, target_id, group_id));
    db::run(&state.pool, move |conn| grants::check(conn, &p, &on, &role)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The group's members lose what the role granted; the feed is refreshed after the
/// commit, and a grant the group did not hold is `NotFound` after it.
async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id, role) = path.into_inner();
    let (p, on) = (caller.principal, group_on(&req, target_id, group_id));
    let now = state.clock.stored_now();
    let revoke = move |conn: &mut _| grants::revoke(conn, &p, &on, &role, now);
    let removed = db::write(&state.pool, revoke).await?;
    state.sync_revocations().await?;
    if !removed {
        return Err(IamError::NotFound("grant"));
    }
    Ok(HttpResponse::NoContent().finish())
}
