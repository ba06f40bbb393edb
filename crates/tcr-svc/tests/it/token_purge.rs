//! Expired temp tokens do not pile up: each CreateInstanceToken purges a batch of those
//! expired past the grace, so what is stored stays bounded by the tokens that live, and
//! no token that lives (a temp one not yet expired, any longterm one) is touched, even
//! with issues racing each other.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use futures_util::future::join_all;
use service_kit::clock::Clock;
use tcr_svc::schema::instance_tokens;
use tcr_svc::tokens::{PURGE_AFTER, PURGE_BATCH};

use crate::common::*;

/// A harness whose clock starts at the current second and moves only when told.
fn fixed_harness() -> (Harness, Clock) {
    let start = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let clock = Clock::fixed(start);
    (
        Harness::with_clock(unlimited_config(), clock.clone()),
        clock,
    )
}

/// A token of `kind` on `registry`, signed at the harness clock's time; its `TokenId`.
async fn issue(app: &TestApp, clock: &Clock, registry: &str, kind: &str) -> String {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "{kind}"}}"#);
    let call = signed_at(
        app,
        &ALICE,
        "CreateInstanceToken",
        &body,
        clock.now().timestamp(),
    );
    let r = response(call).await;
    assert_eq!(code(&r), "", "{r}");
    r["TokenId"].as_str().unwrap().to_string()
}

/// Every stored token: `(kind, expires_at)`.
fn stored(h: &Harness) -> Vec<(String, chrono::NaiveDateTime)> {
    let mut conn = h.db.pool.get().unwrap();
    instance_tokens::table
        .select((instance_tokens::kind, instance_tokens::expires_at))
        .order(instance_tokens::expires_at)
        .load(&mut conn)
        .unwrap()
}

fn lifetime(h: &Harness) -> Duration {
    Duration::seconds(i64::from(h.state.config.tokens.temp_lifetime_seconds))
}

#[actix_web::test]
async fn expired_temp_tokens_are_purged_and_live_ones_kept() {
    let (h, clock) = fixed_harness();
    let app = h.app().await;
    let registry = create_registry(&app, &ALICE, "purge-registry").await;
    let longterm = issue(&app, &clock, &registry, "longterm").await;
    let old = PURGE_BATCH as usize + 8;
    for _ in 0..old {
        issue(&app, &clock, &registry, "temp").await;
    }
    // Expired, but within the grace: kept.
    clock.advance(lifetime(&h) + Duration::seconds(1));
    issue(&app, &clock, &registry, "temp").await;
    assert_eq!(stored(&h).len(), 1 + old + 1);
    // Past the grace: each issue purges a batch, the longest expired first.
    clock.advance(PURGE_AFTER);
    let fresh_expiry = clock.stored_now() + lifetime(&h);
    issue(&app, &clock, &registry, "temp").await;
    assert_eq!(stored(&h).len(), 1 + old + 2 - PURGE_BATCH as usize);
    issue(&app, &clock, &registry, "temp").await;
    let left = stored(&h);
    // The longterm token, the one that expired later, and the two fresh ones.
    assert_eq!(left.len(), 4, "{left:?}");
    let temps: Vec<_> = left.iter().filter(|(k, _)| k == "temp").collect();
    assert_eq!(temps.len(), 3);
    assert!(temps[1..].iter().all(|(_, at)| *at == fresh_expiry));
    // The longterm token lives on, listed, though its issue came first.
    let body = format!(r#"{{"RegistryId": "{registry}"}}"#);
    let call = signed_at(
        &app,
        &ALICE,
        "DescribeInstanceToken",
        &body,
        clock.now().timestamp(),
    );
    let listed = response(call).await;
    assert_eq!(listed["Tokens"][0]["Id"], longterm.as_str(), "{listed}");
}

#[actix_web::test]
async fn what_is_stored_stays_bounded_however_many_are_issued() {
    let (h, clock) = fixed_harness();
    let app = h.app().await;
    let registry = create_registry(&app, &ALICE, "bounded-registry").await;
    // A temp token every minute for six hours: at most an hour and the grace of them are
    // kept at once, and the stored ones never pass that by more than a batch.
    let alive = lifetime(&h) + PURGE_AFTER;
    let bound = (alive.num_minutes() + 1) as usize + PURGE_BATCH as usize;
    let mut most = 0;
    for _ in 0..(6 * 60) {
        issue(&app, &clock, &registry, "temp").await;
        most = most.max(stored(&h).len());
        clock.advance(Duration::minutes(1));
    }
    assert!(most <= bound, "{most} stored, bound {bound}");
    let now = clock.stored_now();
    let expired = stored(&h)
        .iter()
        .filter(|(_, at)| *at < now - PURGE_AFTER)
        .count();
    assert!(expired <= 1, "{expired} expired past the grace");
}

#[actix_web::test]
async fn racing_issues_purge_together_and_lose_no_live_token() {
    let mut config = unlimited_config();
    config.tokens.temp_lifetime_seconds = 3600;
    let start = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let clock = Clock::fixed(start);
    let h = Harness::shared_with_clock(config, clock.clone());
    let app = h.app().await;
    let registry = create_registry(&app, &ALICE, "racing-registry").await;
    let expired = 3 * PURGE_BATCH as usize;
    for _ in 0..expired {
        issue(&app, &clock, &registry, "temp").await;
    }
    clock.advance(lifetime(&h) + PURGE_AFTER + Duration::seconds(1));
    let racing = 24;
    let issued = join_all((0..racing).map(|_| issue(&app, &clock, &registry, "temp"))).await;
    assert_eq!(issued.len(), racing);
    let now = clock.stored_now();
    let left = stored(&h);
    let live = left.iter().filter(|(_, at)| *at > now).count();
    assert_eq!(live, racing, "every token just issued is kept");
    assert_eq!(left.len(), racing, "the expired ones are gone: {left:?}");
}
