//! The actix application: lakeformation-svc's routes and data in the shared frame
//! ([`service_kit::http::frame`], which owns the middleware order). `main` and the tests
//! build the same app through [`build`].

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App};
use service_kit::auth::{InternalCredential, SignatureVerifier};
use service_kit::http::{frame, AppFactory, AppFrame, JsonApi, Metrics};

use crate::error::LfError;
use crate::routes;
use crate::state::AppState;

/// The collaborators `main` (or a test) builds once and the app is given besides its
/// state: who checks signatures, the credential internal callers must present, and the
/// metrics every worker counts into.
pub struct Collaborators {
    /// Routes signatures: permanent keys and iam-svc's temporary ones to iam-svc, this
    /// service's temporary ones here.
    pub signatures: Arc<dyn SignatureVerifier>,
    pub internal: web::Data<InternalCredential>,
    pub metrics: web::Data<Metrics>,
}

/// The whole lakeformation-svc application over `state`.
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
    frame::json_api::<LfError>(base, api)
        .app_data(collaborators.internal.clone())
        .app_data(state)
        .configure(routes::configure)
        .configure(service_kit::openapi::configure(&crate::openapi::document()))
}
