//! The issuer's frame against a real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`): the keys are judged at the clock's time, a refusal leaves no trace
//! in the replay memory, an accepted signature is accepted once and given back, and the
//! verdict tells a refusal from an issuer that cannot judge.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration};
use diesel_migrations::embed_migrations;

use super::*;
use crate::auth::wire::{Replay, SignatureAlgorithm};
use crate::db::{connect_pool, Backend, Migrations, PoolOptions};
use crate::testing::TestDatabase;

/// Only the table the replay memory writes to, as each issuing service creates it.
const TABLES: Migrations = Migrations {
    sqlite: embed_migrations!("src/auth/issuer/tables"),
    postgres: embed_migrations!("src/auth/issuer/tables"),
};

const GOOD_MAC: &str = "good-mac";

/// Keys that accept one MAC, refuse others, or find their store out of reach, and
/// remember the time each check was judged at.
#[derive(Clone, Default)]
struct FakeKeys {
    unavailable: bool,
    /// How long the store takes to answer (a hung server when long).
    stall: Option<std::time::Duration>,
    judged_at: Arc<Mutex<Vec<DateTime<Utc>>>>,
}

impl IssuedKeys for FakeKeys {
    fn check_blocking(
        &self,
        _conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        self.judged_at.lock().unwrap().push(now);
        if let Some(stall) = self.stall {
            std::thread::sleep(stall);
        }
        if self.unavailable {
            return Err(AuthError::IssuerUnavailable("store down".into()));
        }
        if check.signature != GOOD_MAC {
            return Err(AuthError::SignatureMismatch);
        }
        if check.project_id.is_some() {
            return Err(AuthError::ScopeRefused);
        }
        Ok(Principal {
            user_id: "u1".into(),
            user_name: "alice".into(),
            domain_id: "d1".into(),
            domain_name: "acme".into(),
            project: None,
            roles: Vec::new(),
            access_key: Some(check.access.clone()),
            temporary: None,
            token: None,
        })
    }
}

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn verifier(db: &TestDatabase, keys: FakeKeys) -> (IssuerVerifier<FakeKeys>, Clock) {
    let clock = Clock::fixed(start());
    let verifier = IssuerVerifier::new(db.pool.clone(), keys).with_clock(clock.clone());
    (verifier, clock)
}

fn check(signature: &str, replay: Replay) -> SignatureCheck {
    SignatureCheck {
        algorithm: SignatureAlgorithm::SdkHmacSha256,
        access: "AKTEST00000000000001".into(),
        string_to_sign: "SDK-HMAC-SHA256\n20240101T000000Z\nabc".into(),
        signature: signature.into(),
        tc3_date: None,
        tc3_service: None,
        project_id: None,
        domain_id: None,
        own_domain: false,
        security_token: None,
        replay,
    }
}

fn release(check: &SignatureCheck) -> SignatureRelease {
    SignatureRelease {
        access: check.access.clone(),
        signature: check.signature.clone(),
        temporary: false,
    }
}

#[actix_web::test]
async fn keys_are_judged_at_the_clocks_time() {
    let db = TestDatabase::new(&TABLES);
    let keys = FakeKeys::default();
    let (verifier, clock) = verifier(&db, keys.clone());
    let principal = verifier.check(check(GOOD_MAC, Replay::Once)).await.unwrap();
    assert_eq!(principal.user_name, "alice");
    clock.advance(Duration::hours(1));
    verifier.check(check(GOOD_MAC, Replay::Read)).await.unwrap();
    let judged = keys.judged_at.lock().unwrap().clone();
    assert_eq!(judged, vec![start(), start() + Duration::hours(1)]);
}

#[actix_web::test]
async fn a_signature_is_accepted_once_and_given_back_after_a_failure() {
    let db = TestDatabase::new(&TABLES);
    let (verifier, clock) = verifier(&db, FakeKeys::default());
    let once = check(GOOD_MAC, Replay::Once);
    verifier.check(once.clone()).await.unwrap();
    clock.advance(Duration::minutes(1));
    assert_eq!(
        verifier.check(once.clone()).await.unwrap_err(),
        AuthError::SignatureReplayed
    );
    verifier.release(release(&once)).await.unwrap();
    verifier.check(once).await.unwrap();
}

#[actix_web::test]
async fn a_refused_check_leaves_no_trace() {
    let db = TestDatabase::new(&TABLES);
    let (verifier, clock) = verifier(&db, FakeKeys::default());
    // The same key and MAC as the good check below, refused for its scope.
    let mut scoped = check(GOOD_MAC, Replay::Once);
    scoped.project_id = Some("p1".into());
    for _ in 0..2 {
        let refused = verifier.check(scoped.clone()).await.unwrap_err();
        assert_eq!(refused, AuthError::ScopeRefused);
        clock.advance(Duration::minutes(1));
    }
    // Had the refused checks been remembered, this one would be taken for their replay.
    verifier.check(check(GOOD_MAC, Replay::Once)).await.unwrap();
}

#[actix_web::test]
async fn the_verdict_relays_refusals_but_not_an_issuer_that_cannot_judge() {
    let db = TestDatabase::new(&TABLES);
    let (verifier, _) = verifier(&db, FakeKeys::default());
    match verifier.verdict(check(GOOD_MAC, Replay::Once)).await {
        Ok(SignatureVerdict::Accepted(p)) => assert_eq!(p.user_id, "u1"),
        other => panic!("expected acceptance, got {other:?}"),
    }
    match verifier.verdict(check("bad-mac", Replay::Once)).await {
        Ok(SignatureVerdict::Refused(refusal)) => {
            assert_eq!(
                Some(refusal),
                Refusal::from_auth_error(&AuthError::SignatureMismatch)
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let down = FakeKeys {
        unavailable: true,
        ..FakeKeys::default()
    };
    let (verifier, _) = self::verifier(&db, down);
    assert!(matches!(
        verifier.verdict(check(GOOD_MAC, Replay::Once)).await,
        Err(AuthError::IssuerUnavailable(_))
    ));
}

/// A store that stops answering (a hung server, a network that holds every byte) keeps a
/// check on PostgreSQL no longer than the pool's call deadline, the longer of the acquire
/// and statement timeouts, and the verdict is "cannot judge", never a refusal. SQLite has
/// no such deadline (its waits end with its busy timeout): there the slow answer comes.
#[actix_web::test]
async fn a_store_that_stops_answering_holds_a_check_no_longer_than_the_call_deadline() {
    let db = TestDatabase::new(&TABLES);
    let stall = std::time::Duration::from_millis(2500);
    let keys = FakeKeys {
        stall: Some(stall),
        ..FakeKeys::default()
    };
    let pool = match db.backend {
        Backend::Postgres => connect_pool(&PoolOptions {
            url: db.url.clone(),
            pool_size: 2,
            busy_timeout_ms: 1000,
            sqlite_synchronous: "NORMAL".into(),
            // Long enough to open the pool's first connection on a busy machine; the
            // deadline is the longer of the two, 1 s.
            acquire_timeout_ms: 1000,
            statement_timeout_ms: 200,
        })
        .unwrap(),
        Backend::Sqlite => db.pool.clone(),
    };
    let verifier = IssuerVerifier::new(pool, keys).with_clock(Clock::fixed(start()));
    let started = std::time::Instant::now();
    let verdict = verifier.verdict(check(GOOD_MAC, Replay::Once)).await;
    let waited = started.elapsed();
    match db.backend {
        Backend::Postgres => {
            assert!(waited < stall, "the check waited {waited:?}: {verdict:?}");
            assert!(
                matches!(verdict, Err(AuthError::IssuerUnavailable(_))),
                "{verdict:?}"
            );
        }
        Backend::Sqlite => {
            assert!(waited >= stall, "the check waited {waited:?}");
            assert!(matches!(verdict, Ok(SignatureVerdict::Accepted(_))));
        }
    }
}

/// Tencent's v1 nonce: a second use is refused at once (no same-second grace), whatever
/// the MAC, and giving back the signature does not give back the nonce.
#[actix_web::test]
async fn a_nonce_is_used_once_without_grace() {
    let db = TestDatabase::new(&TABLES);
    let (verifier, clock) = verifier(&db, FakeKeys::default());
    let nonce = |n: &str| check(GOOD_MAC, Replay::Unique(n.into()));
    verifier.check(nonce("42/1700000000")).await.unwrap();
    assert_eq!(
        verifier.check(nonce("42/1700000000")).await.unwrap_err(),
        AuthError::SignatureReplayed,
        "within the same second"
    );
    verifier
        .release(release(&nonce("42/1700000000")))
        .await
        .unwrap();
    clock.advance(Duration::minutes(5));
    assert_eq!(
        verifier.check(nonce("42/1700000000")).await.unwrap_err(),
        AuthError::SignatureReplayed
    );
    // Another nonce, or the same nonce at another time, is another request.
    verifier.check(nonce("43/1700000000")).await.unwrap();
    verifier.check(nonce("42/1700000001")).await.unwrap();
    // A nonce and a signature never share a record: the MAC used as a nonce is new.
    verifier.check(nonce(GOOD_MAC)).await.unwrap();
}

/// Two replicas of an issuer on one database, eight copies of one v1 request at once:
/// exactly one is accepted, the database's unique key deciding.
#[actix_web::test]
async fn a_nonce_is_used_once_across_replicas_at_once() {
    let db = TestDatabase::new(&TABLES);
    let (first, _) = verifier(&db, FakeKeys::default());
    let (second, _) = verifier(&db, FakeKeys::default());
    let replicas = [first, second];
    let checks = (0..8)
        .map(|i| replicas[i % 2].check(check(GOOD_MAC, Replay::Unique("7/1700000000".into()))));
    let outcomes = futures_util::future::join_all(checks).await;
    let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .filter_map(|o| o.as_ref().err())
        .all(|e| *e == AuthError::SignatureReplayed));
}
