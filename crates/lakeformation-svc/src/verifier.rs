//! Checks requests signed with temporary keys: open the security token with the AK,
//! check its expiry and its issuance record (revocation), then the MAC with the temporary
//! secret inside it. Serves this service's own middleware and, through
//! `POST /internal/v1/signature-checks`, every other service.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use credential_core::seal::Keyring;
use service_kit::auth::wire::SignatureCheck;
use service_kit::auth::{
    AuthError, IssuedKeys, IssuerVerifier, Principal, ProjectRef, TemporaryKey,
};
use service_kit::db::DbConnection;

use crate::{repo, security_token};

/// The issuer of temporary keys: running the check on the pool, the replay memory and the
/// verdict for other services are service-kit's [`IssuerVerifier`]. Cheap to clone.
pub type TemporaryKeyVerifier = IssuerVerifier<TemporaryKeys>;

/// The temporary keys: sealed into their security tokens under this keyring, with their
/// issuance records (revocation) in the database.
#[derive(Clone)]
pub struct TemporaryKeys {
    keyring: Arc<Keyring>,
}

impl TemporaryKeys {
    pub fn new(keyring: Arc<Keyring>) -> Self {
        TemporaryKeys { keyring }
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }
}

impl IssuedKeys for TemporaryKeys {
    /// A key is refused from its `expires_at` on, at `now`.
    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        let token = check
            .security_token
            .as_deref()
            .ok_or(AuthError::SecurityTokenRefused)?;
        let body = security_token::open(&self.keyring, &check.access, token)
            .map_err(|_| AuthError::SecurityTokenRefused)?;
        if body.expires_at <= now {
            return Err(AuthError::SecurityTokenRefused);
        }
        let issuance = repo::issuance_by_access(conn, &check.access)
            .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?
            .ok_or(AuthError::SecurityTokenRefused)?;
        if issuance.id != body.token_id || issuance.revoked_at.is_some() {
            return Err(AuthError::SecurityTokenRefused);
        }
        let matches = check.mac_matches(body.secret.as_bytes())?;
        if !matches {
            return Err(AuthError::SignatureMismatch);
        }
        // A temporary key acts in the one project it was issued for, with the roles it
        // was issued with there, and holds no role on its domain (account). A request
        // scoped to the domain, by id or as its own (Tencent's account-wide APIs), gets the
        // principal without roles: answering with project roles would hand them out as
        // account roles.
        if check
            .project_id
            .as_deref()
            .is_some_and(|p| p != body.project_id)
            || check
                .domain_id
                .as_deref()
                .is_some_and(|d| d != body.domain_id)
        {
            return Err(AuthError::ScopeRefused);
        }
        let domain_scoped =
            check.own_domain || check.domain_id.is_some() && check.project_id.is_none();
        let (project, roles) = if domain_scoped {
            (None, Vec::new())
        } else {
            let project = ProjectRef {
                id: body.project_id.clone(),
                name: body.project_name.clone(),
            };
            (Some(project), body.roles.clone())
        };
        Ok(Principal {
            user_id: body.user_id.clone(),
            user_name: body.user_name.clone(),
            domain_id: body.domain_id.clone(),
            domain_name: body.domain_name.clone(),
            project,
            roles,
            access_key: Some(check.access.clone()),
            temporary: Some(TemporaryKey {
                issued_at: issuance.issued_at.and_utc(),
                expires_at: body.expires_at,
            }),
            token: None,
        })
    }
}
