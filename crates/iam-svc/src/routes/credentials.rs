//! `/v3.0/OS-CREDENTIAL/credentials`: permanent access keys (AK/SK), at most
//! `access_keys.max_per_user` per user. The SK is returned once, at creation, and stored
//! only sealed under the master key.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use credential_core::random::{generate_access_key, generate_secret_key};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::{IamError, Json};
use crate::policy::{self, Action, Caller, Target};
use crate::repo::{
    self,
    access_keys::{AccessKey, AccessKeyChanges, ACTIVE, INACTIVE},
};
use crate::state::AppState;
use crate::{validate, views};

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
    credential: CreateCredential,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateCredential {
    user_id: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    credential: UpdateCredential,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateCredential {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    description: Option<String>,
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

/// The user whose keys the caller manages, with their row locked until the write ends
/// (the quota of keys hangs on it), found and locked in one statement.
fn locked_user(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    user_id: &str,
) -> Result<(), IamError> {
    let domain_id = repo::users::lock(conn, user_id)?.ok_or(IamError::NotFound("user"))?;
    let target = Target {
        domain_id: &domain_id,
        own: user_id == p.user_id,
    };
    policy::check(conn, p, action, target).map_err(|e| match e {
        IamError::NotFound(_) => IamError::NotFound("user"),
        other => other,
    })
}

/// A new key row for `user_id` with a fresh secret, sealed under the master key.
fn new_key(
    state: &AppState,
    p: &Principal,
    user_id: String,
    description: String,
) -> Result<(AccessKey, credential_core::SecretString), IamError> {
    let access = generate_access_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| IamError::Internal(e.to_string()))?;
    let sealed_secret = state
        .signatures
        .master()
        .seal(secret.expose().as_bytes(), access.as_bytes())
        .map_err(|e| IamError::Internal(format!("sealing: {e}")))?;
    let row = AccessKey {
        access,
        user_id,
        domain_id: p.domain_id.clone(),
        sealed_secret,
        status: ACTIVE.into(),
        description,
        created_at: repo::now(),
        last_used_at: None,
    };
    Ok((row, secret))
}

/// Store the key if the caller may and the user's quota has room.
fn insert_key(
    conn: &mut DbConnection,
    p: &Principal,
    row: AccessKey,
    max: i64,
) -> Result<AccessKey, IamError> {
    locked_user(conn, p, Action::CreateCredential, &row.user_id)?;
    if repo::access_keys::count_for_user(conn, &row.user_id)? >= max {
        return Err(IamError::QuotaExceeded);
    }
    repo::access_keys::insert(conn, &row).map_err(|e| match e {
        // Two random 20-character AKs colliding is not expected; say so plainly.
        StoreError::UniqueViolation => IamError::Internal("access key collision".into()),
        other => other.into(),
    })?;
    Ok(row)
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateBody>,
) -> Result<HttpResponse, IamError> {
    let c = body.into_inner().credential;
    let description = c.description.unwrap_or_default();
    validate::description(&description)?;
    let (row, secret) = new_key(&state, &caller, c.user_id, description)?;
    let p = caller.principal.clone();
    let max = i64::from(state.config.access_keys.max_per_user);
    let key = db::write(&state.pool, move |conn| insert_key(conn, &p, row, max)).await?;
    let mut body = view(&key);
    body["secret"] = json!(secret.expose());
    Ok(HttpResponse::Created().json(json!({ "credential": body })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let user_id = query
        .get("user_id")
        .cloned()
        .unwrap_or_else(|| caller.user_id.clone());
    let p = caller.principal.clone();
    let keys = db::run(&state.pool, move |conn| {
        let user = policy::user(conn, &p, Action::ListCredentials, &user_id)?;
        Ok::<_, IamError>(repo::access_keys::list(
            conn,
            &user.domain_id,
            Some(&user_id),
        )?)
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
    let p = caller.principal.clone();
    let access = path.into_inner();
    let key = db::run(&state.pool, move |conn| {
        policy::access_key(conn, &p, Action::GetCredential, &access)
    })
    .await?;
    let mut body = view(&key);
    body["last_use_time"] = json!(key.last_used_at.map(time).unwrap_or_default());
    Ok(HttpResponse::Ok().json(json!({ "credential": body })))
}

fn check_update(c: &UpdateCredential) -> Result<(), IamError> {
    if c.status.is_none() && c.description.is_none() {
        return Err(IamError::BadRequest(
            "Specify status, description or both.".into(),
        ));
    }
    if c.status
        .as_deref()
        .is_some_and(|s| s != ACTIVE && s != INACTIVE)
    {
        return Err(IamError::BadRequest(
            "status must be active or inactive.".into(),
        ));
    }
    if let Some(d) = &c.description {
        validate::description(d)?;
    }
    Ok(())
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, IamError> {
    let c = body.into_inner().credential;
    check_update(&c)?;
    let p = caller.principal.clone();
    let access = path.into_inner();
    let key = db::write(&state.pool, move |conn| {
        policy::access_key(conn, &p, Action::UpdateCredential, &access)?;
        repo::access_keys::update(
            conn,
            &access,
            &AccessKeyChanges {
                status: c.status,
                description: c.description,
            },
        )?;
        repo::access_keys::find(conn, &access)?.ok_or(IamError::NotFound("access key"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "credential": view(&key) })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let p = caller.principal.clone();
    let access = path.into_inner();
    db::write(&state.pool, move |conn| {
        policy::access_key(conn, &p, Action::DeleteCredential, &access)?;
        repo::access_keys::delete(conn, &access)?;
        Ok::<_, IamError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
