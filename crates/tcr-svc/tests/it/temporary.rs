//! Temporary keys are weaker than whoever they were issued to: they never create a
//! `longterm` token nor enable one again, and a `temp` token they create dies with them.

use chrono::SubsecRound;
use diesel::prelude::*;
use tcr_svc::schema::instance_tokens;

use crate::common::*;

fn tokens_of(h: &Harness, user: &str) -> Vec<(String, chrono::NaiveDateTime)> {
    let mut conn = h.db.pool.get().unwrap();
    instance_tokens::table
        .filter(instance_tokens::user_id.eq(user))
        .select((instance_tokens::kind, instance_tokens::expires_at))
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn a_temporary_key_creates_no_longterm_token() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "temp-reg").await;
    let body = format!(r#"{{"RegistryId": "{reg}", "TokenType": "longterm", "Desc": "ci"}}"#);
    let r = act(&app, &ALICE_TEMP, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
    assert!(!r["Error"]["Message"].as_str().unwrap().is_empty());
    assert!(r.get("Token").is_none(), "{r}");
    assert_eq!(tokens_of(&h, ALICE.user), vec![]);
    // The same holder's permanent key may.
    let r = act(&app, &ALICE, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
}

#[actix_web::test]
async fn a_temporary_keys_temp_token_expires_with_the_key() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "temp-exp-reg").await;
    let body = format!(r#"{{"RegistryId": "{reg}"}}"#);
    // The configured hour is longer than the key has left: the key's expiry wins.
    let r = act(&app, &ALICE_TEMP, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let key_expiry = h.temporary.expires_at;
    assert_eq!(
        r["ExpTime"].as_i64().unwrap(),
        key_expiry.timestamp_millis()
    );
    let stored = tokens_of(&h, ALICE.user);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, key_expiry.naive_utc().trunc_subsecs(6));
}

#[actix_web::test]
async fn a_short_temp_token_keeps_its_own_lifetime() {
    let mut config = test_config();
    config.tokens.temp_lifetime_seconds = 60;
    let start = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
    let h = Harness::with_clock(config, service_kit::clock::Clock::fixed(start));
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "temp-short-reg").await;
    let body = format!(r#"{{"RegistryId": "{reg}"}}"#);
    let r = act(&app, &ALICE_TEMP, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let exp = r["ExpTime"].as_i64().unwrap();
    assert_eq!(exp, start.timestamp_millis() + 60_000);
}

#[actix_web::test]
async fn a_temporary_key_does_not_enable_a_longterm_token_again() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "temp-enable-reg").await;
    let body = format!(r#"{{"RegistryId": "{reg}", "TokenType": "longterm"}}"#);
    let r = act(&app, &ALICE, "CreateInstanceToken", &body).await;
    let id = r["TokenId"].as_str().unwrap();
    let set = |on: bool| {
        format!(r#"{{"RegistryId": "{reg}", "TokenId": "{id}", "ModifyFlag": 2, "Enable": {on}}}"#)
    };
    let r = act(&app, &ALICE_TEMP, "ModifyInstanceToken", &set(false)).await;
    assert_eq!(code(&r), "", "disabling is always allowed: {r}");
    let r = act(&app, &ALICE_TEMP, "ModifyInstanceToken", &set(true)).await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
    let mut conn = h.db.pool.get().unwrap();
    let enabled: bool = instance_tokens::table
        .find(id)
        .select(instance_tokens::enabled)
        .first(&mut conn)
        .unwrap();
    assert!(!enabled);
}

#[actix_web::test]
async fn a_session_policy_refuses_what_the_role_allows_and_deny_wins() {
    use credential_core::session_policy::SessionPolicy;
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "policy-reg").await;
    let policy = SessionPolicy::parse(
        &serde_json::json!({ "Version": "1.1", "Statement": [
            { "Effect": "Allow", "Action": ["tcr:*"] },
            { "Effect": "Deny", "Action": ["tcr:CreateInstanceToken"] }
        ] }),
        service_kit::policy::ACTIONS,
    )
    .unwrap();
    h.set_session_policy(Some(policy));
    let body = format!(r#"{{"RegistryId": "{reg}", "TokenType": "temp"}}"#);
    let r = act(&app, &ALICE_TEMP, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
    assert_eq!(tokens_of(&h, ALICE.user), vec![]);
    // Allowed by the policy and the role.
    let r = act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await;
    assert_eq!(code(&r), "", "{r}");
    // Without the policy the same key may.
    h.set_session_policy(None);
    let r = act(&app, &ALICE_TEMP, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
}
