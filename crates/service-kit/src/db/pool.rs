//! The pool every service shares between its workers.

use std::time::Duration;

use super::connection::{manager, Manager};
use super::writer::Writer;
use super::{Backend, PoolOptions, StoreError};

/// A connection checked out of a [`DbPool`]; derefs to [`super::DbConnection`].
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// An r2d2 pool of [`super::DbConnection`]s and, on SQLite, the process's writer (see
/// [`super::write`]).
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    writer: Option<Writer>,
}

impl DbPool {
    /// Check a connection out, waiting up to the pool's timeout for one to be free.
    pub fn get(&self) -> Result<PooledConnection, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Connections open and idle, for `/metrics`.
    pub fn state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// SQLite's group-commit writer; PostgreSQL has none.
    pub(super) fn writer(&self) -> Option<&Writer> {
        self.writer.as_ref()
    }
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password; the backend and sizes are what a reader needs.
        f.debug_struct("DbPool")
            .field("backend", &self.backend)
            .field("max_size", &self.pool.max_size())
            .finish_non_exhaustive()
    }
}

/// Build the pool. A SQLite file's folder is created if missing.
///
/// Connections are not pinged on checkout: that would cost every request one more round
/// trip to PostgreSQL. A connection the server dropped fails its next query, r2d2 sees it
/// broken when it comes back, and the pool replaces it.
pub fn connect_pool(options: &PoolOptions) -> Result<DbPool, StoreError> {
    let manager = manager(options)?;
    let backend = Backend::of_url(&options.url);
    let writer_manager = manager.clone();
    let pool = r2d2::Pool::builder()
        .max_size(options.pool_size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let writer = match backend {
        Backend::Sqlite => Some(Writer::start(&writer_manager, pool.clone())?),
        Backend::Postgres => None,
    };
    Ok(DbPool {
        pool,
        backend,
        writer,
    })
}
