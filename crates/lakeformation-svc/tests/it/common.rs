//! The harness: a fresh database, an app whose token verifier trusts a test key, a small
//! fake iam-svc (the directory of user and group names) served in-process, and helpers
//! to mint tokens, issue temporary credentials and sign requests with them.

use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::{DateTime, Utc};
use credential_core::seal::{Keyring, SealingKey};
use credential_core::sign::huawei::{
    format_sdk_date, prepare_verification, sign_request, SignableRequest,
};
use credential_core::SecretString;
use futures_util::future::LocalBoxFuture;
use lakeformation_svc::app::Collaborators;
use lakeformation_svc::config::LfConfig;
use lakeformation_svc::state::AppState;
use lakeformation_svc::verifier::{TemporaryKeyVerifier, TemporaryKeys};
use serde_json::Value;
use service_kit::auth::wire::{
    DirectoryAnswer, DirectoryCheck, Replay, SignatureAlgorithm, SignatureCheck,
    DIRECTORY_CHECKS_PATH,
};
use service_kit::auth::{
    AuthError, InternalCredential, Principal, ProjectRef, RemoteSignatureVerifier,
    RoutingSignatureVerifier, SignatureVerifier, INTERNAL_TOKEN_HEADER,
};
use service_kit::clock::Clock;
use service_kit::http::Metrics;
pub use service_kit::testing::{feed_revocation, TestApp, TestCall};
use service_kit::testing::{SignRequest, TestDatabase, TestTokens, Unsigned};

pub const PROJECT: &str = "p1";
pub const OTHER_PROJECT: &str = "p2";
pub const DOMAIN: &str = "domain-1";
/// The internal credential shared by the fake iam-svc and the service under test.
pub const INTERNAL_SECRET: &str = "internal-test-credential-0123456789";
/// A user name as long as iam-svc allows (64 characters).
pub const LONG_USER: &str = "a-user-name-as-long-as-iam-allows-0123456789-abcdefghijklmnopqrs";
/// A group name as long as iam-svc allows.
pub const LONG_GROUP: &str = "a-group-name-as-long-as-iam-allows-0123456789-abcdefghijklmnopqr";
/// The directory the fake iam-svc knows, in `DOMAIN` only.
pub const KNOWN_USERS: [&str; 3] = ["alice", "bob", LONG_USER];
pub const KNOWN_GROUPS: [&str; 2] = ["analysts", LONG_GROUP];
/// The `Host` header of signed requests.
pub const HOST: &str = "lakeformation.test";

/// A permanent access key iam-svc would know: carol's, a `member` of `PROJECT`.
pub const PERMANENT_ACCESS: &str = "PERMANENTTESTKEY0001";
pub const PERMANENT_SECRET: &str = "permanent-test-secret-key-0123456789abcd";

/// Permanent keys are iam-svc's business; here only [`PERMANENT_ACCESS`] is known, and it
/// is checked as iam-svc checks it: the MAC with its secret, and the project asked for.
struct PermanentKeys;

impl SignatureVerifier for PermanentKeys {
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        Box::pin(async move {
            if check.access != PERMANENT_ACCESS {
                return Err(AuthError::UnknownAccessKey);
            }
            if !check.mac_matches(PERMANENT_SECRET.as_bytes())? {
                return Err(AuthError::SignatureMismatch);
            }
            if check.project_id.as_deref() != Some(PROJECT) {
                return Err(AuthError::ScopeRefused);
            }
            Ok(Principal {
                user_id: "carol-id".into(),
                user_name: "carol".into(),
                domain_id: DOMAIN.into(),
                domain_name: "local".into(),
                project: Some(ProjectRef {
                    id: PROJECT.into(),
                    name: format!("{PROJECT}-name"),
                }),
                roles: vec!["member".into()],
                access_key: Some(check.access.clone()),
                temporary: None,
                token: None,
            })
        })
    }
}

/// The fake iam-svc: `POST /internal/v1/directory-checks` on 127.0.0.1, a port of its own.
pub struct FakeIam {
    pub url: String,
    /// Every directory check it answered, in order.
    pub checks: web::Data<Mutex<Vec<DirectoryCheck>>>,
    handle: ServerHandle,
}

impl FakeIam {
    pub async fn start() -> FakeIam {
        let checks = web::Data::new(Mutex::new(Vec::<DirectoryCheck>::new()));
        let data = checks.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(DIRECTORY_CHECKS_PATH, web::post().to(directory_checks))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .bind(("127.0.0.1", 0))
        .expect("bind the fake iam-svc");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        FakeIam {
            url: format!("http://{addr}"),
            checks,
            handle,
        }
    }

    /// The directory checks answered so far.
    pub fn seen(&self) -> Vec<DirectoryCheck> {
        self.checks.lock().unwrap().clone()
    }
}

impl Drop for FakeIam {
    fn drop(&mut self) {
        // The stop command is sent at once; nobody needs to wait for it.
        std::mem::drop(self.handle.stop(false));
    }
}

async fn directory_checks(
    req: HttpRequest,
    seen: web::Data<Mutex<Vec<DirectoryCheck>>>,
    body: web::Json<DirectoryCheck>,
) -> HttpResponse {
    let sent = req
        .headers()
        .get(INTERNAL_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    if sent != Some(INTERNAL_SECRET) {
        return HttpResponse::Unauthorized().finish();
    }
    let check = body.into_inner();
    // Another domain has nobody.
    let known =
        |set: &[&str], name: &String| check.domain_id == DOMAIN && set.contains(&name.as_str());
    let answer = DirectoryAnswer {
        missing_user_names: check
            .user_names
            .iter()
            .filter(|n| !known(&KNOWN_USERS, n))
            .cloned()
            .collect(),
        missing_groups: check
            .groups
            .iter()
            .filter(|n| !known(&KNOWN_GROUPS, n))
            .cloned()
            .collect(),
    };
    seen.lock().unwrap().push(check);
    HttpResponse::Ok().json(answer)
}

pub struct Harness {
    pub db: TestDatabase,
    pub state: web::Data<AppState>,
    pub parts: Collaborators,
    pub iam: FakeIam,
    tokens: TestTokens,
}

impl Harness {
    /// A harness over a fresh database, and its app.
    pub async fn start() -> (Harness, TestApp) {
        let harness = Self::new().await;
        let app = harness.app().await;
        (harness, app)
    }

    /// One SQLite connection in memory, or a PostgreSQL schema.
    pub async fn new() -> Harness {
        Self::build(
            TestDatabase::new(&lakeformation_svc::MIGRATIONS),
            INTERNAL_SECRET,
        )
        .await
    }

    /// A SQLite file (or a PostgreSQL schema) several connections open.
    pub async fn shared() -> Harness {
        Self::build(
            TestDatabase::shared(&lakeformation_svc::MIGRATIONS),
            INTERNAL_SECRET,
        )
        .await
    }

    /// The service presents `secret` to iam-svc (which expects `INTERNAL_SECRET`).
    pub async fn with_iam_credential(secret: &str) -> Harness {
        Self::build(TestDatabase::new(&lakeformation_svc::MIGRATIONS), secret).await
    }

    /// A fresh database, the state and its temporary keys reading `clock`.
    pub async fn on_clock(clock: Clock) -> Harness {
        let db = TestDatabase::new(&lakeformation_svc::MIGRATIONS);
        Self::build_on(db, INTERNAL_SECRET, clock).await
    }

    async fn build(db: TestDatabase, iam_secret: &str) -> Harness {
        Self::build_on(db, iam_secret, Clock::system()).await
    }

    async fn build_on(db: TestDatabase, iam_secret: &str, clock: Clock) -> Harness {
        let iam = FakeIam::start().await;
        let tokens = TestTokens::on_clock("lf-test", clock.clone());
        let internal = InternalCredential::new(SecretString::from(INTERNAL_SECRET));
        let remote = Arc::new(RemoteSignatureVerifier::new(
            iam.url.clone(),
            InternalCredential::new(SecretString::from(iam_secret)),
        ));
        let keyring = Keyring::new(SealingKey::generate("lf-test").unwrap(), Vec::new()).unwrap();
        let temporary =
            TemporaryKeyVerifier::new(db.pool.clone(), TemporaryKeys::new(Arc::new(keyring)))
                .with_clock(clock.clone());
        let parts = Collaborators {
            signatures: Arc::new(RoutingSignatureVerifier::new(
                Arc::new(PermanentKeys),
                Some(Arc::new(temporary.clone())),
            )),
            internal: web::Data::new(internal),
            metrics: web::Data::new(Metrics::new("lakeformation-svc")),
        };
        let state = web::Data::new(AppState {
            pool: db.pool.clone(),
            config: LfConfig::load(None).expect("config"),
            verifier: tokens.verifier(),
            iam: remote,
            temporary,
            clock,
        });
        Harness {
            db,
            state,
            parts,
            iam,
            tokens,
        }
    }

    /// The app over this harness's state (call again for a second instance of it).
    pub async fn app(&self) -> TestApp {
        TestApp::init(lakeformation_svc::app::build(
            self.state.clone(),
            &self.parts,
        ))
        .await
    }

    /// The issuer of temporary keys, as the middleware and the internal API use it.
    pub fn temporary(&self) -> &TemporaryKeyVerifier {
        &self.state.temporary
    }

    /// A token for `user` (id `<user>-id`) scoped to `project` with `roles`.
    pub fn token(&self, user: &str, project: &str, roles: &[&str]) -> String {
        self.token_in(DOMAIN, user, project, roles)
    }

    /// A token for `user` of `domain`, scoped to `project` (of that domain) with `roles`,
    /// valid for 24 hours (iam-svc's default).
    pub fn token_in(&self, domain: &str, user: &str, project: &str, roles: &[&str]) -> String {
        self.tokens.token(domain, user, project, roles)
    }

    /// As [`token_in`](Self::token_in), expiring at `expires_at`.
    pub fn token_until(
        &self,
        domain: &str,
        user: &str,
        project: &str,
        roles: &[&str],
        expires_at: DateTime<Utc>,
    ) -> String {
        self.tokens
            .token_until(domain, user, project, roles, expires_at)
    }
}

/// Create an instance in `project` and return its id.
pub async fn create_instance(app: &TestApp, token: &str, project: &str, name: &str) -> String {
    let body = serde_json::json!({ "name": name, "charge_mode": "postPaid", "shared": true });
    let created = app
        .post(&format!("/v1/{project}/instances"))
        .token(token)
        .json(&body)
        .await
        .assert_accepted()
        .json();
    created["instance_id"].as_str().unwrap().to_string()
}

/// `POST /v1/{project}/instances/{instance}/credential` as the SDK sends it: `None` is no
/// body at all (`Content-Length: 0`), `Some(text)` the raw body.
pub async fn request_credential(
    app: &TestApp,
    token: &str,
    project: &str,
    instance: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut call = app
        .post(&format!("/v1/{project}/instances/{instance}/credential"))
        .header("Content-Type", "application/json")
        .token(token);
    if let Some(body) = body {
        call = call.body(body);
    }
    let res = call.await;
    (res.status(), res.json())
}

/// A temporary credential as issued.
#[derive(Clone, Debug)]
pub struct Issued {
    pub access: String,
    pub secret: String,
    pub token: String,
}

/// Issue a temporary credential in `PROJECT`, expecting success.
pub async fn issue(app: &TestApp, token: &str, instance: &str, body: Option<&str>) -> Issued {
    let (status, body) = request_credential(app, token, PROJECT, instance, body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_string();
    Issued {
        access: field("access"),
        secret: field("secret"),
        token: field("security_token"),
    }
}

/// Headers of a request signed like huaweicloudsdkcore signs it with temporary
/// credentials (`with_security_token`): the token and the project header are signed,
/// and `Authorization` comes last.
#[allow(clippy::too_many_arguments)]
pub fn sdk_headers(
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    access: &str,
    secret: &str,
    token: Option<&str>,
    project: &str,
    date: DateTime<Utc>,
) -> Vec<(String, String)> {
    let date = format_sdk_date(date);
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), "application/json".into()),
        ("Host".into(), HOST.into()),
        ("User-Agent".into(), "huaweicloud-usdk-python/3.0".into()),
        ("X-Project-Id".into(), project.into()),
        ("X-Sdk-Date".into(), date.clone()),
    ];
    if let Some(token) = token {
        headers.push(("X-Security-Token".into(), token.into()));
    }
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = SignableRequest {
        method,
        path,
        query,
        headers: &borrowed,
        body,
    };
    let authorization = sign_request(&req, access, secret.as_bytes(), &names, &date).unwrap();
    headers.push(("Authorization".into(), authorization));
    headers
}

/// Signs like huaweicloudsdkcore (see [`sdk_headers`]): with a credential, for a
/// project, at the moment the request is sent.
pub struct Sdk<'a> {
    access: &'a str,
    secret: &'a str,
    token: Option<&'a str>,
    project: &'a str,
}

impl Issued {
    /// Signs with this temporary credential, for `project`.
    pub fn sdk<'a>(&'a self, project: &'a str) -> Sdk<'a> {
        Sdk {
            access: &self.access,
            secret: &self.secret,
            token: Some(&self.token),
            project,
        }
    }
}

/// Signs with carol's permanent key ([`PERMANENT_ACCESS`]), for `project`.
pub fn permanent_key(project: &str) -> Sdk<'_> {
    Sdk {
        access: PERMANENT_ACCESS,
        secret: PERMANENT_SECRET,
        token: None,
        project,
    }
}

impl SignRequest for Sdk<'_> {
    fn sign(&self, r: &Unsigned<'_>) -> Vec<(String, String)> {
        sdk_headers(
            r.method,
            r.path,
            r.query,
            r.body,
            self.access,
            self.secret,
            self.token,
            self.project,
            Utc::now(),
        )
    }
}

/// What the `signed_requests` middleware would ask the issuer for a
/// `GET /v1/{project}/instances` signed with `access`/`secret` and carrying `token`.
/// Each call is a request of its own (a fresh `marker` in its query), so its signature is
/// new: the issuer accepts a signature once.
pub fn sdk_check(access: &str, secret: &str, token: Option<&str>, project: &str) -> SignatureCheck {
    let path = format!("/v1/{project}/instances");
    let query = format!("marker={}", uuid::Uuid::new_v4().simple());
    let headers = sdk_headers(
        "GET",
        &path,
        &query,
        b"",
        access,
        secret,
        token,
        project,
        Utc::now(),
    );
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let prepared = prepare_verification(&SignableRequest {
        method: "GET",
        path: &path,
        query: &query,
        headers: &borrowed,
        body: b"",
    })
    .unwrap();
    SignatureCheck {
        algorithm: SignatureAlgorithm::SdkHmacSha256,
        access: prepared.authorization.access,
        string_to_sign: prepared.string_to_sign,
        signature: prepared.authorization.signature,
        tc3_date: None,
        tc3_service: None,
        project_id: Some(project.to_string()),
        domain_id: None,
        own_domain: false,
        security_token: token.map(str::to_string),
        replay: Replay::Once,
    }
}

/// The check of a request signed correctly with `key` in `PROJECT`.
pub fn good_check(key: &Issued) -> SignatureCheck {
    sdk_check(&key.access, &key.secret, Some(&key.token), PROJECT)
}

/// Assert LakeFormation's error envelope: status, code, and a non-empty message and hint.
pub fn assert_lf_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error_code"], want_code, "{body}");
    for field in ["error_msg", "solution_msg"] {
        assert!(
            body[field].as_str().is_some_and(|m| !m.is_empty()),
            "{field} missing: {body}"
        );
    }
}
