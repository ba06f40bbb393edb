//! `/v3.0/OS-CREDENTIAL/credentials`: permanent access keys (AK/SK), at most
//! `access_keys.max_per_user` per user. The rules live in [`crate::credentials`]; these
//! handlers read the request and render the answer (the SK only in the creation's).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use service_kit::db;

use crate::credentials::{self, CredentialEdit, NewCredential};
use crate::error::{IamError, Json};
use crate::policy::Caller;
use crate::repo::access_keys::AccessKey;
use crate::state::AppState;
use crate::views;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v3.0/OS-CREDENTIAL/credentials")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v3.0/OS-CREDENTIAL/credentials/{access}")
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    credential: NewCredential,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    credential: CredentialEdit,
}

fn time(t: NaiveDateTime) -> String {
    views::keystone_time(t.and_utc())
}

fn view(k: &AccessKey) -> Value {
    json!({
        "access": k.access,
        "status": k.status,
        "user_id": k.user_id,
        "description": k.description,
        "create_time": time(k.created_at),
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let (p, c, now) = (
        caller.principal,
        body.into_inner().credential,
        state.clock.stored_now(),
    );
    let (row, secret) = credentials::generate(state.signatures.keys().master(), &p, c, now)?;
    let max = i64::from(state.config.access_keys.max_per_user);
    let key = db::write(&state.pool, move |conn| {
        credentials::create(conn, &p, row, max)
    })
    .await?;
    let mut body = view(&key);
    body["secret"] = json!(secret.expose());
    Ok(HttpResponse::Created().json(json!({ "credential": body })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let (p, user_id) = (caller.principal, query.get("user_id").cloned());
    let keys = db::run(&state.pool, move |conn| {
        credentials::list(conn, &p, user_id)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(json!({ "credentials": keys.iter().map(view).collect::<Vec<_>>() })),
    )
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, access) = (caller.principal, path.into_inner());
    let key = db::run(&state.pool, move |conn| {
        credentials::show(conn, &p, &access)
    })
    .await?;
    let mut body = view(&key);
    body["last_use_time"] = json!(key.last_used_at.map(time).unwrap_or_default());
    Ok(HttpResponse::Ok().json(json!({ "credential": body })))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let (p, access, edit) = (
        caller.principal,
        path.into_inner(),
        body.into_inner().credential,
    );
    let update = move |conn: &mut _| credentials::update(conn, &p, &access, edit);
    let key = db::write(&state.pool, update).await?;
    Ok(HttpResponse::Ok().json(json!({ "credential": view(&key) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, access) = (caller.principal, path.into_inner());
    db::write(&state.pool, move |conn| {
        credentials::delete(conn, &p, &access)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
