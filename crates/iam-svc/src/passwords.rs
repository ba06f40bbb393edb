//! Password hashes: hashing and checking on the blocking pool (600,000 PBKDF2 rounds must
//! not stall an async worker), and the marker of a user who has no password.

use actix_web::web;
use credential_core::{password, SecretString};

use crate::error::IamError;

/// Stored instead of a hash for a user created without a password: it is no PBKDF2
/// string, so no password verifies against it, and it costs nothing to make.
pub const NO_PASSWORD: &str = "!no-password";

/// Hash `pw` with the configured rounds.
pub async fn hash(iterations: u32, pw: &str) -> Result<String, IamError> {
    let pw = SecretString::from(pw);
    web::block(move || password::hash_password(pw.expose(), iterations))
        .await
        .map_err(|e| IamError::Internal(format!("password hashing: {e}")))?
        .map_err(|e| IamError::Internal(format!("password hashing: {e}")))
}

/// Whether `pw` matches `stored`. A missing user (`None`) or a user without a password
/// costs the same work as a real check (`iterations` rounds) and never matches.
pub async fn verify(
    pw: SecretString,
    stored: Option<String>,
    iterations: u32,
) -> Result<bool, IamError> {
    web::block(move || match stored {
        Some(hash) if hash != NO_PASSWORD => password::verify_password(pw.expose(), &hash),
        _ => {
            password::dummy_verify(pw.expose(), iterations);
            Ok(false)
        }
    })
    .await
    .map_err(|e| IamError::Internal(e.to_string()))?
    .map_err(|e| IamError::Internal(format!("stored password hash: {e}")))
}
