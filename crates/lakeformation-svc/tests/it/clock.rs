//! Time through the state's clock: a temporary key is refused from its expiry on, when a
//! fixed clock the test moves gets there, with no sleeping.

use chrono::Duration;
use service_kit::auth::wire::SIGNATURE_CHECKS_PATH;
use service_kit::auth::{AuthError, SignatureVerifier, INTERNAL_TOKEN_HEADER};
use service_kit::clock::Clock;

use crate::common::*;

#[actix_web::test]
async fn a_temporary_key_is_refused_once_the_clock_reaches_its_expiry() {
    let clock = Clock::fixed(Clock::system().now());
    let h = Harness::on_clock(clock.clone()).await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;
    let ask = || {
        app.post(SIGNATURE_CHECKS_PATH)
            .json(&good_check(&key))
            .header(INTERNAL_TOKEN_HEADER, INTERNAL_SECRET)
    };
    let lifetime = i64::from(h.state.config.credentials.lifetime_seconds);

    clock.advance(Duration::seconds(lifetime - 1));
    h.temporary().check(good_check(&key)).await.unwrap();
    let body = ask().await.assert_ok().json();
    assert_eq!(body["accepted"]["user_id"], "alice-id", "{body}");

    clock.advance(Duration::seconds(1));
    let refused = h.temporary().check(good_check(&key)).await.unwrap_err();
    assert_eq!(refused, AuthError::SecurityTokenRefused);
    let body = ask().await.assert_ok().json();
    assert_eq!(body["refused"], "security_token_refused", "{body}");
}
