//! The actix application: state, extractor settings, middleware and routes. `main` and
//! the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::{web, App, HttpRequest};
use service_kit::auth::{signed_requests, SignatureSettings, SignatureVerifier};
use service_kit::http::{configure_health, json, observe, Metrics, StrictJson};
use service_kit::registry::{self, RegistryAuthorizer, RegistryTokenIssuer};

use crate::error::{swr_error, SwrError};
use crate::routes;
use crate::state::AppState;

/// A JSON request body, refused in SWR's envelope when it does not fit.
pub type Json<T> = StrictJson<T, SwrError>;

/// What the app needs besides the state: how signatures are checked and registry logins.
pub struct Parts {
    pub signatures: Arc<dyn SignatureVerifier>,
    pub registry_issuer: web::Data<RegistryTokenIssuer>,
    pub registry_authorizer: Arc<dyn RegistryAuthorizer>,
    pub metrics: web::Data<Metrics>,
}

/// The whole swr-svc application over `state`.
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
        .app_data(web::Data::from(state.verifier.clone()))
        .app_data(web::Data::from(parts.signatures.clone()))
        .app_data(web::Data::new(settings))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(parts.registry_issuer.clone())
        .app_data(web::Data::from(parts.registry_authorizer.clone()))
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
        .configure(registry::configure)
        .configure(routes::configure)
        .default_service(web::to(not_found))
}

async fn not_found() -> Result<actix_web::HttpResponse, SwrError> {
    Err(SwrError::RouteNotFound)
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            SwrError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            SwrError::BadRequest("Content-Type must be application/json.".into())
        }
        JsonPayloadError::Deserialize(de) => SwrError::BadRequest(json::describe(de)),
        _ => SwrError::BadRequest("The request body could not be read.".into()),
    };
    e.into()
}

fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    SwrError::BadRequest("Invalid path parameter.".into()).into()
}

fn query_error(_: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    SwrError::BadRequest("Invalid query string.".into()).into()
}

/// A known path with an unsupported method: 405 in the envelope, like every other error.
fn method_not_allowed<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let (status, code, message) = SwrError::MethodNotAllowed.parts();
    let body = swr_error(status, code, &message);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, body).map_into_right_body(),
    ))
}

/// No id or query value contains NUL; refuse it before it reaches a database.
async fn reject_encoded_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if json::has_encoded_nul(req.uri()) {
        let res = actix_web::ResponseError::error_response(&SwrError::BadRequest(
            "The URL must not contain NUL characters.".into(),
        ));
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
