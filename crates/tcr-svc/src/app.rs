//! The actix application. `main` and the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App};
use service_kit::http::{configure_health, observe, Metrics};
use service_kit::registry::{self, RegistryAuthorizer, RegistryTokenIssuer};

use crate::api;
use crate::state::AppState;

/// What the app needs besides the state: registry logins and metrics.
pub struct Parts {
    pub registry_issuer: web::Data<RegistryTokenIssuer>,
    pub registry_authorizer: Arc<dyn RegistryAuthorizer>,
    pub metrics: web::Data<Metrics>,
}

/// The whole tcr-svc application over `state`.
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
    App::new()
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(parts.registry_issuer.clone())
        .app_data(web::Data::from(parts.registry_authorizer.clone()))
        .app_data(state)
        .app_data(parts.metrics.clone())
        .wrap(from_fn(observe))
        .configure(configure_health)
        .configure(registry::configure)
        .configure(api::configure)
}
