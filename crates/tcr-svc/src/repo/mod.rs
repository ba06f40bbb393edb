//! Diesel queries, one file per table. Functions take a connection and return rows or
//! `StoreError`; authorization and wire shapes live elsewhere.

pub mod namespaces;
pub mod registries;
pub mod service_accounts;
pub mod tokens;

/// The current time as stored (UTC, whole microseconds).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}
