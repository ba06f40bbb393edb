//! Input out of the document's bounds that once reached the database: each gets a
//! parameter error in the envelope and changes nothing, never `InternalError` (PostgreSQL
//! refuses NUL in text and text longer than its column, where SQLite stores anything).
//! And filters refuse a field they do not read, as the document says.

use crate::common::*;

#[actix_web::test]
async fn a_region_longer_than_its_column_or_not_a_region_name_is_refused_by_every_action() {
    let (_h, app) = Harness::start().await;
    let body = r#"{"RegistryName": "edge-registry", "RegistryType": "basic"}"#;
    // "\u{84}" goes out as the bytes C2 84, which HTTP carries but which are not text:
    // schemathesis found such a region read as none and the request served.
    for region in [
        "a".repeat(65),
        "ap guangzhou".into(),
        "AP-GUANGZHOU".into(),
        "\u{84}".into(),
        "ap-\u{e9}".into(),
    ] {
        let call =
            signed(&app, &ALICE, "CreateInstance", body).header("X-TC-Region", region.clone());
        let r = response(call).await;
        assert_eq!(code(&r), "InvalidParameterValue", "{region}: {r}");
    }
    let listed = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(listed["TotalCount"], 0, "{listed}");
    // The document has one X-TC-Region for every action: every action holds to it.
    for region in ["AP", "\u{84}"] {
        let elsewhere =
            signed(&app, &ALICE, "DescribeInstances", "{}").header("X-TC-Region", region);
        assert_eq!(code(&response(elsewhere).await), "InvalidParameterValue");
    }
    // A region name of the longest shape is no region a registry is made in, but another
    // action takes it.
    let longest =
        signed(&app, &ALICE, "CreateInstance", body).header("X-TC-Region", "a".repeat(64));
    assert_eq!(
        code(&response(longest).await),
        "InvalidParameter.UnsupportedRegion"
    );
    let listed =
        signed(&app, &ALICE, "DescribeInstances", "{}").header("X-TC-Region", "a".repeat(64));
    assert_eq!(code(&response(listed).await), "");
}

#[actix_web::test]
async fn nul_anywhere_in_the_parameters_is_refused_before_the_database() {
    let (_h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "edge-registry").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &registry, "team-a", false).await,
        ""
    );
    let cases = [
        (
            "DescribeInstances",
            r#"{"Registryids": ["a\u0000b"]}"#.to_string(),
        ),
        (
            "DescribeInstances",
            r#"{"Filters": [{"Name": "RegistryName", "Values": ["a\u0000b"]}]}"#.to_string(),
        ),
        (
            "DescribeServiceAccounts",
            format!(
                r#"{{"RegistryId": "{registry}", "Filters": [{{"Name": "ServiceAccountName", "Values": ["a\u0000b"]}}]}}"#
            ),
        ),
        (
            "CreateServiceAccount",
            format!(
                r#"{{"RegistryId": "{registry}", "Name": "bot", "Permissions": [{{"Resource": "a\u0000b", "Actions": ["tcr:PullRepository"]}}]}}"#
            ),
        ),
    ];
    for (action, body) in cases {
        let r = act(&app, &ALICE, action, &body).await;
        assert_eq!(code(&r), "InvalidParameterValue", "{action} {body}: {r}");
    }
    let accounts = act(
        &app,
        &ALICE,
        "DescribeServiceAccounts",
        &format!(r#"{{"RegistryId": "{registry}"}}"#),
    )
    .await;
    assert_eq!(accounts["TotalCount"], 0, "{accounts}");
}

#[actix_web::test]
async fn a_filter_field_nobody_reads_is_refused() {
    let (_h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "edge-registry").await;
    let instances = r#"{"Filters": [{"Name": "RegistryName", "Values": ["x"], "Extra": 1}]}"#;
    let r = act(&app, &ALICE, "DescribeInstances", instances).await;
    assert_eq!(code(&r), "InvalidParameter", "{r}");
    let accounts = format!(
        r#"{{"RegistryId": "{registry}", "Filters": [{{"Name": "ServiceAccountName", "Values": ["a"], "Extra": 1}}]}}"#
    );
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &accounts).await;
    assert_eq!(code(&r), "InvalidParameter", "{r}");
}
