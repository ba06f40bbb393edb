//! Running diesel code from async handlers.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

use super::{DbConnection, DbPool, StoreError};

/// Run `f` with a pooled connection on the blocking thread pool, so a slow query never
/// stalls an async worker.
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let deadline = pool.call_deadline();
    let pool = pool.clone();
    let task = actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    });
    within(deadline, task).await?
}

/// Run `f` in a write transaction and answer once it has committed.
///
/// On SQLite the process's writer runs it, in a batch with the other writes waiting (group
/// commit; see `writer.rs`). On PostgreSQL it runs on the blocking thread pool in a
/// transaction of its own, on any pooled connection. Either way `f` sees its writes and
/// the ones committed before it, and is undone entirely if it fails. Every change a
/// request makes goes through here.
pub async fn write<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    if let Some(writer) = pool.writer() {
        return writer.submit(f).await;
    }
    let deadline = pool.call_deadline();
    let pool = pool.clone();
    let task = actix_web::web::block(move || {
        let mut conn = pool.get()?;
        write_transaction(&mut conn, f)
    });
    within(deadline, task).await?
}

/// The blocking task's answer, or 503 once `deadline` has passed without one. The task
/// goes on (a thread cannot be stopped); if it is a write it may still commit, as a write
/// whose answer was lost on the network may: the caller hears "unavailable", not "not
/// done".
async fn within<T, E: From<StoreError>>(
    deadline: Option<std::time::Duration>,
    task: impl std::future::Future<Output = Result<T, actix_web::error::BlockingError>>,
) -> Result<T, E> {
    let finished = match deadline {
        Some(limit) => match actix_web::rt::time::timeout(limit, task).await {
            Ok(finished) => finished,
            Err(_) => {
                log::warn!(
                    "no answer from the database within {} ms; answering unavailable",
                    limit.as_millis()
                );
                return Err(E::from(StoreError::Unavailable(format!(
                    "no answer within {} ms",
                    limit.as_millis()
                ))));
            }
        },
        None => task.await,
    };
    finished.map_err(|e| E::from(StoreError::Other(format!("blocking task failed: {e}"))))
}

/// Run `f` in a transaction that takes the write lock up front.
///
/// SQLite's default deferred `BEGIN` lets two writers both read and then fail when they
/// upgrade; `BEGIN IMMEDIATE` queues them on `busy_timeout` instead, so read-then-write
/// checks (quotas) are serialised. PostgreSQL uses an ordinary transaction; callers lock
/// the rows they check.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StoreError>,
{
    match conn {
        DbConnection::Postgresql(_) => conn
            .transaction(|c| f(c).map_err(Wrapped::App))
            .map_err(Wrapped::into_app),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
                .map_err(|e| E::from(e.into()))?;
            match f(conn) {
                Ok(value) => {
                    if let DbConnection::Sqlite(inner) = conn {
                        AnsiTransactionManager::commit_transaction(inner)
                            .map_err(|e| E::from(e.into()))?;
                    }
                    Ok(value)
                }
                Err(err) => {
                    if let DbConnection::Sqlite(inner) = conn {
                        if let Err(rollback) = AnsiTransactionManager::rollback_transaction(inner) {
                            log::error!("rollback failed: {rollback}");
                        }
                    }
                    Err(err)
                }
            }
        }
    }
}

/// Lets `Connection::transaction` carry an application error through its diesel bound.
enum Wrapped<E> {
    App(E),
    Db(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for Wrapped<E> {
    fn from(e: diesel::result::Error) -> Self {
        Wrapped::Db(e)
    }
}

impl<E: From<StoreError>> Wrapped<E> {
    fn into_app(self) -> E {
        match self {
            Wrapped::App(e) => e,
            Wrapped::Db(e) => E::from(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::SqliteConnection;

    use super::*;

    fn memory() -> DbConnection {
        let mut conn = DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
            .unwrap();
        conn
    }

    fn depth(conn: &mut DbConnection) -> Option<u32> {
        let DbConnection::Sqlite(inner) = conn else {
            unreachable!()
        };
        AnsiTransactionManager::transaction_manager_status_mut(inner)
            .transaction_depth()
            .unwrap()
            .map(|d| d.get())
    }

    #[test]
    fn the_sqlite_transaction_is_open_inside_and_closed_after_either_outcome() {
        let mut conn = memory();
        let inside = write_transaction(&mut conn, |c| Ok::<_, StoreError>(depth(c))).unwrap();
        assert_eq!(inside, Some(1));
        assert_eq!(depth(&mut conn), None);
        let failed: Result<(), StoreError> = write_transaction(&mut conn, |c| {
            c.batch_execute("INSERT INTO t VALUES (1)")?;
            Err(StoreError::NotFound)
        });
        assert!(matches!(failed, Err(StoreError::NotFound)));
        assert_eq!(depth(&mut conn), None);
        conn.batch_execute("INSERT INTO t VALUES (1)").unwrap();
    }

    #[test]
    fn diesel_errors_from_the_transaction_itself_are_classified() {
        let e: StoreError = Wrapped::<StoreError>::Db(diesel::result::Error::NotFound).into_app();
        assert!(matches!(e, StoreError::NotFound));
        let e: StoreError = Wrapped::App(StoreError::UniqueViolation).into_app();
        assert!(matches!(e, StoreError::UniqueViolation));
    }
}
