//! The database plumbing: `write_transaction`, the `StoreError` mapping, `connect_pool`
//! (SQLite folder creation and PRAGMAs) and `run`. SQLite files by default; the
//! backend-neutral tests also run on PostgreSQL when `TEST_DATABASE_URL` is set.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use service_kit::db::{
    self, connect_pool, run_pending, write_transaction, Backend, DbConnection, StoreError,
};

use crate::common::{database, pool_options, TempDir, TABLES};

fn insert(conn: &mut DbConnection, id: i32, name: &str) -> Result<(), StoreError> {
    diesel::sql_query(format!(
        "INSERT INTO items (id, name) VALUES ({id}, '{name}')"
    ))
    .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut DbConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn write_transaction_commits_on_ok() {
    let db = database();
    let mut conn = db.pool.get().expect("conn");
    let out = write_transaction(&mut conn, |c| {
        insert(c, 1, "one")?;
        insert(c, 2, "two")?;
        Ok::<_, StoreError>("done")
    });
    assert_eq!(out.expect("committed"), "done");
    // Visible from another connection: it was committed, not left open.
    let mut other = db.pool.get().expect("second conn");
    assert_eq!(count(&mut other, "items"), 2);
    assert_eq!(count(&mut conn, "items"), 2);
}

#[test]
fn write_transaction_rolls_back_on_err_and_the_connection_stays_usable() {
    let db = database();
    let mut conn = db.pool.get().expect("conn");
    let out: Result<(), StoreError> = write_transaction(&mut conn, |c| {
        insert(c, 1, "one")?;
        Err(StoreError::Other("the caller changed its mind".into()))
    });
    match out {
        Err(StoreError::Other(m)) => assert_eq!(m, "the caller changed its mind"),
        other => panic!("the closure's error must come back as is, got {other:?}"),
    }
    assert_eq!(count(&mut conn, "items"), 0);
    assert_eq!(count(&mut db.pool.get().expect("conn"), "items"), 0);

    // No transaction was left open on the connection: the next unit of work commits.
    write_transaction(&mut conn, |c| insert(c, 1, "one")).expect("second transaction");
    drop(conn);
    assert_eq!(count(&mut db.pool.get().expect("conn"), "items"), 1);
}

#[test]
fn a_constraint_error_inside_rolls_back_the_earlier_writes() {
    let db = database();
    let mut conn = db.pool.get().expect("conn");
    let out = write_transaction(&mut conn, |c| {
        insert(c, 1, "dup")?;
        insert(c, 2, "dup")
    });
    assert!(matches!(out, Err(StoreError::UniqueViolation)), "{out:?}");
    assert_eq!(count(&mut conn, "items"), 0);
    // Still usable afterwards (PostgreSQL aborts the whole transaction on an error).
    write_transaction(&mut conn, |c| insert(c, 3, "fine")).expect("usable");
    assert_eq!(count(&mut conn, "items"), 1);
}

/// A type that only knows `From<StoreError>`, as services' error types do.
#[derive(Debug)]
enum AppError {
    Store(StoreError),
    Refused,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

#[test]
fn write_transaction_carries_the_callers_own_error_type() {
    let db = database();
    let mut conn = db.pool.get().expect("conn");
    let out: Result<(), AppError> = write_transaction(&mut conn, |c| {
        insert(c, 1, "one")?;
        Err(AppError::Refused)
    });
    assert!(matches!(out, Err(AppError::Refused)), "{out:?}");
    let out: Result<(), AppError> = write_transaction(&mut conn, |c| {
        insert(c, 1, "one")?;
        insert(c, 2, "one")?;
        Ok(())
    });
    assert!(
        matches!(out, Err(AppError::Store(StoreError::UniqueViolation))),
        "{out:?}"
    );
    assert_eq!(count(&mut conn, "items"), 0);
}

#[test]
fn store_errors_are_sorted_by_what_the_caller_should_answer() {
    let db = database();
    let mut conn = db.pool.get().expect("conn");
    insert(&mut conn, 1, "taken").expect("first");

    let dup = insert(&mut conn, 2, "taken");
    assert!(matches!(dup, Err(StoreError::UniqueViolation)), "{dup:?}");
    let dup_key = insert(&mut conn, 1, "other");
    assert!(
        matches!(dup_key, Err(StoreError::UniqueViolation)),
        "{dup_key:?}"
    );

    // A foreign key is enforced on both backends (on SQLite only with the PRAGMA on).
    let orphan =
        diesel::sql_query("INSERT INTO children (id, item_id) VALUES (1, 999)").execute(&mut conn);
    assert!(matches!(
        orphan.map_err(StoreError::from),
        Err(StoreError::ForeignKeyViolation)
    ));

    let missing = diesel::sql_query("SELECT name FROM items WHERE id = 42")
        .get_result::<Name>(&mut conn)
        .map(|row| row.name)
        .map_err(StoreError::from);
    assert!(matches!(missing, Err(StoreError::NotFound)));

    let broken = diesel::sql_query("SELECT nope FROM nowhere")
        .execute(&mut conn)
        .map_err(StoreError::from);
    assert!(matches!(broken, Err(StoreError::Other(_))), "{broken:?}");
}

#[test]
fn a_sqlite_writer_held_past_the_busy_timeout_is_unavailable_not_a_conflict() {
    // A SQLite file whatever `TEST_DATABASE_URL` says, with a busy timeout of 50 ms.
    let dir = TempDir::new();
    let url = dir.0.join("kit.db").display().to_string();
    let pool = connect_pool(&pool_options(&url, 2, 50)).expect("pool");
    let mut holder = pool.get().expect("conn");
    run_pending(&mut holder, &TABLES).expect("tables");
    let mut waiter = pool.get().expect("conn");
    let seen = write_transaction(&mut holder, |c| {
        insert(c, 1, "held")?;
        // BEGIN IMMEDIATE on the other connection waits for the lock, then gives up.
        let second = write_transaction(&mut waiter, |c| insert(c, 2, "waiting"));
        Ok::<_, StoreError>(second)
    })
    .expect("holder commits");
    assert!(matches!(seen, Err(StoreError::Unavailable(_))), "{seen:?}");
    assert_eq!(count(&mut waiter, "items"), 1);
}

#[test]
fn connect_pool_creates_the_folder_of_a_sqlite_path() {
    let dir = TempDir::new();
    for (n, url) in [
        format!("{}/a/b/plain.db", dir.0.display()),
        format!("sqlite://{}/c/d/prefixed.db", dir.0.display()),
    ]
    .iter()
    .enumerate()
    {
        let pool = connect_pool(&pool_options(url, 2, 1_000)).expect("pool");
        pool.get()
            .expect("conn")
            .batch_execute("CREATE TABLE t (x INTEGER)")
            .expect("write");
        let file = if n == 0 {
            dir.0.join("a/b/plain.db")
        } else {
            dir.0.join("c/d/prefixed.db")
        };
        assert!(file.is_file(), "{} missing", file.display());
    }
}

#[test]
fn connect_pool_reports_an_uncreatable_folder_as_unavailable() {
    let dir = TempDir::new();
    let blocker = dir.0.join("not-a-folder");
    std::fs::write(&blocker, b"x").expect("file");
    let url = format!("{}/inside/x.db", blocker.display());
    match connect_pool(&pool_options(&url, 1, 1_000)) {
        Err(StoreError::Unavailable(m)) => assert!(m.contains("cannot create"), "{m}"),
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("a folder under a file cannot exist"),
    }
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct IntPragma {
    #[diesel(sql_type = Integer)]
    value: i32,
}

#[test]
fn sqlite_connections_get_wal_foreign_keys_busy_timeout_and_synchronous() {
    let dir = TempDir::new();
    for (sync, code) in [("NORMAL", 1), ("full", 2)] {
        let url = dir.0.join(format!("{sync}.db")).display().to_string();
        let pool = connect_pool(&db::PoolOptions {
            url,
            pool_size: 2,
            busy_timeout_ms: 1234,
            sqlite_synchronous: sync.into(),
            acquire_timeout_ms: 5_000,
            statement_timeout_ms: 10_000,
        })
        .expect("pool");
        let mut conn = pool.get().expect("conn");
        let DbConnection::Sqlite(c) = &mut *conn else {
            panic!("a path is SQLite")
        };
        let text = |c: &mut diesel::SqliteConnection, sql: &str| {
            diesel::sql_query(sql)
                .get_result::<Pragma>(c)
                .expect(sql)
                .value
        };
        let int = |c: &mut diesel::SqliteConnection, sql: &str| {
            diesel::sql_query(sql)
                .get_result::<IntPragma>(c)
                .expect(sql)
                .value
        };
        assert_eq!(
            text(c, "SELECT journal_mode AS value FROM pragma_journal_mode"),
            "wal"
        );
        assert_eq!(
            int(c, "SELECT foreign_keys AS value FROM pragma_foreign_keys"),
            1
        );
        assert_eq!(
            int(c, "SELECT timeout AS value FROM pragma_busy_timeout"),
            1234
        );
        assert_eq!(
            int(c, "SELECT synchronous AS value FROM pragma_synchronous"),
            code
        );
    }
}

#[test]
fn backend_follows_the_url_scheme() {
    assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
    assert_eq!(Backend::of_url("postgresql://u@h/db"), Backend::Postgres);
    assert_eq!(Backend::of_url("sqlite://var/x.db"), Backend::Sqlite);
    assert_eq!(Backend::of_url("var/x.db"), Backend::Sqlite);
}

#[actix_web::test]
async fn run_executes_off_the_async_worker_and_passes_errors_through() {
    let db = database();
    let n = db::run(&db.pool, |c| {
        insert(c, 1, "one")?;
        Ok::<_, StoreError>(count(c, "items"))
    })
    .await
    .expect("run");
    assert_eq!(n, 1);
    let err = db::run(&db.pool, |c| insert(c, 2, "one")).await;
    assert!(matches!(err, Err(StoreError::UniqueViolation)), "{err:?}");
    let backend = db.backend;
    let kind = db::run(&db.pool, move |c| {
        Ok::<_, StoreError>(matches!(
            (backend, c),
            (Backend::Sqlite, DbConnection::Sqlite(_))
                | (Backend::Postgres, DbConnection::Postgresql(_))
        ))
    })
    .await
    .expect("run");
    assert!(kind, "the pool opened the backend its URL names");
}
