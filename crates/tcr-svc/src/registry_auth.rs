//! Registry login with TCR instance tokens: HTTP Basic with `Username` and `Token`. A
//! token opens the namespaces of its own registry with the actions stored with it
//! ([`crate::policy::registry_access`]). The adapter, the checks and the tenancy rule are
//! service-kit's ([`StoredBearerAuthorizer`], [`service_kit::registry::access`]); this
//! file says where TCR keeps instance tokens, their registry and its namespaces. A
//! username with the service account prefix (`tcr$`) is a service account's login
//! ([`service_accounts::login`]).

use futures_util::future::LocalBoxFuture;
use service_kit::clock::Clock;
use service_kit::db::DbPool;
use service_kit::registry::{
    BearerTables, NamespaceRecord, RegistryAuthError, RegistryAuthorizer, RegistryLogin,
    StoredBearerAuthorizer,
};

use crate::repo;
use crate::service_accounts;
use crate::tokens::TOKEN_PREFIX;

/// TCR's instance tokens and the namespaces of their registries.
pub const TABLES: BearerTables = BearerTables {
    token_prefix: TOKEN_PREFIX,
    credential: repo::tokens::login_record,
    namespaces: repo::namespaces::login_records,
};

/// Checks registry logins against the instance tokens, and service accounts' logins
/// against theirs.
pub struct TcrRegistryAuthorizer {
    pool: DbPool,
    /// What "now" is for a credential's expiry.
    clock: Clock,
    tokens: StoredBearerAuthorizer,
}

impl TcrRegistryAuthorizer {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        let tokens = StoredBearerAuthorizer::new(pool.clone(), clock.clone(), TABLES);
        TcrRegistryAuthorizer {
            pool,
            clock,
            tokens,
        }
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
        self.tokens.authenticate(service, username, password, names)
    }

    fn namespaces(
        &self,
        service: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<Vec<NamespaceRecord>, RegistryAuthError>> {
        self.tokens.namespaces(service, names)
    }
}
