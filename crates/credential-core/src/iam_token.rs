//! The IAM `X-Auth-Token` format: Ed25519-signed JSON claims.
//!
//! Token text: `v1.<kid>.<base64url(claims JSON)>.<base64url(signature)>`, where the
//! signature covers the bytes of `v1.<kid>.<base64url(claims JSON)>`. IAM signs; every
//! service verifies offline with IAM's public keys, picked by `kid` so keys can rotate.
//! Revocation is not decided here (services consult IAM's revocation feed).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use ring::rand::SystemRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

/// Version tag at the start of every token.
pub const TOKEN_VERSION: &str = "v1";
/// How far in the future `issued_at` may be before a token is refused (clock skew allowance).
pub const MAX_ISSUED_AT_SKEW: Duration = Duration::minutes(5);
const MAX_KID_LEN: usize = 32;

/// What a token says about its holder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Unique token id (for revocation).
    pub token_id: String,
    /// User id.
    pub user_id: String,
    /// User name.
    pub user_name: String,
    /// The user's domain id.
    pub domain_id: String,
    /// The user's domain name.
    pub domain_name: String,
    /// What the token is scoped to.
    pub scope: TokenScope,
    /// Roles on the scope.
    pub roles: Vec<RoleRef>,
    /// Authentication methods, e.g. `["password"]`.
    pub methods: Vec<String>,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// Expiry time; the token is invalid from this instant on.
    pub expires_at: DateTime<Utc>,
}

/// The scope of a token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenScope {
    /// Scoped to a project.
    Project {
        /// Project id.
        id: String,
        /// Project name.
        name: String,
        /// The project's domain id.
        domain_id: String,
        /// The project's domain name.
        domain_name: String,
    },
    /// Scoped to a domain.
    Domain {
        /// Domain id.
        id: String,
        /// Domain name.
        name: String,
    },
    /// Not scoped.
    Unscoped,
}

/// A role held on the token's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    /// Role id.
    pub id: String,
    /// Role name, e.g. `admin`.
    pub name: String,
}

/// Why a token could not be issued or accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not a `v1.<kid>.<payload>.<signature>` token, or the payload is not valid claims.
    #[error("malformed token")]
    Malformed,
    /// The token names a key id the verifier does not have.
    #[error("token signed by unknown key {0:?}")]
    UnknownKey(String),
    /// The signature does not match.
    #[error("token signature is invalid")]
    BadSignature,
    /// The token has expired.
    #[error("token has expired")]
    Expired,
    /// The token was issued in the future (beyond the allowed skew).
    #[error("token is not yet valid")]
    NotYetValid,
    /// Key material or key id was rejected (bad PKCS#8, bad public key, bad kid).
    #[error("signing key rejected")]
    KeyRejected,
    /// The claims could not be serialised.
    #[error("token could not be signed")]
    Signing,
    /// The system random number generator failed.
    #[error("system random number generator failed")]
    Random,
}

/// IAM's private signing key with its key id. `Debug` shows only the kid.
pub struct TokenSigningKey {
    kid: String,
    key_pair: Ed25519KeyPair,
}

/// A public key for verifying tokens, as IAM publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyingKey {
    /// Key id, as written in tokens.
    pub kid: String,
    /// base64url (no padding) of the 32-byte Ed25519 public key.
    pub public_key: String,
}

impl TokenSigningKey {
    /// Generates a new Ed25519 key as PKCS#8 v2 bytes (wiped when dropped), to be written to a
    /// key file and loaded with [`TokenSigningKey::from_pkcs8`].
    pub fn generate_pkcs8() -> Result<Zeroizing<Vec<u8>>, TokenError> {
        let doc =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| TokenError::Random)?;
        Ok(Zeroizing::new(doc.as_ref().to_vec()))
    }

    /// Loads a key from PKCS#8 (v1 or v2). `kid` must be 1 to 32 characters `[A-Za-z0-9_-]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use credential_core::iam_token::{verify_token, TokenClaims, TokenScope, TokenSigningKey};
    ///
    /// let key = TokenSigningKey::from_pkcs8("k1", &TokenSigningKey::generate_pkcs8()?)?;
    /// let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let claims = TokenClaims {
    ///     token_id: "t1".into(), user_id: "u1".into(), user_name: "alice".into(),
    ///     domain_id: "d1".into(), domain_name: "acme".into(), scope: TokenScope::Unscoped,
    ///     roles: vec![], methods: vec!["password".into()],
    ///     issued_at: now, expires_at: now + Duration::hours(24),
    /// };
    /// let token = key.sign(&claims)?;
    /// assert!(token.starts_with("v1.k1."));
    /// assert_eq!(verify_token(&token, &key.public_key(), now)?, claims);
    /// # Ok::<(), credential_core::iam_token::TokenError>(())
    /// ```
    pub fn from_pkcs8(kid: impl Into<String>, pkcs8: &[u8]) -> Result<Self, TokenError> {
        let kid = kid.into();
        if !valid_kid(&kid) {
            return Err(TokenError::KeyRejected);
        }
        let key_pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map_err(|_| TokenError::KeyRejected)?;
        Ok(Self { kid, key_pair })
    }

    /// The key id written into tokens.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half, for publishing to services.
    pub fn public_key(&self) -> VerifyingKey {
        VerifyingKey {
            kid: self.kid.clone(),
            public_key: URL_SAFE_NO_PAD.encode(self.key_pair.public_key().as_ref()),
        }
    }

    /// Signs `claims` into token text.
    pub fn sign(&self, claims: &TokenClaims) -> Result<String, TokenError> {
        let payload = serde_json::to_vec(claims).map_err(|_| TokenError::Signing)?;
        let mut token = format!(
            "{TOKEN_VERSION}.{}.{}",
            self.kid,
            URL_SAFE_NO_PAD.encode(payload)
        );
        let sig = self.key_pair.sign(token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(sig.as_ref()));
        Ok(token)
    }
}

impl fmt::Debug for TokenSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

/// The token's parts: kid, the signed text, the payload and the signature (both base64url).
struct Parts<'a> {
    kid: &'a str,
    signed: &'a str,
    payload: &'a str,
    signature: &'a str,
}

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let rest = signed
        .strip_prefix(TOKEN_VERSION)
        .and_then(|r| r.strip_prefix('.'))
        .ok_or(TokenError::Malformed)?;
    let (kid, payload) = rest.split_once('.').ok_or(TokenError::Malformed)?;
    if !valid_kid(kid) || payload.is_empty() || payload.contains('.') || signature.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok(Parts {
        kid,
        signed,
        payload,
        signature,
    })
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The key id of a token, from its text alone (no cryptography), to pick the verifying key.
///
/// # Examples
///
/// ```
/// use credential_core::iam_token::token_kid;
///
/// assert_eq!(token_kid("v1.k1.e30.c2ln").unwrap(), "k1");
/// assert!(token_kid("not a token").is_err());
/// ```
pub fn token_kid(token: &str) -> Result<&str, TokenError> {
    split(token).map(|p| p.kid)
}

/// Verifies a token against `key`: format, kid, signature, then expiry (`now >= expires_at`
/// is [`TokenError::Expired`]) and issue time (more than 5 minutes in the future is
/// [`TokenError::NotYetValid`]). Revocation is the caller's job.
pub fn verify_token(
    token: &str,
    key: &VerifyingKey,
    now: DateTime<Utc>,
) -> Result<TokenClaims, TokenError> {
    let parts = split(token)?;
    if parts.kid != key.kid {
        return Err(TokenError::UnknownKey(parts.kid.to_owned()));
    }
    let public = URL_SAFE_NO_PAD
        .decode(&key.public_key)
        .map_err(|_| TokenError::KeyRejected)?;
    if public.len() != 32 {
        return Err(TokenError::KeyRejected);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(parts.signature)
        .map_err(|_| TokenError::Malformed)?;
    signature::UnparsedPublicKey::new(&signature::ED25519, &public)
        .verify(parts.signed.as_bytes(), &sig)
        .map_err(|_| TokenError::BadSignature)?;
    // Only signed bytes are parsed from here on.
    let payload = URL_SAFE_NO_PAD
        .decode(parts.payload)
        .map_err(|_| TokenError::Malformed)?;
    let claims: TokenClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if now >= claims.expires_at {
        return Err(TokenError::Expired);
    }
    // Near the end of time there is nothing "too far in the future"; avoid the overflow.
    if now
        .checked_add_signed(MAX_ISSUED_AT_SKEW)
        .is_some_and(|limit| claims.issued_at > limit)
    {
        return Err(TokenError::NotYetValid);
    }
    Ok(claims)
}

/// Like [`verify_token`], choosing the key by the token's kid among `keys` (rotation).
pub fn verify_token_with(
    token: &str,
    keys: &[VerifyingKey],
    now: DateTime<Utc>,
) -> Result<TokenClaims, TokenError> {
    let kid = token_kid(token)?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| TokenError::UnknownKey(kid.to_owned()))?;
    verify_token(token, key, now)
}

#[cfg(test)]
mod tests;
