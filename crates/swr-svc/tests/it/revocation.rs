//! Off-boarding: when iam-svc says a user or project is gone, the revocation sink kills
//! their stored credentials for good: registry login refuses them, the enable API cannot
//! bring them back, and applying the same event again changes nothing. Credentials made
//! after the event's cutoff are not touched.

use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use service_kit::auth::wire::{RevocationEvent, RevocationKind, DURABLE_EVENT_RELEVANCE};
use service_kit::auth::RevocationSink;
use swr_svc::revocation::StoredRevocations;
use swr_svc::schema::{credentials, instances};

use crate::common::*;

const SERVICE: &str = "swr-registry";

fn login<'a>(app: &'a TestApp, user: &str, password: &str) -> TestCall<'a> {
    token_request(app, &format!("service={SERVICE}"), user, password)
}

fn event(kind: RevocationKind, subject: &str, ago: Duration) -> RevocationEvent {
    let revoked_at = Utc::now() - ago;
    RevocationEvent {
        seq: 1,
        kind,
        subject: subject.into(),
        revoked_at,
        relevant_until: revoked_at + DURABLE_EVENT_RELEVANCE,
    }
}

/// A credential as the create call answered it.
struct Made {
    id: String,
    user: String,
    password: String,
}

async fn make(
    app: &TestApp,
    token: &str,
    project: &str,
    instance: &str,
    name: Option<&str>,
) -> Made {
    let base = format!("/v2/{project}/instances/{instance}");
    let req = match name {
        Some(name) => app
            .post(&format!("{base}/long-term-credential"))
            .json(&json!({ "name": name })),
        None => app.post(&format!("{base}/temp-credential")),
    };
    let body = req.token(token).await.assert_created().json();
    let field = |name: &str| body[name].as_str().unwrap().to_string();
    Made {
        id: field("token_id"),
        user: field("user_id"),
        password: field("auth_token"),
    }
}

/// Move the credentials' creation `by` into the past, as if made then.
fn backdate(h: &Harness, ids: &[&str], by: Duration) {
    let mut conn = h.db.pool.get().unwrap();
    for id in ids {
        let at: NaiveDateTime = credentials::table
            .find(*id)
            .select(credentials::created_at)
            .first(&mut conn)
            .unwrap();
        diesel::update(credentials::table.find(*id))
            .set(credentials::created_at.eq(at - by))
            .execute(&mut conn)
            .unwrap();
    }
}

fn revoked_at(h: &Harness, id: &str) -> Option<NaiveDateTime> {
    let mut conn = h.db.pool.get().unwrap();
    credentials::table
        .find(id)
        .select(credentials::revoked_at)
        .first(&mut conn)
        .unwrap()
}

async fn logs_in(app: &TestApp, made: &Made) -> bool {
    let (status, body, _) = login(app, &made.user, &made.password).await.parts();
    match status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("login answered {other}: {body}"),
    }
}

#[actix_web::test]
async fn a_user_gone_loses_every_credential_made_before_the_cutoff() {
    let (h, app) = Harness::start().await;
    let sink: Arc<dyn RevocationSink> = Arc::new(StoredRevocations::new(h.db.pool.clone()));
    let admin = h.token("adam", PROJECT, &["admin"]);
    let carol = h.token("carol", PROJECT, &["member"]);
    let bob = h.token("bob", PROJECT, &["member"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let long_term = make(&app, &carol, PROJECT, &instance, Some("ci")).await;
    let temporary = make(&app, &carol, PROJECT, &instance, None).await;
    let bobs = make(&app, &bob, PROJECT, &instance, Some("ci")).await;
    backdate(
        &h,
        &[&long_term.id, &temporary.id, &bobs.id],
        Duration::minutes(10),
    );
    // Made after the cutoff (the event's time plus its grace): survives.
    let later = make(&app, &carol, PROJECT, &instance, Some("later")).await;
    for made in [&long_term, &temporary, &bobs, &later] {
        assert!(logs_in(&app, made).await);
    }

    let gone = event(RevocationKind::UserAccess, "carol-id", Duration::minutes(5));
    sink.revoke(vec![gone.clone()]).await.unwrap();
    assert!(!logs_in(&app, &long_term).await);
    assert!(!logs_in(&app, &temporary).await);
    assert!(logs_in(&app, &bobs).await, "another user's credential");
    assert!(logs_in(&app, &later).await, "made after the cutoff");
    let first = revoked_at(&h, &long_term.id);
    assert!(first.is_some());
    assert!(revoked_at(&h, &temporary.id).is_some());
    assert_eq!(revoked_at(&h, &later.id), None);

    // No API call brings it back; the list says what happened.
    let one = format!(
        "/v2/{PROJECT}/instances/{instance}/long-term-credentials/{}",
        long_term.id
    );
    for enable in [true, false] {
        let (status, body, _) = app
            .put(&one)
            .token(&admin)
            .json(&json!({ "enable": enable }))
            .await
            .parts();
        assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
    }
    assert!(!logs_in(&app, &long_term).await);
    let list = format!("/v2/{PROJECT}/instances/{instance}/long-term-credentials?self_only=false");
    let (_, listed, _) = app.get(&list).token(&admin).await.parts();
    let status_of = |id: &str| -> Value {
        listed["auth_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["token_id"] == id)
            .map(|t| t["status"].clone())
            .unwrap()
    };
    assert_eq!(status_of(&long_term.id), "revoked");
    assert_eq!(status_of(&later.id), "active");

    // Again (the feed may deliver an event twice, or a later one for the same user):
    // nothing changes.
    sink.revoke(vec![gone]).await.unwrap();
    assert_eq!(revoked_at(&h, &long_term.id), first);
    assert_eq!(revoked_at(&h, &later.id), None);
    assert!(logs_in(&app, &later).await);
}

#[actix_web::test]
async fn a_project_gone_takes_its_instances_and_their_credentials() {
    let (h, app) = Harness::start().await;
    let sink: Arc<dyn RevocationSink> = Arc::new(StoredRevocations::new(h.db.pool.clone()));
    let admin = h.token("adam", PROJECT, &["admin"]);
    let other = h.token("olga", OTHER_PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let elsewhere = create_instance(&app, &other, OTHER_PROJECT, "registry").await;
    let long_term = make(&app, &admin, PROJECT, &instance, Some("ci")).await;
    let temporary = make(&app, &admin, PROJECT, &instance, None).await;
    let kept = make(&app, &other, OTHER_PROJECT, &elsewhere, Some("ci")).await;

    let gone = event(RevocationKind::Project, PROJECT, Duration::zero());
    sink.revoke(vec![gone.clone()]).await.unwrap();
    sink.revoke(vec![gone]).await.unwrap();
    assert!(!logs_in(&app, &long_term).await);
    assert!(!logs_in(&app, &temporary).await);
    assert!(logs_in(&app, &kept).await, "another project's credential");
    assert!(revoked_at(&h, &long_term.id).is_some());
    assert!(revoked_at(&h, &temporary.id).is_some());
    assert_eq!(revoked_at(&h, &kept.id), None);
    let mut conn = h.db.pool.get().unwrap();
    let statuses: Vec<(String, String)> = instances::table
        .select((instances::id, instances::status))
        .load(&mut conn)
        .unwrap();
    drop(conn);
    for (id, status) in statuses {
        let want = if id == instance { "Revoked" } else { "Running" };
        assert_eq!(status, want, "{id}");
    }
    // Even a credential written in after the event cannot log in to the instance.
    let mut conn = h.db.pool.get().unwrap();
    diesel::update(credentials::table.find(&long_term.id))
        .set(credentials::revoked_at.eq(None::<NaiveDateTime>))
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    assert!(!logs_in(&app, &long_term).await);
}
