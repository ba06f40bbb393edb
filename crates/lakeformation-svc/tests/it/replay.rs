//! A signature is accepted once: past the grace in which a client's own requests of one
//! second share it, a replayed request is refused on every replica that shares the
//! database, while a request whose answer was a failure may be sent again (an SDK's retry
//! of the same signed request).

use actix_web::http::StatusCode;
use chrono::Utc;
use futures_util::future::join_all;
use serde_json::json;
use service_kit::auth::wire::{SignatureRelease, SIGNATURE_RELEASES_PATH};
use service_kit::auth::INTERNAL_TOKEN_HEADER;

use crate::common::*;

/// Past the grace in which a client's own same-second requests share a signature.
async fn past_the_grace() {
    let grace = service_kit::auth::replay::SAME_SECOND_GRACE;
    let wait = grace.to_std().unwrap() + std::time::Duration::from_millis(200);
    actix_web::rt::time::sleep(wait).await;
}

/// One request signed once: the same headers every time it is sent.
fn captured(key: &Issued, method: &str, path: &str, body: &[u8]) -> Vec<(String, String)> {
    sdk_headers(
        method,
        path,
        "",
        body,
        &key.access,
        &key.secret,
        Some(&key.token),
        PROJECT,
        Utc::now(),
    )
}

#[actix_web::test]
async fn a_replayed_request_is_refused() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;
    let body = br#"{"name": "made-once", "charge_mode": "postPaid"}"#;
    let headers = captured(&key, "POST", "/v1/p1/instances", body);

    app.post("/v1/p1/instances")
        .headers(headers.clone())
        .body(body)
        .await
        .assert_accepted();
    // Within the grace the same request is the client's own (the SDKs sign to the
    // second): it is judged, and the name is taken.
    app.post("/v1/p1/instances")
        .headers(headers.clone())
        .body(body)
        .await
        .assert_conflict();
    past_the_grace().await;
    let (status, answer, _) = app
        .post("/v1/p1/instances")
        .headers(headers)
        .body(body)
        .await
        .parts();
    assert_lf_error(status, &answer, 401, "APIGW.0301");
    // A read may be sent again: every part of it is signed, so it only reads again
    // (clients that poll sign the same request within a second).
    let headers = captured(&key, "GET", "/v1/p1/instances", b"");
    for _ in 0..2 {
        let answer = app
            .get("/v1/p1/instances")
            .headers(headers.clone())
            .body(b"")
            .await
            .assert_ok()
            .json();
        assert_eq!(answer["total"], 2, "the replay created nothing: {answer}");
    }
}

#[actix_web::test]
async fn a_failed_request_may_be_sent_again() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let key = issue(&app, &alice, &instance, None).await;
    // Taken: the first answer is a conflict, and the retry gets the same answer, not 401.
    let body = br#"{"name": "lake-1", "charge_mode": "postPaid"}"#;
    let headers = captured(&key, "POST", "/v1/p1/instances", body);
    for _ in 0..3 {
        app.post("/v1/p1/instances")
            .headers(headers.clone())
            .body(body)
            .await
            .assert_conflict();
    }
}

#[actix_web::test]
async fn replays_are_refused_on_every_replica() {
    let h = Harness::shared().await;
    let (one, two) = (h.app().await, h.app().await);
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&one, &alice, PROJECT, "lake-1").await;
    let key = issue(&one, &alice, &instance, None).await;
    let body = br#"{"name": "made-once", "charge_mode": "postPaid"}"#;
    let headers = captured(&key, "POST", "/v1/p1/instances", body);
    let first = one
        .post("/v1/p1/instances")
        .headers(headers.clone())
        .body(body);
    assert_eq!(first.await.status(), StatusCode::ACCEPTED);
    past_the_grace().await;
    let send = |n: usize| {
        let replica = if n % 2 == 0 { &one } else { &two };
        let req = replica
            .post("/v1/p1/instances")
            .headers(headers.clone())
            .body(body);
        async move { req.await.status() }
    };
    let statuses = join_all((0..8).map(send)).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let answer = two
        .get("/v1/p1/instances")
        .body(b"")
        .signed(key.sdk(PROJECT))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        answer["total"], 2,
        "one instance made by the request: {answer}"
    );
}

#[actix_web::test]
async fn only_internal_callers_give_signatures_back() {
    let (_h, app) = Harness::start().await;
    let release = json!(SignatureRelease {
        access: "ABCDEFGHIJKLMNOPQRST".into(),
        signature: "00".repeat(32),
        temporary: true,
    });
    let (status, body, _) = app
        .post(SIGNATURE_RELEASES_PATH)
        .json(&release)
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIG.1002");
    app.post(SIGNATURE_RELEASES_PATH)
        .header(INTERNAL_TOKEN_HEADER, INTERNAL_SECRET)
        .json(&release)
        .await
        .assert_no_content();
}
