//! `/v3/roles`: the fixed roles, readable by any authenticated caller.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::json;
use service_kit::db;

use crate::error::IamError;
use crate::policy::{self, Action, Caller, Target};
use crate::repo;
use crate::state::AppState;
use crate::views;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v3/roles", web::get().to(list))
        .route("/v3/roles/{role_id}", web::get().to(show));
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    policy::check_blind(&caller, Action::ListRoles, Target::domain(&caller))?;
    let name = query.get("name").cloned();
    let roles = db::run(&state.pool, move |conn| {
        Ok::<_, IamError>(repo::roles::list(conn, name.as_deref())?)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "roles": roles.iter().map(|r| views::role(r, base)).collect::<Vec<_>>(),
        "links": views::list_links(base, "/v3/roles"),
        "total_number": roles.len(),
    })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    policy::check_blind(&caller, Action::GetRole, Target::domain(&caller))?;
    let id = path.into_inner();
    let role = db::run(&state.pool, move |conn| {
        repo::roles::find(conn, &id)?.ok_or(IamError::NotFound("role"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "role": views::role(&role, &state.config.public_url) })))
}
