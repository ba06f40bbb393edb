//! The actix application. `main` and the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::{web, App, HttpRequest};
use service_kit::auth::{
    signed_requests, InternalCredential, SignatureSettings, SignatureVerifier,
};
use service_kit::http::{configure_health, json, observe, Metrics, StrictJson};

use crate::error::{lf_error, LfError};
use crate::routes;
use crate::state::AppState;

/// A JSON request body, refused in LakeFormation's envelope when it does not fit.
pub type Json<T> = StrictJson<T, LfError>;

/// What the app needs besides the state.
pub struct Parts {
    /// Routes signatures: permanent keys to iam-svc, temporary ones to this service.
    pub signatures: Arc<dyn SignatureVerifier>,
    pub internal: web::Data<InternalCredential>,
    pub metrics: web::Data<Metrics>,
}

/// The whole lakeformation-svc application over `state`.
pub fn build(
    state: web::Data<AppState>,
    parts: &Parts,
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
    let settings = SignatureSettings {
        max_body_bytes: max_body,
        max_skew: std::time::Duration::from_secs(state.config.iam.signature_max_skew_seconds),
    };
    App::new()
        .app_data(web::Data::from(state.tokens.clone()))
        .app_data(web::Data::from(parts.signatures.clone()))
        .app_data(web::Data::new(settings))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(parts.internal.clone())
        .app_data(state)
        .app_data(parts.metrics.clone())
        .app_data(
            web::JsonConfig::default()
                .limit(max_body)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .wrap(from_fn(signed_requests))
        .wrap(ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed))
        .wrap(from_fn(reject_encoded_nul))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(routes::configure)
        .default_service(web::to(not_found))
}

async fn not_found() -> Result<actix_web::HttpResponse, LfError> {
    Err(LfError::NotFound(
        "The requested resource does not exist.".into(),
    ))
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            LfError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            LfError::BadRequest("Content-Type must be application/json.".into())
        }
        JsonPayloadError::Deserialize(de) => LfError::BadRequest(json::describe(de)),
        _ => LfError::BadRequest("The request body could not be read.".into()),
    };
    e.into()
}

fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    LfError::BadRequest("Invalid path parameter.".into()).into()
}

fn query_error(_: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    LfError::BadRequest("Invalid query string.".into()).into()
}

fn method_not_allowed<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let (status, code, message, solution) = LfError::MethodNotAllowed.parts();
    let body = lf_error(status, code, &message, solution);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, body).map_into_right_body(),
    ))
}

async fn reject_encoded_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if json::has_encoded_nul(req.uri()) {
        let res = actix_web::ResponseError::error_response(&LfError::BadRequest(
            "The URL must not contain NUL characters.".into(),
        ));
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
