//! `/v3/groups`: groups of the caller's domain and their members.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db::{self, StoreError};

use crate::error::{IamError, Json};
use crate::policy::{self, Action, Caller};
use crate::repo::{self, groups::GroupChanges};
use crate::revocation;
use crate::state::AppState;
use crate::{validate, views};

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

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GroupFields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

fn name_conflict(e: StoreError) -> IamError {
    match e {
        StoreError::UniqueViolation => {
            IamError::Conflict("A group with that name already exists in the domain.".into())
        }
        other => other.into(),
    }
}

fn check_fields(g: &GroupFields) -> Result<(), IamError> {
    if let Some(name) = &g.name {
        validate::resource_name("group", name)?;
    }
    if let Some(d) = &g.description {
        validate::description(d)?;
    }
    Ok(())
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<Body>,
) -> Result<HttpResponse, IamError> {
    let g = body.into_inner().group;
    check_fields(&g)?;
    let name = g
        .name
        .clone()
        .ok_or_else(|| IamError::BadRequest("group.name is required".into()))?;
    let p = caller.principal.clone();
    let group = db::write(&state.pool, move |conn| {
        let domain_id = policy::in_domain(conn, &p, Action::CreateGroup, g.domain_id.as_deref())?;
        let row = repo::groups::Group {
            id: repo::new_id(),
            domain_id,
            name,
            description: g.description.unwrap_or_default(),
            created_at: repo::now(),
        };
        repo::groups::insert(conn, &row).map_err(name_conflict)?;
        Ok::<_, IamError>(row)
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
    let asked = query.get("domain_id").cloned();
    let p = caller.principal.clone();
    let groups = db::run(&state.pool, move |conn| {
        policy::in_domain(conn, &p, Action::ListGroups, None)?;
        // Another domain's groups are not the caller's to list: an empty list.
        if asked.is_some_and(|d| d != p.domain_id) {
            return Ok(Vec::new());
        }
        Ok::<_, IamError>(repo::groups::list(conn, &p.domain_id, name.as_deref())?)
    })
    .await?;
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
    let p = caller.principal.clone();
    let id = path.into_inner();
    let group = db::run(&state.pool, move |conn| {
        policy::group(conn, &p, Action::GetGroup, &id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, true) })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<Body>,
) -> Result<HttpResponse, IamError> {
    let g = body.into_inner().group;
    check_fields(&g)?;
    let p = caller.principal.clone();
    let id = path.into_inner();
    let group = db::write(&state.pool, move |conn| {
        policy::group(conn, &p, Action::UpdateGroup, &id)?;
        if g.domain_id.as_deref().is_some_and(|d| d != p.domain_id) {
            return Err(IamError::BadRequest(
                "A group cannot move to another domain.".into(),
            ));
        }
        repo::groups::update(
            conn,
            &id,
            &GroupChanges {
                name: g.name,
                description: g.description,
            },
        )
        .map_err(name_conflict)?;
        repo::groups::find(conn, &id)?.ok_or(IamError::NotFound("group"))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "group": views::group(&group, &state.config.public_url, false) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    db::write(&state.pool, move |conn| {
        policy::group(conn, &p, Action::DeleteGroup, &id)?;
        revocation::group_lost_power(conn, &id)?;
        repo::groups::delete(conn, &id)?;
        Ok::<_, IamError>(())
    })
    .await?;
    state.sync_revocations().await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let id = path.into_inner();
    let group_id = id.clone();
    let users = db::run(&state.pool, move |conn| {
        policy::group(conn, &p, Action::ListUsersInGroup, &id)?;
        Ok::<_, IamError>(repo::users::list_in_group(conn, &id)?)
    })
    .await?;
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

/// Ask the policy about the group and the user of a membership.
fn membership_target(
    conn: &mut service_kit::db::DbConnection,
    p: &service_kit::auth::Principal,
    action: Action,
    group_id: &str,
    user_id: &str,
) -> Result<(), IamError> {
    policy::group(conn, p, action, group_id)?;
    policy::user(conn, p, action, user_id).map(drop)
}

async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let (group_id, user_id) = path.into_inner();
    db::write(&state.pool, move |conn| {
        membership_target(conn, &p, Action::AddUserToGroup, &group_id, &user_id)?;
        Ok::<_, IamError>(repo::groups::add_member(conn, &group_id, &user_id)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let (group_id, user_id) = path.into_inner();
    let member = db::run(&state.pool, move |conn| {
        membership_target(conn, &p, Action::CheckUserInGroup, &group_id, &user_id)?;
        Ok::<_, IamError>(repo::groups::is_member(conn, &group_id, &user_id)?)
    })
    .await?;
    if member {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(IamError::NotFound("membership"))
    }
}

async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let (group_id, user_id) = path.into_inner();
    let removed = db::write(&state.pool, move |conn| {
        membership_target(conn, &p, Action::RemoveUserFromGroup, &group_id, &user_id)?;
        let removed = repo::groups::remove_member(conn, &group_id, &user_id)?;
        if removed {
            revocation::lost_power(conn, &[user_id])?;
        }
        Ok::<_, IamError>(removed)
    })
    .await?;
    state.sync_revocations().await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(IamError::NotFound("membership"))
    }
}
