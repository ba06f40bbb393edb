//! Using temporary credentials: requests signed with them through the app's middleware,
//! the issuer's checks one by one (MAC, token, expiry, scope, TC3), revocation, and the
//! internal signature-check API other services call.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::HttpServer;
use chrono::{DateTime, Duration, Utc};
use credential_core::random::{generate_access_key, generate_secret_key};
use credential_core::sign::huawei::{format_sdk_date, sign_request, SignableRequest};
use credential_core::sign::tencent;
use lakeformation_svc::app::Collaborators;
use lakeformation_svc::repo::{self, Issuance};
use lakeformation_svc::security_token::{self, TokenBody};
use serde_json::{json, Value};
use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureCheck, SIGNATURE_CHECKS_PATH};
use service_kit::auth::{
    AuthError, InternalCredential, RemoteSignatureVerifier, SignatureVerifier,
    INTERNAL_TOKEN_HEADER,
};

use crate::common::*;

/// A harness, its app, alice (member of `PROJECT`) and an instance.
macro_rules! setup {
    ($h:ident, $app:ident, $alice:ident, $instance:ident) => {
        let $h = Harness::new().await;
        let $app = $h.app().await;
        let $alice = $h.token("alice", PROJECT, &["member"]);
        let $instance = create_instance(&$app, &$alice, PROJECT, "lake-1").await;
    };
}

async fn refusal(h: &Harness, check: SignatureCheck) -> AuthError {
    match h.temporary().check(check).await {
        Ok(p) => panic!("accepted as {}", p.user_id),
        Err(e) => e,
    }
}

/// Change one character in the middle of a base64url token.
fn tamper(token: &str) -> String {
    let mut t = token.to_string();
    let mid = t.len() / 2;
    let c = if &t[mid..=mid] == "A" { "B" } else { "A" };
    t.replace_range(mid..=mid, c);
    t
}

/// A TC3 check signed with `secret` for `service` today.
fn tc3_check(access: &str, secret: &str, token: Option<&str>, service: &str) -> SignatureCheck {
    let now = Utc::now().timestamp();
    let date = tencent::date_of_timestamp(now).unwrap();
    let sts = tencent::string_to_sign(
        &now.to_string(),
        &date,
        service,
        "POST\n/\n\ncontent-type:application/json\nhost:tcr.test\n\ncontent-type;host\nx",
    );
    SignatureCheck {
        algorithm: SignatureAlgorithm::Tc3HmacSha256,
        access: access.to_string(),
        signature: tencent::sign(secret.as_bytes(), &date, service, &sts),
        string_to_sign: sts,
        tc3_date: Some(date),
        tc3_service: Some(service.to_string()),
        project_id: None,
        domain_id: None,
        own_domain: true,
        security_token: token.map(str::to_string),
        replay: Replay::Once,
    }
}

/// A credential sealed by hand (as the service does) with `expires_at`, and its issuance
/// record when `record` is set.
fn hand_sealed(h: &Harness, expires_at: DateTime<Utc>, record: bool) -> Issued {
    let access = generate_access_key().unwrap();
    let secret = generate_secret_key().unwrap().expose().to_string();
    let body = TokenBody {
        token_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: secret.clone(),
        user_id: "alice-id".into(),
        user_name: "alice".into(),
        domain_id: DOMAIN.into(),
        domain_name: "local".into(),
        project_id: PROJECT.into(),
        project_name: format!("{PROJECT}-name"),
        roles: vec!["member".into()],
        user_names: Vec::new(),
        groups: Vec::new(),
        expires_at,
    };
    let token = security_token::seal(h.temporary().keys().keyring(), &access, &body).unwrap();
    if record {
        let row = Issuance {
            id: body.token_id.clone(),
            access: access.clone(),
            instance_id: "instance".into(),
            project_id: PROJECT.into(),
            domain_id: DOMAIN.into(),
            user_id: "alice-id".into(),
            user_names: String::new(),
            groups_requested: String::new(),
            roles: "member".into(),
            issued_at: (expires_at - Duration::hours(1)).naive_utc(),
            expires_at: expires_at.naive_utc(),
            revoked_at: None,
        };
        let mut conn = h.db.pool.get().unwrap();
        repo::insert_issuance(&mut conn, &row).unwrap();
    }
    Issued {
        access,
        secret,
        token: token.expose().to_string(),
    }
}

async fn revoke(app: &TestApp, token: &str, project: &str, body: Value) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(&format!("/v1/{project}/credential-revocations"))
        .token(token)
        .json(&body)
        .await
        .parts();
    (status, body)
}

#[actix_web::test]
async fn requests_signed_with_a_temporary_key_reach_the_api() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, Some(r#"{"roles": ["member"]}"#)).await;

    let body = app
        .get("/v1/p1/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .assert_ok()
        .json();
    assert_eq!(body["total"], 1);
    assert_eq!(body["instances"][0]["instance_id"], instance.as_str());
    let path = format!("/v1/p1/instances/{instance}");
    app.get(&path)
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .assert_ok();
    // With a query and a body too; the member key creates an instance.
    app.get("/v1/p1/instances?limit=5&offset=0")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .assert_ok();
    let create = br#"{"name": "made-by-temporary", "charge_mode": "postPaid", "shared": true}"#;
    app.post("/v1/p1/instances")
        .body(create)
        .signed(key.sdk(PROJECT))
        .await
        .assert_accepted();

    // The key acts in its own project only.
    let (status, body, _) = app
        .get("/v1/p2/instances")
        .body(b"")
        .signed(key.sdk("p2"))
        .await
        .parts();
    assert_lf_error(status, &body, 403, "403");
    let (status, body, _) = app
        .get("/v1/p2/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .parts();
    assert_lf_error(status, &body, 403, "403");

    // A wrong secret, a tampered token, no token, an old date: 401.
    let wrong = Issued {
        secret: generate_secret_key().unwrap().expose().to_string(),
        ..key.clone()
    };
    let tampered = Issued {
        token: tamper(&key.token),
        ..key.clone()
    };
    for bad in [&wrong, &tampered] {
        let (status, body, _) = app
            .get("/v1/p1/instances")
            .body(b"")
            .signed(bad.sdk(PROJECT))
            .await
            .parts();
        assert_lf_error(status, &body, 401, "APIGW.0301");
    }
    let old = sdk_headers(
        "GET",
        "/v1/p1/instances",
        "",
        b"",
        &key.access,
        &key.secret,
        Some(&key.token),
        PROJECT,
        Utc::now() - Duration::hours(1),
    );
    let (status, body, _) = app
        .get("/v1/p1/instances")
        .headers(old)
        .body(b"")
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIGW.0301");
    // Without its token the temporary AK is a permanent one nobody knows.
    let tokenless = sdk_headers(
        "GET",
        "/v1/p1/instances",
        "",
        b"",
        &key.access,
        &key.secret,
        None,
        PROJECT,
        Utc::now(),
    );
    let (status, body, _) = app
        .get("/v1/p1/instances")
        .headers(tokenless)
        .body(b"")
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIGW.0301");
    // A token header the signature does not cover is refused.
    let mut unsigned = sdk_headers(
        "GET",
        "/v1/p1/instances",
        "",
        b"",
        &key.access,
        &key.secret,
        None,
        PROJECT,
        Utc::now(),
    );
    unsigned.push(("X-Security-Token".into(), key.token.clone()));
    let (status, body, _) = app
        .get("/v1/p1/instances")
        .headers(unsigned)
        .body(b"")
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIGW.0301");
}

#[actix_web::test]
async fn a_signature_that_leaves_the_body_out_is_refused() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, Some(r#"{"roles": ["member"]}"#)).await;
    let signed_body = br#"{"name": "what-was-signed", "charge_mode": "postPaid"}"#;
    let sent_body = br#"{"name": "what-was-sent", "charge_mode": "postPaid"}"#;
    for value in ["UNSIGNED-PAYLOAD", " UNSIGNED-PAYLOAD "] {
        let date = format_sdk_date(Utc::now());
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), HOST.into()),
            ("X-Project-Id".into(), PROJECT.into()),
            ("X-Sdk-Content-Sha256".into(), value.into()),
            ("X-Sdk-Date".into(), date.clone()),
            ("X-Security-Token".into(), key.token.clone()),
        ];
        let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
        let borrowed: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = SignableRequest {
            method: "POST",
            path: "/v1/p1/instances",
            query: "",
            headers: &borrowed,
            body: signed_body,
        };
        let authorization =
            sign_request(&req, &key.access, key.secret.as_bytes(), &names, &date).unwrap();
        headers.push(("Authorization".into(), authorization));
        let (status, body, _) = app
            .post("/v1/p1/instances")
            .headers(headers)
            .body(sent_body)
            .await
            .parts();
        assert_lf_error(status, &body, 401, "APIGW.0301");
    }
    let body = app
        .get("/v1/p1/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .assert_ok()
        .json();
    assert_eq!(body["total"], 1, "nothing was created: {body}");
}

#[actix_web::test]
async fn the_issuer_checks_mac_token_and_scope() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, None).await;
    let other = issue(&app, &alice, &instance, None).await;

    let principal = h.temporary().check(good_check(&key)).await.unwrap();
    assert_eq!(principal.project_id(), Some(PROJECT));
    assert_eq!(principal.project.as_ref().unwrap().name, "p1-name");
    assert_eq!(principal.roles, ["member"]);
    assert_eq!(principal.user_id, "alice-id");
    assert_eq!(principal.user_name, "alice");
    assert_eq!(principal.domain_id, DOMAIN);
    assert_eq!(principal.access_key.as_deref(), Some(key.access.as_str()));
    assert!(principal.token.is_none());

    // The MAC with another secret.
    let wrong = generate_secret_key().unwrap().expose().to_string();
    let check = sdk_check(&key.access, &wrong, Some(&key.token), PROJECT);
    assert_eq!(refusal(&h, check).await, AuthError::SignatureMismatch);
    // Another credential's secret is just as wrong.
    let check = sdk_check(&key.access, &other.secret, Some(&key.token), PROJECT);
    assert_eq!(refusal(&h, check).await, AuthError::SignatureMismatch);

    // The token with another AK (a real one, a made-up one), signed by either secret.
    for (access, secret) in [
        (other.access.as_str(), key.secret.as_str()),
        (other.access.as_str(), other.secret.as_str()),
        ("ABCDEFGHIJKLMNOPQRST", key.secret.as_str()),
    ] {
        let check = sdk_check(access, secret, Some(&key.token), PROJECT);
        assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);
    }
    // A tampered token, garbage, none at all.
    for token in [tamper(&key.token), "not-a-token".into(), String::new()] {
        let check = sdk_check(&key.access, &key.secret, Some(&token), PROJECT);
        assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);
    }
    let check = sdk_check(&key.access, &key.secret, None, PROJECT);
    assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);

    // Another project or another domain.
    let check = sdk_check(&key.access, &key.secret, Some(&key.token), OTHER_PROJECT);
    assert_eq!(refusal(&h, check).await, AuthError::ScopeRefused);
    let mut check = good_check(&key);
    check.domain_id = Some("domain-2".into());
    assert_eq!(refusal(&h, check).await, AuthError::ScopeRefused);
    // Its own domain: the key holds no role there, whatever it holds in its project.
    let mut check = good_check(&key);
    check.domain_id = Some(DOMAIN.into());
    check.project_id = None;
    let p = h.temporary().check(check).await.unwrap();
    assert_eq!((p.project_id(), p.roles.len()), (None, 0));
    let mut check = good_check(&key);
    check.own_domain = true;
    check.project_id = None;
    let p = h.temporary().check(check).await.unwrap();
    assert_eq!((p.project_id(), p.roles.len()), (None, 0));
    assert!(p.is_temporary());
    // Both, naming its own project: the project's scope.
    let mut check = good_check(&key);
    check.domain_id = Some(DOMAIN.into());
    let p = h.temporary().check(check).await.unwrap();
    assert_eq!(p.project_id(), Some(PROJECT));
    // No project asked: the key's own.
    let mut check = good_check(&key);
    check.project_id = None;
    let p = h.temporary().check(check).await.unwrap();
    assert_eq!(p.project_id(), Some(PROJECT));

    // Both keys still work: nothing above changed them.
    h.temporary().check(good_check(&other)).await.unwrap();
}

#[actix_web::test]
async fn tc3_signatures_are_accepted() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, None).await;

    let p = h
        .temporary()
        .check(tc3_check(&key.access, &key.secret, Some(&key.token), "tcr"))
        .await
        .unwrap();
    assert_eq!(p.user_id, "alice-id");
    // Tencent's APIs act on the account, where a temporary key holds no role: its
    // project roles must not reach tcr-svc as account roles.
    assert_eq!(p.project_id(), None);
    assert!(p.roles.is_empty(), "{:?}", p.roles);
    assert!(p.is_temporary());

    // The MAC depends on the secret, the date and the service.
    let wrong = generate_secret_key().unwrap().expose().to_string();
    let check = tc3_check(&key.access, &wrong, Some(&key.token), "tcr");
    assert_eq!(refusal(&h, check).await, AuthError::SignatureMismatch);
    let mut check = tc3_check(&key.access, &key.secret, Some(&key.token), "tcr");
    check.tc3_service = Some("swr".into());
    assert_eq!(refusal(&h, check).await, AuthError::SignatureMismatch);
    let mut check = tc3_check(&key.access, &key.secret, Some(&key.token), "tcr");
    check.tc3_date = Some("2001-01-01".into());
    assert_eq!(refusal(&h, check).await, AuthError::SignatureMismatch);
    // A date and a service are needed.
    let mut check = tc3_check(&key.access, &key.secret, Some(&key.token), "tcr");
    check.tc3_date = None;
    assert!(matches!(
        refusal(&h, check).await,
        AuthError::MalformedSignature(_)
    ));
    // The token rules are the same as for SDK-HMAC-SHA256.
    let check = tc3_check(&key.access, &key.secret, None, "tcr");
    assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);
    let check = tc3_check(&key.access, &key.secret, Some(&tamper(&key.token)), "tcr");
    assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);
}

#[actix_web::test]
async fn expired_and_unrecorded_tokens_are_refused() {
    let h = Harness::new().await;

    // Sealed by hand like the service seals, with a record: accepted while valid.
    let valid = hand_sealed(&h, Utc::now() + Duration::minutes(10), true);
    let p = h.temporary().check(good_check(&valid)).await.unwrap();
    assert_eq!(p.user_id, "alice-id");

    // Expired, with a matching record.
    for ago in [Duration::seconds(1), Duration::hours(2)] {
        let expired = hand_sealed(&h, Utc::now() - ago, true);
        let check = good_check(&expired);
        assert_eq!(refusal(&h, check).await, AuthError::SecurityTokenRefused);
    }
    // Valid, but never recorded (not issued here).
    let unrecorded = hand_sealed(&h, Utc::now() + Duration::minutes(10), false);
    assert_eq!(
        refusal(&h, good_check(&unrecorded)).await,
        AuthError::SecurityTokenRefused
    );
    // Valid, but the record of its AK names another token.
    let mut conn = h.db.pool.get().unwrap();
    let mut row = repo::issuance_by_access(&mut conn, &valid.access)
        .unwrap()
        .unwrap();
    row.id = uuid::Uuid::new_v4().simple().to_string();
    row.access = unrecorded.access.clone();
    repo::insert_issuance(&mut conn, &row).unwrap();
    drop(conn);
    assert_eq!(
        refusal(&h, good_check(&unrecorded)).await,
        AuthError::SecurityTokenRefused
    );
    // Sealed under another keyring.
    let other = Harness::new().await;
    let foreign = hand_sealed(&other, Utc::now() + Duration::minutes(10), false);
    let mut conn = h.db.pool.get().unwrap();
    let mut row = repo::issuance_by_access(&mut conn, &valid.access)
        .unwrap()
        .unwrap();
    row.id = uuid::Uuid::new_v4().simple().to_string();
    row.access = foreign.access.clone();
    repo::insert_issuance(&mut conn, &row).unwrap();
    drop(conn);
    assert_eq!(
        refusal(&h, good_check(&foreign)).await,
        AuthError::SecurityTokenRefused
    );
}

#[actix_web::test]
async fn the_owner_revokes_a_credential() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, None).await;
    let kept = issue(&app, &alice, &instance, None).await;
    h.temporary().check(good_check(&key)).await.unwrap();

    let (status, body) = revoke(&app, &alice, PROJECT, json!({ "access": key.access })).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    assert_eq!(
        refusal(&h, good_check(&key)).await,
        AuthError::SecurityTokenRefused
    );
    let (status, body, _) = app
        .get("/v1/p1/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIGW.0301");
    let mut conn = h.db.pool.get().unwrap();
    let row = repo::issuance_by_access(&mut conn, &key.access)
        .unwrap()
        .unwrap();
    drop(conn);
    assert!(row.revoked_at.is_some());
    // The other one lives on.
    h.temporary().check(good_check(&kept)).await.unwrap();
    // Revoking twice is harmless; the key stays revoked.
    let (status, _) = revoke(&app, &alice, PROJECT, json!({ "access": key.access })).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        refusal(&h, good_check(&key)).await,
        AuthError::SecurityTokenRefused
    );
    // The temporary key itself may revoke itself... and then is refused.
    app.post("/v1/p1/credential-revocations")
        .body(format!(r#"{{"access": "{}"}}"#, kept.access))
        .signed(kept.sdk(PROJECT))
        .await
        .assert_no_content();
    assert_eq!(
        refusal(&h, good_check(&kept)).await,
        AuthError::SecurityTokenRefused
    );
}

#[actix_web::test]
async fn an_admin_revokes_all_of_a_users_credentials() {
    setup!(h, app, alice, instance);
    let admin = h.token("bob", PROJECT, &["admin"]);
    let first = issue(&app, &alice, &instance, None).await;
    let second = issue(&app, &alice, &instance, Some(r#"{"roles": ["readonly"]}"#)).await;
    let bobs = issue(&app, &admin, &instance, None).await;

    let (status, body) = revoke(&app, &admin, PROJECT, json!({ "user_id": "alice-id" })).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for key in [&first, &second] {
        assert_eq!(
            refusal(&h, good_check(key)).await,
            AuthError::SecurityTokenRefused
        );
    }
    h.temporary().check(good_check(&bobs)).await.unwrap();
    // Credentials issued afterwards are not affected.
    let later = issue(&app, &alice, &instance, None).await;
    h.temporary().check(good_check(&later)).await.unwrap();
    // A user may revoke all of their own.
    let (status, body) = revoke(&app, &alice, PROJECT, json!({ "user_id": "alice-id" })).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        refusal(&h, good_check(&later)).await,
        AuthError::SecurityTokenRefused
    );
    // An admin revokes a single credential of someone else too.
    let another = issue(&app, &alice, &instance, None).await;
    let (status, _) = revoke(&app, &admin, PROJECT, json!({ "access": another.access })).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        refusal(&h, good_check(&another)).await,
        AuthError::SecurityTokenRefused
    );
    h.temporary().check(good_check(&bobs)).await.unwrap();
}

#[actix_web::test]
async fn revocation_is_refused_when_it_should_be() {
    setup!(h, app, alice, instance);
    let carol = h.token("carol", PROJECT, &["member"]);
    let carols = issue(&app, &carol, &instance, None).await;

    // A member revoking another user's credential, by AK or by user.
    let (status, body) = revoke(&app, &alice, PROJECT, json!({ "access": carols.access })).await;
    assert_lf_error(status, &body, 403, "403");
    let (status, body) = revoke(&app, &alice, PROJECT, json!({ "user_id": "carol-id" })).await;
    assert_lf_error(status, &body, 403, "403");
    // Another project's caller, even an admin there.
    let outsider = h.token("zed", OTHER_PROJECT, &["admin"]);
    let (status, body) = revoke(&app, &outsider, PROJECT, json!({ "access": carols.access })).await;
    assert_lf_error(status, &body, 403, "403");
    // A p1 admin cannot reach a p2 credential through p1.
    let outsider_instance = create_instance(&app, &outsider, OTHER_PROJECT, "lake-2").await;
    let (status, body) =
        request_credential(&app, &outsider, OTHER_PROJECT, &outsider_instance, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let foreign_access = body["access"].as_str().unwrap().to_string();
    let admin = h.token("bob", PROJECT, &["admin"]);
    let (status, body) = revoke(&app, &admin, PROJECT, json!({ "access": foreign_access })).await;
    assert_lf_error(status, &body, 404, "common.01000001");
    // Unknown AK.
    let (status, body) = revoke(
        &app,
        &alice,
        PROJECT,
        json!({ "access": "ABCDEFGHIJKLMNOPQRST" }),
    )
    .await;
    assert_lf_error(status, &body, 404, "common.01000001");
    // Neither or both fields, unknown fields, not an object.
    for bad in [
        json!({}),
        json!({ "access": carols.access, "user_id": "carol-id" }),
        json!({ "access": carols.access, "reason": "x" }),
        json!([carols.access]),
        json!({ "access": 7 }),
    ] {
        let (status, body) = revoke(&app, &admin, PROJECT, bad.clone()).await;
        assert_lf_error(status, &body, 400, "common.01000001");
    }
    let (status, body, _) = app
        .post("/v1/p1/credential-revocations")
        .token(&admin)
        .await
        .parts();
    assert_lf_error(status, &body, 400, "common.01000001");
    // No token.
    let (status, body, _) = app
        .post("/v1/p1/credential-revocations")
        .json(&json!({ "access": carols.access }))
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIG.1002");
    // After all that, carol's credential is intact.
    h.temporary().check(good_check(&carols)).await.unwrap();
}

#[actix_web::test]
async fn the_internal_signature_check_api() {
    setup!(h, app, alice, instance);
    let key = issue(&app, &alice, &instance, None).await;
    let post = |check: &SignatureCheck| app.post(SIGNATURE_CHECKS_PATH).json(check);

    // Only with the internal credential.
    let (status, body, _) = post(&good_check(&key)).await.parts();
    assert_lf_error(status, &body, 401, "APIG.1002");
    let (status, body, _) = post(&good_check(&key))
        .header(INTERNAL_TOKEN_HEADER, "wrong")
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIG.1002");
    // An IAM token is not the internal credential.
    let (status, body, _) = post(&good_check(&key)).token(&alice).await.parts();
    assert_lf_error(status, &body, 401, "APIG.1002");

    let internal =
        |check: &SignatureCheck| post(check).header(INTERNAL_TOKEN_HEADER, INTERNAL_SECRET);
    let body = internal(&good_check(&key)).await.assert_ok().json();
    let accepted = &body["accepted"];
    assert_eq!(accepted["user_id"], "alice-id");
    assert_eq!(accepted["project"]["id"], PROJECT);
    assert_eq!(accepted["roles"], json!(["member"]));
    assert_eq!(accepted["access_key"], key.access.as_str());
    assert!(!body.to_string().contains(&key.secret));

    let wrong = generate_secret_key().unwrap().expose().to_string();
    let cases = [
        (
            sdk_check(&key.access, &key.secret, Some(&tamper(&key.token)), PROJECT),
            "security_token_refused",
        ),
        (
            sdk_check(&key.access, &key.secret, None, PROJECT),
            "security_token_refused",
        ),
        (
            sdk_check(&key.access, &wrong, Some(&key.token), PROJECT),
            "signature_mismatch",
        ),
        (
            sdk_check(&key.access, &key.secret, Some(&key.token), OTHER_PROJECT),
            "scope_refused",
        ),
        (
            {
                let mut c = tc3_check(&key.access, &key.secret, Some(&key.token), "tcr");
                c.tc3_service = None;
                c
            },
            "malformed",
        ),
    ];
    for (check, want) in cases {
        let body = internal(&check).await.assert_ok().json();
        assert_eq!(body, json!({ "refused": want }));
    }
    let swr_check = tc3_check(&key.access, &key.secret, Some(&key.token), "swr");
    let body = internal(&swr_check).await.assert_ok().json();
    assert_eq!(body["accepted"]["user_id"], "alice-id");

    // Revoked: refused on the internal API too.
    let (status, _) = revoke(&app, &alice, PROJECT, json!({ "access": key.access })).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let body = internal(&good_check(&key)).await.assert_ok().json();
    assert_eq!(body, json!({ "refused": "security_token_refused" }));
}

/// Another service asks over HTTP, as `RoutingSignatureVerifier::remote` does.
#[actix_web::test]
async fn other_services_ask_over_http() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;

    let state = h.state.clone();
    let parts = Arc::new(Collaborators {
        signatures: h.parts.signatures.clone(),
        internal: h.parts.internal.clone(),
        metrics: h.parts.metrics.clone(),
    });
    let server = HttpServer::new(move || lakeformation_svc::app::build(state.clone(), &parts))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let remote =
        RemoteSignatureVerifier::new(url.clone(), InternalCredential::new(INTERNAL_SECRET.into()));
    let p = remote.verify(&good_check(&key)).await.unwrap();
    assert_eq!(p.user_id, "alice-id");
    assert_eq!(p.project_id(), Some(PROJECT));
    assert_eq!(p.roles, ["member"]);
    let bad = sdk_check(&key.access, &key.secret, Some(&tamper(&key.token)), PROJECT);
    assert_eq!(
        remote.verify(&bad).await.unwrap_err(),
        AuthError::SecurityTokenRefused
    );
    // With a wrong internal credential the issuer is unavailable, never "accepted".
    let stranger = RemoteSignatureVerifier::new(url, InternalCredential::new("wrong".into()));
    assert!(stranger
        .verify(&good_check(&key))
        .await
        .unwrap_err()
        .is_unavailable());
    handle.stop(false).await;
}
