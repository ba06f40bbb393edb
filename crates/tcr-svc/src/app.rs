//! The actix application: tcr-svc's API 3.0 endpoint and registry login in the shared
//! plain frame ([`service_kit::http::frame::plain`]: TCR renders every answer itself, in
//! its always-200 envelope). `main` and the tests build the same app through [`build`].

use std::sync::Arc;

use actix_web::{web, App};
use service_kit::http::{frame, AppFactory, AppFrame, Metrics};
use service_kit::registry::{self, RegistryAuthorizer, RegistryTokenIssuer};

use crate::state::AppState;
use crate::{api, openapi};

/// The collaborators `main` (or a test) builds once and the app is given besides its
/// state: who issues and who authorizes registry logins, and the metrics every worker
/// counts into.
pub struct Collaborators {
    pub registry_issuer: web::Data<RegistryTokenIssuer>,
    pub registry_authorizer: Arc<dyn RegistryAuthorizer>,
    pub metrics: web::Data<Metrics>,
}

/// The whole tcr-svc application over `state`.
pub fn build(state: web::Data<AppState>, collaborators: &Collaborators) -> App<impl AppFactory> {
    let base = AppFrame {
        pool: state.pool.clone(),
        metrics: collaborators.metrics.clone(),
    };
    frame::plain(base)
        .app_data(collaborators.registry_issuer.clone())
        .app_data(web::Data::from(collaborators.registry_authorizer.clone()))
        .app_data(state)
        .configure(registry::configure)
        .configure(service_kit::openapi::configure(&openapi::document()))
        .configure(api::configure)
}
