//! The actix application: state, extractor settings, middleware and routes. `main` and
//! the tests build the same app through [`build`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest};
use service_kit::auth::{signed_requests, SignatureSettings, SignatureVerifier};
use service_kit::http::{configure_health, observe, Metrics};

use crate::error::IamError;
use crate::routes;
use crate::state::AppState;

/// The whole iam-svc application over `state`.
pub fn build(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.config.server.max_body_bytes;
    let signatures: std::sync::Arc<dyn SignatureVerifier> = std::sync::Arc::new(state.signatures.clone());
    let settings = SignatureSettings {
        max_body_bytes: max_body,
        max_skew: std::time::Duration::from_secs(state.config.access_keys.signature_max_skew_seconds),
    };
    App::new()
        .app_data(web::Data::from(signatures))
        .app_data(web::Data::new(settings))
        .app_data(web::Data::from(state.verifier.clone()))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(state)
        .app_data(metrics)
        .app_data(web::JsonConfig::default().limit(max_body).error_handler(json_error))
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .wrap(from_fn(signed_requests))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(routes::configure)
        .default_service(web::to(not_found))
}

async fn not_found() -> Result<actix_web::HttpResponse, IamError> {
    Err(IamError::NotFound("the requested resource"))
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            IamError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            IamError::BadRequest("Content-Type must be application/json.".into())
        }
        JsonPayloadError::Deserialize(de) => IamError::BadRequest(describe_json_error(de)),
        _ => IamError::BadRequest("The request body could not be read.".into()),
    };
    e.into()
}

/// serde's message names missing and unknown fields, which helps; for wrong types and
/// values it quotes the value, which may be a password, so only the position is kept.
fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.is_syntax() || e.is_eof() {
        return format!("Malformed JSON at line {} column {}.", e.line(), e.column());
    }
    if text.contains("invalid type") || text.contains("invalid value") || text.contains("invalid length") {
        return format!("Invalid request body: a value has the wrong type or form at line {} column {}.", e.line(), e.column());
    }
    format!("Invalid request body: {text}")
}

fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    IamError::BadRequest("Invalid path parameter.".into()).into()
}

fn query_error(_: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    IamError::BadRequest("Invalid query string.".into()).into()
}
