//! Failed-login limits per user and per client address, kept in the database.
//!
//! An attempt is counted before its password is hashed, so concurrent guesses cannot all
//! slip under the limit, and replicas that share the database share the budget. A user is
//! counted by their id, however the request names them (id, name with domain name, name
//! with domain id); a name that resolves to no user is counted by its spelling. A right
//! password clears the user's count and gives the address its attempt back, so someone
//! who logs in correctly is never slowed down; a wrong one stays counted until the window
//! (which starts with the first counted attempt) has passed.

use chrono::NaiveDateTime;
use service_kit::db::DbConnection;

use crate::config::LoginLimitConfig;
use crate::error::IamError;
use crate::repo;

/// Who an attempt is counted against.
#[derive(Clone, Debug)]
pub struct AttemptKeys {
    user: String,
    address: String,
}

impl AttemptKeys {
    /// A known user, by id.
    pub fn user(user_id: &str, address: &str) -> AttemptKeys {
        AttemptKeys {
            user: format!("u:{user_id}"),
            address: format!("a:{address}"),
        }
    }

    /// A login naming no existing user, by a digest of the (lower-cased) spelling: any
    /// length of name fits the column, and the table holds no names of its own.
    pub fn unknown(spelling: &str, address: &str) -> AttemptKeys {
        let digest =
            ring::digest::digest(&ring::digest::SHA256, spelling.to_lowercase().as_bytes());
        AttemptKeys {
            user: format!("n:{}", hex::encode(digest.as_ref())),
            address: format!("a:{address}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct LoginLimits {
    window: chrono::Duration,
    per_user: i32,
    per_address: i32,
}

impl LoginLimits {
    pub fn new(cfg: &LoginLimitConfig) -> LoginLimits {
        let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        LoginLimits {
            window: chrono::Duration::seconds(
                i64::try_from(cfg.window_seconds).unwrap_or(i64::MAX / 1000),
            ),
            per_user: clamp(cfg.max_failures_per_user),
            per_address: clamp(cfg.max_failures_per_address),
        }
    }

    /// Count an attempt before checking its password (in a write transaction); refused
    /// when the user or the address has no attempt left. A refusal rolls the transaction
    /// back, so refused attempts are not counted.
    pub fn reserve(
        &self,
        conn: &mut DbConnection,
        keys: &AttemptKeys,
        now: NaiveDateTime,
    ) -> Result<(), IamError> {
        let expired_before = now - self.window;
        let user = repo::login_limits::count_attempt(conn, &keys.user, now, expired_before)?;
        let address = repo::login_limits::count_attempt(conn, &keys.address, now, expired_before)?;
        if user > self.per_user || address > self.per_address {
            return Err(IamError::TooManyAttempts);
        }
        Ok(())
    }

    /// The password was right: the user starts afresh and the address gets its attempt
    /// back.
    pub fn succeeded(&self, conn: &mut DbConnection, keys: &AttemptKeys) -> Result<(), IamError> {
        repo::login_limits::clear(conn, &keys.user)?;
        repo::login_limits::uncount(conn, &keys.address)?;
        Ok(())
    }

    /// Forget windows that have ended.
    pub fn prune(&self, conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, IamError> {
        Ok(repo::login_limits::prune(conn, now - self.window)?)
    }
}
