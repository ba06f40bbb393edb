//! `/v3/users`: Keystone user management, plus a user's own password change. The rules
//! live in [`crate::accounts`]; these handlers read the request and render the answer.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db;
use service_kit::http::client_address;

use crate::accounts::{self, HashedEdit, NewUser, PasswordChange, Target, UserEdit};
use crate::error::{IamError, Json};
use crate::passwords;
use crate::policy::{Action, Caller};
use crate::repo::{self, users::User};
use crate::state::AppState;
use crate::validate;
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
    let (p, u) = (caller.principal, body.into_inner().user);
    accounts::check_new(&u)?;
    let (asker, target) = (p.clone(), Target::Domain(u.domain_id.clone()));
    let ask = move |conn: &mut _| accounts::authorize(conn, &asker, Action::CreateUser, target);
    db::run(&state.pool, ask).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let hash = accounts::hash_password(iterations, u.password.as_deref()).await?;
    let now = state.clock.stored_now();
    let user = db::write(&state.pool, move |conn| {
        accounts::create(conn, &p, u, hash, now)
    })
    .await?;
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
    let (p, asked) = (caller.principal, query.get("domain_id").cloned());
    let users = db::run(&state.pool, move |conn| {
        accounts::list(conn, &p, asked, &filter)
    })
    .await?;
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
    let (p, id) = (caller.principal, path.into_inner());
    let user = db::run(&state.pool, move |conn| accounts::show(conn, &p, &id)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "user": views::user(&user, &state.config.public_url, true) })))
}

/// Disabling or a new password revokes what it must; the feed is refreshed after the
/// commit.
async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, edit) = (caller.principal, path.into_inner(), body.into_inner().user);
    accounts::check_edit(&edit)?;
    let (asker, target) = (p.clone(), Target::User(id.clone()));
    let ask = move |conn: &mut _| accounts::authorize(conn, &asker, Action::UpdateUser, target);
    db::run(&state.pool, ask).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let change = HashedEdit {
        password_hash: accounts::hash_password(iterations, edit.password.as_deref()).await?,
        edit,
        token_lifetime: state.config.token_lifetime(),
    };
    let now = state.clock.stored_now();
    let write = move |conn: &mut _| accounts::update(conn, &p, &id, change, now);
    let user = db::write(&state.pool, write).await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::Ok().json(json!({ "user": render(&state, &user, false) })))
}

/// Every credential of the user dies with them; the feed is refreshed after the commit.
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
    db::write(&state.pool, move |conn| {
        accounts::delete(conn, &p, &id, now)
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The original password is checked against the user's login budget (counted for the
/// client's address), then the new one stored and the tokens and temporary keys issued
/// with the old one revoked.
async fn change_own_password(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<PasswordBody>,
) -> Result<HttpResponse, IamError> {
    let (p, id, change) = (caller.principal, path.into_inner(), body.into_inner().user);
    let address = client_address(&req, &state.config.server.trusted_proxies);
    validate::password(&change.password)?;
    accounts::verify_original(&state, &p, &address, &id, change.original_password).await?;
    let iterations = state.config.passwords.pbkdf2_iterations;
    let new_hash = passwords::hash(iterations, &change.password).await?;
    let (lifetime, now) = (state.config.token_lifetime(), state.clock.stored_now());
    let write =
        move |conn: &mut _| accounts::set_own_password(conn, &p, &id, new_hash, lifetime, now);
    db::write(&state.pool, write).await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn groups_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, user_id) = (caller.principal, path.into_inner());
    let id = user_id.clone();
    let groups = db::run(&state.pool, move |conn| accounts::groups_of(conn, &p, &id)).await?;
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
    let (p, user_id) = (caller.principal, path.into_inner());
    let id = user_id.clone();
    let projects = db::run(&state.pool, move |conn| {
        accounts::projects_of(conn, &p, &id)
    })
    .await?;
    let base = &state.config.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "projects": projects.iter().map(|x| views::project(x, base, true)).collect::<Vec<_>>(),
        "links": views::list_links(base, &format!("/v3/users/{user_id}/projects")),
    })))
}
