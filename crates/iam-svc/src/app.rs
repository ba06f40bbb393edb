//! The actix application: state, extractor settings, middleware and routes. `main` and
//! the tests build the same app through [`build`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};
use service_kit::auth::{signed_requests, SignatureSettings, SignatureVerifier};
use service_kit::http::{configure_health, errors, observe, Metrics, ServiceError};

use crate::error::IamError;
use crate::routes;
use crate::state::AppState;

pub use crate::error::Json;

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
    // Permanent keys are ours; requests with a security token go to their issuer.
    let signatures: std::sync::Arc<dyn SignatureVerifier> = state.routed_signatures.clone();
    let settings = SignatureSettings {
        max_body_bytes: max_body,
        max_skew: std::time::Duration::from_secs(
            state.config.access_keys.signature_max_skew_seconds,
        ),
    };
    App::new()
        .app_data(web::Data::from(signatures))
        .app_data(web::Data::new(settings))
        .app_data(web::Data::from(state.verifier.clone()))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(state)
        .app_data(metrics)
        .app_data(errors::json_config::<IamError>(max_body))
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(errors::path_config::<IamError>())
        .app_data(errors::query_config::<IamError>())
        .wrap(from_fn(signed_requests))
        .wrap(ErrorHandlers::new().handler(
            StatusCode::METHOD_NOT_ALLOWED,
            errors::method_not_allowed::<IamError, _>,
        ))
        .wrap(from_fn(errors::reject_encoded_nul::<IamError, _>))
        .wrap(from_fn(
            service_kit::http::separate_listeners::<IamError, _>,
        ))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(routes::configure)
        .default_service(web::to(errors::not_found::<IamError>))
}

impl ServiceError for IamError {
    fn bad_request(message: String) -> Self {
        IamError::BadRequest(message)
    }

    fn payload_too_large() -> Self {
        IamError::PayloadTooLarge
    }

    fn not_found() -> Self {
        IamError::NotFound("the requested resource")
    }

    fn method_not_allowed() -> Self {
        IamError::MethodNotAllowed
    }
}
