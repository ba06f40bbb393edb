//! Off-boarding: a user or project that iam-svc says is gone takes its temporary keys
//! with it (durably, through the feed's sink), a lost role stops keys issued before it,
//! and a deleted instance takes the keys issued through it.

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use lakeformation_svc::repo;
use lakeformation_svc::revocations::IssuanceRevoker;
use service_kit::auth::wire::{RevocationEvent, RevocationKind, DURABLE_EVENT_GRACE};
use service_kit::auth::RevocationSink;

use crate::common::*;

fn event(
    seq: i64,
    kind: RevocationKind,
    subject: &str,
    at: chrono::DateTime<Utc>,
) -> RevocationEvent {
    RevocationEvent {
        seq,
        kind,
        subject: subject.into(),
        revoked_at: at,
        relevant_until: at + Duration::days(30),
    }
}

/// Whether the key still signs a request that the app accepts.
async fn works(app: &TestApp, key: &Issued) -> bool {
    let (status, body, _) = app
        .get("/v1/p1/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .parts();
    match status {
        StatusCode::OK => true,
        _ => {
            // A key revoked here is a refused signature (`APIGW.0301`); one cut off by
            // iam-svc's revocation feed is refused as its holder's tokens are
            // (`APIG.1002`).
            let code = body["error_code"].as_str().unwrap_or_default();
            assert!(["APIGW.0301", "APIG.1002"].contains(&code), "{body}");
            assert_lf_error(status, &body, 401, code);
            false
        }
    }
}

#[actix_web::test]
async fn a_user_or_project_gone_revokes_its_keys_durably() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let bob = h.token("bob", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let alice_key = issue(&app, &alice, &instance, None).await;
    let bob_key = issue(&app, &bob, &instance, None).await;
    let sink = IssuanceRevoker::new(h.state.pool.clone());

    // Alice is disabled: her key dies, bob's lives.
    let gone = event(1, RevocationKind::UserAccess, "alice-id", Utc::now());
    sink.revoke(vec![gone.clone()]).await.unwrap();
    assert!(!works(&app, &alice_key).await, "alice's key outlived her");
    assert!(works(&app, &bob_key).await, "bob's key went with alice");
    // Again: nothing changes (the first revocation time stays).
    let first = issued_row(&h, &alice_key.access).await.revoked_at;
    sink.revoke(vec![gone]).await.unwrap();
    assert_eq!(issued_row(&h, &alice_key.access).await.revoked_at, first);

    // A key issued after the cutoff (a user re-enabled later) survives the old event.
    let long_ago = Utc::now() - Duration::hours(1);
    let fresh = issue(&app, &alice, &instance, None).await;
    sink.revoke(vec![event(
        2,
        RevocationKind::UserAccess,
        "alice-id",
        long_ago,
    )])
    .await
    .unwrap();
    assert!(
        works(&app, &fresh).await,
        "a later key died for an old event"
    );
    assert!(
        long_ago + DURABLE_EVENT_GRACE < Utc::now(),
        "the test's event must be older than its grace"
    );

    // The project is deleted: every key in it dies.
    sink.revoke(vec![event(3, RevocationKind::Project, PROJECT, Utc::now())])
        .await
        .unwrap();
    assert!(
        !works(&app, &bob_key).await,
        "bob's key outlived its project"
    );
    assert!(!works(&app, &fresh).await);
}

#[actix_web::test]
async fn events_that_revoke_tokens_only_leave_stored_keys_alone() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;
    let sink = IssuanceRevoker::new(h.state.pool.clone());
    sink.revoke(vec![
        event(1, RevocationKind::Token, "some-token", Utc::now()),
        event(2, RevocationKind::User, "alice-id", Utc::now()),
    ])
    .await
    .unwrap();
    assert_eq!(issued_row(&h, &key.access).await.revoked_at, None);
}

#[actix_web::test]
async fn a_lost_role_stops_keys_issued_before_it() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;
    assert!(works(&app, &key).await);
    // What the feed delivers when a grant or a group membership is removed.
    feed_revocation(&h.state.verifier, RevocationKind::User, "alice-id");
    assert!(
        !works(&app, &key).await,
        "the key kept a role its user lost"
    );
    // A project deleted stops keys of that project at once, before any sink ran.
    let bob = h.token("bob", PROJECT, &["member"]);
    let bob_key = issue(&app, &bob, &instance, None).await;
    assert!(works(&app, &bob_key).await);
    feed_revocation(&h.state.verifier, RevocationKind::Project, PROJECT);
    assert!(!works(&app, &bob_key).await);
}

#[actix_web::test]
async fn deleting_an_instance_revokes_its_keys() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let doomed = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let kept = create_instance(&app, &alice, PROJECT, "lake-2").await;
    let doomed_key = issue(&app, &alice, &doomed, None).await;
    let kept_key = issue(&app, &alice, &kept, None).await;
    app.delete(&format!("/v1/{PROJECT}/instances/{doomed}"))
        .token(&alice)
        .await
        .assert_accepted();
    assert!(
        !works(&app, &doomed_key).await,
        "the key outlived its instance"
    );
    assert!(works(&app, &kept_key).await);
}

async fn issued_row(h: &Harness, access: &str) -> repo::Issuance {
    let pool = h.state.pool.clone();
    let access = access.to_string();
    service_kit::db::run(&pool, move |conn| repo::issuance_by_access(conn, &access))
        .await
        .unwrap()
        .expect("issuance row")
}
