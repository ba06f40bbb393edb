//! What can go wrong in the store, sorted by what the caller should answer.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A storage failure, classified so services map it to the right status: an outage is
/// 503, a constraint is the caller's conflict, anything else is an internal error.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is too busy (pool timeout, closed connection,
    /// SQLite lock held past the busy timeout).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// No row matched.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write.
    #[error("unique constraint violated")]
    UniqueViolation,
    /// A foreign key refused the write.
    #[error("foreign key violated")]
    ForeignKeyViolation,
    /// Anything else; the cause is for the log only.
    #[error("database error: {0}")]
    Other(String),
}

impl StoreError {
    /// This error as the service's own, unless the store refused a name someone holds
    /// already: then `taken`, the service's refusal that names it. A unique constraint
    /// alone decides between two requests racing for one name, so this is where a taken
    /// name is told from any other failure.
    pub fn or_taken<E: From<StoreError>>(self, taken: impl FnOnce() -> E) -> E {
        match self {
            StoreError::UniqueViolation => taken(),
            other => other.into(),
        }
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(kind, info) => classify(kind, info.message()),
            DieselError::BrokenTransactionManager => StoreError::Unavailable(e.to_string()),
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// What a database error says about the database, beyond the caller's own mistakes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outage {
    /// The connection is gone or useless (the server closed it, shut down, restarted, is
    /// now a read-only standby; the SQLite file vanished or turned read-only under an open
    /// handle): answer 503 and open a new connection next time.
    Lost,
    /// The database is there but could not do it now (a statement or lock timeout, a
    /// deadlock, a full disk): answer 503; the connection stays good.
    Busy,
}

fn classify(kind: DatabaseErrorKind, message: &str) -> StoreError {
    let outage = match kind {
        DatabaseErrorKind::UniqueViolation => return StoreError::UniqueViolation,
        DatabaseErrorKind::ForeignKeyViolation => return StoreError::ForeignKeyViolation,
        // diesel reports these when libpq's connection is bad or a command cannot be sent.
        DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
            Some(Outage::Lost)
        }
        // A standby after a failover: a new connection reaches the new primary.
        DatabaseErrorKind::ReadOnlyTransaction => Some(Outage::Lost),
        DatabaseErrorKind::SerializationFailure => Some(Outage::Busy),
        _ => outage_in(message),
    };
    match outage {
        Some(Outage::Lost) => {
            mark_lost();
            StoreError::Unavailable(message.to_string())
        }
        Some(Outage::Busy) => StoreError::Unavailable(message.to_string()),
        None => StoreError::Other(message.to_string()),
    }
}

/// diesel hides PostgreSQL's SQLSTATE and SQLite's result code behind
/// `DatabaseErrorKind::Unknown`; only the message tells them apart. These are the
/// messages of libpq, of the server (English, the default `lc_messages`) and of SQLite.
fn outage_in(message: &str) -> Option<Outage> {
    const LOST: &[&str] = &[
        // libpq, when the socket dies under a query or the connection is already bad.
        "server closed the connection unexpectedly",
        "no connection to the server",
        "connection to server was lost",
        "could not receive data from server",
        "could not send data to server",
        "ssl connection has been closed unexpectedly",
        "could not connect to server",
        "connection refused",
        "connection timed out",
        // 57P01 admin_shutdown, 57P02 crash_shutdown, and the idle timeouts.
        "terminating connection",
        // 57P03 cannot_connect_now.
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        // SQLITE_IOERR, SQLITE_CANTOPEN and SQLITE_READONLY: the handle was opened on a
        // file that is gone or no longer writable; a new handle sees the file as it is.
        "disk i/o error",
        "unable to open database file",
        "attempt to write a readonly database",
    ];
    const BUSY: &[&str] = &[
        // 57014 (statement_timeout, or a cancel), 55P03 (lock_timeout), and a standby
        // cancelling a query that conflicts with replay.
        "canceling statement due to",
        // 40P01: one of two transactions is chosen to fail; the same request may pass now.
        "deadlock detected",
        // 53100 disk_full, 53200 out_of_memory, 53300 too_many_connections.
        "could not extend file",
        "no space left on device",
        "out of memory",
        "too many clients already",
        "too many connections",
        // SQLITE_BUSY past busy_timeout, and SQLITE_FULL.
        "database is locked",
        "database is busy",
        "database or disk is full",
    ];
    let message = message.to_ascii_lowercase();
    if LOST.iter().any(|m| message.contains(m)) {
        Some(Outage::Lost)
    } else if BUSY.iter().any(|m| message.contains(m)) {
        Some(Outage::Busy)
    } else {
        None
    }
}

thread_local! {
    /// Set when a query on this thread failed as a lost connection does; read by the pool
    /// when the connection comes back (on the same thread: a connection is used and
    /// returned by the one blocking task that checked it out). diesel's errors carry no
    /// handle to their connection, and the pool's check at return has only the
    /// connection, so the thread carries the news from one to the other.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn mark_lost() {
    LOST.with(|lost| lost.set(true));
}

/// Whether a query on this thread lost its connection since the last call; clears it.
/// A stale mark costs one connection reopened, never a lost one reused.
pub(super) fn take_lost() -> bool {
    LOST.with(|lost| lost.replace(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_stays_not_found() {
        assert!(matches!(
            StoreError::from(DieselError::NotFound),
            StoreError::NotFound
        ));
    }

    #[test]
    fn only_a_unique_violation_is_a_taken_name() {
        #[derive(Debug, PartialEq)]
        enum Answer {
            Taken,
            Store(String),
        }
        impl From<StoreError> for Answer {
            fn from(e: StoreError) -> Self {
                Answer::Store(e.to_string())
            }
        }
        let taken = || Answer::Taken;
        assert_eq!(StoreError::UniqueViolation.or_taken(taken), Answer::Taken);
        for other in [
            StoreError::ForeignKeyViolation,
            StoreError::NotFound,
            StoreError::Unavailable("down".into()),
        ] {
            let expected = Answer::Store(other.to_string());
            assert_eq!(other.or_taken(taken), expected);
        }
    }

    #[test]
    fn rollback_is_internal_not_not_found() {
        assert!(matches!(
            StoreError::from(DieselError::RollbackTransaction),
            StoreError::Other(_)
        ));
    }

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn a_lost_database_is_unavailable_and_its_connection_is_dropped() {
        let lost = [
            (DatabaseErrorKind::ClosedConnection, "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"),
            (DatabaseErrorKind::UnableToSendCommand, "no connection to the server\n"),
            (DatabaseErrorKind::Unknown, "FATAL:  terminating connection due to administrator command"),
            (DatabaseErrorKind::Unknown, "terminating connection because of crash of another server process"),
            (DatabaseErrorKind::Unknown, "could not receive data from server: Connection reset by peer"),
            (DatabaseErrorKind::Unknown, "could not send data to server: Broken pipe"),
            (DatabaseErrorKind::Unknown, "the database system is shutting down"),
            (DatabaseErrorKind::Unknown, "the database system is starting up"),
            (DatabaseErrorKind::Unknown, "SSL connection has been closed unexpectedly"),
            (DatabaseErrorKind::ReadOnlyTransaction, "cannot execute INSERT in a read-only transaction"),
            (DatabaseErrorKind::Unknown, "attempt to write a readonly database"),
            (DatabaseErrorKind::Unknown, "disk I/O error"),
            (DatabaseErrorKind::Unknown, "unable to open database file"),
        ];
        for (kind, message) in lost {
            take_lost();
            let e = StoreError::from(db_error(kind, message));
            assert!(matches!(e, StoreError::Unavailable(_)), "{message}: {e:?}");
            assert!(take_lost(), "{message}: the connection must not be reused");
            assert!(!take_lost(), "the mark is read once");
        }
    }

    #[test]
    fn a_busy_database_is_unavailable_and_its_connection_kept() {
        let busy = [
            (
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            (
                DatabaseErrorKind::Unknown,
                "canceling statement due to lock timeout",
            ),
            (DatabaseErrorKind::Unknown, "deadlock detected"),
            (
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access due to concurrent update",
            ),
            (
                DatabaseErrorKind::Unknown,
                "could not extend file \"base/1/2\": No space left on device",
            ),
            (
                DatabaseErrorKind::Unknown,
                "sorry, too many clients already",
            ),
            (DatabaseErrorKind::Unknown, "database is locked"),
            (DatabaseErrorKind::Unknown, "database or disk is full"),
        ];
        for (kind, message) in busy {
            take_lost();
            let e = StoreError::from(db_error(kind, message));
            assert!(matches!(e, StoreError::Unavailable(_)), "{message}: {e:?}");
            assert!(!take_lost(), "{message}: the connection is still good");
        }
    }

    #[test]
    fn the_callers_mistakes_stay_what_they_are() {
        take_lost();
        let cases = [
            (
                DatabaseErrorKind::UniqueViolation,
                "duplicate key value violates unique constraint",
            ),
            (
                DatabaseErrorKind::ForeignKeyViolation,
                "insert or update on table violates foreign key constraint",
            ),
            (
                DatabaseErrorKind::Unknown,
                "relation \"nowhere\" does not exist",
            ),
            (
                DatabaseErrorKind::NotNullViolation,
                "NOT NULL constraint failed: items.name",
            ),
            (
                DatabaseErrorKind::Unknown,
                "database disk image is malformed",
            ),
        ];
        let got: Vec<String> = cases
            .into_iter()
            .map(
                |(kind, message)| match StoreError::from(db_error(kind, message)) {
                    StoreError::UniqueViolation => "unique".to_string(),
                    StoreError::ForeignKeyViolation => "foreign".to_string(),
                    StoreError::Other(_) => "other".to_string(),
                    e => format!("{e:?}"),
                },
            )
            .collect();
        assert_eq!(got, ["unique", "foreign", "other", "other", "other"]);
        assert!(!take_lost());
    }

    #[test]
    fn a_pool_timeout_is_unavailable() {
        let pool = r2d2::Pool::builder()
            .max_size(1)
            .connection_timeout(std::time::Duration::from_millis(10))
            .build_unchecked(Refusing);
        assert!(matches!(
            pool.get().map_err(StoreError::from),
            Err(StoreError::Unavailable(_))
        ));
    }

    /// A manager whose database never answers.
    #[derive(Debug)]
    struct Refusing;

    impl r2d2::ManageConnection for Refusing {
        type Connection = ();
        type Error = std::io::Error;
        fn connect(&self) -> Result<(), std::io::Error> {
            Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
        }
        fn is_valid(&self, _: &mut ()) -> Result<(), std::io::Error> {
            Ok(())
        }
        fn has_broken(&self, _: &mut ()) -> bool {
            false
        }
    }
}
