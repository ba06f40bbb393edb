//! Rate limits per account and action, per second: the request over the limit gets
//! Tencent's `RequestLimitExceeded`, the next second starts afresh, and replicas sharing a
//! PostgreSQL database share one budget (the counts live in it: `rate_windows`).

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::Value;
use service_kit::clock::Clock;
use service_kit::db::{self, Backend, DbPool};
use tcr_svc::config::TcrConfig;
use tcr_svc::ratelimit::RateLimiter;
use tcr_svc::schema::rate_windows;
use tcr_svc::state::AppState;

use crate::common::*;

/// The budget of every action but CreateInstanceToken in these tests.
const OTHER: u32 = 3;
/// CreateInstanceToken's budget in these tests.
const CREATE_TOKEN: u32 = 5;

fn config() -> TcrConfig {
    let mut config = test_config();
    config.rate_limits.other_per_second = OTHER;
    config.rate_limits.create_instance_token_per_second = CREATE_TOKEN;
    config
}

/// A harness whose clock stands still until the test moves it: every request falls in
/// one second.
fn held() -> (Harness, Clock) {
    let clock = Clock::fixed(chrono::Utc::now());
    (Harness::with_clock(config(), clock.clone()), clock)
}

/// `action` with `body` as `key`, signed at the harness clock's second.
async fn at(app: &TestApp, clock: &Clock, key: &Key, action: &str, body: &str) -> Value {
    response(signed_at(app, key, action, body, clock.now().timestamp())).await
}

async fn describe(app: &TestApp, clock: &Clock, key: &Key) -> Value {
    at(app, clock, key, "DescribeInstances", "{}").await
}

/// Spend `key`'s account's DescribeInstances budget for the current second.
async fn spend(app: &TestApp, clock: &Clock, key: &Key) {
    for n in 0..OTHER {
        let r = describe(app, clock, key).await;
        assert_eq!(code(&r), "", "request {n} within the budget: {r}");
    }
}

/// The same service over the same database as `h`, with a pool and a limiter of its own
/// (another process, as far as the limiter can tell): what one more replica would be.
async fn replica(h: &Harness) -> (TestApp, web::Data<AppState>) {
    let mut database = h.state.config.database.clone();
    database.url = h.db.url.clone();
    database.pool_size = 4;
    let pool = db::open(&database, &tcr_svc::MIGRATIONS, false).unwrap();
    let state = web::Data::new(AppState {
        limiter: RateLimiter::for_backend(h.db.backend, &pool),
        pool,
        config: h.state.config.clone(),
        signatures: h.state.signatures.clone(),
        verifier: h.state.verifier.clone(),
        clock: h.state.clock.clone(),
    });
    let app = TestApp::init(tcr_svc::app::build(state.clone(), &h.parts)).await;
    (app, state)
}

fn windows(pool: &DbPool) -> Vec<(String, String, i64, i32)> {
    let mut conn = pool.get().unwrap();
    rate_windows::table
        .order((
            rate_windows::account_id,
            rate_windows::action,
            rate_windows::window_start,
        ))
        .select((
            rate_windows::account_id,
            rate_windows::action,
            rate_windows::window_start,
            rate_windows::count,
        ))
        .load(&mut conn)
        .unwrap()
}

/// On SQLite (one process by design) the counts stay in memory: nothing to look at in the
/// database, and no replica to share them with.
fn on_postgres(h: &Harness) -> bool {
    h.db.backend == Backend::Postgres
}

#[actix_web::test]
async fn the_request_over_the_limit_is_refused_and_the_next_second_starts_afresh() {
    let (h, clock) = held();
    let app = h.app().await;
    spend(&app, &clock, &ALICE).await;
    let refused = describe(&app, &clock, &ALICE).await;
    assert_eq!(
        refused["Error"],
        serde_json::json!({
            "Code": "RequestLimitExceeded",
            "Message": "Too many requests for this action; slow down.",
        }),
        "{refused}"
    );
    assert!(refused["RequestId"].is_string(), "{refused}");
    assert_eq!(refused.as_object().unwrap().len(), 2, "{refused}");
    // Refused requests are refused for the rest of the second, however many come.
    for _ in 0..3 {
        let r = describe(&app, &clock, &ALICE).await;
        assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
    }

    clock.advance(chrono::Duration::seconds(1));
    spend(&app, &clock, &ALICE).await;
    let r = describe(&app, &clock, &ALICE).await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
    if on_postgres(&h) {
        let second = clock.now().timestamp();
        let counted: Vec<_> = windows(&h.db.pool)
            .into_iter()
            .map(|w| (w.2, w.3))
            .collect();
        assert_eq!(
            counted,
            [(second - 1, 7), (second, 4)],
            "one row per second"
        );
    }
}

#[actix_web::test]
async fn create_instance_token_has_a_budget_of_its_own() {
    let (h, clock) = held();
    let app = h.app().await;
    let registry = create_registry(&app, &ALICE, "limits-registry").await;
    let body = format!(r#"{{"RegistryId": "{registry}"}}"#);
    let mut codes = Vec::new();
    for _ in 0..=CREATE_TOKEN {
        codes.push(code(
            &at(&app, &clock, &ALICE, "CreateInstanceToken", &body).await,
        ));
    }
    let accepted = codes.iter().filter(|c| c.is_empty()).count();
    assert_eq!(accepted, CREATE_TOKEN as usize, "{codes:?}");
    assert_eq!(codes.last().unwrap(), "RequestLimitExceeded", "{codes:?}");
    // The other actions keep theirs, each its own.
    spend(&app, &clock, &ALICE).await;
    let r = describe(&app, &clock, &ALICE).await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
}

#[actix_web::test]
async fn another_account_and_another_action_keep_their_own_budgets() {
    let (h, clock) = held();
    let app = h.app().await;
    spend(&app, &clock, &ALICE).await;
    // The budget is the account's: another user of ALICE's account has none left.
    let r = describe(&app, &clock, &MEMO).await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
    // BOB's account has its own.
    spend(&app, &clock, &BOB).await;
    let r = describe(&app, &clock, &BOB).await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
    // And so has another action of ALICE's account (refused for want of a parameter,
    // which is checked after the limit).
    for _ in 0..OTHER {
        let r = at(&app, &clock, &ALICE, "DescribeNamespaces", "{}").await;
        assert_eq!(code(&r), "MissingParameter", "{r}");
    }
    let r = at(&app, &clock, &ALICE, "DescribeNamespaces", "{}").await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");
}

#[actix_web::test]
async fn replicas_on_one_database_share_one_budget() {
    let (h, clock) = held();
    if !on_postgres(&h) {
        // A SQLite deployment is one process (DESIGN.md: PostgreSQL for several
        // replicas), whose workers share its state, so its counts stay in its memory:
        // two processes on one SQLite file would each count their own, which is why they
        // are not deployed.
        return;
    }
    let one = h.app().await;
    let (two, _state) = replica(&h).await;

    // One after the other: what one replica spent, the other cannot spend again.
    spend(&one, &clock, &ALICE).await;
    let r = describe(&two, &clock, &ALICE).await;
    assert_eq!(code(&r), "RequestLimitExceeded", "{r}");

    // At once, spread over both: at most the limit is accepted in a second.
    for _ in 0..2 {
        clock.advance(chrono::Duration::seconds(1));
        let burst = (0..8 * OTHER).map(|n| {
            let app = if n % 2 == 0 { &one } else { &two };
            describe(app, &clock, &BOB)
        });
        let codes: Vec<String> = join_all(burst).await.iter().map(code).collect();
        let accepted = codes.iter().filter(|c| c.is_empty()).count();
        assert_eq!(accepted, OTHER as usize, "{codes:?}");
        assert!(
            codes
                .iter()
                .all(|c| c.is_empty() || c == "RequestLimitExceeded"),
            "{codes:?}"
        );
    }
}

#[actix_web::test]
async fn windows_a_minute_old_are_pruned() {
    let (h, clock) = held();
    let app = h.app().await;
    let start = clock.now().timestamp();
    describe(&app, &clock, &ALICE).await;
    clock.advance(chrono::Duration::seconds(60));
    describe(&app, &clock, &ALICE).await;
    clock.advance(chrono::Duration::seconds(1));
    describe(&app, &clock, &ALICE).await;

    let pruned = h
        .state
        .limiter
        .prune(clock.now().timestamp())
        .await
        .unwrap();
    if !on_postgres(&h) {
        assert_eq!(pruned, 0, "the counts in memory bound themselves");
        return;
    }
    assert_eq!(pruned, 1);
    let kept: Vec<i64> = windows(&h.db.pool).into_iter().map(|w| w.2).collect();
    assert_eq!(kept, [start + 60, start + 61]);
}

#[actix_web::test]
async fn a_request_the_database_cannot_count_is_refused_as_unavailable() {
    let (h, clock) = held();
    if !on_postgres(&h) {
        // SQLite's counts are in memory: no database to fail.
        return;
    }
    let app = h.app().await;
    h.db.pool
        .get()
        .unwrap()
        .batch_execute("DROP TABLE rate_windows")
        .unwrap();
    let r = at(
        &app,
        &clock,
        &ALICE,
        "CreateInstance",
        r#"{"RegistryName": "uncounted", "RegistryType": "basic"}"#,
    )
    .await;
    // Closed, not open: the action does not run uncounted, and the answer is the
    // outage's, not a refusal the caller caused.
    assert_eq!(
        r["Error"],
        serde_json::json!({
            "Code": "InternalError",
            "Message": "The service is temporarily unavailable; try again.",
        }),
        "{r}"
    );
    let registries: i64 = {
        use tcr_svc::schema::registries;
        let mut conn = h.db.pool.get().unwrap();
        registries::table.count().get_result(&mut conn).unwrap()
    };
    assert_eq!(registries, 0);
}
