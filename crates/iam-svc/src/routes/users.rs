//! `/v3/users`: Keystone user management, plus a user's own password change. The rules
//! live in [`crate::accounts`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::{self, NewUser, PasswordChange, UserEdit};
use crate::error::{IamError, Json};
use crate::policy::Caller;
use crate::repo::{self, users::User};
use crate::state::AppState;
use crate::views;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3/users")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v3/users/{user_id}")
            .route(web::get().to(show))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .route(
        "/v3/users/{user_id}/password",
        web::post().to(change_own_password),
    )
    .route("/v3/users/{user_id}/groups", web::get().to(groups_of_user))
    .route(
        "/v3/users/{user_id}/projects",
        web::get().to(projects_of_user),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    user: NewUser,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    user: UserEdit,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    user: PasswordChange,
}

fn render(state: &AppState, user: &User, full: bool) -> serde_json::Value {
    let mut v = views::user(user, &state.config.public_url, full);
    if full {
        v["pwd_strength"] = json!("Strong");
    }
    v
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let user = accounts::create(&state, &caller.principal, body.into_inner().user).await?;
    Ok(HttpResponse::Created().json(json!({ "user": render(&state, &user, false) })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let filter = repo::users::UserFilter {
        name: query.get("name").cloned(),
        enabled: super::parse_bool("enabled", query.get("enabled"))?,
    };
    let asked = query.get("domain_id").cloned();
    let users = accounts::list(&state, &caller.principal, asked, filter).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "users": users.iter().map(|u| render(&state, u, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, "/v3/users"),
    })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let user = accounts::show(&state, &caller.principal, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "user": views::user(&user, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let edit = body.into_inner().user;
    let user = accounts::update(&state, &caller.principal, path.into_inner(), edit).await?;
    Ok(HttpResponse::Ok().json(json!({ "user": render(&state, &user, false) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    accounts::delete(&state, &caller.principal, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn change_own_password(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<PasswordBody>,
) -> Result<HttpResponse, IamError> {
    let change = body.into_inner().user;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let id = path.into_inner();
    accounts::change_own_password(&state, &caller.principal, id, &address, change).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn groups_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let user_id = path.into_inner();
    let groups = accounts::groups_of(&state, &caller.principal, user_id.clone()).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "groups": groups.iter().map(|g| views::group(g, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/groups")),
    })))
}

async fn projects_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let user_id = path.into_inner();
    let projects = accounts::projects_of(&state, &caller.principal, user_id.clone()).await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/projects")),
    })))
}
