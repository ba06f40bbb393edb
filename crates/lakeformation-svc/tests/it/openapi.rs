//! The OpenAPI document: served as committed, covering every public route, with the
//! schemas of the bodies the service really sends.

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

/// The document as served.
async fn served(app: &TestApp) -> Value {
    app.get("/openapi.json").await.assert_ok().json()
}

/// Every `(method, path)` the document lists.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            out.push((method, path.clone(), op.clone()));
        }
    }
    out
}

#[actix_web::test]
async fn served_document_is_the_committed_one() {
    let (_h, app) = Harness::start().await;
    service_kit::testing::openapi::assert_committed(&app, "lakeformation").await;
}

#[actix_web::test]
async fn every_documented_operation_is_routed_and_named_once() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let ops = operations(&doc);
    // Six LakeFormation operations, and the four probes every service serves.
    assert_eq!(
        ops.len(),
        10,
        "{:?}",
        ops.iter().map(|o| &o.1).collect::<Vec<_>>()
    );
    let ids: BTreeSet<&str> = ops
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), ops.len(), "operationIds are unique: {ids:?}");
    for (method, path, _) in &ops {
        let uri = path
            .replace("{project_id}", PROJECT)
            .replace("{instance_id}", "00000000-0000-0000-0000-000000000000");
        // Unauthenticated: a routed operation refuses (401) or answers; the fallback is
        // 404 and a path served with another method 405.
        let status = app.request(method.clone(), &uri).await.status();
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status}"
        );
    }
}

#[actix_web::test]
async fn internal_routes_are_not_documented() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("/internal")),
        "{paths:?}"
    );
}

/// The documented properties of component `name`, and those it requires.
fn properties(doc: &Value, name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let schema = &doc["components"]["schemas"][name];
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{name}: {schema}"))
        .keys()
        .cloned()
        .collect();
    let required = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (props, required)
}

fn keys(body: &Value) -> BTreeSet<String> {
    body.as_object().unwrap().keys().cloned().collect()
}

/// Each documented answer body has exactly the fields sent, all of them always sent.
#[actix_web::test]
async fn documented_bodies_are_the_ones_sent() {
    let (h, app) = Harness::start().await;
    let doc = served(&app).await;
    let token = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &token, PROJECT, "documented").await;
    let shown = app
        .get(&format!("/v1/{PROJECT}/instances/{instance}"))
        .token(&token)
        .await
        .assert_ok()
        .json();
    let listed = app
        .get(&format!("/v1/{PROJECT}/instances"))
        .token(&token)
        .await
        .assert_ok()
        .json();
    let issued = app
        .post(&format!("/v1/{PROJECT}/instances/{instance}/credential"))
        .token(&token)
        .await
        .assert_ok()
        .json();
    let refused = app
        .get(&format!("/v1/{PROJECT}/instances"))
        .await
        .assert_unauthorized()
        .json();
    for (name, body) in [
        ("Instance", &shown),
        ("InstanceList", &listed),
        ("Credential", &issued),
        ("ErrorBody", &refused),
    ] {
        let (props, required) = properties(&doc, name);
        assert_eq!(props, keys(body), "{name}");
        assert_eq!(required, keys(body), "{name}: every field is always sent");
    }
}
