//! The test harness: a fresh database, a bootstrapped domain, and helpers to call the
//! app and log in.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{test, web};
use credential_core::iam_token::TokenSigningKey;
use credential_core::seal::{Keyring, SealingKey};
use credential_core::SecretString;
use iam_svc::bootstrap::{self, AdminPassword, Bootstrapped};
use iam_svc::config::IamConfig;
use iam_svc::state::{AppState, Keys};
use serde_json::{json, Value};
use service_kit::auth::InternalCredential;
use service_kit::clock::Clock;
use service_kit::http::Metrics;
use service_kit::keyfiles::SigningKeys;
use service_kit::testing::TestDatabase;
pub use service_kit::testing::{TestApp, TestCall, TestTokens};

mod calls;
mod reply;

pub use calls::IamCalls;
pub use reply::KeystoneReply;

pub const ADMIN_PASSWORD: &str = "Adm1n-Passw0rd!";
pub const INTERNAL_SECRET: &str = "internal-test-credential-0123456789abcdef";

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

/// The Keystone password login body.
pub fn password_body(domain: &str, user: &str, password: &str, scope: Value) -> Value {
    let mut auth = json!({
        "identity": {
            "methods": ["password"],
            "password": { "user": { "domain": { "name": domain }, "name": user, "password": password } }
        }
    });
    if !scope.is_null() {
        auth["scope"] = scope;
    }
    json!({ "auth": auth })
}

/// Scope helpers.
pub fn project_scope(id: &str) -> Value {
    json!({ "project": { "id": id } })
}

pub fn domain_scope(id: &str) -> Value {
    json!({ "domain": { "id": id } })
}

/// Another tenant: a domain with its own admin (in an admin group), project and a
/// project-scoped token for that admin.
pub struct OtherTenant {
    pub domain_id: String,
    pub domain_name: String,
    pub admin_id: String,
    pub project_id: String,
}

impl Harness {
    /// Create a second domain directly in the database (there is no public domain API).
    pub fn other_tenant(&self, name: &str) -> OtherTenant {
        use iam_svc::repo::{self, grants::Target};
        let mut conn = self.db.pool.get().expect("conn");
        let now = self.state.clock.stored_now();
        let domain = repo::domains::Domain {
            id: repo::new_id(),
            name: name.into(),
            description: String::new(),
            enabled: true,
            created_at: now,
        };
        repo::domains::insert(&mut conn, &domain).expect("domain");
        let project = repo::projects::Project {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            parent_id: None,
            name: format!("{name}-project"),
            description: String::new(),
            enabled: true,
            created_at: now,
        };
        repo::projects::insert(&mut conn, &project).expect("project");
        let group = repo::groups::Group {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            name: "admins".into(),
            description: String::new(),
            created_at: now,
        };
        repo::groups::insert(&mut conn, &group).expect("group");
        let admin_role = repo::roles::find_by_name(&mut conn, "admin")
            .expect("q")
            .expect("role");
        repo::grants::grant(
            &mut conn,
            Target::Domain(&domain.id),
            &group.id,
            &admin_role.id,
        )
        .expect("grant");
        repo::grants::grant(
            &mut conn,
            Target::Project(&project.id),
            &group.id,
            &admin_role.id,
        )
        .expect("grant");
        let user = repo::users::User {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            name: "admin".into(),
            password_hash: credential_core::password::hash_password(ADMIN_PASSWORD, 1000)
                .expect("hash"),
            enabled: true,
            description: String::new(),
            created_at: now,
            updated_at: now,
        };
        repo::users::insert(&mut conn, &user).expect("user");
        repo::groups::add_member(&mut conn, &group.id, &user.id).expect("member");
        OtherTenant {
            domain_id: domain.id,
            domain_name: name.into(),
            admin_id: user.id,
            project_id: project.id,
        }
    }
}

// ---- Helpers for the resource tests (tokens, users, groups, projects, bad input). ----

/// The fixed roles, seeded by the first migration.
pub const ADMIN_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a01";
pub const MEMBER_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a02";
pub const READONLY_ROLE_ID: &str = "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a03";

/// The password of users the tests create.
pub const USER_PASSWORD: &str = "Us3r-Passw0rd!";

/// Keystone's messages, as the caller sees them.
pub const MSG_LOGIN_FAILED: &str = "The username or password is wrong.";
pub const MSG_NEEDS_AUTH: &str = "The request you have made requires authentication.";
pub const MSG_FORBIDDEN: &str = "You are not authorized to perform the requested action.";
pub const MSG_SCOPE_REFUSED: &str = "The user has no access to the requested scope.";

/// The Keystone error envelope `{"error": {"code", "message", "title"}}`.
pub fn keystone_error_body(code: u16, message: &str) -> Value {
    let title = match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        other => panic!("no title known for {other}"),
    };
    json!({ "error": { "code": code, "message": message, "title": title } })
}

/// Assert a response is exactly the Keystone error `code` with `message`.
#[track_caller]
pub fn assert_keystone_error(status: StatusCode, body: &Value, code: u16, message: &str) {
    assert_eq!(status.as_u16(), code, "{body}");
    assert_eq!(body, &keystone_error_body(code, message));
}

/// `req` with the caller's `X-Auth-Token`.
pub fn with_token(req: test::TestRequest, token: &str) -> test::TestRequest {
    req.insert_header(("X-Auth-Token", token.to_string()))
}

/// A plain member: a new user in a new group that holds `member` on `project_id`.
pub struct ProjectMember {
    pub user_id: String,
    pub group_id: String,
    /// A token scoped to `project_id`.
    pub token: String,
}

// ---- Temporary keys: a fake issuer and requests signed with its keys. ----

/// What a request signed with a temporary key carries as its security token: the fake
/// issuer below answers for `user_id` without checking any MAC.
pub fn fake_security_token(user_id: &str) -> String {
    format!("fake-temporary:{user_id}")
}

/// A temporary-key issuer (lakeformation-svc's part) for tests: the security token names
/// the user; the answer is that user with their roles on the signed project, marked
/// temporary (issued a minute ago, valid for an hour).
pub struct FakeTemporaryIssuer {
    pub pool: service_kit::db::DbPool,
}

impl service_kit::auth::SignatureVerifier for FakeTemporaryIssuer {
    fn check(
        &self,
        check: service_kit::auth::wire::SignatureCheck,
    ) -> futures_util::future::LocalBoxFuture<
        '_,
        Result<service_kit::auth::Principal, service_kit::auth::AuthError>,
    > {
        use iam_svc::repo;
        use service_kit::auth::{AuthError, Principal, ProjectRef, TemporaryKey};
        let pool = self.pool.clone();
        Box::pin(async move {
            let token = check.security_token.clone().unwrap_or_default();
            let user_id = token
                .strip_prefix("fake-temporary:")
                .ok_or(AuthError::SecurityTokenRefused)?
                .to_string();
            let mut conn = pool
                .get()
                .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?;
            let user = repo::users::find(&mut conn, &user_id)
                .expect("user")
                .ok_or(AuthError::SecurityTokenRefused)?;
            let domain = repo::domains::find(&mut conn, &user.domain_id)
                .expect("domain")
                .expect("domain");
            let (project, roles) = match &check.project_id {
                Some(id) => {
                    let (name, roles) =
                        repo::grants::project_scope(&mut conn, &user.id, id, &domain.id)
                            .expect("scope")
                            .ok_or(AuthError::ScopeRefused)?;
                    (
                        Some(ProjectRef {
                            id: id.clone(),
                            name,
                        }),
                        roles,
                    )
                }
                None => (None, Vec::new()),
            };
            let now = chrono::Utc::now();
            Ok(Principal {
                user_id: user.id,
                user_name: user.name,
                domain_id: domain.id,
                domain_name: domain.name,
                project,
                roles,
                access_key: Some(check.access),
                temporary: Some(TemporaryKey {
                    issued_at: now - chrono::Duration::minutes(1),
                    expires_at: now + chrono::Duration::hours(1),
                }),
                token: None,
            })
        })
    }
}

/// A request signed like huaweicloudsdkcore signs it, scoped to `project_id`, with a
/// security token when the key is temporary.
pub fn sdk_signed(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    key: (&str, &str),
    project_id: &str,
    security_token: Option<&str>,
) -> test::TestRequest {
    let date = chrono::Utc::now();
    sdk_signed_at(
        method,
        path_and_query,
        body,
        key,
        project_id,
        security_token,
        date,
    )
}

/// As [`sdk_signed`], dated `date` (`X-Sdk-Date`). A test request, not a call: tests
/// tamper with what was signed before sending it.
pub fn sdk_signed_at(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    (ak, sk): (&str, &str),
    project_id: &str,
    security_token: Option<&str>,
    date: chrono::DateTime<chrono::Utc>,
) -> test::TestRequest {
    use credential_core::sign::huawei::{format_sdk_date, sign_request, SignableRequest};
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let date = format_sdk_date(date);
    let mut headers = vec![
        ("Content-Type", "application/json;charset=utf-8"),
        ("Host", "iam.test"),
        ("User-Agent", "test-agent"),
        ("X-Project-Id", project_id),
        ("X-Sdk-Date", date.as_str()),
    ];
    if let Some(t) = security_token {
        headers.push(("X-Security-Token", t));
    }
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
    let req = SignableRequest {
        method,
        path,
        query,
        headers: &headers,
        body,
    };
    let authorization = sign_request(&req, ak, sk.as_bytes(), &names, &date).expect("sign");
    let mut t = test::TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(path_and_query)
        .insert_header(("Authorization", authorization));
    for (n, v) in headers {
        t = t.insert_header((n, v));
    }
    t.set_payload(body.to_vec())
}

/// A request signed with `user_id`'s temporary key (see [`FakeTemporaryIssuer`]).
pub fn temporary_signed(
    method: &str,
    path_and_query: &str,
    body: &serde_json::Value,
    user_id: &str,
    project_id: &str,
) -> test::TestRequest {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).expect("json")
    };
    let token = fake_security_token(user_id);
    sdk_signed(
        method,
        path_and_query,
        &bytes,
        (
            "TEMPAKFAKE0000000000",
            "temporary-secret-not-checked-by-the-fake",
        ),
        project_id,
        Some(&token),
    )
}
