//! Temporary credentials: `POST /v1/{project_id}/instances/{instance_id}/credential`
//! issues one; `POST /v1/{project_id}/credential-revocations` revokes one or all of a
//! user's. The secret exists only inside the sealed security token handed to the caller;
//! the rules are in `crate::issue` and `crate::revoke`.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use service_kit::db;
use service_kit::http::json;

use super::views::CredentialView;
use super::Caller;
use crate::error::LfError;
use crate::issue::{self, IdentityInput, NewCredential};
use crate::openapi::{CredentialRefusals, IssueRefusals};
use crate::policy::{self, Action};
use crate::revoke::{self, Revocation, Target};
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

#[utoipa::path(post, path = "/v1/{project_id}/instances/{instance_id}/credential",
    tag = "credentials", operation_id = "ShowCredential",
    params(
        ("project_id" = String, Path, min_length = 1, description = "The caller's project scope."),
        ("instance_id" = String, Path, min_length = 1, description = "The instance the credential is issued through."),
    ),
    // Optional (no body at all is `{}`), but never JSON `null`: `crate::openapi` says so,
    // since `Option<IdentityInput>` here would document `null` as well.
    request_body(content = IdentityInput, content_type = "application/json",
        description = "Optional: no body, `{}`, or what the credential carries."),
    responses((status = 200, description = "The credential, shown once.", body = CredentialView), IssueRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateCredential)?;
    let input: IdentityInput = json::optional(&body)?;
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
    Ok(HttpResponse::Ok().json(CredentialView::from(&issued)))
}

#[utoipa::path(post, path = "/v1/{project_id}/credential-revocations",
    tag = "credentials", operation_id = "RevokeCredentials",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope.")),
    request_body(content = Revocation, content_type = "application/json"),
    responses((status = 204, description = "Revoked (one already revoked keeps its first revocation time)."), CredentialRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    let target = Target::of(json::optional::<Revocation>(&body)?)?;
    let grant = policy::authorize(&caller, &project_id, target.action())?;
    let (p, now) = (caller.principal.clone(), state.clock.stored_now());
    db::write(&state.pool, move |conn| {
        revoke::revoke(conn, &p, grant, &project_id, target, now)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
