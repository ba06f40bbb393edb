//! Diesel queries, one file per table. Functions take a connection and return rows or
//! `StoreError`; authorization and HTTP shapes live elsewhere.

pub mod credentials;
pub mod instances;
pub mod namespaces;

/// A new 32-hex-character id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The current time as stored (UTC, whole microseconds).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}
