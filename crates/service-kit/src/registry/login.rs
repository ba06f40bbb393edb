//! The registry login check that swr-svc and tcr-svc share: the Basic password is one of
//! the service's prefixed bearer secrets, looked up by its SHA-256, and granted only while
//! it is enabled and unexpired, to the user it was issued to, for the registry it belongs
//! to. What it then opens is the owner's namespaces ([`super::access`]).
//!
//! Each service keeps its own lookup (its tables, its join to the registry, how a store
//! error is reported); this module owns the order of the checks, so that one rule cannot
//! be tightened in one service and forgotten in the other. Nothing is cached: a disabled,
//! expired or deleted credential is refused on the next login.

use std::future::Future;

use chrono::NaiveDateTime;
use credential_core::bearer::check_bearer;
use credential_core::digest::sha256_hex;
use futures_util::future::LocalBoxFuture;

use super::access::{NamespaceRecord, NamespaceRights, RegistryLogin};
use super::token::RegistryAuthError;

/// What the login check needs of a stored registry credential and its registry. Queryable
/// from a select of these columns in this order.
#[derive(Clone, Debug, PartialEq, Eq, diesel::Queryable)]
pub struct StoredCredential {
    /// Who the credential was issued to; the Basic username must be this.
    pub user_id: String,
    pub enabled: bool,
    /// Compared with the `now` given to [`authenticate_bearer`], in the same (stored) form.
    #[diesel(deserialize_as = crate::db::Timestamp)]
    pub expires_at: NaiveDateTime,
    /// Repository actions in every namespace of the owner, as stored, comma-separated:
    /// `pull`, `pull,push` or `pull,push,delete`.
    pub access: String,
    /// The `service` of the registry the credential belongs to.
    pub registry_service: String,
    /// The instance or registry the credential belongs to: whose namespaces it opens.
    pub owner: String,
}

/// Check a registry login whose password is a bearer secret with `token_prefix`.
///
/// `lookup` gets the secret's SHA-256 (hex) and answers the stored credential with the
/// namespaces the request asks about (read in the same visit to the store), `None` when
/// there is no such credential, or the service's own error (usually
/// [`RegistryAuthError::Unavailable`]).
/// It is not called for a secret whose checksum fails, so typos and guesses cost no
/// database read. Every refusal is the same [`RegistryAuthError::BadCredentials`], so the
/// caller cannot tell which check failed.
pub fn authenticate_bearer<'a, F, Fut>(
    token_prefix: &str,
    service: &str,
    username: &str,
    password: &str,
    now: NaiveDateTime,
    lookup: F,
) -> LocalBoxFuture<'a, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>>
where
    F: FnOnce(String) -> Fut + 'a,
    Fut: Future<Output = Result<Option<(StoredCredential, Vec<NamespaceRecord>)>, RegistryAuthError>>
        + 'a,
{
    let well_formed = check_bearer(token_prefix, password).is_ok();
    let digest = sha256_hex(password.as_bytes());
    let (service, username) = (service.to_string(), username.to_string());
    Box::pin(async move {
        if !well_formed {
            return Err(RegistryAuthError::BadCredentials);
        }
        let Some((found, namespaces)) = lookup(digest).await? else {
            return Err(RegistryAuthError::BadCredentials);
        };
        let live = found.enabled && found.expires_at > now;
        if found.user_id != username || !live || found.registry_service != service {
            return Err(RegistryAuthError::BadCredentials);
        }
        let login = RegistryLogin {
            subject: found.user_id,
            owner: found.owner,
            rights: NamespaceRights::Everywhere(
                found.access.split(',').map(str::to_string).collect(),
            ),
        };
        Ok((login, namespaces))
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration};
    use credential_core::bearer::generate_bearer;
    use futures_util::future::{ready, FutureExt as _};

    use super::*;

    const PREFIX: &str = "swr_";

    type Answer = Result<Option<(StoredCredential, Vec<NamespaceRecord>)>, RegistryAuthError>;

    fn now() -> NaiveDateTime {
        DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    /// A live credential of `u-1` for `swr-registry`.
    fn live() -> StoredCredential {
        StoredCredential {
            user_id: "u-1".into(),
            enabled: true,
            expires_at: now() + Duration::seconds(1),
            access: "pull,push".into(),
            registry_service: "swr-registry".into(),
            owner: "inst-1".into(),
        }
    }

    /// Log in as `u-1` to `swr-registry`; `lookup` answers for the digest it is given.
    fn login(
        password: &str,
        lookup: impl FnOnce(String) -> Answer,
    ) -> Result<RegistryLogin, RegistryAuthError> {
        authenticate_bearer(PREFIX, "swr-registry", "u-1", password, now(), |digest| {
            ready(lookup(digest))
        })
        .now_or_never()
        .unwrap()
        .map(|(login, _)| login)
    }

    /// A store that holds `credential` under the digest of `secret`.
    fn holding(secret: &str, credential: StoredCredential) -> impl FnOnce(String) -> Answer {
        let digest = sha256_hex(secret.as_bytes());
        move |asked| Ok((asked == digest).then_some((credential, Vec::new())))
    }

    #[test]
    fn a_live_credential_of_this_user_and_registry_is_granted_its_actions() {
        let secret = generate_bearer(PREFIX).unwrap();
        let grant = login(secret.expose(), holding(secret.expose(), live())).unwrap();
        assert_eq!(grant.subject, "u-1");
        assert_eq!(grant.owner, "inst-1");
        let actions = vec!["pull".to_string(), "push".to_string()];
        assert_eq!(grant.rights, NamespaceRights::Everywhere(actions));
    }

    #[test]
    fn every_failed_check_is_the_same_refusal() {
        let secret = generate_bearer(PREFIX).unwrap();
        let refuse: [fn(&mut StoredCredential); 4] = [
            |c| c.enabled = false,
            |c| c.expires_at = now(),
            |c| c.user_id = "u-2".into(),
            |c| c.registry_service = "other-registry".into(),
        ];
        for change in refuse {
            let mut credential = live();
            change(&mut credential);
            let verdict = login(secret.expose(), holding(secret.expose(), credential));
            assert_eq!(verdict, Err(RegistryAuthError::BadCredentials));
        }
        let unknown = generate_bearer(PREFIX).unwrap();
        let verdict = login(unknown.expose(), holding(secret.expose(), live()));
        assert_eq!(verdict, Err(RegistryAuthError::BadCredentials));
    }

    #[test]
    fn a_malformed_secret_is_refused_without_a_lookup() {
        let foreign = generate_bearer("tcr_").unwrap();
        let verdict = login(foreign.expose(), |_| panic!("looked up"));
        assert_eq!(verdict, Err(RegistryAuthError::BadCredentials));
    }

    #[test]
    fn the_lookup_error_is_passed_on() {
        let secret = generate_bearer(PREFIX).unwrap();
        let down = RegistryAuthError::Unavailable("store down".into());
        assert_eq!(login(secret.expose(), |_| Err(down.clone())), Err(down));
    }
}
