//! The error plumbing every JSON service mounts the same way, rendered in the service's
//! own envelope: bad JSON, paths, queries and unreadable bodies are 400, oversized bodies
//! 413, unknown paths
//! 404, known paths with another method 405, and URLs carrying NUL are refused before
//! they reach a database.
//!
//! The vocabulary every service's error table speaks, whatever its envelope:
//! - Each error enum has one table, `on_the_wire()`, giving what the caller sees
//!   (status, code, message as the envelope needs), tested per variant, with a test that
//!   no internal cause reaches the body.
//! - A `StoreError` reads the same in every service: `Unavailable` is 503, `NotFound` the
//!   service's not found (for the JSON APIs their [`ServiceError::not_found`]),
//!   `UniqueViolation` a 409 conflict (TCR: its name-exists code), `Other` a 500. A `ForeignKeyViolation` is a not found (404) of the thing the request refers
//!   to: a write can only meet one when a row it names was deleted under it (handlers
//!   check their parents first), and the missing parent is what the caller must hear
//!   about, as Keystone answers a missing group or user with 404. It is never a 400: the
//!   request was valid when it was checked.
//! - A refused credential is worded by [`super::refusal`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::json::{describe, has_encoded_nul, BodyError};

/// What a service's error type offers the shared plumbing.
pub trait ServiceError: ResponseError + From<BodyError> + Sized + 'static {
    fn bad_request(message: String) -> Self;
    fn payload_too_large() -> Self;
    fn not_found() -> Self;
    fn method_not_allowed() -> Self;

    /// The answer to `self` for `req`, refused before routing: the error's own rendering,
    /// unless the service answers part of its paths in another envelope (iam-svc's `/v5`).
    fn response_to(self, _req: &HttpRequest) -> HttpResponse {
        self.error_response()
    }
}

/// `web::JsonConfig` with the body limit and the service's 400/413.
pub fn json_config<E: ServiceError>(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _: &HttpRequest| {
            let e = match &err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => E::payload_too_large(),
                JsonPayloadError::ContentType => {
                    E::bad_request("Content-Type must be application/json.".into())
                }
                JsonPayloadError::Deserialize(de) => E::bad_request(describe(de)),
                _ => E::bad_request("The request body could not be read.".into()),
            };
            e.into()
        })
}

pub fn path_config<E: ServiceError>() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_: PathError, _: &HttpRequest| {
        E::bad_request("Invalid path parameter.".into()).into()
    })
}

pub fn query_config<E: ServiceError>() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|_: QueryPayloadError, _: &HttpRequest| {
        E::bad_request("Invalid query string.".into()).into()
    })
}

/// The default service: 404 in the envelope.
pub async fn not_found<E: ServiceError>() -> Result<HttpResponse, E> {
    Err(E::not_found())
}

/// For `ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed::<E, _>)`:
/// actix answers a known path with another method by an empty 405; this renders it. A
/// 405 that carries an error was rendered already (a scope of the service with an
/// envelope of its own), and is kept.
pub fn method_not_allowed<E: ServiceError, B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.response().error().is_some() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (req, _) = res.into_parts();
    let body = E::method_not_allowed().error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, body).map_into_right_body(),
    ))
}

/// For `ErrorHandlers` on 400 and 413: a raw body (`web::Bytes`, `web::Payload`) that
/// could not be read, because it is over the limit or was not received within
/// `server.body_timeout_ms`, is refused by actix in plain text; this renders it in the
/// envelope, as a JSON body's refusal is. Every other answer passes unchanged.
pub fn unreadable_body<E: ServiceError, B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let refusal = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<PayloadError>())
    {
        Some(PayloadError::Overflow) => E::payload_too_large(),
        Some(_) => E::bad_request("The request body could not be read.".into()),
        None => return Ok(ErrorHandlerResponse::Response(res.map_into_left_body())),
    };
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, refusal.error_response()).map_into_right_body(),
    ))
}

/// Middleware (`from_fn(reject_encoded_nul::<E, _>)`): no id, name or query value may
/// contain NUL; PostgreSQL would fail on it and SQLite treat it as a miss, so refuse it
/// the same way on both.
pub async fn reject_encoded_nul<E: ServiceError, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if has_encoded_nul(req.uri()) {
        let res = E::bad_request("The URL must not contain NUL characters.".into())
            .response_to(req.request());
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
