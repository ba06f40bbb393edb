//! The actix application: swr-svc's routes, registry login and data in the shared frame
//! ([`service_kit::http::frame`], which owns the middleware order). `main` and the tests
//! build the same app through [`build`].

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App};
use service_kit::auth::SignatureVerifier;
use service_kit::http::{frame, AppFactory, AppFrame, JsonApi, Metrics};
use service_kit::registry::{self, RegistryAuthorizer, RegistryTokenIssuer};

use crate::error::SwrError;
use crate::routes;
use crate::state::AppState;

/// The collaborators `main` (or a test) builds once and the app is given besides its
/// state: who checks signatures, who issues and who authorizes registry logins, and
/// the metrics every worker counts into.
pub struct Collaborators {
    pub signatures: Arc<dyn SignatureVerifier>,
    pub registry_issuer: web::Data<RegistryTokenIssuer>,
    pub registry_authorizer: Arc<dyn RegistryAuthorizer>,
    pub metrics: web::Data<Metrics>,
}

/// The whole swr-svc application over `state`.
pub fn build(state: web::Data<AppState>, collaborators: &Collaborators) -> App<impl AppFactory> {
    let api = JsonApi {
        max_body_bytes: state.config.server.max_body_bytes,
        max_signature_skew: Duration::from_secs(state.config.iam.signature_max_skew_seconds),
        verifier: state.verifier.clone(),
        signatures: collaborators.signatures.clone(),
    };
    let base = AppFrame {
        pool: state.pool.clone(),
        metrics: collaborators.metrics.clone(),
    };
    frame::json_api::<SwrError>(base, api)
        .app_data(collaborators.registry_issuer.clone())
        .app_data(web::Data::from(collaborators.registry_authorizer.clone()))
        .app_data(state)
        .configure(registry::configure)
        .configure(routes::configure)
        .configure(service_kit::openapi::configure(&crate::openapi::document()))
}
