//! `/v3/roles`: the fixed roles, readable by any authenticated caller. The rules live in
//! [`crate::roles`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::json;
use service_kit::db;

use crate::error::IamError;
use crate::policy::{Action, Caller};
use crate::state::AppState;
use crate::{roles, views};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v3/roles", web::get().to(list))
        .route("/v3/roles/{role_id}", web::get().to(show));
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    roles::allowed(&caller.principal, Action::ListRoles)?;
    let name = query.get("name").cloned();
    let roles = db::run(&state.pool, move |conn| roles::list(conn, name.as_deref())).await?;
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
    roles::allowed(&caller.principal, Action::GetRole)?;
    let id = path.into_inner();
    let role = db::run(&state.pool, move |conn| roles::show(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "role": views::role(&role, &state.config.public_url) })))
}
