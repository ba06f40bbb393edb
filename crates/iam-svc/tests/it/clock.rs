//! Time through the state's clock: a token's expiry and the revocation feed's freshness
//! follow a fixed clock the test moves, and so does the login budget, with no sleeping.

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration};
use iam_svc::bootstrap;
use serde_json::Value;
use service_kit::clock::Clock;

use crate::common::*;

/// A harness on a fixed clock, and the admin's unscoped token.
async fn on_fixed_clock() -> (Clock, Harness, String) {
    let clock = Clock::fixed(DateTime::from_timestamp(1_900_000_000, 0).expect("time"));
    let h = Harness::on_clock(&clock).await;
    let token = h
        .app
        .login(
            bootstrap::DOMAIN,
            bootstrap::USER,
            ADMIN_PASSWORD,
            Value::Null,
        )
        .await;
    (clock, h, token)
}

#[actix_web::test]
async fn a_token_expires_when_the_clock_passes_its_lifetime() {
    let (clock, h, token) = on_fixed_clock().await;
    let projects = || h.app.get("/v3/auth/projects").token(&token);

    // The default lifetime is 24 hours; the feed is read again as a running service does.
    clock.advance(Duration::hours(24) - Duration::seconds(1));
    h.state.sync_revocations().await.expect("sync");
    projects().await.assert_ok();

    clock.advance(Duration::seconds(1));
    h.state.sync_revocations().await.expect("sync");
    projects().await.assert_unauthorized();
}

#[actix_web::test]
async fn every_token_is_refused_once_the_feed_is_stale_by_the_clock() {
    let (clock, h, token) = on_fixed_clock().await;
    let projects = || h.app.get("/v3/auth/projects").token(&token);
    let staleness = h.state.config.revocation.max_staleness_seconds;
    let staleness = i64::try_from(staleness).expect("seconds");

    clock.advance(Duration::seconds(staleness));
    projects().await.assert_ok();
    clock.advance(Duration::seconds(1));
    assert_ne!(projects().await.status(), StatusCode::OK);
    h.state.sync_revocations().await.expect("sync");
    projects().await.assert_ok();
}

#[actix_web::test]
async fn a_users_login_budget_comes_back_when_the_window_has_passed() {
    let (clock, h, _) = on_fixed_clock().await;
    let attempt = |password: &str| {
        let body = password_body(bootstrap::DOMAIN, bootstrap::USER, password, Value::Null);
        h.app.post("/v3/auth/tokens").json(&body)
    };
    let limits = &h.state.config.login_limits;
    for _ in 0..limits.max_failures_per_user {
        assert_eq!(
            attempt("Wr0ng-Passw0rd!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(ADMIN_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let window = i64::try_from(limits.window_seconds).expect("seconds");
    clock.advance(Duration::seconds(window - 1));
    h.state.sync_revocations().await.expect("sync");
    assert_eq!(
        attempt(ADMIN_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    clock.advance(Duration::seconds(1));
    h.state.sync_revocations().await.expect("sync");
    assert_eq!(attempt(ADMIN_PASSWORD).await.status(), StatusCode::CREATED);
}
