//! Database access shared by every service: one connection type over SQLite and
//! PostgreSQL, an r2d2 pool, per-backend embedded migrations, the error mapping every
//! service uses, and helpers to run diesel code off the async workers.
//!
//! Services keep their own `schema.rs` and queries; this module owns only the plumbing.

mod connection;
mod error;
mod migrations;
mod run;

pub use connection::{connect_pool, Backend, DbConnection, DbPool, PoolOptions};
pub use error::StoreError;
pub use migrations::{revert_all, run_pending, Migrations};
pub use run::{run, write_transaction};
