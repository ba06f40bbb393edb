//! Off-boarding: when iam-svc's feed says a user lost access to the account, every
//! instance token they created before is revoked for good (login and API), through the
//! sink `main` gives the feed; and a temporary key issued before its user lost a role or
//! access is refused at once.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use service_kit::auth::wire::{RevocationEvent, RevocationKind, RevocationPage};
use service_kit::auth::{IamFeed, InternalCredential, RevocationSink};
use tcr_svc::revocations::TokenRevoker;
use tcr_svc::schema::instance_tokens;

use crate::common::*;

const SERVICE: &str = "tcr-registry";

fn event(seq: i64, kind: RevocationKind, subject: &str, at: DateTime<Utc>) -> RevocationEvent {
    RevocationEvent {
        seq,
        kind,
        subject: subject.into(),
        revoked_at: at,
        relevant_until: at + service_kit::auth::wire::DURABLE_EVENT_RELEVANCE,
    }
}

/// Plays iam-svc's revocation feed: `events` after sequence 0, nothing after that.
async fn fake_iam(events: Vec<RevocationEvent>) -> String {
    let page = web::Data::new(events);
    let server = HttpServer::new(move || {
        App::new().app_data(page.clone()).route(
            service_kit::auth::wire::REVOCATIONS_PATH,
            web::get().to(
                |events: web::Data<Vec<RevocationEvent>>,
                 q: web::Query<std::collections::HashMap<String, i64>>| async move {
                    let after = q.get("after").copied().unwrap_or(0);
                    let events: Vec<RevocationEvent> =
                        events.iter().filter(|e| e.seq > after).cloned().collect();
                    let last_seq = events.iter().map(|e| e.seq).max().unwrap_or(after);
                    HttpResponse::Ok().json(RevocationPage { events, last_seq })
                },
            ),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}")
}

/// Pull the fake feed once, as `main`'s feed does, into the harness's verifier and a
/// revoker on its database.
async fn pull(h: &Harness, events: Vec<RevocationEvent>) {
    let url = fake_iam(events).await;
    let feed = IamFeed::new(
        url,
        InternalCredential::new("internal-test-credential".into()),
        h.state.verifier.clone(),
        Duration::from_secs(1),
    )
    .with_sink(Arc::new(TokenRevoker::new(
        h.db.pool.clone(),
        h.state.clock.clone(),
    )));
    feed.pull_revocations().await.unwrap();
}

async fn login(app: &TestApp, created: &Value) -> u16 {
    let (user, token) = (
        created["Username"].as_str().unwrap(),
        created["Token"].as_str().unwrap(),
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
    app.get(&format!("/service/token?service={SERVICE}"))
        .header("Authorization", format!("Basic {basic}"))
        .await
        .status()
        .as_u16()
}

async fn create(app: &TestApp, key: &Key, registry: &str, kind: &str) -> Value {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "{kind}"}}"#);
    let r = act(app, key, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    r
}

/// `revoked_at` of every token of `user`, oldest first.
fn revoked(h: &Harness, user: &str) -> Vec<Option<chrono::NaiveDateTime>> {
    let mut conn = h.db.pool.get().unwrap();
    instance_tokens::table
        .filter(instance_tokens::user_id.eq(user))
        .order(instance_tokens::created_at)
        .select(instance_tokens::revoked_at)
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn tokens_of_a_user_who_lost_access_are_revoked_for_good() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "offboard-reg").await;
    let temp = create(&app, &MEMO, &reg, "temp").await;
    let long = create(&app, &MEMO, &reg, "longterm").await;
    let ritas = create(&app, &RITA, &reg, "longterm").await;
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    let cutoff = Utc::now();
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    let later = create(&app, &MEMO, &reg, "longterm").await;
    for t in [&temp, &long, &ritas, &later] {
        assert_eq!(login(&app, t).await, 200);
    }

    // Memo was disabled; the event's durable cutoff (revoked_at + grace) falls between
    // the tokens made before and the one made after.
    let gone = event(
        1,
        RevocationKind::UserAccess,
        MEMO.user,
        cutoff - service_kit::auth::wire::DURABLE_EVENT_GRACE,
    );
    pull(&h, vec![gone.clone()]).await;
    assert_eq!(login(&app, &temp).await, 401);
    assert_eq!(login(&app, &long).await, 401);
    assert_eq!(login(&app, &later).await, 200, "made after the cutoff");
    assert_eq!(login(&app, &ritas).await, 200, "another user's");
    let after_first = revoked(&h, MEMO.user);
    assert!(after_first[0].is_some() && after_first[1].is_some());
    assert_eq!(after_first[2], None);
    assert_eq!(revoked(&h, RITA.user), vec![None]);

    // The same event again changes nothing.
    TokenRevoker::new(h.db.pool.clone(), h.state.clock.clone())
        .revoke(vec![gone])
        .await
        .unwrap();
    assert_eq!(revoked(&h, MEMO.user), after_first);

    // The API shows it disabled, and no enable brings it back.
    let id = long["TokenId"].as_str().unwrap();
    let list = act(
        &app,
        &ALICE,
        "DescribeInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    let shown = list["Tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["Id"] == id)
        .unwrap();
    assert_eq!(shown["Enabled"], false);
    let set = |on: bool| {
        format!(r#"{{"RegistryId": "{reg}", "TokenId": "{id}", "ModifyFlag": 2, "Enable": {on}}}"#)
    };
    let r = act(&app, &ALICE, "ModifyInstanceToken", &set(false)).await;
    assert_eq!(code(&r), "", "{r}");
    let r = act(&app, &ALICE, "ModifyInstanceToken", &set(true)).await;
    assert_eq!(code(&r), "UnsupportedOperation", "{r}");
    assert_eq!(login(&app, &long).await, 401);
    assert_eq!(revoked(&h, MEMO.user), after_first);
}

#[actix_web::test]
async fn a_temporary_key_issued_before_its_user_lost_access_is_refused() {
    let (h, app) = Harness::start().await;
    assert_eq!(
        code(&act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await),
        ""
    );
    // A cutoff before the key was issued leaves it alone.
    let issued = h.temporary.issued_at;
    let before = chrono::Duration::minutes(1);
    pull(
        &h,
        vec![event(1, RevocationKind::User, ALICE.user, issued - before)],
    )
    .await;
    assert_eq!(
        code(&act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await),
        ""
    );
    // Alice lost a role after the key was issued: the key dies, her permanent key (which
    // iam-svc checks live) does not.
    pull(
        &h,
        vec![event(2, RevocationKind::User, ALICE.user, issued + before)],
    )
    .await;
    for action in ["DescribeInstances", "CreateInstanceToken"] {
        let r = act(&app, &ALICE_TEMP, action, "{}").await;
        assert_eq!(code(&r), "AuthFailure.TokenFailure", "{action}: {r}");
    }
    assert_eq!(
        code(&act(&app, &ALICE, "DescribeInstances", "{}").await),
        ""
    );
}

#[actix_web::test]
async fn a_temporary_key_of_a_user_who_lost_access_is_refused() {
    let (h, app) = Harness::start().await;
    pull(
        &h,
        vec![event(1, RevocationKind::UserAccess, ALICE.user, Utc::now())],
    )
    .await;
    let r = act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await;
    assert_eq!(code(&r), "AuthFailure.TokenFailure", "{r}");
}

/// Revocations that could not be pulled for too long stop every temporary key (their
/// user may be gone) and no permanent one (iam-svc checks those live).
#[actix_web::test]
async fn a_stale_feed_refuses_temporary_keys_only() {
    let h = Harness::with_stale_feed();
    let app = h.app().await;
    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    let r = act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await;
    assert_eq!(code(&r), "InternalError", "{r}");
    let r = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(code(&r), "", "{r}");
}
