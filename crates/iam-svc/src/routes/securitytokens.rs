//! `/v3.0/OS-CREDENTIAL/securitytokens`: a temporary access key for a token. The rules
//! live in [`crate::securitytokens`]; this handler reads the request and renders the
//! answer (the secret and the security token, shown once).

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use service_kit::auth::AUTH_TOKEN_HEADER;
use service_kit::db;
use utoipa::ToSchema;

use crate::error::{IamError, Json, KeystoneError};
use crate::openapi::Refusals;
use crate::policy::Caller;
use crate::securitytokens::{self, SecurityTokenRequest};
use crate::state::AppState;
use crate::views::keystone_time;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v3.0/OS-CREDENTIAL/securitytokens").route(web::post().to(create)));
}

/// `{"credential": {...}}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct SecurityTokenBody {
    credential: TemporaryCredential,
}

/// Huawei's `Credential`: the key, its secret and security token (shown once), and when
/// it expires.
#[derive(Serialize, ToSchema)]
pub(crate) struct TemporaryCredential {
    /// The temporary access key id (AK).
    access: String,
    /// The temporary secret key (SK).
    secret: String,
    /// Sent as `X-Security-Token` (Huawei) or `X-TC-Token` (Tencent) with every request
    /// the key signs.
    securitytoken: String,
    /// UTC, e.g. `2026-12-03T09:00:00.000000Z`.
    expires_at: String,
}

/// Get a temporary access key for a token
///
/// The key acts as the token's user in the token's project, with the token's roles the
/// user still holds. The token is `token.id`, or the `X-Auth-Token` header when absent.
/// A request signed with a temporary key is refused: temporary keys never mint keys.
#[utoipa::path(post, path = "/v3.0/OS-CREDENTIAL/securitytokens", tag = "credentials",
    operation_id = "CreateTemporaryAccessKeyByToken",
    request_body = SecurityTokenRequest,
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = []), ()),
    responses(
        (status = 201, description = "The key, with its secret and security token.",
            body = SecurityTokenBody),
        (status = 400, description = "A malformed body, methods other than `[\"token\"]` \
            (`assume_role`: agencies are not supported), a duration outside 900..=86400, or a \
            token not scoped to a project.", body = KeystoneError),
        (status = 413, description = "The body is over `server.max_body_bytes`.", body = KeystoneError),
        Refusals,
    ))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SecurityTokenRequest>,
) -> Result<HttpResponse, IamError> {
    let asked = securitytokens::asked(body.into_inner().auth.identity)?;
    let signer = signer(&req).await?;
    let header = req
        .headers()
        .get(AUTH_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    let now = state.clock.now();
    let claims = state
        .verifier
        .verify(securitytokens::token_of(&asked, header)?, now)?;
    let caller = signer.unwrap_or_else(|| service_kit::auth::Principal::from_token(claims.clone()));
    let keys = state.temporary.keys().clone();
    let minted = db::write(&state.pool, move |conn| {
        securitytokens::issue(conn, &keys, &caller, &claims, asked, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(SecurityTokenBody {
        credential: TemporaryCredential {
            access: minted.access.clone(),
            secret: minted.secret.expose().to_string(),
            securitytoken: minted.security_token.expose().to_string(),
            expires_at: keystone_time(minted.expires_at),
        },
    }))
}

/// The principal of a signed request (its signature checked, and refused as any other
/// endpoint would), if the request is signed.
async fn signer(req: &HttpRequest) -> Result<Option<service_kit::auth::Principal>, IamError> {
    if !req.headers().contains_key(AUTHORIZATION) {
        return Ok(None);
    }
    Ok(Some(Caller::extract(req).await?.principal))
}
