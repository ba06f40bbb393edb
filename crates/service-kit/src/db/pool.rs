//! The pool every service shares between its workers.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::connection::{manager, Manager};
use super::{Backend, PoolOptions, StoreError};

/// A connection checked out of a [`DbPool`]; derefs to [`super::DbConnection`].
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// An r2d2 pool of [`super::DbConnection`]s, plus the SQLite writer queue.
///
/// SQLite admits one writer at a time. Left to itself, every other writer sleeps in the
/// busy handler and retries with growing back-off, so under load a write waits up to
/// a hundred times longer than the write before it took. Writers in this process instead
/// queue on one lock (see [`super::write`]) and are woken the moment it is free; the busy
/// handler remains for other processes (the command-line tools) sharing the file.
/// PostgreSQL writers need no queue: they lock only the rows they touch.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    sqlite_writer: Arc<Mutex<()>>,
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

    /// The engine behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// On SQLite, wait for this process's turn to write; on PostgreSQL, nothing.
    pub(super) fn writer_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match self.backend {
            // A writer that panicked released the database's lock when its connection
            // rolled back, so a poisoned queue is still a usable queue.
            Backend::Sqlite => Some(
                self.sqlite_writer
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            ),
            Backend::Postgres => None,
        }
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
    let pool = r2d2::Pool::builder()
        .max_size(options.pool_size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(DbPool {
        pool,
        backend,
        sqlite_writer: Arc::new(Mutex::new(())),
    })
}
