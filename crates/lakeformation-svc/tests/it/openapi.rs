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
    // Eight LakeFormation operations, and the four probes every service serves.
    assert_eq!(
        ops.len(),
        12,
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

/// Every LakeFormation operation takes an IAM token or a signature, both described; the
/// probes take nothing.
#[actix_web::test]
async fn every_operation_names_the_schemes_it_accepts() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let names: BTreeSet<&str> = schemes.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(["sdk_hmac_sha256", "x_auth_token"]));
    for (method, path, op) in operations(&doc) {
        let named: BTreeSet<&str> = op["security"]
            .as_array()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .flat_map(|a| a.as_object().unwrap().keys().map(String::as_str))
                    .collect()
            })
            .unwrap_or_default();
        if path.starts_with("/v1/") {
            assert_eq!(named, names, "{method} {path}");
        } else {
            assert!(named.is_empty(), "{method} {path}: {named:?}");
        }
    }
}

/// The SDK sends no body without a model: the credential's body is optional, never null.
#[actix_web::test]
async fn the_credential_body_is_optional_and_not_null() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let body = &doc["paths"][ISSUE]["post"]["requestBody"];
    assert_eq!(body["required"], false, "{body}");
    let schema = &body["content"]["application/json"]["schema"];
    assert_eq!(
        schema["$ref"], "#/components/schemas/IdentityInput",
        "{schema}"
    );
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
        let (props, required) = fields(&doc["components"]["schemas"][name]);
        assert_eq!(props, keys(body), "{name}");
        assert_eq!(required, keys(body), "{name}: every field is always sent");
    }
}

/// The component a documented body schema names (one `$ref`), or the schema itself.
fn schema_of<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Requests to the documented operations, each answer checked against the document: a
/// documented status, and a body with the documented fields, every required one present.
struct Walk<'a> {
    app: &'a TestApp,
    doc: &'a Value,
    /// (method, path template, status) of every answer.
    seen: BTreeSet<(String, String, u16)>,
}

const LIST: &str = "/v1/{project_id}/instances";
const ONE: &str = "/v1/{project_id}/instances/{instance_id}";
const ISSUE: &str = "/v1/{project_id}/instances/{instance_id}/credential";
const REVOKE: &str = "/v1/{project_id}/credential-revocations";
const RECOVER: &str = "/v1/{project_id}/instances/{instance_id}/recover";

impl Walk<'_> {
    async fn call(
        &mut self,
        verb: Method,
        path: &str,
        (project, instance, query): (&str, &str, &str),
        token: Option<&str>,
        body: Option<&str>,
    ) {
        let uri = path
            .replace("{project_id}", project)
            .replace("{instance_id}", instance);
        let mut call = self
            .app
            .request(verb.clone(), &format!("{uri}{query}"))
            .header("content-type", "application/json");
        if let Some(token) = token {
            call = call.token(token);
        }
        if let Some(body) = body {
            call = call.body(body);
        }
        let (status, answer, _) = call.await.parts();
        let method = verb.as_str().to_lowercase();
        let response = &self.doc["paths"][path][&method]["responses"][status.as_str()];
        assert!(
            response.is_object(),
            "{method} {uri}{query}: {status} undocumented: {answer}"
        );
        let schema = &response["content"]["application/json"]["schema"];
        if schema.is_null() {
            assert!(
                answer.is_null(),
                "{method} {uri}: {status} has an undocumented body"
            );
        } else {
            let (props, required) = fields(schema_of(self.doc, schema));
            let sent = keys(&answer);
            assert!(sent.is_subset(&props), "{method} {uri}: {status}: {answer}");
            assert!(
                required.is_subset(&sent),
                "{method} {uri}: {status}: {answer}"
            );
        }
        self.seen
            .insert((method, path.to_string(), status.as_u16()));
    }
}

/// A schema's properties and those it requires.
fn fields(schema: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let props = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let required = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (props, required)
}

/// Hostile and ordinary requests to every operation answer only documented statuses, with
/// the documented bodies; between them they answer every documented status but 503 (the
/// outage tests elsewhere) and the 404 of a path naming no route.
#[actix_web::test]
async fn every_answer_is_documented() {
    use Method as M;
    let (h, app) = Harness::start().await;
    let doc = served(&app).await;
    let member = &h.token("alice", PROJECT, &["member"]);
    let reader = &h.token("rita", PROJECT, &["readonly"]);
    let id = &create_instance(&app, member, PROJECT, "lake-1").await;
    let big = &format!(
        "{{\"name\": \"{}\"}}",
        "x".repeat(h.state.config.server.max_body_bytes)
    );
    let (m, r) = (Some(member.as_str()), Some(reader.as_str()));
    let mut w = Walk {
        app: &app,
        doc: &doc,
        seen: BTreeSet::new(),
    };
    for (verb, path, _) in operations(&doc)
        .into_iter()
        .filter(|o| o.1.starts_with("/v1/"))
    {
        w.call(verb.clone(), &path, (PROJECT, id, ""), None, None)
            .await;
        w.call(verb, &path, ("p%00", id, ""), m, None).await;
    }
    let (here, there, nowhere) = (
        (PROJECT, "", ""),
        (OTHER_PROJECT, "", ""),
        (PROJECT, "nope", ""),
    );
    w.call(M::GET, LIST, there, m, None).await;
    w.call(M::GET, LIST, (PROJECT, "", "?limit=0"), m, None)
        .await;
    w.call(M::GET, LIST, (PROJECT, "", "?in_recycle_bin=1"), m, None)
        .await;
    w.call(M::GET, LIST, (PROJECT, "", "?tags=k"), m, None)
        .await;
    w.call(M::GET, LIST, here, m, None).await;
    w.call(M::POST, LIST, here, m, Some(r#"{"name": "lake-2"}"#))
        .await;
    w.call(M::POST, LIST, here, m, Some(r#"{"name": "lake-2"}"#))
        .await;
    w.call(M::POST, LIST, here, m, Some(r#"{"name": "x"}"#))
        .await;
    w.call(M::POST, LIST, here, m, Some("[]")).await;
    w.call(M::POST, LIST, here, r, Some(r#"{"name": "lake-3"}"#))
        .await;
    w.call(M::POST, LIST, here, m, Some(big)).await;
    w.call(M::GET, ONE, (PROJECT, id, ""), r, None).await;
    w.call(M::GET, ONE, nowhere, r, None).await;
    w.call(M::GET, ONE, (OTHER_PROJECT, id, ""), m, None).await;
    w.call(M::POST, ISSUE, (PROJECT, id, ""), m, None).await;
    w.call(M::POST, ISSUE, (OTHER_PROJECT, id, ""), m, None)
        .await;
    w.call(
        M::POST,
        ISSUE,
        (PROJECT, id, ""),
        m,
        Some(r#"{"roles": ["admin"]}"#),
    )
    .await;
    w.call(
        M::POST,
        ISSUE,
        (PROJECT, id, ""),
        m,
        Some(r#"{"roles": ["owner"]}"#),
    )
    .await;
    w.call(
        M::POST,
        ISSUE,
        (PROJECT, id, ""),
        m,
        Some(r#"{"user_names": ["nobody"]}"#),
    )
    .await;
    w.call(M::POST, ISSUE, (PROJECT, id, ""), m, Some("null"))
        .await;
    w.call(M::POST, ISSUE, nowhere, m, Some("{}")).await;
    w.call(M::POST, ISSUE, (PROJECT, id, ""), m, Some(big))
        .await;
    w.call(M::POST, REVOKE, here, m, None).await;
    w.call(M::POST, REVOKE, here, m, Some(r#"{"access": "NOPE"}"#))
        .await;
    w.call(M::POST, REVOKE, here, m, Some(r#"{"user_id": "bob-id"}"#))
        .await;
    w.call(M::POST, REVOKE, here, m, Some(r#"{"user_id": "alice-id"}"#))
        .await;
    w.call(M::POST, REVOKE, here, m, Some(big)).await;
    // Changes, and the recycle bin.
    let one = (PROJECT, id.as_str(), "");
    w.call(M::PUT, ONE, one, m, Some(r#"{"description": "d"}"#))
        .await;
    w.call(M::PUT, ONE, one, m, Some("{}")).await;
    w.call(M::PUT, ONE, one, r, Some(r#"{"description": "d"}"#))
        .await;
    w.call(M::PUT, ONE, nowhere, m, Some(r#"{"description": "d"}"#))
        .await;
    w.call(M::PUT, ONE, one, m, Some(r#"{"name": "lake-2"}"#))
        .await;
    w.call(M::PUT, ONE, one, m, Some(big)).await;
    w.call(M::POST, RECOVER, one, m, None).await;
    w.call(M::DELETE, ONE, (PROJECT, id, "?to_recycle_bin=1"), m, None)
        .await;
    w.call(
        M::DELETE,
        ONE,
        (PROJECT, id, "?to_recycle_bin=true"),
        m,
        None,
    )
    .await;
    w.call(
        M::DELETE,
        ONE,
        (PROJECT, id, "?to_recycle_bin=true"),
        m,
        None,
    )
    .await;
    w.call(M::POST, ISSUE, one, m, None).await;
    w.call(M::POST, RECOVER, one, r, None).await;
    w.call(M::POST, RECOVER, nowhere, m, None).await;
    w.call(M::POST, RECOVER, one, m, Some("[]")).await;
    w.call(M::POST, RECOVER, one, m, Some(big)).await;
    w.call(M::POST, RECOVER, one, m, None).await;
    w.call(M::DELETE, ONE, (PROJECT, id, ""), r, None).await;
    w.call(M::DELETE, ONE, (PROJECT, id, ""), m, None).await;
    w.call(M::DELETE, ONE, (PROJECT, id, ""), m, None).await;
    for (verb, path, op) in operations(&doc)
        .into_iter()
        .filter(|o| o.1.starts_with("/v1/"))
    {
        let method = verb.as_str().to_lowercase();
        for status in op["responses"].as_object().unwrap().keys() {
            let status: u16 = status.parse().unwrap();
            if status == 503 || (status == 404 && !path.contains("{instance_id}")) {
                continue;
            }
            let key = (method.clone(), path.clone(), status);
            assert!(
                w.seen.contains(&key),
                "{method} {path}: {status} never answered"
            );
        }
    }
}
