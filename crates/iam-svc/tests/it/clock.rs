//! Time through the state's clock: a token's expiry and the revocation feed's freshness
//! follow a fixed clock the test moves, with no sleeping.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use actix_web::web;
use chrono::{DateTime, Duration};
use credential_core::seal::{Keyring, SealingKey};
use credential_core::SecretString;
use iam_svc::bootstrap::{self, AdminPassword};
use iam_svc::state::{AppState, Keys};
use serde_json::Value;
use service_kit::auth::InternalCredential;
use service_kit::clock::Clock;
use service_kit::testing::TestDatabase;

use crate::common::*;

/// A bootstrapped database and state reading `clock`.
async fn state_on(clock: &Clock) -> (TestDatabase, web::Data<AppState>) {
    let db = TestDatabase::new(&iam_svc::MIGRATIONS);
    let config = test_config();
    let mut conn = db.pool.get().expect("conn");
    let wanted = AdminPassword::Ensure(SecretString::from(ADMIN_PASSWORD));
    bootstrap::run(&mut conn, &config, wanted, clock.stored_now()).expect("bootstrap");
    drop(conn);
    let keys = Keys {
        signing: signing_keys("clock-test"),
        master: Keyring::new(SealingKey::generate("m").expect("key"), Vec::new()).expect("ring"),
        internal: InternalCredential::new(SecretString::from(INTERNAL_SECRET)),
    };
    let state = AppState::with_clock(config, db.pool.clone(), keys, clock.clone());
    state.sync_revocations().await.expect("sync");
    (db, web::Data::new(state))
}

#[actix_web::test]
async fn a_token_expires_when_the_clock_passes_its_lifetime() {
    let clock = Clock::fixed(DateTime::from_timestamp(1_900_000_000, 0).expect("time"));
    let (_db, state) = state_on(&clock).await;
    let app = app_over(state.clone()).await;
    let token = login(
        &app,
        bootstrap::DOMAIN,
        bootstrap::USER,
        ADMIN_PASSWORD,
        Value::Null,
    )
    .await;
    let projects = || with_token(TestRequest::get().uri("/v3/auth/projects"), &token);

    // The default lifetime is 24 hours; the feed is read again as a running service does.
    clock.advance(Duration::hours(24) - Duration::seconds(1));
    state.sync_revocations().await.expect("sync");
    assert_eq!(call(&app, projects()).await.0, StatusCode::OK);

    clock.advance(Duration::seconds(1));
    state.sync_revocations().await.expect("sync");
    let (status, body, _) = call(&app, projects()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[actix_web::test]
async fn every_token_is_refused_once_the_feed_is_stale_by_the_clock() {
    let clock = Clock::fixed(DateTime::from_timestamp(1_900_000_000, 0).expect("time"));
    let (_db, state) = state_on(&clock).await;
    let app = app_over(state.clone()).await;
    let token = login(
        &app,
        bootstrap::DOMAIN,
        bootstrap::USER,
        ADMIN_PASSWORD,
        Value::Null,
    )
    .await;
    let projects = || with_token(TestRequest::get().uri("/v3/auth/projects"), &token);
    let staleness = state.config.revocation.max_staleness_seconds;
    let staleness = i64::try_from(staleness).expect("seconds");

    clock.advance(Duration::seconds(staleness));
    assert_eq!(call(&app, projects()).await.0, StatusCode::OK);
    clock.advance(Duration::seconds(1));
    assert_ne!(call(&app, projects()).await.0, StatusCode::OK);
    state.sync_revocations().await.expect("sync");
    assert_eq!(call(&app, projects()).await.0, StatusCode::OK);
}
