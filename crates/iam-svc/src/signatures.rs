//! Checking requests signed with permanent access keys. iam-svc alone holds the secret
//! keys, so this is the only place their MACs are checked: for its own endpoints (through
//! service-kit's `signed_requests` middleware) and for other services (through
//! `POST /internal/v1/signature-checks`). Running the check on the pool and the replay
//! memory are service-kit's [`IssuerVerifier`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use credential_core::seal::Keyring;
use service_kit::auth::wire::SignatureCheck;
use service_kit::auth::{AuthError, IssuedKeys, IssuerVerifier, Principal, ProjectRef};
use service_kit::db::{self, DbConnection, StoreError};

use crate::repo::{self, access_keys::ACTIVE};

/// Checks signatures against the sealed secret keys in the database. Cheap to clone.
pub type LocalSignatureVerifier = IssuerVerifier<PermanentKeys>;

/// The permanent keys: sealed under the master keyring in the database.
#[derive(Clone)]
pub struct PermanentKeys {
    master: Arc<Keyring>,
    last_use: Arc<LastUse>,
}

impl PermanentKeys {
    pub fn new(master: Arc<Keyring>) -> Self {
        PermanentKeys {
            master,
            last_use: Arc::default(),
        }
    }

    /// The master keyring, for sealing new secrets.
    pub fn master(&self) -> &Keyring {
        &self.master
    }
}

impl IssuedKeys for PermanentKeys {
    /// The blocking part: one statement for the key with its user and domain, one MAC,
    /// and one more statement for the roles when a scope is asked for.
    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        let store = |e: StoreError| AuthError::IssuerUnavailable(e.to_string());
        let key = repo::access_keys::find_for_check(conn, &check.access)
            .map_err(store)?
            .ok_or(AuthError::UnknownAccessKey)?;
        let secret = self
            .master
            .open_string(&key.sealed_secret, key.access.as_bytes())
            .map_err(|e| {
                AuthError::IssuerUnavailable(format!(
                    "cannot open the secret of {}: {e}",
                    key.access
                ))
            })?;
        let matches = check.mac_matches(secret.expose().as_bytes())?;
        drop(secret);
        // The MAC before the status: someone who knows only an AK learns nothing more.
        if !matches {
            return Err(AuthError::SignatureMismatch);
        }
        if check.security_token.is_some() {
            // Permanent keys never come with a security token; a token belongs to a
            // temporary key issued elsewhere.
            return Err(AuthError::SecurityTokenRefused);
        }
        let (Some((user_name, user_enabled)), Some((domain_name, domain_enabled))) =
            (key.user, key.domain)
        else {
            return Err(AuthError::UnknownAccessKey);
        };
        if key.status != ACTIVE || !user_enabled || !domain_enabled {
            return Err(AuthError::InactiveAccessKey);
        }
        let (project, roles) = match (&check.project_id, &check.domain_id) {
            (Some(project_id), _) => {
                let (name, roles) =
                    repo::grants::project_scope(conn, &key.user_id, project_id, &key.domain_id)
                        .map_err(store)?
                        .ok_or(AuthError::ScopeRefused)?;
                if roles.is_empty() {
                    return Err(AuthError::ScopeRefused);
                }
                let id = project_id.clone();
                (Some(ProjectRef { id, name }), roles)
            }
            (None, Some(domain_id)) if *domain_id != key.domain_id => {
                return Err(AuthError::ScopeRefused);
            }
            (None, None) if !check.own_domain => (None, Vec::new()),
            // The key's own domain, asked by id or by `own_domain`.
            (None, _) => (
                None,
                repo::grants::domain_role_names(conn, &key.user_id, &key.domain_id)
                    .map_err(store)?,
            ),
        };
        let now = db::stored_time(now);
        if self.last_use.is_due(&key.access, now) {
            repo::access_keys::touch(conn, &key.access, minute(now)).map_err(store)?;
        }
        Ok(Principal {
            user_id: key.user_id,
            user_name,
            domain_id: key.domain_id,
            domain_name,
            project,
            roles,
            access_key: Some(key.access),
            temporary: None,
            token: None,
        })
    }
}

/// Keeps `last_used_at` current to the minute with at most one write per key per minute
/// (per replica), instead of one per request.
#[derive(Default)]
struct LastUse {
    written: Mutex<HashMap<String, NaiveDateTime>>,
}

impl LastUse {
    fn is_due(&self, access: &str, now: NaiveDateTime) -> bool {
        let Ok(mut map) = self.written.lock() else {
            return true;
        };
        let this_minute = minute(now);
        if map.get(access) == Some(&this_minute) {
            return false;
        }
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(access.to_string(), this_minute);
        true
    }
}

fn minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests;
