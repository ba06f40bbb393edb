//! `POST /`: the API 3.0 endpoint. Every answer is HTTP 200 with
//! `Content-Type: application/json` and `{"Response": {..., "RequestId"}}`, errors included,
//! because that is how the SDK tells them apart.

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use service_kit::auth::give_back;
use service_kit::http::RequestId;

use crate::actions::{self, Ctx, ACTIONS};
use crate::auth::{self, Carried, Signed};
use crate::error::TcrError;
use crate::params::Params;
use crate::registries;
use crate::state::AppState;
use crate::wire::{
    ActionName, ActionRequest, Answer, Envelope, ErrorDetail, TencentError, Version,
};

/// The one API version this service speaks.
pub const VERSION: &str = "2019-09-24";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::post().to(api))
        .route("/", web::get().to(api_get));
}

/// `GET /`: the same actions, their parameters form-encoded in the query (see [`api`]).
#[utoipa::path(get, path = "/", tag = "tcr", operation_id = "TencentCloudApiGet",
    summary = "Run an action by GET: parameters in the query string",
    description = "As `POST /`, with the action's parameters form-encoded in the query as \
        the SDKs flatten them (`Registryids.0=tcr-1`, `Filters.0.Values.0=x`; numbers and \
        booleans as text, `True`/`true`), TC3-signed over the query \
        (`HttpProfile(reqMethod=\"GET\")`), or with the legacy v1 signature's parameters \
        among them (`Action`, `Version`, `Region`, `Nonce`, `Timestamp`, `SecretId`, \
        `SignatureMethod`, `Signature`, `Token`) and no X-TC-* headers. A GET carries no \
        body (`UnsupportedProtocol`).",
    params(
        ("X-TC-Action" = inline(Option<ActionName>), Header, nullable = false, description = "The action (TC3)."),
        ("X-TC-Version" = inline(Option<Version>), Header, nullable = false, description = "The API version (TC3)."),
        ("X-TC-Timestamp" = Option<String>, Header, nullable = false, pattern = "^[0-9]+$",
            description = "Unix seconds when signed (TC3)."),
        ("X-TC-Region" = Option<String>, Header, nullable = false, max_length = 64, pattern = "^[a-z0-9-]*$",
            description = "A region name (TC3)."),
        ("X-TC-Token" = Option<String>, Header, nullable = false,
            description = "A temporary key's security token (TC3)."),
    ),
    security(("tc3_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The action's answer or its error.", body = Envelope,
            headers(("X-Request-Id" = String, description = "The answer's `RequestId`."))),
        (status = 431, description = "A request head over 32 KiB; no body."),
    ))]
pub(crate) async fn api_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    id: RequestId,
) -> HttpResponse {
    api(state, req, payload, id).await
}

/// `POST /`: the action a TC3 signature's `X-TC-Action` names, or a v1 form's `Action`.
#[utoipa::path(post, path = "/", tag = "tcr", operation_id = "TencentCloudApi",
    summary = "Run the action X-TC-Action names (Tencent Cloud API 3.0)",
    description = "Every action's answer, errors included, is HTTP 200 with \
        `{\"Response\": {..., \"RequestId\"}}`; an error is \
        `{\"Response\": {\"Error\": {\"Code\", \"Message\"}, \"RequestId\"}}`. The body is \
        the action's parameters, `<Action>Request`; the answer's `Response` is \
        `<Action>Response` or `TencentError`. `RequestId` equals the `X-Request-Id` header. \
        With the legacy v1 signature (`HmacSHA256`; `HmacSHA1` where `api.allow_hmac_sha1`) \
        the body is instead a form (`application/x-www-form-urlencoded`) of the action's \
        flattened parameters and the signature's own, without X-TC-* headers. The `Host` \
        must be one of the service's names (`api.hosts`) and the signature made for it.",
    params(
        ("X-TC-Action" = inline(ActionName), Header, description = "The action."),
        ("X-TC-Version" = inline(Version), Header, description = "The API version."),
        ("X-TC-Timestamp" = String, Header, pattern = "^[0-9]+$",
            description = "Unix seconds when signed; at most `iam.signature_max_skew_seconds` \
                (300) from the server's clock."),
        ("X-TC-Region" = Option<String>, Header, nullable = false, max_length = 64, pattern = "^[a-z0-9-]*$",
            description = "A region name; another shape gets `InvalidParameterValue`. \
                `CreateInstance` needs one of the regions docs/api/tcr.md lists \
                (`InvalidParameter.UnsupportedRegion`) and records it as the registry's \
                `RegionName`; `DescribeInstances` lists that region's registries unless \
                `AllRegion`; the other actions do not read it."),
        ("X-TC-Token" = Option<String>, Header, nullable = false,
            description = "A temporary key's security token (lakeformation-svc)."),
        ("X-TC-Language" = Option<String>, Header, nullable = false,
            description = "Accepted and ignored: messages are in English."),
        ("X-TC-Content-SHA256" = Option<String>, Header, nullable = false,
            description = "`UNSIGNED-PAYLOAD`: the signature leaves the body out."),
    ),
    request_body(content = inline(ActionRequest), content_type = "application/json",
        description = "At most `server.max_body_bytes`; a larger one gets \
            `RequestSizeLimitExceeded` (HTTP 200). No string in it may hold NUL \
            (`InvalidParameterValue`)."),
    security(("tc3_hmac_sha256" = [])),
    responses(
        (status = 200, description = "The action's answer or its error.", body = Envelope,
            headers(("X-Request-Id" = String, description = "The answer's `RequestId`."))),
        (status = 431, description = "A request head over 32 KiB; no body."),
    ))]
pub(crate) async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    id: RequestId,
) -> HttpResponse {
    let outcome = handle(&state, &req, payload, &id.0).await;
    render(outcome, &id.0)
}

async fn handle(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    request_id: &str,
) -> Result<Answer, TcrError> {
    let body = read_body(req, payload, state.config.server.max_body_bytes).await?;
    let now = state.clock.now();
    let signed = auth::authenticate(state, req, body, now).await?;
    let release = signed.accepted.release.clone();
    let outcome = act(state, signed, now, request_id).await;
    // A failed answer gives the signature back: the SDK may send the same request again.
    if let (true, Some(release)) = (outcome.is_err(), release) {
        give_back(state.signatures.as_ref(), release).await;
    }
    outcome
}

/// The signed request's action, for `principal`.
async fn act(
    state: &AppState,
    signed: Signed,
    now: chrono::DateTime<chrono::Utc>,
    request_id: &str,
) -> Result<Answer, TcrError> {
    let Signed {
        accepted,
        version,
        action,
        params,
        region,
    } = signed;
    let principal = &accepted.principal;
    let names = if matches!(params, Carried::Form(_)) {
        ["Version", "Action"]
    } else {
        ["X-TC-Version", "X-TC-Action"]
    };
    let action = action_of(names, version.as_deref(), action.as_deref())?;
    let limit = per_second(state, action);
    state
        .limiter
        .admit(&principal.domain_id, action, limit, now.timestamp())
        .await?;
    let params = match params {
        Carried::Json(body) => Params::parse(&body)?,
        Carried::Query(query) => Params::from_query(&query)?,
        Carried::Form(pairs) => Params::from_form(pairs)?,
    };
    let region = region?;
    registries::check_region(&region)?;
    let ctx = Ctx {
        state,
        principal,
        region,
        request_id,
    };
    actions::dispatch(&ctx, action, params).await
}

/// The action asked for, in the one version spoken here.
fn action_of(
    names: [&str; 2],
    version: Option<&str>,
    action: Option<&str>,
) -> Result<&'static str, TcrError> {
    let [version_name, action_name] = names;
    let version = version.ok_or_else(|| TcrError::MissingParameter(version_name.into()))?;
    if version != VERSION {
        return Err(TcrError::NoSuchVersion(version.to_string()));
    }
    let action = action.ok_or_else(|| TcrError::MissingParameter(action_name.into()))?;
    ACTIONS
        .iter()
        .find(|known| **known == action)
        .copied()
        .ok_or_else(|| TcrError::InvalidAction(action.to_string()))
}

/// The action's rate limit per account, as Tencent documents it.
fn per_second(state: &AppState, action: &str) -> u32 {
    let limits = &state.config.rate_limits;
    if action == "CreateInstanceToken" {
        limits.create_instance_token_per_second
    } else {
        limits.other_per_second
    }
}

/// The body, up to `limit` bytes. A declared length over the limit is refused before a
/// byte is read, so a client announcing 100 MiB does not hold the connection until the
/// body deadline; a body without one is counted as it arrives.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, TcrError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(TcrError::RequestSizeLimitExceeded);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            TcrError::InvalidParameter("The request body could not be read.".into())
        })?;
        if body.len() + chunk.len() > limit {
            return Err(TcrError::RequestSizeLimitExceeded);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The envelope, for success and error alike.
fn render(outcome: Result<Answer, TcrError>, request_id: &str) -> HttpResponse {
    let response = outcome.unwrap_or_else(|e| {
        if e.is_server_side() {
            log::error!("{request_id} action failed: {e}");
        }
        let (code, message) = e.on_the_wire();
        Answer::Error(TencentError {
            error: ErrorDetail {
                code: code.to_string(),
                message,
            },
            request_id: request_id.to_string(),
        })
    });
    let mut res = HttpResponse::Ok().json(sorted(&Envelope { response }, request_id));
    // The SDK compares the header by exact string: no charset.
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// The answer as a JSON value, whose maps sort their keys: every answer keeps the key order
/// it always had, whatever the order of the fields of its type.
fn sorted(envelope: &Envelope, request_id: &str) -> serde_json::Value {
    serde_json::to_value(envelope).unwrap_or_else(|e| {
        log::error!("{request_id} the answer did not serialize: {e}");
        let (code, message) = TcrError::Internal(String::new()).on_the_wire();
        serde_json::json!({
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
        })
    })
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::CONTENT_LENGTH;
    use actix_web::test::TestRequest;
    use actix_web::FromRequest;

    use super::*;

    async fn read_declared(length: &str, body: &'static [u8]) -> Result<web::Bytes, TcrError> {
        // The header after the payload: `set_payload` writes the real length.
        let (req, mut raw) = TestRequest::post()
            .set_payload(body)
            .insert_header((CONTENT_LENGTH, length))
            .to_http_parts();
        let payload = web::Payload::from_request(&req, &mut raw).await.unwrap();
        read_body(&req, payload, 1024).await
    }

    #[actix_web::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        // Only two bytes follow the announced 100 MiB: the refusal cannot have waited for them.
        let refused = read_declared("104857600", b"{}").await;
        assert!(matches!(refused, Err(TcrError::RequestSizeLimitExceeded)));
        assert_eq!(&read_declared("2", b"{}").await.unwrap()[..], b"{}");
    }
}
