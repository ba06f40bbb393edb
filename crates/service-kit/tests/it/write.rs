//! `db::write`: every write of a request in one transaction, committed before the caller
//! hears of it. On SQLite the process's writer batches concurrent writes into one
//! transaction (group commit), each in a savepoint, so these tests check that a batch
//! keeps the writes that succeeded and drops exactly those that failed or panicked.
//! SQLite files by default; PostgreSQL with `TEST_DATABASE_URL`.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use futures_util::future::join_all;
use service_kit::db::{self, DbConnection, StoreError};
use service_kit::testing::TestDatabase;

use std::time::{Duration, Instant};

use crate::common::{database, pool_options, TempDir};

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

fn ids(db: &TestDatabase) -> Vec<i64> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    diesel::sql_query("SELECT CAST(id AS BIGINT) AS id FROM items ORDER BY id")
        .load::<Id>(&mut db.pool.get().expect("conn"))
        .expect("ids")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[actix_web::test]
async fn a_write_commits_before_it_answers_and_a_failed_one_leaves_nothing() {
    let db = database();
    db::write(&db.pool, |c| insert(c, 1, "one"))
        .await
        .expect("write");
    // Seen from another connection: it was committed.
    assert_eq!(ids(&db), vec![1]);
    // Two statements, the second refused: the first is undone with it.
    let failed = db::write(&db.pool, |c| {
        insert(c, 2, "two")?;
        insert(c, 3, "one")
    })
    .await;
    assert!(
        matches!(failed, Err(StoreError::UniqueViolation)),
        "{failed:?}"
    );
    assert_eq!(ids(&db), vec![1]);
}

#[actix_web::test]
async fn concurrent_writes_all_commit_and_each_failure_is_its_own() {
    let db = database();
    // 200 writes at once (the SQLite writer takes them in batches): the even ones insert
    // two rows, the odd ones insert a row and then fail, so exactly the even ones' rows
    // must remain, whatever batches they shared.
    let writes = (0..200).map(|i| {
        db::write(&db.pool, move |c| {
            insert(c, i * 10, &format!("a{i}"))?;
            if i % 2 == 1 {
                return Err(StoreError::Other(format!("refused {i}")));
            }
            insert(c, i * 10 + 1, &format!("b{i}"))?;
            Ok(i)
        })
    });
    let outcomes = join_all(writes).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        match (i % 2, outcome) {
            (0, Ok(v)) => assert_eq!(*v as usize, i),
            (1, Err(StoreError::Other(m))) => assert_eq!(m, &format!("refused {i}")),
            _ => panic!("write {i}: {outcome:?}"),
        }
    }
    let expected: Vec<i64> = (0..200i64)
        .filter(|i| i % 2 == 0)
        .flat_map(|i| [i * 10, i * 10 + 1])
        .collect();
    assert_eq!(ids(&db), expected);
}

#[actix_web::test]
async fn a_write_that_panics_fails_alone_and_writing_goes_on() {
    let db = database();
    let writes = (0..20).map(|i| {
        db::write(&db.pool, move |c| {
            insert(c, i, &format!("n{i}"))?;
            if i == 7 {
                panic!("a bug in one write");
            }
            Ok::<_, StoreError>(())
        })
    });
    let outcomes = join_all(writes).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome.is_ok(), i != 7, "write {i}: {outcome:?}");
    }
    let after = db::write(&db.pool, |c| {
        insert(c, 100, "after")?;
        Ok::<_, StoreError>(
            diesel::sql_query("SELECT COUNT(*) AS n FROM items")
                .get_result::<Count>(c)?
                .n,
        )
    })
    .await
    .expect("the writer still writes");
    assert_eq!(after, 20);
}

#[actix_web::test]
async fn a_write_sees_the_writes_committed_before_it() {
    let db = database();
    for i in 0..5 {
        let seen = db::write(&db.pool, move |c| {
            let n = diesel::sql_query("SELECT COUNT(*) AS n FROM items")
                .get_result::<Count>(c)?
                .n;
            insert(c, i, &format!("n{i}"))?;
            Ok::<_, StoreError>(n)
        })
        .await
        .expect("write");
        assert_eq!(seen, i64::from(i));
    }
}

/// The writer's commits leave checkpoints to a thread of its own, so no commit stops to
/// copy the write-ahead log into the database file; the writes still reach that file.
#[actix_web::test]
async fn sqlite_writes_reach_the_database_file_without_another_commit() {
    use diesel::connection::SimpleConnection;

    let dir = TempDir::new();
    let path = dir.0.join("items.db");
    let pool =
        db::connect_pool(&pool_options(path.to_str().expect("path"), 2, 5_000)).expect("pool");
    pool.get()
        .expect("conn")
        .batch_execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .expect("table");
    db::write(&pool, |c| insert(c, 1, "one"))
        .await
        .expect("write");
    // A copy of the database file alone, without its log, has the row once a checkpoint
    // has copied it there. (Far fewer pages than SQLite's own 1000-page checkpoint.)
    let copy = dir.0.join("copy.db");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        std::fs::copy(&path, &copy).expect("copy");
        let found = SqliteConnection::establish(copy.to_str().expect("path"))
            .ok()
            .and_then(|mut c| {
                diesel::sql_query("SELECT COUNT(*) AS n FROM items")
                    .get_result::<Count>(&mut c)
                    .ok()
            })
            .map(|c| c.n);
        if found == Some(1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint in 10 s: {found:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        let _ = std::fs::remove_file(dir.0.join("copy.db-wal"));
    }
}
