//! Long-term and temporary registry credentials of an instance:
//! `/v2/{project_id}/instances/{instance_id}/long-term-credential(s)` and `/temp-credential`.
//! The auth_token is shown once, at creation, and stored only as its SHA-256.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDateTime};
use credential_core::bearer::generate_bearer;
use credential_core::digest::sha256_hex;
use credential_core::names::validate_swr_credential_name;
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::{Caller, Json, SwrError};
use crate::policy::{self, Action, Grant};
use crate::repo::{
    self,
    credentials::{Credential, LONG_TERM, TEMPORARY},
};
use crate::state::AppState;
use crate::views::swr_time;

/// Prefix of every SWR auth_token.
pub const TOKEN_PREFIX: &str = "swr_";

pub fn configure(cfg: &mut web::ServiceConfig) {
    let base = "/v2/{project_id}/instances/{instance_id}";
    cfg.route(
        &format!("{base}/long-term-credential"),
        web::post().to(create),
    )
    .route(
        &format!("{base}/long-term-credentials"),
        web::get().to(list),
    )
    .service(
        web::resource(format!("{base}/long-term-credentials/{{credential_id}}"))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .route(
        &format!("{base}/temp-credential"),
        web::post().to(create_temporary),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    enable: bool,
}

/// What creation needs besides the caller.
struct NewCredential {
    project_id: String,
    instance_id: String,
    name: String,
    kind: &'static str,
    lifetime: Duration,
}

/// Create a credential under the per-user quota; returns it and its auth_token. The
/// caller was authorized for the create action of `new.kind`.
async fn issue(
    state: &AppState,
    p: &Principal,
    new: NewCredential,
) -> Result<HttpResponse, SwrError> {
    let token = generate_bearer(TOKEN_PREFIX).map_err(|e| SwrError::Internal(e.to_string()))?;
    let digest = sha256_hex(token.expose().as_bytes());
    let max = state.config.credentials.max_per_user_per_instance;
    let principal = p.clone();
    let row = db::write(&state.pool, move |conn| {
        super::lock_instance(conn, &new.project_id, &new.instance_id)?;
        let now = repo::now();
        make_room(conn, &new.instance_id, &principal.user_id, max, now)?;
        let row = new_row(&principal, new, digest, now);
        repo::credentials::insert(conn, &row).map_err(|e| match e {
            StoreError::UniqueViolation => SwrError::Conflict(format!(
                "You already have a credential named {} on this instance.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, SwrError>(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "auth_token": token.expose(),
        "created_at": swr_time(row.created_at),
        "expire_date": swr_time(row.expires_at),
        "token_id": row.id,
        "user_id": row.user_id,
    })))
}

/// The stored row of a credential `principal` creates now; its token has `digest`.
fn new_row(
    principal: &Principal,
    new: NewCredential,
    digest: String,
    now: NaiveDateTime,
) -> Credential {
    Credential {
        id: uuid::Uuid::new_v4().to_string(),
        instance_id: new.instance_id,
        user_id: principal.user_id.clone(),
        user_name: principal.user_name.clone(),
        name: new.name,
        kind: new.kind.into(),
        token_digest: digest,
        access: policy::registry_access(principal).into(),
        enabled: true,
        disabled_by: None,
        disabled_by_admin: false,
        revoked_at: None,
        created_at: now,
        expires_at: policy::expiry_within_key(principal, now + new.lifetime),
    }
}

/// The per-user quota, under the instance's lock: `Ok` when the user may hold one more
/// credential on the instance.
///
/// An expired temporary credential is dead weight: it can no longer log in, and it is
/// never listed, so its owner has no way to find it and delete it. When the user's rows
/// would stop this create, their expired temporary ones are deleted here, so these hold
/// no quota (and a user never holds more rows than the quota). Only then: the purge reads
/// every row the user holds on the instance, which most creates need not pay for. Expired
/// long-term credentials still count: the list shows them as `expired`, and removing
/// them is the user's choice.
fn make_room(
    conn: &mut DbConnection,
    instance_id: &str,
    user_id: &str,
    max: u32,
    now: NaiveDateTime,
) -> Result<(), SwrError> {
    let max_held = i64::from(max);
    let held = repo::credentials::count_for_user(conn, instance_id, user_id)?;
    if held >= max_held {
        let purged = repo::credentials::delete_expired_temporary(conn, instance_id, user_id, now)?;
        if held - purged as i64 >= max_held {
            return Err(SwrError::QuotaExceeded(max));
        }
    }
    Ok(())
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateLongTermCredential)?;
    let name = body.into_inner().name;
    validate_swr_credential_name(&name)
        .map_err(|e| SwrError::InvalidName(format!("Invalid credential name: {e}")))?;
    let lifetime = Duration::days(i64::from(state.config.credentials.long_term_lifetime_days));
    let new = NewCredential {
        project_id,
        instance_id,
        name,
        kind: LONG_TERM,
        lifetime,
    };
    issue(&state, &caller, new).await
}

async fn create_temporary(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateTempCredential)?;
    let lifetime = Duration::seconds(i64::from(
        state.config.credentials.temporary_lifetime_seconds,
    ));
    // Temporary credentials have no user-chosen name; a unique one keeps the index simple.
    let name = format!("temp-{}", repo::new_id());
    let new = NewCredential {
        project_id,
        instance_id,
        name,
        kind: TEMPORARY,
        lifetime,
    };
    issue(&state, &caller, new).await
}

/// `self_only`: true (the default) lists the caller's own credentials, false everyone's.
fn list_action(query: &HashMap<String, String>) -> Result<Action, SwrError> {
    match query.get("self_only").map(String::as_str) {
        None | Some("true") => Ok(Action::ListOwnLongTermCredentials),
        Some("false") => Ok(Action::ListAllLongTermCredentials),
        Some(_) => Err(SwrError::BadRequest(
            "self_only must be true or false.".into(),
        )),
    }
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    let action = list_action(&query)?;
    policy::authorize(&caller, &project_id, action)?;
    let (offset, limit) = super::pagination(&query)?;
    let user = (action == Action::ListOwnLongTermCredentials).then(|| caller.user_id.clone());
    let (rows, total) = db::run(&state.pool, move |conn| {
        repo::credentials::page(
            conn,
            &project_id,
            &instance_id,
            user.as_deref(),
            offset,
            limit,
        )?
        .ok_or(SwrError::InstanceNotFound)
    })
    .await?;
    let now = repo::now();
    Ok(HttpResponse::Ok().json(CredentialPage {
        total,
        auth_tokens: rows.iter().map(|c| CredentialView::of(c, now)).collect(),
    }))
}

/// A page of credentials as SWR lists them; typed rather than a `Value` tree, because
/// lists are the most frequent answer.
#[derive(Serialize)]
struct CredentialPage<'a> {
    total: i64,
    auth_tokens: Vec<CredentialView<'a>>,
}

#[derive(Serialize)]
struct CredentialView<'a> {
    token_id: &'a str,
    name: &'a str,
    user_id: &'a str,
    instance_id: &'a str,
    enable: bool,
    created_at: String,
    expire_date: String,
    user_profile: &'a str,
    status: &'static str,
}

impl<'a> CredentialView<'a> {
    fn of(c: &'a Credential, now: NaiveDateTime) -> Self {
        let status = if c.revoked_at.is_some() {
            "revoked"
        } else if c.expires_at <= now {
            "expired"
        } else if c.enabled {
            "active"
        } else {
            "disabled"
        };
        CredentialView {
            token_id: &c.id,
            name: &c.name,
            user_id: &c.user_id,
            instance_id: &c.instance_id,
            enable: c.enabled,
            created_at: swr_time(c.created_at),
            expire_date: swr_time(c.expires_at),
            user_profile: &c.user_name,
            status,
        }
    }
}

/// The instance's credential `id`, if the grant lets the caller act on it.
fn manageable(
    conn: &mut DbConnection,
    p: &Principal,
    grant: (Action, Grant),
    ids: &(String, String, String),
) -> Result<Credential, SwrError> {
    let (project_id, instance_id, id) = ids;
    super::instance(conn, project_id, instance_id)?;
    let credential =
        repo::credentials::find(conn, instance_id, id)?.ok_or(SwrError::CredentialNotFound)?;
    policy::on_credential(grant.1, grant.0, &p.user_id, &credential)?;
    Ok(credential)
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let ids = path.into_inner();
    let enable = body.into_inner().enable;
    let action = if enable {
        Action::EnableLongTermCredential
    } else {
        Action::DisableLongTermCredential
    };
    let grant = policy::authorize(&caller, &ids.0, action)?;
    let p = caller.principal.clone();
    db::write(&state.pool, move |conn| {
        manageable(conn, &p, (action, grant), &ids)?;
        if enable {
            repo::credentials::enable(conn, &ids.2)?;
        } else {
            repo::credentials::disable(conn, &ids.2, &p.user_id, policy::disables_as_admin(&p))?;
        }
        Ok::<_, SwrError>(())
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let ids = path.into_inner();
    let action = Action::DeleteLongTermCredential;
    let grant = policy::authorize(&caller, &ids.0, action)?;
    let p = caller.principal.clone();
    db::write(&state.pool, move |conn| {
        manageable(conn, &p, (action, grant), &ids)?;
        // The delete trigger updates the instance's count: take the instance first, as
        // creation does, so a delete and a create of the same name cannot deadlock.
        repo::instances::lock(conn, &ids.1)?;
        if !repo::credentials::delete(conn, &ids.2)? {
            return Err(SwrError::CredentialNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
