//! The actix application: state, extractor settings, middleware and routes. `main` and
//! the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};
use service_kit::auth::{signed_requests, SignatureSettings, SignatureVerifier};
use service_kit::http::{configure_health, errors, observe, Metrics, ServiceError};
use service_kit::registry::{self, RegistryAuthorizer, RegistryTokenIssuer};

use crate::error::SwrError;
pub use crate::error::{Caller, Json};
use crate::routes;
use crate::state::AppState;

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
        .app_data(errors::json_config::<SwrError>(max_body))
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(errors::path_config::<SwrError>())
        .app_data(errors::query_config::<SwrError>())
        .wrap(from_fn(signed_requests))
        .wrap(ErrorHandlers::new().handler(
            StatusCode::METHOD_NOT_ALLOWED,
            errors::method_not_allowed::<SwrError, _>,
        ))
        .wrap(from_fn(errors::reject_encoded_nul::<SwrError, _>))
        .wrap(from_fn(
            service_kit::http::separate_listeners::<SwrError, _>,
        ))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(registry::configure)
        .configure(routes::configure)
        .default_service(web::to(errors::not_found::<SwrError>))
}

impl ServiceError for SwrError {
    fn bad_request(message: String) -> Self {
        SwrError::BadRequest(message)
    }

    fn payload_too_large() -> Self {
        SwrError::PayloadTooLarge
    }

    fn not_found() -> Self {
        SwrError::RouteNotFound
    }

    fn method_not_allowed() -> Self {
        SwrError::MethodNotAllowed
    }
}
