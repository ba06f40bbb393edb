//! What these tests share beyond the test kit (`service_kit::testing`): the tables the
//! database tests write to, created by `TestDatabase` on either backend, and a throwaway
//! folder with pool options for the tests that open a SQLite file of their own (a PRAGMA,
//! a busy timeout, a folder to create, a pool with one connection).

use std::path::PathBuf;

use diesel_migrations::embed_migrations;
use service_kit::db::{Migrations, PoolOptions};
use service_kit::testing::TestDatabase;

/// `items` (unique names) and `children` (a foreign key to items): the same statements on
/// both backends.
pub const TABLES: Migrations = Migrations {
    sqlite: embed_migrations!("tests/it/tables"),
    postgres: embed_migrations!("tests/it/tables"),
};

/// A database with [`TABLES`] that several connections open at once: a SQLite file, or a
/// PostgreSQL schema of its own when `TEST_DATABASE_URL` is set.
pub fn database() -> TestDatabase {
    TestDatabase::shared(&TABLES)
}

/// Pool options as the services use them, with a short pool and a given busy timeout.
pub fn pool_options(url: &str, pool_size: u32, busy_timeout_ms: u32) -> PoolOptions {
    PoolOptions {
        url: url.to_string(),
        pool_size,
        busy_timeout_ms,
        sqlite_synchronous: "NORMAL".into(),
        acquire_timeout_ms: 5_000,
        statement_timeout_ms: 10_000,
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
