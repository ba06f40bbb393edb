//! `POST /`: the API 3.0 endpoint. Every answer is HTTP 200 with
//! `Content-Type: application/json` and `{"Response": {..., "RequestId"}}`, errors included,
//! because that is how the SDK tells them apart.

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use service_kit::auth::{give_back, Principal};
use service_kit::http::RequestId;

use crate::actions::{self, Ctx, ACTIONS};
use crate::auth;
use crate::error::TcrError;
use crate::params::Params;
use crate::state::AppState;

/// The one API version this service speaks.
pub const VERSION: &str = "2019-09-24";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::post().to(api))
        .route("/", web::get().to(api));
}

async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    id: RequestId,
) -> HttpResponse {
    let outcome = handle(&state, &req, payload).await;
    render(outcome, &id.0)
}

async fn handle(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Map<String, Value>, TcrError> {
    let body = read_body(req, payload, state.config.server.max_body_bytes).await?;
    if req.method() != actix_web::http::Method::POST {
        return Err(TcrError::UnsupportedProtocol(
            "Send actions with POST and a JSON body.".into(),
        ));
    }
    let now = state.clock.now();
    let skew = state.config.iam.signature_max_skew_seconds;
    let (signatures, revocations) = (state.signatures.as_ref(), &state.verifier);
    let accepted = auth::authenticate(signatures, revocations, req, &body, skew, now).await?;
    let outcome = act(state, req, &body, &accepted.principal, now).await;
    // A failed answer gives the signature back: the SDK may send the same request again.
    if outcome.is_err() {
        give_back(signatures, accepted.release).await;
    }
    outcome
}

/// The signed request's action, for `principal`.
async fn act(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    principal: &Principal,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Map<String, Value>, TcrError> {
    let action = action_of(req)?;
    let limit = per_second(state, action);
    state
        .limiter
        .admit(&principal.domain_id, action, limit, now.timestamp())
        .await?;
    let params = Params::parse(body)?;
    let ctx = Ctx {
        state,
        principal,
        region: header(req, "x-tc-region").unwrap_or_default().to_string(),
    };
    actions::dispatch(&ctx, action, params).await
}

fn header<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The action asked for, in the one version spoken here.
fn action_of(req: &HttpRequest) -> Result<&str, TcrError> {
    let version = header(req, "x-tc-version")
        .ok_or_else(|| TcrError::MissingParameter("X-TC-Version".into()))?;
    if version != VERSION {
        return Err(TcrError::NoSuchVersion(version.to_string()));
    }
    let action = header(req, "x-tc-action")
        .ok_or_else(|| TcrError::MissingParameter("X-TC-Action".into()))?;
    if !ACTIONS.contains(&action) {
        return Err(TcrError::InvalidAction(action.to_string()));
    }
    Ok(action)
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
fn render(outcome: Result<Map<String, Value>, TcrError>, request_id: &str) -> HttpResponse {
    let mut response = match outcome {
        Ok(fields) => fields,
        Err(e) => {
            if e.is_server_side() {
                log::error!("{request_id} action failed: {e}");
            }
            let (code, message) = e.on_the_wire();
            let mut m = Map::new();
            m.insert("Error".into(), json!({ "Code": code, "Message": message }));
            m
        }
    };
    response.insert("RequestId".into(), Value::String(request_id.to_string()));
    let mut res = HttpResponse::Ok().json(json!({ "Response": response }));
    // The SDK compares the header by exact string: no charset.
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
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
