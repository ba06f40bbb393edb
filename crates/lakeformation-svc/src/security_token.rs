//! The security token: a sealed, self-contained blob (AES-256-GCM under the sealing
//! keyring, AAD = the temporary AK) holding the temporary secret, the principal, what was
//! asked for, the project and the expiry. Only its issuance record is stored.

use base64::Engine;
use chrono::{DateTime, Utc};
use credential_core::seal::Keyring;
use credential_core::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::LfError;

/// What a token carries. The secret is held as a plain string only while sealing and
/// opening; callers get it back wrapped.
#[derive(Serialize, Deserialize)]
pub struct TokenBody {
    pub token_id: String,
    pub secret: String,
    pub user_id: String,
    pub user_name: String,
    pub domain_id: String,
    pub domain_name: String,
    pub project_id: String,
    pub project_name: String,
    pub roles: Vec<String>,
    pub user_names: Vec<String>,
    pub groups: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBody")
            .field("token_id", &self.token_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl Drop for TokenBody {
    fn drop(&mut self) {
        zeroize_string(&mut self.secret);
    }
}

fn zeroize_string(s: &mut String) {
    // Overwrite in place before the allocation is freed.
    let len = s.len();
    s.clear();
    s.extend(std::iter::repeat_n('\0', len));
    s.clear();
}

/// Why a token was refused; the caller answers `SecurityTokenRefused` for every cause.
#[derive(Debug, thiserror::Error)]
pub enum TokenRefusal {
    #[error("malformed security token")]
    Malformed,
    #[error("security token does not open with this access key")]
    Sealed,
}

/// Seal `body` for the temporary access key `access`: base64url of the sealed text.
pub fn seal(keyring: &Keyring, access: &str, body: &TokenBody) -> Result<SecretString, LfError> {
    let json = serde_json::to_vec(body).map_err(|e| LfError::Internal(e.to_string()))?;
    let json = zeroize::Zeroizing::new(json);
    let sealed = keyring
        .seal(&json, access.as_bytes())
        .map_err(|e| LfError::Internal(format!("sealing: {e}")))?;
    Ok(SecretString::from(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed),
    ))
}

/// Open a token presented with `access`; any change to either is refused.
pub fn open(keyring: &Keyring, access: &str, token: &str) -> Result<TokenBody, TokenRefusal> {
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| TokenRefusal::Malformed)?;
    let sealed = String::from_utf8(sealed).map_err(|_| TokenRefusal::Malformed)?;
    let json = keyring
        .open(&sealed, access.as_bytes())
        .map_err(|_| TokenRefusal::Sealed)?;
    serde_json::from_slice(&json).map_err(|_| TokenRefusal::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use credential_core::seal::SealingKey;

    fn body() -> TokenBody {
        TokenBody {
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
            expires_at: service_kit::clock::Clock::system().now(),
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let keyring = Keyring::new(SealingKey::generate("k1").unwrap(), vec![]).unwrap();
        let token = seal(&keyring, "AK1", &body()).unwrap();
        assert!(!token.expose().contains("S3CRET"));
        let opened = open(&keyring, "AK1", token.expose()).unwrap();
        assert_eq!(opened.secret, "S3CRET-temporary-key");
        assert!(matches!(
            open(&keyring, "AK2", token.expose()),
            Err(TokenRefusal::Sealed)
        ));
        let mut tampered = token.expose().to_string();
        let mid = tampered.len() / 2;
        let c = if &tampered[mid..=mid] == "A" {
            "B"
        } else {
            "A"
        };
        tampered.replace_range(mid..=mid, c);
        assert!(open(&keyring, "AK1", &tampered).is_err());
        assert!(open(&keyring, "AK1", "not base64!").is_err());
        let other = Keyring::new(SealingKey::generate("k2").unwrap(), vec![]).unwrap();
        assert!(open(&other, "AK1", token.expose()).is_err());
        assert!(!format!("{:?}", body()).contains("S3CRET"));
    }
}
