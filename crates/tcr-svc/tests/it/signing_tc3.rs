//! TC3 as every official client signs it, bound to this service's names: the Node SDK's
//! port-less host and endpoint-derived scope on an IP and on a host name, a GET signed
//! over its query, and the refusal of a signature made for another host or another
//! Tencent service.

use serde_json::json;

use crate::common::*;
use crate::sign_kit::*;

const OURS: [&str; 2] = ["127.0.0.1:18084", "localhost:18084"];

#[actix_web::test]
async fn the_node_sdk_signs_on_an_ip_and_on_a_host_name() {
    let h = Harness::with_config(hosts_config(&OURS));
    let app = h.app().await;
    let body = r#"{"RegistryName":"node-reg","RegistryType":"basic"}"#;
    let ip = Tc3::node("127.0.0.1:18084", "127.0.0.1", "127", body);
    let r = response(tc3_call(&app, &ALICE, "CreateInstance", &ip)).await;
    assert_eq!(code(&r), "", "{r}");
    let registry = r["RegistryId"].as_str().unwrap().to_string();
    let body = format!(r#"{{"RegistryId":"{registry}","TokenType":"temp"}}"#);
    let name = Tc3::node("localhost:18084", "localhost", "localhost:18084", &body);
    let r = response(tc3_call(&app, &ALICE, "CreateInstanceToken", &name)).await;
    assert_eq!(code(&r), "", "{r}");
    assert!(!r["Token"].as_str().unwrap().is_empty());
    // Without the SDK's name in X-TC-RequestClient the host is tried both ways.
    let body = format!(r#"{{"Registryids":["{registry}"]}}"#);
    let unnamed = Tc3 {
        request_client: "",
        ..Tc3::node("127.0.0.1:18084", "127.0.0.1", "127", &body)
    };
    let r = response(tc3_call(&app, &ALICE, "DescribeInstances", &unnamed)).await;
    assert_eq!(r["TotalCount"], 1, "{r}");
    // The Python SDK's form on the same service.
    assert_eq!(
        code(&act(&app, &ALICE, "DescribeInstances", "{}").await),
        ""
    );
}

#[actix_web::test]
async fn a_signature_for_another_host_or_service_is_refused() {
    let h = Harness::with_config(hosts_config(&OURS));
    let app = h.app().await;
    let body = "{}";
    let cases = [
        // A scope naming another Tencent service, on our host, either SDK's way.
        Tc3 {
            service: "cvm",
            ..Tc3::node(HOST, HOST, "tcr", body)
        },
        Tc3::node("127.0.0.1:18084", "127.0.0.1", "cvm", body),
        // The Node SDK's scope for another endpoint.
        Tc3::node("127.0.0.1:18084", "127.0.0.1", "localhost:18084", body),
        // Signed for another host, sent to ours.
        Tc3 {
            host: HOST,
            ..Tc3::node("127.0.0.1:9999", "127.0.0.1:9999", "tcr", body)
        },
        Tc3::node(HOST, "localhost", "127", body),
        // Signed for, and addressed to, a host that is not ours.
        Tc3::node("127.0.0.1:9999", "127.0.0.1:9999", "tcr", body),
        Tc3::node("localhost:9999", "localhost", "localhost:9999", body),
        Tc3::node(
            "tcr.elsewhere.example",
            "tcr.elsewhere.example",
            "tcr",
            body,
        ),
        Tc3::node("127.0.0.1", "127.0.0.1", "127", body),
    ];
    for how in cases {
        let r = response(tc3_call(&app, &ALICE, "DescribeInstances", &how)).await;
        assert_eq!(
            code(&r),
            "AuthFailure.SignatureFailure",
            "Host {} signed {} scope {}: {r}",
            how.host,
            how.signed_host,
            how.service
        );
    }
    assert!(h.seen.lock().unwrap().accepted.is_empty());
}

#[actix_web::test]
async fn the_development_default_is_every_loopback_name() {
    let (_h, app) = Harness::start().await;
    for (host, signed, service) in [
        ("127.0.0.1:8084", "127.0.0.1", "127"),
        ("localhost:5000", "localhost:5000", "tcr"),
        ("[::1]:8084", "[::1]:8084", "tcr"),
    ] {
        let r = response(tc3_call(
            &app,
            &ALICE,
            "DescribeInstances",
            &Tc3::node(host, signed, service, "{}"),
        ))
        .await;
        assert_eq!(code(&r), "", "{host}: {r}");
    }
    let elsewhere = Tc3::node("tcr.example.com", "tcr.example.com", "tcr", "{}");
    let r = response(tc3_call(&app, &ALICE, "DescribeInstances", &elsewhere)).await;
    assert_eq!(code(&r), "AuthFailure.SignatureFailure", "{r}");
    assert!(r["Error"]["Message"].as_str().unwrap().contains("Host"));
}

#[actix_web::test]
async fn a_get_is_signed_over_its_query() {
    let (_h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "get-reg").await;
    // tencentcloud-sdk-python's form: lists flattened, Python's booleans.
    let query = format!("RegistryId={registry}&NamespaceName=team&IsPublic=True");
    let r = response(tc3_call(&app, &ALICE, "CreateNamespace", &Tc3::get(&query))).await;
    assert_eq!(code(&r), "", "{r}");
    let query = format!(
        "Registryids.0={registry}&Limit=5&Filters.0.Name=RegistryName&Filters.0.Values.0=get-reg"
    );
    let r = response(tc3_call(
        &app,
        &ALICE,
        "DescribeInstances",
        &Tc3::get(&query),
    ))
    .await;
    assert_eq!(r["TotalCount"], 1, "{r}");
    assert_eq!(r["Registries"][0]["RegistryId"], json!(registry));
    let r = response(tc3_call(
        &app,
        &ALICE,
        "DescribeNamespaces",
        &Tc3::get(&format!("RegistryId={registry}")),
    ))
    .await;
    assert_eq!(r["NamespaceList"][0]["Public"], true, "{r}");

    // The query is what is signed: another one is refused.
    let signed = Tc3::get("Limit=5");
    let tampered = tc3_call(&app, &ALICE, "DescribeInstances", &signed);
    let req = tampered.to_request().uri("/?Limit=6");
    let r = app.call(req).await.json();
    assert_eq!(
        r["Response"]["Error"]["Code"],
        "AuthFailure.SignatureFailure"
    );
    // A body on a GET would travel unsigned.
    let with_body = tc3_call(&app, &ALICE, "DescribeInstances", &Tc3::get("Limit=5")).body("{}");
    assert_eq!(code(&response(with_body).await), "UnsupportedProtocol");
    // The action's parameters only: the transport's names are unknown there.
    let r = response(tc3_call(
        &app,
        &ALICE,
        "DescribeInstances",
        &Tc3::get("Action=DescribeInstances"),
    ))
    .await;
    assert_eq!(code(&r), "UnknownParameter", "{r}");
    for (query, want) in [
        ("Limit=five", "InvalidParameter"),
        ("Registryids.1=x", "InvalidParameter"),
        ("Limit=1&Limit=2", "InvalidParameter"),
        ("Registryids.0=a%00b", "InvalidParameterValue"),
    ] {
        let r = response(tc3_call(
            &app,
            &ALICE,
            "DescribeInstances",
            &Tc3::get(query),
        ))
        .await;
        assert_eq!(code(&r), want, "{query}: {r}");
    }
}
