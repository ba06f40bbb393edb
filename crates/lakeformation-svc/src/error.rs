//! The one error type of lakeformation-svc and its mapping to LakeFormation's envelope:
//! `{"error_code": "common.01000001", "error_msg": "...", "solution_msg": "..."}`
//! (docs/api/lakeformation.md lists every code), and the JSON body extractor that refuses
//! in that envelope.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use service_kit::auth::AuthError;
use service_kit::db::StoreError;
use service_kit::http::refusal::gateway_refusal;
use service_kit::http::{ServiceError, StrictJson};

/// A JSON request body, refused in LakeFormation's envelope when it does not fit.
pub type Json<T> = StrictJson<T, LfError>;

#[derive(Debug, thiserror::Error)]
pub enum LfError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication failed: {0}")]
    Unauthenticated(AuthError),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// How service-kit's extractors and middleware refuse a request in LakeFormation's words.
impl ServiceError for LfError {
    fn bad_request(message: String) -> Self {
        LfError::BadRequest(message)
    }

    fn payload_too_large() -> Self {
        LfError::PayloadTooLarge
    }

    fn not_found() -> Self {
        LfError::NotFound("The requested resource does not exist.".into())
    }

    fn method_not_allowed() -> Self {
        LfError::MethodNotAllowed
    }
}

impl From<StoreError> for LfError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => LfError::Unavailable(cause),
            // The one reading of store errors: `service_kit::http::errors`.
            StoreError::NotFound => LfError::not_found(),
            StoreError::UniqueViolation => LfError::Conflict("The name is already in use.".into()),
            StoreError::ForeignKeyViolation => {
                LfError::NotFound("A referenced resource does not exist.".into())
            }
            StoreError::Other(cause) => LfError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for LfError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<AuthError> for LfError {
    fn from(e: AuthError) -> Self {
        match e {
            e if e.is_unavailable() => LfError::Unavailable(e.to_string()),
            AuthError::ScopeRefused => LfError::Forbidden("no access to the requested project"),
            e => LfError::Unauthenticated(e),
        }
    }
}

impl From<service_kit::http::BodyError> for LfError {
    fn from(e: service_kit::http::BodyError) -> Self {
        LfError::BadRequest(e.to_string())
    }
}

impl LfError {
    /// The explicit table: status, code, message and a hint for the caller.
    pub fn on_the_wire(&self) -> (StatusCode, &'static str, String, &'static str) {
        use StatusCode as S;
        match self {
            LfError::BadRequest(m) => (S::BAD_REQUEST, "common.01000001", m.clone(), "Check the request parameters."),
            LfError::Unauthenticated(e) => (
                S::UNAUTHORIZED,
                "common.01000002",
                gateway_refusal(e),
                "Sign the request with a valid access key (and its security token), or send a valid X-Auth-Token.",
            ),
            LfError::Forbidden(_) => (
                S::FORBIDDEN,
                "common.01000003",
                "You are not allowed to perform this action in this project.".into(),
                "Use a credential scoped to the project in the path, with the needed role.",
            ),
            LfError::NotFound(m) => (S::NOT_FOUND, "common.01000004", m.clone(), "Check the ids in the path."),
            LfError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "common.01000005",
                "The method is not allowed for the requested URL.".into(),
                "See docs/api/lakeformation.md for the supported methods.",
            ),
            LfError::Conflict(m) => (S::CONFLICT, "common.01000006", m.clone(), "Choose another name."),
            LfError::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "common.01000007",
                "The request body is too large.".into(),
                "Send a smaller body.",
            ),
            LfError::Unavailable(_) => (
                S::SERVICE_UNAVAILABLE,
                "common.01000008",
                "The service is temporarily unavailable.".into(),
                "Try again later.",
            ),
            LfError::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                "common.01000000",
                "Internal error.".into(),
                "Try again later; report the X-Request-Id if it persists.",
            ),
        }
    }
}

// As sent and as documented: the OpenAPI document's `ErrorBody` is this type. Fields in
// alphabetical order, the bytes the service has always sent.
/// LakeFormation's error body.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// `common.010000NN`, one per status (docs/api/lakeformation.md lists them).
    #[schema(example = "common.01000001")]
    pub error_code: &'a str,
    /// What went wrong, for a person; never an internal cause.
    pub error_msg: &'a str,
    /// What the caller can do about it.
    pub solution_msg: &'a str,
}

/// LakeFormation's error body.
pub fn lf_error(status: StatusCode, code: &str, message: &str, solution: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error_code: code,
        error_msg: message,
        solution_msg: solution,
    })
}

impl ResponseError for LfError {
    fn status_code(&self) -> StatusCode {
        self.on_the_wire().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, message, solution) = self.on_the_wire();
        lf_error(status, code, &message, solution)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_maps_each_kind() {
        let cases = [
            (LfError::BadRequest("x".into()), 400, "common.01000001"),
            (
                LfError::Unauthenticated(AuthError::Expired),
                401,
                "common.01000002",
            ),
            (LfError::Forbidden("x"), 403, "common.01000003"),
            (LfError::NotFound("x".into()), 404, "common.01000004"),
            (LfError::MethodNotAllowed, 405, "common.01000005"),
            (LfError::Conflict("x".into()), 409, "common.01000006"),
            (LfError::PayloadTooLarge, 413, "common.01000007"),
            (LfError::Unavailable("x".into()), 503, "common.01000008"),
            (LfError::Internal("boom".into()), 500, "common.01000000"),
        ];
        for (e, status, code) in cases {
            let (s, c, m, _) = e.on_the_wire();
            assert_eq!((s.as_u16(), c), (status, code), "{e:?}");
            assert!(!m.contains("boom"));
        }
    }

    #[test]
    fn causes_never_reach_the_body() {
        let (_, _, message, _) = LfError::Internal("secret cause".into()).on_the_wire();
        assert!(!message.contains("secret"));
        let (_, _, message, _) = LfError::Unavailable("db path".into()).on_the_wire();
        assert!(!message.contains("db path"));
    }

    #[test]
    fn a_vanished_reference_is_not_found() {
        let (status, ..) = LfError::from(StoreError::ForeignKeyViolation).on_the_wire();
        assert_eq!(status.as_u16(), 404);
    }
}
