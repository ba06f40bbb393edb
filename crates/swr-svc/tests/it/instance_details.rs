//! What an instance create may say and what is answered back: every field of the SDK's
//! body is stored and echoed (the tags by their own operation) or refused with a 400 that
//! names it, leaving nothing stored; `updated_at` and `version` say what is true; the
//! lists refuse what they do not read; the statistics count from the database.

use diesel::prelude::*;
use serde_json::{json, Value};
use swr_svc::schema::{instance_tags, instances, jobs};

use crate::common::*;

/// How many instances, tags and jobs are stored.
fn counts(h: &Harness) -> (i64, i64, i64) {
    let mut conn = h.db.pool.get().unwrap();
    (
        instances::table.count().get_result(&mut conn).unwrap(),
        instance_tags::table.count().get_result(&mut conn).unwrap(),
        jobs::table.count().get_result(&mut conn).unwrap(),
    )
}

/// Every field `CreateInstanceRequestBody` has, at values swr-svc takes.
fn full_body(name: &str) -> Value {
    json!({
        "name": name, "description": "the team's", "spec": "swr.ee.professional",
        "vpc_id": "vpc-1", "subnet_id": "subnet-1", "project_id": PROJECT,
        "charge_mode": "postPaid", "enterprise_project_id": "team-1",
        "resource_tags": [{"key": "env", "value": "prod"}, {"key": "owner", "value": "team a"}],
        "obs_encrypt": false, "encrypt_type": "", "obs_bucket_name": "",
        "enable_intranet_access": false, "obs_enc_kms_key_id": ""
    })
}

#[actix_web::test]
async fn every_field_of_the_sdks_body_is_stored_and_answered_back() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let made = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&full_body("full"))
        .await
        .assert_created()
        .json();
    let id = made["instance_id"].as_str().unwrap();
    let shown = app
        .get(&format!("/v2/{PROJECT}/instances/{id}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    for (field, want) in [
        ("description", json!("the team's")),
        ("vpc_id", json!("vpc-1")),
        ("subnet_id", json!("subnet-1")),
        ("project_id", json!(PROJECT)),
        ("enterprise_project_id", json!("team-1")),
        ("obs_bucket_name", json!("")),
        ("user_def_obs", json!(false)),
        ("version", json!(env!("CARGO_PKG_VERSION"))),
        ("updated_at", shown["created_at"].clone()),
    ] {
        assert_eq!(shown[field], want, "{field}: {shown}");
    }
    let tags = app
        .get(&format!("/v2/{PROJECT}/instances/{id}/tags"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(
        tags,
        json!({ "tags": [{"key": "env", "value": "prod"}, {"key": "owner", "value": "team a"}] })
    );
    // Another project does not reach them; an unknown instance has none.
    let stranger = h.token("eve", OTHER_PROJECT, &["admin"]);
    let (status, body, _) = app
        .get(&format!("/v2/{OTHER_PROJECT}/instances/{id}/tags"))
        .token(&stranger)
        .await
        .parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    let (status, body, _) = app
        .get(&format!("/v2/{PROJECT}/instances/no-such/tags"))
        .token(&admin)
        .await
        .parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
}

#[actix_web::test]
async fn a_setting_swr_svc_cannot_honour_is_refused_by_name_and_nothing_is_stored() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let uri = format!("/v2/{PROJECT}/instances");
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    for (field, value, named) in [
        ("obs_bucket_name", json!("my-bucket"), "obs_bucket_name"),
        ("obs_encrypt", json!(true), "obs_encrypt"),
        ("encrypt_type", json!("gm"), "encrypt_type"),
        ("obs_enc_kms_key_id", json!("key-1"), "obs_enc_kms_key_id"),
        (
            "enable_intranet_access",
            json!(true),
            "enable_intranet_access",
        ),
        ("project_id", json!(OTHER_PROJECT), "project_id"),
        (
            "enterprise_project_id",
            json!("a\u{7}b"),
            "enterprise_project_id",
        ),
        (
            "resource_tags",
            json!([{"key": "env", "value": "a"}, {"key": "env", "value": "b"}]),
            "resource_tags[1].key",
        ),
        (
            "resource_tags",
            json!([{"key": "_sys_x", "value": "v"}]),
            "resource_tags[0].key",
        ),
        (
            "resource_tags",
            json!([{"key": " lead", "value": "v"}]),
            "resource_tags[0].key",
        ),
        (
            "resource_tags",
            json!([{"key": "k", "value": "v".repeat(256)}]),
            "resource_tags[0].value",
        ),
        (
            "resource_tags",
            json!([{"key": "k", "value": "semi;colon"}]),
            "resource_tags[0].value",
        ),
        ("resource_tags", json!(many), "resource_tags"),
        ("resource_tags", json!([{"key": "k"}]), "value"),
    ] {
        let mut body = full_body("refused");
        body[field] = value;
        let (status, answer, _) = app.post(&uri).token(&admin).json(&body).await.parts();
        assert_swr_error(status, &answer, 400, "SVCSTG.SWR.4000014");
        let message = answer["error_msg"].as_str().unwrap();
        assert!(message.contains(named), "{field}: {message}");
        assert_eq!(counts(&h), (0, 0, 0), "{field}");
    }
}

#[actix_web::test]
async fn the_lists_refuse_what_they_do_not_read() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "listed").await;
    let instances = format!("/v2/{PROJECT}/instances");
    let jobs = format!("/v2/{PROJECT}/jobs");
    let credentials = format!("{instances}/{instance}/long-term-credentials");
    for uri in [
        format!("{instances}?name=listed"),
        format!("{instances}?status=Bogus"),
        format!("{instances}?status=running"),
        format!("{instances}?order_column=name"),
        format!("{jobs}?status=Done"),
        format!("{jobs}?type=CreateInstance"),
        format!("{credentials}?name=ci"),
        format!("{credentials}?sort_key=name"),
    ] {
        let (status, body, _) = app.get(&uri).token(&admin).await.parts();
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000014");
    }
    for (uri, total) in [
        (format!("{instances}?status=Running"), 1),
        (format!("{instances}?status=Creating"), 0),
        (format!("{jobs}?status=Success"), 1),
        (format!("{jobs}?status=Failed"), 0),
    ] {
        let page = app.get(&uri).token(&admin).await.assert_ok().json();
        assert_eq!(page["total"], total, "{uri}");
    }
}

#[actix_web::test]
async fn the_statistics_count_what_is_stored() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let readonly = h.token("rita", PROJECT, &["readonly"]);
    let instance = create_instance(&app, &admin, PROJECT, "counted").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/statistics");
    let figures = |token: String| {
        let (app, uri) = (&app, &uri);
        async move { app.get(uri).token(&token).await.assert_ok().json() }
    };
    let quota = h.state.config.credentials.max_per_user_per_instance;
    assert_eq!(
        figures(readonly.clone()).await,
        json!({ "long_term_quota": quota, "total_namespace_count": 0 })
    );
    for name in ["team-a", "team-b", "team-c"] {
        create_namespace(&app, &admin, PROJECT, &instance, name, false).await;
    }
    app.delete(&format!(
        "/v2/{PROJECT}/instances/{instance}/namespaces/team-b"
    ))
    .token(&admin)
    .await
    .assert_ok();
    // Another instance's namespaces are its own.
    let other = create_instance(&app, &admin, PROJECT, "other").await;
    create_namespace(&app, &admin, PROJECT, &other, "elsewhere", false).await;
    assert_eq!(figures(readonly).await["total_namespace_count"], 2);
    let stranger = h.token("eve", OTHER_PROJECT, &["admin"]);
    let (status, body, _) = app
        .get(&format!(
            "/v2/{OTHER_PROJECT}/instances/{instance}/statistics"
        ))
        .token(&stranger)
        .await
        .parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    let (status, body, _) = app.get(&uri).token(&stranger).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
}
