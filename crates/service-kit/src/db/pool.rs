//! The pool every service shares between its workers.

use std::time::Duration;

use diesel::connection::SimpleConnection;

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
    call_deadline: Option<Duration>,
    /// One count per handle, so the process can tell when it holds the last one.
    handles: std::sync::Arc<()>,
}

impl DbPool {
    /// Check a connection out, waiting up to `acquire_timeout_ms` for one to be free;
    /// past that the caller hears [`StoreError::Unavailable`].
    pub fn get(&self) -> Result<PooledConnection, StoreError> {
        let conn = self.pool.get()?;
        // Whatever this thread saw before concerned another connection.
        super::error::take_lost();
        Ok(conn)
    }

    /// Close the pool on this thread once every other handle is gone, waiting at most
    /// five seconds for the server's threads to drop theirs. Call it with the handle `main` kept,
    /// after the server stopped: a process that exits while a worker thread still closes
    /// PostgreSQL connections races libpq's TLS teardown against the exit handlers and can
    /// crash on its way out. Past the wait the exit goes ahead, with a warning.
    pub fn release(self) {
        const STEP: Duration = Duration::from_millis(10);
        let wait = Duration::from_secs(5);
        let mut waited = Duration::ZERO;
        while std::sync::Arc::strong_count(&self.handles) > 1 {
            if waited >= wait {
                log::warn!("database connections still in use at exit");
                return;
            }
            std::thread::sleep(STEP);
            waited += STEP;
        }
        drop(self);
    }

    /// How long [`DbPool::get`] waits for a connection (`acquire_timeout_ms`).
    pub fn acquire_timeout(&self) -> Duration {
        self.pool.connection_timeout()
    }

    /// Whether the database answers now: a connection within `wait` (shorter than a
    /// request's wait, since load balancers poll this and want a prompt no) and one
    /// round trip on it. Blocks: call it from the blocking pool, or use [`DbPool::ready`].
    pub fn check_ready(&self, wait: Duration) -> Result<(), StoreError> {
        let mut conn = self.pool.get_timeout(wait)?;
        super::error::take_lost();
        // On SQLite `SELECT 1` never touches the file; reading the schema does.
        let probe = match self.backend {
            Backend::Postgres => "SELECT 1",
            Backend::Sqlite => "SELECT count(*) FROM sqlite_master",
        };
        conn.batch_execute(probe)?;
        Ok(())
    }

    /// [`DbPool::check_ready`] on the blocking pool, answered within twice `wait` (the
    /// checkout, then the round trip) even when the round trip hangs on a dead network.
    pub async fn ready(&self, wait: Duration) -> Result<(), StoreError> {
        let pool = self.clone();
        let check = actix_web::web::block(move || pool.check_ready(wait));
        let limit = wait * 2;
        match actix_web::rt::time::timeout(limit, check).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => Err(StoreError::Other(format!("blocking task failed: {e}"))),
            Err(_) => Err(StoreError::Unavailable(format!(
                "no answer from the database within {} ms",
                limit.as_millis()
            ))),
        }
    }

    /// The longest a call through [`super::run`] or [`super::write`] waits for its
    /// blocking task on PostgreSQL before answering 503 (see [`connect_pool`]).
    pub(super) fn call_deadline(&self) -> Option<Duration> {
        self.call_deadline
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
/// trip to PostgreSQL. A connection the server dropped fails its next query (503), r2d2
/// sees it broken when it comes back (see `Manager::has_broken`), and the pool replaces
/// it: after an outage the pool heals by itself, one failed query per dead connection.
///
/// On PostgreSQL a call also has a deadline, the longer of the acquire wait and the
/// statement timeout: a request waits for the database no longer than for a connection
/// or for one statement. The server cannot bound a query whose bytes never reach it (a
/// proxy that stops forwarding but keeps the socket open, where keepalives and
/// `tcp_user_timeout` see nothing wrong); past the deadline the request answers 503 and
/// the blocking task is left to finish or fail (it fails when the socket is reset, and
/// the pool replaces the connection). With the statement timeout off there is none.
pub fn connect_pool(options: &PoolOptions) -> Result<DbPool, StoreError> {
    let manager = manager(options)?;
    let backend = Backend::of_url(&options.url);
    let writer_manager = manager.clone();
    let acquire = Duration::from_millis(options.acquire_timeout_ms);
    let call_deadline = match backend {
        Backend::Postgres if options.statement_timeout_ms > 0 => {
            Some(acquire.max(Duration::from_millis(options.statement_timeout_ms)))
        }
        _ => None,
    };
    let pool = r2d2::Pool::builder()
        .max_size(options.pool_size)
        .connection_timeout(acquire)
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
        call_deadline,
        handles: std::sync::Arc::new(()),
    })
}
