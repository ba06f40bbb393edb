//! Why a caller was not let in. Each service maps these into its own envelope.

/// A refused credential. The `Display` text is safe to log; services decide what the
/// caller sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials in the request")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("token signed by an unknown key")]
    UnknownKey,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("token issued in the future")]
    NotYetValid,
    #[error("token revoked")]
    Revoked,
    /// Revocations could not be refreshed for too long, so no token can be trusted.
    #[error("revocation feed is stale")]
    FeedStale,
    /// The `Authorization` header or the signed headers are not well formed.
    #[error("malformed signature: {0}")]
    MalformedSignature(String),
    /// `X-Sdk-Date` (or `X-TC-Timestamp`) is too far from our clock.
    #[error("signature expired")]
    SignatureExpired,
    /// No access key with that id.
    #[error("unknown access key")]
    UnknownAccessKey,
    /// The access key exists but is inactive, or its user or domain is disabled.
    #[error("access key inactive")]
    InactiveAccessKey,
    /// The signature does not match the request.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// The security token is missing, invalid, expired or revoked.
    #[error("security token refused")]
    SecurityTokenRefused,
    /// The signature was already accepted once: a replayed request.
    #[error("signature already used")]
    SignatureReplayed,
    /// The credential is valid but has no role on the requested project or domain.
    #[error("no access to the requested scope")]
    ScopeRefused,
    /// The issuer that checks signatures could not be asked.
    #[error("signature issuer unavailable: {0}")]
    IssuerUnavailable(String),
}

impl AuthError {
    /// True when the failure is ours (no fresh revocation data), not the caller's.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthError::FeedStale | AuthError::IssuerUnavailable(_))
    }
}
