//! The frame of a service that issues access keys and checks their signatures itself
//! (iam-svc for permanent keys, lakeformation-svc for temporary ones): the check runs on a
//! pooled connection off the async runtime, then the signature is accepted once
//! ([`replay`](super::replay)) and given back on request, on the issuer's clock.
//!
//! What a key is and how its MAC is checked belongs to the service ([`IssuedKeys`]); the
//! order here (the key's check before the replay memory, so a refused request leaves no
//! trace) is the same for every issuer.

use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;

use super::wire::{Refusal, SignatureCheck, SignatureRelease, SignatureVerdict};
use super::{replay, AuthError, Principal, SignatureVerifier};
use crate::clock::Clock;
use crate::db::{self, DbConnection, DbPool, StoreError};

/// The keys one service issues, checked against its own database.
pub trait IssuedKeys: Clone + Send + Sync + 'static {
    /// Check the key, the MAC and the scope asked for, and resolve the principal, at
    /// `now`. Blocking: it runs on a worker thread with `conn`.
    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError>;
}

/// A [`SignatureVerifier`] over the keys `K` an issuer holds in `pool`. Cheap to clone
/// when `K` is.
#[derive(Clone)]
pub struct IssuerVerifier<K> {
    keys: K,
    pool: DbPool,
    /// Expiry, last use and the replay memory are judged by this clock.
    clock: Clock,
}

impl<K: IssuedKeys> IssuerVerifier<K> {
    /// A verifier on the system clock.
    pub fn new(pool: DbPool, keys: K) -> Self {
        IssuerVerifier {
            keys,
            pool,
            clock: Clock::system(),
        }
    }

    /// The same verifier, judging time by `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        IssuerVerifier { clock, ..self }
    }

    /// The keys, for the service's other uses of them (sealing new secrets).
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// The answer to another service's check: the principal, or a refusal that service
    /// relays to its caller. `Err` when this issuer cannot judge (its store is out of
    /// reach): that is not the key's fault, and must not read as a refusal.
    pub async fn verdict(&self, check: SignatureCheck) -> Result<SignatureVerdict, AuthError> {
        match SignatureVerifier::check(self, check).await {
            Ok(principal) => Ok(SignatureVerdict::Accepted(principal)),
            Err(e) => match Refusal::from_auth_error(&e) {
                Some(refusal) => Ok(SignatureVerdict::Refused(refusal)),
                None => Err(e),
            },
        }
    }
}

impl<K: IssuedKeys> SignatureVerifier for IssuerVerifier<K> {
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let keys = self.keys.clone();
        let pool = self.pool.clone();
        let now = self.clock.now();
        Box::pin(async move {
            // Through `db::run`, so the check waits for the store no longer than any
            // other call (the pool's deadline): a database that stops answering must
            // not hold the services that ask this issuer.
            let (principal, check) = db::run(&pool, move |conn| {
                let principal = keys
                    .check_blocking(conn, &check, now)
                    .map_err(Checked::Refused)?;
                Ok::<_, Checked>((principal, check))
            })
            .await
            .map_err(Checked::into_auth)?;
            replay::accept_once_at(&self.pool, &check, now).await?;
            Ok(principal)
        })
    }

    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        Box::pin(async move { replay::release(&self.pool, &release).await })
    }
}

/// How a key check through the pool ends badly: the keys' own answer, or a store that
/// gave no connection or no answer in time.
enum Checked {
    Refused(AuthError),
    Store(StoreError),
}

impl From<StoreError> for Checked {
    fn from(e: StoreError) -> Self {
        Checked::Store(e)
    }
}

impl Checked {
    fn into_auth(self) -> AuthError {
        match self {
            Checked::Refused(e) => e,
            Checked::Store(e) => AuthError::IssuerUnavailable(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests;
