//! `/v3/auth/tokens`: password and token logins in every scope, the token body, validate,
//! check and revoke, and the refusals (wrong password, no role, lockout).

use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;

/// POST /v3/auth/tokens with `body`: status, body and the X-Subject-Token header.
async fn issue(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value, Option<String>) {
    let (status, body, headers) = app.post(uri).json(&body).await.parts();
    let subject = headers
        .get("x-subject-token")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    (status, body, subject)
}

/// The raw bytes of a login answer, to compare refusals byte for byte.
async fn login_bytes(app: &TestApp, body: Value) -> (StatusCode, actix_web::web::Bytes) {
    let res = app.post("/v3/auth/tokens").json(&body).await;
    (res.status(), res.bytes().clone())
}

/// GET /v3/auth/tokens: `caller` validates `subject`.
fn validate<'a>(app: &'a TestApp, caller: &str, subject: &str) -> TestCall<'a> {
    app.get("/v3/auth/tokens")
        .token(caller)
        .header("X-Subject-Token", subject)
}

fn local_domain(h: &Harness) -> Value {
    json!({ "id": h.boot.domain_id, "name": bootstrap::DOMAIN })
}

fn admin_user(h: &Harness) -> Value {
    json!({ "id": h.boot.user_id, "name": bootstrap::USER, "password_expires_at": "", "domain": local_domain(h) })
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, parsed.
fn keystone_time(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    let shape_ok = s.len() == 27
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'.',
            26 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(shape_ok, "not a Keystone time: {s}");
    match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ") {
        Ok(t) => t.and_utc(),
        Err(e) => panic!("not a Keystone time: {s}: {e}"),
    }
}

/// The catalog of the test configuration: iam-svc at `public_url`, the other services at
/// the addresses `make run` gives them, in the default region.
fn default_catalog() -> Value {
    let entry = |kind: &str, name: &str, url: &str, region: &str| {
        json!({
            "type": kind, "id": name, "name": name,
            "endpoints": [{
                "id": format!("{name}-public"), "url": url, "region": region,
                "region_id": region, "interface": "public",
            }],
        })
    };
    json!([
        entry("identity", "iam", "http://iam.test/v3", "*"),
        entry("swr", "swr", "http://127.0.0.1:8082", "local-1"),
        entry(
            "lakeformation",
            "lakeformation",
            "http://127.0.0.1:8083",
            "local-1"
        ),
        entry("tcr", "tcr", "http://127.0.0.1:8084", "local-1"),
    ])
}

#[actix_web::test]
async fn password_login_scoped_to_project_by_id_returns_the_keystone_token() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let body = admin_login_body(project_scope(&h.boot.project_id));
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        subject.is_some_and(|s| !s.is_empty()),
        "X-Subject-Token missing"
    );
    let token = &body["token"];
    assert_eq!(token["user"], admin_user(&h));
    assert_eq!(
        token["project"],
        json!({ "id": h.boot.project_id, "name": bootstrap::PROJECT, "domain": local_domain(&h) })
    );
    assert_eq!(
        token["roles"],
        json!([{ "id": ADMIN_ROLE_ID, "name": "admin" }])
    );
    assert_eq!(token["methods"], json!(["password"]));
    assert_eq!(token["catalog"], default_catalog());
    assert!(
        token.get("domain").is_none(),
        "a project token has no top-level domain: {token}"
    );
    let mut keys: Vec<_> = token.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "catalog",
            "expires_at",
            "issued_at",
            "methods",
            "project",
            "roles",
            "user"
        ]
    );
}

#[actix_web::test]
async fn password_login_scoped_to_project_by_name_with_its_domain() {
    let h = Harness::new().await;
    let app = h.app.clone();
    for domain in [
        json!({ "name": bootstrap::DOMAIN }),
        json!({ "id": h.boot.domain_id }),
    ] {
        let scope = json!({ "project": { "name": bootstrap::PROJECT, "domain": domain } });
        let body = admin_login_body(scope);
        let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["token"]["project"]["id"], h.boot.project_id.as_str());
        assert_eq!(body["token"]["project"]["domain"], local_domain(&h));
        assert_eq!(
            body["token"]["roles"],
            json!([{ "id": ADMIN_ROLE_ID, "name": "admin" }])
        );
    }
}

#[actix_web::test]
async fn password_login_scoped_to_domain_by_id_and_by_name() {
    let h = Harness::new().await;
    let app = h.app.clone();
    for scope in [
        domain_scope(&h.boot.domain_id),
        json!({ "domain": { "name": bootstrap::DOMAIN } }),
    ] {
        let body = admin_login_body(scope);
        let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(subject.is_some());
        let token = &body["token"];
        assert_eq!(token["domain"], local_domain(&h));
        assert!(token.get("project").is_none(), "{token}");
        assert_eq!(
            token["roles"],
            json!([{ "id": ADMIN_ROLE_ID, "name": "admin" }])
        );
        assert_eq!(token["user"], admin_user(&h));
    }
}

#[actix_web::test]
async fn unscoped_login_has_no_scope_and_no_roles() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let body = admin_login_body(Value::Null);
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(subject.is_some());
    let token = &body["token"];
    assert_eq!(token["roles"], json!([]));
    assert_eq!(token["user"], admin_user(&h));
    assert!(
        token.get("project").is_none() && token.get("domain").is_none(),
        "{token}"
    );
}

#[actix_web::test]
async fn nocatalog_gives_an_empty_catalog_on_login_and_validate() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let body = admin_login_body(project_scope(&h.boot.project_id));
    let (status, body, subject) = issue(&app, "/v3/auth/tokens?nocatalog", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["token"]["catalog"], json!([]));
    let subject = subject.expect("subject");
    let body = app
        .get("/v3/auth/tokens?nocatalog=true")
        .token(&subject)
        .header("X-Subject-Token", subject.as_str())
        .await
        .assert_ok()
        .json();
    assert_eq!(body["token"]["catalog"], json!([]));
}

#[actix_web::test]
async fn token_times_use_keystone_format_and_expire_a_day_after_issue() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let before = Utc::now();
    let body = admin_login_body(project_scope(&h.boot.project_id));
    let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
    let after = Utc::now();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let issued = keystone_time(&body["token"]["issued_at"]);
    let expires = keystone_time(&body["token"]["expires_at"]);
    // Microsecond precision: the printed issue time may sit up to 1µs before `before`.
    assert!(
        issued >= before - chrono::Duration::microseconds(1) && issued <= after,
        "{issued}"
    );
    assert_eq!(expires - issued, chrono::Duration::hours(24));
}

#[actix_web::test]
async fn validate_returns_the_login_body_and_echoes_the_subject_token() {
    let (h, app, admin) = Harness::with_admin().await;
    let body = admin_login_body(project_scope(&h.boot.project_id));
    let (status, login_body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED);
    let subject = subject.expect("subject");
    let (status, body, headers) = validate(&app, &admin, &subject).await.parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, login_body);
    assert_eq!(
        headers
            .get("x-subject-token")
            .expect("echo")
            .to_str()
            .expect("ascii"),
        subject
    );
}

#[actix_web::test]
async fn head_on_tokens_checks_a_valid_subject_with_200() {
    let (_h, app, admin) = Harness::with_admin().await;
    let body = app
        .request(actix_web::http::Method::HEAD, "/v3/auth/tokens")
        .token(&admin)
        .header("X-Subject-Token", admin.clone())
        .await
        .assert_ok()
        .json();
    assert_eq!(body, Value::Null);
}

#[actix_web::test]
async fn validate_of_a_garbage_subject_is_404() {
    let (_h, app, admin) = Harness::with_admin().await;
    for garbage in ["garbage", "v1.test-key.e30.c2ln", &format!("{admin}x")] {
        validate(&app, &admin, garbage)
            .await
            .assert_keystone_error(404, "Could not find token.");
    }
}

#[actix_web::test]
async fn validate_without_subject_token_is_400() {
    let (_h, app, admin) = Harness::with_admin().await;
    app.get("/v3/auth/tokens")
        .token(&admin)
        .await
        .assert_keystone_error(400, "X-Subject-Token header is required");
}

#[actix_web::test]
async fn validate_with_a_bad_caller_token_is_401() {
    let (_h, app, admin) = Harness::with_admin().await;
    validate(&app, "not-a-token", &admin)
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn revoking_own_token_refuses_it_and_validation_is_404() {
    let (h, app, doomed) = Harness::with_admin().await;
    let other = app.admin_token(&h).await;
    let body = app
        .delete("/v3/auth/tokens")
        .token(&doomed)
        .header("X-Subject-Token", doomed.clone())
        .await
        .assert_no_content()
        .json();
    assert_eq!(body, Value::Null);

    app.get("/v3/projects")
        .token(&doomed)
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
    validate(&app, &other, &doomed)
        .await
        .assert_keystone_error(404, "Could not find token.");
    // Only that token: the same user's other token still works.
    app.get("/v3/projects").token(&other).await.assert_ok();
}

#[actix_web::test]
async fn a_member_cannot_revoke_another_users_token() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "mallory", &h.boot.project_id)
        .await;
    app.delete("/v3/auth/tokens")
        .token(&member.token)
        .header("X-Subject-Token", admin.clone())
        .await
        .assert_keystone_error(403, MSG_FORBIDDEN);
    app.get("/v3/projects").token(&admin).await.assert_ok();
}

#[actix_web::test]
async fn the_domain_admin_can_revoke_a_members_token() {
    let (h, app, admin) = Harness::with_admin().await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    app.delete("/v3/auth/tokens")
        .token(&admin)
        .header("X-Subject-Token", member.token.clone())
        .await
        .assert_no_content();
    let (status, body, _) = app.get("/v3/projects").token(&member.token).await.parts();
    assert_keystone_error(status, &body, 401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn token_method_rescopes_an_unscoped_token_to_a_project() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let unscoped = app
        .login(
            bootstrap::DOMAIN,
            bootstrap::USER,
            ADMIN_PASSWORD,
            Value::Null,
        )
        .await;
    let body = json!({ "auth": {
        "identity": { "methods": ["token"], "token": { "id": unscoped } },
        "scope": { "project": { "id": h.boot.project_id } },
    }});
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = &body["token"];
    assert_eq!(token["methods"], json!(["token"]));
    assert_eq!(token["user"], admin_user(&h));
    assert_eq!(token["project"]["id"], h.boot.project_id.as_str());
    assert_eq!(
        token["roles"],
        json!([{ "id": ADMIN_ROLE_ID, "name": "admin" }])
    );
    let subject = subject.expect("subject");
    assert_ne!(subject, unscoped);
    app.get("/v3/projects").token(&subject).await.assert_ok();
}

/// Keystone: a token obtained with the `token` method expires when the original does, so
/// rescoping cannot keep a token alive past its lifetime.
#[actix_web::test]
async fn rescoped_token_keeps_the_original_expiry() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let body = admin_login_body(Value::Null);
    let (status, original, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED);
    let body = json!({ "auth": {
        "identity": { "methods": ["token"], "token": { "id": subject.expect("subject") } },
        "scope": { "project": { "id": h.boot.project_id } },
    }});
    let (status, rescoped, _) = issue(&app, "/v3/auth/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED, "{rescoped}");
    assert_eq!(
        rescoped["token"]["expires_at"],
        original["token"]["expires_at"]
    );
}

#[actix_web::test]
async fn token_method_with_a_revoked_token_is_401() {
    let (h, app, admin) = Harness::with_admin().await;
    let doomed = app.admin_token(&h).await;
    assert_eq!(
        app.delete("/v3/auth/tokens")
            .token(&admin)
            .header("X-Subject-Token", doomed.clone())
            .await
            .parts()
            .0,
        StatusCode::NO_CONTENT
    );
    let body = json!({ "auth": {
        "identity": { "methods": ["token"], "token": { "id": doomed } },
        "scope": { "project": { "id": h.boot.project_id } },
    }});
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_keystone_error(status, &body, 401, MSG_NEEDS_AUTH);
    assert!(subject.is_none());
}

#[actix_web::test]
async fn scope_to_a_project_without_a_role_is_401() {
    let (h, app, admin) = Harness::with_admin().await;
    app.create_user_as(&admin, "norole").await;
    let body = password_body(
        bootstrap::DOMAIN,
        "norole",
        USER_PASSWORD,
        project_scope(&h.boot.project_id),
    );
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
    assert!(subject.is_none());
    // The password was right: an unscoped token is still available.
    app.login(bootstrap::DOMAIN, "norole", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn scope_to_the_domain_without_a_domain_role_is_401() {
    let (h, app, admin) = Harness::with_admin().await;
    app.project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let body = password_body(
        bootstrap::DOMAIN,
        "alice",
        USER_PASSWORD,
        domain_scope(&h.boot.domain_id),
    );
    let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
    assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
}

#[actix_web::test]
async fn scope_to_another_domains_project_or_domain_is_401() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let other = h.other_tenant("globex");
    for scope in [
        project_scope(&other.project_id),
        domain_scope(&other.domain_id),
    ] {
        let body = admin_login_body(scope);
        let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
        assert_keystone_error(status, &body, 401, MSG_SCOPE_REFUSED);
    }
}

#[actix_web::test]
async fn validate_of_another_domains_token_is_404() {
    let (h, app, admin) = Harness::with_admin().await;
    let other = h.other_tenant("globex");
    let theirs = app
        .login(
            &other.domain_name,
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    validate(&app, &admin, &theirs)
        .await
        .assert_keystone_error(404, "Could not find token.");
    let (status, body, _) = app
        .delete("/v3/auth/tokens")
        .token(&admin)
        .header("X-Subject-Token", theirs.clone())
        .await
        .parts();
    assert_keystone_error(status, &body, 404, "Could not find token.");
}

#[actix_web::test]
async fn wrong_password_unknown_user_and_unknown_domain_are_identical_401s() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let wrong_password = password_body(
        bootstrap::DOMAIN,
        bootstrap::USER,
        "Wr0ng-Passw0rd!",
        Value::Null,
    );
    let unknown_user = password_body(bootstrap::DOMAIN, "nobody", ADMIN_PASSWORD, Value::Null);
    let unknown_domain = password_body("nowhere", bootstrap::USER, ADMIN_PASSWORD, Value::Null);
    let (status, reference) = login_bytes(&app, wrong_password).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let parsed: Value = serde_json::from_slice(&reference).expect("json");
    assert_eq!(parsed, keystone_error_body(401, MSG_LOGIN_FAILED));
    for body in [unknown_user, unknown_domain] {
        let (status, bytes) = login_bytes(&app, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(bytes, reference);
    }
}

#[actix_web::test]
async fn a_disabled_user_gets_the_wrong_password_answer() {
    let (_h, app, admin) = Harness::with_admin().await;
    let id = app.create_user_as(&admin, "dormant").await;
    assert_eq!(
        app.patch(&format!("/v3/users/{id}"))
            .token(&admin)
            .json(&json!({ "user": { "enabled": false } }))
            .await
            .parts()
            .0,
        StatusCode::OK
    );
    let (_, reference) = login_bytes(
        &app,
        password_body(bootstrap::DOMAIN, "dormant", "Wr0ng-Passw0rd!", Value::Null),
    )
    .await;
    let (status, bytes) = login_bytes(
        &app,
        password_body(bootstrap::DOMAIN, "dormant", USER_PASSWORD, Value::Null),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(bytes, reference);
}

#[actix_web::test]
async fn after_five_failures_even_the_right_password_gets_429() {
    let h = Harness::new().await;
    let app = h.app.clone();
    for _ in 0..5 {
        let body = password_body(
            bootstrap::DOMAIN,
            bootstrap::USER,
            "Wr0ng-Passw0rd!",
            Value::Null,
        );
        let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
        assert_keystone_error(status, &body, 401, MSG_LOGIN_FAILED);
    }
    let body = admin_login_body(project_scope(&h.boot.project_id));
    let (status, body, subject) = issue(&app, "/v3/auth/tokens", body).await;
    assert_keystone_error(
        status,
        &body,
        429,
        "Too many failed login attempts; try again later.",
    );
    assert!(subject.is_none());
}

#[actix_web::test]
async fn the_lockout_is_per_user_and_follows_the_configured_limit() {
    let mut config = test_config();
    config.login_limits.max_failures_per_user = 2;
    let (_h, app, admin) = Harness::with_config(config).await.admin_scene().await;
    app.create_user_as(&admin, "bystander").await;
    for _ in 0..2 {
        let body = password_body(
            bootstrap::DOMAIN,
            bootstrap::USER,
            "Wr0ng-Passw0rd!",
            Value::Null,
        );
        assert_eq!(
            issue(&app, "/v3/auth/tokens", body).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let body = admin_login_body(Value::Null);
    let (status, body, _) = issue(&app, "/v3/auth/tokens", body).await;
    assert_keystone_error(
        status,
        &body,
        429,
        "Too many failed login attempts; try again later.",
    );
    // Another user of the same domain is not affected.
    app.login(bootstrap::DOMAIN, "bystander", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn a_successful_login_resets_the_failure_count() {
    let h = Harness::new().await;
    let app = h.app.clone();
    for _ in 0..2 {
        for _ in 0..4 {
            let body = password_body(
                bootstrap::DOMAIN,
                bootstrap::USER,
                "Wr0ng-Passw0rd!",
                Value::Null,
            );
            assert_eq!(
                issue(&app, "/v3/auth/tokens", body).await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        app.login(
            bootstrap::DOMAIN,
            bootstrap::USER,
            ADMIN_PASSWORD,
            Value::Null,
        )
        .await;
    }
}
