//! `/v3/groups`: groups of the caller's domain and their members. The rules live in
//! [`crate::groups`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db;

use crate::error::{IamError, Json};
use crate::groups::{self, GroupFields, Membership};
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
    let (p, fields, now) = (
        caller.principal,
        body.into_inner().group,
        state.clock.stored_now(),
    );
    let group = db::write(&state.pool, move |conn| {
        groups::create(conn, &p, fields, now)
    })
    .await?;
    Ok(HttpResponse::Created()
        .json(json!({ "group": views::group(&group, &state.config.public_url, false) })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let name = query.get("name").cloned();
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let read = move |conn: &mut _| groups::list(conn, &p, asked, name.as_deref());
    let groups = db::run(&state.pool, read).await?;
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
    let (p, id) = (caller.principal, path.into_inner());
    let group = db::run(&state.pool, move |conn| groups::show(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<Body>,
) -> Result<HttpResponse, IamError> {
    let (p, id, fields) = (caller.principal, path.into_inner(), body.into_inner().group);
    let group = db::write(&state.pool, move |conn| {
        groups::update(conn, &p, &id, fields)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, false) })))
}

/// The members lose what the group granted; the feed is refreshed after the commit.
async fn delete(
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

async fn members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, group_id) = (caller.principal, path.into_inner());
    let id = group_id.clone();
    let users = db::run(&state.pool, move |conn| groups::members(conn, &p, &id)).await?;
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

fn membership(path: web::Path<(String, String)>) -> Membership {
    let (group_id, user_id) = path.into_inner();
    Membership { group_id, user_id }
}

async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (p, m) = (caller.principal, membership(path));
    db::write(&state.pool, move |conn| groups::add_member(conn, &p, &m)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let (p, m) = (caller.principal, membership(path));
    db::run(&state.pool, move |conn| groups::check_member(conn, &p, &m)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The user loses what the group granted; the feed is refreshed after the commit, and a
/// user who was no member is `NotFound` after it.
async fn remove_member(
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
