//! Registry login with TCR instance tokens: HTTP Basic with `Username` and `Token`. A
//! token opens every repository of its own registry: pull and push, or pull only when it
//! was issued to a read-only user. Disabled, expired and deleted tokens are refused on
//! the next login, since nothing is cached.

use credential_core::bearer::check_bearer;
use credential_core::digest::sha256_hex;
use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbPool, StoreError};
use service_kit::registry::{RegistryAuthError, RegistryAuthorizer, RegistryGrant};

use crate::actions::tokens::TOKEN_PREFIX;
use crate::repo;

/// Checks registry logins against the instance tokens.
pub struct TcrRegistryAuthorizer {
    pool: DbPool,
}

impl TcrRegistryAuthorizer {
    pub fn new(pool: DbPool) -> Self {
        TcrRegistryAuthorizer { pool }
    }
}

impl RegistryAuthorizer for TcrRegistryAuthorizer {
    fn authenticate(
        &self,
        service: &str,
        username: &str,
        password: &str,
    ) -> LocalBoxFuture<'_, Result<RegistryGrant, RegistryAuthError>> {
        // The checksum rejects typos and guesses without a database read.
        let well_formed = check_bearer(TOKEN_PREFIX, password).is_ok();
        let digest = sha256_hex(password.as_bytes());
        let (service, username) = (service.to_string(), username.to_string());
        Box::pin(async move {
            if !well_formed {
                return Err(RegistryAuthError::BadCredentials);
            }
            let found = db::run(&self.pool, move |conn| -> Result<_, StoreError> {
                let Some(token) = repo::tokens::find_by_digest(conn, &digest)? else {
                    return Ok(None);
                };
                Ok(repo::registries::find(conn, &token.registry_id)?.map(|r| (token, r)))
            })
            .await
            .map_err(|e| RegistryAuthError::Unavailable(e.to_string()))?;
            let Some((token, registry)) = found else {
                return Err(RegistryAuthError::BadCredentials);
            };
            let live = token.enabled && token.expires_at > repo::now();
            if token.user_id != username || !live || registry.registry_service != service {
                return Err(RegistryAuthError::BadCredentials);
            }
            Ok(RegistryGrant {
                subject: token.user_id,
                repository_actions: token.access.split(',').map(str::to_string).collect(),
            })
        })
    }
}
