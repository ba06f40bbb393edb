//! Namespaces: the shapes huaweicloudsdkswr sends and reads, the list's filters, every
//! refusal in SWR's envelope, and project walls.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn base(project: &str, instance: &str) -> String {
    format!("/v2/{project}/instances/{instance}/namespaces")
}

#[actix_web::test]
async fn create_show_list_update_delete_in_the_sdks_shapes() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = base(PROJECT, &instance);
    let created = app
        .post(&uri)
        .token(&admin)
        .json(&json!({ "namespace_name": "team.a_b-c", "metadata": { "public": "false" } }))
        .await
        .assert_created()
        .json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created, json!({ "id": id }));

    let one = format!("{uri}/team.a_b-c");
    let shown = app.get(&one).token(&admin).await.assert_ok().json();
    let time = shown["created_at"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.len() == 20, "{time}");
    assert_eq!(
        shown,
        json!({
            "name": "team.a_b-c",
            "namespace_id": id,
            "metadata": { "public": "false" },
            "created_at": time,
            "updated_at": shown["updated_at"],
        })
    );

    let updated = app
        .put(&one)
        .token(&admin)
        .json(&json!({ "metadata": { "public": "true" } }))
        .await
        .assert_ok()
        .json();
    assert_eq!(
        updated,
        json!({ "namespace_name": "team.a_b-c", "metadata": { "public": "true" } })
    );

    let listed = app.get(&uri).token(&admin).await.assert_ok().json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["namespaces"][0]["metadata"]["public"], "true");
    assert_eq!(listed["namespaces"][0]["namespace_id"], id);

    // Metadata is optional on create: the namespace is private.
    let req = app
        .post(&uri)
        .token(&admin)
        .json(&json!({ "namespace_name": "quiet" }));
    assert_eq!(req.await.parts().0, StatusCode::CREATED);
    let (_, quiet, _) = app.get(&format!("{uri}/quiet")).token(&admin).await.parts();
    assert_eq!(quiet["metadata"], json!({ "public": "false" }));

    let (status, body, _) = app.delete(&one).token(&admin).await.parts();
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    for req in [
        app.get(&one),
        app.delete(&one),
        app.put(&one)
            .json(&json!({ "metadata": { "public": "false" } })),
    ] {
        let (status, body, _) = req.token(&admin).await.parts();
        assert_swr_error(status, &body, 404, "SVCSTG.SWR.4040058");
    }
    let (_, listed, _) = app.get(&uri).token(&admin).await.parts();
    assert_eq!(listed["total"], 1);
    // The instance takes its deleted name back, with a fresh setting.
    let (status, again, _) = app
        .post(&uri)
        .token(&admin)
        .json(&json!({ "namespace_name": "team.a_b-c", "metadata": { "public": "false" } }))
        .await
        .parts();
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &json!(id)));
    // A live name is not created twice.
    let (status, body, _) = app
        .post(&uri)
        .token(&admin)
        .json(&json!({ "namespace_name": "team.a_b-c", "metadata": { "public": "true" } }))
        .await
        .parts();
    assert_swr_error(status, &body, 409, "SVCSTG.SWR.4090060");
}

/// The names, in order, that a list query gives.
async fn names(app: &TestApp, token: &str, uri: &str) -> (Vec<String>, i64) {
    let (status, body, _) = app.get(uri).token(token).await.parts();
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    let names = body["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect();
    (names, body["total"].as_i64().unwrap())
}

#[actix_web::test]
async fn the_list_filters_orders_and_pages() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = base(PROJECT, &instance);
    let made: Vec<String> = (0..12).map(|n| format!("ns{n:02}")).collect();
    for (n, name) in made.iter().enumerate() {
        create_namespace(&app, &admin, PROJECT, &instance, name, n % 3 == 0).await;
    }
    create_namespace(&app, &admin, PROJECT, &instance, "under_score", false).await;
    create_namespace(&app, &admin, PROJECT, &instance, "underxscore", false).await;

    // Ten by default, oldest first; total counts all.
    let (got, total) = names(&app, &admin, &uri).await;
    assert_eq!((got.as_slice(), total), (&made[..10], 14));
    let (got, _) = names(&app, &admin, &format!("{uri}?offset=10&limit=10")).await;
    assert_eq!(got, ["ns10", "ns11", "under_score", "underxscore"]);
    let (got, _) = names(&app, &admin, &format!("{uri}?offset=3&limit=2")).await;
    assert_eq!(got, ["ns03", "ns04"]);

    let (got, total) = names(&app, &admin, &format!("{uri}?public=true&limit=100")).await;
    assert_eq!(
        (got, total),
        (
            vec!["ns00", "ns03", "ns06", "ns09"]
                .into_iter()
                .map(String::from)
                .collect(),
            4
        )
    );
    let (_, total) = names(&app, &admin, &format!("{uri}?public=false")).await;
    assert_eq!(total, 10);
    // `_` is matched as itself, not as any character.
    let (got, _) = names(&app, &admin, &format!("{uri}?name=under_")).await;
    assert_eq!(got, ["under_score"]);
    let (got, _) = names(&app, &admin, &format!("{uri}?name=s1")).await;
    assert_eq!(got, ["ns10", "ns11"]);
    let (got, _) = names(
        &app,
        &admin,
        &format!("{uri}?order_column=name&order_type=desc&limit=3"),
    )
    .await;
    assert_eq!(got, ["underxscore", "under_score", "ns11"]);
    // Updated last, listed last by updated_at (ties broken by id).
    let req = app
        .put(&format!("{uri}/ns00"))
        .token(&admin)
        .json(&json!({ "metadata": { "public": "false" } }));
    assert_eq!(req.await.parts().0, StatusCode::OK);
    let (got, _) = names(
        &app,
        &admin,
        &format!("{uri}?order_column=updated_at&order_type=desc&limit=1"),
    )
    .await;
    assert_eq!(got, ["ns00"]);

    for (query, code) in [
        ("limit=0", "SVCSTG.SWR.4000056"),
        ("limit=101", "SVCSTG.SWR.4000056"),
        ("offset=-1", "SVCSTG.SWR.4000056"),
        ("order_column=size", "SVCSTG.SWR.4000014"),
        ("order_type=sideways", "SVCSTG.SWR.4000014"),
        ("name=Upper", "SVCSTG.SWR.4001008"),
        ("name=a%25", "SVCSTG.SWR.4001008"),
        ("page=2", "SVCSTG.SWR.4000014"),
    ] {
        let (status, body, _) = app
            .get(&format!("{uri}?{query}"))
            .token(&admin)
            .await
            .parts();
        assert_swr_error(status, &body, 400, code);
    }
}

#[actix_web::test]
async fn bad_names_and_bodies_are_refused_in_the_envelope() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = base(PROJECT, &instance);
    let too_long = "a".repeat(65);
    for name in [
        "",
        "Team",
        "a__b",
        "-a",
        "a-",
        "a/b",
        "a b",
        too_long.as_str(),
    ] {
        let (status, body, _) = app
            .post(&uri)
            .token(&admin)
            .json(&json!({ "namespace_name": name, "metadata": { "public": "false" } }))
            .await
            .parts();
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4001008");
    }
    create_namespace(&app, &admin, PROJECT, &instance, &"a".repeat(64), false).await;
    for body in [
        json!({ "namespace_name": "ok", "metadata": { "public": true } }),
        json!({ "namespace_name": "ok", "metadata": { "public": "yes" } }),
        json!({ "namespace_name": "ok", "metadata": {} }),
        json!({ "namespace_name": "ok", "metadata": { "public": "false", "auto_scan": "true" } }),
        json!({ "namespace_name": "ok", "metadata": { "public": "false", "severity": "high" } }),
        // Present at all is refused, null included: the document allows no such field.
        json!({ "namespace_name": "ok", "metadata": { "public": "false", "auto_scan": null } }),
        json!({ "namespace_name": "ok", "surprise": 1 }),
        json!({ "metadata": { "public": "false" } }),
        json!([{ "namespace_name": "ok" }]),
    ] {
        let (status, answer, _) = app.post(&uri).token(&admin).json(&body).await.parts();
        assert_swr_error(status, &answer, 400, "SVCSTG.SWR.4000014");
    }
    create_namespace(&app, &admin, PROJECT, &instance, "ok", false).await;
    for body in [
        json!({}),
        json!({ "metadata": { "public": "maybe" } }),
        json!({ "metadata": { "public": "true" }, "cve_allowlist": { "items": [] } }),
        json!({ "metadata": { "public": "true", "prevent_vul": "true" } }),
        json!({ "metadata": { "public": "true" }, "cve_allowlist": null }),
        json!({ "metadata": { "public": "true", "severity": null } }),
    ] {
        let (status, answer, _) = app
            .put(&format!("{uri}/ok"))
            .token(&admin)
            .json(&body)
            .await
            .parts();
        assert_swr_error(status, &answer, 400, "SVCSTG.SWR.4000014");
    }
    let (_, shown, _) = app.get(&format!("{uri}/ok")).token(&admin).await.parts();
    assert_eq!(
        shown["metadata"]["public"], "false",
        "refusals change nothing"
    );
    let (status, body, _) = app.patch(&format!("{uri}/ok")).token(&admin).await.parts();
    assert_swr_error(status, &body, 405, "SVCSTG.SWR.4058001");
}

#[actix_web::test]
async fn another_projects_instance_and_its_namespaces_do_not_exist_from_here() {
    let (h, app) = Harness::start().await;
    let a = h.token("alice", PROJECT, &["admin"]);
    let b = h.token("bob", OTHER_PROJECT, &["admin"]);
    let b_instance = create_instance(&app, &b, OTHER_PROJECT, "beta").await;
    create_namespace(&app, &b, OTHER_PROJECT, &b_instance, "team-b", true).await;
    let missing = "no-such-instance".to_string();
    for instance in [&b_instance, &missing] {
        let uri = base(PROJECT, instance);
        let one = format!("{uri}/team-b");
        for req in [
            app.get(&uri),
            app.post(&uri)
                .json(&json!({ "namespace_name": "mine", "metadata": { "public": "false" } })),
            app.get(&one),
            app.put(&one)
                .json(&json!({ "metadata": { "public": "false" } })),
            app.delete(&one),
        ] {
            let (status, body, _) = req.token(&a).await.parts();
            assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
        }
    }
    // The path's project must be the caller's.
    let (status, body, _) = app
        .get(&base(OTHER_PROJECT, &b_instance))
        .token(&a)
        .await
        .parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
    // Nothing changed for the owner.
    let (_, shown, _) = app
        .get(&format!("{}/team-b", base(OTHER_PROJECT, &b_instance)))
        .token(&b)
        .await
        .parts();
    assert_eq!(shown["metadata"]["public"], "true");
}
