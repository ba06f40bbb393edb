//! Registry login for SWR credentials: HTTP Basic with `user_id` and `auth_token`.
//! A credential opens every repository of its own instance's registry: pull and push, or
//! pull only for read-only users. The checks are service-kit's [`authenticate_bearer`];
//! this file says where SWR keeps credentials and their instance's registry.

use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbPool};
use service_kit::registry::{
    authenticate_bearer, RegistryAuthError, RegistryAuthorizer, RegistryGrant,
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
            db::run(&self.pool, move |conn| {
                repo::credentials::login_record(conn, &digest)
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
}
