//! Instances: the vendor's shapes, project scoping and validation.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn create_show_list_delete() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let body = json!({
        "name": "registry-one", "spec": "swr.ee.professional", "vpc_id": "v", "subnet_id": "s",
        "project_id": PROJECT, "charge_mode": "postPaid", "enterprise_project_id": "0",
    });
    let created = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&body)
        .await
        .assert_created()
        .json();
    let id = created["instance_id"].as_str().unwrap().to_string();
    let job = created["job_id"].as_str().unwrap().to_string();

    let uri = format!("/v2/{PROJECT}/instances/{id}");
    let shown = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["name"], "registry-one");
    assert_eq!(shown["status"], "Running");
    assert_eq!(shown["vpc_id"], "v");
    assert_eq!(shown["user_def_obs"], false);
    assert_eq!(
        shown["registry"],
        json!({ "service": "swr-registry", "address": "127.0.0.1:5000" })
    );

    let job_body = app
        .get(&format!("/v2/{PROJECT}/jobs/{job}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(job_body["status"], "Success");
    assert_eq!(job_body["instance_id"], id.as_str());

    create_instance(&app, &admin, PROJECT, "registry-two").await;
    let listed = app
        .get(&format!("/v2/{PROJECT}/instances?limit=1&offset=1"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["instances"].as_array().unwrap().len(), 1);
    assert_eq!(listed["instances"][0]["name"], "registry-two");

    app.delete(&uri).token(&admin).await.assert_accepted();
    let (status, body, _) = app.get(&uri).token(&admin).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    // The SDK may send a JSON body on DELETE.
    let other = create_instance(&app, &admin, PROJECT, "registry-three").await;
    let req = app
        .delete(&format!("/v2/{PROJECT}/instances/{other}"))
        .token(&admin)
        .json(&json!({ "delete_obs": true }));
    assert_eq!(req.await.parts().0, StatusCode::ACCEPTED);
}

#[actix_web::test]
async fn projects_are_walled_off_both_ways() {
    let (h, app) = Harness::start().await;
    let a = h.token("alice", PROJECT, &["admin"]);
    let b = h.token("bob", OTHER_PROJECT, &["admin"]);
    let a_instance = create_instance(&app, &a, PROJECT, "alpha").await;
    let b_instance = create_instance(&app, &b, OTHER_PROJECT, "beta").await;
    // The path's project must be the caller's scope.
    let (status, body, _) = app
        .get(&format!("/v2/{PROJECT}/instances"))
        .token(&b)
        .await
        .parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
    // Another project's instance does not exist from here, in either direction.
    let (status, body, _) = app
        .get(&format!("/v2/{PROJECT}/instances/{b_instance}"))
        .token(&a)
        .await
        .parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    let (status, body, _) = app
        .get(&format!("/v2/{OTHER_PROJECT}/instances/{a_instance}"))
        .token(&b)
        .await
        .parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    // Nor are its credentials, whichever page is asked for.
    for (project, instance, token) in [
        (PROJECT, &b_instance, &a),
        (OTHER_PROJECT, &a_instance, &b),
        (PROJECT, &"no-such-instance".to_string(), &a),
    ] {
        for query in ["", "?self_only=false"] {
            let uri = format!("/v2/{project}/instances/{instance}/long-term-credentials{query}");
            let (status, body, _) = app.get(&uri).token(token).await.parts();
            assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
        }
    }
    let (_, listed, _) = app
        .get(&format!("/v2/{PROJECT}/instances"))
        .token(&a)
        .await
        .parts();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["instances"][0]["id"], a_instance.as_str());
}

#[actix_web::test]
async fn bad_input_is_refused_in_the_envelope() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let uri = format!("/v2/{PROJECT}/instances");
    for body in [
        json!({ "name": "Bad_Name" }),
        json!({ "name": "ok-name", "spec": "swr.ee.tiny" }),
        json!({ "name": "ok-name", "charge_mode": "prePaid" }),
        json!({ "name": "ok-name", "surprise": 1 }),
        json!({ "name": 7 }),
        json!([{ "name": "ok-name" }]),
    ] {
        let (status, answer, _) = app.post(&uri).token(&admin).json(&body).await.parts();
        assert_swr_error(status, &answer, 400, "SVCSTG.SWR.4000014");
    }
    let (status, body, _) = app
        .get(&format!("{uri}?limit=0"))
        .token(&admin)
        .await
        .parts();
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000056");
    let (status, body, _) = app.get(&uri).await.parts();
    assert_swr_error(status, &body, 401, "SVCSTG.SWR.4010000");
    let readonly = h.token("rita", PROJECT, &["readonly"]);
    let (status, body, _) = app
        .post(&uri)
        .token(&readonly)
        .json(&json!({ "name": "ro-made" }))
        .await
        .parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
    let (status, body, _) = app.patch(&uri).token(&admin).await.parts();
    assert_swr_error(status, &body, 405, "SVCSTG.SWR.4058001");
    let (status, body, headers) = app.get("/v2/nowhere/x/y/z").token(&admin).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4040083");
    assert!(headers.contains_key("x-request-id"));
    let duplicate = json!({ "name": "twin" });
    assert_eq!(
        app.post(&uri)
            .token(&admin)
            .json(&duplicate)
            .await
            .parts()
            .0,
        StatusCode::CREATED
    );
    let (status, body, _) = app.post(&uri).token(&admin).json(&duplicate).await.parts();
    assert_swr_error(status, &body, 409, "SVCSTG.SWR.4098001");
}

#[actix_web::test]
async fn the_list_keeps_the_enterprise_project_asked_for() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let uri = format!("/v2/{PROJECT}/instances");
    for (name, enterprise_project) in [("in-zero", None), ("in-team", Some("team-1"))] {
        let mut body = json!({ "name": name });
        if let Some(id) = enterprise_project {
            body["enterprise_project_id"] = json!(id);
        }
        app.post(&uri)
            .token(&admin)
            .json(&body)
            .await
            .assert_created();
    }
    for (query, names) in [
        ("", vec!["in-zero", "in-team"]),
        ("?enterprise_project_id=0", vec!["in-zero"]),
        ("?enterprise_project_id=team-1", vec!["in-team"]),
        ("?enterprise_project_id=team-2", vec![]),
        (
            "?enterprise_project_id=team-1&status=Running",
            vec!["in-team"],
        ),
    ] {
        let listed = app
            .get(&format!("{uri}{query}"))
            .token(&admin)
            .await
            .assert_ok()
            .json();
        let found: Vec<&str> = listed["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(found, names, "{query}");
        assert_eq!(listed["total"], names.len(), "{query}");
    }
}

#[actix_web::test]
async fn a_delete_takes_no_body_a_null_or_the_sdks_flags_and_nothing_else() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    for (n, body) in ["", "null", r#"{"delete_obs": true, "delete_dns": null}"#]
        .into_iter()
        .enumerate()
    {
        let instance = create_instance(&app, &admin, PROJECT, &format!("gone-{n}")).await;
        app.delete(&format!("/v2/{PROJECT}/instances/{instance}"))
            .token(&admin)
            .body(body)
            .await
            .assert_accepted();
    }
    let kept = create_instance(&app, &admin, PROJECT, "kept").await;
    for body in ["[]", r#"{"delete_all": true}"#, "{", "7"] {
        let (status, answer, _) = app
            .delete(&format!("/v2/{PROJECT}/instances/{kept}"))
            .token(&admin)
            .body(body)
            .await
            .parts();
        assert_swr_error(status, &answer, 400, "SVCSTG.SWR.4000014");
    }
    app.get(&format!("/v2/{PROJECT}/instances/{kept}"))
        .token(&admin)
        .await
        .assert_ok();
}
