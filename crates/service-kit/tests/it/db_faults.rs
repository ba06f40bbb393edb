//! The database under faults, through HTTP: a request that cannot get a connection, a
//! statement past its timeout, backends the server terminated and a network that stops
//! passing bytes each answer 503 within a bound, never 500 and never a hang, and the pool
//! heals by itself once the database is back. SQLite files for the pool's own waits; the
//! PostgreSQL faults run when `TEST_DATABASE_URL` is set.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, ResponseError};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use service_kit::db::{self, connect_pool, Backend, DbPool, PoolOptions, StoreError};
use service_kit::testing::{TestApp, TestDatabase};

use crate::common::{database, TempDir, TABLES};

/// The store's answer as a service renders it: an outage is 503, anything else ours 500.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Failed(StoreError);

impl From<StoreError> for Failed {
    fn from(e: StoreError) -> Self {
        Failed(e)
    }
}

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Self {
        Failed(e.into())
    }
}

impl ResponseError for Failed {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            StoreError::UniqueViolation => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(pool: web::Data<DbPool>) -> Result<HttpResponse, Failed> {
    let n = db::run(&pool, |c| {
        diesel::sql_query("SELECT COUNT(*) AS n FROM items")
            .get_result::<Count>(c)
            .map(|row| row.n)
            .map_err(Failed::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(n))
}

async fn create(pool: web::Data<DbPool>, id: web::Path<i32>) -> Result<HttpResponse, Failed> {
    let id = id.into_inner();
    db::write(&pool, move |c| {
        diesel::sql_query(format!(
            "INSERT INTO items (id, name) VALUES ({id}, 'item {id}')"
        ))
        .execute(c)
        .map_err(Failed::from)
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}

/// A statement that runs for `ms` milliseconds on PostgreSQL.
async fn sleep(pool: web::Data<DbPool>, ms: web::Path<u64>) -> Result<HttpResponse, Failed> {
    let ms = ms.into_inner();
    db::run(&pool, move |c| {
        c.batch_execute(&format!("SELECT pg_sleep({})", ms as f64 / 1000.0))
            .map_err(Failed::from)
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}

async fn app(pool: DbPool) -> TestApp {
    TestApp::init(
        App::new()
            .app_data(web::Data::new(pool))
            .route("/items", web::get().to(count))
            .route("/items/{id}", web::post().to(create))
            .route("/sleep/{ms}", web::get().to(sleep)),
    )
    .await
}

/// Create item 100 every 100 ms until it is created: every answer meanwhile must be 503,
/// and the first success must come within `limit` of the fault's end.
async fn creates_again_within(app: &TestApp, limit: Duration) {
    let started = Instant::now();
    loop {
        let status = app.post("/items/100").await.status();
        if status == StatusCode::CREATED {
            return;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(started.elapsed() < limit, "no recovery");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

fn options(
    url: &str,
    pool_size: u32,
    acquire_timeout_ms: u64,
    statement_timeout_ms: u64,
) -> PoolOptions {
    PoolOptions {
        url: url.to_string(),
        pool_size,
        busy_timeout_ms: 1_000,
        sqlite_synchronous: "NORMAL".into(),
        acquire_timeout_ms,
        statement_timeout_ms,
    }
}

/// The schema of [`database`] on PostgreSQL, or `None` on SQLite (the test is skipped).
fn postgres() -> Option<TestDatabase> {
    let db = database();
    (db.backend == Backend::Postgres).then_some(db)
}

/// `url` with a query parameter added (the test database's URL has a query already).
fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

#[actix_web::test]
async fn a_request_that_gets_no_connection_answers_503_within_the_acquire_timeout() {
    let dir = TempDir::new();
    let url = dir.0.join("one.db").display().to_string();
    let pool = connect_pool(&options(&url, 1, 300, 0)).expect("pool");
    db::run_pending(&mut pool.get().expect("conn"), &TABLES).expect("tables");
    let app = app(pool.clone()).await;
    app.get("/items").await.assert_ok();

    let held = pool.get().expect("the only connection");
    let started = Instant::now();
    app.get("/items")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_millis(1_500), "{waited:?}");
    assert_eq!(pool.acquire_timeout(), Duration::from_millis(300));

    drop(held);
    app.get("/items").await.assert_ok();
}

#[actix_web::test]
async fn readiness_is_bounded_by_its_own_wait_not_the_requests() {
    let dir = TempDir::new();
    let url = dir.0.join("one.db").display().to_string();
    let pool = connect_pool(&options(&url, 1, 5_000, 0)).expect("pool");
    pool.ready(Duration::from_millis(200)).await.expect("ready");

    let held = pool.get().expect("the only connection");
    let started = Instant::now();
    let answer = pool.ready(Duration::from_millis(200)).await;
    assert!(
        matches!(answer, Err(StoreError::Unavailable(_))),
        "{answer:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
    let answer = pool.check_ready(Duration::from_millis(100));
    assert!(
        matches!(answer, Err(StoreError::Unavailable(_))),
        "{answer:?}"
    );
    drop(held);
    pool.check_ready(Duration::from_millis(100))
        .expect("ready again");
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

fn show(conn: &mut db::DbConnection, name: &str) -> String {
    diesel::sql_query(format!("SELECT current_setting('{name}') AS value"))
        .get_result::<Setting>(conn)
        .expect(name)
        .value
}

#[actix_web::test]
async fn postgres_connections_get_the_statement_timeout_and_keep_their_search_path() {
    let Some(db) = postgres() else { return };
    let pool = connect_pool(&options(&db.url, 1, 2_000, 1_500)).expect("pool");
    let mut conn = pool.get().expect("conn");
    assert_eq!(show(&mut conn, "statement_timeout"), "1500ms");
    let search_path = show(&mut conn, "search_path");
    assert!(
        db.url.contains(&search_path.replace('"', "")),
        "{search_path}"
    );
    // The operator's own statement_timeout in the URL is left alone.
    let url = db
        .url
        .replace("options=", "options=-cstatement_timeout%3D4s%20");
    let pool = connect_pool(&options(&url, 1, 2_000, 1_500)).expect("pool");
    let mut conn = pool.get().expect("conn");
    assert_eq!(show(&mut conn, "statement_timeout"), "4s");
    assert_eq!(show(&mut conn, "search_path"), search_path);
}

#[actix_web::test]
async fn a_statement_past_its_timeout_answers_503_and_the_connection_serves_on() {
    let Some(db) = postgres() else { return };
    let pool = connect_pool(&options(&db.url, 1, 2_000, 300)).expect("pool");
    let app = app(pool).await;
    let started = Instant::now();
    app.get("/sleep/5000")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    app.get("/sleep/10").await.assert_ok();
    app.get("/items").await.assert_ok();
}

#[derive(QueryableByName)]
struct Terminated {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn terminated_backends_answer_503_never_500_and_the_pool_replaces_them() {
    let Some(db) = postgres() else { return };
    let name = format!("faults_{}", uuid::Uuid::new_v4().simple());
    let url = with_param(&db.url, &format!("application_name={name}"));
    let pool_size = 3;
    let pool = connect_pool(&options(&url, pool_size, 2_000, 2_000)).expect("pool");
    let app = app(pool.clone()).await;
    for id in 0..10 {
        app.post(&format!("/items/{id}")).await.assert_created();
    }
    // Every connection of the pool open and idle, as after a busy minute.
    let warm: Vec<_> = (0..pool_size).map(|_| pool.get().expect("conn")).collect();
    drop(warm);

    let terminated = db.pool.get().expect("admin conn").batch_execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{name}'"
    ));
    terminated.expect("terminate");
    let left = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = '{name}'"
    ))
    .get_result::<Terminated>(&mut db.pool.get().expect("admin conn"))
    .expect("count")
    .n;
    assert!(left <= i64::from(pool_size), "{left}");

    // Each dead connection fails at most one request, as 503; none is handed out twice.
    let mut unavailable = 0;
    for n in 0..10 {
        let status = app.get("/items").await.status();
        match status {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => unavailable += 1,
            other => panic!("read {n} answered {other}"),
        }
    }
    assert!(unavailable <= pool_size, "{unavailable} reads failed");
    for _ in 0..5 {
        app.get("/items").await.assert_ok();
    }
    for id in 10..15 {
        app.post(&format!("/items/{id}")).await.assert_created();
    }
}

/// Make the connection it runs on read-only, as a server demoted to standby is.
async fn demote(pool: web::Data<DbPool>) -> Result<HttpResponse, Failed> {
    db::run(&pool, |c| {
        c.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .map_err(Failed::from)
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}

#[actix_web::test]
async fn a_connection_to_a_read_only_server_answers_503_once_and_is_replaced() {
    let Some(db) = postgres() else { return };
    let pool = connect_pool(&options(&db.url, 1, 2_000, 2_000)).expect("pool");
    let app = TestApp::init(
        App::new()
            .app_data(web::Data::new(pool))
            .route("/items/{id}", web::post().to(create))
            .route("/demote", web::post().to(demote)),
    )
    .await;
    app.post("/items/1").await.assert_created();
    app.post("/demote").await.assert_ok();
    // diesel keeps a connection whose write was refused as read-only; after a failover a
    // new connection is what reaches the new primary.
    app.post("/items/2")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    app.post("/items/3").await.assert_created();
}

/// A TCP proxy that forwards until told to blackhole: then it holds every byte and every
/// connection, new ones included, as a hung network does. Forwarding again resets the
/// connections it held.
struct Proxy {
    address: String,
    blackhole: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        let blackhole = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let (hole, streams) = (blackhole.clone(), held.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut streams = streams.lock().expect("lock");
                for stream in [&client, &server] {
                    streams.push(stream.try_clone().expect("clone"));
                }
                for (from, to) in [(&client, &server), (&server, &client)] {
                    let (from, to) = (
                        from.try_clone().expect("clone"),
                        to.try_clone().expect("clone"),
                    );
                    let hole = hole.clone();
                    std::thread::spawn(move || pump(from, to, &hole));
                }
            }
        });
        Proxy {
            address,
            blackhole,
            held,
        }
    }

    fn blackhole(&self) {
        self.blackhole.store(true, Ordering::SeqCst);
    }

    fn forward(&self) {
        for stream in self.held.lock().expect("lock").drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        self.blackhole.store(false, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, blackhole: &AtomicBool) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let stalled = blackhole.load(Ordering::SeqCst);
        if stalled {
            // The bytes go nowhere, and the connection dies with the blackhole.
            while blackhole.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// `url` with its host and port replaced by `address`.
fn through(url: &str, address: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    (format!("{scheme}://{user}{address}{path}"), host)
}

#[actix_web::test]
async fn a_hung_network_answers_503_within_the_bound_and_the_pool_heals_after() {
    let Some(db) = postgres() else { return };
    let (_, upstream) = through(&db.url, "");
    let proxy = Proxy::start(upstream);
    let (url, _) = through(&db.url, &proxy.address);
    let pool = connect_pool(&options(&url, 2, 1_000, 1_000)).expect("pool");
    let app = app(pool).await;
    for id in 0..4 {
        app.post(&format!("/items/{id}")).await.assert_created();
    }

    proxy.blackhole();
    // Held connections hang on the socket, then none is free, then new ones never finish
    // their handshake: each request answers 503 within the deadline and a margin.
    for id in 4..8 {
        let started = Instant::now();
        let status = app.post(&format!("/items/{id}")).await.status();
        let took = started.elapsed();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "request {id}");
        assert!(
            took < Duration::from_millis(2_000),
            "request {id} took {took:?}"
        );
    }

    proxy.forward();
    creates_again_within(&app, Duration::from_secs(10)).await;
    for id in 101..105 {
        app.post(&format!("/items/{id}")).await.assert_created();
    }
    app.get("/items").await.assert_ok();
}

/// Set or clear the immutable flag (`chattr`) on `paths`; false where that is not possible
/// (no chattr, not root, a file system without the flag).
fn immutable(paths: &[std::path::PathBuf], on: bool) -> bool {
    paths.iter().all(|path| {
        std::process::Command::new("chattr")
            .arg(if on { "+i" } else { "-i" })
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Clears the flag whatever the test's outcome, or the folder could not be removed.
struct Unflag<'a>(&'a [std::path::PathBuf]);

impl Drop for Unflag<'_> {
    fn drop(&mut self) {
        immutable(self.0, false);
    }
}

#[actix_web::test]
async fn a_sqlite_file_that_cannot_be_written_refuses_writes_with_503_serves_reads_and_recovers() {
    let dir = TempDir::new();
    let path = dir.0.join("kit.db");
    let pool = connect_pool(&options(path.to_str().expect("path"), 2, 1_000, 0)).expect("pool");
    db::run_pending(&mut pool.get().expect("conn"), &TABLES).expect("tables");
    let app = app(pool).await;
    for id in 0..3 {
        app.post(&format!("/items/{id}")).await.assert_created();
    }
    let files = [path.clone(), dir.0.join("kit.db-wal")];
    let unflag = Unflag(&files);
    if !immutable(&files, true) {
        eprintln!("chattr +i is not possible here; skipped");
        return;
    }
    for id in 3..6 {
        let started = Instant::now();
        let status = app.post(&format!("/items/{id}")).await.status();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "write {id}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        app.get("/items").await.assert_ok();
    }
    drop(unflag);

    creates_again_within(&app, Duration::from_secs(5)).await;
    let n = app.get("/items").await.assert_ok().json();
    assert_eq!(n, serde_json::json!(4));
}
