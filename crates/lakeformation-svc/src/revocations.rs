//! Off-boarding: when iam-svc says a user or a project is gone, the temporary keys
//! issued to them are revoked in this service's database, so they stay dead after the
//! feed's events are forgotten and on every replica that shares the database.

use futures_util::future::LocalBoxFuture;
use service_kit::auth::wire::{RevocationEvent, RevocationKind};
use service_kit::auth::RevocationSink;
use service_kit::clock::Clock;
use service_kit::db::{self, DbPool, StoreError};

use crate::repo::{self, Holder};

/// Revokes issuances for durable revocation events (`IamFeed::with_sink`).
pub struct IssuanceRevoker {
    pool: DbPool,
    /// When a revocation is recorded.
    clock: Clock,
}

impl IssuanceRevoker {
    /// A revoker on the system clock.
    pub fn new(pool: DbPool) -> Self {
        IssuanceRevoker {
            pool,
            clock: Clock::system(),
        }
    }

    /// The same, recording revocations at `clock`'s time.
    pub fn with_clock(self, clock: Clock) -> Self {
        IssuanceRevoker { clock, ..self }
    }
}

impl RevocationSink for IssuanceRevoker {
    fn revoke(&self, events: Vec<RevocationEvent>) -> LocalBoxFuture<'static, Result<(), String>> {
        let pool = self.pool.clone();
        let clock = self.clock.clone();
        Box::pin(async move {
            db::write(&pool, move |conn| {
                let at = clock.stored_now();
                for e in &events {
                    let holder = match e.kind {
                        RevocationKind::UserAccess => Holder::User(&e.subject),
                        RevocationKind::Project => Holder::Project(&e.subject),
                        // Every temporary credential is a user's: a domain's go with
                        // their users' own events.
                        RevocationKind::Token | RevocationKind::User | RevocationKind::Domain => {
                            continue
                        }
                    };
                    let cutoff = e.durable_cutoff().naive_utc();
                    let n = repo::revoke_issued_before(conn, holder, cutoff, at)?;
                    if n > 0 {
                        log::info!("revoked {n} temporary credentials of {holder:?}");
                    }
                }
                Ok::<_, StoreError>(())
            })
            .await
            .map_err(|e| e.to_string())
        })
    }
}
