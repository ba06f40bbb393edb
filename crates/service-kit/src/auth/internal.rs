//! The credential services present to each other on internal endpoints.

use actix_web::HttpRequest;
use credential_core::secret::{constant_time_eq, SecretString};

/// The header that carries the internal credential.
pub const INTERNAL_TOKEN_HEADER: &str = "x-internal-token";

/// A shared secret from configuration, never a user's token.
#[derive(Clone, Debug)]
pub struct InternalCredential(SecretString);

impl InternalCredential {
    /// Wrap the configured secret.
    pub fn new(secret: SecretString) -> Self {
        InternalCredential(secret)
    }

    /// The secret, for clients that send it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether the request carries this credential (compared in constant time).
    pub fn accepts(&self, req: &HttpRequest) -> bool {
        req.headers()
            .get(INTERNAL_TOKEN_HEADER)
            .map(|v| constant_time_eq(v.as_bytes(), self.0.expose().as_bytes()))
            .unwrap_or(false)
    }
}
