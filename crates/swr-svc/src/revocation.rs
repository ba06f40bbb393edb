//! Off-boarding: iam-svc's durable revocation events (a user disabled or deleted, their
//! domain disabled, a project deleted) revoke the credentials swr-svc stores, for good.
//!
//! The feed ([`service_kit::auth::IamFeed`]) hands each page's durable events here before
//! applying them, and pulls the page again if this fails. Revocation sets `revoked_at`,
//! which no API call clears and registry login checks in its one statement; a revoked
//! credential stays listed (as `revoked`) until deleted. Applying an event twice changes
//! nothing: rows already revoked keep their first time.

use chrono::{NaiveDateTime, Timelike};
use futures_util::future::LocalBoxFuture;
use service_kit::auth::wire::{RevocationEvent, RevocationKind};
use service_kit::auth::RevocationSink;
use service_kit::db::{self, DbConnection, DbPool, StoreError};

use crate::repo;

/// Revokes swr-svc's stored credentials for the feed.
pub struct StoredRevocations {
    pool: DbPool,
}

impl StoredRevocations {
    pub fn new(pool: DbPool) -> Self {
        StoredRevocations { pool }
    }
}

impl RevocationSink for StoredRevocations {
    fn revoke(&self, events: Vec<RevocationEvent>) -> LocalBoxFuture<'static, Result<(), String>> {
        let pool = self.pool.clone();
        Box::pin(async move {
            // One transaction for the page: all of it is revoked, or none and it comes again.
            db::write(&pool, move |conn| {
                for event in &events {
                    apply(conn, event)?;
                }
                Ok::<_, StoreError>(())
            })
            .await
            .map_err(|e| e.to_string())
        })
    }
}

/// Revoke what one event cuts off: a user's credentials, or a project's instances and
/// their credentials, created at or before the event's cutoff.
fn apply(conn: &mut DbConnection, event: &RevocationEvent) -> Result<(), StoreError> {
    let cutoff = stored_time(event.durable_cutoff().naive_utc());
    let at = stored_time(event.revoked_at.naive_utc());
    let revoked = match event.kind {
        RevocationKind::UserAccess => {
            repo::credentials::revoke_user(conn, &event.subject, cutoff, at)?
        }
        RevocationKind::Project => {
            repo::instances::revoke_project(conn, &event.subject, cutoff, at)?;
            repo::credentials::revoke_project(conn, &event.subject, cutoff, at)?
        }
        // Tokens and temporary keys only: nothing stored here is cut by these. Every SWR
        // credential is a user's, cut by that user's own event when a domain goes.
        RevocationKind::Token | RevocationKind::User | RevocationKind::Domain => 0,
    };
    if revoked > 0 {
        log::info!(
            "revoked {revoked} registry credentials ({} event {})",
            event.kind.as_str(),
            event.seq
        );
    }
    Ok(())
}

/// A time as the database stores it (whole microseconds), so comparisons with stored
/// times mean the same on both backends.
fn stored_time(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}
