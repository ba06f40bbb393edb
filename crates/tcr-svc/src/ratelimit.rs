//! Requests per second per account and action, in fixed one-second windows.
//!
//! Where the counts live follows the backend, chosen once at start:
//! - PostgreSQL, which the replicas of a deployment share: the `rate_windows` table, one
//!   upsert per request returning the window's count, so every replica draws on one
//!   budget. Ended windows are pruned once a minute by [`RateLimiter::pruning`].
//! - SQLite, a single process by design: this process's memory, with no write per request.
//!
//! The limiter reads no clock: the caller says which second it is (the state's clock,
//! which a test holds still or steps).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use service_kit::clock::Clock;
use service_kit::db::{self, Backend, DbConnection, DbPool, StoreError};
use service_kit::start::Background;

use crate::error::TcrError;
use crate::repo;

/// Seconds a window is kept after it started. Replicas' clocks may disagree by a little:
/// a window is deleted only long after every replica has moved past it.
const KEEP_SECONDS: i64 = 60;

/// How often the windows kept past [`KEEP_SECONDS`] are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Counts requests per (account, action) in the current second, where the backend says.
pub enum RateLimiter {
    /// One process (SQLite): counted in its memory.
    InProcess(ProcessWindows),
    /// Replicas sharing a PostgreSQL database: counted in it.
    Shared(DbPool),
}

impl RateLimiter {
    /// The limiter for a pool of `backend`.
    pub fn for_backend(backend: Backend, pool: &DbPool) -> RateLimiter {
        match backend {
            Backend::Postgres => RateLimiter::Shared(pool.clone()),
            Backend::Sqlite => RateLimiter::InProcess(ProcessWindows::default()),
        }
    }

    /// Count one request of `account` for `action` at `now_second`: refused with
    /// `RequestLimitExceeded` when it is over `per_second`.
    ///
    /// Fails closed: a request the database cannot count is refused as `Unavailable`
    /// (TCR's "temporarily unavailable", the answer to any database outage), never let
    /// through uncounted. The action would need the same database a moment later, and a
    /// limit that lapses whenever the database is slow would fail exactly under load.
    pub async fn admit(
        &self,
        account: &str,
        action: &str,
        per_second: u32,
        now_second: i64,
    ) -> Result<(), TcrError> {
        let allowed = match self {
            RateLimiter::InProcess(windows) => {
                windows.allow(account, action, per_second, now_second)
            }
            RateLimiter::Shared(pool) => {
                let (account, action) = (account.to_string(), action.to_string());
                let count = db::run(pool, move |conn| match conn {
                    DbConnection::Postgresql(c) => {
                        repo::rate_windows::count(c, &account, &action, now_second)
                    }
                    DbConnection::Sqlite(_) => Err(StoreError::Other(
                        "rate windows are counted in the database on PostgreSQL only".into(),
                    )),
                })
                .await
                .map_err(|e| TcrError::Unavailable(format!("counting the request: {e}")))?;
                i64::from(count) <= i64::from(per_second)
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(TcrError::RequestLimitExceeded)
        }
    }

    /// Forget the windows that started more than a minute before `now_second`; how many.
    /// Counts in memory bound themselves.
    pub async fn prune(&self, now_second: i64) -> Result<usize, StoreError> {
        match self {
            RateLimiter::InProcess(_) => Ok(0),
            RateLimiter::Shared(pool) => {
                let before = now_second - KEEP_SECONDS;
                db::run(pool, move |conn| repo::rate_windows::prune(conn, before)).await
            }
        }
    }

    /// The task that prunes, once a minute for as long as the process runs, when the
    /// counts are in the database; none in memory. Replicas may all prune: deleting twice
    /// is harmless.
    pub fn pruning(&self, clock: Clock) -> Vec<Background> {
        let RateLimiter::Shared(pool) = self else {
            return Vec::new();
        };
        let limiter = RateLimiter::Shared(pool.clone());
        vec![Box::pin(async move {
            loop {
                actix_web::rt::time::sleep(PRUNE_EVERY).await;
                if let Err(e) = limiter.prune(clock.now().timestamp()).await {
                    log::warn!("pruning rate windows failed: {e}");
                }
            }
        })]
    }
}

/// The counts of one process: the current window of each (account, action).
#[derive(Default)]
pub struct ProcessWindows {
    windows: Mutex<HashMap<(String, String), (i64, u32)>>,
}

impl ProcessWindows {
    /// Count one request at `now_second`; false when it is over `per_second`.
    pub fn allow(&self, account: &str, action: &str, per_second: u32, now_second: i64) -> bool {
        let Ok(mut map) = self.windows.lock() else {
            return false;
        };
        if map.len() > 100_000 {
            map.retain(|_, (second, _)| *second == now_second);
        }
        let entry = map
            .entry((account.to_string(), action.to_string()))
            .or_insert((now_second, 0));
        if entry.0 != now_second {
            *entry = (now_second, 0);
        }
        if entry.1 >= per_second {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_account_and_action_per_second() {
        let l = ProcessWindows::default();
        for _ in 0..3 {
            assert!(l.allow("a", "X", 3, 100));
        }
        assert!(!l.allow("a", "X", 3, 100));
        assert!(
            l.allow("a", "Y", 3, 100),
            "another action has its own budget"
        );
        assert!(
            l.allow("b", "X", 3, 100),
            "another account has its own budget"
        );
        assert!(l.allow("a", "X", 3, 101), "the next second starts afresh");
    }
}
