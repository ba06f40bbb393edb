//! Request ids, the access log and request metrics, in one middleware so each request is
//! timed and labelled once.
//!
//! The access log prints method, path (never the query), status, duration and the
//! client's address (behind a trusted proxy, the one it forwards). It
//! never prints headers, so `Authorization`, `X-Auth-Token`, `X-Security-Token` and
//! `X-TC-Token` cannot reach the log through it.

use std::future::{ready, Ready};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::client_address::{client_address, TrustedProxies};
use super::Metrics;

/// The header that carries the request id both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request: the caller's `X-Request-Id` when it is sane, otherwise
/// a fresh one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    fn from_header(value: Option<&HeaderValue>) -> RequestId {
        value
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_acceptable_id(v))
            .map(|v| RequestId(v.to_string()))
            .unwrap_or_else(|| RequestId(uuid::Uuid::new_v4().simple().to_string()))
    }
}

/// Caller-chosen ids end up in logs and headers, so only short, plain ones are kept.
fn is_acceptable_id(v: &str) -> bool {
    (1..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let id = req.extensions().get::<RequestId>().cloned();
        ready(Ok(id.unwrap_or_else(|| RequestId::from_header(None))))
    }
}

/// The middleware: `App::new().wrap(actix_web::middleware::from_fn(observe))`.
/// It needs `web::Data<Metrics>` in the app data.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = RequestId::from_header(req.headers().get(REQUEST_ID_HEADER));
    req.extensions_mut().insert(request_id.clone());
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().clone();
    let path = req.path().to_string();
    let peer = match req.app_data::<web::Data<TrustedProxies>>() {
        Some(proxies) => client_address(req.request(), &proxies.0),
        None => client_address(req.request(), &[]),
    };
    let peer = if peer.is_empty() {
        "-".to_string()
    } else {
        peer
    };

    if let Some(m) = &metrics {
        m.request_started();
    }
    // Handlers' errors arrive as responses; an `Err` here comes from another middleware
    // and is rendered by actix itself. (Cloning the request to render it here would stop
    // the router from writing path parameters into it.)
    let mut res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            if let Some(m) = &metrics {
                m.request_finished(err.error_response().status().as_u16(), started.elapsed());
            }
            log::warn!(
                "{} {method} {path} failed in middleware: {err}",
                request_id.0
            );
            return Err(err);
        }
    };
    let status = res.status();
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    let elapsed = started.elapsed();
    if let Some(m) = &metrics {
        m.request_finished(status.as_u16(), elapsed);
    }
    let error = res.response().error();
    // A plain 503 with no error behind it is a state the handler reports and explains
    // itself (`/readyz` while draining, polled by every balancer): not a failure.
    let reported_state = status == StatusCode::SERVICE_UNAVAILABLE && error.is_none();
    if status.is_server_error() && !reported_state {
        // The cause stays here, in the log, tied to the request id; the body is generic.
        let cause = error.map(|e| e.to_string()).unwrap_or_default();
        log::error!("{} {method} {path} failed: {cause}", request_id.0);
    }
    log::log!(
        target: "access",
        access_level(&path, status),
        "{} {peer} \"{method} {path}\" {} {:.1}ms",
        request_id.0,
        status.as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(res)
}

/// The level of a request's access-log line. Calls between services (every replica polls
/// iam-svc's key and revocation feeds, and asks it to check signatures for requests that
/// are logged where they arrived) and the balancer's and scraper's probes are the stack's
/// own traffic: at `debug` while they succeed, so the `info` log shows what users and
/// clients did. A refused or failed one is news, and stays at `info`.
fn access_level(path: &str, status: StatusCode) -> log::Level {
    let own_traffic = path.starts_with(super::server::INTERNAL_PREFIX)
        || matches!(path, "/healthz" | "/readyz" | "/metrics");
    if own_traffic && !status.is_client_error() && !status.is_server_error() {
        log::Level::Debug
    } else {
        log::Level::Info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stacks_own_traffic_is_logged_at_debug_until_it_fails() {
        let ok = StatusCode::OK;
        assert_eq!(
            access_level("/internal/v1/revocations", ok),
            log::Level::Debug
        );
        assert_eq!(
            access_level("/internal/v1/token-keys", StatusCode::NOT_MODIFIED),
            log::Level::Debug
        );
        assert_eq!(access_level("/healthz", ok), log::Level::Debug);
        assert_eq!(access_level("/readyz", ok), log::Level::Debug);
        assert_eq!(access_level("/metrics", ok), log::Level::Debug);
        assert_eq!(
            access_level("/readyz", StatusCode::SERVICE_UNAVAILABLE),
            log::Level::Info
        );
        assert_eq!(
            access_level("/internal/v1/revocations", StatusCode::UNAUTHORIZED),
            log::Level::Info
        );
        assert_eq!(access_level("/v3/users", ok), log::Level::Info);
        assert_eq!(access_level("/internalx", ok), log::Level::Info);
        assert_eq!(access_level("/healthz/x", ok), log::Level::Info);
    }

    #[test]
    fn odd_request_ids_are_replaced() {
        assert!(is_acceptable_id("abc-123_x.y"));
        assert!(!is_acceptable_id(""));
        assert!(!is_acceptable_id("a b"));
        assert!(!is_acceptable_id("a\nb"));
        assert!(!is_acceptable_id(&"a".repeat(129)));
    }
}

#[cfg(test)]
mod request_id_tests {
    use super::*;

    #[test]
    fn the_callers_id_is_kept_only_when_sane() {
        let kept = RequestId::from_header(Some(&HeaderValue::from_static("abc-123_x.y")));
        assert_eq!(kept.0, "abc-123_x.y");
        let longest = "z".repeat(128);
        assert_eq!(
            RequestId::from_header(Some(&HeaderValue::from_str(&longest).unwrap())).0,
            longest
        );
        for odd in ["", "a b", "a/b", "ü"] {
            let value = HeaderValue::from_bytes(odd.as_bytes()).unwrap();
            let id = RequestId::from_header(Some(&value)).0;
            assert_ne!(id, odd);
            assert_eq!(id.len(), 32, "{id}");
        }
    }

    #[test]
    fn a_fresh_id_is_32_hex_characters_and_unique() {
        let a = RequestId::from_header(None).0;
        let b = RequestId::from_header(None).0;
        assert!(
            a.len() == 32 && a.bytes().all(|c| c.is_ascii_hexdigit()),
            "{a}"
        );
        assert_ne!(a, b);
    }
}
