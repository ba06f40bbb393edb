//! The legacy v1 signature (`ClientProfile(signMethod="HmacSHA256")`, `"HmacSHA1"`): by
//! POST and GET, its parameters kept from the action, the action's own read from their
//! flattened form, each nonce used once, and every refusal in Tencent's envelope.

use std::sync::Arc;

use credential_core::sign::tencent_v1::V1Method;
use service_kit::auth::wire::Replay;
use service_kit::testing::{TestDatabase, REPLAY_MEMORY};

use crate::common::*;
use crate::sign_kit::*;

#[actix_web::test]
async fn hmac_sha256_by_post_and_get_reads_the_actions_own_parameters() {
    let (h, app) = Harness::start().await;
    for http in ["POST", "GET"] {
        let name = format!("v1-{}", http.to_lowercase());
        let r = v1_act(
            &app,
            &ALICE,
            "CreateInstance",
            &[("RegistryName", &name), ("RegistryType", "basic")],
            &V1::sdk(http),
        )
        .await;
        assert_eq!(code(&r), "", "{http}: {r}");
        let registry = r["RegistryId"].as_str().unwrap().to_string();
        let params = [
            ("Registryids.0", registry.as_str()),
            ("Limit", "5"),
            ("AllRegion", "False"),
            ("Filters.0.Name", "RegistryName"),
            ("Filters.0.Values.0", name.as_str()),
        ];
        let r = v1_act(&app, &ALICE, "DescribeInstances", &params, &V1::sdk(http)).await;
        assert_eq!(r["TotalCount"], 1, "{http}: {r}");
        assert_eq!(r["Registries"][0]["RegistryName"], name.as_str());
    }
    let replay: Vec<Replay> = h
        .seen
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|(_, r)| r.clone())
        .collect();
    assert!(
        replay.iter().all(|r| matches!(r, Replay::Unique(_))),
        "{replay:?}"
    );
}

#[actix_web::test]
async fn hmac_sha1_is_accepted_only_where_allowed() {
    let sha1 = |http| V1 {
        method: V1Method::HmacSha1,
        ..V1::sdk(http)
    };
    let (_h, app) = Harness::start().await;
    for http in ["POST", "GET"] {
        let r = v1_act(&app, &ALICE, "DescribeInstances", &[], &sha1(http)).await;
        assert_eq!(code(&r), "", "development allows it: {r}");
    }
    let mut config = test_config();
    config.api.allow_hmac_sha1 = Some(false);
    let h = Harness::with_config(config);
    let app = h.app().await;
    let r = v1_act(&app, &ALICE, "DescribeInstances", &[], &sha1("POST")).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure", "{r}");
    assert!(r["Error"]["Message"].as_str().unwrap().contains("HmacSHA1"));
    assert!(
        h.seen.lock().unwrap().accepted.is_empty(),
        "refused before the issuer"
    );
}

#[actix_web::test]
async fn every_refusal_has_its_code() {
    let (h, app) = Harness::start().await;
    let how = V1::sdk("POST");
    let good = v1_params(&ALICE, "DescribeInstances", &[("Limit", "5")], &how);
    let without = |name: &str| {
        let mut p = good.clone();
        p.retain(|(k, _)| k != name);
        p
    };
    let with = |name: &str, value: &str| {
        let mut p = good.clone();
        p.iter_mut()
            .filter(|(k, _)| k == name)
            .for_each(|(_, v)| *v = value.into());
        p
    };
    let resigned = |mut p: Vec<(String, String)>| {
        sign_v1(&ALICE, &mut p, &how);
        p
    };
    let stale = V1 {
        timestamp: how.timestamp - 301,
        ..V1::sdk("POST")
    };
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (with("Limit", "6"), "AuthFailure.SignatureFailure"),
        (
            with("Action", "CreateInstance"),
            "AuthFailure.SignatureFailure",
        ),
        (with("Signature", "AAAA"), "AuthFailure.SignatureFailure"),
        (without("SignatureMethod"), "MissingParameter"),
        (resigned(without("SignatureMethod")), "MissingParameter"),
        (without("Signature"), "MissingParameter"),
        (without("SecretId"), "MissingParameter"),
        (without("Nonce"), "MissingParameter"),
        (without("Timestamp"), "MissingParameter"),
        (with("SignatureMethod", "HmacMD5"), "InvalidParameterValue"),
        (resigned(with("Nonce", "-1")), "InvalidParameter"),
        (resigned(with("Timestamp", "soon")), "InvalidParameter"),
        (
            v1_params(&ALICE, "DescribeInstances", &[], &stale),
            "AuthFailure.SignatureExpire",
        ),
        (
            resigned(with("SecretId", "AKIDNOBODY")),
            "AuthFailure.SecretIdNotFound",
        ),
        (resigned(with("Version", "2017-03-12")), "NoSuchVersion"),
        (resigned(without("Action")), "MissingParameter"),
        (resigned(with("Action", "RunInstances")), "InvalidAction"),
        (
            resigned(with("Region", "Not A Region")),
            "InvalidParameterValue",
        ),
        (
            v1_params(
                &ALICE,
                "DescribeInstances",
                &[("Bogus", "1")],
                &V1::sdk("POST"),
            ),
            "UnknownParameter",
        ),
        (
            v1_params(
                &ALICE,
                "DescribeInstances",
                &[("Limit", "five")],
                &V1::sdk("POST"),
            ),
            "InvalidParameter",
        ),
        (
            v1_params(
                &ALICE,
                "DescribeInstances",
                &[("Registryids.1", "x")],
                &V1::sdk("POST"),
            ),
            "InvalidParameter",
        ),
    ];
    for (params, want) in cases {
        let r = response(v1_send(&app, &params, &how)).await;
        assert_eq!(code(&r), want, "{}: {r}", encode(&params));
    }
    // Signed for another host, sent here; and sent to a host that is not ours.
    let elsewhere = V1 {
        host: "127.0.0.1:9999",
        ..V1::sdk("POST")
    };
    let params = v1_params(&ALICE, "DescribeInstances", &[], &elsewhere);
    let r = response(v1_send(&app, &params, &how)).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure", "{r}");
    let foreign = V1 {
        host: "tcr.elsewhere.example",
        ..V1::sdk("POST")
    };
    let params = v1_params(&ALICE, "DescribeInstances", &[], &foreign);
    let r = response(v1_send(&app, &params, &foreign)).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure", "{r}");
    // A form body on a GET, a form that is no form, a JSON POST without Authorization.
    let get = V1::sdk("GET");
    let params = v1_params(&ALICE, "DescribeInstances", &[], &get);
    let r = response(v1_send(&app, &params, &get).body("Limit=5")).await;
    assert_eq!(code(&r), "UnsupportedProtocol", "{r}");
    let r = response(
        app.post("/")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Host", HOST)
            .body("A=1&A=2"),
    )
    .await;
    assert_eq!(code(&r), "InvalidParameter", "{r}");
    let r = response(
        app.post("/")
            .header("Content-Type", "application/json")
            .header("Host", HOST)
            .body(encode(&good)),
    )
    .await;
    assert_eq!(code(&r), "AuthFailure.InvalidAuthorization", "{r}");
    // None of these reached an action: only the bad parameters, after the signature.
    assert_eq!(h.seen.lock().unwrap().accepted.len(), 7);
}

#[actix_web::test]
async fn each_caller_kind_acts_as_itself() {
    let (_h, app) = Harness::start().await;
    let how = || V1::sdk("POST");
    let create = |name: &'static str| [("RegistryName", name), ("RegistryType", "basic")];
    let r = v1_act(
        &app,
        &ALICE_TEMP,
        "CreateInstance",
        &create("v1-temporary"),
        &how(),
    )
    .await;
    assert_eq!(code(&r), "", "a temporary key with its Token: {r}");
    let registry = r["RegistryId"].as_str().unwrap().to_string();
    let mut untokened = v1_params(&ALICE_TEMP, "DescribeInstances", &[], &how());
    untokened.retain(|(k, _)| k != "Token");
    sign_v1(&ALICE_TEMP, &mut untokened, &how());
    assert_eq!(
        code(&response(v1_send(&app, &untokened, &how())).await),
        "AuthFailure.TokenFailure"
    );
    let r = v1_act(
        &app,
        &RITA,
        "CreateInstance",
        &create("v1-readonly"),
        &how(),
    )
    .await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
    let r = v1_act(&app, &RITA, "DescribeInstances", &[], &how()).await;
    assert_eq!(r["TotalCount"], 1, "a reader reads: {r}");
    let r = v1_act(
        &app,
        &BOB,
        "DescribeInstances",
        &[("Registryids.0", &registry)],
        &how(),
    )
    .await;
    assert_eq!(r["TotalCount"], 0, "another account sees nothing: {r}");
    let r = v1_act(&app, &DORA, "DescribeInstances", &[], &how()).await;
    assert_eq!(
        code(&r),
        "AuthFailure.SecretIdNotFound",
        "a disabled user: {r}"
    );
    let r = v1_act(
        &app,
        &ALICE_TEMP,
        "CreateInstanceToken",
        &[("RegistryId", &registry), ("TokenType", "longterm")],
        &how(),
    )
    .await;
    assert_eq!(
        code(&r),
        "UnauthorizedOperation",
        "no long-lived token from a temporary key: {r}"
    );
}

#[actix_web::test]
async fn a_nonce_is_used_once_on_every_replica() {
    let memory = Arc::new(TestDatabase::shared(&REPLAY_MEMORY));
    let first = Harness::with_replay_memory(unlimited_config(), memory.clone());
    let second = Harness::with_replay_memory(unlimited_config(), memory);
    let (a, b) = (first.app().await, second.app().await);
    let how = V1::sdk("POST");
    let params = v1_params(&ALICE, "DescribeInstances", &[], &how);
    assert_eq!(code(&response(v1_send(&a, &params, &how)).await), "");
    for app in [&a, &b] {
        let r = response(v1_send(app, &params, &how)).await;
        assert_eq!(code(&r), "AuthFailure.SignatureFailure", "{r}");
        assert!(r["Error"]["Message"].as_str().unwrap().contains("already"));
    }
    // The same nonce at the same second with other parameters is the same nonce.
    let other = v1_params(&ALICE, "DescribeInstances", &[("Limit", "3")], &how);
    assert_eq!(
        code(&response(v1_send(&b, &other, &how)).await),
        "AuthFailure.SignatureFailure"
    );
    // A write that fails keeps its nonce used: the SDK retries with a new one.
    let how = V1::sdk("POST");
    let failing = v1_params(
        &ALICE,
        "CreateInstanceToken",
        &[("RegistryId", "tcr-nosuch")],
        &how,
    );
    assert_ne!(code(&response(v1_send(&a, &failing, &how)).await), "");
    assert_eq!(
        code(&response(v1_send(&a, &failing, &how)).await),
        "AuthFailure.SignatureFailure"
    );

    // Eight copies of one request at once, on both replicas: one is answered.
    let how = V1::sdk("POST");
    let params = v1_params(&ALICE, "DescribeInstances", &[], &how);
    let calls = (0..8).map(|i| response(v1_send(if i % 2 == 0 { &a } else { &b }, &params, &how)));
    let codes: Vec<String> = futures_util::future::join_all(calls)
        .await
        .iter()
        .map(code)
        .collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_empty()).count(),
        1,
        "{codes:?}"
    );
}
