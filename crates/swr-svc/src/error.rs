//! The one error type of swr-svc and its mapping to SWR's envelope:
//! `{"error_code": "SVCSTG.SWR.4001008", "error_msg": "..."}` (docs/api/swr.md lists every
//! code). [`code`] is the one table of codes: the vendor's where it documents one for the
//! case, ours (in a range it does not use) where it does not.
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
    #[error("job not found")]
    JobNotFound,
    #[error("resource not found")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The name is already in use: an instance's in its project, a credential's by its
    /// user on the instance.
    #[error("{0}")]
    Conflict(String),
    /// A namespace's name is taken in the registry (live or deleted).
    #[error("{0}")]
    NamespaceTaken(String),
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
            AuthError::ScopeRefused => SwrError::Forbidden(SCOPE_REFUSED),
            e => SwrError::Unauthenticated(e),
        }
    }
}

impl From<service_kit::http::BodyError> for SwrError {
    fn from(e: service_kit::http::BodyError) -> Self {
        SwrError::BadRequest(e.to_string())
    }
}

/// Every `error_code` swr-svc answers. Huawei documents SWR's codes as
/// `SVCSTG.SWR.<status><4 digits>`; where its table has the case, the code is its own
/// (the comment quotes its description), and where it has none the code is ours, numbered
/// from 8001 after the status, a range the vendor's table leaves unused.
pub mod code {
    /// Vendor: "Invalid parameter."
    pub const INVALID_PARAMETER: &str = "SVCSTG.SWR.4000014";
    /// Vendor: "Invalid organization or name."
    pub const INVALID_NAME: &str = "SVCSTG.SWR.4001008";
    /// Vendor: "Invalid page size."
    pub const INVALID_PAGE: &str = "SVCSTG.SWR.4000056";
    /// Ours: the per-user credential quota of an instance is reached.
    pub const CREDENTIAL_QUOTA: &str = "SVCSTG.SWR.4008001";
    /// Vendor: "Authentication failed."
    pub const UNAUTHENTICATED: &str = "SVCSTG.SWR.4010000";
    /// Vendor: "You cannot apply for or operate the resources that do not belong to you."
    pub const NOT_YOURS: &str = "SVCSTG.SWR.4039001";
    /// Vendor: "You do not have the permission to perform this operation."
    pub const NOT_PERMITTED: &str = "SVCSTG.SWR.4039002";
    /// Vendor: "The requested URL cannot be found."
    pub const NO_SUCH_URL: &str = "SVCSTG.SWR.4040083";
    /// Vendor: "The organization does not exist." (an instance's namespace is the shared
    /// edition's organization).
    pub const NO_SUCH_NAMESPACE: &str = "SVCSTG.SWR.4040058";
    /// Ours: no such instance in the project.
    pub const NO_SUCH_INSTANCE: &str = "SVCSTG.SWR.4048001";
    /// Ours: no such long-term credential on the instance.
    pub const NO_SUCH_CREDENTIAL: &str = "SVCSTG.SWR.4048002";
    /// Ours: no such job in the project.
    pub const NO_SUCH_JOB: &str = "SVCSTG.SWR.4048003";
    /// Ours: the method is not served on the URL.
    pub const METHOD_NOT_ALLOWED: &str = "SVCSTG.SWR.4058001";
    /// Vendor: "The organization already exists."
    pub const NAMESPACE_TAKEN: &str = "SVCSTG.SWR.4090060";
    /// Ours: an instance's or a credential's name is already used.
    pub const NAME_IN_USE: &str = "SVCSTG.SWR.4098001";
    /// Vendor: "The request exceeds the maximum size allowed."
    pub const TOO_LARGE: &str = "SVCSTG.SWR.4131001";
    /// Vendor: "Internal server error: Operation fails."
    pub const INTERNAL: &str = "SVCSTG.SWR.5000007";
    /// Ours: the database or an issuer does not answer.
    pub const UNAVAILABLE: &str = "SVCSTG.SWR.5038001";
}

/// Whether a 403's reason is that the path's project is not the caller's: the vendor
/// gives that refusal a code of its own.
fn is_other_project(reason: &str) -> bool {
    reason == service_kit::policy::OTHER_PROJECT || reason == SCOPE_REFUSED
}

/// Why a caller whose credentials do not reach the requested project is refused.
const SCOPE_REFUSED: &str = "no access to the requested project";

impl SwrError {
    /// The explicit table: status, code and the message the caller sees.
    pub fn on_the_wire(&self) -> (StatusCode, &'static str, String) {
        use StatusCode as S;
        match self {
            SwrError::BadRequest(m) => (S::BAD_REQUEST, code::INVALID_PARAMETER, m.clone()),
            SwrError::InvalidName(m) => (S::BAD_REQUEST, code::INVALID_NAME, m.clone()),
            SwrError::BadPagination(m) => (S::BAD_REQUEST, code::INVALID_PAGE, m.clone()),
            SwrError::QuotaExceeded(max) => (
                S::BAD_REQUEST,
                code::CREDENTIAL_QUOTA,
                format!("A user may hold at most {max} credentials on an instance."),
            ),
            SwrError::Unauthenticated(e) => {
                (S::UNAUTHORIZED, code::UNAUTHENTICATED, gateway_refusal(e))
            }
            SwrError::Forbidden(reason) if is_other_project(reason) => (
                S::FORBIDDEN,
                code::NOT_YOURS,
                "You are not allowed to act in this project.".into(),
            ),
            SwrError::Forbidden(_) => (
                S::FORBIDDEN,
                code::NOT_PERMITTED,
                "You are not allowed to perform this action in this project.".into(),
            ),
            SwrError::InstanceNotFound => (
                S::NOT_FOUND,
                code::NO_SUCH_INSTANCE,
                "The instance does not exist.".into(),
            ),
            SwrError::CredentialNotFound => (
                S::NOT_FOUND,
                code::NO_SUCH_CREDENTIAL,
                "The credential does not exist.".into(),
            ),
            SwrError::NamespaceNotFound => (
                S::NOT_FOUND,
                code::NO_SUCH_NAMESPACE,
                "The namespace does not exist.".into(),
            ),
            SwrError::JobNotFound => (
                S::NOT_FOUND,
                code::NO_SUCH_JOB,
                "The job does not exist.".into(),
            ),
            SwrError::RouteNotFound => (
                S::NOT_FOUND,
                code::NO_SUCH_URL,
                "The requested resource does not exist.".into(),
            ),
            SwrError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                "The method is not allowed for the requested URL.".into(),
            ),
            SwrError::Conflict(m) => (S::CONFLICT, code::NAME_IN_USE, m.clone()),
            SwrError::NamespaceTaken(m) => (S::CONFLICT, code::NAMESPACE_TAKEN, m.clone()),
            SwrError::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                code::TOO_LARGE,
                "The request body is too large.".into(),
            ),
            SwrError::Unavailable(_) => (
                S::SERVICE_UNAVAILABLE,
                code::UNAVAILABLE,
                "The service is temporarily unavailable.".into(),
            ),
            SwrError::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                "Internal error.".into(),
            ),
        }
    }
}

/// SWR's error body, the envelope of every refusal (the SDK reads both fields).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error_code": "SVCSTG.SWR.4048001", "error_msg": "The instance does not exist."}))]
pub struct ErrorBody<'a> {
    /// `SVCSTG.SWR.`, the HTTP status and four digits; docs/api/swr.md lists every code.
    #[schema(pattern = r"^SVCSTG\.SWR\.[0-9]{7}$")]
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
            (SwrError::BadRequest("x".into()), 400, "SVCSTG.SWR.4000014"),
            (SwrError::InvalidName("x".into()), 400, "SVCSTG.SWR.4001008"),
            (
                SwrError::BadPagination("x".into()),
                400,
                "SVCSTG.SWR.4000056",
            ),
            (SwrError::QuotaExceeded(3), 400, "SVCSTG.SWR.4008001"),
            (
                SwrError::Unauthenticated(AuthError::Expired),
                401,
                "SVCSTG.SWR.4010000",
            ),
            (
                SwrError::Forbidden(service_kit::policy::OTHER_PROJECT),
                403,
                "SVCSTG.SWR.4039001",
            ),
            (
                SwrError::from(AuthError::ScopeRefused),
                403,
                "SVCSTG.SWR.4039001",
            ),
            (
                SwrError::Forbidden(service_kit::policy::REFUSED),
                403,
                "SVCSTG.SWR.4039002",
            ),
            (SwrError::RouteNotFound, 404, "SVCSTG.SWR.4040083"),
            (SwrError::InstanceNotFound, 404, "SVCSTG.SWR.4048001"),
            (SwrError::CredentialNotFound, 404, "SVCSTG.SWR.4048002"),
            (SwrError::NamespaceNotFound, 404, "SVCSTG.SWR.4040058"),
            (SwrError::JobNotFound, 404, "SVCSTG.SWR.4048003"),
            (SwrError::MethodNotAllowed, 405, "SVCSTG.SWR.4058001"),
            (SwrError::Conflict("x".into()), 409, "SVCSTG.SWR.4098001"),
            (
                SwrError::NamespaceTaken("x".into()),
                409,
                "SVCSTG.SWR.4090060",
            ),
            (SwrError::PayloadTooLarge, 413, "SVCSTG.SWR.4131001"),
            (SwrError::Internal("boom".into()), 500, "SVCSTG.SWR.5000007"),
            (
                SwrError::Unavailable("db".into()),
                503,
                "SVCSTG.SWR.5038001",
            ),
        ];
        for (err, status, code) in cases {
            let (s, c, _) = err.on_the_wire();
            assert_eq!((s.as_u16(), c), (status, code), "{err:?}");
            // The vendor's shape: the status is the number's first three digits.
            assert!(c.starts_with(&format!("SVCSTG.SWR.{status}")), "{c}");
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
