//! `Authenticated<E>` over a real actix app, with a `TokenVerifier` holding real Ed25519
//! keys: who gets in, who is refused, and why.

use std::fmt;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use credential_core::iam_token::{RoleRef, TokenClaims, TokenScope, TokenSigningKey};
use serde_json::{json, Value};
use service_kit::auth::wire::{RevocationEvent, RevocationKind};
use service_kit::auth::{AuthError, Authenticated, TokenVerifier, VerifierOptions};
use service_kit::testing::tokens::{project_claims, verifier_trusting};
use service_kit::testing::{feed_revocation, TestApp};

/// A service's error type, as small as it can be: the refusal reason goes into the body
/// so each test can tell which rule refused.
#[derive(Debug)]
struct TestError(AuthError);

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<AuthError> for TestError {
    fn from(e: AuthError) -> Self {
        TestError(e)
    }
}

impl ResponseError for TestError {
    fn status_code(&self) -> StatusCode {
        if self.0.is_unavailable() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::UNAUTHORIZED
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(json!({ "refused": format!("{:?}", self.0) }))
    }
}

async fn whoami(caller: Authenticated<TestError>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "user_id": caller.user_id,
        "user_name": caller.user_name,
        "domain_id": caller.domain_id,
        "domain_name": caller.domain_name,
        "project": caller.project.as_ref().map(|p| json!({ "id": p.id, "name": p.name })),
        "project_id": caller.project_id(),
        "roles": caller.roles,
        "is_admin": caller.has_role("admin"),
        "token_id": caller.token.as_ref().map(|t| t.token_id.clone()),
    }))
}

/// IAM's signing key (kid `k1`) and a verifier that trusts it and is freshly synced.
struct Fixture {
    key: TokenSigningKey,
    verifier: web::Data<TokenVerifier>,
}

fn signing_key(kid: &str) -> TokenSigningKey {
    TokenSigningKey::from_pkcs8(kid, &TokenSigningKey::generate_pkcs8().expect("pkcs8"))
        .expect("key")
}

impl Fixture {
    fn new() -> Fixture {
        Self::with_options(VerifierOptions::default())
    }

    fn with_options(options: VerifierOptions) -> Fixture {
        let key = signing_key("k1");
        let verifier = verifier_trusting(&key, options, Utc::now());
        Fixture {
            key,
            verifier: web::Data::from(verifier),
        }
    }

    fn token(&self, claims: &TokenClaims) -> String {
        self.key.sign(claims).expect("sign")
    }

    /// An event of the feed with its own number and time, applied now.
    fn revoke(&self, kind: RevocationKind, subject: &str, seq: i64, revoked_at: DateTime<Utc>) {
        let event = RevocationEvent {
            seq,
            kind,
            subject: subject.into(),
            revoked_at,
            relevant_until: Utc::now() + chrono::Duration::hours(2),
        };
        self.verifier.apply_revocations(&[event], Utc::now());
    }
}

/// Claims of `user` (id `<user>-id`) scoped to the project `proj-id` of `dom-id`, with the
/// roles `member` and `readonly`, issued at `issued_at` and valid for an hour.
fn claims(user: &str, issued_at: DateTime<Utc>) -> TokenClaims {
    let expires_at = issued_at + chrono::Duration::hours(1);
    project_claims(
        "dom-id",
        user,
        "proj-id",
        &["member", "readonly"],
        issued_at,
        expires_at,
    )
}

fn fresh_claims(user: &str) -> TokenClaims {
    claims(user, Utc::now() - chrono::Duration::minutes(1))
}

/// An app serving /whoami over `verifier`.
async fn whoami_app(verifier: &web::Data<TokenVerifier>) -> TestApp {
    TestApp::init(
        App::new()
            .app_data(verifier.clone())
            .route("/whoami", web::get().to(whoami)),
    )
    .await
}

/// GET /whoami with the token (if any) through an app over `verifier`.
async fn whoami_with(
    verifier: &web::Data<TokenVerifier>,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let app = whoami_app(verifier).await;
    let call = app.get("/whoami");
    let res = match token {
        Some(t) => call.token(t).await,
        None => call.await,
    };
    (res.status(), res.json())
}

fn refused(reason: &str) -> Value {
    json!({ "refused": reason })
}

#[actix_web::test]
async fn a_valid_token_passes_and_the_handler_sees_the_principal() {
    let f = Fixture::new();
    let c = fresh_claims("alice");
    let (status, body) = whoami_with(&f.verifier, Some(&f.token(&c))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "user_id": "alice-id",
            "user_name": "alice",
            "domain_id": "dom-id",
            "domain_name": "local",
            "project": { "id": "proj-id", "name": "proj-id-name" },
            "project_id": "proj-id",
            "roles": ["member", "readonly"],
            "is_admin": false,
            "token_id": c.token_id,
        })
    );
}

#[actix_web::test]
async fn domain_and_unscoped_tokens_have_no_project() {
    let f = Fixture::new();
    let mut c = fresh_claims("bob");
    c.scope = TokenScope::Domain {
        id: "dom-id".into(),
        name: "acme".into(),
    };
    c.roles = vec![RoleRef {
        id: "r-admin".into(),
        name: "admin".into(),
    }];
    let (status, body) = whoami_with(&f.verifier, Some(&f.token(&c))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"], Value::Null);
    assert_eq!(body["roles"], json!(["admin"]));
    assert_eq!(body["is_admin"], true);

    c.scope = TokenScope::Unscoped;
    c.roles = vec![];
    c.token_id = "another".into();
    let (status, body) = whoami_with(&f.verifier, Some(&f.token(&c))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"], Value::Null);
    assert_eq!(body["roles"], json!([]));
}

#[actix_web::test]
async fn an_expired_token_is_refused() {
    let f = Fixture::new();
    let mut c = claims("alice", Utc::now() - chrono::Duration::hours(2));
    c.expires_at = Utc::now() - chrono::Duration::seconds(1);
    let (status, body) = whoami_with(&f.verifier, Some(&f.token(&c))).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("Expired"))
    );
}

#[actix_web::test]
async fn a_token_issued_in_the_future_is_refused() {
    let f = Fixture::new();
    let c = claims("alice", Utc::now() + chrono::Duration::hours(1));
    let (status, body) = whoami_with(&f.verifier, Some(&f.token(&c))).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("NotYetValid"))
    );
}

#[actix_web::test]
async fn a_tampered_payload_is_refused() {
    let f = Fixture::new();
    let honest = f.token(&fresh_claims("alice"));
    // The attacker's wish list, signed by nobody: alice's signature on an admin payload.
    let mut wish = fresh_claims("alice");
    wish.roles = vec![RoleRef {
        id: "r-admin".into(),
        name: "admin".into(),
    }];
    let wished = f.token(&wish);
    let (wished_signed, _) = wished.rsplit_once('.').expect("dot");
    let (_, honest_sig) = honest.rsplit_once('.').expect("dot");
    let forged = format!("{wished_signed}.{honest_sig}");
    let (status, body) = whoami_with(&f.verifier, Some(&forged)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("BadSignature"))
    );
}

#[actix_web::test]
async fn a_tampered_signature_is_refused() {
    let f = Fixture::new();
    let token = f.token(&fresh_claims("alice"));
    let (signed, sig) = token.rsplit_once('.').expect("dot");
    // Change the first base64url character: still valid base64, different bytes.
    let first = sig.as_bytes()[0];
    let swapped = if first == b'A' { 'B' } else { 'A' };
    let forged = format!("{signed}.{swapped}{}", &sig[1..]);
    let (status, body) = whoami_with(&f.verifier, Some(&forged)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("BadSignature"))
    );

    // A truncated signature is refused too (whatever the reason is called).
    let truncated = format!("{signed}.{}", &sig[..sig.len() / 2]);
    let (status, _) = whoami_with(&f.verifier, Some(&truncated)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
    let f = Fixture::new();
    let impostor = signing_key("k1");
    let token = impostor.sign(&fresh_claims("alice")).expect("sign");
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("BadSignature"))
    );
}

#[actix_web::test]
async fn an_unknown_kid_is_refused_and_asks_for_a_key_refresh() {
    let f = Fixture::new();
    assert!(!f.verifier.wants_key_refresh());
    let rotated = signing_key("k2");
    let token = rotated.sign(&fresh_claims("alice")).expect("sign");
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("UnknownKey"))
    );
    assert!(f.verifier.wants_key_refresh());

    // Once the feed brings the new key, the same token passes and the flag clears.
    f.verifier
        .set_keys(vec![f.key.public_key(), rotated.public_key()]);
    assert!(!f.verifier.wants_key_refresh());
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn malformed_tokens_are_refused() {
    let f = Fixture::new();
    for junk in [
        "garbage",
        "v1.k1.e30",
        "v2.k1.e30.c2ln",
        "v1.bad kid.e30.c2ln",
        "v1.k1.!!!.c2ln",
    ] {
        let (status, body) = whoami_with(&f.verifier, Some(junk)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{junk}: {body}");
    }
    let (status, body) = whoami_with(&f.verifier, Some("garbage")).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("Malformed"))
    );
}

#[actix_web::test]
async fn a_revoked_token_id_is_refused_and_other_tokens_are_not() {
    let f = Fixture::new();
    let c = fresh_claims("alice");
    let token = f.token(&c);
    let other = f.token(&fresh_claims("alice"));
    feed_revocation(&f.verifier, RevocationKind::Token, &c.token_id);
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );
    let (status, body) = whoami_with(&f.verifier, Some(&other)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.verifier.last_seq(), 1);
}

#[actix_web::test]
async fn a_user_revocation_cuts_off_tokens_issued_at_or_before_it() {
    let f = Fixture::new();
    let cutoff = Utc::now() - chrono::Duration::minutes(10);
    let before = f.token(&claims("alice", cutoff - chrono::Duration::seconds(1)));
    let at = f.token(&claims("alice", cutoff));
    let after = f.token(&claims("alice", cutoff + chrono::Duration::seconds(1)));
    let someone_else = f.token(&claims("bob", cutoff - chrono::Duration::seconds(1)));
    f.revoke(RevocationKind::User, "alice-id", 7, cutoff);

    assert_eq!(
        whoami_with(&f.verifier, Some(&before)).await,
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );
    assert_eq!(
        whoami_with(&f.verifier, Some(&at)).await,
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );
    let (status, body) = whoami_with(&f.verifier, Some(&after)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = whoami_with(&f.verifier, Some(&someone_else)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn user_revocations_keep_the_latest_cutoff_whatever_the_order() {
    let f = Fixture::new();
    let early = Utc::now() - chrono::Duration::minutes(20);
    let late = Utc::now() - chrono::Duration::minutes(10);
    let between = f.token(&claims("alice", early + chrono::Duration::minutes(5)));
    // The later event arrives first, the earlier one after it (a late commit): the
    // cut-off must stay at the later instant.
    f.revoke(RevocationKind::User, "alice-id", 9, late);
    f.revoke(RevocationKind::User, "alice-id", 8, early);
    assert_eq!(
        whoami_with(&f.verifier, Some(&between)).await,
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );
    assert_eq!(f.verifier.last_seq(), 9);
}

#[actix_web::test]
async fn a_stale_feed_refuses_everything_as_unavailable() {
    let f = Fixture::with_options(VerifierOptions {
        max_feed_staleness: Duration::from_secs(5),
        ..VerifierOptions::default()
    });
    let token = f.token(&fresh_claims("alice"));
    // Passes while fresh (and is now cached).
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The last successful pull was a minute ago.
    f.verifier
        .apply_revocations(&[], Utc::now() - chrono::Duration::seconds(60));
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(
        (status, body),
        (StatusCode::SERVICE_UNAVAILABLE, refused("FeedStale"))
    );
    let err = f.verifier.verify(&token, Utc::now()).expect_err("stale");
    assert_eq!(err, AuthError::FeedStale);
    assert!(err.is_unavailable());
    // The caller's own mistakes are not "unavailable".
    for e in [
        AuthError::Missing,
        AuthError::Expired,
        AuthError::Revoked,
        AuthError::BadSignature,
    ] {
        assert!(!e.is_unavailable(), "{e:?}");
    }

    // A new pull brings it back.
    f.verifier.apply_revocations(&[], Utc::now());
    let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn a_verifier_that_never_synced_refuses_everything() {
    let key = signing_key("k1");
    let verifier = web::Data::new(TokenVerifier::new(VerifierOptions::default()));
    verifier.set_keys(vec![key.public_key()]);
    let token = key.sign(&fresh_claims("alice")).expect("sign");
    let (status, body) = whoami_with(&verifier, Some(&token)).await;
    assert_eq!(
        (status, body),
        (StatusCode::SERVICE_UNAVAILABLE, refused("FeedStale"))
    );
}

#[actix_web::test]
async fn a_missing_or_blank_header_is_refused() {
    let f = Fixture::new();
    assert_eq!(
        whoami_with(&f.verifier, None).await,
        (StatusCode::UNAUTHORIZED, refused("Missing"))
    );
    assert_eq!(
        whoami_with(&f.verifier, Some("   ")).await,
        (StatusCode::UNAUTHORIZED, refused("Missing"))
    );

    // The token in another header does not count.
    let app = whoami_app(&f.verifier).await;
    let token = f.token(&fresh_claims("alice"));
    let res = app
        .get("/whoami")
        .header("Authorization", format!("Bearer {token}"))
        .await
        .assert_unauthorized();
    assert_eq!(res.json(), refused("Missing"));
}

#[actix_web::test]
async fn without_a_verifier_in_the_app_nobody_gets_in() {
    let f = Fixture::new();
    let app = TestApp::init(App::new().route("/whoami", web::get().to(whoami))).await;
    let res = app
        .get("/whoami")
        .token(&f.token(&fresh_claims("alice")))
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json(), refused("FeedStale"));
}

#[actix_web::test]
async fn a_cached_token_is_refused_once_revoked() {
    let f = Fixture::new();
    let c = fresh_claims("alice");
    let token = f.token(&c);
    for _ in 0..2 {
        let (status, body) = whoami_with(&f.verifier, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    feed_revocation(&f.verifier, RevocationKind::Token, &c.token_id);
    assert_eq!(
        whoami_with(&f.verifier, Some(&token)).await,
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );

    // The same for a user revocation after the token was cached.
    let c = fresh_claims("bob");
    let token = f.token(&c);
    assert_eq!(
        whoami_with(&f.verifier, Some(&token)).await.0,
        StatusCode::OK
    );
    feed_revocation(&f.verifier, RevocationKind::User, "bob-id");
    assert_eq!(
        whoami_with(&f.verifier, Some(&token)).await,
        (StatusCode::UNAUTHORIZED, refused("Revoked"))
    );
}

#[test]
fn a_cached_token_is_refused_once_expired() {
    let f = Fixture::new();
    let c = fresh_claims("alice");
    let token = f.token(&c);
    let now = Utc::now();
    assert_eq!(
        f.verifier.verify(&token, now).expect("valid").token_id,
        c.token_id
    );
    // Cached now; later checks skip the signature but never the expiry. (The feed keeps
    // pulling meanwhile, so freshness is not what refuses it.)
    let just_before = c.expires_at - chrono::Duration::seconds(1);
    f.verifier.apply_revocations(&[], just_before);
    assert_eq!(f.verifier.verify(&token, just_before).map(|_| ()), Ok(()));
    f.verifier.apply_revocations(&[], c.expires_at);
    assert_eq!(
        f.verifier.verify(&token, c.expires_at).map(|_| ()),
        Err(AuthError::Expired)
    );
    let much_later = c.expires_at + chrono::Duration::hours(1);
    f.verifier.apply_revocations(&[], much_later);
    assert_eq!(
        f.verifier.verify(&token, much_later).map(|_| ()),
        Err(AuthError::Expired)
    );
}

#[test]
fn revocations_outlive_nothing_but_their_relevance() {
    let f = Fixture::new();
    let c = fresh_claims("alice");
    let token = f.token(&c);
    let now = Utc::now();
    f.verifier.apply_revocations(
        &[RevocationEvent {
            seq: 3,
            kind: RevocationKind::Token,
            subject: c.token_id.clone(),
            revoked_at: now,
            relevant_until: c.expires_at,
        }],
        now,
    );
    // Applying the same event again, and an empty page later, changes nothing.
    f.verifier
        .apply_revocations(&[], now + chrono::Duration::seconds(1));
    assert_eq!(
        f.verifier
            .verify(&token, now + chrono::Duration::seconds(1))
            .map(|_| ()),
        Err(AuthError::Revoked)
    );
    assert_eq!(f.verifier.last_seq(), 3);
}

/// A token signed with a key IAM has withdrawn (rotated out, or compromised) is refused
/// even if it was verified, and cached, before the withdrawal.
#[test]
fn a_withdrawn_key_no_longer_verifies_cached_tokens() {
    let f = Fixture::new();
    let token = f.token(&fresh_claims("alice"));
    assert!(f.verifier.verify(&token, Utc::now()).is_ok());
    let next = signing_key("k2");
    f.verifier.set_keys(vec![next.public_key()]);
    assert_eq!(
        f.verifier.verify(&token, Utc::now()).map(|_| ()),
        Err(AuthError::UnknownKey)
    );
}
