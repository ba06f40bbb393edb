//! The harness: a fresh database, an app whose signature checks know the test keys, and
//! a client that signs like tencentcloud-sdk-python.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::{test, web};
use chrono::{DateTime, Utc};
use credential_core::registry_jwt::RegistrySigner;
use credential_core::sign::tencent::{self, sign_request, Tc3Request};
use diesel_migrations::MigrationHarness;
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use service_kit::auth::wire::{Replay, SignatureCheck, SignatureRelease};
use service_kit::auth::{
    AuthError, Principal, SignatureVerifier, TemporaryKey, TokenVerifier, VerifierOptions,
};
use service_kit::clock::Clock;
use service_kit::db::DbConnection;
use service_kit::http::Metrics;
use service_kit::registry::{keys, RegistryTokenIssuer};
use service_kit::testing::TestDatabase;
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
    seen: Arc<Mutex<Seen>>,
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
    }
}

impl SignatureVerifier for KnownKeys {
    fn check(&self, c: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let replay = c.replay.clone();
        let result = (|| {
            let key = self
                .keys
                .get(c.access.as_str())
                .ok_or(AuthError::UnknownAccessKey)?;
            let (date, service) = (
                c.tc3_date.unwrap_or_default(),
                c.tc3_service.unwrap_or_default(),
            );
            if !tencent::verify(
                key.secret.as_bytes(),
                &date,
                &service,
                &c.string_to_sign,
                &c.signature,
            ) {
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
                temporary: key.temporary.then_some(self.temporary),
                token: None,
            })
        })();
        if let Ok(p) = &result {
            let access = p.access_key.clone().unwrap_or_default();
            self.seen.lock().unwrap().accepted.push((access, replay));
        }
        Box::pin(async move { result })
    }

    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        self.seen.lock().unwrap().released.push(release);
        Box::pin(async { Ok(()) })
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
}

pub fn test_config() -> TcrConfig {
    let mut config = TcrConfig::load(None).expect("config");
    // Service account passwords a caller chooses: a cheap hash keeps the tests fast.
    config.service_accounts.pbkdf2_iterations = 1000;
    config
}

impl Harness {
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
        Self::build(
            TestDatabase::shared(&tcr_svc::MIGRATIONS),
            config,
            Default::default(),
            Clock::system(),
        )
    }

    fn build(
        db: TestDatabase,
        config: TcrConfig,
        revocations: VerifierOptions,
        clock: Clock,
    ) -> Harness {
        let started = clock.now();
        let seen = Arc::new(Mutex::new(Seen::default()));
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
                seen: seen.clone(),
            }),
            verifier: fresh_verifier(started, revocations),
            limiter: RateLimiter::default(),
            clock,
        });
        Harness {
            db,
            state,
            parts,
            temporary: temporary_key(started),
            seen,
        }
    }

    pub async fn app(
        &self,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(tcr_svc::app::build(self.state.clone(), &self.parts)).await
    }
}

/// A request signed like the SDK signs it, at `timestamp`.
pub fn signed_at(key: &Key, action: &str, body: &str, timestamp: i64) -> test::TestRequest {
    let ts = timestamp.to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", HOST),
        ("X-TC-Timestamp", ts.as_str()),
    ];
    let req = Tc3Request {
        method: "POST",
        query: "",
        headers: &headers,
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
    let req = test::TestRequest::post()
        .uri("/")
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Host", HOST))
        .insert_header(("X-TC-Timestamp", ts))
        .insert_header(("X-TC-Action", action))
        .insert_header(("X-TC-Version", "2019-09-24"))
        .insert_header(("X-TC-Region", "ap-guangzhou"))
        .insert_header(("Authorization", authorization))
        .set_payload(body.to_string());
    if key.temporary {
        req.insert_header(("X-TC-Token", format!("security-token-of-{}", key.id)))
    } else {
        req
    }
}

pub fn signed(key: &Key, action: &str, body: &str) -> test::TestRequest {
    signed_at(key, action, body, chrono::Utc::now().timestamp())
}

/// The `Response` object; asserts the transport rules every answer keeps.
pub async fn call<S, B>(app: &S, req: test::TestRequest) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    assert_eq!(res.status().as_u16(), 200, "API 3.0 always answers 200");
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/json"
    );
    let request_id = res
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = serde_json::from_slice(&test::read_body(res).await).unwrap();
    let response = body["Response"].clone();
    assert_eq!(response["RequestId"], request_id.as_str(), "{body}");
    response
}

/// The error code of an answer, or "" for success.
pub fn code(response: &Value) -> String {
    response["Error"]["Code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Create a registry as `key` and return its id.
pub async fn create_registry<S, B>(app: &S, key: &Key, name: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = call(
        app,
        signed(
            key,
            "CreateInstance",
            &format!(r#"{{"RegistryName": "{name}", "RegistryType": "basic"}}"#),
        ),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    r["RegistryId"].as_str().unwrap().to_string()
}

/// Revert migrations, newest first, up to and including `version` (digits only); the
/// versions reverted, newest first.
pub fn revert_through(conn: &mut DbConnection, version: &str) -> Vec<String> {
    let mut reverted: Vec<String> = Vec::new();
    while reverted.last().map(String::as_str) != Some(version) {
        let last = match conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(tcr_svc::MIGRATIONS.sqlite),
            DbConnection::Postgresql(c) => c.revert_last_migration(tcr_svc::MIGRATIONS.postgres),
        }
        .unwrap();
        reverted.push(last.to_string().replace('-', ""));
    }
    reverted
}

/// Create the namespace `name` in `registry` as `key`; the error code, or "".
pub async fn create_namespace<S, B>(
    app: &S,
    key: &Key,
    registry: &str,
    name: &str,
    public: bool,
) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let body = format!(
        r#"{{"RegistryId": "{registry}", "NamespaceName": "{name}", "IsPublic": {public}}}"#
    );
    code(&call(app, signed(key, "CreateNamespace", &body)).await)
}

/// A configuration whose rate limits no test burst reaches.
pub fn unlimited_config() -> TcrConfig {
    let mut config = test_config();
    config.rate_limits.create_instance_token_per_second = 10_000;
    config.rate_limits.other_per_second = 10_000;
    config
}
