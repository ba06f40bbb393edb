//! What an instance stores besides its name: enterprise project, shared, specs and tags
//! are kept, shown by every answer, filtered on by listings, and changed only by what
//! says it changes them.

use actix_web::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;
use lakeformation_svc::schema::{instance_tags, instances};
use serde_json::{json, Value};
use service_kit::clock::Clock;

use crate::common::*;

fn base(project: &str) -> String {
    format!("/v1/{project}/instances")
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    app.post(&base(PROJECT))
        .token(token)
        .json(&body)
        .await
        .assert_accepted()
        .json()
}

async fn get(app: &TestApp, token: &str, uri: &str) -> (StatusCode, Value) {
    let (status, body, _) = app.get(uri).token(token).await.parts();
    (status, body)
}

/// The names a listing shows, in order, and its total.
async fn listed(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Value) {
    let (status, list) = get(app, token, &format!("{}?{query}", base(PROJECT))).await;
    assert_eq!(status, StatusCode::OK, "{query}: {list}");
    let names = list["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    (names, list["total"].clone())
}

/// Three text columns of a row.
type Row = (String, String, String);

/// Every instance row and tag row, to see that a refusal changed nothing.
fn stored(h: &Harness) -> (Vec<Row>, Vec<Row>) {
    let mut conn = h.db.pool.get().unwrap();
    let rows = instances::table
        .select((instances::id, instances::name, instances::description))
        .order(instances::id)
        .load(&mut conn)
        .unwrap();
    let tags = instance_tags::table
        .select((
            instance_tags::instance_id,
            instance_tags::tag_key,
            instance_tags::tag_value,
        ))
        .order((instance_tags::instance_id, instance_tags::tag_key))
        .load(&mut conn)
        .unwrap();
    (rows, tags)
}

#[actix_web::test]
async fn what_a_create_asks_for_is_stored_and_shown_everywhere() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let specs = json!([
        {"spec_code": "lakeformation.unit.basic.qps", "stride_num": 7},
        {"product_id": "OFFI8000000000000004", "spec_code": "lakeformation.unit.meta", "stride_num": 5}
    ]);
    let created = create(
        &app,
        &alice,
        json!({
            "name": "dedicated", "charge_mode": "postPaid", "enterprise_project_id": "eps-1",
            "shared": false, "specs": specs,
            "tags": [{"key": "team", "value": "data"}, {"key": "env", "value": ""}]
        }),
    )
    .await;
    assert_eq!(created["enterprise_project_id"], "eps-1");
    assert_eq!(created["shared"], false);
    assert_eq!(created["specs"], specs);
    // Tags come back sorted by key, in every answer.
    let tags = json!([{"key": "env", "value": ""}, {"key": "team", "value": "data"}]);
    assert_eq!(created["tags"], tags);
    let id = created["instance_id"].as_str().unwrap();
    let (status, shown) = get(&app, &alice, &format!("{}/{id}", base(PROJECT))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, created);
    let (_, list) = get(&app, &alice, &base(PROJECT)).await;
    assert_eq!(list["instances"][0], created);

    // In the database: the row's columns and one tag row each.
    let mut conn = h.db.pool.get().unwrap();
    let (eps, shared, stored_specs): (String, bool, String) = instances::table
        .find(id)
        .select((
            instances::enterprise_project_id,
            instances::shared,
            instances::specs,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!((eps.as_str(), shared), ("eps-1", false));
    assert_eq!(serde_json::from_str::<Value>(&stored_specs).unwrap(), specs);
    drop(conn);
    let (_, tag_rows) = stored(&h);
    assert_eq!(tag_rows.len(), 2);

    // Left out, they are the vendor's defaults: project 0, shared, none.
    let plain = create(&app, &alice, json!({"name": "plain"})).await;
    assert_eq!(
        (
            &plain["enterprise_project_id"],
            &plain["shared"],
            &plain["specs"],
            &plain["tags"]
        ),
        (&json!("0"), &json!(true), &json!([]), &json!([]))
    );
    // Twenty tags are allowed; twenty-one are not, and nothing is stored.
    let twenty: Vec<Value> = (0..20)
        .map(|n| json!({"key": format!("k{n:02}"), "value": "v"}))
        .collect();
    create(&app, &alice, json!({"name": "twenty", "tags": twenty})).await;
    let before = stored(&h);
    let mut many = twenty.clone();
    many.push(json!({"key": "k20", "value": "v"}));
    let (status, body, _) = app
        .post(&base(PROJECT))
        .token(&alice)
        .json(&json!({"name": "too-many", "tags": many}))
        .await
        .parts();
    assert_lf_error(status, &body, 400, "common.01000001");
    assert_eq!(stored(&h), before);
}

#[actix_web::test]
async fn a_listing_selects_by_enterprise_project_and_tags() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let tag = |k: &str, v: &str| json!({"key": k, "value": v});
    create(
        &app,
        &alice,
        json!({"name": "lake-a", "tags": [tag("env", "prod"), tag("team", "a")]}),
    )
    .await;
    create(
        &app,
        &alice,
        json!({"name": "lake-b", "enterprise_project_id": "eps-1", "tags": [tag("env", "dev")]}),
    )
    .await;
    create(&app, &alice, json!({"name": "lake-c"})).await;
    // Another project's instance, tagged alike, is never listed here.
    let zed = h.token("zed", OTHER_PROJECT, &["admin"]);
    app.post(&base(OTHER_PROJECT))
        .token(&zed)
        .json(&json!({"name": "lake-z", "tags": [tag("env", "prod")]}))
        .await
        .assert_accepted();

    let cases: [(&str, &[&str]); 12] = [
        ("", &["lake-a", "lake-b", "lake-c"]),
        (
            "enterprise_project_id=all_granted_eps",
            &["lake-a", "lake-b", "lake-c"],
        ),
        ("enterprise_project_id=0", &["lake-a", "lake-c"]),
        ("enterprise_project_id=eps-1", &["lake-b"]),
        ("enterprise_project_id=eps-2", &[]),
        ("tags=", &["lake-a", "lake-b", "lake-c"]),
        ("tags=env", &["lake-a", "lake-b"]),
        ("tags=env=prod", &["lake-a"]),
        ("tags=env=prod,team", &["lake-a"]),
        ("tags=team=b", &[]),
        ("tags=env&enterprise_project_id=eps-1", &["lake-b"]),
        ("tags=env=prod&enterprise_project_id=eps-1", &[]),
    ];
    for (query, want) in cases {
        let (names, total) = listed(&app, &alice, query).await;
        assert_eq!(names, want, "{query}");
        assert_eq!(total, json!(want.len()), "{query}");
    }
    // The total counts what the filters select, beyond the page.
    let (names, total) = listed(&app, &alice, "tags=env&limit=1").await;
    assert_eq!((names, total), (vec!["lake-a".to_string()], json!(2)));

    // A filter that cannot be read is refused, not ignored.
    for query in [
        "tags=_sys_k",
        "tags=a=b;c",
        "tags=env,",
        "tags=%20env",
        "enterprise_project_id=",
        "enterprise_project_id=a/b",
    ] {
        let (status, body) = get(&app, &alice, &format!("{}?{query}", base(PROJECT))).await;
        assert_lf_error(status, &body, 400, "common.01000001");
    }
}

#[actix_web::test]
async fn an_update_changes_the_name_and_description_and_nothing_else() {
    let clock = Clock::fixed(Clock::system().now());
    let h = Harness::on_clock(clock.clone()).await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let created = create(
        &app,
        &alice,
        json!({"name": "lake-1", "description": "old", "shared": false,
               "enterprise_project_id": "eps-1", "tags": [{"key": "k", "value": "v"}],
               "specs": [{"spec_code": "lakeformation.unit.basic.qps", "stride_num": 5}]}),
    )
    .await;
    create(&app, &alice, json!({"name": "lake-2"})).await;
    let id = created["instance_id"].as_str().unwrap();
    let one = format!("{}/{id}", base(PROJECT));

    // Within the revocation feed's allowed staleness, which the fixed clock also reads.
    clock.advance(Duration::seconds(2));
    let put = |token: &str, body: Value| {
        let (app, one) = (&app, &one);
        let token = token.to_string();
        async move { app.put(one).token(&token).json(&body).await.parts() }
    };
    let (status, changed, _) = put(&alice, json!({"name": "lake-renamed"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "lake-renamed");
    assert_eq!(changed["description"], "old");
    assert_ne!(changed["update_time"], created["update_time"]);
    assert_eq!(changed["create_time"], created["create_time"]);
    for same in ["shared", "enterprise_project_id", "tags", "specs", "status"] {
        assert_eq!(changed[same], created[same], "{same}");
    }
    let (status, changed, _) = put(&alice, json!({"description": ""})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["name"], &changed["description"]),
        (&json!("lake-renamed"), &json!(""))
    );
    let (_, shown) = get(&app, &alice, &one).await;
    assert_eq!(shown, changed);
    // The old name is free, the new one taken.
    create(&app, &alice, json!({"name": "lake-1"})).await;

    let before = stored(&h);
    let refusals = [
        (json!({}), 400, "common.01000001"),
        (json!({"name": "no"}), 400, "common.01000001"),
        (json!({"description": "two\nlines"}), 400, "common.01000001"),
        (
            json!({"name": "lake-x", "shared": true}),
            400,
            "common.01000001",
        ),
        (json!({"name": "lake-2"}), 409, "common.01000006"),
    ];
    for (body, status_want, code) in refusals {
        let (status, answer, _) = put(&alice, body.clone()).await;
        assert_lf_error(status, &answer, status_want, code);
    }
    // Who may not: a reader, another project, an instance that is not there.
    let reader = h.token("rita", PROJECT, &["readonly"]);
    let (status, answer, _) = put(&reader, json!({"name": "lake-9"})).await;
    assert_lf_error(status, &answer, 403, "403");
    let zed = h.token("zed", OTHER_PROJECT, &["admin"]);
    let (status, answer, _) = put(&zed, json!({"name": "lake-9"})).await;
    assert_lf_error(status, &answer, 403, "403");
    let elsewhere = format!("{}/{id}", base(OTHER_PROJECT));
    let (status, answer, _) = app
        .put(&elsewhere)
        .token(&zed)
        .json(&json!({"name": "lake-9"}))
        .await
        .parts();
    assert_lf_error(status, &answer, 404, "common.01000001");
    assert_eq!(stored(&h), before);
}
