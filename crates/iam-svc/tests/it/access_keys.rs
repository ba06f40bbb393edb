//! Permanent access keys: the API, the 2-per-user quota under concurrency, sealing at
//! rest, and requests signed with the keys.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

const BASE: &str = "/v3.0/OS-CREDENTIAL/credentials";

fn create_body(user_id: &str) -> Value {
    json!({ "credential": { "user_id": user_id, "description": "ci key" } })
}

/// A request signed like huaweicloudsdkcore signs it, dated `date`.
pub fn signed(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    ak: &str,
    sk: &str,
    project_id: &str,
    date: chrono::DateTime<Utc>,
) -> TestRequest {
    sdk_signed_at(
        method,
        path_and_query,
        body,
        (ak, sk),
        project_id,
        None,
        date,
    )
}

async fn create_key(app: &TestApp, token: &str, user_id: &str) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(BASE)
        .token(token)
        .json(&create_body(user_id))
        .await
        .parts();
    (status, body)
}

#[actix_web::test]
async fn create_list_show_update_delete() {
    let (h, app, token) = Harness::with_admin().await;
    let (status, body) = create_key(&app, &token, &h.boot.user_id).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let c = &body["credential"];
    let access = c["access"].as_str().unwrap().to_string();
    assert_eq!(access.len(), 20);
    assert!(access
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    let secret = c["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 40);
    assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(c["status"], "active");
    assert_eq!(c["user_id"], h.boot.user_id.as_str());
    assert_eq!(c["description"], "ci key");
    let created = c["create_time"].as_str().unwrap();
    assert_eq!(
        created.len(),
        "2020-01-08T06:25:19.014028Z".len(),
        "{created}"
    );

    let body = app.get(BASE).token(&token).await.assert_ok().json();
    let list = body["credentials"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["access"], access.as_str());
    assert!(
        list[0].get("secret").is_none(),
        "list must not show the secret"
    );

    let one = format!("{BASE}/{access}");
    let body = app.get(&one).token(&token).await.assert_ok().json();
    assert!(body["credential"].get("secret").is_none());
    assert!(body["credential"].get("last_use_time").is_some());

    let update = json!({ "credential": { "description": "renamed" } });
    let body = app
        .put(&one)
        .token(&token)
        .json(&update)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["credential"]["description"], "renamed");
    assert_eq!(body["credential"]["status"], "active");

    let update = json!({ "credential": { "status": "inactive" } });
    let body = app
        .put(&one)
        .token(&token)
        .json(&update)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["credential"]["status"], "inactive");
    assert_eq!(body["credential"]["description"], "renamed");

    for bad in [
        json!({ "credential": {} }),
        json!({ "credential": { "status": "paused" } }),
    ] {
        let body = app
            .put(&one)
            .token(&token)
            .json(&bad)
            .await
            .assert_bad_request()
            .json();
        assert_eq!(body["error"]["code"], 400);
    }

    app.delete(&one).token(&token).await.assert_no_content();
    let body = app.get(&one).token(&token).await.assert_not_found().json();
    assert_eq!(body["error"]["code"], 404);
}

#[actix_web::test]
async fn third_key_is_refused_with_ak_sk_num_exceed() {
    let (h, app, token) = Harness::with_admin().await;
    for _ in 0..2 {
        assert_eq!(
            create_key(&app, &token, &h.boot.user_id).await.0,
            StatusCode::CREATED
        );
    }
    let (status, body) = create_key(&app, &token, &h.boot.user_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({ "error": { "code": 400, "message": "akSkNumExceed", "title": "Bad Request" } })
    );
}

#[actix_web::test]
async fn fifty_concurrent_creates_leave_exactly_two_keys() {
    let (h, app, token) = Harness::shared().await.admin_scene().await;
    let results = join_all((0..50).map(|_| create_key(&app, &token, &h.boot.user_id))).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let refused = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::BAD_REQUEST && b["error"]["message"] == "akSkNumExceed")
        .count();
    assert_eq!(
        (created, refused),
        (2, 48),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let mut conn = h.db.pool.get().unwrap();
    let stored = iam_svc::repo::access_keys::count_for_user(&mut conn, &h.boot.user_id).unwrap();
    assert_eq!(stored, 2);
}

#[actix_web::test]
async fn the_secret_is_stored_sealed_never_in_clear() {
    let (h, app, token) = Harness::shared().await.admin_scene().await;
    let (_, body) = create_key(&app, &token, &h.boot.user_id).await;
    let access = body["credential"]["access"].as_str().unwrap();
    let secret = body["credential"]["secret"].as_str().unwrap();
    let mut conn = h.db.pool.get().unwrap();
    let row = iam_svc::repo::access_keys::find(&mut conn, access)
        .unwrap()
        .unwrap();
    assert!(!row.sealed_secret.contains(secret));
    assert!(
        row.sealed_secret.starts_with("test-master$"),
        "{}",
        row.sealed_secret
    );
    assert!(!format!("{row:?}").contains(secret));
    drop(conn);
    if h.db.backend == service_kit::db::Backend::Sqlite {
        // Checkpoint the WAL so every page is in the main file, then scan every file.
        use diesel::connection::SimpleConnection;
        h.db.pool
            .get()
            .unwrap()
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(bytes) = std::fs::read(format!("{}{suffix}", h.db.url)) {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!found, "plaintext SK found in the database file{suffix}");
            }
        }
    }
}

#[actix_web::test]
async fn members_manage_their_own_keys_only_and_other_domains_see_nothing() {
    let (h, app, admin) = Harness::with_admin().await;
    // A plain member of the admin project.
    let body = app
        .post("/v3/users")
        .token(&admin)
        .json(&json!({ "user": { "name": "member1", "password": "Member-Passw0rd!" } }))
        .await
        .assert_created()
        .json();
    let member_id = body["user"]["id"].as_str().unwrap().to_string();
    let member = app
        .login(
            "local",
            "member1",
            "Member-Passw0rd!",
            serde_json::Value::Null,
        )
        .await;

    assert_eq!(
        create_key(&app, &member, &member_id).await.0,
        StatusCode::CREATED
    );
    let (status, body) = create_key(&app, &member, &h.boot.user_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    app.get(&format!("{BASE}?user_id={}", h.boot.user_id))
        .token(&member)
        .await
        .assert_forbidden();
    // The domain admin manages the member's keys.
    assert_eq!(
        create_key(&app, &admin, &member_id).await.0,
        StatusCode::CREATED
    );
    let (_, admin_key) = create_key(&app, &admin, &h.boot.user_id).await;
    let admin_access = admin_key["credential"]["access"]
        .as_str()
        .unwrap()
        .to_string();

    // Another domain's admin: our users and keys do not exist for them, and back.
    let other = h.other_tenant("other");
    let other_token = app
        .login(
            "other",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let (status, _) = create_key(&app, &other_token, &member_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.get(&format!("{BASE}/{admin_access}"))
        .token(&other_token)
        .await
        .assert_not_found();
    app.delete(&format!("{BASE}/{admin_access}"))
        .token(&other_token)
        .await
        .assert_not_found();
    let (_, other_key) = create_key(&app, &other_token, &other.admin_id).await;
    let other_access = other_key["credential"]["access"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&format!("{BASE}/{other_access}"))
        .token(&admin)
        .await
        .assert_not_found();
    app.get(&format!("{BASE}?user_id={}", other.admin_id))
        .token(&admin)
        .await
        .assert_not_found();
}

/// Create a key for the admin and return (access, secret).
async fn admin_key(app: &TestApp, h: &Harness) -> (String, String) {
    let token = app.admin_token(h).await;
    let (_, body) = create_key(app, &token, &h.boot.user_id).await;
    let c = &body["credential"];
    (
        c["access"].as_str().unwrap().to_string(),
        c["secret"].as_str().unwrap().to_string(),
    )
}

#[actix_web::test]
async fn signed_requests_work_and_every_kind_of_bad_signature_is_refused() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let (ak, sk) = admin_key(&app, &h).await;
    let project = h.boot.project_id.clone();
    let now = Utc::now();

    // A signed create for the admin, with the SDK's separators.
    let body = format!(
        r#"{{"credential": {{"user_id": "{}", "description": "signed"}}}}"#,
        h.boot.user_id
    );
    let created = app
        .call(signed(
            "POST",
            BASE,
            body.as_bytes(),
            &ak,
            &sk,
            &project,
            now,
        ))
        .await
        .assert_created()
        .json();
    let listed = app
        .call(signed(
            "GET",
            &format!("{BASE}?user_id={}", h.boot.user_id),
            b"",
            &ak,
            &sk,
            &project,
            now,
        ))
        .await
        .assert_ok()
        .json();
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 2);
    // The key's use is recorded (to the minute).
    let (_, shown, _) = app
        .call(signed(
            "GET",
            &format!("{BASE}/{ak}"),
            b"",
            &ak,
            &sk,
            &project,
            now,
        ))
        .await
        .parts();
    assert_ne!(shown["credential"]["last_use_time"], "", "{shown}");

    let refused = |body: &Value, what: &str| {
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains(what), "expected {what:?} in {body}");
        assert_eq!(body["error"]["code"], 401);
    };
    let wrong_secret = sk.chars().rev().collect::<String>();
    let body = app
        .call(signed("GET", BASE, b"", &ak, &wrong_secret, &project, now))
        .await
        .assert_unauthorized()
        .json();
    refused(&body, "signature does not match");

    let body = app
        .call(signed(
            "GET",
            BASE,
            b"",
            &ak,
            &sk,
            &project,
            now - Duration::minutes(20),
        ))
        .await
        .assert_unauthorized()
        .json();
    refused(&body, "X-Sdk-Date is too far");

    // Sign one body, send another.
    let mut req = signed("POST", BASE, body_of("signed"), &ak, &sk, &project, now);
    req = req.set_payload(body_of("tampered").to_vec());
    let body = app.call(req).await.assert_unauthorized().json();
    refused(&body, "signature does not match");

    let (status, body, _) = app
        .call(signed(
            "GET",
            BASE,
            b"",
            "AAAAAAAAAAAAAAAAAAAA",
            &sk,
            &project,
            now,
        ))
        .await
        .parts();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    refused(&body, "access key does not exist");

    // Inactive, then deleted: refused at once.
    let second = created["credential"]["access"]
        .as_str()
        .unwrap()
        .to_string();
    let second_sk = created["credential"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let deactivate = br#"{"credential": {"status": "inactive"}}"#;
    app.call(signed(
        "PUT",
        &format!("{BASE}/{second}"),
        deactivate,
        &ak,
        &sk,
        &project,
        now,
    ))
    .await
    .assert_ok();
    let body = app
        .call(signed("GET", BASE, b"", &second, &second_sk, &project, now))
        .await
        .assert_unauthorized()
        .json();
    refused(&body, "access key is inactive");
    app.call(signed(
        "DELETE",
        &format!("{BASE}/{second}"),
        b"",
        &ak,
        &sk,
        &project,
        now,
    ))
    .await
    .assert_no_content();
    let body = app
        .call(signed("GET", BASE, b"", &second, &second_sk, &project, now))
        .await
        .assert_unauthorized()
        .json();
    refused(&body, "access key does not exist");

    // A scope header the signature does not cover cannot be swapped into a request.
    let req = signed("GET", BASE, b"", &ak, &sk, &project, now)
        .insert_header(("X-Domain-Id", h.boot.domain_id.as_str()));
    let body = app.call(req).await.assert_unauthorized().json();
    refused(&body, "malformed");

    // A project the key's user has no role on.
    let other = h.other_tenant("elsewhere");
    app.call(signed("GET", BASE, b"", &ak, &sk, &other.project_id, now))
        .await
        .assert_forbidden();
}

fn body_of(description: &str) -> &'static [u8] {
    match description {
        "signed" => br#"{"credential": {"user_id": "u", "description": "signed"}}"#,
        _ => br#"{"credential": {"user_id": "u", "description": "tampered"}}"#,
    }
}

#[actix_web::test]
async fn internal_signature_check_answers_with_the_principal_or_a_refusal() {
    use credential_core::sign::huawei;
    let h = Harness::new().await;
    let app = h.app.clone();
    let (ak, sk) = admin_key(&app, &h).await;
    let sts = "SDK-HMAC-SHA256\n20240101T000000Z\nabc";
    let check = |signature: String| {
        json!({
            "algorithm": "SDK-HMAC-SHA256", "access": ak, "string_to_sign": sts,
            "signature": signature, "project_id": h.boot.project_id,
        })
    };
    let path = "/internal/v1/signature-checks";
    let good = huawei::sign(sk.as_bytes(), sts);
    let (status, _, _) = app.post(path).json(&check(good.clone())).await.parts();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no internal credential");
    let with_cred = |body: Value| {
        TestRequest::post()
            .uri(path)
            .insert_header(("X-Internal-Token", INTERNAL_SECRET))
            .set_json(body)
    };
    let body = app.call(with_cred(check(good))).await.assert_ok().json();
    let p = &body["accepted"];
    assert_eq!(p["user_id"], h.boot.user_id.as_str());
    assert_eq!(p["project"]["id"], h.boot.project_id.as_str());
    assert_eq!(p["access_key"], ak.as_str());
    assert!(p["roles"].as_array().unwrap().contains(&json!("admin")));
    let body = app
        .call(with_cred(check("00".repeat(32))))
        .await
        .assert_ok()
        .json();
    assert_eq!(body, json!({ "refused": "signature_mismatch" }));
}

#[actix_web::test]
async fn resealing_under_a_new_master_key_keeps_keys_working() {
    use credential_core::seal::{Keyring, SealingKey};
    let h = Harness::new().await;
    let app = h.app.clone();
    let (ak, sk) = admin_key(&app, &h).await;
    let mut conn = h.db.pool.get().unwrap();
    let row = iam_svc::repo::access_keys::find(&mut conn, &ak)
        .unwrap()
        .unwrap();
    let opened = h
        .state
        .signatures
        .keys()
        .master()
        .open_string(&row.sealed_secret, ak.as_bytes())
        .unwrap();
    assert_eq!(opened.expose(), sk);
    // The new key goes first; the old one stays to open what is not yet re-sealed.
    let old = h
        .state
        .signatures
        .keys()
        .master()
        .key("test-master")
        .unwrap()
        .to_base64();
    let old = SealingKey::from_base64("test-master", old.expose()).unwrap();
    let rotated = Keyring::new(SealingKey::generate("rotated").unwrap(), vec![old]).unwrap();
    assert_eq!(
        iam_svc::rotation::reseal_access_keys(&mut conn, &rotated).unwrap(),
        1
    );
    let row = iam_svc::repo::access_keys::find(&mut conn, &ak)
        .unwrap()
        .unwrap();
    assert!(row.sealed_secret.starts_with("rotated$"));
    assert_eq!(
        rotated
            .open_string(&row.sealed_secret, ak.as_bytes())
            .unwrap()
            .expose(),
        sk
    );
    assert_eq!(
        iam_svc::rotation::reseal_access_keys(&mut conn, &rotated).unwrap(),
        0
    );
}
