//! The one error type of swr-svc and its mapping to SWR's envelope:
//! `{"error_code": "SWR.xxxx", "error_msg": "..."}` (docs/api/swr.md lists every code).
//! The extractors that refuse in that envelope ([`Json`], [`Caller`]) live here too, so
//! the routes take them from beside the error rather than from the app.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use service_kit::auth::{AuthError, Authenticated};
use service_kit::db::StoreError;
use service_kit::http::refusal::gateway_refusal;
use service_kit::http::{ServiceError, StrictJson};

/// A JSON request body, refused in SWR's envelope when it does not fit.
pub type Json<T> = StrictJson<T, SwrError>;

/// The authenticated caller of a swr-svc endpoint; what they may do is `crate::policy`'s.
pub type Caller = Authenticated<SwrError>;

/// Everything a request can end in other than success.
#[derive(Debug, thiserror::Error)]
pub enum SwrError {
    /// A malformed body, parameter or value; the message says which.
    #[error("{0}")]
    BadRequest(String),
    /// A credential or namespace name breaks the naming rule.
    #[error("{0}")]
    InvalidName(String),
    /// `offset` or `limit` out of range.
    #[error("{0}")]
    BadPagination(String),
    /// The user holds the most credentials allowed on the instance.
    #[error("credential quota exceeded")]
    QuotaExceeded(u32),
    /// No or bad credentials.
    #[error("authentication failed: {0}")]
    Unauthenticated(AuthError),
    /// Authenticated, but not for this project or action.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("instance not found")]
    InstanceNotFound,
    #[error("credential not found")]
    CredentialNotFound,
    /// No live namespace of that name in the instance (deleted ones included).
    #[error("namespace not found")]
    NamespaceNotFound,
    #[error("resource not found")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The name is already in use: an instance's in its project, a credential's by its
    /// user on the instance, a namespace's in the registry.
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// The database or IAM is unavailable.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the cause is logged with the request id, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// How service-kit's extractors and middleware refuse a request in SWR's words.
impl ServiceError for SwrError {
    fn bad_request(message: String) -> Self {
        SwrError::BadRequest(message)
    }

    fn payload_too_large() -> Self {
        SwrError::PayloadTooLarge
    }

    fn not_found() -> Self {
        SwrError::RouteNotFound
    }

    fn method_not_allowed() -> Self {
        SwrError::MethodNotAllowed
    }
}

impl From<StoreError> for SwrError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => SwrError::Unavailable(cause),
            // The one reading of store errors: `service_kit::http::errors`.
            StoreError::NotFound => SwrError::RouteNotFound,
            StoreError::UniqueViolation => SwrError::Conflict("The name is already in use.".into()),
            StoreError::ForeignKeyViolation => SwrError::InstanceNotFound,
            StoreError::Other(cause) => SwrError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for SwrError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<AuthError> for SwrError {
    fn from(e: AuthError) -> Self {
        match e {
            e if e.is_unavailable() => SwrError::Unavailable(e.to_string()),
            AuthError::ScopeRefused => SwrError::Forbidden("no access to the requested project"),
            e => SwrError::Unauthenticated(e),
        }
    }
}

impl From<service_kit::http::BodyError> for SwrError {
    fn from(e: service_kit::http::BodyError) -> Self {
        SwrError::BadRequest(e.to_string())
    }
}

impl SwrError {
    /// The explicit table: status, code and the message the caller sees.
    pub fn on_the_wire(&self) -> (StatusCode, &'static str, String) {
        use StatusCode as S;
        match self {
            SwrError::BadRequest(m) => (S::BAD_REQUEST, "SWR.0001", m.clone()),
            SwrError::InvalidName(m) => (S::BAD_REQUEST, "SWR.0002", m.clone()),
            SwrError::BadPagination(m) => (S::BAD_REQUEST, "SWR.0003", m.clone()),
            SwrError::QuotaExceeded(max) => (
                S::BAD_REQUEST,
                "SWR.0004",
                format!("A user may hold at most {max} credentials on an instance."),
            ),
            SwrError::Unauthenticated(e) => (S::UNAUTHORIZED, "SWR.0101", gateway_refusal(e)),
            SwrError::Forbidden(_) => (
                S::FORBIDDEN,
                "SWR.0201",
                "You are not allowed to perform this action in this project.".into(),
            ),
            SwrError::InstanceNotFound => (
                S::NOT_FOUND,
                "SWR.0301",
                "The instance does not exist.".into(),
            ),
            SwrError::CredentialNotFound => (
                S::NOT_FOUND,
                "SWR.0302",
                "The credential does not exist.".into(),
            ),
            SwrError::NamespaceNotFound => (
                S::NOT_FOUND,
                "SWR.0303",
                "The namespace does not exist.".into(),
            ),
            SwrError::RouteNotFound => (
                S::NOT_FOUND,
                "SWR.0300",
                "The requested resource does not exist.".into(),
            ),
            SwrError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "SWR.0305",
                "The method is not allowed for the requested URL.".into(),
            ),
            SwrError::Conflict(m) => (S::CONFLICT, "SWR.0401", m.clone()),
            SwrError::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "SWR.0413",
                "The request body is too large.".into(),
            ),
            SwrError::Unavailable(_) => (
                S::SERVICE_UNAVAILABLE,
                "SWR.0503",
                "The service is temporarily unavailable.".into(),
            ),
            SwrError::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                "SWR.0500",
                "Internal error.".into(),
            ),
        }
    }
}

/// SWR's error body, the envelope of every refusal (the SDK reads both fields).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error_code": "SWR.0301", "error_msg": "The instance does not exist."}))]
pub struct ErrorBody<'a> {
    /// `SWR.` and four digits; docs/api/swr.md lists every code.
    #[schema(pattern = r"^SWR\.[0-9]{4}$")]
    pub error_code: &'a str,
    /// What went wrong, for people; never an internal cause.
    pub error_msg: &'a str,
}

/// SWR's error body with `status`.
pub fn swr_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error_code: code,
        error_msg: message,
    })
}

impl ResponseError for SwrError {
    fn status_code(&self) -> StatusCode {
        self.on_the_wire().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, message) = self.on_the_wire();
        swr_error(status, code, &message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_maps_each_kind_to_status_and_code() {
        let cases = [
            (SwrError::BadRequest("x".into()), 400, "SWR.0001"),
            (SwrError::InvalidName("x".into()), 400, "SWR.0002"),
            (SwrError::BadPagination("x".into()), 400, "SWR.0003"),
            (SwrError::QuotaExceeded(3), 400, "SWR.0004"),
            (
                SwrError::Unauthenticated(AuthError::Expired),
                401,
                "SWR.0101",
            ),
            (SwrError::Forbidden("x"), 403, "SWR.0201"),
            (SwrError::RouteNotFound, 404, "SWR.0300"),
            (SwrError::InstanceNotFound, 404, "SWR.0301"),
            (SwrError::CredentialNotFound, 404, "SWR.0302"),
            (SwrError::NamespaceNotFound, 404, "SWR.0303"),
            (SwrError::MethodNotAllowed, 405, "SWR.0305"),
            (SwrError::Conflict("x".into()), 409, "SWR.0401"),
            (SwrError::PayloadTooLarge, 413, "SWR.0413"),
            (SwrError::Internal("boom".into()), 500, "SWR.0500"),
            (SwrError::Unavailable("db".into()), 503, "SWR.0503"),
        ];
        for (err, status, code) in cases {
            let (s, c, _) = err.on_the_wire();
            assert_eq!((s.as_u16(), c), (status, code), "{err:?}");
        }
    }

    #[test]
    fn a_vanished_reference_is_not_found() {
        let (status, _, _) = SwrError::from(StoreError::ForeignKeyViolation).on_the_wire();
        assert_eq!(status.as_u16(), 404);
    }

    #[test]
    fn causes_never_reach_the_body() {
        assert!(!SwrError::Internal("secret cause".into())
            .on_the_wire()
            .2
            .contains("secret"));
        assert!(!SwrError::Unavailable("db path".into())
            .on_the_wire()
            .2
            .contains("db path"));
    }
}
