//! The actix application: iam-svc's routes and data in the shared frame
//! ([`service_kit::http::frame`], which owns the middleware order). `main` and the tests
//! build the same app through [`build`].

use std::time::Duration;

use actix_web::{web, App};
use service_kit::http::{frame, AppFactory, AppFrame, JsonApi, Metrics};

use crate::error::IamError;
use crate::routes;
use crate::state::AppState;

/// The whole iam-svc application over `state`.
pub fn build(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> App<impl AppFactory> {
    let api = JsonApi {
        max_body_bytes: state.config.server.max_body_bytes,
        max_signature_skew: Duration::from_secs(
            state.config.access_keys.signature_max_skew_seconds,
        ),
        verifier: state.verifier.clone(),
        // Permanent keys are ours; requests with a security token go to their issuer.
        signatures: state.routed_signatures.clone(),
    };
    let base = AppFrame {
        pool: state.pool.clone(),
        metrics,
    };
    frame::json_api::<IamError>(base, api)
        .app_data(state)
        .configure(routes::configure)
        .configure(service_kit::openapi::configure(&crate::openapi::document()))
}
