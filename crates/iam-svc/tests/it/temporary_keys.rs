//! Temporary keys (AK/SK + security token) are weaker than what issued them: they never
//! manage identities or credentials in iam-svc, whoever their user is, and read only what
//! concerns their own user.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use iam_svc::schema::{
    access_keys, domain_grants, group_members, project_grants, projects, user_groups, users,
};
use serde_json::{json, Value};

use crate::common::*;

const MSG_TEMPORARY: &str = "Temporary credentials cannot manage identities or credentials, nor read other users' identities or keys; use a permanent access key or a token.";

/// Row counts of every table a management call could change.
fn snapshot(h: &Harness) -> Vec<i64> {
    let mut conn = h.db.pool.get().expect("conn");
    vec![
        users::table.count().get_result(&mut conn).expect("users"),
        user_groups::table
            .count()
            .get_result(&mut conn)
            .expect("groups"),
        group_members::table
            .count()
            .get_result(&mut conn)
            .expect("members"),
        project_grants::table
            .count()
            .get_result(&mut conn)
            .expect("grants"),
        domain_grants::table
            .count()
            .get_result(&mut conn)
            .expect("grants"),
        projects::table
            .count()
            .get_result(&mut conn)
            .expect("projects"),
        access_keys::table
            .count()
            .get_result(&mut conn)
            .expect("keys"),
    ]
}

async fn create_key_for(app: &TestApp, token: &str, user_id: &str) -> String {
    let body = app
        .post("/v3.0/OS-CREDENTIAL/credentials")
        .token(token)
        .json(&json!({ "credential": { "user_id": user_id } }))
        .await
        .assert_created()
        .json();
    body["credential"]["access"]
        .as_str()
        .expect("access")
        .to_string()
}

#[actix_web::test]
async fn a_domain_admins_temporary_key_manages_no_identity_or_credential() {
    let (h, app, admin) = Harness::with_admin().await;
    let victim = app
        .project_member(&admin, "victim", &h.boot.project_id)
        .await;
    let victim_key = create_key_for(&app, &admin, &victim.user_id).await;
    let admin_id = h.boot.user_id.clone();
    let project = h.boot.project_id.clone();
    let domain = h.boot.domain_id.clone();
    let group = victim.group_id.clone();
    let creds = "/v3.0/OS-CREDENTIAL/credentials";
    let cases: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/v3/users".into(),
            json!({ "user": { "name": "minted", "password": USER_PASSWORD } }),
        ),
        (
            "PATCH",
            format!("/v3/users/{}", victim.user_id),
            json!({ "user": { "enabled": false } }),
        ),
        (
            "DELETE",
            format!("/v3/users/{}", victim.user_id),
            Value::Null,
        ),
        (
            "POST",
            format!("/v3/users/{admin_id}/password"),
            json!({ "user": { "original_password": ADMIN_PASSWORD, "password": "N3w-Passw0rd!" } }),
        ),
        (
            "POST",
            "/v3/groups".into(),
            json!({ "group": { "name": "minted" } }),
        ),
        (
            "PATCH",
            format!("/v3/groups/{group}"),
            json!({ "group": { "name": "renamed" } }),
        ),
        ("DELETE", format!("/v3/groups/{group}"), Value::Null),
        (
            "PUT",
            format!("/v3/groups/{group}/users/{admin_id}"),
            Value::Null,
        ),
        (
            "DELETE",
            format!("/v3/groups/{group}/users/{}", victim.user_id),
            Value::Null,
        ),
        (
            "PUT",
            format!("/v3/projects/{project}/groups/{group}/roles/{ADMIN_ROLE_ID}"),
            Value::Null,
        ),
        (
            "DELETE",
            format!("/v3/projects/{project}/groups/{group}/roles/{MEMBER_ROLE_ID}"),
            Value::Null,
        ),
        (
            "PUT",
            format!("/v3/domains/{domain}/groups/{group}/roles/{ADMIN_ROLE_ID}"),
            Value::Null,
        ),
        (
            "POST",
            "/v3/projects".into(),
            json!({ "project": { "name": "minted" } }),
        ),
        (
            "PATCH",
            format!("/v3/projects/{project}"),
            json!({ "project": { "description": "x" } }),
        ),
        ("DELETE", format!("/v3/projects/{project}"), Value::Null),
        (
            "POST",
            creds.into(),
            json!({ "credential": { "user_id": admin_id } }),
        ),
        (
            "POST",
            creds.into(),
            json!({ "credential": { "user_id": victim.user_id } }),
        ),
        (
            "PUT",
            format!("{creds}/{victim_key}"),
            json!({ "credential": { "status": "inactive" } }),
        ),
        ("DELETE", format!("{creds}/{victim_key}"), Value::Null),
        // Reading another user's keys or identity is credential management too.
        (
            "GET",
            format!("{creds}?user_id={}", victim.user_id),
            Value::Null,
        ),
        ("GET", format!("{creds}/{victim_key}"), Value::Null),
        ("GET", format!("/v3/users/{}", victim.user_id), Value::Null),
        ("GET", "/v3/users".into(), Value::Null),
        ("GET", "/v3/groups".into(), Value::Null),
    ];
    let before = snapshot(&h);
    for (method, uri, body) in cases {
        let req = temporary_signed(method, &uri, &body, &admin_id, &project);
        let (status, answer, _) = app.call(req).await.parts();
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {answer}");
        assert_keystone_error(status, &answer, 403, MSG_TEMPORARY);
    }
    assert_eq!(snapshot(&h), before);
    // The same admin's token still may.
    assert_eq!(
        app.get(&format!("{creds}/{victim_key}"))
            .token(&admin)
            .await
            .parts()
            .0,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_readonly_temporary_key_mints_no_permanent_key() {
    let (h, app, admin) = Harness::with_admin().await;
    let reader = app
        .project_member(&admin, "reader", &h.boot.project_id)
        .await;
    let body = json!({ "credential": { "user_id": reader.user_id } });
    let req = temporary_signed(
        "POST",
        "/v3.0/OS-CREDENTIAL/credentials",
        &body,
        &reader.user_id,
        &h.boot.project_id,
    );
    let (status, answer, _) = app.call(req).await.parts();
    assert_keystone_error(status, &answer, 403, MSG_TEMPORARY);
    let mut conn = h.db.pool.get().expect("conn");
    let n: i64 = access_keys::table
        .filter(access_keys::user_id.eq(&reader.user_id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(n, 0);
}

#[actix_web::test]
async fn a_temporary_key_reads_what_concerns_its_own_user() {
    let (h, app, admin) = Harness::with_admin().await;
    let m = app
        .project_member(&admin, "self-reader", &h.boot.project_id)
        .await;
    let key = create_key_for(&app, &m.token, &m.user_id).await;
    let me = m.user_id.clone();
    for uri in [
        format!("/v3/users/{me}"),
        format!("/v3/users/{me}/groups"),
        format!("/v3/users/{me}/projects"),
        "/v3.0/OS-CREDENTIAL/credentials".to_string(),
        format!("/v3.0/OS-CREDENTIAL/credentials/{key}"),
        "/v3/auth/projects".to_string(),
        "/v3/auth/domains".to_string(),
        "/v3/projects".to_string(),
        format!("/v3/projects/{}", h.boot.project_id),
        "/v3/roles".to_string(),
    ] {
        let req = temporary_signed("GET", &uri, &Value::Null, &me, &h.boot.project_id);
        let (status, body, _) = app.call(req).await.parts();
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
}
