//! What the services' tests share: a fresh, migrated database per test
//! ([`TestDatabase`]), the HTTP [`client`] tests call their app with, IAM [`tokens`]
//! minted with a key the app trusts, the checks every service's [`migrations`] must pass
//! (the round trip included), and [`policy_doc`], the check that a docs/policy page shows
//! the code's policy table.
//!
//! A service's `tests/it/common.rs` builds its state in a `Harness` and hands the app to
//! [`TestApp`]; tests then read as one line of setup and one line per request:
//!
//! ```ignore
//! use service_kit::testing::{TestApp, TestDatabase, TestTokens};
//!
//! let db = TestDatabase::new(&my_svc::MIGRATIONS);
//! let tokens = TestTokens::new("test-key");
//! let app = TestApp::init(my_svc::app::build(state_over(&db, tokens.verifier()))).await;
//! let alice = tokens.token("domain-1", "alice", "p1", &["member"]);
//! let created = app.post("/v1/p1/things").token(&alice).json(&body).await.assert_created();
//! assert_eq!(created.json()["name"], "thing");
//! app.get("/v1/p2/things").token(&alice).await.assert_forbidden();
//! // Signed requests: the harness's key type implements `SignRequest`.
//! app.get("/v1/p1/things").signed(&key).await.assert_ok();
//! ```
//!
//! The database is SQLite by default (in memory, or a temporary file when another process
//! must open it); PostgreSQL when `TEST_DATABASE_URL` is set, with one schema per test so
//! tests run in parallel and never see each other's rows.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;

pub mod client;
pub mod migrations;
pub mod openapi;
pub mod policy_doc;
pub mod tokens;

pub use client::{AsMethod, SignRequest, TestApp, TestCall, TestResponse, Unsigned};
pub use tokens::{feed_revocation, TestTokens};

/// Only the table an issuer's replay memory writes to ([`crate::auth::replay`]), as each
/// issuing service creates it: for the tests of a service that play its issuer.
pub const REPLAY_MEMORY: crate::db::Migrations = crate::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("src/auth/issuer/tables"),
    postgres: diesel_migrations::embed_migrations!("src/auth/issuer/tables"),
};

/// The matrix test of a project-scoped service's policy table: one module per action,
/// one `#[actix_web::test]` per column of [`crate::policy::CallerKind`] in it, named
/// like the column (`create_instance::other_project`), each awaiting `check(action,
/// kind)` of the test module it is used in (which also names the service's `Action` and
/// `documented`); a test that no action is left out; and a test that
/// `docs/policy/<page>` shows the table `documented` gives.
///
/// ```ignore
/// service_kit::project_policy_matrix! {
///     page: "swr.md";
///     create_instance: CreateInstance,
///     list_instances: ListInstances,
/// }
/// ```
#[macro_export]
macro_rules! project_policy_matrix {
    (page: $page:literal; $($module:ident: $action:ident),* $(,)?) => {
        $(mod $module {
            $crate::project_policy_matrix!(@cells $action;
                admin: Admin,
                member: Member,
                readonly: Readonly,
                other_project: OtherProject,
                other_domain: OtherDomain,
                permanent_key: PermanentKey,
                temporary_key: TemporaryKey,
                disabled_or_deleted_user: DisabledUser,
                internal_caller: Internal,
            );
        })*

        #[test]
        fn the_matrix_covers_every_action() {
            let covered: &[Action] = &[$(Action::$action),*];
            assert_eq!(covered, Action::ALL);
            assert_eq!($crate::policy::CallerKind::ALL.len(), 9);
        }

        /// The page's table, row by row: the action, then one cell per kind of caller,
        /// under headings in `CallerKind::ALL` order.
        #[test]
        fn the_documented_table_is_the_code_table() {
            $crate::testing::policy_doc::project_table(&Action::ALL, Action::name, documented)
                .assert_documented(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../docs/policy/",
                    $page
                ));
        }
    };
    (@cells $action:ident; $($test:ident: $kind:ident),* $(,)?) => {$(
        #[actix_web::test]
        async fn $test() {
            super::check(super::Action::$action, $crate::policy::CallerKind::$kind).await
        }
    )*};
}

use crate::db::{connect_pool, run_pending, Backend, DbPool, Migrations, PoolOptions};

/// A database that lives as long as the value.
pub struct TestDatabase {
    pub pool: DbPool,
    /// A URL another process (a spawned service) can open.
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    None,
    File(PathBuf),
    Schema { admin_url: String, schema: String },
}

fn options(url: &str, pool_size: u32) -> PoolOptions {
    PoolOptions {
        url: url.to_string(),
        pool_size,
        busy_timeout_ms: 10_000,
        sqlite_synchronous: "NORMAL".into(),
        // Generous: tests share a loaded machine and check answers, not waits.
        acquire_timeout_ms: 10_000,
        statement_timeout_ms: 30_000,
    }
}

impl TestDatabase {
    /// SQLite in memory (one connection), or a PostgreSQL schema.
    pub fn new(migrations: &Migrations) -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Self::postgres(&url, migrations),
            _ => {
                let url = format!(
                    "file:{}?mode=memory&cache=shared",
                    uuid::Uuid::new_v4().simple()
                );
                // One connection: a shared-cache memory database reports lock conflicts
                // at once instead of waiting, and it vanishes with its last connection.
                Self::finish(url, 1, Cleanup::None, migrations)
            }
        }
    }

    /// A SQLite file (or a PostgreSQL schema) that several connections and processes
    /// can open at once, for concurrency tests and spawned services.
    pub fn shared(migrations: &Migrations) -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Self::postgres(&url, migrations),
            _ => {
                let dir = std::env::temp_dir().join("credential-services-tests");
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    panic!("cannot create {}: {e}", dir.display());
                }
                let path = dir.join(format!("{}.db", uuid::Uuid::new_v4().simple()));
                let url = path.display().to_string();
                Self::finish(url, 8, Cleanup::File(path), migrations)
            }
        }
    }

    fn postgres(admin_url: &str, migrations: &Migrations) -> TestDatabase {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = match connect_pool(&options(admin_url, 1)) {
            Ok(pool) => pool,
            Err(e) => panic!("TEST_DATABASE_URL unusable: {e}"),
        };
        let created = admin.get().map_err(|e| e.to_string()).and_then(|mut c| {
            c.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .map_err(|e| e.to_string())
        });
        if let Err(e) = created {
            panic!("cannot create test schema: {e}");
        }
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let cleanup = Cleanup::Schema {
            admin_url: admin_url.to_string(),
            schema,
        };
        Self::finish(url, 8, cleanup, migrations)
    }

    fn finish(
        url: String,
        pool_size: u32,
        cleanup: Cleanup,
        migrations: &Migrations,
    ) -> TestDatabase {
        let pool = match connect_pool(&options(&url, pool_size)) {
            Ok(pool) => pool,
            Err(e) => panic!("cannot open test database {url}: {e}"),
        };
        let migrated = pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| run_pending(&mut c, migrations).map_err(|e| e.to_string()));
        if let Err(e) = migrated {
            panic!("cannot migrate test database: {e}");
        }
        TestDatabase {
            pool,
            backend: Backend::of_url(&url),
            url,
            cleanup,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::None => {}
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Schema { admin_url, schema } => {
                if let Ok(pool) = connect_pool(&options(admin_url, 1)) {
                    if let Ok(mut c) = pool.get() {
                        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                    }
                }
            }
        }
    }
}
