//! What DescribeInstances says of a registry is what it is: its region's id, the temp
//! token lifetime configured, its tags; CreateInstance and DeleteInstance refuse the
//! settings they cannot keep rather than drop them, and change nothing when they do.

use diesel::prelude::*;
use serde_json::{json, Value};
use tcr_svc::schema::registries;

use crate::common::*;

/// `action` as `key` with `X-TC-Region: region` (none when empty).
async fn in_region(app: &TestApp, key: &Key, region: &str, action: &str, body: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    let headers = tc3_headers(key, action, body, now)
        .into_iter()
        .filter(|(name, _)| name != "X-TC-Region");
    let mut call = app.post("/").headers(headers).body(body);
    if !region.is_empty() {
        call = call.header("X-TC-Region", region);
    }
    response(call).await
}

fn registry_rows(h: &Harness) -> Vec<(String, String, String)> {
    let mut conn = h.db.pool.get().unwrap();
    registries::table
        .select((registries::name, registries::region, registries::tags))
        .order(registries::name)
        .load(&mut conn)
        .unwrap()
}

const BASIC: &str = r#""RegistryType": "basic""#;

#[actix_web::test]
async fn each_registry_shows_its_regions_id_and_the_configured_token_lifetime() {
    for (seconds, hours) in [(3600, 1), (7200, 2), (5400, 2), (60, 1), (86_400, 24)] {
        let mut config = test_config();
        config.tokens.temp_lifetime_seconds = seconds;
        let h = Harness::with_config(config);
        let app = h.app().await;
        for (name, region) in [
            ("gz-registry", "ap-guangzhou"),
            ("sh-registry", "ap-shanghai"),
        ] {
            let body = format!(r#"{{"RegistryName": "{name}", {BASIC}}}"#);
            let r = in_region(&app, &ALICE, region, "CreateInstance", &body).await;
            assert_eq!(code(&r), "", "{r}");
        }
        let all = r#"{"AllRegion": true}"#;
        let listed = in_region(&app, &ALICE, "ap-guangzhou", "DescribeInstances", all).await;
        let seen: Vec<(Value, Value, Value)> = listed["Registries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["RegionName"].clone(),
                    r["RegionId"].clone(),
                    r["TokenValidTime"].clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (json!("ap-guangzhou"), json!(1), json!(hours)),
                (json!("ap-shanghai"), json!(4), json!(hours)),
            ],
            "{seconds} s"
        );
    }
}

#[actix_web::test]
async fn describe_instances_lists_the_requests_region_unless_every_region_is_asked_for() {
    let (_h, app) = Harness::start().await;
    for (name, region) in [
        ("gz-registry", "ap-guangzhou"),
        ("bj-registry", "ap-beijing"),
    ] {
        let body = format!(r#"{{"RegistryName": "{name}", {BASIC}}}"#);
        let r = in_region(&app, &ALICE, region, "CreateInstance", &body).await;
        assert_eq!(code(&r), "", "{r}");
    }
    let names = |r: &Value| -> Vec<String> {
        r["Registries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["RegistryName"].as_str().unwrap().to_string())
            .collect()
    };
    for (region, body, want, total) in [
        ("ap-beijing", "{}", vec!["bj-registry"], 1),
        (
            "ap-beijing",
            r#"{"AllRegion": false}"#,
            vec!["bj-registry"],
            1,
        ),
        ("ap-tokyo", "{}", vec![], 0),
        (
            "ap-tokyo",
            r#"{"AllRegion": true}"#,
            vec!["gz-registry", "bj-registry"],
            2,
        ),
        ("", "{}", vec!["gz-registry", "bj-registry"], 2),
    ] {
        let r = in_region(&app, &ALICE, region, "DescribeInstances", body).await;
        assert_eq!(code(&r), "", "{r}");
        assert_eq!(names(&r), want, "{region} {body}");
        assert_eq!(r["TotalCount"], total, "{region} {body}");
    }
    let r = in_region(
        &app,
        &ALICE,
        "ap-beijing",
        "DescribeInstances",
        r#"{"AllRegion": 1}"#,
    )
    .await;
    assert_eq!(code(&r), "InvalidParameter", "{r}");
}

#[actix_web::test]
async fn a_registry_keeps_its_tags_and_bad_tags_are_refused() {
    let (h, app) = Harness::start().await;
    let body = format!(
        r#"{{"RegistryName": "tagged-registry", {BASIC}, "TagSpecification": {{"ResourceType": "instance", "Tags": [{{"Key": "team", "Value": "a"}}, {{"Key": "env", "Value": ""}}]}}}}"#
    );
    let r = act(&app, &ALICE, "CreateInstance", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let plain = create_registry(&app, &ALICE, "plain-registry").await;
    let listed = act(&app, &ALICE, "DescribeInstances", "{}").await;
    let tags: Vec<(Value, Value)> = listed["Registries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["RegistryId"].clone(), r["TagSpecification"].clone()))
        .collect();
    assert_eq!(
        tags,
        vec![
            (
                r["RegistryId"].clone(),
                json!({"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": ""}]})
            ),
            (
                json!(plain),
                json!({"ResourceType": "instance", "Tags": []})
            ),
        ]
    );
    let before = registry_rows(&h);
    for spec in [
        json!({"ResourceType": "namespace", "Tags": []}),
        json!({"Tags": [{"Key": "", "Value": "v"}]}),
        json!({"Tags": [{"Key": "k", "Value": "v"}, {"Key": "k", "Value": "w"}]}),
        json!({"Tags": [{"Key": "k", "Value": "v", "Extra": 1}]}),
        json!({"Tags": (0..51).map(|i| json!({"Key": format!("k{i}"), "Value": ""})).collect::<Vec<_>>()}),
        json!({"Owner": "me"}),
        json!("team=a"),
    ] {
        let body = json!({"RegistryName": "refused-registry", "RegistryType": "basic", "TagSpecification": spec});
        let r = act(&app, &ALICE, "CreateInstance", &body.to_string()).await;
        assert_eq!(code(&r), "InvalidParameter", "{spec}: {r}");
    }
    assert_eq!(registry_rows(&h), before);
}

#[actix_web::test]
async fn create_instance_refuses_what_it_cannot_keep_and_takes_what_it_shows() {
    let (h, app) = Harness::start().await;
    let refused = [
        r#""RegistryChargeType": 1"#,
        r#""RegistryChargePrepaid": {"Period": 1, "RenewFlag": 0}"#,
        r#""SyncTag": true"#,
        r#""EnableCosMAZ": true"#,
        r#""DeletionProtection": true"#,
        r#""EnableCosVersioning": true"#,
    ];
    for setting in refused {
        let body = format!(r#"{{"RegistryName": "refused-registry", {BASIC}, {setting}}}"#);
        let r = act(&app, &ALICE, "CreateInstance", &body).await;
        assert_eq!(code(&r), "UnsupportedOperation", "{setting}: {r}");
    }
    for setting in [r#""SyncTag": "no""#, r#""RegistryChargeType": "0""#] {
        let body = format!(r#"{{"RegistryName": "refused-registry", {BASIC}, {setting}}}"#);
        let r = act(&app, &ALICE, "CreateInstance", &body).await;
        assert_eq!(code(&r), "InvalidParameter", "{setting}: {r}");
    }
    assert_eq!(registry_rows(&h), vec![]);
    // The values DescribeInstances then shows are taken.
    let body = format!(
        r#"{{"RegistryName": "kept-registry", {BASIC}, "RegistryChargeType": 0, "SyncTag": false, "EnableCosMAZ": false, "DeletionProtection": false, "EnableCosVersioning": false}}"#
    );
    let r = act(&app, &ALICE, "CreateInstance", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let shown = &act(&app, &ALICE, "DescribeInstances", "{}").await["Registries"][0];
    for (field, value) in [
        ("PayMod", json!(0)),
        ("ExpiredAt", json!("")),
        ("DeletionProtection", json!(false)),
        ("EnableCosMAZ", json!(false)),
        ("EnableCosVersioning", json!(false)),
        ("Status", json!("Running")),
    ] {
        assert_eq!(shown[field], value, "{field}: {shown}");
    }
}

#[actix_web::test]
async fn a_registry_is_made_only_in_a_region_of_the_table() {
    let h = Harness::with_config(unlimited_config());
    let app = h.app().await;
    let body = format!(r#"{{"RegistryName": "elsewhere-registry", {BASIC}}}"#);
    let r = in_region(&app, &ALICE, "ap-nowhere", "CreateInstance", &body).await;
    assert_eq!(code(&r), "InvalidParameter.UnsupportedRegion", "{r}");
    let r = in_region(&app, &ALICE, "", "CreateInstance", &body).await;
    assert_eq!(code(&r), "MissingParameter", "{r}");
    assert_eq!(registry_rows(&h), vec![]);
    for (region, id) in tcr_svc::regions::REGIONS {
        let r = in_region(
            &app,
            &ALICE,
            region,
            "CreateInstance",
            &format!(r#"{{"RegistryName": "r-{region}", {BASIC}}}"#),
        )
        .await;
        assert_eq!(code(&r), "", "{region}: {r}");
        let registry = r["RegistryId"].as_str().unwrap();
        let checked = act(
            &app,
            &ALICE,
            "CheckInstance",
            &json!({"RegistryId": registry}).to_string(),
        )
        .await;
        assert_eq!(checked["RegionId"], id, "{region}: {checked}");
    }
}

#[actix_web::test]
async fn a_registry_outside_the_table_shows_no_region_id() {
    let (h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "legacy-registry").await;
    // Made before regions were checked.
    diesel::update(registries::table.find(&registry))
        .set(registries::region.eq("ap-legacy"))
        .execute(&mut h.db.pool.get().unwrap())
        .unwrap();
    let all = act(&app, &ALICE, "DescribeInstances", r#"{"AllRegion": true}"#).await;
    assert_eq!(all["Registries"][0]["RegionName"], "ap-legacy");
    assert_eq!(all["Registries"][0]["RegionId"], Value::Null);
    let checked = act(
        &app,
        &ALICE,
        "CheckInstance",
        &json!({"RegistryId": registry}).to_string(),
    )
    .await;
    assert_eq!(checked["IsValidated"], true);
    assert_eq!(checked["RegionId"], Value::Null);
}

#[actix_web::test]
async fn delete_instance_refuses_to_promise_the_buckets_deletion() {
    let (h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "bucket-registry").await;
    let body = json!({"RegistryId": registry, "DeleteBucket": true}).to_string();
    let r = act(&app, &ALICE, "DeleteInstance", &body).await;
    assert_eq!(code(&r), "UnsupportedOperation", "{r}");
    assert_eq!(registry_rows(&h).len(), 1);
    let body = json!({"RegistryId": registry, "DeleteBucket": false}).to_string();
    let r = act(&app, &ALICE, "DeleteInstance", &body).await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(registry_rows(&h), vec![]);
}
