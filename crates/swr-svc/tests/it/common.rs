//! The harness: a fresh database, an app whose verifier trusts a test key, and helpers
//! to mint tokens for users with given roles.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::{Duration, Utc};
use credential_core::registry_jwt::RegistrySigner;
use credential_core::sign::huawei::{format_sdk_date, sign_request, SignableRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use service_kit::auth::wire::SignatureCheck;
use service_kit::auth::{AuthError, Principal, ProjectRef, SignatureVerifier, TemporaryKey};
use service_kit::clock::Clock;
use service_kit::http::Metrics;
use service_kit::registry::{keys, RegistryTokenIssuer};
pub use service_kit::testing::{feed_revocation, TestApp, TestCall};
use service_kit::testing::{SignRequest, TestDatabase, TestTokens, Unsigned};
use swr_svc::app::Collaborators;
use swr_svc::config::SwrConfig;
use swr_svc::registry_auth;
use swr_svc::state::AppState;

pub const PROJECT: &str = "project-a";
pub const OTHER_PROJECT: &str = "project-b";
/// The registry service of the test configuration (`registry.service`).
pub const SERVICE: &str = "swr-registry";

/// Signatures are iam-svc's and lakeformation-svc's business: here an access key stands
/// for the principal a test registered for it ([`Harness::permanent_key`],
/// [`Harness::temporary_key`]), as those issuers would answer; the MAC is not checked.
#[derive(Default)]
struct FakeKeys(Mutex<HashMap<String, Principal>>);

impl SignatureVerifier for FakeKeys {
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let found = self.0.lock().unwrap().get(&check.access).cloned();
        Box::pin(async move {
            let principal = found.ok_or(AuthError::UnknownAccessKey)?;
            // A temporary key is accepted only with its security token, and only it is.
            if principal.is_temporary() != check.security_token.is_some() {
                return Err(AuthError::SecurityTokenRefused);
            }
            Ok(principal)
        })
    }
}

/// An access key a test signs with: permanent (iam-svc's) or temporary (lakeformation-svc's).
#[derive(Clone, Debug)]
pub struct Key {
    pub access: String,
    pub project: String,
    pub temporary: Option<TemporaryKey>,
}

pub struct Harness {
    pub db: TestDatabase,
    pub state: web::Data<AppState>,
    pub parts: Collaborators,
    tokens: TestTokens,
    keys: Arc<FakeKeys>,
}

pub fn test_config() -> SwrConfig {
    SwrConfig::load(None).expect("config")
}

impl Harness {
    /// A harness over a fresh database, and its app.
    pub async fn start() -> (Harness, TestApp) {
        let harness = Self::new().await;
        let app = harness.app().await;
        (harness, app)
    }

    pub async fn new() -> Harness {
        Self::build(TestDatabase::new(&swr_svc::MIGRATIONS), test_config())
    }

    /// Several connections (SQLite file or PostgreSQL schema), for concurrency tests.
    pub async fn shared() -> Harness {
        Self::shared_with(test_config()).await
    }

    pub async fn shared_with(config: SwrConfig) -> Harness {
        Self::build(TestDatabase::shared(&swr_svc::MIGRATIONS), config)
    }

    /// A fresh database, the state, its verifier and registry logins reading `clock`.
    pub fn on_clock(config: SwrConfig, clock: Clock) -> Harness {
        Self::build_on(TestDatabase::new(&swr_svc::MIGRATIONS), config, clock)
    }

    fn build(db: TestDatabase, config: SwrConfig) -> Harness {
        Self::build_on(db, config, Clock::system())
    }

    fn build_on(db: TestDatabase, config: SwrConfig, clock: Clock) -> Harness {
        let tokens = TestTokens::on_clock("swr-test", clock.clone());
        let (key_pem, cert_pem) = keys::generate_dev_key_and_cert("swr-svc").unwrap();
        let signer = RegistrySigner::from_pem(&key_pem, &cert_pem).unwrap();
        let issuer = web::Data::new(RegistryTokenIssuer {
            signer,
            issuer: config.registry.issuer.clone(),
            lifetime_seconds: config.registry.token_lifetime_seconds,
            clock: clock.clone(),
        });
        let state = web::Data::new(AppState {
            pool: db.pool.clone(),
            config,
            verifier: tokens.verifier(),
            clock: clock.clone(),
        });
        let keys = Arc::new(FakeKeys::default());
        let parts = Collaborators {
            signatures: keys.clone(),
            registry_issuer: issuer,
            registry_authorizer: Arc::new(registry_auth::authorizer(db.pool.clone(), clock)),
            metrics: web::Data::new(Metrics::new("swr-svc")),
        };
        Harness {
            db,
            state,
            parts,
            tokens,
            keys,
        }
    }

    /// The app over this harness's state (call again for a second instance of it).
    pub async fn app(&self) -> TestApp {
        TestApp::init(swr_svc::app::build(self.state.clone(), &self.parts)).await
    }

    /// A token for `user` scoped to `project` with `roles`.
    pub fn token(&self, user: &str, project: &str, roles: &[&str]) -> String {
        self.token_in("domain-1", user, project, roles)
    }

    /// A token for `user` of `domain`, scoped to `project` (of that domain) with `roles`.
    pub fn token_in(&self, domain: &str, user: &str, project: &str, roles: &[&str]) -> String {
        self.tokens.token(domain, user, project, roles)
    }
}

impl Harness {
    /// A permanent access key of `user` in `project` with `roles`.
    pub fn permanent_key(&self, user: &str, project: &str, roles: &[&str]) -> Key {
        self.register(user, project, roles, None)
    }

    /// A temporary key of `user` in `project` with `roles`, alive over `lifetime`.
    pub fn temporary_key(
        &self,
        user: &str,
        project: &str,
        roles: &[&str],
        lifetime: TemporaryKey,
    ) -> Key {
        self.register(user, project, roles, Some(lifetime))
    }

    fn register(
        &self,
        user: &str,
        project: &str,
        roles: &[&str],
        temporary: Option<TemporaryKey>,
    ) -> Key {
        let access = format!("AK{}", uuid::Uuid::new_v4().simple()).to_uppercase();
        let principal = Principal {
            user_id: format!("{user}-id"),
            user_name: user.to_string(),
            domain_id: "domain-1".into(),
            domain_name: "local".into(),
            project: Some(ProjectRef {
                id: project.into(),
                name: format!("{project}-name"),
            }),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            access_key: Some(access.clone()),
            temporary: temporary.clone(),
            token: None,
        };
        self.keys
            .0
            .lock()
            .unwrap()
            .insert(access.clone(), principal);
        Key {
            access,
            project: project.into(),
            temporary,
        }
    }
}

/// A temporary key's lifetime: issued a minute ago, expiring in `seconds`.
pub fn key_lifetime(seconds: i64) -> TemporaryKey {
    let now = Utc::now();
    TemporaryKey {
        issued_at: now - Duration::minutes(1),
        expires_at: now + Duration::seconds(seconds),
        policy: None,
    }
}

/// Signs as the Huawei SDK signs (SDK-HMAC-SHA256) with the key's access key, for its
/// project, carrying a security token when the key is temporary.
impl SignRequest for Key {
    fn sign(&self, r: &Unsigned<'_>) -> Vec<(String, String)> {
        let date = format_sdk_date(Utc::now());
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), "127.0.0.1:8082".into()),
            ("X-Project-Id".into(), self.project.clone()),
            ("X-Sdk-Date".into(), date.clone()),
        ];
        if self.temporary.is_some() {
            headers.push(("X-Security-Token".into(), "security-token".into()));
        }
        let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
        let borrowed: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let signable = SignableRequest {
            method: r.method,
            path: r.path,
            query: r.query,
            headers: &borrowed,
            body: r.body,
        };
        let authorization =
            sign_request(&signable, &self.access, b"secret", &names, &date).unwrap();
        headers.push(("Authorization".into(), authorization));
        headers
    }
}

/// A request signed with `key`, with a JSON body if given (sent as the SDK sends it:
/// the text it signed, with no body at all for none).
pub fn signed<'a>(
    app: &'a TestApp,
    key: &'a Key,
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> TestCall<'a> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    app.request(method, uri).body(body).signed(key)
}

/// Create an instance in `project` and return its id.
pub async fn create_instance(app: &TestApp, token: &str, project: &str, name: &str) -> String {
    let body = serde_json::json!({ "name": name, "spec": "swr.ee.professional", "charge_mode": "postPaid" });
    let body = app
        .post(&format!("/v2/{project}/instances"))
        .token(token)
        .json(&body)
        .await
        .assert_created()
        .json();
    body["instance_id"].as_str().unwrap().to_string()
}

/// Assert an SWR error envelope.
pub fn assert_swr_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error_code"], want_code, "{body}");
    assert!(
        body["error_msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Create the namespace `name` in the project's instance, public or not.
pub async fn create_namespace(
    app: &TestApp,
    token: &str,
    project: &str,
    instance: &str,
    name: &str,
    public: bool,
) {
    let (status, body) = try_create_namespace(app, token, project, instance, name, public).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["id"].as_i64().is_some(), "{body}");
}

/// Ask to create the namespace `name` in the project's instance: the status and body.
pub async fn try_create_namespace(
    app: &TestApp,
    token: &str,
    project: &str,
    instance: &str,
    name: &str,
    public: bool,
) -> (StatusCode, Value) {
    let body = serde_json::json!({
        "namespace_name": name,
        "metadata": { "public": public.to_string() },
    });
    let (status, body, _) = app
        .post(&format!("/v2/{project}/instances/{instance}/namespaces"))
        .token(token)
        .json(&body)
        .await
        .parts();
    (status, body)
}

/// HTTP Basic credentials.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A registry token request (`/service/token?{query}`) with Basic credentials.
pub fn token_request<'a>(
    app: &'a TestApp,
    query: &str,
    user: &str,
    password: &str,
) -> TestCall<'a> {
    app.get(&format!("/service/token?{query}"))
        .header("Authorization", basic(user, password))
}

/// A registry JWT's claims (the signature itself is checked by service-kit's and the
/// real registry's tests).
pub fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}
