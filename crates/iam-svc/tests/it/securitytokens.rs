//! `POST /v3.0/OS-CREDENTIAL/securitytokens`: a temporary key for a token, checked by the
//! one machinery every service uses, and dead at once when its user, project or role
//! goes. Each kind of caller: a member, a readonly user, another domain's admin, a
//! permanent key, a temporary key, a disabled user.

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use service_kit::auth::wire::SIGNATURE_CHECKS_PATH;
use service_kit::clock::Clock;

use crate::common::*;

const PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

fn body(token: Option<&str>, duration: Option<i64>) -> Value {
    let mut t = json!({});
    if let Some(id) = token {
        t["id"] = json!(id);
    }
    if let Some(d) = duration {
        t["duration_seconds"] = json!(d);
    }
    json!({ "auth": { "identity": { "methods": ["token"], "token": t } } })
}

/// A key as the answer shows it.
struct Key {
    access: String,
    secret: String,
    token: String,
    expires_at: DateTime<Utc>,
}

fn key_of(answer: &Value) -> Key {
    let c = &answer["credential"];
    let field = |f: &str| {
        c[f].as_str()
            .unwrap_or_else(|| panic!("{f}: {answer}"))
            .to_string()
    };
    Key {
        access: field("access"),
        secret: field("secret"),
        token: field("securitytoken"),
        expires_at: DateTime::parse_from_rfc3339(&field("expires_at"))
            .expect("expires_at")
            .with_timezone(&Utc),
    }
}

async fn mint(app: &TestApp, token: &str, body: Value) -> Key {
    key_of(
        &app.post(PATH)
            .token(token)
            .json(&body)
            .await
            .assert_created()
            .json(),
    )
}

/// A user with `role_id` on the bootstrap project, and their project-scoped token.
async fn user_with_role(
    h: &Harness,
    admin: &str,
    name: &str,
    role_id: &str,
) -> (String, String, String) {
    let app = &h.app;
    let id = app.create_user_as(admin, name).await;
    let group = app.create_group_as(admin, &format!("{name}s")).await;
    app.put(&format!("/v3/groups/{group}/users/{id}"))
        .token(admin)
        .await
        .assert_no_content();
    let grant = format!(
        "/v3/projects/{}/groups/{group}/roles/{role_id}",
        h.boot.project_id
    );
    app.put(&grant).token(admin).await.assert_no_content();
    let token = app
        .login(
            iam_svc::bootstrap::DOMAIN,
            name,
            USER_PASSWORD,
            project_scope(&h.boot.project_id),
        )
        .await;
    (id, token, grant)
}

/// `GET /v3/projects` signed with the key, at `at`.
fn use_key(h: &Harness, key: &Key, at: DateTime<Utc>) -> actix_web::test::TestRequest {
    sdk_signed_at(
        "GET",
        "/v3/projects",
        b"",
        (&key.access, &key.secret),
        &h.boot.project_id,
        Some(&key.token),
        at,
    )
}

#[actix_web::test]
async fn a_member_gets_a_key_that_signs_as_them_and_is_temporary() {
    let (h, app, admin) = Harness::with_admin().await;
    let (id, token, _) = user_with_role(&h, &admin, "mia", MEMBER_ROLE_ID).await;
    let before = Utc::now();
    let key = mint(&app, &token, body(None, None)).await;
    assert!(key.token.starts_with("iam."), "names its issuer");
    assert_eq!(key.access.len(), 20);
    assert_eq!(key.secret.len(), 40);
    let lifetime = key.expires_at - before;
    assert!(
        lifetime <= Duration::seconds(901) && lifetime > Duration::seconds(890),
        "900 s by default, got {lifetime}"
    );
    app.call(use_key(&h, &key, Utc::now())).await.assert_ok();
    // Temporary: it manages no credential, and mints no other key.
    let create = serde_json::to_vec(&json!({ "credential": { "user_id": id } })).unwrap();
    let req = sdk_signed(
        "POST",
        "/v3.0/OS-CREDENTIAL/credentials",
        &create,
        (&key.access, &key.secret),
        &h.boot.project_id,
        Some(&key.token),
    );
    let (status, refused, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let again = serde_json::to_vec(&body(Some(&token), Some(86_400))).unwrap();
    let req = sdk_signed(
        "POST",
        PATH,
        &again,
        (&key.access, &key.secret),
        &h.boot.project_id,
        Some(&key.token),
    );
    let (status, refused, _) = app.call(req).await.parts();
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a temporary key mints no key: {refused}"
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Temporary credentials"));
}

#[actix_web::test]
async fn the_token_may_come_in_the_body_and_the_key_never_outlives_it() {
    let (h, app, admin) = Harness::with_admin().await;
    let (_, token, _) = user_with_role(&h, &admin, "bo", READONLY_ROLE_ID).await;
    let answer = app
        .post(PATH)
        .json(&body(Some(&token), Some(86_400)))
        .await
        .assert_created()
        .json();
    let key = key_of(&answer);
    let validated = app
        .get("/v3/auth/tokens")
        .token(&token)
        .header("X-Subject-Token", token.as_str())
        .await
        .assert_ok()
        .json();
    let token_expiry =
        DateTime::parse_from_rfc3339(validated["token"]["expires_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc);
    assert!(
        key.expires_at <= token_expiry,
        "{} > {token_expiry}",
        key.expires_at
    );
    // A readonly user's key reads.
    app.call(use_key(&h, &key, Utc::now())).await.assert_ok();
}

#[actix_web::test]
async fn bad_bodies_and_tokens_are_refused_in_keystones_envelope() {
    let (h, app, admin) = Harness::with_admin().await;
    let (_, token, _) = user_with_role(&h, &admin, "cy", MEMBER_ROLE_ID).await;
    let cases = [
        (
            body(None, Some(899)),
            400,
            "token.duration_seconds must be from 900 to 86400.",
        ),
        (
            body(None, Some(86_401)),
            400,
            "token.duration_seconds must be from 900 to 86400.",
        ),
        (
            json!({ "auth": { "identity": { "methods": ["assume_role"],
                "assume_role": { "agency_name": "a", "domain_name": "d" } } } }),
            400,
            "Agencies are not supported: assume_role cannot be used; ask with methods [\"token\"].",
        ),
        (
            json!({ "auth": { "identity": { "methods": ["password"] } } }),
            400,
            "identity.methods must be [\"token\"]",
        ),
        (body(Some(""), None), 400, "token.id must not be empty."),
    ];
    for (sent, code, message) in cases {
        let (status, answer, _) = app.post(PATH).token(&token).json(&sent).await.parts();
        assert_keystone_error(status, &answer, code, message);
    }
    let (status, answer, _) = app
        .post(PATH)
        .token(&token)
        .json(&json!({ "auth": { "identity": { "methods": ["token"], "extra": 1 } } }))
        .await
        .parts();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    // No token at all; a forged one; one not scoped to a project.
    app.post(PATH)
        .json(&body(None, None))
        .await
        .assert_unauthorized();
    app.post(PATH)
        .json(&body(Some("v1.k.forged.sig"), None))
        .await
        .assert_unauthorized();
    let unscoped = app
        .login(iam_svc::bootstrap::DOMAIN, "cy", USER_PASSWORD, Value::Null)
        .await;
    let (status, answer, _) = app
        .post(PATH)
        .token(&unscoped)
        .json(&body(None, None))
        .await
        .parts();
    assert_keystone_error(
        status,
        &answer,
        400,
        "The token must be scoped to a project: a temporary key acts in one project.",
    );
}

#[actix_web::test]
async fn another_domains_admin_gets_a_key_of_their_own_domain() {
    let (h, app, _) = Harness::with_admin().await;
    let tenant = h.other_tenant("elsewhere");
    let token = app
        .login(
            &tenant.domain_name,
            "admin",
            ADMIN_PASSWORD,
            project_scope(&tenant.project_id),
        )
        .await;
    let key = mint(&app, &token, body(None, None)).await;
    let req = sdk_signed(
        "GET",
        "/v3/projects",
        b"",
        (&key.access, &key.secret),
        &tenant.project_id,
        Some(&key.token),
    );
    let listed = app.call(req).await.assert_ok().json();
    let ids: Vec<&str> = listed["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&h.boot.project_id.as_str()), "{ids:?}");
    // Aimed at this domain's project, the key is refused.
    let req = sdk_signed(
        "GET",
        "/v3/projects",
        b"",
        (&key.access, &key.secret),
        &h.boot.project_id,
        Some(&key.token),
    );
    assert_eq!(app.call(req).await.parts().0, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_permanent_key_may_ask_for_its_token() {
    let (h, app, admin) = Harness::with_admin().await;
    let answer = app
        .post("/v3.0/OS-CREDENTIAL/credentials")
        .token(&admin)
        .json(&json!({ "credential": { "user_id": h.boot.user_id } }))
        .await
        .assert_created()
        .json();
    let ak = answer["credential"]["access"].as_str().unwrap();
    let sk = answer["credential"]["secret"].as_str().unwrap();
    let sent = serde_json::to_vec(&body(Some(&admin), None)).unwrap();
    let req = sdk_signed("POST", PATH, &sent, (ak, sk), &h.boot.project_id, None);
    let (status, answer, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    // A bad signature is refused, whatever token the body holds.
    let req = sdk_signed(
        "POST",
        PATH,
        &sent,
        (ak, "not-the-secret"),
        &h.boot.project_id,
        None,
    );
    assert_eq!(app.call(req).await.parts().0, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn disabling_the_user_or_taking_the_role_kills_the_key_at_once() {
    let (h, app, admin) = Harness::with_admin().await;
    let (id, token, _) = user_with_role(&h, &admin, "dee", MEMBER_ROLE_ID).await;
    let key = mint(&app, &token, body(None, Some(3600))).await;
    app.call(use_key(&h, &key, Utc::now())).await.assert_ok();
    app.patch(&format!("/v3/users/{id}"))
        .token(&admin)
        .json(&json!({ "user": { "enabled": false } }))
        .await
        .assert_ok();
    // Without waiting for any feed: the issuer reads the user live.
    app.call(use_key(&h, &key, Utc::now()))
        .await
        .assert_unauthorized();
    // A disabled user's token mints nothing.
    app.post(PATH)
        .token(&token)
        .json(&body(None, None))
        .await
        .assert_unauthorized();

    let (_, token, grant) = user_with_role(&h, &admin, "eve", MEMBER_ROLE_ID).await;
    let key = mint(&app, &token, body(None, None)).await;
    app.delete(&grant).token(&admin).await.assert_no_content();
    let (status, answer, _) = app.call(use_key(&h, &key, Utc::now())).await.parts();
    assert!(status.is_client_error(), "{status} {answer}");
}

#[actix_web::test]
async fn deleting_the_user_kills_the_key_for_other_services_too() {
    let (h, app, admin) = Harness::with_admin().await;
    let (id, token, _) = user_with_role(&h, &admin, "fay", MEMBER_ROLE_ID).await;
    let key = mint(&app, &token, body(None, None)).await;
    let check = |key: &Key| {
        let date = credential_core::sign::huawei::format_sdk_date(Utc::now());
        let sts = format!("SDK-HMAC-SHA256\n{date}\nabc");
        json!({
            "algorithm": "SDK-HMAC-SHA256",
            "access": key.access,
            "string_to_sign": sts,
            "signature": credential_core::sign::huawei::sign(key.secret.as_bytes(), &sts),
            "project_id": h.boot.project_id,
            "security_token": key.token,
        })
    };
    let verdict = app
        .post(SIGNATURE_CHECKS_PATH)
        .header("X-Internal-Token", INTERNAL_SECRET)
        .json(&check(&key))
        .await
        .assert_ok()
        .json();
    assert_eq!(verdict["accepted"]["user_id"], json!(id), "{verdict}");
    assert!(verdict["accepted"]["temporary"].is_object(), "{verdict}");
    app.delete(&format!("/v3/users/{id}"))
        .token(&admin)
        .await
        .assert_no_content();
    let verdict = app
        .post(SIGNATURE_CHECKS_PATH)
        .header("X-Internal-Token", INTERNAL_SECRET)
        .json(&check(&key))
        .await
        .assert_ok()
        .json();
    assert_eq!(verdict, json!({ "refused": "security_token_refused" }));
}

#[actix_web::test]
async fn the_key_expires_with_the_clock() {
    let clock = Clock::fixed(DateTime::from_timestamp(1_900_000_000, 0).expect("time"));
    let h = Harness::on_clock(&clock).await;
    let admin = h
        .app
        .login(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            ADMIN_PASSWORD,
            project_scope(&h.boot.project_id),
        )
        .await;
    let key = mint(&h.app, &admin, body(None, Some(900))).await;
    assert_eq!(key.expires_at, clock.now() + Duration::seconds(900));
    clock.advance(Duration::seconds(899));
    h.state.sync_revocations().await.expect("sync");
    h.app.call(use_key(&h, &key, clock.now())).await.assert_ok();
    clock.advance(Duration::seconds(1));
    h.state.sync_revocations().await.expect("sync");
    h.app
        .call(use_key(&h, &key, clock.now()))
        .await
        .assert_unauthorized();
}

fn with_policy(policy: Value) -> Value {
    let mut b = body(None, None);
    b["auth"]["identity"]["policy"] = policy;
    b
}

#[actix_web::test]
async fn a_session_policy_narrows_the_key_and_deny_wins() {
    let (h, app, admin) = Harness::with_admin().await;
    let (id, token, _) = user_with_role(&h, &admin, "gil", MEMBER_ROLE_ID).await;
    let policy = json!({ "Version": "1.1", "Statement": [
        { "Effect": "Allow", "Action": ["iam:projects:*", "swr:*:*"] },
        { "Effect": "Deny", "Action": ["iam:projects:getProject"] }
    ] });
    let key = mint(&app, &token, with_policy(policy.clone())).await;
    app.call(use_key(&h, &key, Utc::now())).await.assert_ok();
    let signed = |path: &str| {
        sdk_signed(
            "GET",
            path,
            b"",
            (&key.access, &key.secret),
            &h.boot.project_id,
            Some(&key.token),
        )
    };
    // Denied by the policy, though the member's roles allow it.
    let (status, answer, _) = app
        .call(signed(&format!("/v3/projects/{}", h.boot.project_id)))
        .await
        .parts();
    assert_keystone_error(
        status,
        &answer,
        403,
        "You are not authorized to perform the requested action.",
    );
    // Not allowed by any statement.
    let (status, _, _) = app
        .call(signed(&format!(
            "/v3.0/OS-CREDENTIAL/credentials?user_id={id}"
        )))
        .await
        .parts();
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The policy travels with the principal to the services that ask iam-svc.
    let date = credential_core::sign::huawei::format_sdk_date(Utc::now());
    let sts = format!("SDK-HMAC-SHA256\n{date}\nabc");
    let verdict = app
        .post(SIGNATURE_CHECKS_PATH)
        .header("X-Internal-Token", INTERNAL_SECRET)
        .json(&json!({
            "algorithm": "SDK-HMAC-SHA256",
            "access": key.access,
            "string_to_sign": sts,
            "signature": credential_core::sign::huawei::sign(key.secret.as_bytes(), &sts),
            "project_id": h.boot.project_id,
            "security_token": key.token,
        }))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        verdict["accepted"]["temporary"]["policy"], policy,
        "{verdict}"
    );
}

#[actix_web::test]
async fn a_policy_that_cannot_be_enforced_as_written_is_refused() {
    let (h, app, admin) = Harness::with_admin().await;
    let (_, token, _) = user_with_role(&h, &admin, "hal", MEMBER_ROLE_ID).await;
    let allow = |action: Value| {
        json!({ "Version": "1.1", "Statement": [
        { "Effect": "Allow", "Action": action } ] })
    };
    let cases = [
        (
            allow(json!(["swr:instance:lsit"])),
            "policy.Statement[0].Action[0] names no known action.",
        ),
        (
            allow(json!(["swr:*:*", "obs:*:*"])),
            "policy.Statement[0].Action[1] names no known action.",
        ),
        (
            json!({ "Version": "1.1", "Statement": [{ "Effect": "Allow", "Action": ["swr:*:*"],
                "Resource": ["SWR:*:*:instance:x"] }] }),
            "policy.Statement[0].Resource: only [\"*\"] is supported; narrow by action instead.",
        ),
        (
            json!({ "Version": "1.1", "Statement": [{ "Effect": "Allow", "Action": ["swr:*:*"],
                "Condition": { "StringEquals": { "g:UserName": ["x"] } } }] }),
            "policy.Statement[0].Condition is not supported.",
        ),
        (
            json!({ "Version": "1.0", "Statement": [] }),
            "policy.Version must be \"1.1\".",
        ),
        (json!("swr:*:*"), "policy must be an object."),
    ];
    for (policy, message) in cases {
        let (status, answer, _) = app
            .post(PATH)
            .token(&token)
            .json(&with_policy(policy))
            .await
            .parts();
        assert_keystone_error(status, &answer, 400, message);
    }
    // Nothing was recorded for the refused requests.
    let mut conn = h.db.pool.get().unwrap();
    use diesel::prelude::*;
    let keys: i64 = iam_svc::schema::temporary_keys::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(keys, 0);
}

#[actix_web::test]
async fn a_password_change_kills_the_key_through_the_revocation_feed() {
    let (h, app, admin) = Harness::with_admin().await;
    let (id, token, _) = user_with_role(&h, &admin, "ida", MEMBER_ROLE_ID).await;
    let key = mint(&app, &token, body(None, None)).await;
    app.call(use_key(&h, &key, Utc::now())).await.assert_ok();
    app.post(&format!("/v3/users/{id}/password"))
        .token(&token)
        .json(
            &json!({ "user": { "original_password": USER_PASSWORD, "password": "N3w-Passw0rd!" } }),
        )
        .await
        .assert_no_content();
    h.state.sync_revocations().await.expect("sync");
    app.call(use_key(&h, &key, Utc::now()))
        .await
        .assert_unauthorized();
}

#[actix_web::test]
async fn a_signature_of_the_key_is_accepted_once() {
    let clock = Clock::fixed(DateTime::from_timestamp(1_900_000_000, 0).expect("time"));
    let h = Harness::on_clock(&clock).await;
    let admin = h
        .app
        .login(
            iam_svc::bootstrap::DOMAIN,
            iam_svc::bootstrap::USER,
            ADMIN_PASSWORD,
            project_scope(&h.boot.project_id),
        )
        .await;
    let key = mint(&h.app, &admin, body(None, None)).await;
    let date = credential_core::sign::huawei::format_sdk_date(clock.now());
    let sts = format!("SDK-HMAC-SHA256\n{date}\nabc");
    let check = json!({
        "algorithm": "SDK-HMAC-SHA256",
        "access": key.access,
        "string_to_sign": sts,
        "signature": credential_core::sign::huawei::sign(key.secret.as_bytes(), &sts),
        "project_id": h.boot.project_id,
        "security_token": key.token,
        "replay": "once",
    });
    let ask = || {
        h.app
            .post(SIGNATURE_CHECKS_PATH)
            .header("X-Internal-Token", INTERNAL_SECRET)
            .json(&check)
    };
    let first = ask().await.assert_ok().json();
    assert!(first["accepted"].is_object(), "{first}");
    // Past the same-second grace, the same signed write is a replay.
    clock.advance(Duration::seconds(3));
    let again = ask().await.assert_ok().json();
    assert_eq!(again, json!({ "refused": "replayed" }));
}
