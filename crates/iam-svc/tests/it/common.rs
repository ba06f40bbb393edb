//! The test harness: a fresh database, a bootstrapped domain, the state and the kit's
//! [`TestApp`] over it. Its modules hold the calls that set a scene ([`calls`]), the
//! Keystone wire ([`keystone`]), signed requests ([`signed`]) and other callers
//! ([`tenants`]).

use std::sync::Arc;

use actix_web::web;
use credential_core::iam_token::TokenSigningKey;
use credential_core::seal::{Keyring, SealingKey};
use credential_core::SecretString;
use iam_svc::bootstrap::{self, AdminPassword, Bootstrapped};
use iam_svc::config::IamConfig;
use iam_svc::state::{AppState, Keys};
use service_kit::auth::InternalCredential;
use service_kit::clock::Clock;
use service_kit::http::Metrics;
use service_kit::keyfiles::SigningKeys;
use service_kit::testing::TestDatabase;
pub use service_kit::testing::{TestApp, TestCall, TestTokens};

mod calls;
mod keystone;
mod signed;
mod tenants;

pub use calls::IamCalls;
pub use keystone::*;
pub use signed::*;
pub use tenants::*;

pub const ADMIN_PASSWORD: &str = "Adm1n-Passw0rd!";
pub const INTERNAL_SECRET: &str = "internal-test-credential-0123456789abcdef";

/// The fixed roles, seeded by the first migration.
pub const ADMIN_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a01";
pub const MEMBER_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a02";
pub const READONLY_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a03";

/// The password of users the tests create.
pub const USER_PASSWORD: &str = "Us3r-Passw0rd!";

/// Configuration for tests: cheap password hashing, everything else default. Built from
/// values alone: the process environment is shared by the tests running in parallel.
pub fn test_config() -> IamConfig {
    IamConfig::from_toml(
        r#"
public_url = "http://iam.test"
[passwords]
pbkdf2_iterations = 1000
"#,
    )
    .expect("config")
}

/// A database, state over it, the app over that state, and the bootstrap admin.
pub struct Harness {
    pub db: TestDatabase,
    pub state: web::Data<AppState>,
    pub app: TestApp,
    pub boot: Bootstrapped,
    /// The token signing key every replica of this harness shares.
    signing_pkcs8: Vec<u8>,
}

impl Harness {
    pub async fn new() -> Harness {
        Self::with_config(test_config()).await
    }

    /// A harness, its app, and the bootstrap admin's project-scoped token: the scene most
    /// tests start from.
    pub async fn with_admin() -> (Harness, TestApp, String) {
        Self::new().await.admin_scene().await
    }

    /// This harness, its app, and the bootstrap admin's project-scoped token.
    pub async fn admin_scene(self) -> (Harness, TestApp, String) {
        let admin = self.app.admin_token(&self).await;
        let app = self.app.clone();
        (self, app, admin)
    }

    pub async fn with_config(config: IamConfig) -> Harness {
        let db = TestDatabase::new(&iam_svc::MIGRATIONS);
        Self::build(db, config, Clock::system()).await
    }

    /// A harness whose state reads time from `clock` (a fixed one the test moves).
    pub async fn on_clock(clock: &Clock) -> Harness {
        let db = TestDatabase::new(&iam_svc::MIGRATIONS);
        Self::build(db, test_config(), clock.clone()).await
    }

    /// Several connections (SQLite file or PostgreSQL schema) for concurrent tests and
    /// other processes.
    pub async fn shared() -> Harness {
        let db = TestDatabase::shared(&iam_svc::MIGRATIONS);
        Self::build(db, test_config(), Clock::system()).await
    }

    async fn build(db: TestDatabase, config: IamConfig, clock: Clock) -> Harness {
        let mut conn = db.pool.get().expect("conn");
        let boot = bootstrap::run(
            &mut conn,
            &config,
            AdminPassword::Ensure(SecretString::from(ADMIN_PASSWORD)),
            clock.stored_now(),
        )
        .expect("bootstrap");
        drop(conn);
        let signing_pkcs8 = TokenSigningKey::generate_pkcs8()
            .expect("generate")
            .to_vec();
        let state = replica_state(&db, config, &signing_pkcs8, clock).await;
        let app = iam_app(state.clone()).await;
        Harness {
            db,
            state,
            app,
            boot,
            signing_pkcs8,
        }
    }

    /// Another replica over the same database: state of its own, nothing shared but the
    /// database (use with [`Harness::shared`]).
    pub async fn replica(&self) -> web::Data<AppState> {
        let config = self.state.config.clone();
        self.replica_with(config).await
    }

    /// A replica with a configuration of its own.
    pub async fn replica_with(&self, config: IamConfig) -> web::Data<AppState> {
        let clock = self.state.clock.clone();
        replica_state(&self.db, config, &self.signing_pkcs8, clock).await
    }
}

/// The app over `state` (a replica's, say).
pub async fn iam_app(state: web::Data<AppState>) -> TestApp {
    TestApp::init(iam_svc::app::build(
        state,
        web::Data::new(Metrics::new("iam-svc")),
    ))
    .await
}

async fn replica_state(
    db: &TestDatabase,
    config: IamConfig,
    signing_pkcs8: &[u8],
    clock: Clock,
) -> web::Data<AppState> {
    let current = TokenSigningKey::from_pkcs8("test-key", signing_pkcs8).expect("load");
    let verifying = vec![current.public_key()];
    let keys = Keys {
        signing: SigningKeys { current, verifying },
        master: Keyring::new(
            SealingKey::generate("test-master").expect("master key"),
            Vec::new(),
        )
        .expect("keyring"),
        internal: InternalCredential::new(SecretString::from(INTERNAL_SECRET)),
    };
    let issuer = Arc::new(FakeTemporaryIssuer {
        pool: db.pool.clone(),
    });
    let state = AppState::with_clock(config, db.pool.clone(), keys, clock);
    let state = Arc::new(state.with_temporary_issuer(issuer));
    state.sync_revocations().await.expect("sync");
    web::Data::from(state)
}
