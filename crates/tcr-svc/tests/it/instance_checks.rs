//! DescribeInstanceStatus, CheckInstanceName and CheckInstance answer about the caller's
//! own account only: another account's registries and names are as if they did not
//! exist. Who may ask is the policy table's (policy_matrix); here, what each answer says.

use serde_json::{json, Value};

use crate::common::*;

#[actix_web::test]
async fn describe_instance_status_answers_for_the_callers_registries_only() {
    let (_h, app) = Harness::start().await;
    let first = create_registry(&app, &ALICE, "first-registry").await;
    let second = create_registry(&app, &ALICE, "second-registry").await;
    let theirs = create_registry(&app, &BOB, "their-registry").await;
    let status = |id: &str| json!({"RegistryId": id, "Status": "Running", "Conditions": []});
    let body = json!({"RegistryIds": [second, "tcr-unknown1", theirs, first]}).to_string();
    let r = act(&app, &ALICE, "DescribeInstanceStatus", &body).await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(
        r["RegistryStatusSet"],
        json!([status(&first), status(&second)])
    );
    // The same question from the other account sees its own registry only.
    let r = act(&app, &BOB, "DescribeInstanceStatus", &body).await;
    assert_eq!(r["RegistryStatusSet"], json!([status(&theirs)]));
    let r = act(
        &app,
        &RITA,
        "DescribeInstanceStatus",
        r#"{"RegistryIds": []}"#,
    )
    .await;
    assert_eq!(r["RegistryStatusSet"], json!([]), "{r}");
}

#[actix_web::test]
async fn describe_instance_status_refuses_bad_input() {
    let (_h, app) = Harness::start().await;
    let many: Vec<String> = (0..101).map(|i| format!("tcr-{i:08}")).collect();
    for (body, want) in [
        ("{}".to_string(), "MissingParameter"),
        (r#"{"RegistryIds": "tcr-abc"}"#.into(), "InvalidParameter"),
        (r#"{"RegistryIds": [1]}"#.into(), "InvalidParameter"),
        (
            r#"{"RegistryIds": [], "Limit": 1}"#.into(),
            "UnknownParameter",
        ),
        (
            json!({"RegistryIds": many}).to_string(),
            "InvalidParameterValue",
        ),
    ] {
        let r = act(&app, &ALICE, "DescribeInstanceStatus", &body).await;
        assert_eq!(code(&r), want, "{body}: {r}");
    }
}

/// `CheckInstanceName` of `name` as `key`: `(IsValidated, DetailCode)`.
async fn check_name(app: &TestApp, key: &Key, name: &str) -> (Value, Value) {
    let r = act(
        app,
        key,
        "CheckInstanceName",
        &json!({"RegistryName": name}).to_string(),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    (r["IsValidated"].clone(), r["DetailCode"].clone())
}

#[actix_web::test]
async fn check_instance_name_says_why_create_instance_would_refuse_a_name() {
    let (_h, app) = Harness::start().await;
    create_registry(&app, &ALICE, "taken-registry").await;
    let free = (json!(true), Value::Null);
    let illegal = (json!(false), json!(1));
    let existed = (json!(false), json!(3));
    for (name, want) in [
        ("free-registry", &free),
        ("taken-registry", &existed),
        ("abcd", &illegal),
        ("Upper-case", &illegal),
        ("ends-with-", &illegal),
        ("two--dashes", &illegal),
        ("", &illegal),
    ] {
        assert_eq!(&check_name(&app, &ALICE, name).await, want, "{name}");
        assert_eq!(
            &check_name(&app, &RITA, name).await,
            want,
            "{name}, read-only"
        );
    }
    // Another account may take the name: it is free there.
    assert_eq!(check_name(&app, &BOB, "taken-registry").await, free);
    let r = act(
        &app,
        &BOB,
        "CreateInstance",
        r#"{"RegistryName": "taken-registry", "RegistryType": "basic"}"#,
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    let r = act(&app, &ALICE, "CheckInstanceName", "{}").await;
    assert_eq!(code(&r), "MissingParameter", "{r}");
    let r = act(&app, &ALICE, "CheckInstanceName", r#"{"RegistryName": 5}"#).await;
    assert_eq!(code(&r), "InvalidParameter", "{r}");
}

#[actix_web::test]
async fn check_instance_validates_the_callers_registries_only() {
    let (_h, app) = Harness::start().await;
    let mine = create_registry(&app, &ALICE, "mine-registry").await;
    let check = |key: Key, id: String| {
        let app = &app;
        async move {
            let r = act(
                app,
                &key,
                "CheckInstance",
                &json!({"RegistryId": id}).to_string(),
            )
            .await;
            assert_eq!(code(&r), "", "{r}");
            (r["IsValidated"].clone(), r["RegionId"].clone())
        }
    };
    assert_eq!(check(ALICE, mine.clone()).await, (json!(true), json!(1)));
    assert_eq!(check(RITA, mine.clone()).await, (json!(true), json!(1)));
    assert_eq!(
        check(ALICE_TEMP, mine.clone()).await,
        (json!(true), json!(1))
    );
    assert_eq!(check(BOB, mine.clone()).await, (json!(false), Value::Null));
    assert_eq!(
        check(ALICE, "tcr-unknown1".into()).await,
        (json!(false), Value::Null)
    );
    let r = act(
        &app,
        &ALICE,
        "DeleteInstance",
        &json!({"RegistryId": mine}).to_string(),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(check(ALICE, mine).await, (json!(false), Value::Null));
    let r = act(&app, &ALICE, "CheckInstance", "{}").await;
    assert_eq!(code(&r), "MissingParameter", "{r}");
}

#[actix_web::test]
async fn a_session_policy_decides_the_checks_by_their_own_names() {
    use credential_core::session_policy::SessionPolicy;
    let (h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "policy-registry").await;
    let policy = SessionPolicy::parse(
        &json!({ "Version": "1.1", "Statement": [
            { "Effect": "Allow", "Action": ["tcr:Describe*", "tcr:CheckInstanceName"] }
        ] }),
        service_kit::policy::ACTIONS,
    )
    .unwrap();
    h.set_session_policy(Some(policy));
    let ids = json!({"RegistryIds": [registry]}).to_string();
    let r = act(&app, &ALICE_TEMP, "DescribeInstanceStatus", &ids).await;
    assert_eq!(code(&r), "", "{r}");
    let r = act(
        &app,
        &ALICE_TEMP,
        "CheckInstanceName",
        r#"{"RegistryName": "other-name"}"#,
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    let r = act(
        &app,
        &ALICE_TEMP,
        "CheckInstance",
        &json!({"RegistryId": registry}).to_string(),
    )
    .await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
}
