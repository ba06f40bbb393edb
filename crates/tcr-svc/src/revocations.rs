//! Off-boarding: when iam-svc says a user lost access to their account (disabled or
//! deleted, or the account disabled), every instance token they created before is revoked
//! in this service's database, so it stays dead on every replica and after the feed's
//! events are forgotten. TCR has no projects: project events revoke nothing here. Service
//! accounts belong to their registry, not to the user who made them, so a user's
//! off-boarding leaves them; when the account itself is disabled (`Domain`), the service
//! accounts of its registries are revoked (docs/policy/tcr.md).

use chrono::NaiveDateTime;
use futures_util::future::LocalBoxFuture;
use service_kit::auth::wire::{RevocationEvent, RevocationKind};
use service_kit::auth::RevocationSink;
use service_kit::clock::Clock;
use service_kit::db::{self, DbConnection, DbPool, StoreError};

use crate::repo;

/// Revokes instance tokens for durable revocation events (`IamFeed::with_sink`).
pub struct TokenRevoker {
    pool: DbPool,
    /// When a revocation happens (`revoked_at`).
    clock: Clock,
}

impl TokenRevoker {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        TokenRevoker { pool, clock }
    }
}

impl RevocationSink for TokenRevoker {
    fn revoke(&self, events: Vec<RevocationEvent>) -> LocalBoxFuture<'static, Result<(), String>> {
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        Box::pin(async move {
            db::write(&pool, move |conn| revoke(conn, &events, clock.stored_now()))
                .await
                .map_err(|e: StoreError| e.to_string())
        })
    }
}

/// Revoke, at `at`, what each durable event ends; running it again changes nothing.
pub fn revoke(
    conn: &mut DbConnection,
    events: &[RevocationEvent],
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    for e in events {
        let cutoff = e.durable_cutoff().naive_utc();
        match e.kind {
            RevocationKind::UserAccess => {
                let n = repo::tokens::revoke_created_before(conn, &e.subject, cutoff, at)?;
                if n > 0 {
                    log::info!("revoked {n} instance tokens of user {}", e.subject);
                }
            }
            RevocationKind::Domain => {
                let n = repo::service_accounts::revoke_in_account(conn, &e.subject, cutoff, at)?;
                if n > 0 {
                    log::info!("revoked {n} service accounts of account {}", e.subject);
                }
            }
            RevocationKind::Token | RevocationKind::User | RevocationKind::Project => {}
        }
    }
    Ok(())
}
