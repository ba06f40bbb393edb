//! Time through the state's clock: temporary credentials expire, stop logging in and
//! give their quota back when a fixed clock the test moves passes their lifetime.

use chrono::Duration;
use service_kit::clock::Clock;

use crate::common::*;

/// A harness on a clock standing at the present, which only the test moves.
fn stopped(max_per_user: u32) -> (Harness, Clock) {
    let clock = Clock::fixed(Clock::system().now());
    let mut config = test_config();
    config.credentials.max_per_user_per_instance = max_per_user;
    (Harness::on_clock(config, clock.clone()), clock)
}

/// Move the clock past a temporary credential's lifetime; the revocation feed is read
/// again, as a running service does.
fn outlive_temporary_credentials(h: &Harness, clock: &Clock) {
    let lifetime = h.state.config.credentials.temporary_lifetime_seconds;
    clock.advance(Duration::seconds(i64::from(lifetime) + 1));
    h.state.verifier.apply_revocations(&[], clock.now());
}

#[actix_web::test]
async fn an_expired_temporary_credential_gives_its_quota_back() {
    let (h, clock) = stopped(1);
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/temp-credential");
    let create = |token: &str| app.post(&uri).token(token);

    create(&alice).await.assert_created();
    let (status, body, _) = create(&alice).await.parts();
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");

    clock.advance(Duration::seconds(1));
    let (status, body, _) = create(&alice).await.parts();
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");

    outlive_temporary_credentials(&h, &clock);
    let alice = h.token("alice", PROJECT, &["member"]);
    create(&alice).await.assert_created();
}

#[actix_web::test]
async fn a_temporary_credential_stops_logging_in_when_it_expires() {
    let (h, clock) = stopped(20);
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/temp-credential");
    let body = app.post(&uri).token(&alice).await.assert_created().json();
    let user = body["user_id"].as_str().unwrap().to_string();
    let password = body["auth_token"].as_str().unwrap().to_string();
    let login = || token_request(&app, &format!("service={SERVICE}"), &user, &password);

    clock.advance(Duration::seconds(60));
    login().await.assert_ok();

    outlive_temporary_credentials(&h, &clock);
    login().await.assert_unauthorized();
}
