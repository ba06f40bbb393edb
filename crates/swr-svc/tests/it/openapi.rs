//! The OpenAPI document: served as committed, naming the SDK's operations, every
//! documented operation routed, the documented query values accepted, and answers
//! serialized with their keys in the order the views declare (name order).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::*;

/// The operations `huaweicloudsdkswr` (v2) names, as the document's operationIds.
const SDK_OPERATIONS: [&str; 19] = [
    "CreateInstance",
    "ListInstance",
    "ShowInstance",
    "DeleteInstance",
    "ListInstanceResourceTags",
    "ListInstanceStatistics",
    "ListInstanceJobs",
    "ShowInstanceJob",
    "DeleteInstanceJob",
    "CreateInstanceLtCredential",
    "ListInstanceLtCredentials",
    "UpdateInstanceLtCredential",
    "DeleteInstanceLtCredential",
    "CreateInstanceTempCredential",
    "CreateInstanceNamespace",
    "ListInstanceNamespaces",
    "ShowInstanceNamespace",
    "UpdateInstanceNamespace",
    "DeleteInstanceNamespace",
];

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Every (method, path, operation) the document lists.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                found.push((method.to_string(), path.clone(), op.clone()));
            }
        }
    }
    found
}

/// `path` with each `{parameter}` replaced by a plausible value.
fn concrete(path: &str) -> String {
    path.replace("{project_id}", PROJECT)
        .replace("{instance_id}", "instance-1")
        .replace("{credential_id}", "credential-1")
        .replace("{namespace_name}", "team-a")
        .replace("{job_id}", "job-1")
}

async fn served(app: &TestApp) -> Value {
    app.get("/openapi.json").await.assert_ok().json()
}

#[actix_web::test]
async fn served_document_is_the_committed_one() {
    let (_h, app) = Harness::start().await;
    service_kit::testing::openapi::assert_committed(&app, "swr").await;
}

#[actix_web::test]
async fn each_operation_has_the_sdks_name_once() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let ops = operations(&doc);
    let ids: Vec<String> = ops
        .iter()
        .map(|(m, p, op)| {
            op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{m} {p} has no operationId"))
                .to_string()
        })
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate operationIds: {ids:?}");
    let api: BTreeSet<&str> = ops
        .iter()
        .filter(|(_, p, _)| p.starts_with("/v2/"))
        .map(|(_, _, op)| op["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(api, SDK_OPERATIONS.into_iter().collect());
    // Each SDK operation asks for a token or a signature; the shared ones say their own.
    for (method, path, op) in ops.iter().filter(|(_, p, _)| p.starts_with("/v2/")) {
        assert_eq!(
            op["security"],
            serde_json::json!([{"x_auth_token": []}, {"sdk_hmac_sha256": []}]),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn every_documented_operation_is_routed() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let ops = operations(&doc);
    // The 19 SDK operations, the three probes, /openapi.json and the token endpoint's two.
    assert_eq!(
        ops.len(),
        19 + 3 + 1 + 2,
        "{:?}",
        ops.iter().map(|o| (&o.0, &o.1)).collect::<Vec<_>>()
    );
    for (method, path, _) in &ops {
        let uri = concrete(path);
        let (status, body, _) = app
            .request(method.to_uppercase().as_str(), &uri)
            .await
            .parts();
        // Unknown paths answer SVCSTG.SWR.4040083 and other methods SVCSTG.SWR.4058001: neither may be what a
        // documented operation answers (without credentials it is refused or served).
        let fallback = matches!(
            body["error_code"].as_str(),
            Some("SVCSTG.SWR.4040083") | Some("SVCSTG.SWR.4058001")
        );
        assert!(
            !fallback,
            "{method} {path} ({uri}) is not routed: {status} {body}"
        );
    }
}

/// The values a list's query parameter's schema enumerates (directly or by reference).
fn enumerated(doc: &Value, parameter: &Value) -> Vec<String> {
    let mut schema = &parameter["schema"];
    // `Option<T>` of a component is `oneOf: [null, $ref]`, or a `$ref`.
    if let Some(alternatives) = schema["oneOf"].as_array() {
        schema = alternatives
            .iter()
            .find(|s| s["$ref"].is_string())
            .unwrap_or(schema);
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        schema = &doc["components"]["schemas"][name];
    }
    schema["enum"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn each_enumerated_query_value_is_accepted_and_others_are_not() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry-one").await;
    let doc = served(&app).await;
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        if method != "get" || !path.starts_with("/v2/") {
            continue;
        }
        let uri = concrete(&path).replace("instance-1", &instance);
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            let values = enumerated(&doc, parameter);
            for value in &values {
                app.get(&format!("{uri}?{name}={value}"))
                    .token(&admin)
                    .await
                    .assert_ok();
                checked += 1;
            }
            if !values.is_empty() {
                app.get(&format!("{uri}?{name}=surprise"))
                    .token(&admin)
                    .await
                    .assert_bad_request();
            }
        }
    }
    // order_column's three and order_type's two.
    assert_eq!(checked, 5);
}

#[actix_web::test]
async fn answers_list_their_keys_in_name_order() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let created = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&serde_json::json!({ "name": "registry-one" }))
        .await
        .assert_created();
    let instance = created.json()["instance_id"].as_str().unwrap().to_string();
    let job = created.json()["job_id"].as_str().unwrap().to_string();
    create_namespace(&app, &admin, PROJECT, &instance, "team-a", true).await;
    let base = format!("/v2/{PROJECT}/instances/{instance}");
    let mut answers = vec![
        created,
        app.get(&base).token(&admin).await.assert_ok(),
        app.get(&format!("/v2/{PROJECT}/instances"))
            .token(&admin)
            .await
            .assert_ok(),
        app.get(&format!("/v2/{PROJECT}/jobs/{job}"))
            .token(&admin)
            .await
            .assert_ok(),
        app.get(&format!("/v2/{PROJECT}/jobs"))
            .token(&admin)
            .await
            .assert_ok(),
        app.get(&format!("{base}/namespaces/team-a"))
            .token(&admin)
            .await
            .assert_ok(),
        app.get(&format!("{base}/namespaces"))
            .token(&admin)
            .await
            .assert_ok(),
    ];
    answers.push(
        app.put(&format!("{base}/namespaces/team-a"))
            .token(&admin)
            .json(&serde_json::json!({ "metadata": { "public": "false" } }))
            .await
            .assert_ok(),
    );
    answers.push(
        app.post(&format!("{base}/long-term-credential"))
            .token(&admin)
            .json(&serde_json::json!({ "name": "ci" }))
            .await
            .assert_created(),
    );
    answers.push(app.get(&format!("{base}/nowhere")).token(&admin).await);
    for answer in answers {
        // serde_json's maps keep their keys sorted: the text a map of the answer makes.
        let sorted = serde_json::to_string(&answer.json()).unwrap();
        assert_eq!(answer.text(), sorted);
    }
}

#[actix_web::test]
async fn the_token_endpoints_refusals_by_the_frame_are_documented_in_swrs_envelope() {
    let (_h, app) = Harness::start().await;
    let doc = served(&app).await;
    let swr = serde_json::json!({ "$ref": "#/components/schemas/ErrorBody" });
    for method in ["get", "post"] {
        let bad = &doc["paths"]["/service/token"][method]["responses"]["400"];
        let schemas = bad["content"]["application/json"]["schema"]["oneOf"]
            .as_array()
            .unwrap_or_else(|| panic!("{method}: {bad}"));
        assert!(schemas.contains(&swr), "{method}: {bad}");
    }
    let too_large = &doc["paths"]["/service/token"]["post"]["responses"]["413"];
    assert_eq!(too_large["content"]["application/json"]["schema"], swr);
    // What the frame answers there.
    let (status, body, _) = app
        .get(&format!("/service/token?service={SERVICE}&scope=a%00b"))
        .await
        .parts();
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000014");
    let (status, body, _) = app
        .post("/service/token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 70 * 1024])
        .await
        .parts();
    assert_swr_error(status, &body, 413, "SVCSTG.SWR.4131001");
}
