//! Registry login with TCR instance tokens: HTTP Basic with `Username` and `Token`. A
//! token opens the namespaces of its own registry with the actions stored with it
//! ([`crate::policy::registry_access`]). The checks and the tenancy rule are service-kit's
//! ([`authenticate_bearer`], [`service_kit::registry::access`]); this file says where TCR
//! keeps instance tokens, their registry and its namespaces. A username with the service
//! account prefix (`tcr$`) is a service account's login ([`service_accounts::login`]).

use futures_util::future::LocalBoxFuture;
use service_kit::clock::Clock;
use service_kit::db::{self, DbPool, StoreError};
use service_kit::registry::{
    authenticate_bearer, NamespaceRecord, RegistryAuthError, RegistryAuthorizer, RegistryLogin,
};

use crate::repo;
use crate::service_accounts;
use crate::tokens::TOKEN_PREFIX;

/// Checks registry logins against the instance tokens.
pub struct TcrRegistryAuthorizer {
    pool: DbPool,
    /// What "now" is for a credential's expiry.
    clock: Clock,
}

impl TcrRegistryAuthorizer {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        TcrRegistryAuthorizer { pool, clock }
    }
}

impl RegistryAuthorizer for TcrRegistryAuthorizer {
    fn authenticate(
        &self,
        service: &str,
        username: &str,
        password: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>> {
        if service_accounts::name::is_login_name(username) {
            let now = self.clock.stored_now();
            return service_accounts::login::authenticate(
                &self.pool, service, username, password, names, now,
            );
        }
        // A store that cannot be asked is a 503 for the client, never a wrong password.
        let owned_service = service.to_string();
        let lookup = move |digest: String| async move {
            db::run(&self.pool, move |conn| {
                let Some(found) = repo::tokens::login_record(conn, &digest)? else {
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
            self.clock.stored_now(),
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
