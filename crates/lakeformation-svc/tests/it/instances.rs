//! `/v1/{project_id}/instances`: the SDK's shapes, paging, roles and project isolation.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn base(project: &str) -> String {
    format!("/v1/{project}/instances")
}

async fn get(app: &TestApp, token: &str, uri: &str) -> (StatusCode, Value) {
    let (status, body, _) = app.get(uri).token(token).await.parts();
    (status, body)
}

async fn post(app: &TestApp, token: &str, project: &str, body: Value) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(&base(project))
        .token(token)
        .json(&body)
        .await
        .parts();
    (status, body)
}

fn assert_instance_shape(i: &Value, name: &str) {
    assert!(
        uuid::Uuid::parse_str(i["instance_id"].as_str().unwrap()).is_ok(),
        "{i}"
    );
    assert_eq!(i["name"], name);
    assert_eq!(i["status"], "RUNNING");
    assert_eq!(i["enterprise_project_id"], "0");
    assert_eq!(i["in_recycle_bin"], false);
    assert_eq!(i["charge_mode"], "postPaid");
    for field in ["create_time", "update_time"] {
        let t = i[field].as_str().unwrap();
        assert!(t.ends_with('Z'), "{field}: {t}");
        assert!(chrono::DateTime::parse_from_rfc3339(t).is_ok(), "{t}");
    }
    assert!(i.get("id").is_none(), "the id field is instance_id: {i}");
}

#[actix_web::test]
async fn create_show_list_delete() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let reader = h.token("carol", PROJECT, &["readonly"]);

    // The SDK's full body, as it sends it.
    let sdk_body = json!({
        "name": "lf-inst-1", "charge_mode": "postPaid", "enterprise_project_id": "0",
        "description": "d", "shared": true,
        "specs": [{"spec_code": "lakeformation.unit.basic.qps", "stride_num": 5}],
        "tags": [{"key": "k", "value": "v"}]
    });
    let (status, created, headers) = app
        .post(&base(PROJECT))
        .token(&alice)
        .json(&sdk_body)
        .await
        .parts();
    assert_eq!(status, StatusCode::ACCEPTED, "{created}");
    assert!(headers.contains_key("x-request-id"));
    assert_instance_shape(&created, "lf-inst-1");
    assert_eq!(created["description"], "d");
    // What the body asked for is what the instance says.
    assert_eq!(created["shared"], true);
    assert_eq!(created["specs"], sdk_body["specs"]);
    assert_eq!(created["tags"], sdk_body["tags"]);
    let id = created["instance_id"].as_str().unwrap().to_string();
    let created_at = created["create_time"].as_str().unwrap();
    let age = chrono::Utc::now()
        - chrono::DateTime::parse_from_rfc3339(created_at)
            .unwrap()
            .with_timezone(&chrono::Utc);
    assert!(age.num_seconds().abs() < 60, "{created_at}");

    // Everyone with a role in the project reads.
    for who in [&alice, &reader] {
        let (status, shown) = get(&app, who, &format!("{}/{id}", base(PROJECT))).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown, created);
        let (status, list) = get(&app, who, &base(PROJECT)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 1);
        assert_eq!(list["instances"][0]["instance_id"], id.as_str());
    }
    // The minimal body, and one with no charge mode at all.
    let (status, body) = post(
        &app,
        &alice,
        PROJECT,
        json!({"name": "lf-inst-2", "charge_mode": "postPaid", "shared": true}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_instance_shape(&body, "lf-inst-2");
    let (status, body) = post(&app, &alice, PROJECT, json!({"name": "lf_inst-3"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // Delete: 202, then gone.
    let uri = format!("{}/{id}", base(PROJECT));
    app.delete(&uri).token(&alice).await.assert_accepted();
    let (status, body) = get(&app, &alice, &uri).await;
    assert_lf_error(status, &body, 404, "common.01000001");
    let (status, body, _) = app.delete(&uri).token(&alice).await.parts();
    assert_lf_error(status, &body, 404, "common.01000001");
    let (_, list) = get(&app, &alice, &base(PROJECT)).await;
    assert_eq!(list["total"], 2);
    // The name is free again.
    let (status, body) = post(&app, &alice, PROJECT, json!({"name": "lf-inst-1"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[actix_web::test]
async fn list_pages_with_offset_and_limit() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(create_instance(&app, &alice, PROJECT, &format!("lake-{n:02}")).await);
    }
    let ids_of = |list: &Value| -> Vec<String> {
        list["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["instance_id"].as_str().unwrap().to_string())
            .collect()
    };

    // Default limit 10, oldest first, total is the full count.
    let (status, list) = get(&app, &alice, &base(PROJECT)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 12);
    assert_eq!(ids_of(&list), ids[..10]);
    let (_, list) = get(&app, &alice, &format!("{}?offset=10", base(PROJECT))).await;
    assert_eq!(ids_of(&list), ids[10..]);
    assert_eq!(list["total"], 12);
    let (_, list) = get(&app, &alice, &format!("{}?offset=3&limit=4", base(PROJECT))).await;
    assert_eq!(ids_of(&list), ids[3..7]);
    let (_, list) = get(
        &app,
        &alice,
        &format!("{}?offset=12&limit=5", base(PROJECT)),
    )
    .await;
    assert_eq!(ids_of(&list), Vec::<String>::new());
    assert_eq!(list["total"], 12);
    let (_, list) = get(&app, &alice, &format!("{}?limit=1000", base(PROJECT))).await;
    assert_eq!(ids_of(&list), ids);
    // The SDK sends every query parameter it has.
    let uri = format!(
        "{}?enterprise_project_id=0&in_recycle_bin=false&limit=2&offset=1",
        base(PROJECT)
    );
    let (status, list) = get(&app, &alice, &uri).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(ids_of(&list), ids[1..3]);
    // A name filter.
    let (_, list) = get(&app, &alice, &format!("{}?name=lake-05", base(PROJECT))).await;
    assert_eq!(list["total"], 1);
    assert_eq!(ids_of(&list), [ids[5].clone()]);
    // Nothing is in the recycle bin.
    let (status, list) = get(
        &app,
        &alice,
        &format!("{}?in_recycle_bin=true", base(PROJECT)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!({ "instances": [], "total": 0 }));
    // Bad paging.
    for query in [
        "limit=0",
        "limit=1001",
        "offset=-1",
        "offset=1001",
        "limit=ten",
        "offset=",
    ] {
        let (status, body) = get(&app, &alice, &format!("{}?{query}", base(PROJECT))).await;
        assert_lf_error(status, &body, 400, "common.01000001");
    }
}

#[actix_web::test]
async fn invalid_duplicate_and_malformed_creates() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["admin"]);
    let long = "x".repeat(33);
    for name in ["abc", "bad name", "bad/name", "dépôt", "", long.as_str()] {
        let (status, body) = post(&app, &alice, PROJECT, json!({ "name": name })).await;
        assert_lf_error(status, &body, 400, "common.01000001");
    }
    let edge = "y".repeat(32);
    for name in ["abcd", edge.as_str()] {
        let (status, body) = post(&app, &alice, PROJECT, json!({ "name": name })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {body}");
    }
    // Duplicate in the project: 409; the same name in another project is fine.
    let (status, body) = post(&app, &alice, PROJECT, json!({ "name": "abcd" })).await;
    assert_lf_error(status, &body, 409, "common.01000006");
    let other = h.token("zed", OTHER_PROJECT, &["admin"]);
    let (status, body) = post(&app, &other, OTHER_PROJECT, json!({ "name": "abcd" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let malformed = [
        json!({ "name": "good-name", "charge_mode": "prePaid" }),
        json!({ "name": "good-name", "unknown": 1 }),
        json!({ "name": "good-name", "description": "x".repeat(256) }),
        json!({ "name": "good-name", "description": "line\nbreak" }),
        json!({ "name": "good-name", "specs": [{"spec_code": "x"}] }),
        json!({ "name": "good-name", "tags": [["k", "v"]] }),
        json!({ "name": "good-name", "tags": [{"key": "k"}] }),
        json!({ "name": "good-name", "tags": [{"key": "_sys_k", "value": "v"}] }),
        json!({ "name": "good-name", "tags": [{"key": "k", "value": "a,b"}] }),
        json!({ "name": "good-name", "tags": [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}] }),
        json!({ "name": "good-name", "specs": [{"spec_code": "x", "stride_num": 4}] }),
        json!({ "name": "good-name", "specs": [{"spec_code": "x", "stride_num": "5"}] }),
        json!({ "name": "good-name", "specs": [{"spec_code": "x", "stride_num": 5, "unit": 1}] }),
        json!({ "name": "good-name", "enterprise_project_id": "" }),
        json!({ "name": "good-name", "enterprise_project_id": "eps/1" }),
        json!({ "name": "good-name", "shared": "yes" }),
        json!({ "charge_mode": "postPaid" }),
        json!(["good-name"]),
        json!({ "name": 7 }),
    ];
    for body in malformed {
        let (status, answer) = post(&app, &alice, PROJECT, body.clone()).await;
        assert_lf_error(status, &answer, 400, "common.01000001");
    }
    // Not JSON, or not declared as JSON.
    let (status, body, _) = app
        .post(&base(PROJECT))
        .token(&alice)
        .header("Content-Type", "application/json")
        .body("{")
        .await
        .parts();
    assert_lf_error(status, &body, 400, "common.01000001");
    let (status, body, _) = app
        .post(&base(PROJECT))
        .token(&alice)
        .header("Content-Type", "text/plain")
        .body(r#"{"name": "good-name"}"#)
        .await
        .parts();
    assert_lf_error(status, &body, 400, "common.01000001");
    // Too large.
    let huge = json!({ "name": "good-name", "description": "x".repeat(70_000) });
    let (status, body) = post(&app, &alice, PROJECT, huge).await;
    assert_lf_error(status, &body, 413, "common.01000007");
    let (_, list) = get(&app, &alice, &base(PROJECT)).await;
    assert_eq!(list["total"], 2, "{list}");
}

#[actix_web::test]
async fn roles_and_projects() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let reader = h.token("carol", PROJECT, &["readonly"]);
    let outsider = h.token("zed", OTHER_PROJECT, &["admin"]);
    let id = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let foreign = create_instance(&app, &outsider, OTHER_PROJECT, "lake-2").await;

    // Read-only callers neither create nor delete.
    let (status, body) = post(&app, &reader, PROJECT, json!({ "name": "lake-3" })).await;
    assert_lf_error(status, &body, 403, "403");
    let uri = format!("{}/{id}", base(PROJECT));
    let (status, body, _) = app.delete(&uri).token(&reader).await.parts();
    assert_lf_error(status, &body, 403, "403");
    let (status, _) = get(&app, &reader, &uri).await;
    assert_eq!(status, StatusCode::OK);

    // Another project's instance does not exist here.
    let foreign_here = format!("{}/{foreign}", base(PROJECT));
    let (status, body) = get(&app, &alice, &foreign_here).await;
    assert_lf_error(status, &body, 404, "common.01000001");
    let (status, body, _) = app.delete(&foreign_here).token(&alice).await.parts();
    assert_lf_error(status, &body, 404, "common.01000001");
    let (_, list) = get(&app, &alice, &base(PROJECT)).await;
    assert_eq!(list["total"], 1);
    // Another project's path: 403, whatever the role.
    for (status, body) in [
        get(&app, &alice, &base(OTHER_PROJECT)).await,
        get(&app, &alice, &format!("{}/{foreign}", base(OTHER_PROJECT))).await,
        post(&app, &alice, OTHER_PROJECT, json!({ "name": "lake-4" })).await,
        get(&app, &outsider, &uri).await,
    ] {
        assert_lf_error(status, &body, 403, "403");
    }
    // The outsider's instance survived alice's attempts.
    let (status, _) = get(
        &app,
        &outsider,
        &format!("{}/{foreign}", base(OTHER_PROJECT)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Unknown instance.
    let (status, body) = get(&app, &alice, &format!("{}/no-such-instance", base(PROJECT))).await;
    assert_lf_error(status, &body, 404, "common.01000001");
}

#[actix_web::test]
async fn authentication_methods_and_paths() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    // No token, a bad one, a token for another key.
    let (status, body, headers) = app.get(&base(PROJECT)).await.parts();
    assert_lf_error(status, &body, 401, "APIG.1002");
    assert!(headers.contains_key("x-request-id"));
    let (status, body) = get(&app, "not-a-token", &base(PROJECT)).await;
    assert_lf_error(status, &body, 401, "APIG.1002");
    let stranger = Harness::new().await.token("alice", PROJECT, &["admin"]);
    let (status, body) = get(&app, &stranger, &base(PROJECT)).await;
    assert_lf_error(status, &body, 401, "APIG.1002");
    // A permanent AK signature goes to iam-svc, which (here) knows no key.
    let key = Issued {
        access: "PERMANENTKEY12345678".into(),
        secret: "s".repeat(40),
        token: String::new(),
    };
    let headers = sdk_headers(
        "GET",
        &base(PROJECT),
        "",
        b"",
        &key.access,
        &key.secret,
        None,
        PROJECT,
        chrono::Utc::now(),
    );
    let (status, body, _) = app
        .get(&base(PROJECT))
        .headers(headers)
        .body(b"")
        .await
        .parts();
    assert_lf_error(status, &body, 401, "APIGW.0301");
    // Method not allowed, unknown path, encoded NUL.
    let (status, body, _) = app.put(&base(PROJECT)).token(&alice).await.parts();
    assert_lf_error(status, &body, 405, "common.01000005");
    let (status, body) = get(&app, &alice, "/v1/p1/nothing-here").await;
    assert_lf_error(status, &body, 404, "common.01000001");
    let (status, body) = get(&app, &alice, "/v1/p1/instances/a%00b").await;
    assert_lf_error(status, &body, 400, "common.01000001");
    // Health needs no credential.
    app.get("/healthz").await.assert_ok();
}

#[actix_web::test]
async fn a_caller_without_a_role_in_the_project_reads_nothing() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let id = create_instance(&app, &alice, PROJECT, "lake-1").await;
    // Scoped to the project, but with no role the table knows.
    let stranger = h.token("sam", PROJECT, &["auditor"]);
    for uri in [base(PROJECT), format!("{}/{id}", base(PROJECT))] {
        let (status, body) = get(&app, &stranger, &uri).await;
        assert_lf_error(status, &body, 403, "403");
    }
}
