//! `/service/token` over a real actix app with a fake authorizer: login checks, granted and
//! trimmed access, refusals in distribution's envelope, the POST form, and tokens that
//! verify with the signer's public key.

use std::sync::Arc;

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, App};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use credential_core::registry_jwt::{verify_for_tests, RegistryAccess, RegistryClaims};
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};
use service_kit::clock::Clock;
use service_kit::http::{observe, Metrics};
use service_kit::registry::{
    self, generate_dev_key_and_cert, NamespaceRecord, NamespaceRights, RegistryAuthError,
    RegistryAuthorizer, RegistryLogin, RegistrySigner, RegistryTokenIssuer,
};
use service_kit::testing::{TestApp, TestCall, TestResponse};

const SERVICE: &str = "swr-registry";
const PUSHER: (&str, &str) = ("u-push", "swr_push-secret");
const READER: (&str, &str) = ("u-read", "swr_read-secret");
/// Its credential store is down.
const BROKEN: (&str, &str) = ("u-broken", "anything");

/// Two credentials of the instance `inst-1` of the registry `swr-registry`: one may push,
/// one may only pull. `inst-1` owns the namespaces `ns` and `a`; `inst-2` owns `theirs`
/// and the public `pub`.
struct FakeAuthorizer;

const NAMESPACES: [(&str, &str, bool); 4] = [
    ("ns", "inst-1", false),
    ("a", "inst-1", false),
    ("theirs", "inst-2", false),
    ("pub", "inst-2", true),
];

impl RegistryAuthorizer for FakeAuthorizer {
    fn authenticate(
        &self,
        service: &str,
        username: &str,
        password: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>> {
        let namespaces = known(service, &names);
        let verdict = match (service, username, password) {
            (_, u, _) if u == BROKEN.0 => Err(RegistryAuthError::Unavailable(
                "database at 10.9.8.7 refused".into(),
            )),
            (SERVICE, u, p) if (u, p) == PUSHER => Ok((grant(u, &["pull", "push"]), namespaces)),
            (SERVICE, u, p) if (u, p) == READER => Ok((grant(u, &["pull"]), namespaces)),
            _ => Err(RegistryAuthError::BadCredentials),
        };
        Box::pin(async move { verdict })
    }

    fn namespaces(
        &self,
        service: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<Vec<NamespaceRecord>, RegistryAuthError>> {
        let found = known(service, &names);
        Box::pin(async move { Ok(found) })
    }
}

/// The records of `names` among [`NAMESPACES`], on [`SERVICE`] only.
fn known(service: &str, names: &[String]) -> Vec<NamespaceRecord> {
    NAMESPACES
        .iter()
        .filter(|(name, ..)| service == SERVICE && names.iter().any(|n| n == name))
        .map(|&(name, owner, public)| NamespaceRecord {
            name: name.into(),
            owner: owner.into(),
            public,
        })
        .collect()
}

fn grant(subject: &str, actions: &[&str]) -> RegistryLogin {
    RegistryLogin {
        subject: subject.into(),
        owner: "inst-1".into(),
        rights: NamespaceRights::Everywhere(actions.iter().map(|a| a.to_string()).collect()),
    }
}

fn signer() -> RegistrySigner {
    let (key, cert) = generate_dev_key_and_cert("service-kit test").expect("dev key");
    RegistrySigner::from_pem(&key, &cert).expect("signer")
}

async fn app(issuer: &web::Data<RegistryTokenIssuer>) -> TestApp {
    TestApp::init(
        App::new()
            .app_data(web::Data::new(Metrics::new("kit-test")))
            .app_data(issuer.clone())
            .app_data(web::Data::from(
                Arc::new(FakeAuthorizer) as Arc<dyn RegistryAuthorizer>
            ))
            .wrap(from_fn(observe))
            .configure(registry::configure),
    )
    .await
}

fn issuer() -> web::Data<RegistryTokenIssuer> {
    web::Data::new(RegistryTokenIssuer {
        signer: signer(),
        issuer: "swr-svc".into(),
        lifetime_seconds: 300,
        clock: Clock::system(),
    })
}

/// The `Authorization` value of HTTP Basic credentials.
fn basic((user, password): (&str, &str)) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn get<'a>(app: &'a TestApp, query: &str, credentials: Option<(&str, &str)>) -> TestCall<'a> {
    let call = app.get(&format!("/service/token?{query}"));
    match credentials {
        Some(c) => call.header(AUTHORIZATION.as_str(), basic(c)),
        None => call,
    }
}

/// The claims of a 200 body, after checking the signature and the body's shape.
fn claims_of(issuer: &RegistryTokenIssuer, body: &Value) -> RegistryClaims {
    let token = body["token"].as_str().expect("token");
    assert_eq!(body["access_token"], token);
    assert_eq!(body["expires_in"], 300);
    let issued_at = body["issued_at"].as_str().expect("issued_at");
    let issued_at = chrono::DateTime::parse_from_rfc3339(issued_at).expect("RFC 3339");
    let (header, claims) = verify_for_tests(token, issuer.signer.public_key()).expect("verifies");
    assert_eq!(header.kid, issuer.signer.kid());
    assert_eq!(
        (header.alg.as_str(), header.typ.as_str(), header.x5c.len()),
        ("ES256", "JWT", 1)
    );
    assert_eq!(
        (claims.iss.as_str(), claims.aud.as_str()),
        ("swr-svc", SERVICE)
    );
    assert_eq!(claims.iat, issued_at.timestamp());
    assert_eq!((claims.nbf, claims.exp), (claims.iat, claims.iat + 300));
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - claims.iat).abs() < 60,
        "iat {} now {now}",
        claims.iat
    );
    assert_eq!(
        uuid::Uuid::parse_str(&claims.jti)
            .expect("jti is a uuid")
            .get_version_num(),
        4
    );
    claims
}

fn repo(name: &str, actions: &[&str]) -> RegistryAccess {
    RegistryAccess {
        kind: "repository".into(),
        name: name.into(),
        actions: actions.iter().map(|a| a.to_string()).collect(),
    }
}

fn assert_unauthorized(res: TestResponse, message: &str) {
    let res = res.assert_unauthorized();
    assert_eq!(
        res.json(),
        json!({"errors": [{"code": "UNAUTHORIZED", "message": message}]})
    );
    assert_eq!(
        res.header(WWW_AUTHENTICATE.as_str()),
        Some("Basic realm=\"registry token\"")
    );
}

#[actix_web::test]
async fn a_login_check_without_scope_gets_a_token_with_no_access() {
    let issuer = issuer();
    let app = app(&issuer).await;
    // What skopeo and docker login send.
    for query in [
        format!("account={}&service={SERVICE}", PUSHER.0),
        format!(
            "account={}&client_id=docker&offline_token=true&service={SERVICE}",
            PUSHER.0
        ),
    ] {
        let res = get(&app, &query, Some(PUSHER)).await.assert_ok();
        assert_eq!(res.header("cache-control"), Some("no-store"));
        let claims = claims_of(&issuer, &res.json());
        assert_eq!(claims.sub, PUSHER.0);
        assert_eq!(claims.access, vec![]);
    }
}

#[actix_web::test]
async fn push_and_pull_are_granted_to_a_pusher() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let query =
        format!("account=u-push&scope=repository%3Ans%2Fapp%3Apull%2Cpush&service={SERVICE}");
    let body = get(&app, &query, Some(PUSHER)).await.assert_ok().json();
    assert_eq!(
        claims_of(&issuer, &body).access,
        vec![repo("ns/app", &["pull", "push"])]
    );

    // Several scopes, repeated and space-separated, with a host:port name (whose first
    // segment is no namespace of ours) and a catalog ask.
    let query = format!(
        "service={SERVICE}&scope=repository:127.0.0.1:5000/ns/app:push\
         &scope=repository:a/b:pull+registry:catalog:*"
    );
    let body = get(&app, &query, Some(PUSHER)).await.assert_ok().json();
    let claims = claims_of(&issuer, &body);
    assert_eq!(
        claims.access,
        vec![
            repo("127.0.0.1:5000/ns/app", &[]),
            repo("a/b", &["pull"]),
            RegistryAccess {
                kind: "registry".into(),
                name: "catalog".into(),
                actions: vec![]
            },
        ]
    );
}

#[actix_web::test]
async fn a_pull_only_grant_trims_push_without_an_error() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let query = format!(
        "service={SERVICE}&scope=repository:ns/app:pull,push&scope=repository:ns/other:push"
    );
    let body = get(&app, &query, Some(READER)).await.assert_ok().json();
    let claims = claims_of(&issuer, &body);
    assert_eq!(claims.sub, READER.0);
    assert_eq!(
        claims.access,
        vec![repo("ns/app", &["pull"]), repo("ns/other", &[])]
    );
}

#[actix_web::test]
async fn bad_or_missing_credentials_get_401_with_the_envelope_and_challenge() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let query = format!("service={SERVICE}&scope=repository:ns/app:pull");
    let bad = "Invalid username or password.";
    let none = "Authentication required: send HTTP Basic credentials.";
    for (req, message) in [
        (get(&app, &query, Some((PUSHER.0, "swr_wrong"))), bad),
        (get(&app, &query, Some(("nobody", PUSHER.1))), bad),
        (get(&app, "service=other-registry", Some(PUSHER)), bad),
        (get(&app, &format!("service={SERVICE}"), None), none),
        (
            get(&app, &query, None).header(AUTHORIZATION.as_str(), "Bearer abc"),
            none,
        ),
        (
            get(&app, &query, None).header(AUTHORIZATION.as_str(), "Basic !!!"),
            none,
        ),
        (
            get(&app, &query, None).header(
                AUTHORIZATION.as_str(),
                format!("Basic {}", STANDARD.encode(b"u-push:\xff\xfe")),
            ),
            none,
        ),
        (
            get(&app, &query, None).header(
                AUTHORIZATION.as_str(),
                format!("Basic {}", STANDARD.encode("no-colon")),
            ),
            none,
        ),
    ] {
        assert_unauthorized(req.await, message);
    }
}

#[actix_web::test]
async fn another_owners_namespaces_get_no_action_whatever_is_asked() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let query = format!(
        "service={SERVICE}&scope=repository:theirs/app:pull,push,delete,*\
         &scope=repository:ghost/app:pull,push&scope=repository:solo:pull\
         &scope=repository:pub/app:pull,push"
    );
    let body = get(&app, &query, Some(PUSHER)).await.assert_ok().json();
    assert_eq!(
        claims_of(&issuer, &body).access,
        vec![
            repo("theirs/app", &[]),
            repo("ghost/app", &[]),
            repo("solo", &[]),
            repo("pub/app", &["pull"]),
        ]
    );
}

#[actix_web::test]
async fn without_credentials_public_namespaces_may_be_pulled_and_nothing_else() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let query = format!(
        "service={SERVICE}&scope=repository:pub/app:pull,push\
         &scope=repository:ns/app:pull&scope=registry:catalog:*"
    );
    let body = get(&app, &query, None).await.assert_ok().json();
    let claims = claims_of(&issuer, &body);
    assert_eq!(claims.sub, "");
    assert_eq!(
        claims.access,
        vec![
            repo("pub/app", &["pull"]),
            repo("ns/app", &[]),
            RegistryAccess {
                kind: "registry".into(),
                name: "catalog".into(),
                actions: vec![]
            },
        ]
    );
    // The containerd form without any credentials is anonymous as well.
    let form = format!("grant_type=password&service={SERVICE}&scope=repository:pub/app:pull");
    let body = post(&app, &form).await.assert_ok().json();
    assert_eq!(
        claims_of(&issuer, &body).access,
        vec![repo("pub/app", &["pull"])]
    );
}

#[actix_web::test]
async fn malformed_requests_get_400_and_outages_503() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let invalid =
        |message: &str| json!({"errors": [{"code": "INVALID_REQUEST", "message": message}]});
    let cases = [
        (
            get(&app, "scope=repository:ns/app:pull", Some(PUSHER)),
            invalid("service is required."),
        ),
        (
            get(&app, "service=", Some(PUSHER)),
            invalid("service is required."),
        ),
        (
            get(&app, &format!("service={SERVICE}&service=x"), Some(PUSHER)),
            invalid("service must be given once."),
        ),
        (
            get(
                &app,
                &format!("service={SERVICE}&scope=repository:ns/app"),
                Some(PUSHER),
            ),
            invalid("malformed scope \"repository:ns/app\": expected type:name:actions"),
        ),
    ];
    for (req, expected) in cases {
        let body = req.await.assert_bad_request().json();
        assert_eq!(body, expected);
    }
    let body = get(&app, &format!("service={SERVICE}"), Some(BROKEN))
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE)
        .json();
    assert_eq!(
        body,
        json!({"errors": [{"code": "UNAVAILABLE", "message": "The registry login service is temporarily unavailable."}]})
    );
}

fn post<'a>(app: &'a TestApp, form: &str) -> TestCall<'a> {
    app.post("/service/token")
        .header(CONTENT_TYPE.as_str(), "application/x-www-form-urlencoded")
        .body(form)
}

#[actix_web::test]
async fn the_post_form_flow_of_containerd() {
    let issuer = issuer();
    let app = app(&issuer).await;
    let form = format!(
        "grant_type=password&client_id=containerd-client&service={SERVICE}\
         &scope=repository%3Ans%2Fapp%3Apull%2Cpush+repository%3Ans%2Fbase%3Apull\
         &username={}&password={}",
        READER.0, READER.1
    );
    let body = post(&app, &form).await.assert_ok().json();
    let claims = claims_of(&issuer, &body);
    assert_eq!(claims.sub, READER.0);
    assert_eq!(
        claims.access,
        vec![repo("ns/app", &["pull"]), repo("ns/base", &["pull"])]
    );

    // Basic credentials stand in for a form without username and password.
    let form = format!("grant_type=password&service={SERVICE}&scope=repository:ns/app:push");
    let body = post(&app, &form)
        .header(AUTHORIZATION.as_str(), basic(PUSHER))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        claims_of(&issuer, &body).access,
        vec![repo("ns/app", &["push"])]
    );

    let form = format!(
        "grant_type=password&service={SERVICE}&username={}&password=wrong",
        READER.0
    );
    assert_unauthorized(post(&app, &form).await, "Invalid username or password.");

    let form = format!("grant_type=refresh_token&service={SERVICE}&refresh_token=abc&client_id=c");
    let body = post(&app, &form).await.assert_bad_request().json();
    assert_eq!(body["errors"][0]["code"], "UNSUPPORTED", "{body}");

    let body = post(&app, &format!("service={SERVICE}"))
        .await
        .assert_bad_request()
        .json();
    assert_eq!(body["errors"][0]["code"], "INVALID_REQUEST");

    let body = app
        .post("/service/token")
        .header(CONTENT_TYPE.as_str(), "application/json")
        .body("{}")
        .await
        .assert_bad_request()
        .json();
    assert_eq!(body["errors"][0]["code"], "INVALID_REQUEST");
}

#[actix_web::test]
async fn a_short_lifetime_is_raised_to_sixty_seconds() {
    let issuer = web::Data::new(RegistryTokenIssuer {
        signer: signer(),
        issuer: "swr-svc".into(),
        lifetime_seconds: 5,
        clock: Clock::system(),
    });
    let app = app(&issuer).await;
    let body = get(&app, &format!("service={SERVICE}"), Some(PUSHER))
        .await
        .assert_ok()
        .json();
    assert_eq!(body["expires_in"], 60);
    let token = body["token"].as_str().expect("token");
    let (_, claims) = verify_for_tests(token, issuer.signer.public_key()).expect("verifies");
    assert_eq!(claims.exp - claims.iat, 60);
}

#[actix_web::test]
async fn a_token_is_dated_by_the_service_clock() {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
    let clock = Clock::fixed(at);
    let issuer = web::Data::new(RegistryTokenIssuer {
        signer: signer(),
        issuer: "swr-svc".into(),
        lifetime_seconds: 300,
        clock: clock.clone(),
    });
    let app = app(&issuer).await;
    clock.advance(chrono::Duration::seconds(42));
    let body = get(&app, &format!("service={SERVICE}"), Some(PUSHER))
        .await
        .assert_ok()
        .json();
    let token = body["token"].as_str().expect("token");
    let (_, claims) = verify_for_tests(token, issuer.signer.public_key()).expect("verifies");
    assert_eq!(claims.iat, at.timestamp() + 42);
    assert_eq!(claims.exp, at.timestamp() + 42 + 300);
}

#[actix_web::test]
async fn the_password_never_reaches_the_log() {
    crate::logs::install();
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let issuer = issuer();
    let app = app(&issuer).await;
    let password = format!("swr_{marker}");
    let query = format!("service={SERVICE}&scope=repository:ns/app:pull");
    get(&app, &query, Some((PUSHER.0, &password)))
        .await
        .assert_unauthorized();
    let form =
        format!("grant_type=password&service={SERVICE}&username=u-broken&password={password}");
    post(&app, &form)
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let lines = crate::logs::lines();
    assert!(
        lines.iter().any(|l| l.contains("10.9.8.7")),
        "the outage's cause is logged for the operator"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("registry login refused") && l.contains(PUSHER.0)),
        "the refusal is logged with the username"
    );
    for line in lines {
        assert!(
            !line.contains(&marker),
            "the password reached the log: {line}"
        );
    }
}
