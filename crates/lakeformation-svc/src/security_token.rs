//! What a LakeFormation security token carries, in the shared format
//! (`credential_core::security_token`, issuer `lakeformation`): the temporary secret, the
//! principal, what was asked for (`user_names`, `groups`, roles), the project and the
//! expiry. Only its issuance record is stored. New keys are minted through
//! `service_kit::auth::temporary` and checked by [`crate::verifier`]; this module seals a
//! body given field by field, as tools and tests that make tokens by hand need.

use chrono::{DateTime, Utc};
use credential_core::seal::Keyring;
use credential_core::security_token::{self, Claims, Issuer};
use credential_core::SecretString;

use crate::error::LfError;

/// What a LakeFormation token carries. The secret is held as a plain string only while
/// sealing and opening (wiped on drop, left out of `Debug`).
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
        // Overwrite in place before the allocation is freed.
        let len = self.secret.len();
        self.secret.clear();
        self.secret.extend(std::iter::repeat_n('\0', len));
        self.secret.clear();
    }
}

/// Seal `body` for the temporary access key `access` as a LakeFormation token.
pub fn seal(keyring: &Keyring, access: &str, body: &TokenBody) -> Result<SecretString, LfError> {
    let claims = Claims {
        issuer: Issuer::LakeFormation,
        token_id: body.token_id.clone(),
        secret: body.secret.clone(),
        user_id: body.user_id.clone(),
        user_name: body.user_name.clone(),
        domain_id: body.domain_id.clone(),
        domain_name: body.domain_name.clone(),
        project_id: body.project_id.clone(),
        project_name: body.project_name.clone(),
        roles: body.roles.clone(),
        user_names: body.user_names.clone(),
        groups: body.groups.clone(),
        policy: None,
        expires_at: body.expires_at,
    };
    security_token::seal(keyring, access, &claims)
        .map_err(|e| LfError::Internal(format!("sealing: {e}")))
}
