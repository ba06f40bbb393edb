//! The one error type of lakeformation-svc and its mapping to LakeFormation's envelope:
//! `{"error_code": "common.01000001", "error_msg": "...", "solution_msg": "..."}`
//! (docs/api/lakeformation.md lists every code), and the JSON body extractor that refuses
//! in that envelope.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use service_kit::auth::AuthError;
use service_kit::db::StoreError;
use service_kit::http::refusal::signature_refusal;
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

/// The codes LakeFormation answers with, where its documentation gives one (seed page
/// `lakeformation-temporary-key`, the API reference's examples): a 400 and a 404 are
/// `common.01000001`, a 403 is `403`, a 500 `common.00000500`; its gateway refuses a
/// token with `APIG.1002` and a signature with `APIGW.0301`. Statuses the vendor documents
/// no code for (405, 409, 413, 503) get codes of this service's own, in the same family.
/// docs/api/lakeformation.md lists them all.
pub mod codes {
    pub const BAD_REQUEST: &str = "common.01000001";
    pub const NOT_FOUND: &str = "common.01000001";
    pub const TOKEN_REFUSED: &str = "APIG.1002";
    pub const SIGNATURE_REFUSED: &str = "APIGW.0301";
    pub const FORBIDDEN: &str = "403";
    pub const INTERNAL: &str = "common.00000500";
    pub const METHOD_NOT_ALLOWED: &str = "common.01000005";
    pub const CONFLICT: &str = "common.01000006";
    pub const PAYLOAD_TOO_LARGE: &str = "common.01000007";
    pub const UNAVAILABLE: &str = "common.01000008";
}

/// The gateway's words for a refused token, as the vendor documents them: one message
/// whatever the cause, so a forged token learns nothing.
const TOKEN_REFUSAL: &str = "Incorrect token or token resolution failed";

/// The gateway's words for a refused signature, naming the failed check; `None` when
/// the refusal is a token's.
fn refused_signature(e: &AuthError) -> Option<String> {
    match e {
        // Not among the gateway's shared words: a signature accepted once already.
        AuthError::SignatureReplayed => {
            Some("Incorrect IAM authentication information: the signature was already used.".into())
        }
        e => signature_refusal(e),
    }
}

impl LfError {
    /// The explicit table: status, code, message and a hint for the caller.
    pub fn on_the_wire(&self) -> (StatusCode, &'static str, String, &'static str) {
        use StatusCode as S;
        match self {
            LfError::BadRequest(m) => (
                S::BAD_REQUEST,
                codes::BAD_REQUEST,
                m.clone(),
                "Check the request parameters.",
            ),
            LfError::Unauthenticated(e) => match refused_signature(e) {
                Some(message) => (
                    S::UNAUTHORIZED,
                    codes::SIGNATURE_REFUSED,
                    message,
                    "Sign the request with a valid access key (and its security token).",
                ),
                None => (
                    S::UNAUTHORIZED,
                    codes::TOKEN_REFUSED,
                    TOKEN_REFUSAL.into(),
                    "Send a valid X-Auth-Token, or sign the request with an access key.",
                ),
            },
            LfError::Forbidden(_) => (
                S::FORBIDDEN,
                codes::FORBIDDEN,
                "You are not allowed to perform this action in this project.".into(),
                "Use a credential scoped to the project in the path, with the needed role.",
            ),
            LfError::NotFound(m) => (
                S::NOT_FOUND,
                codes::NOT_FOUND,
                m.clone(),
                "Check the ids in the path.",
            ),
            LfError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                codes::METHOD_NOT_ALLOWED,
                "The method is not allowed for the requested URL.".into(),
                "See docs/api/lakeformation.md for the supported methods.",
            ),
            LfError::Conflict(m) => (
                S::CONFLICT,
                codes::CONFLICT,
                m.clone(),
                "Choose another name, or check whether the instance is in the recycle bin.",
            ),
            LfError::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "The request body is too large.".into(),
                "Send a smaller body.",
            ),
            LfError::Unavailable(_) => (
                S::SERVICE_UNAVAILABLE,
                codes::UNAVAILABLE,
                "The service is temporarily unavailable.".into(),
                "Try again later.",
            ),
            LfError::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "internal error".into(),
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
    /// The vendor's code for the status where it documents one (`common.01000001`,
    /// `APIG.1002`, `APIGW.0301`, `403`, `common.00000500`), this service's own
    /// otherwise; docs/api/lakeformation.md lists them.
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
                "APIG.1002",
            ),
            (
                LfError::Unauthenticated(AuthError::Missing),
                401,
                "APIG.1002",
            ),
            (
                LfError::Unauthenticated(AuthError::SignatureMismatch),
                401,
                "APIGW.0301",
            ),
            (
                LfError::Unauthenticated(AuthError::SecurityTokenRefused),
                401,
                "APIGW.0301",
            ),
            (
                LfError::Unauthenticated(AuthError::SignatureReplayed),
                401,
                "APIGW.0301",
            ),
            (LfError::Forbidden("x"), 403, "403"),
            (LfError::NotFound("x".into()), 404, "common.01000001"),
            (LfError::MethodNotAllowed, 405, "common.01000005"),
            (LfError::Conflict("x".into()), 409, "common.01000006"),
            (LfError::PayloadTooLarge, 413, "common.01000007"),
            (LfError::Unavailable("x".into()), 503, "common.01000008"),
            (LfError::Internal("boom".into()), 500, "common.00000500"),
        ];
        for (e, status, code) in cases {
            let (s, c, m, _) = e.on_the_wire();
            assert_eq!((s.as_u16(), c), (status, code), "{e:?}");
            assert!(!m.contains("boom"));
        }
    }

    #[test]
    fn token_refusals_are_worded_as_the_vendor_documents_them() {
        for e in [AuthError::Expired, AuthError::Revoked, AuthError::Missing] {
            let (_, _, message, _) = LfError::Unauthenticated(e).on_the_wire();
            assert_eq!(message, "Incorrect token or token resolution failed");
        }
        let (_, _, message, _) =
            LfError::Unauthenticated(AuthError::SignatureMismatch).on_the_wire();
        assert!(message.starts_with("Incorrect IAM authentication information: "));
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
