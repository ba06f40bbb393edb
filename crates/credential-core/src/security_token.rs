//! The security token of a temporary access key (`X-Security-Token`, `X-TC-Token`).
//!
//! Owns the token's format and nothing else: which service issued it, what it carries,
//! and how it is sealed and opened. A token is self-contained: the temporary secret key,
//! the principal, the project, the roles, an optional session policy and the expiry,
//! sealed as JSON (AES-256-GCM under the issuer's [`Keyring`], associated data = the
//! temporary access key id, so a token copied to another AK does not open):
//!
//! ```text
//! [<issuer>.]<base64url(<key id>$<base64url(nonce || ciphertext || tag)>)>
//! ```
//!
//! The issuer's name in front ([`Issuer::prefix`]) is readable without any key, so a
//! service that receives a token knows whom to ask before anyone opens it
//! ([`issuer_of`]); it is also sealed inside, and [`open`] refuses a token whose two
//! names differ. lakeformation-svc's tokens have no name in front: they keep the format
//! LakeFormation clients have always seen (plain base64url), and the `.` that follows a
//! name is not in that alphabet, so the two cannot be confused. Deciding whether a key is still alive (expiry at `now`, its
//! issuance record, revocation) is the issuer's; this module never reads the clock.
//!
//! # Example
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use credential_core::seal::{Keyring, SealingKey};
//! use credential_core::security_token::{issuer_of, open, seal, Claims, Issuer};
//!
//! let keyring = Keyring::new(SealingKey::generate("tokens-1")?, vec![])?;
//! let claims = Claims {
//!     issuer: Issuer::Iam,
//!     token_id: "t-1".into(),
//!     secret: "temporary-secret".into(),
//!     user_id: "u-1".into(),
//!     user_name: "alice".into(),
//!     domain_id: "d-1".into(),
//!     domain_name: "acme".into(),
//!     project_id: "p-1".into(),
//!     project_name: "cn-north-4".into(),
//!     roles: vec!["member".into()],
//!     user_names: vec![],
//!     groups: vec![],
//!     policy: None,
//!     expires_at: Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
//! };
//! let token = seal(&keyring, "TMPAK00000000000001", &claims)?;
//! assert!(token.expose().starts_with("iam."));
//! assert_eq!(issuer_of(token.expose())?, Issuer::Iam);
//!
//! let opened = open(&keyring, "TMPAK00000000000001", token.expose())?;
//! assert_eq!(opened.secret, "temporary-secret");
//! // Bound to its access key: with another one it does not open.
//! assert!(open(&keyring, "TMPAK00000000000002", token.expose()).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::seal::Keyring;
use crate::session_policy::SessionPolicy;
use crate::SecretString;

/// Separates the issuer's name from the sealed part; not in the base64url alphabet.
const ISSUER_SEPARATOR: char = '.';

/// The services that issue temporary keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Issuer {
    /// lakeformation-svc (`POST /v1/{project_id}/instances/{id}/credential`). Tokens
    /// sealed before the issuer was written down are its own.
    #[default]
    #[serde(rename = "lakeformation")]
    LakeFormation,
    /// iam-svc (`POST /v3.0/OS-CREDENTIAL/securitytokens`).
    Iam,
}

impl Issuer {
    /// The name written in front of the issuer's tokens, if any.
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            Issuer::LakeFormation => None,
            Issuer::Iam => Some("iam"),
        }
    }

    fn from_prefix(prefix: &str) -> Option<Issuer> {
        [Issuer::LakeFormation, Issuer::Iam]
            .into_iter()
            .find(|i| i.prefix() == Some(prefix))
    }
}

/// What a token carries. The secret is a plain string only while it is sealed or
/// opened (it is wiped when the claims are dropped, and `Debug` leaves it out); hand it
/// on wrapped in a [`SecretString`].
#[derive(Serialize, Deserialize)]
pub struct Claims {
    /// Who issued the key; checks go to that service.
    #[serde(default)]
    pub issuer: Issuer,
    /// Names the issuance record; a record with another id does not vouch for the token.
    pub token_id: String,
    /// The temporary secret key.
    pub secret: String,
    /// The user the key acts as, with their domain (account).
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's domain.
    pub domain_id: String,
    /// The domain's name.
    pub domain_name: String,
    /// The one project the key acts in.
    pub project_id: String,
    /// The project's name.
    pub project_name: String,
    /// The roles the key acts with in the project.
    pub roles: Vec<String>,
    /// LakeFormation's `user_names` asked for at issue (informational).
    #[serde(default)]
    pub user_names: Vec<String>,
    /// LakeFormation's `groups` asked for at issue (informational).
    #[serde(default)]
    pub groups: Vec<String>,
    /// The session policy: the key may do only what its roles and this allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<SessionPolicy>,
    /// The key is refused from this instant on.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claims")
            .field("issuer", &self.issuer)
            .field("token_id", &self.token_id)
            .field("user_id", &self.user_id)
            .field("project_id", &self.project_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        // Overwrite in place before the allocation is freed.
        let len = self.secret.len();
        self.secret.clear();
        self.secret.extend(std::iter::repeat_n('\0', len));
        self.secret.clear();
    }
}

/// Why a token could not be sealed or opened. Callers answer one refusal for every
/// cause of [`open`]; the kinds are for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecurityTokenError {
    /// Not in the format, or names an issuer that does not exist.
    #[error("malformed security token")]
    Malformed,
    /// Does not open with this access key under this keyring (another AK, another
    /// issuer's keyring, or changed).
    #[error("security token does not open with this access key")]
    Sealed,
    /// The issuer named in front is not the one sealed inside.
    #[error("security token names another issuer")]
    IssuerMismatch,
    /// The claims could not be serialised or sealed.
    #[error("security token could not be sealed")]
    Sealing,
}

/// The issuer a token names, read without opening it.
///
/// ```
/// use credential_core::security_token::{issuer_of, Issuer};
///
/// assert_eq!(issuer_of("iam.c2VhbGVk"), Ok(Issuer::Iam));
/// assert_eq!(issuer_of("c2VhbGVk"), Ok(Issuer::LakeFormation));
/// assert!(issuer_of("other.c2VhbGVk").is_err());
/// ```
pub fn issuer_of(token: &str) -> Result<Issuer, SecurityTokenError> {
    split(token).map(|(issuer, _)| issuer)
}

fn split(token: &str) -> Result<(Issuer, &str), SecurityTokenError> {
    let token = token.trim();
    match token.split_once(ISSUER_SEPARATOR) {
        Some((prefix, sealed)) => Issuer::from_prefix(prefix)
            .map(|issuer| (issuer, sealed))
            .ok_or(SecurityTokenError::Malformed),
        None => Ok((Issuer::LakeFormation, token)),
    }
}

/// Seal `claims` for the temporary access key `access`, under the issuer's keyring.
pub fn seal(
    keyring: &Keyring,
    access: &str,
    claims: &Claims,
) -> Result<SecretString, SecurityTokenError> {
    let json = Zeroizing::new(serde_json::to_vec(claims).map_err(|_| SecurityTokenError::Sealing)?);
    let sealed = keyring
        .seal(&json, access.as_bytes())
        .map_err(|_| SecurityTokenError::Sealing)?;
    let sealed = URL_SAFE_NO_PAD.encode(sealed);
    Ok(SecretString::from(match claims.issuer.prefix() {
        Some(name) => format!("{name}{ISSUER_SEPARATOR}{sealed}"),
        None => sealed,
    }))
}

/// Open a token presented with `access` (surrounding whitespace is ignored, as in a
/// header value); any change to either is refused.
pub fn open(keyring: &Keyring, access: &str, token: &str) -> Result<Claims, SecurityTokenError> {
    let (named, sealed) = split(token)?;
    let sealed = URL_SAFE_NO_PAD
        .decode(sealed)
        .map_err(|_| SecurityTokenError::Malformed)?;
    let sealed = String::from_utf8(sealed).map_err(|_| SecurityTokenError::Malformed)?;
    let json = keyring
        .open(&sealed, access.as_bytes())
        .map_err(|_| SecurityTokenError::Sealed)?;
    let claims: Claims =
        serde_json::from_slice(&json).map_err(|_| SecurityTokenError::Malformed)?;
    if claims.issuer != named {
        return Err(SecurityTokenError::IssuerMismatch);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::SealingKey;
    use proptest::prelude::*;

    fn claims(issuer: Issuer) -> Claims {
        Claims {
            issuer,
            token_id: "t1".into(),
            secret: "S3CRET-temporary-key".into(),
            user_id: "u".into(),
            user_name: "n".into(),
            domain_id: "d".into(),
            domain_name: "dn".into(),
            project_id: "p".into(),
            project_name: "pn".into(),
            roles: vec!["member".into()],
            user_names: vec![],
            groups: vec![],
            policy: None,
            expires_at: DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default(),
        }
    }

    fn keyring(id: &str) -> Keyring {
        Keyring::new(SealingKey::generate(id).unwrap(), vec![]).unwrap()
    }

    #[test]
    fn round_trip_and_refusals() {
        let ring = keyring("k1");
        let token = seal(&ring, "AK1", &claims(Issuer::LakeFormation)).unwrap();
        assert!(!token.expose().contains('.'), "plain base64url");
        assert!(!token.expose().contains("S3CRET"));
        let opened = open(&ring, "AK1", token.expose()).unwrap();
        assert_eq!(opened.secret, "S3CRET-temporary-key");
        assert_eq!(
            open(&ring, "AK2", token.expose()).unwrap_err(),
            SecurityTokenError::Sealed
        );
        assert!(open(&ring, "AK1", "not base64!").is_err());
        assert!(open(&keyring("k2"), "AK1", token.expose()).is_err());
        assert!(!format!("{:?}", claims(Issuer::Iam)).contains("S3CRET"));
    }

    #[test]
    fn the_name_in_front_must_be_the_one_inside() {
        let ring = keyring("k1");
        let token = seal(&ring, "AK1", &claims(Issuer::LakeFormation)).unwrap();
        let renamed = format!("iam.{}", token.expose());
        assert_eq!(issuer_of(&renamed), Ok(Issuer::Iam));
        assert_eq!(
            open(&ring, "AK1", &renamed).unwrap_err(),
            SecurityTokenError::IssuerMismatch
        );
        let iam = seal(&ring, "AK1", &claims(Issuer::Iam)).unwrap();
        let unnamed = iam.expose().trim_start_matches("iam.");
        assert_eq!(issuer_of(unnamed), Ok(Issuer::LakeFormation));
        assert_eq!(
            open(&ring, "AK1", unnamed).unwrap_err(),
            SecurityTokenError::IssuerMismatch
        );
        let unknown = format!("swr.{}", token.expose());
        assert_eq!(
            open(&ring, "AK1", &unknown).unwrap_err(),
            SecurityTokenError::Malformed
        );
    }

    proptest! {
        #[test]
        fn no_input_panics(access in "\\PC{0,24}", token in "\\PC{0,300}") {
            let _ = issuer_of(&token);
            let _ = open(&keyring("k1"), &access, &token);
        }

        #[test]
        fn no_one_character_change_opens(at in 0usize..400, c in "[A-Za-z0-9._-]") {
            let ring = keyring("k1");
            let token = seal(&ring, "AK1", &claims(Issuer::Iam)).unwrap();
            let t = token.expose();
            let at = at % t.len();
            let mut changed = t.to_string();
            changed.replace_range(at..=at, &c);
            prop_assume!(changed != t);
            prop_assert!(open(&ring, "AK1", &changed).is_err());
        }
    }
}
