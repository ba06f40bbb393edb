//! Temporary credentials: `POST /v1/{project_id}/instances/{instance_id}/credential`
//! issues one; `POST /v1/{project_id}/credential-revocations` revokes one or all of a
//! user's. The secret exists only inside the sealed security token handed to the caller.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::db;

use super::{optional_body, Caller};
use crate::error::LfError;
use crate::issue::{self, IdentityInput};
use crate::policy::{self, Action};
use crate::repo;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/v1/{project_id}/instances/{instance_id}/credential",
        web::post().to(issue),
    )
    .route(
        "/v1/{project_id}/credential-revocations",
        web::post().to(revoke),
    );
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Revocation {
    #[serde(default)]
    access: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

/// What a revocation names: one credential by its AK, or every one of a user.
enum Target {
    Access(String),
    User(String),
}

impl Target {
    fn of(r: Revocation) -> Result<Target, LfError> {
        match (r.access, r.user_id) {
            (Some(access), None) => Ok(Target::Access(access)),
            (None, Some(user_id)) => Ok(Target::User(user_id)),
            _ => Err(LfError::BadRequest(
                "Give exactly one of access or user_id.".into(),
            )),
        }
    }

    fn action(&self) -> Action {
        match self {
            Target::Access(_) => Action::RevokeCredential,
            Target::User(_) => Action::RevokeUserCredentials,
        }
    }
}

async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateCredential)?;
    let input: IdentityInput = optional_body(&body)?;
    let issued = issue::issue(&state, &caller, project_id, instance_id, input).await?;
    // The vendor's model has no expiry field; the extra `expires_at` is ignored by the SDK.
    Ok(HttpResponse::Ok().json(json!({
        "access": issued.access,
        "secret": issued.secret.expose(),
        "security_token": issued.security_token.expose(),
        "expires_at": service_kit::timefmt::utc(issued.expires_at, 3, "Z"),
    })))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    let target = Target::of(optional_body(&body)?)?;
    let grant = policy::authorize(&caller, &project_id, target.action())?;
    let me = caller.user_id.clone();
    let now = repo::now();
    if let Target::User(user_id) = &target {
        policy::on_owner(grant, &me, user_id)?;
    }
    db::write(&state.pool, move |conn| {
        match target {
            Target::Access(access) => {
                let record = repo::issuance_by_access(conn, &access)?
                    .filter(|i| i.project_id == project_id)
                    .ok_or_else(|| {
                        LfError::NotFound("No temporary credential with that access key.".into())
                    })?;
                policy::on_owner(grant, &me, &record.user_id)?;
                repo::revoke_access(conn, &project_id, &access, now)?;
            }
            Target::User(user_id) => {
                repo::revoke_user(conn, &project_id, &user_id, now)?;
            }
        }
        Ok::<_, LfError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
