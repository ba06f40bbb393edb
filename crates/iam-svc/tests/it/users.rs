//! `/v3/users`: an admin's CRUD, the rules on names and passwords, what a plain member may
//! do, password changes and the tokens they revoke, and isolation between domains.

use actix_web::test::TestRequest;
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;

const NEW_PASSWORD: &str = "N3w-Passw0rd!";

fn user_uri(id: &str) -> String {
    format!("/v3/users/{id}")
}

/// A request with `token` that must answer 401 (the token is revoked).
async fn assert_refused(app: &TestApp, token: &str) {
    app.get("/v3/auth/projects")
        .token(token)
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn admin_creates_a_user_and_gets_its_fields() {
    let (h, app, admin) = Harness::with_admin().await;
    let body = app.post("/v3/users").token(&admin).json(&json!({ "user": {
        "name": "alice", "domain_id": h.boot.domain_id, "password": USER_PASSWORD, "description": "Alice of ops",
    }}))
    .await
    .assert_created()
    .json();
    let id = body["user"]["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(
        body,
        json!({ "user": {
            "id": id, "name": "alice", "domain_id": h.boot.domain_id, "description": "Alice of ops",
            "enabled": true, "pwd_status": true, "password_expires_at": null, "last_project_id": null,
            "access_mode": "default", "links": { "self": format!("http://iam.test/v3/users/{id}") },
        }})
    );
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn admin_shows_a_user_with_full_links() {
    let (h, app, admin) = Harness::with_admin().await;
    let id = app.create_user_as(&admin, "alice").await;
    let body = app
        .get(&user_uri(&id))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({ "user": {
            "id": id, "name": "alice", "domain_id": h.boot.domain_id, "description": "",
            "enabled": true, "pwd_status": true, "password_expires_at": null, "last_project_id": null,
            "access_mode": "default",
            "links": { "self": format!("http://iam.test/v3/users/{id}"), "previous": null, "next": null },
        }})
    );
}

#[actix_web::test]
async fn admin_lists_users_filtered_by_name_and_enabled() {
    let (_h, app, admin) = Harness::with_admin().await;
    let alice = app.create_user_as(&admin, "alice").await;
    let body = app
        .post("/v3/users")
        .token(&admin)
        .json(&json!({ "user": { "name": "bob", "enabled": false } }))
        .await
        .assert_created()
        .json();
    let bob = body["user"]["id"].as_str().expect("id").to_string();

    let names = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .expect("users")
            .iter()
            .map(|u| u["name"].as_str().expect("name").to_string())
            .collect()
    };
    let body = app.get("/v3/users").token(&admin).await.assert_ok().json();
    assert_eq!(names(&body), ["admin", "alice", "bob"]);
    assert_eq!(
        body["links"],
        json!({ "self": "http://iam.test/v3/users", "previous": null, "next": null })
    );
    let listed_alice = &body["users"][1];
    assert_eq!(listed_alice["id"], alice.as_str());
    assert_eq!(listed_alice["pwd_strength"], "Strong");
    assert_eq!(listed_alice["enabled"], true);

    let (_, body, _) = app.get("/v3/users?name=alice").token(&admin).await.parts();
    assert_eq!(names(&body), ["alice"]);
    let (_, body, _) = app
        .get("/v3/users?enabled=false")
        .token(&admin)
        .await
        .parts();
    assert_eq!(names(&body), ["bob"]);
    assert_eq!(body["users"][0]["id"], bob.as_str());
    assert_eq!(body["users"][0]["enabled"], false);
    let (_, body, _) = app
        .get("/v3/users?enabled=true")
        .token(&admin)
        .await
        .parts();
    assert_eq!(names(&body), ["admin", "alice"]);
    let (_, body, _) = app.get("/v3/users?name=nobody").token(&admin).await.parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn admin_updates_name_description_and_enabled() {
    let (h, app, admin) = Harness::with_admin().await;
    let id = app.create_user_as(&admin, "alice").await;
    let body = app
        .patch(&user_uri(&id))
        .token(&admin)
        .json(&json!({ "user": {
            "name": "alice.b", "description": "renamed", "enabled": false, "pwd_status": false,
        }}))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({ "user": {
            "id": id, "name": "alice.b", "domain_id": h.boot.domain_id, "description": "renamed",
            "enabled": false, "pwd_status": false, "password_expires_at": null, "last_project_id": null,
            "access_mode": "default", "links": { "self": format!("http://iam.test/v3/users/{id}") },
        }})
    );
    let (_, shown, _) = app.get(&user_uri(&id)).token(&admin).await.parts();
    assert_eq!(shown["user"]["name"], "alice.b");
    assert_eq!(shown["user"]["description"], "renamed");
    assert_eq!(shown["user"]["enabled"], false);
    assert_eq!(
        shown["user"]["pwd_status"], false,
        "the admin's flag is kept"
    );

    // And set again: the flag is the admin's to set both ways; a missing one stays.
    for (sent, kept) in [
        (json!({ "pwd_status": true }), true),
        (json!({ "description": "x" }), true),
    ] {
        let body = app
            .patch(&user_uri(&id))
            .token(&admin)
            .json(&json!({ "user": sent }))
            .await;
        assert_eq!(body.assert_ok().json()["user"]["pwd_status"], kept);
    }
}

#[actix_web::test]
async fn a_users_own_password_change_clears_the_must_change_flag() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let must_change = || async {
        let shown = app.get(&user_uri(&member.user_id)).token(&admin).await;
        shown.assert_ok().json()["user"]["pwd_status"].clone()
    };
    assert_eq!(
        must_change().await,
        true,
        "a new user must change the password"
    );
    app.post(&format!("/v3/users/{}/password", member.user_id))
        .token(&member.token)
        .json(&json!({ "user": { "original_password": USER_PASSWORD, "password": NEW_PASSWORD } }))
        .await
        .assert_no_content();
    assert_eq!(must_change().await, false);
    // An admin's new password for the user leaves the flag as the admin sets it.
    app.patch(&user_uri(&member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "password": USER_PASSWORD, "pwd_status": true } }))
        .await
        .assert_ok();
    assert_eq!(must_change().await, true);
}

#[actix_web::test]
async fn admin_sets_a_password_and_the_users_old_tokens_die() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.patch(&user_uri(&member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "password": NEW_PASSWORD } }))
        .await
        .assert_ok();
    assert_refused(&app, &member.token).await;
    app.post("/v3/auth/tokens")
        .json(&password_body(
            bootstrap::DOMAIN,
            "alice",
            USER_PASSWORD,
            Value::Null,
        ))
        .await
        .assert_keystone_error(401, MSG_LOGIN_FAILED);
    app.login(
        bootstrap::DOMAIN,
        "alice",
        NEW_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;
    // The admin's own token is untouched.
    app.get("/v3/users").token(&admin).await.assert_ok();
}

#[actix_web::test]
async fn admin_disabling_a_user_revokes_their_tokens() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.patch(&user_uri(&member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "enabled": false } }))
        .await
        .assert_ok();
    assert_refused(&app, &member.token).await;
    // Enabling again lets them log in anew.
    app.patch(&user_uri(&member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "enabled": true } }))
        .await
        .assert_ok();
    app.login(
        bootstrap::DOMAIN,
        "alice",
        USER_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;
}

#[actix_web::test]
async fn admin_deletes_a_user_then_it_is_404_and_its_tokens_die() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let body = app
        .delete(&user_uri(&member.user_id))
        .token(&admin)
        .await
        .assert_no_content()
        .json();
    assert_eq!(body, Value::Null);
    app.get(&user_uri(&member.user_id))
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find user.");
    let (status, body, _) = app
        .delete(&user_uri(&member.user_id))
        .token(&admin)
        .await
        .parts();
    assert_keystone_error(status, &body, 404, "Could not find user.");
    assert_refused(&app, &member.token).await;
    let (_, body, _) = app
        .get(&format!("/v3/groups/{}/users", member.group_id))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn a_duplicate_user_name_is_409() {
    let (_h, app, admin) = Harness::with_admin().await;
    app.create_user_as(&admin, "alice").await;
    let bob = app.create_user_as(&admin, "bob").await;
    let (status, body, _) = app
        .post("/v3/users")
        .token(&admin)
        .json(&json!({ "user": { "name": "alice" } }))
        .await
        .parts();
    assert_keystone_error(
        status,
        &body,
        409,
        "A user named alice already exists in the domain.",
    );
    let (status, body, _) = app
        .patch(&user_uri(&bob))
        .token(&admin)
        .json(&json!({ "user": { "name": "alice" } }))
        .await
        .parts();
    assert_keystone_error(
        status,
        &body,
        409,
        "A user with that name already exists in the domain.",
    );
    let (_, body, _) = app.get(&user_uri(&bob)).token(&admin).await.parts();
    assert_eq!(body["user"]["name"], "bob");
}

#[actix_web::test]
async fn invalid_user_names_are_400() {
    let (_h, app, admin) = Harness::with_admin().await;
    let id = app.create_user_as(&admin, "alice").await;
    let message =
        "Invalid user name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let long = "a".repeat(65);
    for bad in [
        "",
        " lead",
        "trail ",
        "sl/ash",
        "semi;colon",
        "ünï",
        long.as_str(),
    ] {
        app.post("/v3/users")
            .token(&admin)
            .json(&json!({ "user": { "name": bad } }))
            .await
            .assert_keystone_error(400, message);
        let (status, body, _) = app
            .patch(&user_uri(&id))
            .token(&admin)
            .json(&json!({ "user": { "name": bad } }))
            .await
            .parts();
        assert_keystone_error(status, &body, 400, message);
    }
    let (_, body, _) = app.get("/v3/users").token(&admin).await.parts();
    assert_eq!(body["users"].as_array().expect("users").len(), 2);
}

#[actix_web::test]
async fn invalid_descriptions_are_400() {
    let (_h, app, admin) = Harness::with_admin().await;
    let id = app.create_user_as(&admin, "alice").await;
    let message =
        "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters.";
    let long = "d".repeat(256);
    for bad in ["<script>", "mail@example.com", "100%", long.as_str()] {
        app.post("/v3/users")
            .token(&admin)
            .json(&json!({ "user": { "name": "bob", "description": bad } }))
            .await
            .assert_keystone_error(400, message);
        app.patch(&user_uri(&id))
            .token(&admin)
            .json(&json!({ "user": { "description": bad } }))
            .await
            .assert_keystone_error(400, message);
    }
    // 255 characters is still fine.
    app.patch(&user_uri(&id))
        .token(&admin)
        .json(&json!({ "user": { "description": "d".repeat(255) } }))
        .await
        .assert_ok();
}

#[actix_web::test]
async fn weak_passwords_are_400() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let message =
        "Invalid password: 8 to 128 characters with at least two of lower case, upper case, digits and symbols.";
    let long = format!("Aa1-{}", "x".repeat(125));
    for bad in [
        "Sh0rt!",
        "alllowercase",
        "ALLUPPERCASE",
        "1234567890",
        long.as_str(),
    ] {
        app.post("/v3/users")
            .token(&admin)
            .json(&json!({ "user": { "name": "bob", "password": bad } }))
            .await
            .assert_keystone_error(400, message);
        app.patch(&user_uri(&member.user_id))
            .token(&admin)
            .json(&json!({ "user": { "password": bad } }))
            .await
            .assert_keystone_error(400, message);
        app.post(&format!("/v3/users/{}/password", member.user_id))
            .token(&member.token)
            .json(&json!({ "user": { "original_password": USER_PASSWORD, "password": bad } }))
            .await
            .assert_keystone_error(400, message);
    }
    // None of that changed the password or revoked the member's token.
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
    app.get("/v3/auth/projects")
        .token(&member.token)
        .await
        .assert_ok();
}

#[actix_web::test]
async fn a_member_may_not_create_list_update_or_delete_users() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let other = app.create_user_as(&admin, "bob").await;
    let requests = [
        app.post("/v3/users")
            .json(&json!({ "user": { "name": "carol" } })),
        app.get("/v3/users"),
        app.patch(&user_uri(&other))
            .json(&json!({ "user": { "enabled": false } })),
        app.patch(&user_uri(&member.user_id))
            .json(&json!({ "user": { "description": "self" } })),
        app.delete(&user_uri(&other)),
        app.delete(&user_uri(&member.user_id)),
        app.get(&user_uri(&other)),
        app.get(&format!("/v3/users/{other}/groups")),
    ];
    for req in requests {
        let (status, body, _) = req.token(&member.token).await.parts();
        assert_keystone_error(status, &body, 403, MSG_FORBIDDEN);
    }
    let (_, body, _) = app.get(&user_uri(&other)).token(&admin).await.parts();
    assert_eq!(body["user"]["enabled"], true);
    let (_, body, _) = app.get("/v3/users?name=carol").token(&admin).await.parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn a_member_can_show_themselves_and_list_their_groups() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let body = app
        .get(&user_uri(&member.user_id))
        .token(&member.token)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["user"]["id"], member.user_id.as_str());
    assert_eq!(body["user"]["name"], "alice");
    let uri = format!("/v3/users/{}/groups", member.user_id);
    let body = app.get(&uri).token(&member.token).await.assert_ok().json();
    let groups = body["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["id"], member.group_id.as_str());
    assert_eq!(groups[0]["name"], "alice-group");
    assert!(groups[0]["create_time"].is_i64(), "{body}");
    assert_eq!(body["links"]["self"], format!("http://iam.test{uri}"));
}

/// The list's `links.self` must name the list that was asked for, not the caller's own.
#[actix_web::test]
async fn groups_of_another_user_link_to_that_users_groups() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let uri = format!("/v3/users/{}/groups", member.user_id);
    let body = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(body["groups"][0]["id"], member.group_id.as_str());
    assert_eq!(
        body["links"],
        json!({ "self": format!("http://iam.test{uri}"), "previous": null, "next": null })
    );
}

#[actix_web::test]
async fn changing_own_password_revokes_old_tokens() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.post(&format!("/v3/users/{}/password", member.user_id))
        .token(&member.token)
        .json(&json!({ "user": { "original_password": USER_PASSWORD, "password": NEW_PASSWORD } }))
        .await
        .assert_no_content();
    assert_refused(&app, &member.token).await;
    app.post("/v3/auth/tokens")
        .json(&password_body(
            bootstrap::DOMAIN,
            "alice",
            USER_PASSWORD,
            Value::Null,
        ))
        .await
        .assert_keystone_error(401, MSG_LOGIN_FAILED);
    let fresh = app
        .login(
            bootstrap::DOMAIN,
            "alice",
            NEW_PASSWORD,
            project_scope(&h.boot.project_id),
        )
        .await;
    app.get("/v3/auth/projects").token(&fresh).await.assert_ok();
}

#[actix_web::test]
async fn changing_own_password_with_a_wrong_original_is_401_and_changes_nothing() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let body =
        json!({ "user": { "original_password": "Wr0ng-Passw0rd!", "password": NEW_PASSWORD } });
    app.post(&format!("/v3/users/{}/password", member.user_id))
        .token(&member.token)
        .json(&body)
        .await
        .assert_keystone_error(401, MSG_LOGIN_FAILED);
    app.get("/v3/auth/projects")
        .token(&member.token)
        .await
        .assert_ok();
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn nobody_changes_another_users_password_through_the_self_service_call() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.post(&format!("/v3/users/{}/password", h.boot.user_id))
        .token(&member.token)
        .json(&json!({ "user": { "original_password": ADMIN_PASSWORD, "password": NEW_PASSWORD } }))
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    app.post(&format!("/v3/users/{}/password", member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "original_password": USER_PASSWORD, "password": NEW_PASSWORD } }))
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    app.login(
        bootstrap::DOMAIN,
        bootstrap::USER,
        ADMIN_PASSWORD,
        Value::Null,
    )
    .await;
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn admins_get_404_on_each_others_users() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let theirs = app
        .login(
            "globex",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let ours = app.create_user_as(&admin, "alice").await;
    for (token, victim) in [(&theirs, &ours), (&admin, &other.admin_id)] {
        let requests = [
            app.get(&user_uri(victim)),
            app.patch(&user_uri(victim))
                .json(&json!({ "user": { "enabled": false } })),
            app.patch(&user_uri(victim))
                .json(&json!({ "user": { "password": NEW_PASSWORD } })),
            app.delete(&user_uri(victim)),
            app.get(&format!("/v3/users/{victim}/groups")),
            app.get(&format!("/v3/users/{victim}/projects")),
        ];
        for req in requests {
            req.token(token)
                .await
                .assert_keystone_error(404, "Could not find user.");
        }
    }
    // Both users are untouched and can still log in.
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
    app.login("globex", "admin", ADMIN_PASSWORD, Value::Null)
        .await;
    app.get("/v3/users").token(&theirs).await.assert_ok();
}

#[actix_web::test]
async fn admins_get_404_on_each_others_groups_and_memberships() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let theirs = app
        .login(
            "globex",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let our_group = app.create_group_as(&admin, "ops").await;
    let our_user = app.create_user_as(&admin, "alice").await;
    let their_group = app.create_group_as(&theirs, "ops").await;
    let their_user = app.create_user_as(&theirs, "alice").await;
    for (token, group, user, own_group, own_user) in [
        (&theirs, &our_group, &our_user, &their_group, &their_user),
        (&admin, &their_group, &their_user, &our_group, &our_user),
    ] {
        let group_uri = format!("/v3/groups/{group}");
        let requests = [
            app.get(&group_uri),
            app.patch(&group_uri)
                .json(&json!({ "group": { "name": "pwned" } })),
            app.delete(&group_uri),
            app.get(&format!("{group_uri}/users")),
            app.put(&format!("{group_uri}/users/{own_user}")),
            app.request(
                actix_web::http::Method::HEAD,
                &format!("{group_uri}/users/{user}"),
            ),
            app.delete(&format!("{group_uri}/users/{user}")),
        ];
        for req in requests {
            req.token(token)
                .await
                .assert_keystone_error(404, "Could not find group.");
        }
        // Pulling the other domain's user into one's own group.
        let req = TestRequest::put().uri(&format!("/v3/groups/{own_group}/users/{user}"));
        let (status, body, _) = app.call(with_token(req, token)).await.parts();
        assert_keystone_error(status, &body, 404, "Could not find user.");
    }
    let (_, body, _) = app
        .get(&format!("/v3/groups/{our_group}"))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["group"]["name"], "ops");
    let (_, body, _) = app
        .get(&format!("/v3/groups/{their_group}/users"))
        .token(&theirs)
        .await
        .parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn admins_get_404_on_each_others_projects_and_grants() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let theirs = app
        .login(
            "globex",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let our_group = app.create_group_as(&admin, "ops").await;
    let their_group = app.create_group_as(&theirs, "ops").await;
    for (token, project, domain, own_group) in [
        (&theirs, &h.boot.project_id, &h.boot.domain_id, &their_group),
        (&admin, &other.project_id, &other.domain_id, &our_group),
    ] {
        let project_uri = format!("/v3/projects/{project}");
        let grant = format!("{project_uri}/groups/{own_group}/roles/{ADMIN_ROLE_ID}");
        let requests = [
            app.get(&project_uri),
            app.patch(&project_uri)
                .json(&json!({ "project": { "name": "pwned" } })),
            app.put(&grant),
            app.request(actix_web::http::Method::HEAD, &grant),
            app.delete(&grant),
            app.get(&format!("{project_uri}/groups/{own_group}/roles")),
        ];
        for req in requests {
            req.token(token)
                .await
                .assert_keystone_error(404, "Could not find project.");
        }
        let domain_grant = format!("/v3/domains/{domain}/groups/{own_group}/roles/{ADMIN_ROLE_ID}");
        for req in [
            app.put(&domain_grant),
            app.request(actix_web::http::Method::HEAD, &domain_grant),
            app.delete(&domain_grant),
            app.get(&format!("/v3/domains/{domain}/groups/{own_group}/roles")),
        ] {
            let (status, body, _) = req.token(token).await.parts();
            assert_keystone_error(status, &body, 404, "Could not find domain.");
        }
    }
    // The other tenant's admin gained nothing here.
    let body = password_body(
        "globex",
        "admin",
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    );
    let (status, body, _) = app.post("/v3/auth/tokens").json(&body).await.parts();
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
    let (_, body, _) = app
        .get(&format!("/v3/projects/{}", h.boot.project_id))
        .token(&admin)
        .await
        .parts();
    assert_eq!(body["project"]["name"], bootstrap::PROJECT);
}

#[actix_web::test]
async fn lists_never_include_the_other_domains_rows() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let theirs = app
        .login(
            "globex",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    app.create_user_as(&theirs, "wile").await;
    app.create_group_as(&theirs, "acme-haters").await;
    app.create_project_as(&theirs, "rockets").await;
    let ids = |body: &Value, key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|x| x["domain_id"].as_str().expect("domain").to_string())
            .collect()
    };
    for (token, own, foreign) in [
        (&admin, &h.boot.domain_id, &other.domain_id),
        (&theirs, &other.domain_id, &h.boot.domain_id),
    ] {
        for key in ["users", "groups", "projects"] {
            let body = app
                .get(&format!("/v3/{key}"))
                .token(token)
                .await
                .assert_ok()
                .json();
            let domains = ids(&body, key);
            assert!(
                !domains.is_empty() && domains.iter().all(|d| d == own),
                "{key}: {body}"
            );
            let uri = format!("/v3/{key}?domain_id={foreign}");
            let body = app.get(&uri).token(token).await.assert_ok().json();
            assert_eq!(body[key], json!([]), "{uri}");
        }
    }
    let (_, body, _) = app.get("/v3/users?name=wile").token(&admin).await.parts();
    assert_eq!(body["users"], json!([]));
}

#[actix_web::test]
async fn creating_in_another_domain_is_403() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let requests = [
        (
            "/v3/users",
            json!({ "user": { "name": "mole", "domain_id": other.domain_id } }),
        ),
        (
            "/v3/groups",
            json!({ "group": { "name": "moles", "domain_id": other.domain_id } }),
        ),
        (
            "/v3/projects",
            json!({ "project": { "name": "burrow", "domain_id": other.domain_id } }),
        ),
    ];
    for (uri, body) in requests {
        let (status, body, _) = app.post(uri).token(&admin).json(&body).await.parts();
        assert_keystone_error(status, &body, 403, MSG_FORBIDDEN);
    }
    let theirs = app
        .login(
            "globex",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let (_, body, _) = app.get("/v3/users").token(&theirs).await.parts();
    assert_eq!(body["users"].as_array().expect("users").len(), 1);
    let (_, body, _) = app.get("/v3/groups").token(&theirs).await.parts();
    assert_eq!(body["groups"].as_array().expect("groups").len(), 1);
    let (_, body, _) = app.get("/v3/projects").token(&theirs).await.parts();
    assert_eq!(body["projects"].as_array().expect("projects").len(), 1);
}
