//! Temporary keys (lakeformation-svc's AK/SK + security token) are weaker than whoever
//! they were issued to: they may not mint long-term credentials, and a temporary
//! credential they create dies no later than the key.

use diesel::prelude::*;
use serde_json::json;
use swr_svc::schema::credentials;

use crate::common::*;

/// `(kind, expires_at)` of every stored credential.
fn stored(h: &Harness) -> Vec<(String, chrono::NaiveDateTime)> {
    let mut conn = h.db.pool.get().unwrap();
    credentials::table
        .select((credentials::kind, credentials::expires_at))
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn a_temporary_key_cannot_create_a_long_term_credential() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/long-term-credential");
    let body = json!({ "name": "ci" });
    for roles in [&["member"][..], &["admin"][..]] {
        let key = h.temporary_key("carol", PROJECT, roles, key_lifetime(900));
        let (status, answer, _) = signed(&app, &key, "POST", &uri, Some(&body)).await.parts();
        assert_swr_error(status, &answer, 403, "SVCSTG.SWR.4039002");
        assert_eq!(stored(&h), []);
    }
    // The user's permanent key may.
    let key = h.permanent_key("carol", PROJECT, &["member"]);
    signed(&app, &key, "POST", &uri, Some(&body))
        .await
        .assert_created();
}

#[actix_web::test]
async fn a_temporary_credential_dies_no_later_than_the_key_that_made_it() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/temp-credential");
    // The key has 10 minutes left; temporary credentials last an hour.
    let lifetime = key_lifetime(600);
    let key = h.temporary_key("carol", PROJECT, &["member"], lifetime.clone());
    let answer = signed(&app, &key, "POST", &uri, None)
        .await
        .assert_created()
        .json();
    let expire =
        chrono::DateTime::parse_from_rfc3339(answer["expire_date"].as_str().unwrap()).unwrap();
    assert!(expire <= lifetime.expires_at, "{expire} after the key");
    let rows = stored(&h);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1 <= lifetime.expires_at.naive_utc(), "{rows:?}");
    assert!(
        rows[0].1 >= lifetime.expires_at.naive_utc() - chrono::Duration::seconds(1),
        "{rows:?}"
    );
    // A key that outlives the credential's own lifetime does not stretch it.
    let key = h.temporary_key("dave", PROJECT, &["member"], key_lifetime(86_400));
    let answer = signed(&app, &key, "POST", &uri, None)
        .await
        .assert_created()
        .json();
    let created =
        chrono::DateTime::parse_from_rfc3339(answer["created_at"].as_str().unwrap()).unwrap();
    let expire =
        chrono::DateTime::parse_from_rfc3339(answer["expire_date"].as_str().unwrap()).unwrap();
    assert_eq!((expire - created).num_seconds(), 3600);
}

#[actix_web::test]
async fn a_session_policy_refuses_what_the_role_allows_and_deny_wins() {
    use credential_core::session_policy::SessionPolicy;
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let policy = SessionPolicy::parse(
        &json!({ "Version": "1.1", "Statement": [
            { "Effect": "Allow", "Action": ["swr:instance:*"] },
            { "Effect": "Deny", "Action": ["swr:instance:createTemp*"] }
        ] }),
        service_kit::policy::ACTIONS,
    )
    .unwrap();
    let mut lifetime = key_lifetime(900);
    lifetime.policy = Some(policy);
    let key = h.temporary_key("carol", PROJECT, &["member"], lifetime);
    let temp = format!("/v2/{PROJECT}/instances/{instance}/temp-credential");
    let (status, answer, _) = signed(&app, &key, "POST", &temp, None).await.parts();
    assert_swr_error(status, &answer, 403, "SVCSTG.SWR.4039002");
    assert_eq!(stored(&h), []);
    // Allowed by the policy and the role.
    signed(
        &app,
        &key,
        "GET",
        &format!("/v2/{PROJECT}/instances/{instance}"),
        None,
    )
    .await
    .assert_ok();
    // A key without the policy may create it.
    let plain = h.temporary_key("carol", PROJECT, &["member"], key_lifetime(900));
    signed(&app, &plain, "POST", &temp, None)
        .await
        .assert_created();
}
