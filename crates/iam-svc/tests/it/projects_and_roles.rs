//! `/v3/projects`, `/v3/roles` and the caller's own `/v3/auth/projects` and
//! `/v3/auth/domains`.

use actix_web::http::StatusCode;
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;

fn names(body: &Value, key: &str) -> Vec<String> {
    let Some(items) = body[key].as_array() else {
        panic!("no {key} list in {body}")
    };
    items
        .iter()
        .map(|x| x["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn role_body(id: &str, name: &str, display_name: &str, description: &str) -> Value {
    json!({
        "id": id, "name": name, "display_name": display_name, "description": description,
        "type": "AA", "catalog": "BASE", "flag": "fine_grained",
        "policy": { "Version": "1.1", "Statement": [{ "Action": [format!("*:*:{name}")], "Effect": "Allow" }] },
        "links": { "self": format!("http://iam.test/v3/roles/{id}"), "previous": null, "next": null },
    })
}

fn admin_role() -> Value {
    role_body(
        ADMIN_ROLE_ID,
        "admin",
        "Administrator",
        "Full control of the scope, including identity and credentials of others",
    )
}

fn member_role() -> Value {
    role_body(
        MEMBER_ROLE_ID,
        "member",
        "Member",
        "Create and use resources in the scope",
    )
}

fn readonly_role() -> Value {
    role_body(
        READONLY_ROLE_ID,
        "readonly",
        "Read only",
        "Read resources in the scope",
    )
}

#[actix_web::test]
async fn a_new_projects_parent_defaults_to_its_domain() {
    let (h, app, admin) = Harness::with_admin().await;
    let body = app
        .post("/v3/projects")
        .token(&admin)
        .json(&json!({ "project": { "name": "cn-north-4_dev", "description": "Development" } }))
        .await
        .assert_created()
        .json();
    let id = body["project"]["id"].as_str().expect("id").to_string();
    assert_eq!(
        body,
        json!({ "project": {
            "id": id, "name": "cn-north-4_dev", "domain_id": h.boot.domain_id, "parent_id": h.boot.domain_id,
            "description": "Development", "enabled": true, "is_domain": false,
            "links": { "self": format!("http://iam.test/v3/projects/{id}") },
        }})
    );
    // Naming the domain as parent, as Keystone clients do, is the same thing.
    let body = app
        .post("/v3/projects")
        .token(&admin)
        .json(&json!({ "project": {
            "name": "top", "parent_id": h.boot.domain_id, "domain_id": h.boot.domain_id,
        }}))
        .await
        .assert_created()
        .json();
    assert_eq!(body["project"]["parent_id"], h.boot.domain_id.as_str());
    assert_eq!(body["project"]["description"], "");
}

#[actix_web::test]
async fn a_project_may_have_another_project_as_parent() {
    let (h, app, admin) = Harness::with_admin().await;
    // What huaweicloudsdkiam sends: parent is the admin's project.
    let name = format!("{}_sdk0a1b", bootstrap::PROJECT);
    let body = app.post("/v3/projects").token(&admin).json(&json!({ "project": {
        "name": name, "parent_id": h.boot.project_id, "domain_id": h.boot.domain_id, "description": "made by the SDK",
    }}))
    .await
    .assert_created()
    .json();
    let id = body["project"]["id"].as_str().expect("id").to_string();
    assert_eq!(body["project"]["parent_id"], h.boot.project_id.as_str());
    assert_eq!(body["project"]["domain_id"], h.boot.domain_id.as_str());
    assert_eq!(body["project"]["enabled"], true);
    let uri = format!("/v3/projects?parent_id={}", h.boot.project_id);
    let (_, body, _) = app.get(&uri).token(&admin).await.parts();
    assert_eq!(names(&body, "projects"), [name.as_str()]);
    assert_eq!(body["projects"][0]["id"], id.as_str());
    // The new project is scopable by a user whose group holds a role on it.
    app.project_member(&admin, "alice", &id).await;
}

#[actix_web::test]
async fn an_unknown_or_foreign_parent_is_400() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    for parent in [
        "0123456789abcdef0123456789abcdef",
        other.project_id.as_str(),
        other.domain_id.as_str(),
    ] {
        let (status, body, _) = app
            .post("/v3/projects")
            .token(&admin)
            .json(&json!({ "project": { "name": "orphan", "parent_id": parent } }))
            .await
            .parts();
        assert_keystone_error(
            status,
            &body,
            400,
            "parent_id must be a project of the domain",
        );
    }
    let (_, body, _) = app.get("/v3/projects").token(&admin).await.parts();
    assert_eq!(names(&body, "projects"), [bootstrap::PROJECT]);
}

#[actix_web::test]
async fn a_duplicate_project_name_is_409() {
    let (_h, app, admin) = Harness::with_admin().await;
    let second = app.create_project_as(&admin, "second").await;
    let message = "A project with that name already exists in the domain.";
    app.post("/v3/projects")
        .token(&admin)
        .json(&json!({ "project": { "name": bootstrap::PROJECT } }))
        .await
        .assert_keystone_error(409, message);
    let (status, body, _) = app
        .patch(&format!("/v3/projects/{second}"))
        .token(&admin)
        .json(&json!({ "project": { "name": bootstrap::PROJECT } }))
        .await
        .parts();
    assert_keystone_error(status, &body, 409, message);
    let (_, body, _) = app
        .get(&format!("/v3/projects/{second}"))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["project"]["name"], "second");
}

#[actix_web::test]
async fn invalid_project_fields_are_400() {
    let (h, app, admin) = Harness::with_admin().await;
    let bad_name = "Invalid project name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let bad_description =
        "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters.";
    let project_uri = format!("/v3/projects/{}", h.boot.project_id);
    for (project, message) in [
        (json!({ "name": "a/b" }), bad_name),
        (json!({ "name": "" }), bad_name),
        (
            json!({ "name": "fine", "description": "50% off" }),
            bad_description,
        ),
    ] {
        app.post("/v3/projects")
            .token(&admin)
            .json(&json!({ "project": project }))
            .await
            .assert_keystone_error(400, message);
        app.patch(&project_uri)
            .token(&admin)
            .json(&json!({ "project": project }))
            .await
            .assert_keystone_error(400, message);
    }
}

#[actix_web::test]
async fn admin_lists_every_project_with_filters_and_pages() {
    let (h, app, admin) = Harness::with_admin().await;
    app.create_project_as(&admin, "alpha").await;
    app.create_project_as(&admin, "zulu").await;
    let body = app
        .get("/v3/projects")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(
        names(&body, "projects"),
        ["alpha", bootstrap::PROJECT, "zulu"]
    );
    assert_eq!(
        body["links"],
        json!({ "self": "http://iam.test/v3/projects", "previous": null, "next": null })
    );
    let local = &body["projects"][1];
    assert_eq!(
        local,
        &json!({
            "id": h.boot.project_id, "name": bootstrap::PROJECT, "domain_id": h.boot.domain_id,
            "parent_id": h.boot.domain_id, "description": "Created by iam-svc bootstrap", "enabled": true,
            "is_domain": false,
            "links": { "self": format!("http://iam.test/v3/projects/{}", h.boot.project_id), "previous": null, "next": null },
        })
    );
    let by_domain = format!("/v3/projects?domain_id={}", h.boot.domain_id);
    let cases = [
        ("/v3/projects?name=zulu", vec!["zulu"]),
        ("/v3/projects?enabled=false", vec![]),
        (
            "/v3/projects?enabled=true&per_page=2",
            vec!["alpha", bootstrap::PROJECT],
        ),
        ("/v3/projects?page=2&per_page=2", vec!["zulu"]),
        ("/v3/projects?page=3&per_page=2", vec![]),
        ("/v3/projects?page=2147483647&per_page=2147483647", vec![]),
        (
            by_domain.as_str(),
            vec!["alpha", bootstrap::PROJECT, "zulu"],
        ),
    ];
    for (uri, expected) in cases {
        let (status, body, _) = app.get(uri).token(&admin).await.parts();
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert_eq!(names(&body, "projects"), expected, "{uri}");
    }
    for (uri, message) in [
        (
            "/v3/projects?per_page=0",
            "per_page must be a positive integer",
        ),
        ("/v3/projects?page=-1", "page must be a positive integer"),
        // The document's bound: a page number is a positive 32-bit integer.
        (
            "/v3/projects?page=2147483648",
            "page must be a positive integer",
        ),
        (
            "/v3/projects?enabled=maybe",
            "enabled must be true or false",
        ),
    ] {
        app.get(uri)
            .token(&admin)
            .await
            .assert_keystone_error(400, message);
    }
}

#[actix_web::test]
async fn a_member_lists_only_the_projects_they_hold_a_role_on() {
    let (h, app, admin) = Harness::with_admin().await;
    app.create_project_as(&admin, "hidden").await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let body = app
        .get("/v3/projects")
        .token(&member.token)
        .await
        .assert_ok()
        .json();
    assert_eq!(names(&body, "projects"), [bootstrap::PROJECT]);
    let (_, body, _) = app
        .get("/v3/projects?name=hidden")
        .token(&member.token)
        .await
        .parts();
    assert_eq!(body["projects"], json!([]));
}

#[actix_web::test]
async fn showing_a_project_takes_a_role_on_it() {
    let (h, app, admin) = Harness::with_admin().await;
    let hidden = app.create_project_as(&admin, "hidden").await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.get(&format!("/v3/projects/{hidden}"))
        .token(&member.token)
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    let uri = format!("/v3/projects/{}", h.boot.project_id);
    let body = app.get(&uri).token(&member.token).await.assert_ok().json();
    assert_eq!(body["project"]["id"], h.boot.project_id.as_str());
    assert_eq!(
        body["project"]["links"],
        json!({ "self": format!("http://iam.test{uri}"), "previous": null, "next": null })
    );
    // The domain admin sees every project through the domain grant.
    app.get(&format!("/v3/projects/{hidden}"))
        .token(&admin)
        .await
        .assert_ok();
    app.get("/v3/projects/0123456789abcdef0123456789abcdef")
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find project.");
}

#[actix_web::test]
async fn admin_updates_name_and_description_and_gets_extra() {
    let (h, app, admin) = Harness::with_admin().await;
    let id = app.create_project_as(&admin, "draft").await;
    let uri = format!("/v3/projects/{id}");
    let body = app
        .patch(&uri)
        .token(&admin)
        .json(&json!({ "project": { "name": "final", "description": "Ready" } }))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({ "project": {
            "id": id, "name": "final", "domain_id": h.boot.domain_id, "parent_id": h.boot.domain_id,
            "description": "Ready", "enabled": true, "is_domain": false,
            "links": { "self": format!("http://iam.test{uri}") }, "extra": {},
        }})
    );
    // A partial update leaves the rest alone.
    let body = app
        .patch(&uri)
        .token(&admin)
        .json(&json!({ "project": { "description": "Done" } }))
        .await
        .assert_ok()
        .json();
    assert_eq!(body["project"]["name"], "final");
    let (_, body, _) = app.get(&uri).token(&admin).await.parts();
    assert_eq!(body["project"]["name"], "final");
    assert_eq!(body["project"]["description"], "Done");
}

#[actix_web::test]
async fn a_member_may_not_create_or_update_projects() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let uri = format!("/v3/projects/{}", h.boot.project_id);
    let requests = [
        app.post("/v3/projects")
            .json(&json!({ "project": { "name": "mine" } })),
        app.patch(&uri)
            .json(&json!({ "project": { "name": "mine" } })),
    ];
    for req in requests {
        let (status, body, _) = req.token(&member.token).await.parts();
        assert_keystone_error(status, &body, 403, MSG_FORBIDDEN);
    }
    let (_, body, _) = app.get("/v3/projects").token(&admin).await.parts();
    assert_eq!(names(&body, "projects"), [bootstrap::PROJECT]);
}

#[actix_web::test]
async fn roles_list_holds_the_three_fixed_roles() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    for token in [&admin, &member.token] {
        let body = app.get("/v3/roles").token(token).await.assert_ok().json();
        assert_eq!(
            body,
            json!({
                "roles": [admin_role(), member_role(), readonly_role()],
                "links": { "self": "http://iam.test/v3/roles", "previous": null, "next": null },
                "total_number": 3,
            })
        );
    }
}

#[actix_web::test]
async fn roles_filter_by_name() {
    let (_h, app, admin) = Harness::with_admin().await;
    let body = app
        .get("/v3/roles?name=member")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["roles"], json!([member_role()]));
    assert_eq!(body["total_number"], 1);
    let (_, body, _) = app
        .get("/v3/roles?name=superuser")
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["roles"], json!([]));
    assert_eq!(body["total_number"], 0);
}

#[actix_web::test]
async fn show_role_by_id_and_unknown_is_404() {
    let (_h, app, admin) = Harness::with_admin().await;
    let body = app
        .get(&format!("/v3/roles/{READONLY_ROLE_ID}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(body, json!({ "role": readonly_role() }));
    app.get("/v3/roles/admin")
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find role.");
    app.get(&format!("/v3/roles/{READONLY_ROLE_ID}"))
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn auth_projects_lists_what_the_caller_may_scope_to() {
    let (h, app, admin) = Harness::with_admin().await;
    let hidden = app.create_project_as(&admin, "hidden").await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let links = json!({ "self": "http://iam.test/v3/auth/projects" });

    let body = app
        .get("/v3/auth/projects")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(names(&body, "projects"), ["hidden", bootstrap::PROJECT]);
    assert_eq!(body["links"], links);
    assert_eq!(body["projects"][0]["id"], hidden.as_str());
    assert_eq!(
        body["projects"][0]["links"],
        json!({ "self": format!("http://iam.test/v3/projects/{hidden}") })
    );

    let body = app
        .get("/v3/auth/projects")
        .token(&member.token)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["links"], links);
    assert_eq!(
        body["projects"],
        json!([{
            "id": h.boot.project_id, "name": bootstrap::PROJECT, "domain_id": h.boot.domain_id,
            "parent_id": h.boot.domain_id, "description": "Created by iam-svc bootstrap", "enabled": true,
            "is_domain": false, "links": { "self": format!("http://iam.test/v3/projects/{}", h.boot.project_id) },
        }])
    );
}

#[actix_web::test]
async fn auth_domains_lists_the_callers_own_domain_with_or_without_a_domain_role() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let links = json!({ "self": "http://iam.test/v3/auth/domains" });
    let admins = app
        .get("/v3/auth/domains")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(
        admins,
        json!({
            "domains": [{
                "id": h.boot.domain_id, "name": bootstrap::DOMAIN, "enabled": true,
                "description": "Created by iam-svc bootstrap",
                "links": { "self": format!("http://iam.test/v3/domains/{}", h.boot.domain_id) },
            }],
            "links": links,
        })
    );
    let body = app
        .get("/v3/auth/domains")
        .token(&member.token)
        .await
        .assert_ok()
        .json();
    assert_eq!(body, admins);
}

#[actix_web::test]
async fn a_users_projects_are_those_their_groups_hold_roles_on() {
    let (h, app, admin) = Harness::with_admin().await;
    app.create_project_as(&admin, "hidden").await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let uri = format!("/v3/users/{}/projects", member.user_id);
    for token in [&member.token, &admin] {
        let body = app.get(&uri).token(token).await.assert_ok().json();
        assert_eq!(names(&body, "projects"), [bootstrap::PROJECT]);
    }
    let admin_uri = format!("/v3/users/{}/projects", h.boot.user_id);
    app.get(&admin_uri)
        .token(&member.token)
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
}

/// The list's `links.self` must be the address of the list itself.
#[actix_web::test]
async fn a_users_projects_list_links_to_itself() {
    let (h, app, admin) = Harness::with_admin().await;
    let uri = format!("/v3/users/{}/projects", h.boot.user_id);
    let body = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(
        body["links"],
        json!({ "self": format!("http://iam.test{uri}"), "previous": null, "next": null })
    );
}
