//! The seven actions: shapes, account isolation both ways, roles, storage.

use diesel::prelude::*;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn registries_are_created_described_and_deleted_per_account() {
    let (_h, app) = Harness::start().await;
    let a = create_registry(&app, &ALICE, "alpha-reg").await;
    assert!(a.starts_with("tcr-") && a.len() == 12, "{a}");
    let b = create_registry(&app, &BOB, "bravo-reg").await;

    let r = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(r["TotalCount"], 1);
    let reg = &r["Registries"][0];
    assert_eq!(reg["RegistryId"], a.as_str());
    assert_eq!(reg["RegistryName"], "alpha-reg");
    assert_eq!(reg["RegistryType"], "basic");
    assert_eq!(reg["Status"], "Running");
    assert_eq!(reg["RegionName"], "ap-guangzhou");
    assert_eq!(reg["RegionId"], 1);
    assert_eq!(reg["EnableAnonymous"], false);
    // Another account's registry does not exist from here, in either direction.
    let r = act(
        &app,
        &ALICE,
        "DescribeInstances",
        &format!(r#"{{"Registryids": ["{b}"]}}"#),
    )
    .await;
    assert_eq!(r["TotalCount"], 0);
    let r = act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{b}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "ResourceNotFound.TcrResourceNotFound");
    let r = act(
        &app,
        &BOB,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{a}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "ResourceNotFound.TcrResourceNotFound");
    let r = act(
        &app,
        &BOB,
        "DescribeInstanceToken",
        &format!(r#"{{"RegistryId": "{a}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "ResourceNotFound.TcrResourceNotFound");

    let dup = act(
        &app,
        &ALICE,
        "CreateInstance",
        r#"{"RegistryName": "alpha-reg", "RegistryType": "basic"}"#,
    )
    .await;
    assert_eq!(code(&dup), "InvalidParameter.ErrorNameExists");
    let r = act(
        &app,
        &ALICE,
        "DescribeInstances",
        r#"{"Filters": [{"Name": "RegistryName", "Values": ["alpha-reg", "x"]}]}"#,
    )
    .await;
    assert_eq!(r["TotalCount"], 1);
    let r = act(
        &app,
        &ALICE,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{a}", "DryRun": true}}"#),
    )
    .await;
    assert_eq!(code(&r), "");
    assert_eq!(
        act(&app, &ALICE, "DescribeInstances", "{}").await["TotalCount"],
        1,
        "a dry run deletes nothing"
    );
    let r = act(
        &app,
        &ALICE,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{a}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "");
    assert_eq!(
        act(&app, &ALICE, "DescribeInstances", "{}").await["TotalCount"],
        0
    );
}

#[actix_web::test]
async fn tokens_temp_and_longterm_listed_modified_deleted() {
    let (_h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "tokens-reg").await;
    let before = chrono::Utc::now().timestamp_millis();
    let temp = act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    assert_eq!(temp["Username"], "alice-id");
    assert!(temp["Token"].as_str().unwrap().starts_with("tcr_"));
    assert_eq!(temp["TokenId"], "");
    let exp = temp["ExpTime"].as_i64().unwrap();
    assert!(
        (exp - before - 3_600_000).abs() < 5_000,
        "temp tokens last an hour: {exp}"
    );

    let body = format!(r#"{{"RegistryId": "{reg}", "TokenType": "longterm", "Desc": "ci token"}}"#);
    let long = act(&app, &ALICE, "CreateInstanceToken", &body).await;
    let id = long["TokenId"].as_str().unwrap().to_string();
    assert!(!id.is_empty());
    act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}", "TokenType": "longterm"}}"#),
    )
    .await;

    let list = act(
        &app,
        &ALICE,
        "DescribeInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}", "Limit": 1}}"#),
    )
    .await;
    assert_eq!(list["TotalCount"], 2, "temp tokens are not listed");
    let t = &list["Tokens"][0];
    assert_eq!(t["Id"], id.as_str());
    assert_eq!(t["Desc"], "ci token");
    assert_eq!(t["Enabled"], true);
    assert_eq!(t["RegistryId"], reg.as_str());
    assert_eq!(t["ExpiredAt"], long["ExpTime"]);
    assert!(t["CreatedAt"].as_str().unwrap().ends_with("+00:00"));
    assert!(!list.to_string().contains("tcr_"), "no token in the list");

    let modify = |flag: &str| format!(r#"{{"TokenId": "{id}", "RegistryId": "{reg}", {flag}}}"#);
    assert_eq!(
        code(
            &act(
                &app,
                &ALICE,
                "ModifyInstanceToken",
                &modify(r#""ModifyFlag": 1, "Desc": "renamed""#)
            )
            .await
        ),
        ""
    );
    assert_eq!(
        code(
            &act(
                &app,
                &ALICE,
                "ModifyInstanceToken",
                &modify(r#""Enable": false"#)
            )
            .await
        ),
        ""
    );
    let list = act(
        &app,
        &ALICE,
        "DescribeInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    assert_eq!(
        (
            list["Tokens"][0]["Desc"].clone(),
            list["Tokens"][0]["Enabled"].clone()
        ),
        (json!("renamed"), json!(false))
    );
    assert_eq!(
        code(
            &act(
                &app,
                &ALICE,
                "ModifyInstanceToken",
                &modify(r#""ModifyFlag": 1"#)
            )
            .await
        ),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &act(
                &app,
                &ALICE,
                "ModifyInstanceToken",
                &modify(r#""ModifyFlag": 7"#)
            )
            .await
        ),
        "InvalidParameter"
    );

    let delete = format!(r#"{{"RegistryId": "{reg}", "TokenId": "{id}"}}"#);
    assert_eq!(
        code(&act(&app, &ALICE, "DeleteInstanceToken", &delete).await),
        ""
    );
    assert_eq!(
        code(&act(&app, &ALICE, "DeleteInstanceToken", &delete).await),
        "ResourceNotFound"
    );
    let bad_type = format!(r#"{{"RegistryId": "{reg}", "TokenType": "forever"}}"#);
    assert_eq!(
        code(&act(&app, &ALICE, "CreateInstanceToken", &bad_type).await),
        "InvalidParameter"
    );
}

#[actix_web::test]
async fn readonly_users_describe_but_do_not_change() {
    let (_h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "shared-reg").await;
    assert_eq!(
        act(&app, &RITA, "DescribeInstances", "{}").await["TotalCount"],
        1
    );
    let r = act(
        &app,
        &RITA,
        "CreateInstance",
        r#"{"RegistryName": "rita-reg", "RegistryType": "basic"}"#,
    )
    .await;
    assert_eq!(code(&r), "UnauthorizedOperation");
    let r = act(
        &app,
        &RITA,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "UnauthorizedOperation");
}

#[actix_web::test]
async fn tokens_are_stored_as_digests_only() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "digest-reg").await;
    let r = act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    let token = r["Token"].as_str().unwrap();
    let mut conn = h.db.pool.get().unwrap();
    let digests: Vec<String> = tcr_svc::schema::instance_tokens::table
        .select(tcr_svc::schema::instance_tokens::token_digest)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        digests,
        vec![credential_core::digest::sha256_hex(token.as_bytes())]
    );
}
