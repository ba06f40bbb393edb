//! Password hashing is work an attacker can ask for: it happens only after the caller is
//! authorized, and a user without a password costs no hash at all.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use iam_svc::schema::users;
use serde_json::{json, Value};

use crate::common::*;

/// Enough PBKDF2 rounds that one hash takes seconds.
const SLOW_ROUNDS: u32 = 20_000_000;

#[actix_web::test]
async fn a_readonly_users_create_and_patch_are_refused_before_any_hash() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let reader = app
        .project_member(&admin, "reader", &h.boot.project_id)
        .await;
    let mut slow = test_config();
    slow.passwords.pbkdf2_iterations = SLOW_ROUNDS;
    let slow_app = iam_app(h.replica_with(slow).await).await;
    let requests = [
        slow_app
            .post("/v3/users")
            .json(&json!({ "user": { "name": "intruder", "password": "Str0ng-Passw0rd!" } })),
        slow_app
            .patch(&format!("/v3/users/{}", h.boot.user_id))
            .json(&json!({ "user": { "password": "Str0ng-Passw0rd!" } })),
    ];
    for req in requests {
        let started = Instant::now();
        let (status, body, _) = req.token(&reader.token).await.parts();
        let took = started.elapsed();
        assert_keystone_error(status, &body, 403, MSG_FORBIDDEN);
        assert!(took < Duration::from_secs(2), "refused after {took:?}");
    }
    let mut conn = h.db.pool.get().expect("conn");
    let n: i64 = users::table
        .filter(users::name.eq("intruder"))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(n, 0);
}

#[actix_web::test]
async fn a_user_created_without_a_password_stores_a_marker_and_never_logs_in() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let mut slow = test_config();
    slow.passwords.pbkdf2_iterations = SLOW_ROUNDS;
    let slow_app = iam_app(h.replica_with(slow).await).await;
    let started = Instant::now();
    let body = slow_app
        .post("/v3/users")
        .token(&admin)
        .json(&json!({ "user": { "name": "nopass" } }))
        .await
        .assert_created()
        .json();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "created after {took:?}");
    let id = body["user"]["id"].as_str().expect("id").to_string();

    let mut conn = h.db.pool.get().expect("conn");
    let stored: String = users::table
        .find(&id)
        .select(users::password_hash)
        .first(&mut conn)
        .expect("user");
    assert_eq!(stored, iam_svc::passwords::NO_PASSWORD);

    for guess in [stored.as_str(), "", "Str0ng-Passw0rd!", USER_PASSWORD] {
        let (status, body, headers) = app
            .post("/v3/auth/tokens")
            .json(&password_body(
                iam_svc::bootstrap::DOMAIN,
                "nopass",
                guess,
                Value::Null,
            ))
            .await
            .parts();
        assert_keystone_error(status, &body, 401, MSG_LOGIN_FAILED);
        assert!(headers.get("x-subject-token").is_none());
    }
}
