//! `/v3.0/OS-CREDENTIAL/credentials`: permanent access keys (AK/SK), at most
//! `access_keys.max_per_user` per user. The rules live in [`crate::credentials`]; these
//! handlers read the request and render the answer (the SK only in the creation's).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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
    let c = body.into_inner().credential;
    let (key, secret) = credentials::create(&state, &caller.principal, c).await?;
    let mut body = view(&key);
    body["secret"] = json!(secret.expose());
    Ok(HttpResponse::Created().json(json!({ "credential": body })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let user_id = query.get("user_id").cloned();
    let keys = credentials::list(&state, &caller.principal, user_id).await?;
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
    let key = credentials::show(&state, &caller.principal, path.into_inner()).await?;
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
    let edit = body.into_inner().credential;
    let key = credentials::update(&state, &caller.principal, path.into_inner(), edit).await?;
    Ok(HttpResponse::Ok().json(json!({ "credential": view(&key) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    credentials::delete(&state, &caller.principal, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
