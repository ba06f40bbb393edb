//! Registry login for SWR credentials: HTTP Basic with `user_id` and `auth_token`.
//! A credential opens every repository of its own instance's registry: pull and push, or
//! pull only for read-only users. Disabled, expired and deleted credentials are refused
//! on the next login, since nothing is cached.

use credential_core::bearer::check_bearer;
use credential_core::digest::sha256_hex;
use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbPool, StoreError};
use service_kit::registry::{RegistryAuthError, RegistryAuthorizer, RegistryGrant};

use crate::repo;
use crate::routes::credentials::TOKEN_PREFIX;

/// Checks registry logins against the credentials table.
pub struct SwrRegistryAuthorizer {
    pool: DbPool,
}

impl SwrRegistryAuthorizer {
    pub fn new(pool: DbPool) -> Self {
        SwrRegistryAuthorizer { pool }
    }
}

impl RegistryAuthorizer for SwrRegistryAuthorizer {
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
                let Some(credential) = repo::credentials::find_by_digest(conn, &digest)? else {
                    return Ok(None);
                };
                let instance = repo::instances::find(conn, &credential.instance_id)?;
                Ok(instance.map(|i| (credential, i)))
            })
            .await
            .map_err(|e| RegistryAuthError::Unavailable(e.to_string()))?;
            let Some((credential, instance)) = found else {
                return Err(RegistryAuthError::BadCredentials);
            };
            let live = credential.enabled && credential.expires_at > repo::now();
            if credential.user_id != username || !live || instance.registry_service != service {
                return Err(RegistryAuthError::BadCredentials);
            }
            Ok(RegistryGrant {
                subject: credential.user_id,
                repository_actions: credential.access.split(',').map(str::to_string).collect(),
            })
        })
    }
}
