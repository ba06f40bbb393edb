//! DescribeInstanceToken's `TotalCount` comes from a per-registry count the database
//! keeps (migration 2026-11-22-300002): it must equal the rows after every kind of write,
//! concurrent ones included, and the migration must count the rows already there.

use diesel::prelude::*;
use futures_util::future::{join, join_all};
use serde_json::Value;
use service_kit::db::{run_pending, DbPool};
use service_kit::testing::{migrations, TestDatabase};
use tcr_svc::config::TcrConfig;
use tcr_svc::repo::tokens::{LONGTERM, TEMP};
use tcr_svc::schema::{instance_tokens, registries};

use crate::common::*;

/// No rate limit gets in the way of a burst.
fn config() -> TcrConfig {
    let mut config = test_config();
    config.rate_limits.create_instance_token_per_second = 10_000;
    config.rate_limits.other_per_second = 10_000;
    config
}

/// The registry's longterm tokens, counted.
fn rows(pool: &DbPool, registry: &str) -> i64 {
    let mut conn = pool.get().unwrap();
    instance_tokens::table
        .filter(instance_tokens::registry_id.eq(registry))
        .filter(instance_tokens::kind.eq(LONGTERM))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

async fn total(app: &TestApp, registry: &str) -> i64 {
    let body = format!(r#"{{"RegistryId": "{registry}", "Limit": 1}}"#);
    let r = act(app, &ALICE, "DescribeInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    r["TotalCount"].as_i64().unwrap()
}

async fn create(app: &TestApp, key: &Key, registry: &str, kind: &str) -> Value {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "{kind}"}}"#);
    act(app, key, "CreateInstanceToken", &body).await
}

async fn delete(app: &TestApp, registry: &str, id: &str) -> String {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenId": "{id}"}}"#);
    code(&act(app, &ALICE, "DeleteInstanceToken", &body).await)
}

#[actix_web::test]
async fn total_count_follows_creates_and_deletes() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "counted-reg").await;
    let other = create_registry(&app, &ALICE, "other-reg").await;
    let check = |want: i64| {
        let (app, reg, pool) = (&app, &reg, &h.db.pool);
        async move {
            assert_eq!(total(app, reg).await, want);
            assert_eq!(rows(pool, reg), want);
        }
    };
    check(0).await;
    let first = create(&app, &ALICE, &reg, LONGTERM).await;
    create(&app, &RITA, &reg, LONGTERM).await;
    create(&app, &ALICE, &reg, TEMP).await;
    create(&app, &ALICE, &other, LONGTERM).await;
    check(2).await;
    // Refused creates change nothing.
    assert_eq!(
        code(&create(&app, &ALICE, &reg, "forever").await),
        "InvalidParameter"
    );
    assert_eq!(
        code(&create(&app, &ALICE, "tcr-nosuchreg", LONGTERM).await),
        "ResourceNotFound.TcrResourceNotFound"
    );
    check(2).await;
    let id = first["TokenId"].as_str().unwrap();
    assert_eq!(delete(&app, &reg, id).await, "");
    check(1).await;
    assert_eq!(delete(&app, &reg, id).await, "ResourceNotFound");
    check(1).await;

    // Each registry has its own count; deleting one leaves the other's alone.
    assert_eq!(total(&app, &other).await, 1);
    let r = act(
        &app,
        &ALICE,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(rows(&h.db.pool, &reg), 0);
    assert_eq!(total(&app, &other).await, 1);
}

#[actix_web::test]
async fn total_count_stays_exact_under_concurrent_creates_and_deletes() {
    let h = Harness::shared_with(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "counted-reg").await;
    let first = join_all((0..20).map(|n| {
        let (app, reg) = (&app, &reg);
        let key = if n % 2 == 0 { &ALICE } else { &RITA };
        async move { create(app, key, reg, LONGTERM).await }
    }))
    .await;
    assert!(first.iter().all(|r| code(r).is_empty()), "{first:?}");
    assert_eq!(total(&app, &reg).await, 20);

    // Every token deleted twice, so once for real, while 10 more are created.
    let ids: Vec<&str> = first
        .iter()
        .map(|r| r["TokenId"].as_str().unwrap())
        .collect();
    let deletes = join_all(ids.iter().chain(ids.iter()).map(|id| {
        let (app, reg) = (&app, &reg);
        async move { delete(app, reg, id).await }
    }));
    let creates = join_all((0..10).map(|n| {
        let (app, reg) = (&app, &reg);
        let kind = if n % 5 == 0 { TEMP } else { LONGTERM };
        async move { create(app, &ALICE, reg, kind).await }
    }));
    let (deleted, created) = join(deletes, creates).await;
    let count = |want: &str| deleted.iter().filter(|c| *c == want).count();
    assert_eq!(count(""), 20, "{deleted:?}");
    assert_eq!(count("ResourceNotFound"), 20, "{deleted:?}");
    assert!(created.iter().all(|r| code(r).is_empty()), "{created:?}");
    assert_eq!(total(&app, &reg).await, 8);
    assert_eq!(rows(&h.db.pool, &reg), 8);
}

/// The migration counts what is there: revert it, add rows the old schema knows, apply it.
#[actix_web::test]
async fn the_migration_counts_existing_tokens() {
    let db = TestDatabase::new(&tcr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    let reverted = migrations::revert_through(&mut conn, &tcr_svc::MIGRATIONS, "20261122300002");

    let now = chrono::Utc::now().naive_utc();
    for id in ["tcr-full", "tcr-temponly", "tcr-empty"] {
        // The columns of that schema only.
        diesel::insert_into(registries::table)
            .values((
                registries::id.eq(id),
                registries::domain_id.eq(ALICE.account),
                registries::name.eq(id),
                registries::registry_type.eq("basic"),
                registries::region.eq("ap-guangzhou"),
                registries::status.eq("Running"),
                registries::registry_service.eq("tcr-registry"),
                registries::registry_address.eq("127.0.0.1:5000"),
                registries::created_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    let mut n = 0;
    for (registry_id, kind, count) in [
        ("tcr-full", LONGTERM, 7),
        ("tcr-full", TEMP, 3),
        ("tcr-temponly", TEMP, 2),
    ] {
        for _ in 0..count {
            n += 1;
            // The columns of that schema only.
            diesel::insert_into(instance_tokens::table)
                .values((
                    instance_tokens::id.eq(format!("t{n}")),
                    instance_tokens::registry_id.eq(registry_id),
                    instance_tokens::user_id.eq(ALICE.user),
                    instance_tokens::kind.eq(kind),
                    instance_tokens::token_digest.eq(format!("{n:064}")),
                    instance_tokens::access.eq("pull"),
                    instance_tokens::enabled.eq(true),
                    instance_tokens::created_at.eq(now),
                    instance_tokens::expires_at.eq(now),
                ))
                .execute(&mut *conn)
                .unwrap();
        }
    }

    let applied = run_pending(&mut conn, &tcr_svc::MIGRATIONS).unwrap();
    assert_eq!(applied.len(), reverted.len(), "{applied:?}");
    let counts: Vec<(String, i64)> = registries::table
        .select((registries::id, registries::longterm_tokens))
        .order(registries::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        counts,
        [
            ("tcr-empty".to_string(), 0),
            ("tcr-full".to_string(), 7),
            ("tcr-temponly".to_string(), 0)
        ]
    );
}
