//! Long-term and temporary registry credentials of an instance:
//! `/v2/{project_id}/instances/{instance_id}/long-term-credential(s)` and `/temp-credential`.
//! Each handler extracts the request, runs one `domain::credentials` function on the pool
//! (a create at the time the write reads from the clock) and renders its answer;
//! the auth_token is rendered once, at creation.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};

use service_kit::db;
use service_kit::http::json;

use crate::domain::credentials::{self, CreateBody, CredentialPath, UpdateBody};
use crate::domain::InstancePath;
use crate::error::{Caller, ErrorBody, Json, SwrError};
use crate::openapi::Refusals;
use crate::state::AppState;
use crate::views::credentials::{CredentialPage, IssuedView};

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

/// Create a long-term credential for the caller
///
/// Its `auth_token` is in this answer only. A caller signing with a temporary key may
/// not create one (403).
#[utoipa::path(post, path = "/v2/{project_id}/instances/{instance_id}/long-term-credential",
    tag = "credentials", operation_id = "CreateInstanceLtCredential",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    request_body = CreateBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "Created; the `auth_token` is the registry password.", body = IssuedView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        (status = 409, description = "The caller has a credential of that name on the instance (`SVCSTG.SWR.4098001`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, instance, body) = (
        caller.principal,
        InstancePath::from(path.into_inner()),
        body.into_inner(),
    );
    let (rules, clock) = (state.config.credentials.clone(), state.clock.clone());
    let issued = db::write(&state.pool, move |conn| {
        credentials::create_long_term(conn, &p, instance, body, &rules, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Created().json(IssuedView::of(&issued)))
}

/// Create a temporary credential for the caller
///
/// It expires after `credentials.temporary_lifetime_seconds`, or with the caller's
/// temporary key if sooner, and is never listed. It takes no body (the SDK sends none):
/// `{}` is taken too, and anything else refused (400).
#[utoipa::path(post, path = "/v2/{project_id}/instances/{instance_id}/temp-credential",
    tag = "credentials", operation_id = "CreateInstanceTempCredential",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "Created; the `auth_token` is the registry password.", body = IssuedView),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn create_temporary(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, SwrError> {
    json::optional::<json::NoFields>(&body)?;
    let (p, instance) = (caller.principal, InstancePath::from(path.into_inner()));
    let (rules, clock) = (state.config.credentials.clone(), state.clock.clone());
    let issued = db::write(&state.pool, move |conn| {
        credentials::create_temporary(conn, &p, instance, &rules, clock.stored_now())
    })
    .await?;
    Ok(HttpResponse::Created().json(IssuedView::of(&issued)))
}

/// List an instance's long-term credentials
///
/// Oldest first, without their `auth_token`; `total` counts every match.
#[utoipa::path(get, path = "/v2/{project_id}/instances/{instance_id}/long-term-credentials",
    tag = "credentials", operation_id = "ListInstanceLtCredentials",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Rows to skip (0)."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Rows to answer (100)."),
        ("self_only" = Option<bool>, Query,
            description = "`true` (the default): the caller's own; `false`: everyone's, for an `admin`."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "A page of credentials.", body = CredentialPage),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (p, instance, query) = (
        caller.principal,
        InstancePath::from(path.into_inner()),
        query.into_inner(),
    );
    let (rows, total) = db::run(&state.pool, move |conn| {
        credentials::list(conn, &p, instance, &query)
    })
    .await?;
    let now = state.clock.stored_now();
    Ok(HttpResponse::Ok().json(CredentialPage::of(&rows, total, now)))
}

fn credential_path(
    (project_id, instance_id, credential_id): (String, String, String),
) -> CredentialPath {
    CredentialPath {
        project_id,
        instance_id,
        credential_id,
    }
}

/// Enable or disable a long-term credential
///
/// The owner may enable a credential they disabled; one an `admin` disabled only an
/// `admin` enables again. A revoked credential cannot change (403).
#[utoipa::path(put, path = "/v2/{project_id}/instances/{instance_id}/long-term-credentials/{credential_id}",
    tag = "credentials", operation_id = "UpdateInstanceLtCredential",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("credential_id" = String, Path, description = "The credential's `token_id`."),
    ),
    request_body = UpdateBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "Changed."),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`), or no such credential on it (`SVCSTG.SWR.4048002`).", body = ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let (p, path, enable) = (
        caller.principal,
        credential_path(path.into_inner()),
        body.into_inner().enable,
    );
    db::write(&state.pool, move |conn| {
        credentials::set_enabled(conn, &p, path, enable)
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}

/// Delete a long-term credential
#[utoipa::path(delete, path = "/v2/{project_id}/instances/{instance_id}/long-term-credentials/{credential_id}",
    tag = "credentials", operation_id = "DeleteInstanceLtCredential",
    params(
        ("project_id" = String, Path, description = "The caller's project."),
        ("instance_id" = String, Path),
        ("credential_id" = String, Path, description = "The credential's `token_id`."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such instance in the project (`SVCSTG.SWR.4048001`), or no such credential on it (`SVCSTG.SWR.4048002`).", body = ErrorBody),
        Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (p, path) = (caller.principal, credential_path(path.into_inner()));
    db::write(&state.pool, move |conn| credentials::delete(conn, &p, path)).await?;
    Ok(HttpResponse::NoContent().finish())
}
