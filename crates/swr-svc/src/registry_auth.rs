//! Registry login for SWR credentials: HTTP Basic with `user_id` and `auth_token`.
//! A credential opens every repository of its own instance's registry: pull and push, or
//! pull only for read-only users. The checks are service-kit's [`authenticate_bearer`];
//! this file says where SWR keeps credentials and their instance's registry.

use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbConnection, DbPool, StoreError};
use service_kit::registry::{
    authenticate_bearer, RegistryAuthError, RegistryAuthorizer, RegistryGrant, StoredCredential,
};

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
        // A store that cannot be asked is a 503 for the client, never a wrong password.
        let lookup = move |digest: String| async move {
            db::run(&self.pool, move |conn| find(conn, &digest))
                .await
                .map_err(|e| RegistryAuthError::Unavailable(e.to_string()))
        };
        authenticate_bearer(
            TOKEN_PREFIX,
            service,
            username,
            password,
            repo::now(),
            lookup,
        )
    }
}

/// The credential with this digest and the registry service of its instance.
fn find(conn: &mut DbConnection, digest: &str) -> Result<Option<StoredCredential>, StoreError> {
    let Some(credential) = repo::credentials::find_by_digest(conn, digest)? else {
        return Ok(None);
    };
    let instance = repo::instances::find(conn, &credential.instance_id)?;
    Ok(instance.map(|i| StoredCredential {
        user_id: credential.user_id,
        enabled: credential.enabled,
        expires_at: credential.expires_at,
        access: credential.access,
        registry_service: i.registry_service,
    }))
}
