//! The failed-login limit holds against concurrent guesses, across replicas sharing the
//! database, and counts per user whatever spelling names them.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use service_kit::testing::TestResponse;

use crate::common::*;

const WRONG: &str = "Wr0ng-Passw0rd!";
const MSG_TOO_MANY: &str = "Too many failed login attempts; try again later.";

fn login_req(body: Value) -> TestRequest {
    TestRequest::post().uri("/v3/auth/tokens").set_json(body)
}

fn by_id(id: &str, password: &str) -> Value {
    json!({ "auth": { "identity": { "methods": ["password"],
        "password": { "user": { "id": id, "password": password } } } } })
}

fn by_domain_id(domain_id: &str, name: &str, password: &str) -> Value {
    json!({ "auth": { "identity": { "methods": ["password"],
        "password": { "user": { "domain": { "id": domain_id }, "name": name, "password": password } } } } })
}

fn counts(results: &[(StatusCode, Value, actix_web::http::header::HeaderMap)]) -> (usize, usize) {
    let n = |code: u16| results.iter().filter(|r| r.0.as_u16() == code).count();
    (n(401), n(429))
}

#[actix_web::test]
async fn thirty_concurrent_wrong_passwords_check_at_most_the_limit() {
    let h = Harness::shared().await;
    let app = h.app.clone();
    let results = join_all((0..30).map(|_| {
        app.call(login_req(password_body(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            WRONG,
            Value::Null,
        )))
    }))
    .await;
    let results: Vec<_> = results.into_iter().map(TestResponse::parts).collect();
    assert_eq!(counts(&results), (5, 25), "{results:?}");
    for (status, body, _) in results.iter().filter(|r| r.0.as_u16() == 429) {
        assert_keystone_error(*status, body, 429, MSG_TOO_MANY);
    }
    // The budget lives in the database, under the resolved user; refused attempts are
    // not counted.
    let mut conn = h.db.pool.get().expect("conn");
    use iam_svc::schema::login_limits;
    let attempts: i32 = login_limits::table
        .find(format!("u:{}", h.boot.user_id))
        .select(login_limits::attempts)
        .first(&mut conn)
        .expect("row");
    assert_eq!(attempts, 5);
}

#[actix_web::test]
async fn every_spelling_of_a_user_draws_on_one_budget() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let spellings = [
        by_id(&h.boot.user_id, WRONG),
        password_body(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            WRONG,
            Value::Null,
        ),
        by_domain_id(&h.boot.domain_id, iam_svc::bootstrap::USER, WRONG),
        by_id(&h.boot.user_id, WRONG),
        by_domain_id(&h.boot.domain_id, iam_svc::bootstrap::USER, WRONG),
    ];
    for body in spellings {
        app.call(login_req(body))
            .await
            .assert_keystone_error(401, MSG_LOGIN_FAILED);
    }
    let (status, body, headers) = app
        .call(login_req(by_id(&h.boot.user_id, ADMIN_PASSWORD)))
        .await
        .parts();
    assert_keystone_error(status, &body, 429, MSG_TOO_MANY);
    assert!(headers.get("x-subject-token").is_none());
}

#[actix_web::test]
async fn replicas_sharing_the_database_share_the_budget() {
    let h = Harness::shared().await;
    let a = h.app.clone();
    let b = iam_app(h.replica().await).await;
    let wrong = || {
        login_req(password_body(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            WRONG,
            Value::Null,
        ))
    };
    for i in 0..5 {
        let (status, _, _) = if i % 2 == 0 {
            a.call(wrong()).await.parts()
        } else {
            b.call(wrong()).await.parts()
        };
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for app_is_a in [true, false] {
        let right = login_req(admin_login_body(Value::Null));
        let (status, body, _) = if app_is_a {
            a.call(right).await.parts()
        } else {
            b.call(right).await.parts()
        };
        assert_keystone_error(status, &body, 429, MSG_TOO_MANY);
    }
}

#[actix_web::test]
async fn wrong_originals_in_a_password_change_share_the_login_budget() {
    let (h, app, admin) = Harness::with_admin().await;
    for _ in 0..3 {
        app.call(login_req(by_id(&h.boot.user_id, WRONG)))
            .await
            .assert_unauthorized();
    }
    let change = |original: &str| {
        with_token(
            TestRequest::post().uri(&format!("/v3/users/{}/password", h.boot.user_id)),
            &admin,
        )
        .set_json(json!({ "user": { "original_password": original, "password": "N3w-Passw0rd!" } }))
    };
    for _ in 0..2 {
        app.call(change(WRONG))
            .await
            .assert_keystone_error(401, MSG_LOGIN_FAILED);
    }
    app.call(change(ADMIN_PASSWORD))
        .await
        .assert_keystone_error(429, MSG_TOO_MANY);
}

#[actix_web::test]
async fn correct_logins_do_not_use_up_the_address_budget() {
    let mut config = test_config();
    config.login_limits.max_failures_per_address = 3;
    let h = Harness::with_config(config).await;
    let app = h.app.clone();
    for _ in 0..6 {
        app.login(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            ADMIN_PASSWORD,
            Value::Null,
        )
        .await;
    }
}

/// Right passwords clear the user's count while others are being checked: on PostgreSQL
/// a count whose row was just deleted by such a clear must make the row again, not fail.
/// (Fewer at once than the limit: every attempt in flight is counted until it is judged.)
#[actix_web::test]
async fn concurrent_right_passwords_all_log_in() {
    let h = Harness::shared().await;
    let app = h.app.clone();
    for round in 0..10 {
        let results =
            join_all((0..4).map(|_| app.call(login_req(by_id(&h.boot.user_id, ADMIN_PASSWORD)))))
                .await;
        let results: Vec<_> = results.into_iter().map(TestResponse::parts).collect();
        let mut conn = h.db.pool.get().expect("conn");
        use iam_svc::schema::login_limits;
        let rows: Vec<(String, i32)> = login_limits::table
            .select((login_limits::subject, login_limits::attempts))
            .load(&mut conn)
            .unwrap();
        for (status, body, _) in &results {
            assert_eq!(
                *status,
                StatusCode::CREATED,
                "round {round}: {body} {rows:?}"
            );
        }
    }
}
