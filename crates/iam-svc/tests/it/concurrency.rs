//! Invariants under concurrent requests, on a database several connections share (a SQLite
//! file or a PostgreSQL schema). The requests are driven with `join_all` on one task: the
//! test service is not `Send`, but each handler's database work runs on the blocking pool,
//! so the writes really do overlap.

use std::future::IntoFuture;

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use iam_svc::schema::{group_members, project_grants, users};
use serde_json::json;
use service_kit::testing::TestResponse;

use crate::common::*;

const N: usize = 20;

fn tally(results: &[TestResponse]) -> Vec<(u16, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for res in results {
        *counts.entry(res.status().as_u16()).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

fn bodies(results: &[TestResponse]) -> Vec<String> {
    results
        .iter()
        .map(|res| format!("{} {}", res.status(), res.json()))
        .collect()
}

#[actix_web::test]
async fn concurrent_creates_of_one_user_name_make_exactly_one_user() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let results = join_all((0..N).map(|_| {
        app.post("/v3/users")
            .token(&admin)
            .json(&json!({ "user": { "name": "racer", "password": USER_PASSWORD } }))
            .into_future()
    }))
    .await;
    assert_eq!(
        tally(&results),
        vec![(201, 1), (409, N - 1)],
        "{:#?}",
        bodies(&results)
    );
    for res in results
        .iter()
        .filter(|r| r.status() == StatusCode::CONFLICT)
    {
        res.clone()
            .assert_keystone_error(409, "A user named racer already exists in the domain.");
    }
    let created = results
        .iter()
        .find(|r| r.status() == StatusCode::CREATED)
        .expect("one 201");
    let created_id = created.json()["user"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let mut conn = h.db.pool.get().expect("conn");
    let ids: Vec<String> = users::table
        .filter(users::domain_id.eq(&h.boot.domain_id))
        .filter(users::name.eq("racer"))
        .select(users::id)
        .load(&mut conn)
        .expect("query");
    assert_eq!(ids, vec![created_id]);
}

#[actix_web::test]
async fn concurrent_puts_of_one_membership_all_succeed_with_one_row() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let user_id = app.create_user_as(&admin, "joiner").await;
    let group_id = app.create_group_as(&admin, "crowd").await;
    let uri = format!("/v3/groups/{group_id}/users/{user_id}");
    let results = join_all((0..N).map(|_| app.put(&uri).token(&admin).into_future())).await;
    assert_eq!(tally(&results), vec![(204, N)], "{:#?}", bodies(&results));

    let mut conn = h.db.pool.get().expect("conn");
    let rows: i64 = group_members::table
        .filter(group_members::group_id.eq(&group_id))
        .filter(group_members::user_id.eq(&user_id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(rows, 1);
    app.request(actix_web::http::Method::HEAD, &uri)
        .token(&admin)
        .await
        .assert_no_content();
}

#[actix_web::test]
async fn concurrent_puts_of_one_grant_all_succeed_with_one_row() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let group_id = app.create_group_as(&admin, "granted").await;
    let project_id = &h.boot.project_id;
    let uri = format!("/v3/projects/{project_id}/groups/{group_id}/roles/{MEMBER_ROLE_ID}");
    let results = join_all((0..N).map(|_| app.put(&uri).token(&admin).into_future())).await;
    assert_eq!(tally(&results), vec![(204, N)], "{:#?}", bodies(&results));

    let mut conn = h.db.pool.get().expect("conn");
    let rows: i64 = project_grants::table
        .filter(project_grants::project_id.eq(project_id))
        .filter(project_grants::group_id.eq(&group_id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(rows, 1);
}

/// Twenty PATCHes of one user: every one must succeed (last writer wins).
async fn updates_of_one_user(h: &Harness) {
    let app = &h.app;
    let admin = app.admin_token(h).await;
    let user_id = app.create_user_as(&admin, "edited").await;
    let uri = format!("/v3/users/{user_id}");
    let results = join_all((0..N).map(|n| {
        app.patch(&uri)
            .token(&admin)
            .json(&json!({ "user": { "description": format!("edit {n}") } }))
            .into_future()
    }))
    .await;
    assert_eq!(tally(&results), vec![(200, N)], "{:#?}", bodies(&results));
}

/// Twenty DELETEs of one user: one deletes it, the others find nothing.
async fn deletes_of_one_user(h: &Harness) {
    let app = &h.app;
    let admin = app.admin_token(h).await;
    let user_id = app.create_user_as(&admin, "doomed").await;
    let uri = format!("/v3/users/{user_id}");
    let results = join_all((0..N).map(|_| app.delete(&uri).token(&admin).into_future())).await;
    assert_eq!(
        tally(&results),
        vec![(204, 1), (404, N - 1)],
        "{:#?}",
        bodies(&results)
    );
}

// User edits read then write; on SQLite they must take the write lock up front
// (`write_transaction`), or two deferred transactions both read and neither may upgrade
// ("database is locked" at once, a 503). A DELETE that lost the race deletes nothing
// and must say 404, not 204.

#[actix_web::test]
async fn concurrent_updates_of_one_user_all_succeed() {
    updates_of_one_user(&Harness::shared().await).await;
}

#[actix_web::test]
async fn concurrent_deletes_of_one_user_delete_it_once() {
    deletes_of_one_user(&Harness::shared().await).await;
}
