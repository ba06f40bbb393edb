//! The frame every service's actix app is built in: the app data the shared extractors
//! and probes need, the middleware chain in its one order, the probes and the fallback
//! for unknown paths. A service's `app::build` starts from [`json_api`] (or [`plain`])
//! and adds only its own routes and data.
//!
//! The middleware order is a rule, so it is written here once. `App::wrap` puts each new
//! middleware outside the ones before it; from the outside in, a request meets:
//! 1. [`observe`]: every answer, refusals by the layers below included, gets its request
//!    id, is counted and reaches the access log with its final status.
//! 2. [`separate_listeners`]: an internal path on the public port (or the reverse) is not
//!    found before anything else reads the request.
//! 3. [`reject_encoded_nul`]: a URL carrying NUL is refused before any layer could hand
//!    it to a database (the signature check looks up keys).
//! 4. the error renderers: actix's empty 405 for a known path, and its plain-text refusal
//!    of a raw body it could not read, become the envelope; the signature check inside
//!    sees those answers as failures.
//! 5. [`signed_requests`]: innermost, so it checks the signature just before the
//!    handlers and sees their final status, giving back the signature of a failed
//!    request so the SDK's retry is not taken for a replay.
//!
//! This module must not know any service's routes, state or error envelope: those come
//! in through the `E: ServiceError` parameter and the service's own `configure`.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};

use super::errors::{self, reject_encoded_nul, ServiceError};
use super::{configure_health, observe, separate_listeners, Metrics};
use crate::auth::{signed_requests, SignatureSettings, SignatureVerifier, TokenVerifier};
use crate::db::DbPool;

/// What an app built here is to actix: a factory of its request handling, answering
/// with bodies of type [`AppFactory::Body`]. `main` serves it and the tests call it;
/// naming it once keeps each service's `build` signature to one line.
pub trait AppFactory:
    ServiceFactory<
    ServiceRequest,
    Config = (),
    Response = ServiceResponse<<Self as AppFactory>::Body>,
    Error = actix_web::Error,
    InitError = (),
>
{
    type Body: MessageBody;
}

impl<T, B> AppFactory for T
where
    B: MessageBody,
    T: ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
        InitError = (),
    >,
{
    type Body = B;
}

/// What every service's app holds, whatever its API: the pool (readiness, the
/// extractors' stores) and the metrics the request observer counts into.
pub struct AppFrame {
    pub pool: DbPool,
    pub metrics: web::Data<Metrics>,
}

/// What a JSON API that accepts X-Auth-Token and SDK-HMAC-SHA256 signatures adds.
pub struct JsonApi {
    /// `server.max_body_bytes`: the JSON and payload limits and the most a signature
    /// check reads.
    pub max_body_bytes: usize,
    /// The largest accepted distance between `X-Sdk-Date` and our clock.
    pub max_signature_skew: Duration,
    /// Verifies X-Auth-Token offline (the `Authenticated` extractor asks it).
    pub verifier: Arc<TokenVerifier>,
    /// Checks signed requests (the `signed_requests` middleware asks it).
    pub signatures: Arc<dyn SignatureVerifier>,
}

/// The frame of a JSON API whose errors render in `E`'s envelope: bad or unreadable
/// bodies, paths and queries are 400, oversized bodies 413, unknown paths 404 and known paths with another
/// method 405, all through `E`.
pub fn json_api<E: ServiceError>(frame: AppFrame, api: JsonApi) -> App<impl AppFactory> {
    let limit = api.max_body_bytes;
    let settings = SignatureSettings {
        max_body_bytes: limit,
        max_skew: api.max_signature_skew,
    };
    App::new()
        .app_data(web::Data::new(frame.pool))
        .app_data(frame.metrics)
        .app_data(web::Data::from(api.verifier))
        .app_data(web::Data::from(api.signatures))
        .app_data(web::Data::new(settings))
        .app_data(errors::json_config::<E>(limit))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(errors::path_config::<E>())
        .app_data(errors::query_config::<E>())
        .wrap(from_fn(signed_requests))
        .wrap(
            ErrorHandlers::new()
                .handler(
                    StatusCode::METHOD_NOT_ALLOWED,
                    errors::method_not_allowed::<E, _>,
                )
                .handler(StatusCode::BAD_REQUEST, errors::unreadable_body::<E, _>)
                .handler(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    errors::unreadable_body::<E, _>,
                ),
        )
        .wrap(from_fn(reject_encoded_nul::<E, _>))
        .wrap(from_fn(separate_listeners::<E, _>))
        .wrap(from_fn(observe))
        .configure(configure_health)
        .default_service(web::to(errors::not_found::<E>))
}

/// The frame of an API that renders every answer itself (TCR's always-200 envelope):
/// request ids, metrics and the probes, nothing that would answer in another envelope.
pub fn plain(frame: AppFrame) -> App<impl AppFactory> {
    App::new()
        .app_data(web::Data::new(frame.pool))
        .app_data(frame.metrics)
        .wrap(from_fn(observe))
        .configure(configure_health)
}
