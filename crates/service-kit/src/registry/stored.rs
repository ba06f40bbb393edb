//! The registry-login adapter of a service whose registry credentials are prefixed bearer
//! secrets stored by their digest (swr-svc's long-term credentials, tcr-svc's instance
//! tokens). The service names its secret prefix and two queries; this adapter owns the
//! rest: one visit to the store for the credential and the asked namespaces, a store
//! that cannot be asked reported as unavailable (a 503, never a wrong password), and the
//! checks of [`authenticate_bearer`] against the service's clock.
//!
//! It must not decide what a credential opens: that is [`super::access`]'s tenancy rule.

use futures_util::future::LocalBoxFuture;

use super::access::{NamespaceRecord, RegistryLogin};
use super::login::{authenticate_bearer, StoredCredential};
use super::token::{RegistryAuthError, RegistryAuthorizer};
use crate::clock::Clock;
use crate::db::{self, DbConnection, DbPool, StoreError};

/// Reads the live-or-not credential whose secret has this SHA-256 (hex), with its
/// registry; `None` when there is none.
pub type CredentialQuery =
    fn(&mut DbConnection, &str) -> Result<Option<StoredCredential>, StoreError>;

/// Reads the namespaces called `names` of the registry `service`, whoever owns them.
pub type NamespaceQuery =
    fn(&mut DbConnection, &str, &[String]) -> Result<Vec<NamespaceRecord>, StoreError>;

/// Where a service keeps its bearer registry credentials: what differs between services.
#[derive(Clone, Copy)]
pub struct BearerTables {
    /// The prefix of the service's secrets (`swr_`, `tcr_`).
    pub token_prefix: &'static str,
    pub credential: CredentialQuery,
    pub namespaces: NamespaceQuery,
}

/// Checks registry logins against a service's stored bearer credentials.
pub struct StoredBearerAuthorizer {
    pool: DbPool,
    /// What "now" is for a credential's expiry.
    clock: Clock,
    tables: BearerTables,
}

impl StoredBearerAuthorizer {
    pub fn new(pool: DbPool, clock: Clock, tables: BearerTables) -> Self {
        StoredBearerAuthorizer {
            pool,
            clock,
            tables,
        }
    }
}

impl RegistryAuthorizer for StoredBearerAuthorizer {
    fn authenticate(
        &self,
        service: &str,
        username: &str,
        password: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>> {
        let BearerTables {
            token_prefix,
            credential,
            namespaces,
        } = self.tables;
        let owned_service = service.to_string();
        let lookup = move |digest: String| async move {
            db::run(&self.pool, move |conn| {
                let Some(found) = credential(conn, &digest)? else {
                    return Ok(None);
                };
                let records = namespaces(conn, &owned_service, &names)?;
                Ok::<_, StoreError>(Some((found, records)))
            })
            .await
            .map_err(unavailable)
        };
        let now = self.clock.stored_now();
        authenticate_bearer(token_prefix, service, username, password, now, lookup)
    }

    fn namespaces(
        &self,
        service: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<Vec<NamespaceRecord>, RegistryAuthError>> {
        let (service, query) = (service.to_string(), self.tables.namespaces);
        Box::pin(async move {
            db::run(&self.pool, move |conn| query(conn, &service, &names))
                .await
                .map_err(unavailable)
        })
    }
}

/// A store that cannot be asked is a 503 for the client, never a wrong password.
fn unavailable(e: StoreError) -> RegistryAuthError {
    RegistryAuthError::Unavailable(e.to_string())
}
