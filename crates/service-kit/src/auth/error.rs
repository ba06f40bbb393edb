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
}

impl AuthError {
    /// True when the failure is ours (no fresh revocation data), not the caller's.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthError::FeedStale)
    }
}
