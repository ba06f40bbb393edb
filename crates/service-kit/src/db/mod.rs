//! Database access shared by every service: one connection type over SQLite and
//! PostgreSQL, an r2d2 pool, per-backend embedded migrations, the error mapping every
//! service uses, and helpers to run diesel code off the async workers.
//!
//! Services keep their own `schema.rs` and queries; this module owns only the plumbing.

mod connection;
mod error;
mod migrations;
mod pool;
mod run;
mod stored_time;
mod timestamp;
mod writer;

use diesel::connection::SimpleConnection;

use crate::config::DatabaseConfig;

pub use connection::{Backend, DbConnection, PoolOptions};
pub use error::StoreError;
pub use migrations::{revert_all, revert_last, run_pending, Migrations};
pub use pool::{connect_pool, DbPool, PooledConnection};
pub use run::{run, write, write_transaction};
pub use stored_time::stored_time;
pub use timestamp::Timestamp;

/// Runs `$body` with `$c` bound to the backend's own connection (`SqliteConnection` or
/// `PgConnection`) of a [`DbConnection`]. Through the `MultiConnection` enum diesel renders
/// a query's SQL text again on every execution, to hand it to the backend; on the
/// backend's connection a prepared statement is found by the query's type alone. Worth
/// it on hot paths: a query executed once per request.
///
/// ```ignore
/// let row = service_kit::on_backend!(conn, |c| query.first(c).optional())?;
/// ```
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// The first row of `$query`, if any (`first(..).optional()`), on the backend's own
/// connection as [`on_backend!`] does, and on PostgreSQL locked until the transaction
/// ends (`FOR UPDATE`): a write reads and locks the row its checks hang on in one
/// statement. SQLite has no row locks and needs none: its writes run one at a time. The
/// caller brings diesel's prelude into scope, as for [`on_backend!`].
///
/// ```ignore
/// let found: Option<String> = service_kit::first_locked!(conn, users::table.find(id).select(users::id))?;
/// ```
#[macro_export]
macro_rules! first_locked {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql(c) => $query.for_update().first(c).optional(),
            $crate::db::DbConnection::Sqlite(c) => $query.first(c).optional(),
        }
    };
}

/// Open the pool a service's configuration names and, when `migrate` is set, apply the
/// pending migrations (logging each version).
pub fn open(
    cfg: &DatabaseConfig,
    migrations: &Migrations,
    migrate: bool,
) -> Result<DbPool, StoreError> {
    let pool = connect_pool(&PoolOptions {
        url: cfg.url.clone(),
        pool_size: cfg.pool_size,
        busy_timeout_ms: cfg.busy_timeout_ms,
        sqlite_synchronous: cfg.sqlite_synchronous.clone(),
        acquire_timeout_ms: cfg.acquire_timeout_ms,
        statement_timeout_ms: cfg.statement_timeout_ms,
    })?;
    if migrate {
        let mut conn = pool.get()?;
        let bounded = matches!(&*conn, DbConnection::Postgresql(_))
            && cfg.statement_timeout_ms > 0
            && !cfg.url.contains("statement_timeout");
        // A migration may rewrite a large table: the statement timeout is for requests.
        if bounded {
            conn.batch_execute("SET statement_timeout = 0")?;
        }
        for version in run_pending(&mut conn, migrations)? {
            log::info!("applied migration {version}");
        }
        if bounded {
            conn.batch_execute(&format!(
                "SET statement_timeout = {}",
                cfg.statement_timeout_ms
            ))?;
        }
    }
    Ok(pool)
}
