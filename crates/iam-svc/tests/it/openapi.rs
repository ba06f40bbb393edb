//! The OpenAPI document: the committed file is what the app serves, it lists every public
//! action of the policy table and nothing else, each of its routes is routed, and each
//! route it says needs a credential refuses a request without one.

use std::collections::BTreeSet;

use iam_svc::policy::Action;
use serde_json::Value;

use crate::common::*;

/// Every operation of the served document: (method in capitals, path template).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            ops.push((method.to_uppercase(), path.clone(), op));
        }
    }
    ops
}

/// A path template with its parameter names dropped: `/v3/users/{}`.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

async fn served(app: &TestApp) -> Value {
    app.get("/openapi.json").await.assert_ok().json()
}

#[actix_web::test]
async fn served_document_is_the_committed_one() {
    let h = Harness::new().await;
    service_kit::testing::openapi::assert_committed(&h.app, "iam").await;
}

#[actix_web::test]
async fn the_document_lists_every_public_action_and_the_probes_with_unique_operation_ids() {
    let h = Harness::new().await;
    let doc = served(&h.app).await;
    let documented: BTreeSet<String> = operations(&doc)
        .iter()
        .map(|(method, path, _)| format!("{method} {}", shape(path)))
        .collect();
    let mut expected: BTreeSet<String> = Action::ALL
        .iter()
        .map(|a| a.route())
        .filter(|route| !route.contains("/internal/"))
        .map(shape)
        .collect();
    // The probes, and the version documents: public, so in no policy row.
    for open in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/",
        "/v3",
        "/v3/",
    ] {
        expected.insert(format!("GET {open}"));
    }
    assert_eq!(documented, expected);

    let ids: Vec<&str> = operations(&doc)
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().expect("operationId"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert_eq!(ids.len(), 57);
}

#[actix_web::test]
async fn every_documented_route_is_routed_and_the_secured_ones_refuse_no_credential() {
    let h = Harness::new().await;
    let doc = served(&h.app).await;
    for (method, path, op) in operations(&doc) {
        let uri = path.replace('{', "x").replace('}', "");
        let res = h.app.request(method.as_str(), &uri).await;
        let status = res.status().as_u16();
        let secured = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        });
        if secured {
            assert_eq!(status, 401, "{method} {path} without a credential");
        } else {
            // POST /v3/auth/tokens without a body is a bad request; the probes answer, and
            // `GET /` with Keystone's 300 Multiple Choices.
            assert!(
                matches!(status, 200 | 300 | 400),
                "{method} {path}: {status}"
            );
        }
        let documented = op["responses"]
            .as_object()
            .expect("responses")
            .contains_key(&status.to_string());
        assert!(documented, "{method} {path} answers {status}, undocumented");
    }
}
