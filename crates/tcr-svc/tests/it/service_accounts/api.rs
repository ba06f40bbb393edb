//! The five actions as the SDK calls them, the answers field by field, and the one name
//! per registry service under concurrent creates.

use futures_util::future::join_all;
use serde_json::json;

use super::*;

const PUSH_CI: &str =
    r#"[{"Resource": "ci", "Actions": ["tcr:PushRepository", "tcr:PullRepository"]}]"#;

/// `2026-12-02T10:00:00+00:00`: Tencent's time format.
fn is_tencent_time(v: &Value) -> bool {
    v.as_str().is_some_and(|t| {
        t.len() == 25 && t.ends_with("+00:00") && chrono::DateTime::parse_from_rfc3339(t).is_ok()
    })
}

#[actix_web::test]
async fn create_describe_modify_change_the_password_and_delete() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-reg").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    add_namespace(&app, &ALICE, &reg, "base").await;
    let before = chrono::Utc::now().timestamp_millis();
    let created = create_account(
        &app,
        &reg,
        "builder",
        PUSH_CI,
        r#", "Description": "CI", "Duration": 10"#,
    )
    .await;
    assert_eq!(created["Name"], "tcr$builder");
    let password = created["Password"].as_str().unwrap();
    assert_eq!(password.len(), 32);
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
    let expires = created["ExpiresAt"].as_i64().unwrap();
    let ten_days = 10 * 86_400_000;
    assert!(
        (before + ten_days - 1000..=before + ten_days + 5000).contains(&expires),
        "{created}"
    );
    assert!(is_tencent_time(&created["CreateTime"]), "{created}");

    let list = |embed: bool| format!(r#"{{"RegistryId": "{reg}", "EmbedPermission": {embed}}}"#);
    let r = act(&app, &RITA, "DescribeServiceAccounts", &list(true)).await;
    assert_eq!(r["TotalCount"], 1, "{r}");
    let account = &r["ServiceAccounts"][0];
    assert_eq!(account["Name"], "tcr$builder");
    assert_eq!(account["Description"], "CI");
    assert_eq!(account["Disable"], false);
    assert_eq!(account["ExpiresAt"], expires);
    assert_eq!(account["CreateTime"], created["CreateTime"]);
    assert!(is_tencent_time(&account["UpdateTime"]));
    assert_eq!(
        account["Permissions"],
        serde_json::from_str::<Value>(PUSH_CI).unwrap()
    );
    let r = act(&app, &RITA, "DescribeServiceAccounts", &list(false)).await;
    assert_eq!(r["ServiceAccounts"][0]["Permissions"], Value::Null, "{r}");

    // Terraform modifies with the prefix; ExpiresAt -1 is "never".
    let modify = format!(
        r#"{{"RegistryId": "{reg}", "Name": "tcr$builder", "Description": "nightly", "ExpiresAt": -1, "Disable": true, "Permissions": [{{"Resource": "base", "Actions": ["tcr:PullRepository"]}}]}}"#
    );
    let r = act(&app, &ALICE, "ModifyServiceAccount", &modify).await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(r.as_object().unwrap().len(), 1, "only RequestId: {r}");
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &list(true)).await;
    let account = &r["ServiceAccounts"][0];
    assert_eq!(account["Description"], "nightly");
    assert_eq!(account["ExpiresAt"], -1);
    assert_eq!(account["Disable"], true);
    assert_eq!(
        account["Permissions"],
        json!([{"Resource": "base", "Actions": ["tcr:PullRepository"]}])
    );

    // A new random password, then a chosen one; each is shown once, in the answer.
    let random = format!(r#"{{"RegistryId": "{reg}", "Name": "builder", "Random": true}}"#);
    let r = act(&app, &ALICE, "ModifyServiceAccountPassword", &random).await;
    let new = r["Password"].as_str().unwrap();
    assert_eq!(new.len(), 32);
    assert_ne!(new, password);
    let chosen = format!(
        r#"{{"RegistryId": "{reg}", "Name": "builder", "Random": false, "Password": "Passw0rdX"}}"#
    );
    let r = act(&app, &ALICE, "ModifyServiceAccountPassword", &chosen).await;
    assert_eq!(r["Password"], "Passw0rdX", "{r}");

    let delete = format!(r#"{{"RegistryId": "{reg}", "Name": "tcr$builder"}}"#);
    let r = act(&app, &ALICE, "DeleteServiceAccount", &delete).await;
    assert_eq!(code(&r), "", "{r}");
    let r = act(&app, &ALICE, "DeleteServiceAccount", &delete).await;
    assert_eq!(code(&r), "ResourceNotFound", "{r}");
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &list(false)).await;
    assert_eq!(
        (r["TotalCount"].clone(), r["ServiceAccounts"].clone()),
        (json!(0), json!([]))
    );
}

#[actix_web::test]
async fn never_expiring_and_disabled_at_birth() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-birth").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    let r = create_account(&app, &reg, "plain", PUSH_CI, "").await;
    assert_eq!(r["ExpiresAt"], -1);
    let at = chrono::Utc::now().timestamp_millis() + 3_600_000;
    let r = create_account(
        &app,
        &reg,
        "dated",
        PUSH_CI,
        &format!(r#", "ExpiresAt": {at}, "Disable": true"#),
    )
    .await;
    assert_eq!(r["ExpiresAt"], at);
    let body = format!(
        r#"{{"RegistryId": "{reg}", "Filters": [{{"Name": "ServiceAccountName", "Values": ["dated"]}}]}}"#
    );
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &body).await;
    assert_eq!(r["TotalCount"], 1, "{r}");
    assert_eq!(r["ServiceAccounts"][0]["Disable"], true);
    assert_eq!(r["ServiceAccounts"][0]["ExpiresAt"], at);
}

#[actix_web::test]
async fn describe_pages_filters_and_lists_all() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-pages").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    for n in 0..25 {
        create_account(&app, &reg, &format!("bot-{n:02}"), PUSH_CI, "").await;
    }
    let names = |r: &Value| -> Vec<String> {
        r["ServiceAccounts"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|a| a["Name"].as_str().unwrap().to_string())
            .collect()
    };
    let describe = |extra: &str| format!(r#"{{"RegistryId": "{reg}"{extra}}}"#);
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &describe("")).await;
    assert_eq!((r["TotalCount"].as_i64(), names(&r).len()), (Some(25), 20));
    assert_eq!(names(&r)[0], "tcr$bot-00");
    let r = act(
        &app,
        &ALICE,
        "DescribeServiceAccounts",
        &describe(r#", "Offset": 20, "Limit": 3"#),
    )
    .await;
    assert_eq!(names(&r), ["tcr$bot-20", "tcr$bot-21", "tcr$bot-22"]);
    // A Limit above 100 is lowered to 100, as Tencent does.
    let r = act(
        &app,
        &ALICE,
        "DescribeServiceAccounts",
        &describe(r#", "Limit": 1000"#),
    )
    .await;
    assert_eq!(names(&r).len(), 25, "{r}");
    let r = act(
        &app,
        &ALICE,
        "DescribeServiceAccounts",
        &describe(r#", "All": true, "Offset": 24"#),
    )
    .await;
    assert_eq!(names(&r), ["tcr$bot-24"]);
    let filters = r#", "Filters": [{"Name": "ServiceAccountName", "Values": ["bot-03", "tcr$bot-07", "ghost"]}]"#;
    let r = act(&app, &ALICE, "DescribeServiceAccounts", &describe(filters)).await;
    assert_eq!(
        (names(&r), r["TotalCount"].clone()),
        (
            vec!["tcr$bot-03".to_string(), "tcr$bot-07".to_string()],
            json!(2)
        )
    );
    // Another account does not see the registry.
    let r = act(&app, &BOB, "DescribeServiceAccounts", &describe("")).await;
    assert_eq!(code(&r), "ResourceNotFound.TcrResourceNotFound");
}

/// The login name says which registry it belongs to: one per registry service, even when
/// registries of several accounts race for it.
#[actix_web::test]
async fn a_name_is_taken_once_per_registry_service_under_concurrent_creates() {
    let h = Harness::shared_with(config());
    let app = h.app().await;
    let mine = create_registry(&app, &ALICE, "sa-race-a").await;
    let theirs = create_registry(&app, &BOB, "sa-race-b").await;
    add_namespace(&app, &ALICE, &mine, "ci").await;
    add_namespace(&app, &BOB, &theirs, "ci-b").await;
    let answers = join_all((0..12).map(|n| {
        let app = &app;
        let (key, body) = if n % 2 == 0 {
            (
                &ALICE,
                format!(r#"{{"RegistryId": "{mine}", "Name": "racer", "Permissions": {PUSH_CI}}}"#),
            )
        } else {
            let perms = r#"[{"Resource": "ci-b", "Actions": ["tcr:PullRepository"]}]"#;
            (
                &BEA,
                format!(
                    r#"{{"RegistryId": "{theirs}", "Name": "tcr$racer", "Permissions": {perms}}}"#
                ),
            )
        };
        async move { act(app, key, "CreateServiceAccount", &body).await }
    }))
    .await;
    let codes: Vec<String> = answers.iter().map(code).collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_empty()).count(),
        1,
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| c.is_empty() || c == "InvalidParameter.ErrorNameExists"),
        "{codes:?}"
    );
    assert_eq!(stored_accounts(&h).len(), 1);
}

#[actix_web::test]
async fn passwords_are_stored_only_as_tagged_digests() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-digest").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    let created = create_account(&app, &reg, "keeper", PUSH_CI, "").await;
    let random = created["Password"].as_str().unwrap();
    let digest = digest_of(&h, "tcr$keeper");
    assert!(digest.starts_with("sha256$"), "{digest}");
    let chosen = format!(r#"{{"RegistryId": "{reg}", "Name": "keeper", "Password": "Chosen123"}}"#);
    act(&app, &ALICE, "ModifyServiceAccountPassword", &chosen).await;
    let digest = digest_of(&h, "tcr$keeper");
    assert!(digest.starts_with("pbkdf2-sha256$1000$"), "{digest}");
    let everything = format!("{:?}", stored_accounts(&h));
    for secret in [random, "Chosen123"] {
        assert!(
            !everything.contains(secret),
            "{secret} stored in plain text"
        );
    }
}

/// Deleting the registry deletes its accounts (a foreign key that cascades).
#[actix_web::test]
async fn a_deleted_registry_takes_its_accounts_along() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-gone").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    create_account(&app, &reg, "orphan", PUSH_CI, "").await;
    let r = act(
        &app,
        &ALICE,
        "DeleteInstance",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    assert!(stored_accounts(&h).is_empty());
}
