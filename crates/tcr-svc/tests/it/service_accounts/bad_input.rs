//! Bad input of every kind gets Tencent's envelope with its code, and changes nothing.

use super::*;

const PULL_CI: &str = r#"[{"Resource": "ci", "Actions": ["tcr:PullRepository"]}]"#;

#[actix_web::test]
async fn every_bad_request_gets_its_code_and_changes_nothing() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-bad").await;
    let foreign = create_registry(&app, &BOB, "sa-bad-b").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    add_namespace(&app, &BOB, &foreign, "theirs").await;
    create_account(&app, &reg, "exists", PULL_CI, "").await;
    let create = |fields: &str| format!(r#"{{"RegistryId": "{reg}", "Name": "fresh"{fields}}}"#);
    let with_perms = |fields: &str| create(&format!(r#", "Permissions": {PULL_CI}{fields}"#));
    let perms = |p: &str| create(&format!(r#", "Permissions": {p}"#));
    let named = |name: &str, fields: &str| {
        format!(r#"{{"RegistryId": "{reg}", "Name": "{name}"{fields}}}"#)
    };
    let far = chrono::Utc::now().timestamp_millis() + 200 * 365 * 86_400_000;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "CreateServiceAccount",
            r#"{"Name": "x", "Permissions": []}"#.into(),
            "MissingParameter",
        ),
        ("CreateServiceAccount", create(""), "MissingParameter"),
        (
            "CreateServiceAccount",
            format!(r#"{{"RegistryId": "{reg}", "Permissions": {PULL_CI}}}"#),
            "MissingParameter",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Colour": "red""#),
            "UnknownParameter",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Password": "Passw0rdX""#),
            "UnknownParameter",
        ),
        (
            "CreateServiceAccount",
            format!(r#"{{"RegistryId": "tcr-nothere", "Name": "x", "Permissions": {PULL_CI}}}"#),
            "ResourceNotFound.TcrResourceNotFound",
        ),
        (
            "CreateServiceAccount",
            format!(r#"{{"RegistryId": "{foreign}", "Name": "x", "Permissions": {PULL_CI}}}"#),
            "ResourceNotFound.TcrResourceNotFound",
        ),
        (
            "CreateServiceAccount",
            named("Upper", &format!(r#", "Permissions": {PULL_CI}"#)),
            "InvalidParameter.ErrorNameIllegal",
        ),
        (
            "CreateServiceAccount",
            named("a$b", &format!(r#", "Permissions": {PULL_CI}"#)),
            "InvalidParameter.ErrorNameIllegal",
        ),
        (
            "CreateServiceAccount",
            named(&"a".repeat(61), &format!(r#", "Permissions": {PULL_CI}"#)),
            "InvalidParameter.ErrorNameIllegal",
        ),
        (
            "CreateServiceAccount",
            named("", &format!(r#", "Permissions": {PULL_CI}"#)),
            "InvalidParameter.ErrorNameIllegal",
        ),
        (
            "CreateServiceAccount",
            named("tcr$exists", &format!(r#", "Permissions": {PULL_CI}"#)),
            "InvalidParameter.ErrorNameExists",
        ),
        (
            "CreateServiceAccount",
            r#"{"RegistryId": 7, "Name": "x", "Permissions": []}"#.into(),
            "InvalidParameter",
        ),
        ("CreateServiceAccount", perms("[]"), "InvalidParameter"),
        ("CreateServiceAccount", perms(r#""ci""#), "InvalidParameter"),
        (
            "CreateServiceAccount",
            perms(r#"[{"Resource": "ci", "Actions": []}]"#),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            perms(r#"[{"Resource": "ci", "Actions": ["pull"]}]"#),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            perms(r#"[{"Resource": "ci", "Actions": ["tcr:PullRepository"], "Path": "/"}]"#),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            perms(
                r#"[{"Resource": "ci", "Actions": ["tcr:PullRepository"]}, {"Resource": "ci", "Actions": ["tcr:PushRepository"]}]"#,
            ),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            perms(r#"[{"Resource": "nope", "Actions": ["tcr:PullRepository"]}]"#),
            "ResourceNotFound.ErrNoNamespace",
        ),
        // Another registry's namespace is not this registry's.
        (
            "CreateServiceAccount",
            perms(r#"[{"Resource": "theirs", "Actions": ["tcr:PullRepository"]}]"#),
            "ResourceNotFound.ErrNoNamespace",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Duration": 0"#),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Duration": -5"#),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Duration": -1"#),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Duration": 9223372036854775807"#),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Duration": 1.5"#),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "ExpiresAt": 1000"#),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(&format!(r#", "ExpiresAt": {far}"#)),
            "InvalidParameterValue",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Disable": "yes""#),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            with_perms(&format!(r#", "Description": "{}""#, "d".repeat(256))),
            "InvalidParameter",
        ),
        (
            "CreateServiceAccount",
            with_perms(r#", "Description": "line\nbreak""#),
            "InvalidParameter",
        ),
        ("DescribeServiceAccounts", "{}".into(), "MissingParameter"),
        (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{reg}", "Limit": 0}}"#),
            "InvalidParameterValue",
        ),
        (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{reg}", "Offset": -1}}"#),
            "InvalidParameterValue",
        ),
        (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{reg}", "All": true, "Limit": 5}}"#),
            "InvalidParameter",
        ),
        (
            "DescribeServiceAccounts",
            format!(
                r#"{{"RegistryId": "{reg}", "Filters": [{{"Name": "Disable", "Values": ["x"]}}]}}"#
            ),
            "InvalidParameterValue",
        ),
        (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{reg}", "Filters": {{"Name": "x"}}}}"#),
            "InvalidParameter",
        ),
        (
            "DescribeServiceAccounts",
            format!(
                r#"{{"RegistryId": "{reg}", "Filters": [{{"Name": "ServiceAccountName", "Values": [1]}}]}}"#
            ),
            "InvalidParameter",
        ),
        (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{reg}", "Sort": "name"}}"#),
            "UnknownParameter",
        ),
        (
            "ModifyServiceAccount",
            named("ghost", r#", "Disable": true"#),
            "ResourceNotFound",
        ),
        (
            "ModifyServiceAccount",
            named("exists", r#", "Permissions": []"#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccount",
            named(
                "exists",
                r#", "Permissions": [{"Resource": "nope", "Actions": ["tcr:PullRepository"]}]"#,
            ),
            "ResourceNotFound.ErrNoNamespace",
        ),
        (
            "ModifyServiceAccount",
            named("exists", r#", "Duration": 0"#),
            "InvalidParameterValue",
        ),
        (
            "ModifyServiceAccount",
            named("exists", r#", "Random": true"#),
            "UnknownParameter",
        ),
        (
            "ModifyServiceAccount",
            named("BAD", r#", "Disable": true"#),
            "InvalidParameter.ErrorNameIllegal",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", ""),
            "MissingParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Random": true, "Password": "Passw0rdX""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "short1A""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "nouppercase1""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "NOLOWERCASE1""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "NoDigitsHere""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "Far2LongPassword12345""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Password": "Spa ce123""#),
            "InvalidParameter",
        ),
        (
            "ModifyServiceAccountPassword",
            named("ghost", r#", "Random": true"#),
            "ResourceNotFound",
        ),
        (
            "ModifyServiceAccountPassword",
            named("exists", r#", "Random": "true""#),
            "InvalidParameter",
        ),
        (
            "DeleteServiceAccount",
            named("ghost", ""),
            "ResourceNotFound",
        ),
        (
            "DeleteServiceAccount",
            format!(r#"{{"RegistryId": "{foreign}", "Name": "exists"}}"#),
            "ResourceNotFound.TcrResourceNotFound",
        ),
        (
            "DeleteServiceAccount",
            named("exists", r#", "Force": true"#),
            "UnknownParameter",
        ),
    ];
    let before = stored_accounts(&h);
    for (action, body, want) in cases {
        let r = act(&app, &ALICE, action, &body).await;
        assert_eq!(code(&r), want, "{action} {body}: {r}");
        assert!(r["Error"]["Message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(
            !r.to_string().contains("Passw0rdX"),
            "a password in an answer: {r}"
        );
        assert_eq!(
            stored_accounts(&h),
            before,
            "{action} {body} changed the table"
        );
    }
}
