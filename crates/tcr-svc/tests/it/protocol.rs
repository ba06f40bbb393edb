//! The API 3.0 transport: envelope, TC3 checks in Tencent's order, common errors.

use chrono::Duration;
use serde_json::json;
use service_kit::clock::Clock;

use crate::common::*;

#[actix_web::test]
async fn success_and_errors_share_the_envelope() {
    let (_h, app) = Harness::start().await;
    let r = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(r["TotalCount"], 0);
    assert_eq!(r["Registries"], json!([]));
    let r = act(&app, &ALICE, "DescribeInstances", r#"{"Bogus": 1}"#).await;
    assert_eq!(code(&r), "UnknownParameter");
    assert!(r["Error"]["Message"].as_str().unwrap().contains("Bogus"));
}

#[actix_web::test]
async fn every_authentication_failure_has_its_code() {
    let (_h, app) = Harness::start().await;
    let now = chrono::Utc::now().timestamp();
    let unsigned = app
        .post("/")
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "DescribeInstances")
        .header("X-TC-Version", "2019-09-24")
        .body("{}");
    assert_eq!(
        code(&response(unsigned).await),
        "AuthFailure.InvalidAuthorization"
    );
    let garbled = signed(&app, &ALICE, "DescribeInstances", "{}")
        .header("Authorization", "TC3-HMAC-SHA256 nonsense");
    assert_eq!(
        code(&response(garbled).await),
        "AuthFailure.InvalidAuthorization"
    );
    assert_eq!(
        code(
            &response(signed_at(
                &app,
                &ALICE,
                "DescribeInstances",
                "{}",
                now - 301
            ))
            .await
        ),
        "AuthFailure.SignatureExpire"
    );
    assert_eq!(
        code(
            &response(signed_at(
                &app,
                &ALICE,
                "DescribeInstances",
                "{}",
                now + 301
            ))
            .await
        ),
        "AuthFailure.SignatureExpire"
    );
    assert_eq!(
        code(
            &response(signed_at(
                &app,
                &ALICE,
                "DescribeInstances",
                "{}",
                now - 299
            ))
            .await
        ),
        ""
    );
    let stranger = Key {
        id: "AKIDNOBODY",
        ..ALICE
    };
    assert_eq!(
        code(&act(&app, &stranger, "DescribeInstances", "{}").await),
        "AuthFailure.SecretIdNotFound"
    );
    let wrong = Key {
        secret: "not-the-secret",
        ..ALICE
    };
    assert_eq!(
        code(&act(&app, &wrong, "DescribeInstances", "{}").await),
        "AuthFailure.SignatureFailure"
    );
    // The signature covers the body: send another one.
    let tampered = signed(&app, &ALICE, "DescribeInstances", "{}").body(r#"{"Limit": 1}"#);
    assert_eq!(
        code(&response(tampered).await),
        "AuthFailure.SignatureFailure"
    );
    let with_token = signed(&app, &ALICE, "DescribeInstances", "{}").header("X-TC-Token", "bogus");
    assert_eq!(
        code(&response(with_token).await),
        "AuthFailure.TokenFailure"
    );
}

#[actix_web::test]
async fn version_action_and_parameter_errors() {
    let (_h, app) = Harness::start().await;
    let old = signed(&app, &ALICE, "DescribeInstances", "{}").header("X-TC-Version", "2017-03-12");
    assert_eq!(code(&response(old).await), "NoSuchVersion");
    assert_eq!(
        code(&act(&app, &ALICE, "RunInstances", "{}").await),
        "InvalidAction"
    );
    let cases = [
        (
            "CreateInstance",
            r#"{"RegistryType": "basic"}"#,
            "MissingParameter",
        ),
        (
            "CreateInstance",
            r#"{"RegistryName": "goodname", "RegistryType": "basic", "Extra": 1}"#,
            "UnknownParameter",
        ),
        (
            "CreateInstance",
            r#"{"RegistryName": 5, "RegistryType": "basic"}"#,
            "InvalidParameter",
        ),
        (
            "CreateInstance",
            r#"{"RegistryName": "Bad_Name", "RegistryType": "basic"}"#,
            "InvalidParameter.ErrorRegistryName",
        ),
        (
            "CreateInstance",
            r#"{"RegistryName": "goodname", "RegistryType": "gold"}"#,
            "InvalidParameter",
        ),
        (
            "DescribeInstances",
            r#"{"Limit": 0}"#,
            "InvalidParameterValue",
        ),
        (
            "DescribeInstances",
            r#"{"Offset": -1}"#,
            "InvalidParameterValue",
        ),
        ("DescribeInstances", r#"[1, 2]"#, "InvalidParameter"),
        ("DescribeInstances", r#"{"Limit": "#, "InvalidParameter"),
        (
            "CreateInstanceToken",
            r#"{"TokenType": "temp"}"#,
            "MissingParameter",
        ),
        (
            "DescribeInstances",
            r#"{"Filters": [{"Name": "Color", "Values": ["red"]}]}"#,
            "InvalidParameterValue",
        ),
    ];
    for (action, body, want) in cases {
        let r = act(&app, &ALICE, action, body).await;
        assert_eq!(code(&r), want, "{action} {body}: {r}");
        assert!(!r["Error"]["Message"].as_str().unwrap().is_empty());
    }
    let big = format!(r#"{{"RegistryName": "{}"}}"#, "a".repeat(70_000));
    assert_eq!(
        code(&act(&app, &ALICE, "CreateInstance", &big).await),
        "RequestSizeLimitExceeded"
    );
    // A GET without a signature: neither TC3 nor v1 (tests/it/signing_v1.rs).
    let get = app.get("/?Action=DescribeInstances");
    assert_eq!(code(&response(get).await), "MissingParameter");
}

#[actix_web::test]
async fn requests_beyond_the_rate_limit_are_refused_per_account_and_action() {
    let mut config = test_config();
    config.rate_limits.other_per_second = 3;
    config.rate_limits.create_instance_token_per_second = 5;
    // The clock stands still: every request below falls in one second.
    let clock = Clock::fixed(chrono::Utc::now());
    let h = Harness::with_clock(config, clock.clone());
    let app = h.app().await;
    let describe = |key: &Key| {
        signed_at(
            &app,
            key,
            "DescribeInstances",
            "{}",
            clock.now().timestamp(),
        )
    };
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(code(&response(describe(&ALICE)).await));
    }
    assert_eq!(
        codes.iter().filter(|c| c.is_empty()).count(),
        3,
        "{codes:?}"
    );
    assert!(
        codes[3..].iter().all(|c| c == "RequestLimitExceeded"),
        "{codes:?}"
    );
    // Another account has its own budget, and so has another action.
    assert_eq!(code(&response(describe(&BOB)).await), "");
    let r = response(signed_at(
        &app,
        &ALICE,
        "DescribeNamespaces",
        "{}",
        clock.now().timestamp(),
    ))
    .await;
    assert_eq!(
        code(&r),
        "MissingParameter",
        "counted on its own budget: {r}"
    );
    // The next second starts afresh.
    clock.advance(Duration::seconds(1));
    assert_eq!(code(&response(describe(&ALICE)).await), "");
}

#[actix_web::test]
async fn extreme_timestamps_are_expired_signatures_not_panics() {
    let (_h, app) = Harness::start().await;
    let now = chrono::Utc::now().timestamp();
    for extreme in [i64::MIN, i64::MIN + 1, -now, i64::MAX, i64::MAX - 1] {
        // The clock check comes before the signature's date: any signature will do.
        let req = signed(&app, &ALICE, "DescribeInstances", "{}")
            .header("X-TC-Timestamp", extreme.to_string());
        let r = response(req).await;
        assert_eq!(code(&r), "AuthFailure.SignatureExpire", "{extreme}: {r}");
    }
    for unreadable in ["99999999999999999999", "-99999999999999999999", "1e9", ""] {
        let req =
            signed(&app, &ALICE, "DescribeInstances", "{}").header("X-TC-Timestamp", unreadable);
        let r = response(req).await;
        assert_eq!(code(&r), "InvalidParameter", "{unreadable:?}: {r}");
    }
}
