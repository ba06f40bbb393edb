//! Role grants of groups on projects and on the domain:
//! `/v3/{projects|domains}/{id}/groups/{group_id}/roles[/{role_id}]`. The rules live in
//! [`crate::grants`]; these handlers read the request and render the answer.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

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
    let on = group_on(&req, target_id, group_id);
    let roles = grants::list(&state, &caller.principal, on).await?;
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
    let (target_id, group_id, role_id) = path.into_inner();
    let on = group_on(&req, target_id, group_id);
    grants::grant(&state, &caller.principal, on, role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id, role_id) = path.into_inner();
    let on = group_on(&req, target_id, group_id);
    grants::check(&state, &caller.principal, on, role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, IamError> {
    let (target_id, group_id, role_id) = path.into_inner();
    let on = group_on(&req, target_id, group_id);
    grants::revoke(&state, &caller.principal, on, role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
