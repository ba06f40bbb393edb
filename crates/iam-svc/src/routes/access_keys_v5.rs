//! `/v5/users/{user_id}/access-keys`: IAM v5's API over the same permanent access keys,
//! quota and policy as `/v3.0/OS-CREDENTIAL/credentials`. The rules live in
//! [`crate::credentials`] and [`crate::credentials_v5`]; refusals are rendered in v5's
//! envelope by the `/v5` scope ([`crate::v5::envelope`]).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use service_kit::db;
use utoipa::ToSchema;

use crate::credentials::{self, NewCredential};
use crate::credentials_v5::{self, page_ask};
use crate::error::Json;
use crate::openapi::V5Refusals;
use crate::policy::{Action, Caller};
use crate::state::AppState;
use crate::v5::{V5Error, V5ErrorBody};
use crate::views_v5::{
    self, CreateAccessKeyV5Answer, KeyStatus, ListAccessKeysV5Answer, PageInfo,
    ShowAccessKeyLastUsedV5Answer, UpdateAccessKeyV5Answer,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/{user_id}/access-keys")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/users/{user_id}/access-keys/{access_key_id}")
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/users/{user_id}/access-keys/{access_key_id}/last-used")
            .route(web::get().to(last_used)),
    );
}

/// `{"status": "active" | "inactive"}`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateAccessKeyReqBody {
    status: KeyStatus,
}

/// Create a permanent access key (v5)
///
/// No request body (an empty JSON object is also taken). The answer holds the secret
/// key, the only time it is ever shown. The user's keys made through v3.0 count toward
/// the same `access_keys.max_per_user`.
#[utoipa::path(post, path = "/v5/users/{user_id}/access-keys", tag = "access keys v5",
    operation_id = "CreateAccessKeyV5",
    params(("user_id" = String, Path, description = "The key's user: the caller, or (for the domain admin) a user of the domain.")),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 201, description = "The key, with its secret.", body = CreateAccessKeyV5Answer),
        (status = 400, description = "A request body other than none or `{}`, or the user \
            already holds `access_keys.max_per_user` keys (`PAP5.0102`).", body = V5ErrorBody),
        (status = 404, description = "No such user, or one of another domain.", body = V5ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = V5ErrorBody),
        V5Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, V5Error> {
    credentials_v5::no_body(&body)?;
    let (p, now) = (caller.principal, state.clock.stored_now());
    let asked = NewCredential {
        user_id: path.into_inner(),
        description: None,
    };
    let (row, secret) = credentials::generate(state.signatures.keys().master(), &p, asked, now)?;
    let max = i64::from(state.config.access_keys.max_per_user);
    let key = db::write(&state.pool, move |conn| {
        credentials::create_as(conn, &p, Action::CreateCredentialV5, row, max)
    })
    .await?;
    Ok(HttpResponse::Created().json(CreateAccessKeyV5Answer {
        access_key: views_v5::created(&key, secret.expose()),
    }))
}

/// List a user's permanent access keys (v5)
///
/// In AK order, `limit` at a time; `page_info.next_marker`, when present, is the
/// `marker` of the next page.
#[utoipa::path(get, path = "/v5/users/{user_id}/access-keys", tag = "access keys v5",
    operation_id = "ListAccessKeysV5",
    params(
        ("user_id" = String, Path, description = "The keys' user."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200,
            description = "Keys per page, 1 to 200; 100 when absent."),
        ("marker" = Option<String>, Query, pattern = "^[A-Z0-9]{20}$",
            description = "`page_info.next_marker` of the previous page."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "A page of the keys, without secrets.", body = ListAccessKeysV5Answer),
        (status = 404, description = "No such user, or one of another domain.", body = V5ErrorBody),
        V5Refusals,
    ))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, V5Error> {
    let ask = page_ask(query.into_inner())?;
    let (p, user_id) = (caller.principal, path.into_inner());
    let page = db::run(&state.pool, move |conn| {
        credentials_v5::list(conn, &p, &user_id, &ask)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ListAccessKeysV5Answer {
        access_keys: page.keys.iter().map(views_v5::metadata).collect(),
        page_info: PageInfo {
            next_marker: page.next_marker,
            current_count: page.keys.len(),
        },
    }))
}

/// (De)activate a permanent access key (v5)
#[utoipa::path(put, path = "/v5/users/{user_id}/access-keys/{access_key_id}", tag = "access keys v5",
    operation_id = "UpdateAccessKeyV5",
    params(
        ("user_id" = String, Path, description = "The key's user."),
        ("access_key_id" = String, Path, min_length = 1, description = "The access key id (AK)."),
    ),
    request_body = UpdateAccessKeyReqBody,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The key as changed.", body = UpdateAccessKeyV5Answer),
        (status = 404, description = "No such key of that user, or one of another domain.", body = V5ErrorBody),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = V5ErrorBody),
        V5Refusals,
    ))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<UpdateAccessKeyReqBody>,
) -> Result<HttpResponse, V5Error> {
    let (p, (user_id, access)) = (caller.principal, path.into_inner());
    let status = body.into_inner().status.as_str();
    let key = db::write(&state.pool, move |conn| {
        credentials_v5::set_status(conn, &p, &user_id, &access, status)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UpdateAccessKeyV5Answer {
        access_key: views_v5::metadata(&key),
    }))
}

/// Delete a permanent access key (v5)
///
/// Requests signed with it are refused from then on.
#[utoipa::path(delete, path = "/v5/users/{user_id}/access-keys/{access_key_id}", tag = "access keys v5",
    operation_id = "DeleteAccessKeyV5",
    params(
        ("user_id" = String, Path, description = "The key's user."),
        ("access_key_id" = String, Path, min_length = 1, description = "The access key id (AK)."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 204, description = "The key is deleted."),
        (status = 404, description = "No such key of that user, or one of another domain.", body = V5ErrorBody),
        V5Refusals,
    ))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, V5Error> {
    let (p, (user_id, access)) = (caller.principal, path.into_inner());
    db::write(&state.pool, move |conn| {
        credentials_v5::delete(conn, &p, &user_id, &access)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// When a permanent access key was last used (v5)
///
/// To the minute: the start of the minute of its last accepted signature.
#[utoipa::path(get, path = "/v5/users/{user_id}/access-keys/{access_key_id}/last-used",
    tag = "access keys v5",
    operation_id = "ShowAccessKeyLastUsedV5",
    params(
        ("user_id" = String, Path, description = "The key's user."),
        ("access_key_id" = String, Path, min_length = 1, description = "The access key id (AK)."),
    ),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])),
    responses(
        (status = 200, description = "Its last use; `last_used_at` absent if never used.",
            body = ShowAccessKeyLastUsedV5Answer),
        (status = 404, description = "No such key of that user, or one of another domain.", body = V5ErrorBody),
        V5Refusals,
    ))]
pub(crate) async fn last_used(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, V5Error> {
    let (p, (user_id, access)) = (caller.principal, path.into_inner());
    let key = db::run(&state.pool, move |conn| {
        credentials_v5::last_used(conn, &p, &user_id, &access)
    })
    .await?;
    Ok(HttpResponse::Ok().json(views_v5::last_used(&key)))
}
