//! The start-up of the services that trust iam-svc, against a stand-in iam-svc on a real
//! socket.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use chrono::Utc;
use credential_core::iam_token::TokenSigningKey;
use credential_core::SecretString;
use futures_util::future::LocalBoxFuture;
use service_kit::auth::wire::{
    KeySet, RevocationEvent, RevocationPage, KEYS_PATH, REVOCATIONS_PATH,
};
use service_kit::auth::{
    AuthError, IamFeed, InternalCredential, RevocationSink, TokenVerifier, VerifierOptions,
};
use service_kit::start::prime;
use service_kit::testing::tokens::project_claims;

struct NoStoredCredentials;

impl RevocationSink for NoStoredCredentials {
    fn revoke(&self, _: Vec<RevocationEvent>) -> LocalBoxFuture<'static, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// A replica verifies tokens from its first request: it is in rotation as soon as it
/// answers /readyz, long before the feed's first poll.
#[actix_web::test]
async fn a_primed_feed_verifies_tokens_before_its_first_poll() {
    let key =
        TokenSigningKey::from_pkcs8("k1", &TokenSigningKey::generate_pkcs8().unwrap()).unwrap();
    let keys = KeySet {
        keys: vec![key.public_key()],
    };
    let server = HttpServer::new(move || {
        let keys = keys.clone();
        App::new()
            .route(
                KEYS_PATH,
                web::get().to(move || {
                    let keys = keys.clone();
                    async move { HttpResponse::Ok().json(keys) }
                }),
            )
            .route(
                REVOCATIONS_PATH,
                web::get().to(|| async {
                    HttpResponse::Ok().json(RevocationPage {
                        events: Vec::new(),
                        last_seq: 0,
                    })
                }),
            )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.shutdown_timeout(0).disable_signals().run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let now = Utc::now();
    let claims = project_claims(
        "dom-id",
        "alice",
        "proj-id",
        &["member"],
        now - chrono::Duration::minutes(1),
        now + chrono::Duration::hours(1),
    );
    let token = key.sign(&claims).unwrap();
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions::default()));
    let feed = IamFeed::new(
        format!("http://{addr}"),
        InternalCredential::new(SecretString::from("internal-secret-for-the-test")),
        verifier.clone(),
        Duration::from_secs(3600),
    )
    .with_sink(Arc::new(NoStoredCredentials));
    // The keys alone, which were all the start used to fetch, leave every token refused.
    verifier.set_keys(vec![key.public_key()]);
    assert_eq!(
        verifier.verify(&token, now).unwrap_err(),
        AuthError::FeedStale
    );

    prime(&feed).await;
    let verified = verifier.verify(&token, Utc::now()).expect("verified");
    assert_eq!(verified.user_id, claims.user_id);
    handle.stop(false).await;
}

/// iam-svc down at start does not stop the start: the feed keeps trying.
#[actix_web::test]
async fn priming_without_iam_svc_returns() {
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions::default()));
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let feed = IamFeed::new(
        format!("http://127.0.0.1:{port}"),
        InternalCredential::new(SecretString::from("internal-secret-for-the-test")),
        verifier.clone(),
        Duration::from_secs(3600),
    );
    prime(&feed).await;
    assert_eq!(verifier.last_seq(), 0);
}
