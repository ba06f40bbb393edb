//! Changes that take power away from a user append revocation events in the same
//! transaction: the feed other services pull carries them, and iam-svc's own verifier
//! refuses the tokens issued before.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::Value;

use crate::common::*;

/// Where the feed stands now.
pub async fn feed_position(app: &TestApp) -> i64 {
    let (_, body) = feed(app, 0).await;
    body["last_seq"].as_i64().expect("last_seq")
}

/// The (kind, subject) of every event after `after`, and the page.
pub async fn feed(app: &TestApp, after: i64) -> (Vec<(String, String)>, Value) {
    let (status, body, _) = app
        .get(&format!("/internal/v1/revocations?after={after}"))
        .header("X-Internal-Token", INTERNAL_SECRET)
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["seq"].as_i64().expect("seq") > after)
        .map(|e| {
            (
                e["kind"].as_str().expect("kind").to_string(),
                e["subject"].as_str().expect("subject").to_string(),
            )
        })
        .collect();
    (events, body)
}

/// `token` still works (200) or is refused (401) on a call any user may make.
pub async fn token_status(app: &TestApp, token: &str) -> u16 {
    let (status, body, _) = app.get("/v3/auth/projects").token(token).await.parts();
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(body, keystone_error_body(401, MSG_NEEDS_AUTH));
    }
    status.as_u16()
}

/// What losing a role or a group appends: durable, so services that store credentials
/// (an SWR credential keeps the push its user had) revoke them too.
fn user_event(id: &str) -> (String, String) {
    ("user_access".to_string(), id.to_string())
}

#[actix_web::test]
async fn removing_a_membership_revokes_the_users_tokens() {
    let (h, app, admin) = Harness::with_admin().await;
    let m = app
        .project_member(&admin, "leaver", &h.boot.project_id)
        .await;
    assert_eq!(token_status(&app, &m.token).await, 200);
    let before = feed_position(&app).await;
    app.delete(&format!("/v3/groups/{}/users/{}", m.group_id, m.user_id))
        .token(&admin)
        .await
        .assert_no_content();
    assert_eq!(feed(&app, before).await.0, vec![user_event(&m.user_id)]);
    assert_eq!(token_status(&app, &m.token).await, 401);
    assert_eq!(token_status(&app, &admin).await, 200);
}

#[actix_web::test]
async fn revoking_a_group_grant_revokes_every_members_tokens() {
    for kind in ["projects", "domains"] {
        let (h, app, admin) = Harness::with_admin().await;
        let a = app
            .project_member(&admin, "first", &h.boot.project_id)
            .await;
        let b = app.create_user_as(&admin, "second").await;
        app.put(&format!("/v3/groups/{}/users/{b}", a.group_id))
            .token(&admin)
            .await
            .assert_no_content();
        let b_token = app
            .login(
                iam_svc::bootstrap::DOMAIN,
                "second",
                USER_PASSWORD,
                project_scope(&h.boot.project_id),
            )
            .await;
        let target = if kind == "projects" {
            h.boot.project_id.clone()
        } else {
            h.boot.domain_id.clone()
        };
        let grant = format!(
            "/v3/{kind}/{target}/groups/{}/roles/{READONLY_ROLE_ID}",
            a.group_id
        );
        app.put(&grant).token(&admin).await.assert_no_content();
        let before = feed_position(&app).await;
        app.delete(&grant).token(&admin).await.assert_no_content();
        let mut events = feed(&app, before).await.0;
        events.sort();
        let mut expected = vec![user_event(&a.user_id), user_event(&b)];
        expected.sort();
        assert_eq!(events, expected, "{kind}");
        assert_eq!(token_status(&app, &a.token).await, 401, "{kind}");
        assert_eq!(token_status(&app, &b_token).await, 401, "{kind}");
        assert_eq!(token_status(&app, &admin).await, 200, "{kind}");
    }
}

#[actix_web::test]
async fn deleting_a_group_revokes_its_members_tokens() {
    let (h, app, admin) = Harness::with_admin().await;
    let m = app
        .project_member(&admin, "grouped", &h.boot.project_id)
        .await;
    let before = feed_position(&app).await;
    app.delete(&format!("/v3/groups/{}", m.group_id))
        .token(&admin)
        .await
        .assert_no_content();
    assert_eq!(feed(&app, before).await.0, vec![user_event(&m.user_id)]);
    assert_eq!(token_status(&app, &m.token).await, 401);
}

#[actix_web::test]
async fn a_refused_removal_appends_nothing() {
    let (h, app, admin) = Harness::with_admin().await;
    let m = app
        .project_member(&admin, "stayer", &h.boot.project_id)
        .await;
    let before = feed_position(&app).await;
    // The member may not remove themselves (no admin), nor revoke their group's grant.
    app.delete(&format!("/v3/groups/{}/users/{}", m.group_id, m.user_id))
        .token(&m.token)
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    assert!(feed(&app, before).await.0.is_empty());
    assert_eq!(token_status(&app, &m.token).await, 200);
}

/// The durable events of a user or project that is gone, with the relevance DESIGN.md
/// asks for (30 days).
fn assert_durable(page: &Value, kind: &str, subject: &str) {
    let event = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == kind && e["subject"] == subject)
        .unwrap_or_else(|| panic!("no {kind} event for {subject} in {page}"));
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(event[field].as_str().expect(field)).expect(field)
    };
    assert_eq!(
        at("relevant_until") - at("revoked_at"),
        service_kit::auth::wire::DURABLE_EVENT_RELEVANCE,
        "{event}"
    );
}

#[actix_web::test]
async fn disabling_or_deleting_a_user_appends_a_durable_user_access_event() {
    for change in ["disable", "delete"] {
        let (h, app, admin) = Harness::with_admin().await;
        let m = app
            .project_member(&admin, "offboarded", &h.boot.project_id)
            .await;
        let before = feed_position(&app).await;
        let uri = format!("/v3/users/{}", m.user_id);
        let req = if change == "disable" {
            with_token(TestRequest::patch().uri(&uri), &admin)
                .set_json(serde_json::json!({ "user": { "enabled": false } }))
        } else {
            with_token(TestRequest::delete().uri(&uri), &admin)
        };
        let (status, body, _) = app.call(req).await.parts();
        assert!(status.is_success(), "{change}: {body}");
        let (events, page) = feed(&app, before).await;
        assert_eq!(
            events,
            vec![("user_access".to_string(), m.user_id.clone())],
            "{change}"
        );
        assert_durable(&page, "user_access", &m.user_id);
        assert_eq!(token_status(&app, &m.token).await, 401, "{change}");
        assert_eq!(token_status(&app, &admin).await, 200, "{change}");
    }
}

#[actix_web::test]
async fn deleting_a_project_appends_a_durable_project_event() {
    let (_h, app, admin) = Harness::with_admin().await;
    let doomed = app.create_project_as(&admin, "doomed").await;
    let m = app.project_member(&admin, "tenant", &doomed).await;
    let before = feed_position(&app).await;
    // Only the domain admin may delete it.
    let uri = format!("/v3/projects/{doomed}");
    app.delete(&uri)
        .token(&m.token)
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    assert!(feed(&app, before).await.0.is_empty());
    app.delete(&uri).token(&admin).await.assert_no_content();
    let (events, page) = feed(&app, before).await;
    assert_eq!(events, vec![("project".to_string(), doomed.clone())]);
    assert_durable(&page, "project", &doomed);
    assert_eq!(token_status(&app, &m.token).await, 401);
    assert_eq!(token_status(&app, &admin).await, 200);
    app.get(&uri)
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find project.");
    app.delete(&uri)
        .token(&admin)
        .await
        .assert_keystone_error(404, "Could not find project.");
}

#[actix_web::test]
async fn disabling_a_domain_appends_user_access_for_each_of_its_users_and_domain_for_it() {
    let (h, app, admin) = Harness::with_admin().await;
    let m = app
        .project_member(&admin, "staff", &h.boot.project_id)
        .await;
    let other = h.other_tenant("bystanders");
    let other_token = app
        .login(
            &other.domain_name,
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let before = feed_position(&app).await;
    {
        let mut conn = h.db.pool.get().expect("conn");
        let now = h.state.clock.stored_now();
        iam_svc::domains::set_enabled(&mut conn, iam_svc::bootstrap::DOMAIN, false, now)
            .expect("disable");
    }
    h.state.sync_revocations().await.expect("sync");
    let (mut events, page) = feed(&app, before).await;
    events.sort();
    let mut expected = vec![
        ("user_access".to_string(), h.boot.user_id.clone()),
        ("user_access".to_string(), m.user_id.clone()),
        ("domain".to_string(), h.boot.domain_id.clone()),
    ];
    expected.sort();
    assert_eq!(events, expected);
    assert_durable(&page, "user_access", &m.user_id);
    assert_durable(&page, "domain", &h.boot.domain_id);
    assert_eq!(token_status(&app, &m.token).await, 401);
    assert_eq!(token_status(&app, &admin).await, 401);
    assert_eq!(token_status(&app, &other_token).await, 200);
    // Disabling it again changes nothing and appends nothing.
    let at = feed_position(&app).await;
    {
        let mut conn = h.db.pool.get().expect("conn");
        let now = h.state.clock.stored_now();
        iam_svc::domains::set_enabled(&mut conn, iam_svc::bootstrap::DOMAIN, false, now)
            .expect("disable again");
    }
    assert!(feed(&app, at).await.0.is_empty());
}

/// A temporary key lives up to 12 hours whatever the token lifetime: a user event must
/// stay in the feed at least that long, or a key issued before the change comes back
/// to life when the event leaves the feed.
#[actix_web::test]
async fn a_user_event_outlives_the_longest_temporary_key_even_with_short_tokens() {
    let mut config = test_config();
    config.tokens.lifetime_minutes = 60;
    let (h, app, admin) = Harness::with_config(config).await.admin_scene().await;
    let m = app
        .project_member(&admin, "short-lived", &h.boot.project_id)
        .await;
    let before = feed_position(&app).await;
    let uri = format!("/v3/groups/{}/users/{}", m.group_id, m.user_id);
    app.delete(&uri).token(&admin).await.assert_no_content();
    let (_, page) = feed(&app, before).await;
    let event = &page["events"].as_array().expect("events")[0];
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(event[field].as_str().expect(field)).expect(field)
    };
    assert!(
        at("relevant_until") - at("revoked_at") >= chrono::Duration::hours(12),
        "{event}"
    );
}
