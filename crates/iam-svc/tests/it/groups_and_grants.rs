//! `/v3/groups` and role grants: group CRUD, membership, grants on projects and the
//! domain, and how grants show up in (and disappear from) project-scoped logins.

use actix_web::http::StatusCode;
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;

fn project_grant(project: &str, group: &str, role: &str) -> String {
    format!("/v3/projects/{project}/groups/{group}/roles/{role}")
}

fn domain_grant(domain: &str, group: &str, role: &str) -> String {
    format!("/v3/domains/{domain}/groups/{group}/roles/{role}")
}

fn member_role() -> Value {
    json!({
        "id": MEMBER_ROLE_ID, "name": "member", "display_name": "Member",
        "description": "Create and use resources in the scope",
        "type": "AA", "catalog": "BASE", "flag": "fine_grained",
        "policy": { "Version": "1.1", "Statement": [{ "Action": ["*:*:member"], "Effect": "Allow" }] },
        "links": { "self": format!("http://iam.test/v3/roles/{MEMBER_ROLE_ID}"), "previous": null, "next": null },
    })
}

/// A project-scoped login as `user` (password [`USER_PASSWORD`]): status and body.
async fn project_login(app: &TestApp, user: &str, project: &str) -> (StatusCode, Value) {
    let body = password_body(
        bootstrap::DOMAIN,
        user,
        USER_PASSWORD,
        project_scope(project),
    );
    let (status, body, _) = app.post("/v3/auth/tokens").json(&body).await.parts();
    (status, body)
}

#[actix_web::test]
async fn admin_creates_shows_updates_lists_and_deletes_a_group() {
    let (h, app, admin) = Harness::with_admin().await;
    let before = chrono::Utc::now().timestamp_millis();
    let body = json!({ "group": {
        "name": "ops", "description": "Operations", "domain_id": h.boot.domain_id,
    }});
    let body = app
        .post("/v3/groups")
        .token(&admin)
        .json(&body)
        .await
        .assert_created()
        .json();
    let id = body["group"]["id"].as_str().expect("id").to_string();
    let created = body["group"]["create_time"]
        .as_i64()
        .expect("create_time is a JSON integer");
    assert!(
        created >= before - 1 && created <= chrono::Utc::now().timestamp_millis(),
        "{created}"
    );
    assert_eq!(
        body,
        json!({ "group": {
            "id": id, "name": "ops", "domain_id": h.boot.domain_id, "description": "Operations",
            "create_time": created, "links": { "self": format!("http://iam.test/v3/groups/{id}") },
        }})
    );

    let uri = format!("/v3/groups/{id}");
    let body = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(
        body["group"]["links"],
        json!({ "self": format!("http://iam.test{uri}"), "previous": null, "next": null })
    );
    assert_eq!(body["group"]["create_time"], created);

    let body = app
        .patch(&uri)
        .token(&admin)
        .json(&json!({ "group": { "name": "ops-team", "description": "Ops, renamed" } }))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({ "group": {
            "id": id, "name": "ops-team", "domain_id": h.boot.domain_id, "description": "Ops, renamed",
            "create_time": created, "links": { "self": format!("http://iam.test{uri}") },
        }})
    );

    let body = app.get("/v3/groups").token(&admin).await.assert_ok().json();
    let names: Vec<_> = body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    assert_eq!(names, [json!("admins"), json!("ops-team")]);
    assert_eq!(
        body["links"],
        json!({ "self": "http://iam.test/v3/groups", "previous": null, "next": null })
    );
    let (_, body, _) = app
        .get("/v3/groups?name=ops-team")
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["groups"].as_array().expect("groups").len(), 1);
    assert_eq!(body["groups"][0]["id"], id.as_str());

    app.delete(&uri).token(&admin).await.assert_no_content();
    app.get(&uri)
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find group.");
    app.delete(&uri)
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find group.");
}

#[actix_web::test]
async fn a_duplicate_group_name_is_409() {
    let (_h, app, admin) = Harness::with_admin().await;
    app.create_group_as(&admin, "ops").await;
    let dev = app.create_group_as(&admin, "dev").await;
    let message = "A group with that name already exists in the domain.";
    app.post("/v3/groups")
        .token(&admin)
        .json(&json!({ "group": { "name": "ops" } }))
        .await
        .assert_keystone_error(409, message);
    let (status, body, _) = app
        .patch(&format!("/v3/groups/{dev}"))
        .token(&admin)
        .json(&json!({ "group": { "name": "ops" } }))
        .await
        .parts();
    assert_keystone_error(status, &body, 409, message);
}

#[actix_web::test]
async fn invalid_group_fields_are_400() {
    let (_h, app, admin) = Harness::with_admin().await;
    let id = app.create_group_as(&admin, "ops").await;
    let bad_name = "Invalid group name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let cases = [
        (json!({ "group": { "name": "a/b" } }), bad_name),
        (
            json!({ "group": { "name": "ops", "description": "<b>" } }),
            "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters.",
        ),
    ];
    for (body, message) in cases {
        let (status, got, _) = app
            .post("/v3/groups")
            .token(&admin)
            .json(&body)
            .await
            .parts();
        assert_keystone_error(status, &got, 400, message);
        let (status, got, _) = app
            .patch(&format!("/v3/groups/{id}"))
            .token(&admin)
            .json(&body)
            .await
            .parts();
        assert_keystone_error(status, &got, 400, message);
    }
    app.post("/v3/groups")
        .token(&admin)
        .json(&json!({ "group": { "description": "x" } }))
        .await
        .assert_keystone_error(400, "group.name is required");
    app.patch(&format!("/v3/groups/{id}"))
        .token(&admin)
        .json(&json!({ "group": { "domain_id": "elsewhere" } }))
        .await
        .assert_keystone_error(400, "A group cannot move to another domain.");
}

#[actix_web::test]
async fn membership_put_is_idempotent_and_head_and_list_report_it() {
    let (_h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let alice = app.create_user_as(&admin, "alice").await;
    let bob = app.create_user_as(&admin, "bob").await;
    let membership = format!("/v3/groups/{group}/users/{alice}");
    for _ in 0..2 {
        let body = app
            .put(&membership)
            .token(&admin)
            .await
            .assert_no_content()
            .json();
        assert_eq!(body, Value::Null);
    }
    app.request("HEAD", &membership)
        .token(&admin)
        .await
        .assert_no_content();
    app.request("HEAD", &format!("/v3/groups/{group}/users/{bob}"))
        .token(&admin)
        .await
        .assert_not_found();

    let body = app
        .get(&format!("/v3/groups/{group}/users"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    let users = body["users"].as_array().expect("users");
    assert_eq!(users.len(), 1, "{body}");
    assert_eq!(users[0]["id"], alice.as_str());
    assert_eq!(users[0]["name"], "alice");
    assert_eq!(users[0]["pwd_strength"], "Strong");
    let (_, body, _) = app
        .get(&format!("/v3/users/{alice}/groups"))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["groups"].as_array().expect("groups").len(), 1);
    assert_eq!(body["groups"][0]["id"], group.as_str());
}

/// The list's `links.self` must be the address of the list itself.
#[actix_web::test]
async fn group_members_list_links_to_itself() {
    let (_h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let uri = format!("/v3/groups/{group}/users");
    let body = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(
        body,
        json!({ "users": [], "links": { "self": format!("http://iam.test{uri}"), "previous": null, "next": null } })
    );
}

#[actix_web::test]
async fn removing_a_member_is_204_then_404() {
    let (_h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let alice = app.create_user_as(&admin, "alice").await;
    let membership = format!("/v3/groups/{group}/users/{alice}");
    app.put(&membership).token(&admin).await.assert_no_content();
    app.delete(&membership)
        .token(&admin)
        .await
        .assert_no_content();
    let (status, body, _) = app.delete(&membership).token(&admin).await.parts();
    assert_keystone_error(status, &body, 404, "Could not find membership.");
    app.request("HEAD", &membership)
        .token(&admin)
        .await
        .assert_not_found();
    let (_, body, _) = app
        .get(&format!("/v3/groups/{group}/users"))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn membership_of_unknown_group_or_user_is_404() {
    let (_h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let alice = app.create_user_as(&admin, "alice").await;
    let nobody = "0123456789abcdef0123456789abcdef";
    for method in ["PUT", "DELETE", "HEAD"] {
        app.request(method, &format!("/v3/groups/{nobody}/users/{alice}"))
            .token(&admin)
            .await
            .assert_keystone_error(404, "Could not find group.");
    }
    for method in ["PUT", "DELETE", "HEAD"] {
        app.request(method, &format!("/v3/groups/{group}/users/{nobody}"))
            .token(&admin)
            .await
            .assert_keystone_error(404, "Could not find user.");
    }
}

#[actix_web::test]
async fn project_grant_put_head_list_and_delete() {
    let (h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let project = &h.boot.project_id;
    let grant = project_grant(project, &group, MEMBER_ROLE_ID);
    let list = format!("/v3/projects/{project}/groups/{group}/roles");

    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_not_found();
    for _ in 0..2 {
        let body = app
            .put(&grant)
            .token(&admin)
            .await
            .assert_no_content()
            .json();
        assert_eq!(body, Value::Null);
    }
    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_no_content();
    app.request("HEAD", &project_grant(project, &group, READONLY_ROLE_ID))
        .token(&admin)
        .await
        .assert_not_found();

    let body = app.get(&list).token(&admin).await.assert_ok().json();
    assert_eq!(
        body,
        json!({ "roles": [member_role()], "links": { "self": format!("http://iam.test{list}"), "previous": null, "next": null } })
    );

    app.delete(&grant).token(&admin).await.assert_no_content();
    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_not_found();
    let (status, body, _) = app.delete(&grant).token(&admin).await.parts();
    assert_keystone_error(status, &body, 404, "Could not find grant.");
    let (_, body, _) = app.get(&list).token(&admin).await.parts();
    assert_eq!(body["roles"], json!([]));
}

#[actix_web::test]
async fn domain_grant_put_head_list_and_delete() {
    let (h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "auditors").await;
    let domain = &h.boot.domain_id;
    let grant = domain_grant(domain, &group, READONLY_ROLE_ID);
    let list = format!("/v3/domains/{domain}/groups/{group}/roles");

    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_not_found();
    app.put(&grant).token(&admin).await.assert_no_content();
    app.put(&grant).token(&admin).await.assert_no_content();
    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_no_content();
    let body = app.get(&list).token(&admin).await.assert_ok().json();
    let roles: Vec<_> = body["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .map(|r| (r["id"].clone(), r["name"].clone()))
        .collect();
    assert_eq!(roles, [(json!(READONLY_ROLE_ID), json!("readonly"))]);
    assert_eq!(body["links"]["self"], format!("http://iam.test{list}"));

    app.delete(&grant).token(&admin).await.assert_no_content();
    app.request("HEAD", &grant)
        .token(&admin)
        .await
        .assert_not_found();
    app.delete(&grant)
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find grant.");
}

#[actix_web::test]
async fn grants_with_unknown_parts_are_404() {
    let (h, app, admin) = Harness::with_admin().await;
    let group = app.create_group_as(&admin, "ops").await;
    let nobody = "0123456789abcdef0123456789abcdef";
    app.put(&project_grant(&h.boot.project_id, &group, nobody))
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find role.");
    app.put(&domain_grant(&h.boot.domain_id, &group, nobody))
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find role.");
    app.put(&project_grant(nobody, &group, MEMBER_ROLE_ID))
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find project.");
    app.put(&project_grant(&h.boot.project_id, nobody, MEMBER_ROLE_ID))
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find group.");
    let (status, body, _) = app
        .put(&domain_grant(nobody, &group, MEMBER_ROLE_ID))
        .token(&admin)
        .await
        .parts();
    assert_keystone_error(status, &body, 404, "Could not find domain.");
    let (_, body, _) = app
        .get(&format!(
            "/v3/projects/{}/groups/{group}/roles",
            h.boot.project_id
        ))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["roles"], json!([]));
}

#[actix_web::test]
async fn a_granted_member_role_shows_in_the_project_token() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let (status, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["token"]["roles"],
        json!([{ "id": MEMBER_ROLE_ID, "name": "member" }])
    );
    assert_eq!(body["token"]["user"]["id"], member.user_id.as_str());
    assert_eq!(body["token"]["project"]["id"], h.boot.project_id.as_str());
    // Grants of several groups add up.
    let readers = app.create_group_as(&admin, "readers").await;
    app.put(&format!("/v3/groups/{readers}/users/{}", member.user_id))
        .token(&admin)
        .await
        .assert_no_content();
    app.put(&project_grant(
        &h.boot.project_id,
        &readers,
        READONLY_ROLE_ID,
    ))
    .token(&admin)
    .await
    .assert_no_content();
    let (_, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_eq!(
        body["token"]["roles"],
        json!([{ "id": MEMBER_ROLE_ID, "name": "member" }, { "id": READONLY_ROLE_ID, "name": "readonly" }])
    );
}

#[actix_web::test]
async fn removing_the_grant_refuses_the_next_project_login() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let grant = project_grant(&h.boot.project_id, &member.group_id, MEMBER_ROLE_ID);
    app.delete(&grant).token(&admin).await.assert_no_content();
    let (status, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
}

#[actix_web::test]
async fn leaving_the_group_refuses_the_next_project_login() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let membership = format!("/v3/groups/{}/users/{}", member.group_id, member.user_id);
    app.delete(&membership)
        .token(&admin)
        .await
        .assert_no_content();
    let (status, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
}

#[actix_web::test]
async fn deleting_the_group_removes_its_grants() {
    let (h, app, admin) = Harness::with_admin().await;
    app.project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let (_, body, _) = app
        .get("/v3/groups?name=alice-group")
        .token(&admin)
        .await
        .parts();
    let group = body["groups"][0]["id"].as_str().expect("group").to_string();
    app.delete(&format!("/v3/groups/{group}"))
        .token(&admin)
        .await
        .assert_no_content();
    let (status, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
    // A new group with the same name starts without the old grants.
    let again = app.create_group_as(&admin, "alice-group").await;
    let (_, body, _) = app
        .get(&format!(
            "/v3/projects/{}/groups/{again}/roles",
            h.boot.project_id
        ))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["roles"], json!([]));
}

#[actix_web::test]
async fn a_domain_grant_scopes_to_the_domain_and_to_every_project() {
    let (h, app, admin) = Harness::with_admin().await;
    let second = app.create_project_as(&admin, "second").await;
    let alice = app.create_user_as(&admin, "alice").await;
    let group = app.create_group_as(&admin, "readers").await;
    app.put(&format!("/v3/groups/{group}/users/{alice}"))
        .token(&admin)
        .await
        .assert_no_content();
    app.put(&domain_grant(&h.boot.domain_id, &group, READONLY_ROLE_ID))
        .token(&admin)
        .await
        .assert_no_content();
    let body = password_body(
        bootstrap::DOMAIN,
        "alice",
        USER_PASSWORD,
        domain_scope(&h.boot.domain_id),
    );
    let body = app
        .post("/v3/auth/tokens")
        .json(&body)
        .await
        .assert_created()
        .json();
    assert_eq!(
        body["token"]["roles"],
        json!([{ "id": READONLY_ROLE_ID, "name": "readonly" }])
    );
    for project in [&h.boot.project_id, &second] {
        let (status, body) = project_login(&app, "alice", project).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["token"]["roles"],
            json!([{ "id": READONLY_ROLE_ID, "name": "readonly" }])
        );
    }
}

#[actix_web::test]
async fn a_member_may_not_manage_groups_or_grants() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let (g, u) = (&member.group_id, &member.user_id);
    let project_grant_uri = project_grant(&h.boot.project_id, g, ADMIN_ROLE_ID);
    let domain_grant_uri = domain_grant(&h.boot.domain_id, g, ADMIN_ROLE_ID);
    let requests = [
        app.post("/v3/groups")
            .json(&json!({ "group": { "name": "mine" } })),
        app.get("/v3/groups"),
        app.get(&format!("/v3/groups/{g}")),
        app.patch(&format!("/v3/groups/{g}"))
            .json(&json!({ "group": { "name": "mine" } })),
        app.delete(&format!("/v3/groups/{g}")),
        app.get(&format!("/v3/groups/{g}/users")),
        app.put(&format!("/v3/groups/{g}/users/{u}")),
        app.request("HEAD", &format!("/v3/groups/{g}/users/{u}")),
        app.delete(&format!("/v3/groups/{g}/users/{u}")),
        app.put(&project_grant_uri),
        app.request("HEAD", &project_grant_uri),
        app.delete(&project_grant(&h.boot.project_id, g, MEMBER_ROLE_ID)),
        app.get(&format!(
            "/v3/projects/{}/groups/{g}/roles",
            h.boot.project_id
        )),
        app.put(&domain_grant_uri),
        app.get(&format!(
            "/v3/domains/{}/groups/{g}/roles",
            h.boot.domain_id
        )),
    ];
    for req in requests {
        let (status, body, _) = req.token(&member.token).await.parts();
        assert_keystone_error(status, &body, 403, MSG_FORBIDDEN);
    }
    // Still just a member.
    let (_, body) = project_login(&app, "alice", &h.boot.project_id).await;
    assert_eq!(
        body["token"]["roles"],
        json!([{ "id": MEMBER_ROLE_ID, "name": "member" }])
    );
}
