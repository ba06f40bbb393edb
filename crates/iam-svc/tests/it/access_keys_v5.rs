//! IAM v5's access keys (`/v5/users/{user_id}/access-keys`): the wire shapes
//! `huaweicloudsdkiam.v5` reads, the quota shared with v3.0 (concurrency included),
//! paging, each kind of caller, last use, and every bad input refused in v5's envelope.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use serde_json::{json, Value};
use service_kit::testing::TestResponse;

use crate::common::*;

const V3: &str = "/v3.0/OS-CREDENTIAL/credentials";

fn keys_of(user_id: &str) -> String {
    format!("/v5/users/{user_id}/access-keys")
}

fn key_of(user_id: &str, access: &str) -> String {
    format!("/v5/users/{user_id}/access-keys/{access}")
}

/// The v5 envelope, with the request id of the `X-Request-Id` header.
fn assert_v5_error(res: TestResponse, status: u16, code: &str) -> Value {
    let (got, body, headers) = res.parts();
    assert_eq!(got.as_u16(), status, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert!(
        body["error_msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id");
    assert_eq!(body["request_id"], id, "{body}");
    let mut fields: Vec<_> = body.as_object().expect("object").keys().cloned().collect();
    fields.sort();
    assert_eq!(fields, ["error_code", "error_msg", "request_id"], "{body}");
    body
}

/// Create through v5 with a token; the answer's `access_key`.
async fn create_v5(app: &TestApp, token: &str, user_id: &str) -> TestResponse {
    app.post(&keys_of(user_id)).token(token).await
}

async fn create_v3(app: &TestApp, token: &str, user_id: &str) -> TestResponse {
    app.post(V3)
        .token(token)
        .json(&json!({ "credential": { "user_id": user_id } }))
        .await
}

fn is_v5_time(t: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.3fZ").is_ok()
        && t.len() == "2026-01-02T03:04:05.000Z".len()
}

/// Signed as `GlobalCredentials` signs: SDK-HMAC-SHA256 with `X-Domain-Id`.
fn domain_signed(
    method: &str,
    uri: &str,
    body: &[u8],
    (ak, sk): (&str, &str),
    domain_id: &str,
) -> TestRequest {
    use credential_core::sign::huawei::{format_sdk_date, sign_request, SignableRequest};
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let date = format_sdk_date(chrono::Utc::now());
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", "iam.test"),
        ("X-Domain-Id", domain_id),
        ("X-Sdk-Date", date.as_str()),
    ];
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
    let signable = SignableRequest {
        method,
        path,
        query,
        headers: &headers,
        body,
    };
    let authorization = sign_request(&signable, ak, sk.as_bytes(), &names, &date).expect("sign");
    let mut req = TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(uri)
        .insert_header(("Authorization", authorization));
    for (n, v) in headers {
        req = req.insert_header((n, v));
    }
    req.set_payload(body.to_vec())
}

#[actix_web::test]
async fn create_list_update_last_used_delete_in_the_sdks_shapes() {
    let (h, app, token) = Harness::with_admin().await;
    let me = h.boot.user_id.clone();
    let body = create_v5(&app, &token, &me).await.assert_created().json();
    let k = &body["access_key"];
    let mut fields: Vec<_> = k.as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "access_key_id",
            "created_at",
            "secret_access_key",
            "status",
            "user_id"
        ]
    );
    let access = k["access_key_id"].as_str().unwrap().to_string();
    let secret = k["secret_access_key"].as_str().unwrap().to_string();
    assert_eq!(access.len(), 20);
    assert_eq!(secret.len(), 40);
    assert_eq!(k["user_id"], me.as_str());
    assert_eq!(k["status"], "active");
    assert!(is_v5_time(k["created_at"].as_str().unwrap()), "{k}");

    let body = app
        .get(&keys_of(&me))
        .token(&token)
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({
            "access_keys": [{ "user_id": me, "access_key_id": access,
                              "created_at": k["created_at"], "status": "active" }],
            "page_info": { "current_count": 1 }
        })
    );

    // Never used yet: `last_used_at` is absent, as the SDK reads "never".
    let last = format!("{}/last-used", key_of(&me, &access));
    let body = app.get(&last).token(&token).await.assert_ok().json();
    assert_eq!(body, json!({ "access_key_last_used": {} }));

    // A request signed with the key (GlobalCredentials' way) marks its use, to the minute.
    let req = domain_signed(
        "GET",
        &keys_of(&me),
        b"",
        (&access, &secret),
        &h.boot.domain_id,
    );
    let (status, listed, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::OK, "{listed}");
    let body = app.get(&last).token(&token).await.assert_ok().json();
    let used = body["access_key_last_used"]["last_used_at"]
        .as_str()
        .unwrap();
    assert!(is_v5_time(used) && used.ends_with(":00.000Z"), "{used}");

    let one = key_of(&me, &access);
    let body = app
        .put(&one)
        .token(&token)
        .json(&json!({ "status": "inactive" }))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        body,
        json!({ "access_key": { "user_id": me, "access_key_id": access,
                                "created_at": k["created_at"], "status": "inactive" } })
    );
    // The same key, as v3.0 sees it.
    let v3 = app
        .get(&format!("{V3}/{access}"))
        .token(&token)
        .await
        .assert_ok()
        .json();
    assert_eq!(v3["credential"]["status"], "inactive");

    app.delete(&one).token(&token).await.assert_no_content();
    assert_v5_error(app.delete(&one).token(&token).await, 404, "PAP5.0104");
    assert_v5_error(app.get(&last).token(&token).await, 404, "PAP5.0104");
}

#[actix_web::test]
async fn the_quota_is_one_across_v3_and_v5() {
    let (h, app, token) = Harness::with_admin().await;
    let me = h.boot.user_id.clone();
    create_v3(&app, &token, &me).await.assert_created();
    create_v5(&app, &token, &me).await.assert_created();
    let body = assert_v5_error(create_v5(&app, &token, &me).await, 400, "PAP5.0102");
    assert!(body["error_msg"]
        .as_str()
        .unwrap()
        .contains("akSkNumExceed"));
    create_v3(&app, &token, &me)
        .await
        .assert_keystone_error(400, "akSkNumExceed");

    // Free one through v5: v3.0 may make one again, and then v5 may not.
    let list = app
        .get(&keys_of(&me))
        .token(&token)
        .await
        .assert_ok()
        .json();
    let first = list["access_keys"][0]["access_key_id"].as_str().unwrap();
    app.delete(&key_of(&me, first))
        .token(&token)
        .await
        .assert_no_content();
    create_v3(&app, &token, &me).await.assert_created();
    assert_v5_error(create_v5(&app, &token, &me).await, 400, "PAP5.0102");
}

#[actix_web::test]
async fn ten_concurrent_v5_creates_make_two_keys() {
    let (h, app, token) = Harness::shared().await.admin_scene().await;
    let me = h.boot.user_id.clone();
    let results = join_all((0..10).map(|_| create_v5(&app, &token, &me))).await;
    let mut created = 0;
    for res in results {
        if res.status() == StatusCode::CREATED {
            created += 1;
        } else {
            assert_v5_error(res, 400, "PAP5.0102");
        }
    }
    assert_eq!(created, 2);
    let mut conn = h.db.pool.get().unwrap();
    let stored = iam_svc::repo::access_keys::count_for_user(&mut conn, &me).unwrap();
    assert_eq!(stored, 2);
}

#[actix_web::test]
async fn concurrent_v3_and_v5_creates_share_the_two_keys() {
    let (h, app, token) = Harness::shared().await.admin_scene().await;
    let me = h.boot.user_id.clone();
    let v5 = join_all((0..5).map(|_| create_v5(&app, &token, &me)));
    let v3 = join_all((0..5).map(|_| create_v3(&app, &token, &me)));
    let (v5, v3) = futures_util::future::join(v5, v3).await;
    let created = v5
        .iter()
        .chain(v3.iter())
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    assert_eq!(created, 2);
    let mut conn = h.db.pool.get().unwrap();
    let stored = iam_svc::repo::access_keys::count_for_user(&mut conn, &me).unwrap();
    assert_eq!(stored, 2);
}

#[actix_web::test]
async fn pages_follow_the_marker_to_the_end() {
    let mut config = test_config();
    config.access_keys.max_per_user = 5;
    let h = Harness::with_config(config).await;
    let (h, app, token) = h.admin_scene().await;
    let me = h.boot.user_id.clone();
    let mut made = Vec::new();
    for _ in 0..5 {
        let body = create_v5(&app, &token, &me).await.assert_created().json();
        made.push(
            body["access_key"]["access_key_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    made.sort();
    let mut seen = Vec::new();
    let mut uri = format!("{}?limit=2", keys_of(&me));
    loop {
        let body = app.get(&uri).token(&token).await.assert_ok().json();
        let page: Vec<String> = body["access_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["access_key_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(body["page_info"]["current_count"], page.len());
        seen.extend(page);
        match body["page_info"]["next_marker"].as_str() {
            Some(marker) => uri = format!("{}?limit=2&marker={marker}", keys_of(&me)),
            None => break,
        }
    }
    assert_eq!(seen, made);
    // Exactly a full last page: no marker pointing at an empty page.
    let body = app
        .get(&format!("{}?limit=5", keys_of(&me)))
        .token(&token)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["page_info"], json!({ "current_count": 5 }));
}

#[actix_web::test]
async fn every_bad_input_is_a_clear_4xx_in_the_v5_envelope() {
    let (h, app, token) = Harness::with_admin().await;
    let me = h.boot.user_id.clone();
    let body = create_v5(&app, &token, &me).await.assert_created().json();
    let access = body["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = keys_of(&me);
    for (query, code) in [
        ("marker=abc", "PAP5.0010"),
        ("marker=abcdefghij0123456789", "PAP5.0010"),
        ("marker=ABCDEFGHIJ0123456789ABCD", "PAP5.0010"),
        ("marker=", "PAP5.0010"),
        ("limit=0", "PAP5.0101"),
        ("limit=201", "PAP5.0101"),
        ("limit=-1", "PAP5.0101"),
        ("limit=ten", "PAP5.0101"),
        ("limit=1&limit=2", "PAP5.0101"),
        ("offset=0", "PAP5.0101"),
        ("user_id=x", "PAP5.0101"),
        // Refused before routing, yet in v5's envelope (schemathesis found it in
        // Keystone's, which the document does not give a /v5 route).
        ("limit=1%00", "PAP5.0101"),
        ("%00=1", "PAP5.0101"),
    ] {
        let res = app.get(&format!("{list}?{query}")).token(&token).await;
        assert_v5_error(res, 400, code);
    }
    let one = key_of(&me, &access);
    for body in [
        json!({ "status": "paused" }),
        json!({ "status": "Active" }),
        json!({ "status": null }),
        json!({}),
        json!({ "status": "inactive", "description": "x" }),
        json!({ "access_key": { "status": "inactive" } }),
        json!([]),
    ] {
        let res = app.put(&one).token(&token).json(&body).await;
        assert_v5_error(res, 400, "PAP5.0101");
    }
    let res = app
        .put(&one)
        .token(&token)
        .body("not json")
        .header("Content-Type", "application/json")
        .await;
    assert_v5_error(res, 400, "PAP5.0101");
    for body in [json!({ "description": "x" }), json!([]), json!("x")] {
        let res = app.post(&list).token(&token).json(&body).await;
        assert_v5_error(res, 400, "PAP5.0101");
    }
    // `{}` and no body at all are both a plain create.
    app.post(&list)
        .token(&token)
        .json(&json!({}))
        .await
        .assert_created();

    assert_v5_error(app.patch(&one).token(&token).await, 405, "PAP5.0105");
    assert_v5_error(app.get(&one).token(&token).await, 405, "PAP5.0105");
    assert_v5_error(app.get("/v5/nowhere").token(&token).await, 404, "PAP5.0104");
    assert_v5_error(
        app.get(&keys_of("nobody")).token(&token).await,
        404,
        "PAP5.0104",
    );
    assert_v5_error(app.get(&list).await, 401, "APIGW.0301");
    assert_v5_error(app.get(&list).token("garbage").await, 401, "APIGW.0301");
    let huge = "x".repeat(test_config().server.max_body_bytes + 1);
    let res = app
        .put(&one)
        .token(&token)
        .body(huge)
        .header("Content-Type", "application/json")
        .await;
    assert_v5_error(res, 413, "PAP5.0113");
    // Nothing changed.
    let body = app.get(&list).token(&token).await.assert_ok().json();
    assert_eq!(body["page_info"]["current_count"], 2);
    assert!(body["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["status"] == "active"));
}

#[actix_web::test]
async fn each_kind_of_caller() {
    let (h, app, admin) = Harness::with_admin().await;
    let project = h.boot.project_id.clone();
    let member = app.project_member(&admin, "member5", &project).await;
    // A readonly user: no role at all on the project.
    let reader_id = app.create_user_as(&admin, "reader5").await;
    let reader = app
        .login(
            iam_svc::bootstrap::DOMAIN,
            "reader5",
            USER_PASSWORD,
            Value::Null,
        )
        .await;

    // A member manages their own keys, not the admin's.
    let body = create_v5(&app, &member.token, &member.user_id)
        .await
        .assert_created()
        .json();
    let member_key = body["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_v5_error(
        create_v5(&app, &member.token, &h.boot.user_id).await,
        403,
        "PAP5.0001",
    );
    assert_v5_error(
        app.get(&keys_of(&h.boot.user_id))
            .token(&member.token)
            .await,
        403,
        "PAP5.0001",
    );
    // The domain admin manages the member's.
    let admins_for_member = create_v5(&app, &admin, &member.user_id)
        .await
        .assert_created()
        .json();
    let second = admins_for_member["access_key"]["access_key_id"]
        .as_str()
        .unwrap();
    app.delete(&key_of(&member.user_id, second))
        .token(&admin)
        .await
        .assert_no_content();
    // A key named under someone else's path is not there, even for its owner.
    assert_v5_error(
        app.delete(&key_of(&h.boot.user_id, &member_key))
            .token(&member.token)
            .await,
        404,
        "PAP5.0104",
    );
    assert_v5_error(
        app.delete(&key_of(&reader_id, &member_key))
            .token(&admin)
            .await,
        404,
        "PAP5.0104",
    );

    // Readonly: manages their own keys through v5 as through v3.0.
    let v3_made = create_v3(&app, &reader, &reader_id)
        .await
        .assert_created()
        .json();
    let reader_key = v3_made["credential"]["access"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&keys_of(&reader_id))
        .token(&reader)
        .await
        .assert_ok();
    let res = app
        .put(&key_of(&reader_id, &reader_key))
        .token(&reader)
        .json(&json!({ "status": "inactive" }))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    let res = app
        .delete(&key_of(&reader_id, &reader_key))
        .token(&reader)
        .await;
    assert_eq!(res.status(), 204, "{}", res.text());
    let made = create_v5(&app, &reader, &reader_id)
        .await
        .assert_created()
        .json();
    let new_key = made["access_key"]["access_key_id"].as_str().unwrap();
    let last = format!("{}/last-used", key_of(&reader_id, new_key));
    app.get(&last).token(&reader).await.assert_ok();

    // Another domain's admin: our users and keys do not exist.
    let other = h.other_tenant("other5");
    let other_token = app
        .login(
            "other5",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    assert_v5_error(
        create_v5(&app, &other_token, &member.user_id).await,
        404,
        "PAP5.0104",
    );
    assert_v5_error(
        app.get(&keys_of(&member.user_id)).token(&other_token).await,
        404,
        "PAP5.0104",
    );
    assert_v5_error(
        app.delete(&key_of(&member.user_id, &member_key))
            .token(&other_token)
            .await,
        404,
        "PAP5.0104",
    );

    // A temporary key of the admin: reads its own user's keys, manages none.
    let temp = temporary_signed(
        "POST",
        &keys_of(&h.boot.user_id),
        &Value::Null,
        &h.boot.user_id,
        &project,
    );
    let body = assert_v5_error(app.call(temp).await, 403, "PAP5.0001");
    assert!(body["error_msg"]
        .as_str()
        .unwrap()
        .contains("Temporary credentials"));
    let temp = temporary_signed(
        "GET",
        &keys_of(&h.boot.user_id),
        &Value::Null,
        &h.boot.user_id,
        &project,
    );
    app.call(temp).await.assert_ok();

    // A disabled user's token is dead.
    app.patch(&format!("/v3/users/{}", member.user_id))
        .token(&admin)
        .json(&json!({ "user": { "enabled": false } }))
        .await
        .assert_ok();
    assert_v5_error(
        app.get(&keys_of(&member.user_id))
            .token(&member.token)
            .await,
        401,
        "APIGW.0301",
    );
}

#[actix_web::test]
async fn a_permanent_key_signing_for_its_admin_and_a_bad_signature() {
    let (h, app, token) = Harness::with_admin().await;
    let me = h.boot.user_id.clone();
    let body = create_v5(&app, &token, &me).await.assert_created().json();
    let ak = body["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let sk = body["access_key"]["secret_access_key"]
        .as_str()
        .unwrap()
        .to_string();
    let domain = h.boot.domain_id.clone();
    let req = domain_signed("POST", &keys_of(&me), b"", (&ak, &sk), &domain);
    let made = app.call(req).await.assert_created().json();
    let second = made["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let req = domain_signed(
        "PUT",
        &key_of(&me, &second),
        br#"{"status":"inactive"}"#,
        (&ak, &sk),
        &domain,
    );
    app.call(req).await.assert_ok();
    let wrong = "x".repeat(40);
    let req = domain_signed("GET", &keys_of(&me), b"", (&ak, &wrong), &domain);
    assert_v5_error(app.call(req).await, 401, "APIGW.0301");
}
