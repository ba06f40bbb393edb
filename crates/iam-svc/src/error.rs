//! The one error type of iam-svc and its mapping to Keystone's envelope:
//! `{"error": {"code": 401, "message": "...", "title": "Unauthorized"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use service_kit::auth::AuthError;
use service_kit::db::StoreError;
use service_kit::http::{refusal, ServiceError, StrictJson};

/// A JSON request body, refused in Keystone's envelope when it does not fit.
pub type Json<T> = StrictJson<T, IamError>;

/// Everything a request can end in other than success.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// The request is malformed or a value breaks a rule; the message says which.
    #[error("{0}")]
    BadRequest(String),
    /// No or bad credentials. The message is deliberately the same for every cause.
    #[error("authentication failed: {0}")]
    Unauthenticated(AuthError),
    /// Login refused; one message for unknown user and wrong password alike.
    #[error("login refused")]
    LoginFailed,
    /// The user has no role on the scope asked for, or it does not exist.
    #[error("scope refused")]
    ScopeRefused,
    /// Authenticated, but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A temporary key asked for what only a permanent credential may do.
    #[error("forbidden to a temporary key")]
    TemporaryKeyRefused,
    /// The resource does not exist or is invisible to the caller.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A name or membership already exists.
    #[error("{0}")]
    Conflict(String),
    /// A known path with a method it does not serve.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body is larger than `server.max_body_bytes`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The user already holds the most access keys allowed.
    #[error("access key quota exceeded")]
    QuotaExceeded,
    /// Too many failed logins for this user or address.
    #[error("too many failed attempts")]
    TooManyAttempts,
    /// The database (or the revocation state) is unavailable.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the cause is logged with the request id, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// How service-kit's extractors and middleware refuse a request in Keystone's words.
impl ServiceError for IamError {
    fn bad_request(message: String) -> Self {
        IamError::BadRequest(message)
    }

    fn payload_too_large() -> Self {
        IamError::PayloadTooLarge
    }

    fn not_found() -> Self {
        IamError::NotFound("the requested resource")
    }

    fn method_not_allowed() -> Self {
        IamError::MethodNotAllowed
    }

    /// Under `/v5` in v5's envelope, as the scope's own refusals are.
    fn response_to(self, req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        if crate::v5::is_v5_path(req.path()) {
            crate::v5::respond(req, &self)
        } else {
            self.error_response()
        }
    }
}

impl From<StoreError> for IamError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => IamError::Unavailable(cause),
            // The one reading of store errors: `service_kit::http::errors`.
            StoreError::NotFound => IamError::NotFound("the requested resource"),
            StoreError::UniqueViolation => IamError::Conflict("the name is already in use".into()),
            StoreError::ForeignKeyViolation => IamError::NotFound("a referenced resource"),
            StoreError::Other(cause) => IamError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for IamError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<service_kit::http::BodyError> for IamError {
    fn from(e: service_kit::http::BodyError) -> Self {
        IamError::BadRequest(e.to_string())
    }
}

impl From<AuthError> for IamError {
    fn from(e: AuthError) -> Self {
        if e.is_unavailable() {
            IamError::Unavailable(e.to_string())
        } else {
            IamError::Unauthenticated(e)
        }
    }
}

impl IamError {
    /// The explicit table: status and the message the caller sees.
    fn on_the_wire(&self) -> (StatusCode, String) {
        match self {
            IamError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            IamError::Unauthenticated(e) => auth_refusal(e),
            IamError::LoginFailed => (
                StatusCode::UNAUTHORIZED,
                "The username or password is wrong.".into(),
            ),
            IamError::ScopeRefused => (
                StatusCode::UNAUTHORIZED,
                "The user has no access to the requested scope.".into(),
            ),
            IamError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                "You are not authorized to perform the requested action.".into(),
            ),
            IamError::TemporaryKeyRefused => (
                StatusCode::FORBIDDEN,
                crate::policy::TEMPORARY_REFUSED.into(),
            ),
            IamError::NotFound(what) => (StatusCode::NOT_FOUND, format!("Could not find {what}.")),
            IamError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            IamError::QuotaExceeded => (StatusCode::BAD_REQUEST, "akSkNumExceed".into()),
            IamError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "The method is not allowed for the requested URL.".into(),
            ),
            IamError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.".into(),
            ),
            IamError::TooManyAttempts => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed login attempts; try again later.".into(),
            ),
            IamError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable.".into(),
            ),
            IamError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "An unexpected error prevented the server from fulfilling your request.".into(),
            ),
        }
    }
}

/// What a refused credential is told: signatures in the gateway's words (which check
/// failed, [`refusal::signature_refusal`]), tokens Keystone's one message.
fn auth_refusal(e: &AuthError) -> (StatusCode, String) {
    if let AuthError::ScopeRefused = e {
        return (
            StatusCode::FORBIDDEN,
            "The credential has no access to the requested project or domain.".into(),
        );
    }
    let message = refusal::signature_refusal(e)
        .unwrap_or_else(|| "The request you have made requires authentication.".into());
    (StatusCode::UNAUTHORIZED, message)
}

/// Keystone's error body, the one shape of every refusal:
/// `{"error": {"code": 404, "message": "Could not find user.", "title": "Not Found"}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeystoneError {
    error: KeystoneErrorDetail,
}

/// The `error` object of [`KeystoneError`].
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeystoneErrorDetail {
    /// The HTTP status, repeated.
    code: u16,
    /// What went wrong, safe to show; never an internal cause.
    message: String,
    /// The status's reason phrase (`Bad Request`, `Unauthorized`, ...).
    title: &'static str,
}

/// Keystone's error body.
pub fn keystone_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(KeystoneError {
        error: KeystoneErrorDetail {
            code: status.as_u16(),
            message: message.to_string(),
            title: status.canonical_reason().unwrap_or("Error"),
        },
    })
}

impl ResponseError for IamError {
    fn status_code(&self) -> StatusCode {
        self.on_the_wire().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, message) = self.on_the_wire();
        keystone_error(status, &message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_maps_each_kind() {
        let cases = [
            (IamError::BadRequest("x".into()), 400),
            (IamError::Unauthenticated(AuthError::Expired), 401),
            (IamError::LoginFailed, 401),
            (IamError::ScopeRefused, 401),
            (IamError::Forbidden("x"), 403),
            (IamError::TemporaryKeyRefused, 403),
            (IamError::NotFound("user"), 404),
            (IamError::Conflict("x".into()), 409),
            (IamError::PayloadTooLarge, 413),
            (IamError::QuotaExceeded, 400),
            (IamError::MethodNotAllowed, 405),
            (IamError::Unauthenticated(AuthError::SignatureMismatch), 401),
            (IamError::Unauthenticated(AuthError::ScopeRefused), 403),
            (IamError::TooManyAttempts, 429),
            (IamError::Unavailable("db".into()), 503),
            (IamError::Internal("boom".into()), 500),
        ];
        for (err, code) in cases {
            assert_eq!(err.status_code().as_u16(), code, "{err:?}");
        }
    }

    #[test]
    fn internal_cause_never_reaches_the_body() {
        let (_, message) = IamError::Internal("secret cause".into()).on_the_wire();
        assert!(!message.contains("secret cause"));
        let (_, message) = IamError::Unavailable("db path".into()).on_the_wire();
        assert!(!message.contains("db path"));
    }

    #[test]
    fn a_vanished_reference_is_not_found() {
        let err = IamError::from(StoreError::ForeignKeyViolation);
        assert_eq!(err.status_code().as_u16(), 404);
    }

    #[test]
    fn a_stale_feed_is_unavailable_not_unauthenticated() {
        assert_eq!(
            IamError::from(AuthError::FeedStale).status_code().as_u16(),
            503
        );
    }
}
