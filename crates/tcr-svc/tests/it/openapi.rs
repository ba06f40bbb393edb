//! The OpenAPI document: served as committed, covering what the app routes, and the
//! routes it does not document answering as they always did.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tcr_svc::actions::ACTIONS;

use crate::common::*;
use crate::json_schema::problems;

#[actix_web::test]
async fn served_document_is_the_committed_one() {
    let (_h, app) = Harness::start().await;
    service_kit::testing::openapi::assert_committed(&app, "tcr").await;
}

#[actix_web::test]
async fn the_document_leaves_the_action_dispatch_as_it_was() {
    let (_h, app) = Harness::start().await;
    // POST and GET run actions; an unsigned GET is refused in the envelope, other methods
    // and paths are not found, with an empty body, as before /openapi.json was mounted.
    let get = response(app.get("/")).await;
    assert_eq!(code(&get), "MissingParameter");
    for (method, path) in [
        ("PUT", "/"),
        ("DELETE", "/"),
        ("PATCH", "/"),
        ("HEAD", "/"),
        ("GET", "/nope"),
        ("POST", "/nope"),
        ("POST", "/openapi.json"),
        ("GET", "/openapi.json/x"),
    ] {
        let res = app.request(method, path).await;
        assert_eq!(res.status().as_u16(), 404, "{method} {path}");
        assert!(res.bytes().is_empty(), "{method} {path}");
    }
    let r = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(r["TotalCount"], 0, "{r}");
}

async fn document(app: &TestApp) -> Value {
    app.get("/openapi.json").await.assert_ok().json()
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[actix_web::test]
async fn the_document_covers_every_route_and_action() {
    let (_h, app) = Harness::start().await;
    let doc = document(&app).await;
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()));
            // Routed: anything but the empty 404 of an unknown path.
            let res = app.request(method.to_uppercase().as_str(), path).await;
            let unrouted = res.status().as_u16() == 404 && res.bytes().is_empty();
            assert!(!unrouted, "{method} {path} is documented but not routed");
        }
    }
    let want = [
        "TencentCloudApi",
        "TencentCloudApiGet",
        "healthz",
        "readyz",
        "metrics",
        "document",
        "get_token",
        "post_token",
    ];
    assert_eq!(ids, want.iter().map(|s| s.to_string()).collect());

    let op = &doc["paths"]["/"]["post"];
    let header = |name: &str| {
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone()
    };
    assert_eq!(header("X-TC-Action")["schema"]["enum"], json!(ACTIONS));
    assert_eq!(
        header("X-TC-Version")["schema"]["enum"],
        json!(["2019-09-24"])
    );
    let bodies = &op["requestBody"]["content"]["application/json"]["schema"]["oneOf"];
    let answers = &doc["components"]["schemas"]["Answer"]["anyOf"];
    for action in ACTIONS {
        for part in ["Request", "Response"] {
            let name = format!("{action}{part}");
            assert!(doc["components"]["schemas"][&name].is_object(), "{name}");
        }
        assert!(bodies
            .as_array()
            .unwrap()
            .contains(&schema_ref(&format!("{action}Request"))));
        assert!(answers
            .as_array()
            .unwrap()
            .contains(&schema_ref(&format!("{action}Response"))));
    }
    assert_eq!(bodies.as_array().unwrap().len(), ACTIONS.len());
    assert_eq!(answers.as_array().unwrap().len(), ACTIONS.len() + 1);
    assert!(answers
        .as_array()
        .unwrap()
        .contains(&schema_ref("TencentError")));
}

/// The order the examples build on each other in: a registry, its token, a namespace, a
/// service account in it, then the deletions.
const ORDER: [&str; 20] = [
    "CreateInstance",
    "DescribeInstances",
    "DescribeInstanceStatus",
    "CheckInstanceName",
    "CheckInstance",
    "CreateInstanceToken",
    "DescribeInstanceToken",
    "ModifyInstanceToken",
    "DeleteInstanceToken",
    "CreateNamespace",
    "DescribeNamespaces",
    "ModifyNamespace",
    "CreateServiceAccount",
    "DescribeServiceAccounts",
    "ModifyServiceAccount",
    "ModifyServiceAccountPassword",
    "DeleteServiceAccount",
    "DeleteNamespace",
    "DescribeInstanceAllNamespaces",
    "DeleteInstance",
];

/// `value` with every string `from` replaced by `to`.
fn substitute(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, from, to)),
        Value::Object(fields) => fields.values_mut().for_each(|v| substitute(v, from, to)),
        _ => {}
    }
}

/// Each action's documented example sends every parameter its schema lists and succeeds,
/// so no documented parameter is one the action refuses; each answer, and an error, is
/// what the document says it is.
#[actix_web::test]
async fn every_documented_parameter_is_taken_and_every_answer_is_documented() {
    let (_h, app) = Harness::start().await;
    let doc = document(&app).await;
    let mut order = ORDER.to_vec();
    order.sort_unstable();
    let mut actions = ACTIONS.to_vec();
    actions.sort_unstable();
    assert_eq!(order, actions);

    let registry = create_registry(&app, &ALICE, "openapi-registry").await;
    let mut token_id = String::new();
    for action in ORDER {
        let schema = &doc["components"]["schemas"][format!("{action}Request")];
        let mut body = schema["example"].clone();
        let documented: BTreeSet<&String> =
            schema["properties"].as_object().unwrap().keys().collect();
        let sent: BTreeSet<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(sent, documented, "{action}'s example sends every parameter");
        assert_eq!(
            problems(&doc, schema, &body),
            Vec::<String>::new(),
            "{action}"
        );
        substitute(&mut body, "tcr-5zq3bc1x", &registry);
        substitute(&mut body, "ctrm3g86h7cp1kb7el2g", &token_id);

        let answer = act(&app, &ALICE, action, &body.to_string()).await;
        assert_eq!(code(&answer), "", "{action} {body}: {answer}");
        let schema = schema_ref(&format!("{action}Response"));
        assert_eq!(
            problems(&doc, &schema, &answer),
            Vec::<String>::new(),
            "{action}: {answer}"
        );
        assert_eq!(
            problems(&doc, &schema_ref("Answer"), &answer),
            Vec::<String>::new()
        );
        if action == "CreateInstanceToken" {
            token_id = answer["TokenId"].as_str().unwrap().to_string();
        }
    }

    let error = act(&app, &ALICE, "DescribeInstances", r#"{"Bogus": 1}"#).await;
    assert_eq!(code(&error), "UnknownParameter");
    for name in ["TencentError", "Answer"] {
        assert_eq!(
            problems(&doc, &schema_ref(name), &error),
            Vec::<String>::new()
        );
    }
    let delete = schema_ref("DeleteInstanceResponse");
    assert!(
        !problems(&doc, &delete, &error).is_empty(),
        "an error is no success"
    );
}
