//! Diesel queries, one file per table. Functions take a connection and return rows or
//! `StoreError`; authorization and wire shapes live elsewhere.

pub mod namespaces;
pub mod rate_windows;
pub mod registries;
pub mod service_accounts;
pub mod tokens;
