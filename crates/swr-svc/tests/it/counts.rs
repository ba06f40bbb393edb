//! The `total` of everyone's long-term credentials comes from a per-instance count the
//! database keeps (migration 2026-11-22-200002): it must equal the rows after every kind
//! of write, failed ones and concurrent ones included, and the migration must count the
//! rows that were there before it.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use service_kit::db::{run_pending, DbPool};
use service_kit::testing::{migrations, TestDatabase};
use swr_svc::repo::credentials::{LONG_TERM, TEMPORARY};
use swr_svc::schema::{credentials, instances};

use crate::common::*;

fn base(instance: &str) -> String {
    format!("/v2/{PROJECT}/instances/{instance}")
}

/// The instance's long-term credentials, counted.
fn rows(pool: &DbPool, instance: &str) -> i64 {
    let mut conn = pool.get().unwrap();
    credentials::table
        .filter(credentials::instance_id.eq(instance))
        .filter(credentials::kind.eq(LONG_TERM))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

/// `total` of everyone's credentials, as an admin sees it.
async fn total(app: &TestApp, admin: &str, instance: &str) -> i64 {
    let uri = format!(
        "{}/long-term-credentials?self_only=false&limit=1",
        base(instance)
    );
    let body = app.get(&uri).token(admin).await.assert_ok().json();
    body["total"].as_i64().unwrap()
}

async fn create(app: &TestApp, token: &str, instance: &str, name: &str) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(&format!("{}/long-term-credential", base(instance)))
        .token(token)
        .json(&json!({ "name": name }))
        .await
        .parts();
    (status, body)
}

async fn delete(app: &TestApp, token: &str, instance: &str, id: &str) -> StatusCode {
    let uri = format!("{}/long-term-credentials/{id}", base(instance));
    app.delete(&uri).token(token).await.parts().0
}

#[actix_web::test]
async fn total_follows_creates_deletes_and_failures() {
    let mut config = test_config();
    config.credentials.max_per_user_per_instance = 3;
    let h = Harness::shared_with(config).await;
    let app = h.app().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let alice = h.token("alice", PROJECT, &["member"]);
    let bob = h.token("bob", PROJECT, &["member"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let other = create_instance(&app, &admin, PROJECT, "registry-other").await;
    let check = |want: i64| {
        let (app, admin, instance, pool) = (&app, &admin, &instance, &h.db.pool);
        async move {
            assert_eq!(total(app, admin, instance).await, want);
            assert_eq!(rows(pool, instance), want);
        }
    };
    check(0).await;

    let (status, a1) = create(&app, &alice, &instance, "a1").await;
    assert_eq!(status, StatusCode::CREATED, "{a1}");
    let (_, a2) = create(&app, &alice, &instance, "a2").await;
    let (_, b1) = create(&app, &bob, &instance, "b1").await;
    create(&app, &bob, &other, "elsewhere").await;
    check(3).await;

    // A duplicate name, and creates past the quota, leave the count alone.
    let (status, body) = create(&app, &alice, &instance, "a1").await;
    assert_swr_error(status, &body, 409, "SVCSTG.SWR.4098001");
    create(&app, &alice, &instance, "a3").await;
    check(4).await;
    let (status, body) = create(&app, &alice, &instance, "a4").await;
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4008001");
    check(4).await;
    // Temporary credentials are not listed, so not counted.
    let temp = app
        .post(&format!("{}/temp-credential", base(&instance)))
        .token(&bob)
        .await
        .assert_created()
        .json();
    check(4).await;

    // A delete counts once; a second delete of the same id, or one refused, not at all.
    let id = |v: &Value| v["token_id"].as_str().unwrap().to_string();
    assert_eq!(
        delete(&app, &alice, &instance, &id(&a1)).await,
        StatusCode::NO_CONTENT
    );
    check(3).await;
    assert_eq!(
        delete(&app, &admin, &instance, &id(&a1)).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(&app, &alice, &instance, &id(&b1)).await,
        StatusCode::FORBIDDEN
    );
    check(3).await;
    // A temporary credential's id is no long-term credential's: nothing is deleted.
    assert_eq!(
        delete(&app, &bob, &instance, &id(&temp)).await,
        StatusCode::NOT_FOUND
    );
    check(3).await;
    assert_eq!(
        delete(&app, &admin, &instance, &id(&a2)).await,
        StatusCode::NO_CONTENT
    );
    check(2).await;
    let (status, again) = create(&app, &alice, &instance, "a1").await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    check(3).await;

    // Each instance has its own count, and deleting one leaves the other's alone.
    assert_eq!(total(&app, &admin, &other).await, 1);
    let uri = format!("/v2/{PROJECT}/instances/{instance}");
    app.delete(&uri).token(&admin).await.assert_accepted();
    assert_eq!(rows(&h.db.pool, &instance), 0);
    assert_eq!(total(&app, &admin, &other).await, 1);
    assert_eq!(rows(&h.db.pool, &other), 1);
}

#[actix_web::test]
async fn total_stays_exact_under_concurrent_creates_and_deletes() {
    let mut config = test_config();
    config.credentials.max_per_user_per_instance = 6;
    // Several connections, so the writes really race.
    let h = Harness::shared_with(config).await;
    let app = h.app().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let users: Vec<String> = (0..4)
        .map(|n| h.token(&format!("user{n}"), PROJECT, &["member"]))
        .collect();

    // Round one: each user asks for 5 names, one of them twice, all at once.
    let first = join_all(users.iter().flat_map(|token| {
        ["c0", "c1", "c2", "c3", "c4", "c0"].map(|name| {
            let (app, instance) = (&app, &instance);
            async move { create(app, token, instance, name).await }
        })
    }))
    .await;
    let ok = |(s, _): &&(StatusCode, Value)| *s == StatusCode::CREATED;
    assert_eq!(first.iter().filter(ok).count(), 20, "{first:?}");
    assert_eq!(
        first
            .iter()
            .filter(|(s, b)| s.as_u16() == 409 && b["error_code"] == "SVCSTG.SWR.4098001")
            .count(),
        4
    );
    assert_eq!(total(&app, &admin, &instance).await, 20);

    // Round two, all at once: every credential deleted twice (by its owner and by the
    // admin, so once for real) while every user asks for 4 new names and one being
    // deleted. Each user's quota of 6 lets in 1 to 5 of those, depending on how many
    // deletes landed first; the old name is a conflict until its delete lands.
    let ids: Vec<(usize, String)> = first
        .iter()
        .enumerate()
        .filter(|(_, r)| ok(r))
        .map(|(n, (_, b))| (n / 6, b["token_id"].as_str().unwrap().to_string()))
        .collect();
    let deletes = ids.iter().flat_map(|(user, id)| {
        [&users[*user], &admin].map(|token| {
            let (app, instance) = (&app, &instance);
            async move { delete(app, token, instance, id).await }
        })
    });
    let deletes = join_all(deletes);
    let creates = join_all(users.iter().flat_map(|token| {
        ["d0", "d1", "c0", "d2", "d3"].map(|name| {
            let (app, instance) = (&app, &instance);
            async move { create(app, token, instance, name).await }
        })
    }));
    let (deleted, created) = futures_util::future::join(deletes, creates).await;
    let count = |want: StatusCode| deleted.iter().filter(|s| **s == want).count();
    assert_eq!(count(StatusCode::NO_CONTENT), 20, "{deleted:?}");
    assert_eq!(count(StatusCode::NOT_FOUND), 20, "{deleted:?}");
    let made = created.iter().filter(ok).count();
    assert!(
        created.iter().all(|(s, b)| *s == StatusCode::CREATED
            || b["error_code"] == "SVCSTG.SWR.4008001"
            || b["error_code"] == "SVCSTG.SWR.4098001"),
        "{created:?}"
    );
    assert!((4..=20).contains(&made), "{created:?}");
    assert_eq!(total(&app, &admin, &instance).await, made as i64);
    assert_eq!(rows(&h.db.pool, &instance), made as i64);
}

/// The migration counts what is there: revert it (and those after it), add rows the old
/// schema knows, apply them again.
#[actix_web::test]
async fn the_migration_counts_existing_credentials() {
    let db = TestDatabase::new(&swr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    migrations::revert_through(&mut conn, &swr_svc::MIGRATIONS, "20261122200002");

    let now = chrono::Utc::now().naive_utc();
    for id in ["full", "temporary-only", "empty"] {
        // In SQL: the schema of that time had a job_id, which the current one lacks.
        diesel::sql_query(format!(
            "INSERT INTO instances (id, project_id, name, spec, status, charge_mode, job_id,
                 registry_service, registry_address, created_by, created_at)
             VALUES ('{id}', '{PROJECT}', '{id}', 'swr.ee.professional', 'Running', 'postPaid',
                 'job-{id}', 'swr-registry', '127.0.0.1:5000', 'adam-id', CURRENT_TIMESTAMP)"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    let mut n = 0;
    for (instance_id, kind, count) in [
        ("full", LONG_TERM, 7),
        ("full", TEMPORARY, 3),
        ("temporary-only", TEMPORARY, 2),
    ] {
        for _ in 0..count {
            n += 1;
            diesel::insert_into(credentials::table)
                .values((
                    credentials::id.eq(format!("c{n}")),
                    credentials::instance_id.eq(instance_id),
                    credentials::user_id.eq(format!("user{}", n % 3)),
                    credentials::user_name.eq("someone"),
                    credentials::name.eq(format!("c{n}")),
                    credentials::kind.eq(kind),
                    credentials::token_digest.eq(format!("{n:064}")),
                    credentials::access.eq("pull"),
                    credentials::enabled.eq(true),
                    credentials::created_at.eq(now),
                    credentials::expires_at.eq(now),
                ))
                .execute(&mut *conn)
                .unwrap();
        }
    }

    let applied = run_pending(&mut conn, &swr_svc::MIGRATIONS).unwrap();
    assert_eq!(
        applied.first().map(|v| v.replace('-', "")).as_deref(),
        Some("20261122200002"),
        "{applied:?}"
    );
    let counts: Vec<(String, i64)> = instances::table
        .select((instances::id, instances::long_term_credentials))
        .order(instances::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        counts,
        [
            ("empty".to_string(), 0),
            ("full".to_string(), 7),
            ("temporary-only".to_string(), 0)
        ]
    );
}
