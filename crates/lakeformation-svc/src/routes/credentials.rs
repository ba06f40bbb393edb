//! Temporary credentials: `POST /v1/{project_id}/instances/{instance_id}/credential`
//! issues one; `POST /v1/{project_id}/credential-revocations` revokes one or all of a
//! user's. The secret exists only inside the sealed security token handed to the caller;
//! the rules are in `crate::issue` and `crate::revoke`.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde_json::json;
use service_kit::db;

use super::{optional_body, Caller};
use crate::error::LfError;
use crate::issue::{self, IdentityInput, NewCredential};
use crate::policy::{self, Action};
use crate::revoke::{self, Target};
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

async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateCredential)?;
    let input: IdentityInput = optional_body(&body)?;
    let asked = issue::asked(&caller, input)?;
    issue::check_directory(&state.iam, &caller, &asked).await?;
    let lifetime = Duration::seconds(i64::from(state.config.credentials.lifetime_seconds));
    let new = NewCredential {
        project_id,
        instance_id,
        asked,
        lifetime,
    };
    let (keyring, now) = (state.temporary.keys().keyring(), state.clock.stored_now());
    let sealed = issue::seal(&caller, new, keyring, now)?;
    let issued = db::write(&state.pool, move |conn| issue::record(conn, sealed)).await?;
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
    let (p, now) = (caller.principal.clone(), state.clock.stored_now());
    db::write(&state.pool, move |conn| {
        revoke::revoke(conn, &p, grant, &project_id, target, now)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
