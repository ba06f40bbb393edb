//! Registry login as a service account: HTTP Basic with `tcr$<name>` and its password.
//! Granted, on the registry `service` the account belongs to, only while it is enabled,
//! unexpired and not revoked, and only with the password: every refusal is the same
//! [`RegistryAuthError::BadCredentials`]. Nothing is cached, so a disabled, expired or
//! deleted account is refused on the next login. What the login then opens is
//! service-kit's rule, from the rights per namespace given here.

use chrono::NaiveDateTime;
use credential_core::SecretString;
use futures_util::future::LocalBoxFuture;
use service_kit::db::{self, DbPool, StoreError};
use service_kit::registry::{NamespaceRecord, NamespaceRights, RegistryAuthError, RegistryLogin};

use super::{expiry, password, permissions};
use crate::repo;

/// Check a login at `now` as the service account `username` on the registry `service`, and
/// read the namespaces called `names` of that registry in the same visit to the store.
///
/// The password is checked before the account's state, so that without it nothing about
/// the account can be learnt from the answer or its time. An unknown name costs no hash:
/// names are not secret (every reader of the account lists them), passwords are.
pub fn authenticate<'a>(
    pool: &'a DbPool,
    service: &str,
    username: &str,
    password: &str,
    names: Vec<String>,
    now: NaiveDateTime,
) -> LocalBoxFuture<'a, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>> {
    let (service, name) = (service.to_string(), username.to_string());
    let password = SecretString::from(password);
    Box::pin(async move {
        let lookup = name.clone();
        let (found, namespaces) = db::run(pool, move |conn| {
            let Some(found) = repo::service_accounts::login_record(conn, &service, &lookup)? else {
                return Ok(None);
            };
            let namespaces = repo::namespaces::login_records(conn, &service, &names)?;
            Ok(Some((found, namespaces)))
        })
        .await
        .map_err(|e: StoreError| RegistryAuthError::Unavailable(e.to_string()))?
        .ok_or(RegistryAuthError::BadCredentials)?;
        // A chosen password's hash is slow: off the request threads.
        let digest = found.password_digest;
        let matches = actix_web::web::block(move || password::verify(&password, &digest))
            .await
            .map_err(|e| RegistryAuthError::Unavailable(e.to_string()))?;
        let live = !found.disabled && expiry::live(found.expires_at, now);
        if !matches || !live {
            return Err(RegistryAuthError::BadCredentials);
        }
        let Some(list) = permissions::from_stored(&found.permissions) else {
            log::error!("service account {name}: stored permissions are unreadable");
            return Err(RegistryAuthError::BadCredentials);
        };
        let login = RegistryLogin {
            subject: name,
            owner: found.registry_id,
            rights: NamespaceRights::PerNamespace(permissions::rights(&list)),
        };
        Ok((login, namespaces))
    })
}
