//! The harness: a fresh database, an app whose signature checks know the test keys, and
//! a client that signs like tencentcloud-sdk-python.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::web;
use chrono::{DateTime, Utc};
use credential_core::registry_jwt::RegistrySigner;
use credential_core::session_policy::SessionPolicy;
use credential_core::sign::tencent::{sign_request, Tc3Request};
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use service_kit::auth::replay;
use service_kit::auth::wire::{Replay, SignatureCheck, SignatureRelease};
use service_kit::auth::{
    AuthError, Principal, SignatureVerifier, TemporaryKey, TokenVerifier, VerifierOptions,
};
use service_kit::clock::Clock;
use service_kit::http::Metrics;
use service_kit::registry::{keys, RegistryTokenIssuer};
use service_kit::testing::TestDatabase;
pub use service_kit::testing::{feed_revocation, TestApp, TestCall};
use tcr_svc::app::Collaborators;
use tcr_svc::config::TcrConfig;
use tcr_svc::ratelimit::RateLimiter;
use tcr_svc::registry_auth::TcrRegistryAuthorizer;
use tcr_svc::state::AppState;

pub const HOST: &str = "127.0.0.1:18084";

/// A test access key: its secret and who it belongs to.
#[derive(Clone)]
pub struct Key {
    pub id: &'static str,
    pub secret: &'static str,
    pub user: &'static str,
    pub account: &'static str,
    pub roles: &'static [&'static str],
    /// A temporary key: requests carry `X-TC-Token` and the principal is marked temporary,
    /// issued ten minutes before the harness started and expiring twenty minutes after.
    pub temporary: bool,
    /// The key's user is disabled: iam-svc refuses the permanent key.
    pub disabled: bool,
}

pub const ALICE: Key = Key {
    id: "AKIDALICE",
    secret: "alice-secret",
    user: "alice-id",
    account: "acct-a",
    roles: &["admin"],
    temporary: false,
    disabled: false,
};
pub const RITA: Key = Key {
    id: "AKIDRITA",
    secret: "rita-secret",
    user: "rita-id",
    account: "acct-a",
    roles: &["readonly"],
    temporary: false,
    disabled: false,
};
pub const BOB: Key = Key {
    id: "AKIDBOB",
    secret: "bob-secret",
    user: "bob-id",
    account: "acct-b",
    roles: &["member"],
    temporary: false,
    disabled: false,
};
/// An admin of BOB's account.
pub const BEA: Key = Key {
    id: "AKIDBEA",
    secret: "bea-secret",
    user: "bea-id",
    account: "acct-b",
    roles: &["admin"],
    temporary: false,
    disabled: false,
};
/// ALICE's temporary key (an admin's).
pub const ALICE_TEMP: Key = Key {
    id: "AKIDALICETEMP",
    secret: "alice-temp-secret",
    temporary: true,
    ..ALICE
};
/// A member of ALICE's account whose user is disabled (or deleted).
pub const DORA: Key = Key {
    id: "AKIDDORA",
    secret: "dora-secret",
    user: "dora-id",
    disabled: true,
    ..MEMO
};
/// DORA's temporary key, issued before she was disabled: the issuer still accepts it.
pub const DORA_TEMP: Key = Key {
    id: "AKIDDORATEMP",
    secret: "dora-temp-secret",
    user: "dora-id",
    temporary: true,
    ..MEMO
};
/// A member of ALICE's account.
pub const MEMO: Key = Key {
    id: "AKIDMEMO",
    secret: "memo-secret",
    user: "memo-id",
    account: "acct-a",
    roles: &["member"],
    temporary: false,
    disabled: false,
};

/// Plays iam-svc (and lakeformation-svc, for temporary keys): checks TC3 MACs with the
/// known secrets, as they do.
struct KnownKeys {
    keys: HashMap<&'static str, Key>,
    temporary: TemporaryKey,
    /// The session policy every temporary key carries ([`Harness::set_session_policy`]).
    policy: Arc<Mutex<Option<SessionPolicy>>>,
    seen: Arc<Mutex<Seen>>,
    /// The issuer's replay memory ([`Harness::with_replay_memory`]); none by default, so a
    /// test may send one signed request twice.
    replay: Option<Arc<TestDatabase>>,
    clock: Clock,
}

/// What tcr-svc told the issuer: the replay rule of each accepted check, and the
/// signatures it gave back.
#[derive(Default)]
pub struct Seen {
    pub accepted: Vec<(String, Replay)>,
    pub released: Vec<SignatureRelease>,
}

/// A revocation verifier that has just heard from iam-svc, with nothing revoked yet.
fn fresh_verifier(now: DateTime<Utc>, options: VerifierOptions) -> Arc<TokenVerifier> {
    let verifier = TokenVerifier::new(options);
    verifier.apply_revocations(&[], now);
    Arc::new(verifier)
}

/// The lifetime of every temporary test key: issued ten minutes before `started`,
/// expiring twenty minutes after it.
pub fn temporary_key(started: DateTime<Utc>) -> TemporaryKey {
    TemporaryKey {
        issued_at: started - chrono::Duration::minutes(10),
        expires_at: started + chrono::Duration::minutes(20),
        policy: None,
    }
}

impl SignatureVerifier for KnownKeys {
    fn check(&self, c: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let replay = c.replay.clone();
        let c2 = c.clone();
        let result = (move || {
            let c = c2;
            let key = self
                .keys
                .get(c.access.as_str())
                .ok_or(AuthError::UnknownAccessKey)?;
            if !c.mac_matches(key.secret.as_bytes())? {
                return Err(AuthError::SignatureMismatch);
            }
            if key.disabled {
                return Err(AuthError::InactiveAccessKey);
            }
            // A temporary key comes with its security token, a permanent key never does.
            if c.security_token.is_some() != key.temporary {
                return Err(AuthError::SecurityTokenRefused);
            }
            assert!(c.own_domain, "tcr-svc scopes to the key's own account");
            Ok(Principal {
                user_id: key.user.into(),
                user_name: key.user.into(),
                domain_id: key.account.into(),
                domain_name: key.account.into(),
                project: None,
                roles: key.roles.iter().map(|r| r.to_string()).collect(),
                access_key: Some(key.id.into()),
                temporary: key.temporary.then(|| TemporaryKey {
                    policy: self.policy.lock().unwrap().clone(),
                    ..self.temporary.clone()
                }),
                token: None,
            })
        })();
        Box::pin(async move {
            let principal = result?;
            // As an issuer does: the MAC first, then the replay memory, if the test has one.
            if let Some(memory) = &self.replay {
                replay::accept_once_at(&memory.pool, &c, self.clock.now()).await?;
            }
            let access = principal.access_key.clone().unwrap_or_default();
            self.seen.lock().unwrap().accepted.push((access, replay));
            Ok(principal)
        })
    }

    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        self.seen.lock().unwrap().released.push(release.clone());
        Box::pin(async move {
            match &self.replay {
                Some(memory) => replay::release(&memory.pool, &release).await,
                None => Ok(()),
            }
        })
    }
}

pub struct Harness {
    pub db: TestDatabase,
    pub state: web::Data<AppState>,
    pub parts: Collaborators,
    /// The lifetime of every temporary test key.
    pub temporary: TemporaryKey,
    /// What the app told the fake issuer.
    pub seen: Arc<Mutex<Seen>>,
    policy: Arc<Mutex<Option<SessionPolicy>>>,
}

pub fn test_config() -> TcrConfig {
    let mut config = TcrConfig::load(None).expect("config");
    // Service account passwords a caller chooses: a cheap hash keeps the tests fast.
    config.service_accounts.pbkdf2_iterations = 1000;
    config
}

impl Harness {
    /// A harness over a fresh database, and its app.
    pub async fn start() -> (Harness, TestApp) {
        let harness = Self::new().await;
        let app = harness.app().await;
        (harness, app)
    }

    pub async fn new() -> Harness {
        Self::with_config(test_config())
    }

    pub fn with_config(config: TcrConfig) -> Harness {
        Self::build(
            TestDatabase::new(&tcr_svc::MIGRATIONS),
            config,
            Default::default(),
            Clock::system(),
        )
    }

    /// On `clock` (a fixed one the test moves) instead of the system clock.
    pub fn with_clock(config: TcrConfig, clock: Clock) -> Harness {
        Self::build(
            TestDatabase::new(&tcr_svc::MIGRATIONS),
            config,
            Default::default(),
            clock,
        )
    }

    /// Revocations last pulled when the harness started, and stale from the next instant.
    pub fn with_stale_feed() -> Harness {
        let options = VerifierOptions {
            max_feed_staleness: std::time::Duration::ZERO,
            ..Default::default()
        };
        Self::build(
            TestDatabase::new(&tcr_svc::MIGRATIONS),
            test_config(),
            options,
            Clock::system(),
        )
    }

    /// Several connections (SQLite file or PostgreSQL schema), for concurrency tests.
    pub fn shared_with(config: TcrConfig) -> Harness {
        Self::shared_with_clock(config, Clock::system())
    }

    /// [`Harness::shared_with`], on `clock`.
    pub fn shared_with_clock(config: TcrConfig, clock: Clock) -> Harness {
        Self::build(
            TestDatabase::shared(&tcr_svc::MIGRATIONS),
            config,
            Default::default(),
            clock,
        )
    }

    /// With an issuer that remembers the signatures and nonces it accepted, in a database
    /// of its own, as iam-svc does (`service_kit::auth::replay`); `replay` shares one
    /// between harnesses, as replicas share iam-svc.
    pub fn with_replay_memory(config: TcrConfig, replay: Arc<TestDatabase>) -> Harness {
        Self::build_with(
            TestDatabase::new(&tcr_svc::MIGRATIONS),
            config,
            Default::default(),
            Clock::system(),
            Some(replay),
        )
    }

    fn build(
        db: TestDatabase,
        config: TcrConfig,
        revocations: VerifierOptions,
        clock: Clock,
    ) -> Harness {
        Self::build_with(db, config, revocations, clock, None)
    }

    fn build_with(
        db: TestDatabase,
        config: TcrConfig,
        revocations: VerifierOptions,
        clock: Clock,
        replay: Option<Arc<TestDatabase>>,
    ) -> Harness {
        let started = clock.now();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let policy = Arc::new(Mutex::new(None));
        let keys = [ALICE, RITA, BOB, BEA, MEMO, ALICE_TEMP, DORA, DORA_TEMP]
            .into_iter()
            .map(|k| (k.id, k))
            .collect();
        let (key_pem, cert_pem) = keys::generate_dev_key_and_cert("tcr-svc").unwrap();
        let parts = Collaborators {
            registry_issuer: web::Data::new(RegistryTokenIssuer {
                signer: RegistrySigner::from_pem(&key_pem, &cert_pem).unwrap(),
                issuer: config.registry.issuer.clone(),
                lifetime_seconds: config.registry.token_lifetime_seconds,
                clock: clock.clone(),
            }),
            registry_authorizer: Arc::new(TcrRegistryAuthorizer::new(
                db.pool.clone(),
                clock.clone(),
            )),
            metrics: web::Data::new(Metrics::new("tcr-svc")),
        };
        let state = web::Data::new(AppState {
            pool: db.pool.clone(),
            config,
            signatures: Arc::new(KnownKeys {
                keys,
                temporary: temporary_key(started),
                policy: policy.clone(),
                seen: seen.clone(),
                replay,
                clock: clock.clone(),
            }),
            verifier: fresh_verifier(
                started,
                VerifierOptions {
                    clock: clock.clone(),
                    ..revocations
                },
            ),
            limiter: RateLimiter::for_backend(db.backend, &db.pool),
            clock,
        });
        Harness {
            db,
            state,
            parts,
            temporary: temporary_key(started),
            seen,
            policy,
        }
    }

    /// From now on every temporary key carries `policy`, as its issuer would say.
    pub fn set_session_policy(&self, policy: Option<SessionPolicy>) {
        *self.policy.lock().unwrap() = policy;
    }

    /// The app over this harness's state (call again for a second instance of it).
    pub async fn app(&self) -> TestApp {
        TestApp::init(tcr_svc::app::build(self.state.clone(), &self.parts)).await
    }
}

/// The headers of a request for `action` with `body`, signed like the SDK signs it (TC3
/// over content-type and host), at `timestamp`; a temporary key's carry its token.
pub fn tc3_headers(key: &Key, action: &str, body: &str, timestamp: i64) -> Vec<(String, String)> {
    let ts = timestamp.to_string();
    let signed_headers = [
        ("Content-Type", "application/json"),
        ("Host", HOST),
        ("X-TC-Timestamp", ts.as_str()),
    ];
    let req = Tc3Request {
        method: "POST",
        query: "",
        headers: &signed_headers,
        body: body.as_bytes(),
        unsigned_payload: false,
    };
    let authorization = sign_request(
        &req,
        key.id,
        key.secret.as_bytes(),
        "tcr",
        timestamp,
        &["content-type".into(), "host".into()],
    )
    .unwrap();
    let mut headers: Vec<(String, String)> = [
        ("Content-Type", "application/json"),
        ("Host", HOST),
        ("X-TC-Timestamp", ts.as_str()),
        ("X-TC-Action", action),
        ("X-TC-Version", "2019-09-24"),
        ("X-TC-Region", "ap-guangzhou"),
        ("Authorization", authorization.as_str()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    if key.temporary {
        let token = format!("security-token-of-{}", key.id);
        headers.push(("X-TC-Token".into(), token));
    }
    headers
}

/// A request signed like the SDK signs it, at `timestamp`. It is signed as built: a
/// header or body set afterwards replaces what was signed, as a tampering client would.
pub fn signed_at<'a>(
    app: &'a TestApp,
    key: &Key,
    action: &str,
    body: &str,
    timestamp: i64,
) -> TestCall<'a> {
    app.post("/")
        .headers(tc3_headers(key, action, body, timestamp))
        .body(body)
}

/// A request signed like the SDK signs it, now.
pub fn signed<'a>(app: &'a TestApp, key: &Key, action: &str, body: &str) -> TestCall<'a> {
    signed_at(app, key, action, body, chrono::Utc::now().timestamp())
}

/// The `Response` object of a request; asserts the transport rules every answer keeps.
pub async fn response(call: TestCall<'_>) -> Value {
    let res = call.await;
    assert_eq!(res.status().as_u16(), 200, "API 3.0 always answers 200");
    assert_eq!(res.header("content-type"), Some("application/json"));
    let request_id = res.header("x-request-id").unwrap().to_string();
    let body = res.json();
    let response = body["Response"].clone();
    assert_eq!(response["RequestId"], request_id.as_str(), "{body}");
    response
}

/// `action` with `body` as `key`: the `Response` object.
pub async fn act(app: &TestApp, key: &Key, action: &str, body: &str) -> Value {
    response(signed(app, key, action, body)).await
}

/// The error code of an answer, or "" for success.
pub fn code(response: &Value) -> String {
    response["Error"]["Code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Create a registry as `key` and return its id.
pub async fn create_registry(app: &TestApp, key: &Key, name: &str) -> String {
    let r = act(
        app,
        key,
        "CreateInstance",
        &format!(r#"{{"RegistryName": "{name}", "RegistryType": "basic"}}"#),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    r["RegistryId"].as_str().unwrap().to_string()
}

/// Create the namespace `name` in `registry` as `key`; the error code, or "".
pub async fn create_namespace(
    app: &TestApp,
    key: &Key,
    registry: &str,
    name: &str,
    public: bool,
) -> String {
    let body = format!(
        r#"{{"RegistryId": "{registry}", "NamespaceName": "{name}", "IsPublic": {public}}}"#
    );
    code(&act(app, key, "CreateNamespace", &body).await)
}

/// A configuration whose rate limits no test burst reaches.
pub fn unlimited_config() -> TcrConfig {
    let mut config = test_config();
    config.rate_limits.create_instance_token_per_second = 10_000;
    config.rate_limits.other_per_second = 10_000;
    config
}
