//! Registry login for SWR credentials: HTTP Basic with `user_id` and `auth_token`.
//! A credential opens the namespaces of its own instance: what its access holds there
//! (`crate::policy::registry_access`). The adapter, the checks and the tenancy rule are
//! service-kit's ([`StoredBearerAuthorizer`], [`service_kit::registry::access`]); this
//! file says where SWR keeps credentials, their instance and its namespaces.

use service_kit::clock::Clock;
use service_kit::db::DbPool;
use service_kit::registry::{BearerTables, StoredBearerAuthorizer};

use crate::domain::credentials::TOKEN_PREFIX;
use crate::repo;

/// SWR's long-term credentials and the namespaces of their instances.
pub const TABLES: BearerTables = BearerTables {
    token_prefix: TOKEN_PREFIX,
    credential: repo::credentials::login_record,
    namespaces: repo::namespaces::login_records,
};

/// Checks registry logins against the credentials table, with `clock` for expiry.
pub fn authorizer(pool: DbPool, clock: Clock) -> StoredBearerAuthorizer {
    StoredBearerAuthorizer::new(pool, clock, TABLES)
}
