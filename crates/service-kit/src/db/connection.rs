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
    /// How long a checkout waits for a free connection before the caller hears
    /// [`StoreError::Unavailable`]; on PostgreSQL it also sets libpq's `connect_timeout`.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL only: the server's `statement_timeout` for every connection; 0 is off.
    pub statement_timeout_ms: u64,
}

/// libpq's TCP keepalives: an idle connection whose peer vanished (a host gone, a network
/// cut) is found dead after about `idle + interval × count` seconds, not the kernel's two
/// hours, so the pool drops it before a request tries it.
const KEEPALIVES_IDLE_S: u32 = 10;
const KEEPALIVES_INTERVAL_S: u32 = 3;
const KEEPALIVES_COUNT: u32 = 3;

/// libpq's `tcp_user_timeout`: how long sent data may stay unacknowledged before the
/// kernel gives the connection up. Keepalives only probe an idle connection; this bounds
/// a query sent into a cut network.
const TCP_USER_TIMEOUT_MS: u32 = 10_000;

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
                // `?options=-csearch_path%3Dname`, which libpq applies per connection;
                // the timeouts were added to the URL by `postgres_target`.
                let mut conn = PgConnection::establish(&self.target)?;
                if self.options.statement_timeout_ms > 0
                    && !self.target.contains("statement_timeout")
                {
                    // A SET rather than `options=-c...`: that parameter may carry the
                    // search_path already, and one more round trip per connection opened is
                    // nothing.
                    conn.batch_execute(&format!(
                        "SET statement_timeout = {}",
                        self.options.statement_timeout_ms
                    ))
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                }
                Ok(DbConnection::Postgresql(conn))
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

    /// Broken when diesel says so (a transaction left open or failed, a PostgreSQL socket
    /// gone: libpq then reports no transaction status) or when a query on it failed as
    /// a lost connection does (see [`super::error`]). diesel would keep a connection to a
    /// server that turned read-only (a demoted primary) and a SQLite handle on a file
    /// that went bad, and r2d2 would hand them out again and again, each time to fail,
    /// long after the database is back. A memory database is never dropped for that: its
    /// last connection holds its data.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        let lost = super::error::take_lost() && !self.is_in_memory();
        lost || match conn {
            DbConnection::Postgresql(c) => diesel::r2d2::R2D2Connection::is_broken(c),
            DbConnection::Sqlite(c) => diesel::r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// The manager for the options, with a SQLite path's folder created if missing.
pub(super) fn manager(options: &PoolOptions) -> Result<Manager, StoreError> {
    let backend = Backend::of_url(&options.url);
    let target = match backend {
        Backend::Postgres => postgres_target(&options.url, options.acquire_timeout_ms),
        Backend::Sqlite => sqlite_target(&options.url)?,
    };
    Ok(Manager {
        backend,
        target,
        options: options.clone(),
    })
}

/// The URL with libpq's bounds on connecting and on a dead network added, each unless the
/// URL sets it already (the operator's word wins). Nothing else in the URL changes, an
/// `options=` parameter included.
pub(super) fn postgres_target(url: &str, acquire_timeout_ms: u64) -> String {
    // Seconds, and libpq treats anything under 2 as 2. A connection that cannot be opened
    // within a checkout's wait is of no use to the request waiting for it.
    let connect_timeout = acquire_timeout_ms.div_ceil(1000).max(2);
    let wanted = [
        ("connect_timeout", connect_timeout.to_string()),
        ("keepalives", "1".to_string()),
        ("keepalives_idle", KEEPALIVES_IDLE_S.to_string()),
        ("keepalives_interval", KEEPALIVES_INTERVAL_S.to_string()),
        ("keepalives_count", KEEPALIVES_COUNT.to_string()),
        ("tcp_user_timeout", TCP_USER_TIMEOUT_MS.to_string()),
    ];
    let present: Vec<&str> = url
        .split_once('?')
        .map(|(_, query)| {
            query
                .split('&')
                .filter_map(|pair| pair.split('=').next())
                .collect()
        })
        .unwrap_or_default();
    let mut out = url.to_string();
    for (key, value) in wanted {
        if present.contains(&key) {
            continue;
        }
        let sep = if !out.contains('?') {
            "?"
        } else if out.ends_with('?') || out.ends_with('&') {
            ""
        } else {
            "&"
        };
        out.push_str(&format!("{sep}{key}={value}"));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::postgres_target;

    #[test]
    fn the_bounds_are_added_and_the_url_otherwise_kept() {
        let url = "postgres://u:p@db:5432/app?options=-csearch_path%3Dt_1";
        assert_eq!(
            postgres_target(url, 5000),
            "postgres://u:p@db:5432/app?options=-csearch_path%3Dt_1&connect_timeout=5\
             &keepalives=1&keepalives_idle=10&keepalives_interval=3&keepalives_count=3\
             &tcp_user_timeout=10000"
        );
        assert!(postgres_target("postgres://db/app", 2500)
            .starts_with("postgres://db/app?connect_timeout=3&keepalives=1"));
    }

    #[test]
    fn the_operators_own_settings_win_and_connect_timeout_is_at_least_two_seconds() {
        let url = "postgresql://db/app?connect_timeout=30&tcp_user_timeout=0";
        let target = postgres_target(url, 100);
        assert!(target.starts_with(url), "{target}");
        assert_eq!(target.matches("connect_timeout=").count(), 1, "{target}");
        assert_eq!(target.matches("tcp_user_timeout=").count(), 1, "{target}");
        assert_eq!(
            postgres_target("postgres://db/app?", 100),
            "postgres://db/app?connect_timeout=2&keepalives=1&keepalives_idle=10\
             &keepalives_interval=3&keepalives_count=3&tcp_user_timeout=10000"
        );
    }
}
