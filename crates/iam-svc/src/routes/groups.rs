//! `/v3/groups`: groups of the caller's domain and their members. The rules live in
//! [`crate::groups`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{IamError, Json};
use crate::groups::{self, GroupFields};
use crate::policy::Caller;
use crate::state::AppState;
use crate::views;

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

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Body {
    group: GroupFields,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<Body>,
) -> Result<HttpResponse, IamError> {
    let group = groups::create(&state, &caller.principal, body.into_inner().group).await?;
    Ok(HttpResponse::Created()
        .json(json!({ "group": views::group(&group, &state.config.public_url, false) })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let name = query.get("name").cloned();
    let asked = query.get("domain_id").cloned();
    let groups = groups::list(&state, &caller.principal, asked, name).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "groups": groups.iter().map(|g| views::group(g, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, "/v3/groups"),
    })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let group = groups::show(&state, &caller.principal, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<Body>,
) -> Result<HttpResponse, IamError> {
    let fields = body.into_inner().group;
    let group = groups::update(&state, &caller.principal, path.into_inner(), fields).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, false) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    groups::delete(&state, &caller.principal, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let group_id = path.into_inner();
    let users = groups::members(&state, &caller.principal, group_id.clone()).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "users": users.iter().map(|u| {
            let mut v = views::user(u, base, true);
            v["pwd_strength"] = json!("Strong");
            v
        }).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/groups/{group_id}/users")),
    })))
}

async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (group_id, user_id) = path.into_inner();
    groups::add_member(&state, &caller.principal, group_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (group_id, user_id) = path.into_inner();
    groups::check_member(&state, &caller.principal, group_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (group_id, user_id) = path.into_inner();
    groups::remove_member(&state, &caller.principal, group_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
