//! The connection enum, its r2d2 manager, and per-connection SQLite settings.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use super::StoreError;

/// One connection to whichever backend the URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` are PostgreSQL; anything else is a SQLite path.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// How to open connections.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub url: String,
    pub pool_size: u32,
    pub busy_timeout_ms: u32,
    pub sqlite_synchronous: String,
}

/// Opens connections for r2d2, choosing the backend from the URL once rather than trying
/// each backend in turn as the derived `establish` would.
#[derive(Clone, Debug)]
pub struct Manager {
    backend: Backend,
    target: String,
    options: PoolOptions,
}

impl Manager {
    /// A SQLite database that lives in memory, shared between the pool's connections.
    pub(super) fn is_in_memory(&self) -> bool {
        self.backend == Backend::Sqlite
            && (self.target.contains("mode=memory") || self.target == ":memory:")
    }

    pub(super) fn connect(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => {
                // A schema of its own (tests, shared clusters) goes in the URL:
                // `?options=-csearch_path%3Dname`, which libpq applies per connection.
                Ok(DbConnection::Postgresql(PgConnection::establish(
                    &self.target,
                )?))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                conn.batch_execute(&self.sqlite_pragmas())
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn sqlite_pragmas(&self) -> String {
        // WAL lets readers run beside the one writer; it does not apply to memory databases.
        // (No memory map: mapped pages of a large file would count as the service's RSS.)
        let journal = if self.is_in_memory() {
            ""
        } else {
            "PRAGMA journal_mode = WAL;"
        };
        // busy_timeout first: switching to WAL takes a lock, and a pool opens several
        // connections at once.
        format!(
            "PRAGMA busy_timeout = {}; {journal} PRAGMA foreign_keys = ON; PRAGMA synchronous = {};",
            self.options.busy_timeout_ms,
            self.options.sqlite_synchronous.to_ascii_uppercase()
        )
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        Manager::connect(self).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Postgresql(c) => diesel::r2d2::R2D2Connection::is_broken(c),
            DbConnection::Sqlite(c) => diesel::r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// The manager for the options, with a SQLite path's folder created if missing.
pub(super) fn manager(options: &PoolOptions) -> Result<Manager, StoreError> {
    let backend = Backend::of_url(&options.url);
    let target = match backend {
        Backend::Postgres => options.url.clone(),
        Backend::Sqlite => sqlite_target(&options.url)?,
    };
    Ok(Manager {
        backend,
        target,
        options: options.clone(),
    })
}

fn sqlite_target(url: &str) -> Result<String, StoreError> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.starts_with("file:") || path == ":memory:" {
        return Ok(path.to_string());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    Ok(path.to_string())
}
