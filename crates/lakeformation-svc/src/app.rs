//! The actix application. `main` and the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};
use service_kit::auth::{
    signed_requests, InternalCredential, SignatureSettings, SignatureVerifier,
};
use service_kit::http::{configure_health, errors, observe, Metrics};

use crate::error::LfError;
use crate::routes;
use crate::state::AppState;

// The body extractor that `errors::json_config` below configures; it lives beside the
// error it refuses with, so handlers need nothing from the app.
pub use crate::error::Json;

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
        .app_data(errors::json_config::<LfError>(max_body))
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(errors::path_config::<LfError>())
        .app_data(errors::query_config::<LfError>())
        .wrap(from_fn(signed_requests))
        .wrap(ErrorHandlers::new().handler(
            StatusCode::METHOD_NOT_ALLOWED,
            errors::method_not_allowed::<LfError, _>,
        ))
        .wrap(from_fn(errors::reject_encoded_nul::<LfError, _>))
        .wrap(from_fn(service_kit::http::separate_listeners::<LfError, _>))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(routes::configure)
        .default_service(web::to(errors::not_found::<LfError>))
}
