//! Shared helpers: a throwaway database per test, token fixtures and an HTTP call helper.

use std::path::PathBuf;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test;
use diesel::connection::SimpleConnection;
use serde_json::Value;
use service_kit::db::{connect_pool, Backend, DbPool, PoolOptions};

/// Pool options as the services use them, with a short pool and a given busy timeout.
pub fn pool_options(url: &str, pool_size: u32, busy_timeout_ms: u32) -> PoolOptions {
    PoolOptions {
        url: url.to_string(),
        pool_size,
        busy_timeout_ms,
        sqlite_synchronous: "NORMAL".into(),
    }
}

/// A fresh folder under the system temp dir; removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir()
            .join("service-kit-tests")
            .join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database that lives as long as the value: a SQLite file, or a PostgreSQL schema of
/// its own when `TEST_DATABASE_URL` is set (so tests run in parallel).
pub struct TempDb {
    pub pool: DbPool,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[allow(dead_code)] TempDir),
    Schema { admin_url: String, schema: String },
}

impl TempDb {
    /// PostgreSQL when `TEST_DATABASE_URL` is set, else a SQLite file.
    pub fn new(busy_timeout_ms: u32) -> TempDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Self::postgres(&url),
            _ => Self::sqlite(busy_timeout_ms),
        }
    }

    /// Always a SQLite file, whatever `TEST_DATABASE_URL` says.
    pub fn sqlite(busy_timeout_ms: u32) -> TempDb {
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("kit.db").display());
        let pool = connect_pool(&pool_options(&url, 4, busy_timeout_ms)).expect("sqlite pool");
        TempDb {
            pool,
            backend: Backend::Sqlite,
            cleanup: Cleanup::Dir(dir),
        }
    }

    fn postgres(admin_url: &str) -> TempDb {
        let schema = format!("kit_{}", uuid::Uuid::new_v4().simple());
        let admin =
            connect_pool(&pool_options(admin_url, 1, 0)).expect("TEST_DATABASE_URL unusable");
        admin
            .get()
            .expect("admin connection")
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let pool = connect_pool(&pool_options(&url, 4, 0)).expect("postgres pool");
        TempDb {
            pool,
            backend: Backend::Postgres,
            cleanup: Cleanup::Schema {
                admin_url: admin_url.to_string(),
                schema,
            },
        }
    }

    /// Two small tables: `items` (unique names) and `children` (a foreign key to items).
    pub fn with_tables(self) -> TempDb {
        self.pool
            .get()
            .expect("conn")
            .batch_execute(
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE);
                 CREATE TABLE children (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id));",
            )
            .expect("create tables");
        self
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Cleanup::Schema { admin_url, schema } = &self.cleanup {
            if let Ok(pool) = connect_pool(&pool_options(admin_url, 1, 0)) {
                if let Ok(mut c) = pool.get() {
                    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }
}

/// Status, headers and body (JSON when it parses, else a string) of one request.
pub async fn call<S, B>(app: &S, req: test::TestRequest) -> (StatusCode, HeaderMap, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = test::read_body(res).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, headers, body)
}
