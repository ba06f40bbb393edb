//! IAM v5's error envelope, `{"error_code": "PAP5.0001", "error_msg": "...",
//! "request_id": "..."}`, for every answer under `/v5`: one table from [`IamError`] (and
//! the few refusals only v5 has, [`V5Error`]) to status, code and message, and the scope
//! middleware ([`envelope`]) that renders each refusal under `/v5` through it, the
//! extractors' and the router's included, with the request id the `X-Request-Id` header
//! carries. The rest of iam-svc keeps Keystone's envelope ([`crate::error`]).
//!
//! `PAP5.0001` (access denied) and `PAP5.0010` (invalid marker) are the vendor's codes,
//! `APIGW.0301` its gateway's for a refused credential; the others are iam-svc's own
//! numbers in the same form (docs/api/iam.md lists them).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use serde::Serialize;
use service_kit::auth::AuthError;
use service_kit::http::{refusal, RequestId};
use utoipa::ToSchema;

use crate::error::IamError;

/// What a v5 request can end in besides success: any iam-svc error, or a refusal only
/// v5 has.
#[derive(Debug, thiserror::Error)]
pub enum V5Error {
    #[error(transparent)]
    Iam(#[from] IamError),
    /// A `marker` that no page of this list handed out.
    #[error("invalid marker")]
    InvalidMarker,
}

/// One row of the table: the status, the code and the message the caller sees.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

/// The access-denied refusal: the vendor's code and the start of its message.
pub const ACCESS_DENIED: &str = "PAP5.0001";
/// A `marker` that is not one this service handed out.
pub const INVALID_MARKER: &str = "PAP5.0010";
/// A malformed path, query or body, or a value out of its range.
pub const INVALID_PARAMETER: &str = "PAP5.0101";
/// The user already holds `access_keys.max_per_user` keys (v3.0's `akSkNumExceed`).
pub const KEY_QUOTA: &str = "PAP5.0102";
/// The credential is missing or refused: the gateway's code.
pub const UNAUTHENTICATED: &str = "APIGW.0301";
/// No such user or key, or one of another domain.
pub const NOT_FOUND: &str = "PAP5.0104";
/// A known path with a method it does not serve.
pub const METHOD_NOT_ALLOWED: &str = "PAP5.0105";
/// A conflict with the stored state.
pub const CONFLICT: &str = "PAP5.0109";
/// The body is over `server.max_body_bytes`.
pub const TOO_LARGE: &str = "PAP5.0113";
/// Too many attempts.
pub const TOO_MANY: &str = "PAP5.0129";
/// Anything unexpected; the cause is logged, never sent.
pub const INTERNAL: &str = "PAP5.0150";
/// The database or a key issuer is unavailable.
pub const UNAVAILABLE: &str = "PAP5.0153";

impl V5Error {
    /// The explicit table.
    pub fn refusal(&self) -> Refusal {
        match self {
            V5Error::Iam(e) => iam_refusal(e),
            V5Error::InvalidMarker => refused(
                StatusCode::BAD_REQUEST,
                INVALID_MARKER,
                "invalid marker: pass page_info.next_marker of the previous page",
            ),
        }
    }
}

fn iam_refusal(e: &IamError) -> Refusal {
    use StatusCode as S;
    match e {
        IamError::BadRequest(m) => refused(S::BAD_REQUEST, INVALID_PARAMETER, m.clone()),
        IamError::Unauthenticated(AuthError::ScopeRefused) | IamError::ScopeRefused => refused(
            S::FORBIDDEN,
            ACCESS_DENIED,
            "access denied: the credential has no access to the requested project or domain",
        ),
        IamError::Unauthenticated(a) => refused(
            S::UNAUTHORIZED,
            UNAUTHENTICATED,
            format!(
                "Incorrect IAM authentication information: {}",
                refusal::signature_refusal(a)
                    .unwrap_or_else(|| "the request requires authentication".into())
            ),
        ),
        IamError::LoginFailed => refused(
            S::UNAUTHORIZED,
            UNAUTHENTICATED,
            "Incorrect IAM authentication information: login refused",
        ),
        IamError::Forbidden(_) => refused(
            S::FORBIDDEN,
            ACCESS_DENIED,
            "access denied: not allowed by the policy",
        ),
        IamError::TemporaryKeyRefused => refused(
            S::FORBIDDEN,
            ACCESS_DENIED,
            format!("access denied: {}", crate::policy::TEMPORARY_REFUSED),
        ),
        IamError::NotFound(what) => refused(S::NOT_FOUND, NOT_FOUND, format!("no such {what}")),
        IamError::Conflict(m) => refused(S::CONFLICT, CONFLICT, m.clone()),
        IamError::QuotaExceeded => refused(
            S::BAD_REQUEST,
            KEY_QUOTA,
            "access keys per user limit exceeded (akSkNumExceed)",
        ),
        IamError::MethodNotAllowed => refused(
            S::METHOD_NOT_ALLOWED,
            METHOD_NOT_ALLOWED,
            "the method is not allowed for the requested URL",
        ),
        IamError::PayloadTooLarge => refused(
            S::PAYLOAD_TOO_LARGE,
            TOO_LARGE,
            "the request body is too large",
        ),
        IamError::TooManyAttempts => refused(
            S::TOO_MANY_REQUESTS,
            TOO_MANY,
            "too many attempts; try again later",
        ),
        IamError::Unavailable(_) => refused(
            S::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
            "the service is temporarily unavailable",
        ),
        IamError::Internal(_) => refused(
            S::INTERNAL_SERVER_ERROR,
            INTERNAL,
            "an unexpected error prevented the server from fulfilling the request",
        ),
    }
}

/// A refusal no error stands behind (the router's 404 and 405, actix's own body
/// errors), by its status.
fn by_status(status: StatusCode) -> Refusal {
    match status {
        StatusCode::NOT_FOUND => iam_refusal(&IamError::NotFound("resource")),
        StatusCode::METHOD_NOT_ALLOWED => iam_refusal(&IamError::MethodNotAllowed),
        StatusCode::PAYLOAD_TOO_LARGE => iam_refusal(&IamError::PayloadTooLarge),
        s if s.is_server_error() => refused(s, INTERNAL, "the request failed"),
        s => refused(s, INVALID_PARAMETER, "the request could not be read"),
    }
}

/// IAM v5's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct V5ErrorBody {
    /// `PAP5.xxxx`, or `APIGW.0301` for a refused credential.
    pub error_code: &'static str,
    /// What went wrong, safe to show; never an internal cause.
    pub error_msg: String,
    /// The request's id, as in the `X-Request-Id` header.
    pub request_id: String,
}

/// A refusal as sent, with what caused it for the log (the access log and the 5xx log
/// line read it through the response's error).
#[derive(Debug, thiserror::Error)]
#[error("{cause}")]
struct Rendered {
    status: StatusCode,
    body: V5ErrorBody,
    cause: String,
}

impl ResponseError for Rendered {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(&self.body)
    }
}

/// Without a request id (the [`envelope`] middleware adds it).
impl ResponseError for V5Error {
    fn status_code(&self) -> StatusCode {
        self.refusal().status
    }

    fn error_response(&self) -> HttpResponse {
        let r = self.refusal();
        HttpResponse::build(r.status).json(V5ErrorBody {
            error_code: r.code,
            error_msg: r.message,
            request_id: String::new(),
        })
    }
}

/// Whether `path` is under the `/v5` scope.
pub fn is_v5_path(path: &str) -> bool {
    path == "/v5" || path.starts_with("/v5/")
}

/// `e` in v5's envelope for `req`, when it is refused before the scope's middleware
/// could see it (a URL carrying NUL).
pub fn respond(req: &actix_web::HttpRequest, e: &IamError) -> HttpResponse {
    rendered(req, iam_refusal(e), e.to_string())
}

/// `refusal` as v5's body, with the request's id; `cause` goes to the log only.
fn rendered(req: &actix_web::HttpRequest, refusal: Refusal, cause: String) -> HttpResponse {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    HttpResponse::from_error(Rendered {
        status: refusal.status,
        body: V5ErrorBody {
            error_code: refusal.code,
            error_msg: refusal.message,
            request_id,
        },
        cause,
    })
}

/// The middleware of the `/v5` scope: every answer of 400 and above leaves in v5's
/// envelope with the request id, whoever refused (handler, extractor or router).
pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_boxed_body());
    }
    let error = res.response().error();
    let refusal = error
        .and_then(|e| {
            e.as_error::<V5Error>()
                .map(V5Error::refusal)
                .or_else(|| e.as_error::<IamError>().map(iam_refusal))
        })
        .unwrap_or_else(|| by_status(status));
    let cause = error.map_or_else(|| format!("refused with {status}"), |e| e.to_string());
    let (req, _) = res.into_parts();
    let answer = rendered(&req, refusal, cause);
    Ok(ServiceResponse::new(req, answer).map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_maps_each_kind() {
        let cases = [
            (V5Error::InvalidMarker, 400, INVALID_MARKER),
            (
                IamError::BadRequest("x".into()).into(),
                400,
                INVALID_PARAMETER,
            ),
            (IamError::QuotaExceeded.into(), 400, KEY_QUOTA),
            (
                IamError::Unauthenticated(AuthError::Expired).into(),
                401,
                UNAUTHENTICATED,
            ),
            (
                IamError::Unauthenticated(AuthError::ScopeRefused).into(),
                403,
                ACCESS_DENIED,
            ),
            (IamError::Forbidden("x").into(), 403, ACCESS_DENIED),
            (IamError::TemporaryKeyRefused.into(), 403, ACCESS_DENIED),
            (IamError::NotFound("user").into(), 404, NOT_FOUND),
            (IamError::MethodNotAllowed.into(), 405, METHOD_NOT_ALLOWED),
            (IamError::Conflict("x".into()).into(), 409, CONFLICT),
            (IamError::PayloadTooLarge.into(), 413, TOO_LARGE),
            (IamError::TooManyAttempts.into(), 429, TOO_MANY),
            (IamError::Internal("boom".into()).into(), 500, INTERNAL),
            (IamError::Unavailable("db".into()).into(), 503, UNAVAILABLE),
        ];
        for (err, status, code) in cases {
            let r = err.refusal();
            assert_eq!((r.status.as_u16(), r.code), (status, code), "{err:?}");
        }
    }

    #[test]
    fn internal_causes_never_reach_the_message() {
        for e in [
            IamError::Internal("secret cause".into()),
            IamError::Unavailable("secret cause".into()),
        ] {
            assert!(!V5Error::from(e).refusal().message.contains("secret"));
        }
    }
}
