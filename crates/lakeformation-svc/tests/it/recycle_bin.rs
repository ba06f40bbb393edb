//! The recycle bin: a delete with `to_recycle_bin=true` keeps the instance, frozen and
//! shown as such, listed only with `in_recycle_bin=true`, issuing nothing, until it is
//! recovered (`POST .../recover`) or deleted for good.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use lakeformation_svc::schema::{instance_tags, issuances};
use serde_json::{json, Value};

use crate::common::*;

fn one(id: &str) -> String {
    format!("/v1/{PROJECT}/instances/{id}")
}

async fn to_bin(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    let (status, body, _) = app
        .delete(&format!("{}?to_recycle_bin=true", one(id)))
        .token(token)
        .await
        .parts();
    (status, body)
}

async fn recover(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(&format!("{}/recover", one(id)))
        .token(token)
        .await
        .parts();
    (status, body)
}

async fn show(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    let (status, body, _) = app.get(&one(id)).token(token).await.parts();
    (status, body)
}

/// The ids a listing with `query` shows.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let list = app
        .get(&format!("/v1/{PROJECT}/instances?{query}"))
        .token(token)
        .await
        .assert_ok()
        .json();
    assert_eq!(list["total"], list["instances"].as_array().unwrap().len());
    list["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["instance_id"].as_str().unwrap().to_string())
        .collect()
}

/// Whether the temporary key still signs a request the app accepts.
async fn signs(app: &TestApp, key: &Issued) -> bool {
    let (status, body, _) = app
        .get(&format!("/v1/{PROJECT}/instances"))
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .parts();
    if status == StatusCode::OK {
        return true;
    }
    assert_lf_error(status, &body, 401, "APIGW.0301");
    false
}

/// Issued through instance `id`: every credential, and whether each is revoked.
fn issued_through(h: &Harness, id: &str) -> Vec<bool> {
    let mut conn = h.db.pool.get().unwrap();
    issuances::table
        .filter(issuances::instance_id.eq(id))
        .select(issuances::revoked_at.is_not_null())
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn a_recycled_instance_is_kept_frozen_until_recovered() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let id = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let other = create_instance(&app, &alice, PROJECT, "lake-2").await;
    let key = issue(&app, &alice, &id, None).await;
    let bystander = issue(&app, &alice, &other, None).await;
    let (_, before) = show(&app, &alice, &id).await;

    let (status, body) = to_bin(&app, &alice, &id).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Kept, shown as frozen and in the recycle bin.
    let (status, recycled) = show(&app, &alice, &id).await;
    assert_eq!(status, StatusCode::OK, "{recycled}");
    assert_eq!(recycled["in_recycle_bin"], true);
    assert_eq!(recycled["status"], "FROZEN_RELEASABLE");
    assert_eq!(recycled["name"], before["name"]);
    // Listed in the recycle bin only.
    assert_eq!(listed(&app, &alice, "").await, [other.as_str()]);
    assert_eq!(
        listed(&app, &alice, "in_recycle_bin=false").await,
        [other.as_str()]
    );
    assert_eq!(
        listed(&app, &alice, "in_recycle_bin=true").await,
        [id.as_str()]
    );
    // Its keys are revoked; another instance's are not.
    assert!(!signs(&app, &key).await);
    assert!(signs(&app, &bystander).await);
    // Frozen: no key, no change, no second trip to the bin; its name stays taken.
    let (status, body) = request_credential(&app, &alice, PROJECT, &id, None).await;
    assert_lf_error(status, &body, 409, "common.01000006");
    assert_eq!(issued_through(&h, &id), [true]);
    let (status, body, _) = app
        .put(&one(&id))
        .token(&alice)
        .json(&json!({"description": "x"}))
        .await
        .parts();
    assert_lf_error(status, &body, 409, "common.01000006");
    let (status, body) = to_bin(&app, &alice, &id).await;
    assert_lf_error(status, &body, 409, "common.01000006");
    let (status, body, _) = app
        .post(&format!("/v1/{PROJECT}/instances"))
        .token(&alice)
        .json(&json!({"name": "lake-1"}))
        .await
        .parts();
    assert_lf_error(status, &body, 409, "common.01000006");
    assert_eq!(show(&app, &alice, &id).await.1, recycled);

    // Recovered: running again, out of the bin; the revoked key stays revoked.
    let (status, recovered) = recover(&app, &alice, &id).await;
    assert_eq!(status, StatusCode::OK, "{recovered}");
    assert_eq!(
        (&recovered["in_recycle_bin"], &recovered["status"]),
        (&json!(false), &json!("RUNNING"))
    );
    assert_eq!(show(&app, &alice, &id).await.1, recovered);
    assert_eq!(
        listed(&app, &alice, "in_recycle_bin=true").await,
        Vec::<String>::new()
    );
    assert!(!signs(&app, &key).await);
    let fresh = issue(&app, &alice, &id, None).await;
    assert!(signs(&app, &fresh).await);
    // Recovering what is not in the bin is a conflict.
    let (status, body) = recover(&app, &alice, &id).await;
    assert_lf_error(status, &body, 409, "common.01000006");
}

#[actix_web::test]
async fn a_delete_without_the_flag_removes_a_recycled_instance_for_good() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let created = app
        .post(&format!("/v1/{PROJECT}/instances"))
        .token(&alice)
        .json(&json!({"name": "lake-1", "tags": [{"key": "k", "value": "v"}]}))
        .await
        .assert_accepted()
        .json();
    let id = created["instance_id"].as_str().unwrap().to_string();
    assert_eq!(to_bin(&app, &alice, &id).await.0, StatusCode::ACCEPTED);
    // A flag is true or false; anything else is refused and keeps the instance.
    for query in ["to_recycle_bin=1", "to_recycle_bin=TRUE", "to_recycle_bin="] {
        let (status, body, _) = app
            .delete(&format!("{}?{query}", one(&id)))
            .token(&alice)
            .await
            .parts();
        assert_lf_error(status, &body, 400, "common.01000001");
    }
    app.delete(&format!("{}?to_recycle_bin=false", one(&id)))
        .token(&alice)
        .await
        .assert_accepted();
    let (status, body) = show(&app, &alice, &id).await;
    assert_lf_error(status, &body, 404, "common.01000001");
    let (status, body) = recover(&app, &alice, &id).await;
    assert_lf_error(status, &body, 404, "common.01000001");
    let mut conn = h.db.pool.get().unwrap();
    let tags: i64 = instance_tags::table.count().get_result(&mut conn).unwrap();
    assert_eq!(tags, 0, "the tags went with the instance");
}

#[actix_web::test]
async fn only_a_writer_of_the_project_recycles_and_recovers() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let reader = h.token("rita", PROJECT, &["readonly"]);
    let zed = h.token("zed", OTHER_PROJECT, &["admin"]);
    let id = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let (status, body) = to_bin(&app, &reader, &id).await;
    assert_lf_error(status, &body, 403, "403");
    assert_eq!(show(&app, &alice, &id).await.1["in_recycle_bin"], false);
    assert_eq!(to_bin(&app, &alice, &id).await.0, StatusCode::ACCEPTED);
    let (status, body) = recover(&app, &reader, &id).await;
    assert_lf_error(status, &body, 403, "403");
    // Another project sees no such instance from its own path, and may not use ours.
    let (status, body, _) = app
        .post(&format!("/v1/{OTHER_PROJECT}/instances/{id}/recover"))
        .token(&zed)
        .await
        .parts();
    assert_lf_error(status, &body, 404, "common.01000001");
    let (status, body) = recover(&app, &zed, &id).await;
    assert_lf_error(status, &body, 403, "403");
    // A recover takes no body but `{}`.
    let (status, body, _) = app
        .post(&format!("{}/recover", one(&id)))
        .token(&alice)
        .json(&json!({"force": true}))
        .await
        .parts();
    assert_lf_error(status, &body, 400, "common.01000001");
    assert_eq!(show(&app, &alice, &id).await.1["in_recycle_bin"], true);
    let (status, body, _) = app
        .post(&format!("{}/recover", one(&id)))
        .token(&alice)
        .json(&json!({}))
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Keys issued while the instance goes to the recycle bin: each is either refused or
/// recorded before the move, and then revoked by it. None outlives the move.
#[actix_web::test]
async fn no_key_issued_during_a_recycle_survives_it() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let id = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let issues = (0..12).map(|_| request_credential(&app, &alice, PROJECT, &id, None));
    let recycle = async { vec![to_bin(&app, &alice, &id).await] };
    let (answers, recycled) = futures_util::future::join(join_all(issues), recycle).await;
    let (status, body) = &recycled[0];
    assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
    let mut granted = 0;
    for (status, body) in answers {
        match status.as_u16() {
            200 => granted += 1,
            _ => assert_lf_error(status, &body, 409, "common.01000006"),
        }
    }
    let through = issued_through(&h, &id);
    assert_eq!(through.len(), granted);
    assert!(through.iter().all(|revoked| *revoked), "{through:?}");
}
