//! `/v3.0/OS-CREDENTIAL/credentials`: permanent access keys (AK/SK), at most
//! `access_keys.max_per_user` per user. The rules live in [`crate::credentials`]; these
//! handlers read the request and render the answer (the SK only in the creation's).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use service_kit::db;
use utoipa::ToSchema;

use crate::credentials::{self, CredentialEdit, NewCredential};
use crate::error::{IamError, Json, KeystoneError};
use crate::openapi::Refusals;
use crate::policy::Caller;
use crate::state::AppState;
use crate::views::{self, CredentialBody, CredentialList};

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

/// `{"credential": {"user_id", "description"?}}`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateCredentialBody {
    credential: NewCredential,
}

/// `{"credential": {"status"?, "description"?}}`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateCredentialBody {
    credential: CredentialEdit,
}

/// Create a permanent access key
///
/// The answer holds the secret key (SK), the only time it is ever shown.
#[utoipa::path(post, path = "/v3.0/OS-CREDENTIAL/credentials", tag = "credentials",
    operation_id = "CreatePermanentAccessKey",
    request_body = CreateCredentialBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "The key, with its secret.", body = CredentialBody),
        (status = 400, description = "A malformed body, a bad description, or the user already \
            holds `access_keys.max_per_user` keys (message `akSkNumExceed`).", body = KeystoneError),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateCredentialBody>,
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
    Ok(HttpResponse::Created().json(CredentialBody {
        credential: views::credential(&key).with_secret(secret.expose()),
    }))
}

/// List a user's permanent access keys
#[utoipa::path(get, path = "/v3.0/OS-CREDENTIAL/credentials", tag = "credentials",
    operation_id = "ListPermanentAccessKeys",
    params(("user_id" = Option<String>, Query, description = "The keys' user; the caller when absent.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The keys, without secrets.", body = CredentialList),
        (status = 404, description = "No such user, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, IamError> {
    let (p, user_id) = (caller.principal, query.get("user_id").cloned());
    let keys = db::run(&state.pool, move |conn| {
        credentials::list(conn, &p, user_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CredentialList {
        credentials: keys.iter().map(views::credential).collect(),
    }))
}

/// Show a permanent access key
#[utoipa::path(get, path = "/v3.0/OS-CREDENTIAL/credentials/{access}", tag = "credentials",
    operation_id = "ShowPermanentAccessKey",
    params(("access" = String, Path, min_length = 1, description = "The access key id (AK).")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The key with its last use, without its secret.",
            body = CredentialBody),
        (status = 404, description = "No such key, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, IamError> {
    let (p, access) = (caller.principal, path.into_inner());
    let key = db::run(&state.pool, move |conn| {
        credentials::show(conn, &p, &access)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CredentialBody {
        credential: views::credential(&key).with_last_use(key.last_used_at),
    }))
}

/// (De)activate or describe a permanent access key
#[utoipa::path(put, path = "/v3.0/OS-CREDENTIAL/credentials/{access}", tag = "credentials",
    operation_id = "UpdatePermanentAccessKey",
    params(("access" = String, Path, min_length = 1, description = "The access key id (AK).")),
    request_body = UpdateCredentialBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The key as changed.", body = CredentialBody),
        (status = 404, description = "No such key, or one of another domain.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<UpdateCredentialBody>,
) -> Result<HttpResponse, IamError> {
    let (p, access, edit) = (
        caller.principal,
        path.into_inner(),
        body.into_inner().credential,
    );
    let update = move |conn: &mut _| credentials::update(conn, &p, &access, edit);
    let key = db::write(&state.pool, update).await?;
    Ok(HttpResponse::Ok().json(CredentialBody {
        credential: views::credential(&key),
    }))
}

/// Delete a permanent access key
///
/// Requests signed with it are refused from then on.
#[utoipa::path(delete, path = "/v3.0/OS-CREDENTIAL/credentials/{access}", tag = "credentials",
    operation_id = "DeletePermanentAccessKey",
    params(("access" = String, Path, min_length = 1, description = "The access key id (AK).")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The key is deleted."),
        (status = 404, description = "No such key, or one of another domain.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn delete(
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
