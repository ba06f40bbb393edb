//! Diesel queries, one file per table. Functions take a connection and return rows or
//! `StoreError`; authorization and HTTP shapes live elsewhere.

pub mod credentials;
pub mod instances;
pub mod jobs;
pub mod namespaces;

/// A new 32-hex-character id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
