//! Diesel queries, one file per table family. Functions take a connection and return
//! rows or `StoreError`; authorization and HTTP shapes live elsewhere.

/// Runs `$body` with `$c` bound to the backend's own connection. Through the
/// `MultiConnection` enum diesel renders a query's SQL text again on every execution (to
/// hand it to the backend); on the backend's connection a prepared statement is found by
/// the query's type alone. Worth it only on the hottest paths (the signature check).
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            service_kit::db::DbConnection::Sqlite($c) => $body,
            service_kit::db::DbConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use on_backend;

pub mod access_keys;
pub mod domains;
pub mod grants;
pub mod groups;
pub mod projects;
pub mod revocations;
pub mod roles;
pub mod users;

/// A new 32-hex-character id, the shape Keystone ids have.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The current time as stored (UTC, microseconds).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    // Stored timestamps keep microseconds on both backends; truncate so what we return
    // equals what we read back.
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

use chrono::Timelike;
