//! The one error type of tcr-svc and its rendering: always HTTP 200 with
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, as Tencent Cloud API 3.0
//! answers. docs/api/tcr.md lists every code.

use service_kit::auth::AuthError;
use service_kit::db::StoreError;

/// Everything an action can end in other than success.
#[derive(Debug, thiserror::Error)]
pub enum TcrError {
    #[error("invalid authorization")]
    InvalidAuthorization(String),
    #[error("signature expired")]
    SignatureExpire,
    #[error("signature mismatch")]
    SignatureFailure,
    #[error("signature already accepted")]
    SignatureReplayed,
    #[error("the Host names no host of this service")]
    HostRefused,
    #[error("HmacSHA1 signatures are not accepted")]
    HmacSha1Refused,
    #[error("secret id not found")]
    SecretIdNotFound,
    #[error("token refused")]
    TokenFailure,
    #[error("unauthorized operation: {0}")]
    UnauthorizedOperation(&'static str),
    #[error("refused to a temporary key")]
    TemporaryKeyRefused,
    #[error("unknown action")]
    InvalidAction(String),
    #[error("unknown version")]
    NoSuchVersion(String),
    #[error("missing parameter {0}")]
    MissingParameter(String),
    #[error("unknown parameter {0}")]
    UnknownParameter(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    InvalidParameterValue(String),
    #[error("request too large")]
    RequestSizeLimitExceeded,
    #[error("rate limit exceeded")]
    RequestLimitExceeded,
    #[error("invalid registry name")]
    InvalidRegistryName,
    #[error("registry not found")]
    RegistryNotFound,
    #[error("token not found")]
    TokenNotFound,
    #[error("invalid namespace name")]
    InvalidNamespaceName,
    #[error("namespace not found")]
    NamespaceNotFound,
    #[error("namespace name taken: {0}")]
    NamespaceTaken(String),
    #[error("token revoked")]
    TokenRevoked,
    #[error("{0}")]
    NameConflict(String),
    #[error("invalid service account name")]
    InvalidServiceAccountName,
    #[error("service account not found")]
    ServiceAccountNotFound,
    #[error("permission names a namespace the registry does not have")]
    PermissionNamespaceNotFound(String),
    #[error("unsupported region {0}")]
    UnsupportedRegion(String),
    #[error("{0}")]
    UnsupportedOperation(String),
    #[error("unsupported protocol: {0}")]
    UnsupportedProtocol(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for TcrError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => TcrError::Unavailable(cause),
            StoreError::NotFound => TcrError::RegistryNotFound,
            StoreError::UniqueViolation => {
                TcrError::NameConflict("The name is already in use.".into())
            }
            StoreError::ForeignKeyViolation => TcrError::RegistryNotFound,
            StoreError::Other(cause) => TcrError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for TcrError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<AuthError> for TcrError {
    fn from(e: AuthError) -> Self {
        match e {
            e if e.is_unavailable() => TcrError::Unavailable(e.to_string()),
            AuthError::MalformedSignature(m) => TcrError::InvalidAuthorization(m),
            AuthError::SignatureExpired => TcrError::SignatureExpire,
            AuthError::UnknownAccessKey | AuthError::InactiveAccessKey => {
                TcrError::SecretIdNotFound
            }
            AuthError::SignatureMismatch => TcrError::SignatureFailure,
            AuthError::SignatureReplayed => TcrError::SignatureReplayed,
            // A temporary key whose user lost access since it was issued.
            AuthError::SecurityTokenRefused | AuthError::Revoked => TcrError::TokenFailure,
            AuthError::ScopeRefused => TcrError::UnauthorizedOperation("no role in the account"),
            other => TcrError::InvalidAuthorization(other.to_string()),
        }
    }
}

impl TcrError {
    /// The explicit table: code and the message the caller sees.
    pub fn on_the_wire(&self) -> (&'static str, String) {
        match self {
            TcrError::InvalidAuthorization(_) => (
                "AuthFailure.InvalidAuthorization",
                "The Authorization header is malformed or does not sign content-type and host.".into(),
            ),
            TcrError::SignatureExpire => (
                "AuthFailure.SignatureExpire",
                "The signature expired: X-TC-Timestamp is too far from the server time.".into(),
            ),
            TcrError::SignatureFailure => {
                ("AuthFailure.SignatureFailure", "The signature does not match the request.".into())
            }
            // Tencent has no code of its own for this: the signature is the failure.
            TcrError::SignatureReplayed => (
                "AuthFailure.SignatureFailure",
                "This signature was already accepted once: sign each request anew.".into(),
            ),
            TcrError::HostRefused => (
                "AuthFailure.SignatureFailure",
                "The request is not addressed to this service: its Host header must be one of the service's names (api.hosts), and its signature made for that host.".into(),
            ),
            TcrError::HmacSha1Refused => (
                "AuthFailure.SignatureFailure",
                "HmacSHA1 signatures are not accepted by this service (api.allow_hmac_sha1): sign with HmacSHA256 or TC3-HMAC-SHA256.".into(),
            ),
            TcrError::SecretIdNotFound => (
                "AuthFailure.SecretIdNotFound",
                "The SecretId does not exist or is disabled.".into(),
            ),
            TcrError::TokenFailure => ("AuthFailure.TokenFailure", "The X-TC-Token is invalid or expired.".into()),
            TcrError::UnauthorizedOperation(_) => (
                "UnauthorizedOperation",
                "The credential is not allowed to perform this operation.".into(),
            ),
            TcrError::TemporaryKeyRefused => (
                "UnauthorizedOperation",
                "A temporary key cannot mint or extend long-lived credentials (long-term instance tokens, service accounts); use a permanent key.".into(),
            ),
            TcrError::InvalidAction(a) => ("InvalidAction", format!("The action {a} does not exist.")),
            TcrError::NoSuchVersion(v) => (
                "NoSuchVersion",
                format!("The version {v} does not exist; this service speaks 2019-09-24."),
            ),
            TcrError::MissingParameter(p) => ("MissingParameter", format!("The parameter {p} is required.")),
            TcrError::UnknownParameter(p) => ("UnknownParameter", format!("The parameter {p} is not recognized.")),
            TcrError::InvalidParameter(m) => ("InvalidParameter", m.clone()),
            TcrError::InvalidParameterValue(m) => ("InvalidParameterValue", m.clone()),
            TcrError::RequestSizeLimitExceeded => {
                ("RequestSizeLimitExceeded", "The request body is too large.".into())
            }
            TcrError::RequestLimitExceeded => (
                "RequestLimitExceeded",
                "Too many requests for this action; slow down.".into(),
            ),
            TcrError::InvalidRegistryName => (
                "InvalidParameter.ErrorRegistryName",
                "RegistryName must be 5 to 50 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-', without '--'.".into(),
            ),
            TcrError::RegistryNotFound => (
                "ResourceNotFound.TcrResourceNotFound",
                "The registry does not exist.".into(),
            ),
            TcrError::TokenNotFound => ("ResourceNotFound", "The instance token does not exist.".into()),
            TcrError::InvalidNamespaceName => (
                "InvalidParameter.ErrorTcrInvalidParameter",
                "NamespaceName must be 2 to 30 characters of a-z, 0-9 and the separators '.', '_' and '-', neither starting nor ending with a separator nor holding two in a row.".into(),
            ),
            TcrError::NamespaceNotFound => (
                "ResourceNotFound",
                "The namespace does not exist in the registry.".into(),
            ),
            // Also a deleted namespace's name: the registry may still hold its images.
            TcrError::NamespaceTaken(name) => (
                "FailedOperation.ErrorTcrResourceConflict",
                format!("The namespace name {name} is taken on this registry service; choose another name."),
            ),
            TcrError::TokenRevoked => (
                "UnsupportedOperation",
                "The instance token was revoked when its user lost access to the account; it cannot be enabled again.".into(),
            ),
            TcrError::NameConflict(m) => ("InvalidParameter.ErrorNameExists", m.clone()),
            TcrError::InvalidServiceAccountName => (
                "InvalidParameter.ErrorNameIllegal",
                "Name must be 1 to 60 characters of a-z and 0-9, separated by single '.', '_' or '-' (the tcr$ prefix may be given or left out).".into(),
            ),
            TcrError::ServiceAccountNotFound => {
                ("ResourceNotFound", "The service account does not exist in the registry.".into())
            }
            TcrError::PermissionNamespaceNotFound(ns) => (
                "ResourceNotFound.ErrNoNamespace",
                format!("Permissions: the registry has no namespace {ns}."),
            ),
            TcrError::UnsupportedRegion(r) => (
                "InvalidParameter.UnsupportedRegion",
                format!("Registries are not created in region {r:?}; docs/api/tcr.md lists the regions."),
            ),
            TcrError::UnsupportedOperation(m) => ("UnsupportedOperation", m.clone()),
            TcrError::UnsupportedProtocol(m) => ("UnsupportedProtocol", m.clone()),
            TcrError::Unavailable(_) => (
                "InternalError",
                "The service is temporarily unavailable; try again.".into(),
            ),
            TcrError::Internal(_) => ("InternalError", "Internal error.".into()),
        }
    }

    /// Whether the cause belongs in the error log (ours, not the caller's).
    pub fn is_server_side(&self) -> bool {
        matches!(self, TcrError::Unavailable(_) | TcrError::Internal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_errors_map_to_tencent_codes() {
        let cases = [
            (AuthError::SignatureExpired, "AuthFailure.SignatureExpire"),
            (AuthError::UnknownAccessKey, "AuthFailure.SecretIdNotFound"),
            (AuthError::InactiveAccessKey, "AuthFailure.SecretIdNotFound"),
            (AuthError::SignatureMismatch, "AuthFailure.SignatureFailure"),
            (AuthError::SignatureReplayed, "AuthFailure.SignatureFailure"),
            (AuthError::SecurityTokenRefused, "AuthFailure.TokenFailure"),
            (
                AuthError::MalformedSignature("x".into()),
                "AuthFailure.InvalidAuthorization",
            ),
            (AuthError::Revoked, "AuthFailure.TokenFailure"),
            (AuthError::FeedStale, "InternalError"),
        ];
        for (auth, code) in cases {
            assert_eq!(
                TcrError::from(auth.clone()).on_the_wire().0,
                code,
                "{auth:?}"
            );
        }
    }

    #[test]
    fn causes_never_reach_the_message() {
        assert!(!TcrError::Internal("secret cause".into())
            .on_the_wire()
            .1
            .contains("secret"));
        assert!(!TcrError::Unavailable("db path".into())
            .on_the_wire()
            .1
            .contains("db path"));
    }
}
