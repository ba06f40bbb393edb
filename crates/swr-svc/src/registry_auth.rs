//! Registry login for SWR credentials: HTTP Basic with `user_id` and `auth_token`.
//! A credential opens the namespaces of its own instance: what its access holds there
//! (`crate::policy::registry_access`). The checks and the tenancy rule are service-kit's
//! ([`authenticate_bearer`], [`service_kit::registry::access`]); this file says where SWR
//! keeps credentials, their instance and its namespaces.

use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbPool, StoreError};
use service_kit::registry::{
    authenticate_bearer, NamespaceRecord, RegistryAuthError, RegistryAuthorizer, RegistryLogin,
};

use crate::domain::credentials::TOKEN_PREFIX;
use crate::repo;

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
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>> {
        // A store that cannot be asked is a 503 for the client, never a wrong password.
        let owned_service = service.to_string();
        let lookup = move |digest: String| async move {
            db::run(&self.pool, move |conn| {
                let Some(found) = repo::credentials::login_record(conn, &digest)? else {
                    return Ok(None);
                };
                let namespaces = repo::namespaces::login_records(conn, &owned_service, &names)?;
                Ok::<_, StoreError>(Some((found, namespaces)))
            })
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

    fn namespaces(
        &self,
        service: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<Vec<NamespaceRecord>, RegistryAuthError>> {
        let service = service.to_string();
        Box::pin(async move {
            db::run(&self.pool, move |conn| {
                repo::namespaces::login_records(conn, &service, &names)
            })
            .await
            .map_err(|e| RegistryAuthError::Unavailable(e.to_string()))
        })
    }
}
