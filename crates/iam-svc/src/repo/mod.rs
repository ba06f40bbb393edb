//! Diesel queries, one file per table family. Functions take a connection and return
//! rows or `StoreError`; authorization and HTTP shapes live elsewhere.

pub mod access_keys;
pub mod domains;
pub mod grants;
pub mod groups;
pub mod login_limits;
pub mod projects;
pub mod revocations;
pub mod roles;
pub mod temporary_keys;
pub mod users;

/// A new 32-hex-character id, the shape Keystone ids have.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
