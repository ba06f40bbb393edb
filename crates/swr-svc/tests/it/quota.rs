//! The per-user quota and expiry: an expired temporary credential holds no quota, and is
//! deleted by its owner's create on the instance that would otherwise find the quota full;
//! live temporary credentials and long-term ones (expired too) keep counting.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};
use service_kit::db::DbPool;
use swr_svc::repo::credentials::{LONG_TERM, TEMPORARY};
use swr_svc::schema::{credentials, instances};

use crate::common::*;

fn base(instance: &str) -> String {
    format!("/v2/{PROJECT}/instances/{instance}")
}

/// POST a temporary credential (no name) or a long-term one (named).
async fn create(
    app: &TestApp,
    token: &str,
    instance: &str,
    name: Option<&str>,
) -> (StatusCode, Value) {
    let req = match name {
        None => app.post(&format!("{}/temp-credential", base(instance))),
        Some(name) => app
            .post(&format!("{}/long-term-credential", base(instance)))
            .json(&json!({ "name": name })),
    };
    let (status, body, _) = req.token(token).await.parts();
    (status, body)
}

async fn created(app: &TestApp, token: &str, instance: &str, name: Option<&str>) -> String {
    let (status, body) = create(app, token, instance, name).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token_id"].as_str().unwrap().to_string()
}

/// Move the credentials' expiry a day into the past, as if that time had passed.
fn expire(pool: &DbPool, ids: &[String]) {
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
    let mut conn = pool.get().unwrap();
    let n = diesel::update(credentials::table.filter(credentials::id.eq_any(ids)))
        .set(credentials::expires_at.eq(past))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(n, ids.len());
}

/// Ids of the user's credentials of `kind` on the instance, sorted.
fn ids(pool: &DbPool, instance: &str, user_id: &str, kind: &str) -> Vec<String> {
    let mut conn = pool.get().unwrap();
    credentials::table
        .filter(credentials::instance_id.eq(instance))
        .filter(credentials::user_id.eq(user_id))
        .filter(credentials::kind.eq(kind))
        .select(credentials::id)
        .order(credentials::id)
        .load(&mut conn)
        .unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[actix_web::test]
async fn expired_temporary_credentials_free_the_quota_and_are_deleted() {
    let mut config = test_config();
    config.credentials.max_per_user_per_instance = 3;
    let h = Harness::shared_with(config).await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let bob = h.token("bob", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let other = create_instance(&app, &alice, PROJECT, "registry-other").await;

    // Alice fills her quota with temporary credentials, and they all expire; so do Bob's
    // on the instance and hers on another instance.
    let mut old = Vec::new();
    for _ in 0..3 {
        old.push(created(&app, &alice, &instance, None).await);
    }
    let (status, body) = create(&app, &alice, &instance, None).await;
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");
    let bobs = vec![created(&app, &bob, &instance, None).await];
    let elsewhere = vec![created(&app, &alice, &other, None).await];
    expire(&h.db.pool, &old);
    expire(&h.db.pool, &bobs);
    expire(&h.db.pool, &elsewhere);

    // Her next create, which would find the quota full, succeeds and takes her expired ones
    // on that instance with it, and nobody else's or elsewhere.
    let fresh = created(&app, &alice, &instance, None).await;
    assert_eq!(
        ids(&h.db.pool, &instance, "alice-id", TEMPORARY),
        std::slice::from_ref(&fresh)
    );
    assert_eq!(ids(&h.db.pool, &instance, "bob-id", TEMPORARY), bobs);
    assert_eq!(ids(&h.db.pool, &other, "alice-id", TEMPORARY), elsewhere);

    // Live temporary credentials still count, against long-term creates too.
    let second = created(&app, &alice, &instance, None).await;
    let lasting = created(&app, &alice, &instance, Some("lasting")).await;
    let (status, body) = create(&app, &alice, &instance, None).await;
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");
    let (status, body) = create(&app, &alice, &instance, Some("one-more")).await;
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");
    assert_eq!(
        ids(&h.db.pool, &instance, "alice-id", TEMPORARY),
        sorted(vec![fresh, second])
    );

    // An expired long-term credential keeps counting (it is listed, as expired, until
    // its owner deletes it).
    expire(&h.db.pool, std::slice::from_ref(&lasting));
    let (status, body) = create(&app, &alice, &instance, None).await;
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");
    assert_eq!(ids(&h.db.pool, &instance, "alice-id", LONG_TERM), [lasting]);
    let mut conn = h.db.pool.get().unwrap();
    let counted: i64 = instances::table
        .find(&instance)
        .select(instances::long_term_credentials)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        counted, 1,
        "deleting temporary rows leaves the long-term count alone"
    );
}
