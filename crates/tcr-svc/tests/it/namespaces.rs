//! The namespace actions through the HTTP app: their wire shapes, every refusal's code,
//! the name held per registry service (tombstones included), and two accounts racing for
//! one name.

use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use tcr_svc::schema::namespaces;

use crate::common::*;

async fn act(app: &TestApp, key: &Key, action: &str, body: Value) -> Value {
    response(signed(app, key, action, &body.to_string())).await
}

/// An answer without its `RequestId`, and each listed namespace without the fields that
/// change from run to run (`CreationTime`, `NamespaceId`), which must be there.
fn shape(mut answer: Value) -> Value {
    let map = answer.as_object_mut().unwrap();
    map.remove("RequestId");
    if let Some(Value::Array(list)) = map.get_mut("NamespaceList") {
        for n in list {
            let n = n.as_object_mut().unwrap();
            let created = n.remove("CreationTime").unwrap();
            assert!(created.as_str().unwrap().ends_with("+00:00"), "{created}");
            if let Some(id) = n.remove("NamespaceId") {
                assert!(id.as_i64().is_some(), "{id}");
            }
        }
    }
    answer
}

#[actix_web::test]
async fn namespaces_are_created_listed_changed_and_deleted_with_the_vendors_shapes() {
    let h = Harness::with_config(unlimited_config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "ns-reg").await;
    let created = act(
        &app,
        &ALICE,
        "CreateNamespace",
        json!({
            "RegistryId": reg, "NamespaceName": "team-a", "IsPublic": false,
            "TagSpecification": {"ResourceType": "namespace", "Tags": [{"Key": "env", "Value": "prod"}]},
            "IsAutoScan": true, "IsPreventVUL": true, "Severity": "high",
            "CVEWhitelistItems": [{"CVEID": "CVE-2024-0001"}],
        }),
    )
    .await;
    assert_eq!(shape(created), json!({}));
    assert_eq!(create_namespace(&app, &MEMO, &reg, "pub.b", true).await, "");
    let listed = act(
        &app,
        &RITA,
        "DescribeNamespaces",
        json!({"RegistryId": reg}),
    )
    .await;
    let pub_b = json!({
        "Name": "pub.b", "Public": true,
        "TagSpecification": {"ResourceType": "namespace", "Tags": []},
        "Metadata": [], "CVEWhitelistItems": [],
        "AutoScan": false, "PreventVUL": false, "Severity": "",
    });
    let team_a = json!({
        "Name": "team-a", "Public": false,
        "TagSpecification": {"ResourceType": "namespace", "Tags": [{"Key": "env", "Value": "prod"}]},
        "Metadata": [], "CVEWhitelistItems": [{"CVEID": "CVE-2024-0001"}],
        "AutoScan": true, "PreventVUL": true, "Severity": "high",
    });
    assert_eq!(
        shape(listed),
        json!({"NamespaceList": [pub_b.clone(), team_a.clone()], "TotalCount": 2})
    );
    // The vendor's one filter: by tag, exactly ("key:value"); values ORed, filters ANDed.
    let tags = |values: &[&[&str]]| {
        let filters: Vec<Value> = values
            .iter()
            .map(|v| json!({"Name": "Tags", "Values": v}))
            .collect();
        json!({"RegistryId": reg, "Filters": filters})
    };
    for (body, names) in [
        (tags(&[&["env:prod"]]), vec!["team-a"]),
        (tags(&[&["env:prod", "x:y"]]), vec!["team-a"]),
        (tags(&[&["env:Prod"]]), vec![]),
        (tags(&[&["env:pro"]]), vec![]),
        (tags(&[&["env:prod"], &["x:y"]]), vec![]),
    ] {
        let r = act(&app, &ALICE, "DescribeNamespaces", body.clone()).await;
        let got: Vec<&str> = r["NamespaceList"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}: {r}"))
            .iter()
            .map(|n| n["Name"].as_str().unwrap())
            .collect();
        let total = names.len() as i64;
        assert_eq!(
            (got, r["TotalCount"].as_i64()),
            (names, Some(total)),
            "{body}"
        );
    }
    // Only what is sent changes.
    let modified = act(
        &app,
        &MEMO,
        "ModifyNamespace",
        json!({"RegistryId": reg, "NamespaceName": "team-a", "IsPublic": true, "Severity": "",
               "CVEWhitelistItems": [], "TagSpecification": {"Tags": []}}),
    )
    .await;
    assert_eq!(code(&modified), "", "{modified}");
    let one = act(
        &app,
        &ALICE,
        "DescribeNamespaces",
        json!({"RegistryId": reg, "NamespaceName": "team-a"}),
    )
    .await;
    let mut changed = team_a.clone();
    changed["Public"] = json!(true);
    changed["Severity"] = json!("");
    changed["CVEWhitelistItems"] = json!([]);
    changed["TagSpecification"]["Tags"] = json!([]);
    assert_eq!(
        shape(one),
        json!({"NamespaceList": [changed], "TotalCount": 1})
    );
    // Paging, All, and the KMS signature filter (no namespace here has one).
    for (body, names, total) in [
        (json!({"Limit": 1}), vec!["pub.b"], 2),
        (json!({"Limit": 1, "Offset": 1}), vec!["team-a"], 2),
        (json!({"Limit": 1, "All": true}), vec!["pub.b", "team-a"], 2),
        (json!({"KmsSignPolicy": true}), vec![], 0),
        (
            json!({"KmsSignPolicy": false, "Filters": []}),
            vec!["pub.b", "team-a"],
            2,
        ),
        (json!({"NamespaceName": "ghost"}), vec![], 0),
    ] {
        let mut body = body;
        body["RegistryId"] = json!(reg);
        let r = act(&app, &ALICE, "DescribeNamespaces", body.clone()).await;
        let got: Vec<&str> = r["NamespaceList"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}: {r}"))
            .iter()
            .map(|n| n["Name"].as_str().unwrap())
            .collect();
        assert_eq!(
            (got, r["TotalCount"].as_i64()),
            (names, Some(total)),
            "{body}"
        );
    }
    // Across the account's registries, and nothing of another account's.
    let reg2 = create_registry(&app, &ALICE, "ns-reg-two").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg2, "other", false).await,
        ""
    );
    let reg_b = create_registry(&app, &BOB, "ns-reg-of-b").await;
    assert_eq!(
        create_namespace(&app, &BOB, &reg_b, "bobs", false).await,
        ""
    );
    let all = act(&app, &RITA, "DescribeInstanceAllNamespaces", json!({})).await;
    let mut expected = vec![
        (reg.clone(), "pub.b"),
        (reg.clone(), "team-a"),
        (reg2.clone(), "other"),
    ];
    expected.sort();
    let got: Vec<(String, &str)> = all["NamespaceList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert!(n["CreationTime"].as_str().is_some(), "{n}");
            (
                n["RegistryId"].as_str().unwrap().to_string(),
                n["Namespace"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!((got, all["TotalCount"].as_i64()), (expected, Some(3)));
    let page = act(
        &app,
        &RITA,
        "DescribeInstanceAllNamespaces",
        json!({"Limit": 1, "Offset": 2}),
    )
    .await;
    assert_eq!(page["NamespaceList"].as_array().unwrap().len(), 1);
    // Deleted: gone from the lists, and a second delete finds nothing.
    let delete = json!({"RegistryId": reg, "NamespaceName": "pub.b"});
    assert_eq!(
        code(&act(&app, &MEMO, "DeleteNamespace", delete.clone()).await),
        ""
    );
    assert_eq!(
        code(&act(&app, &MEMO, "DeleteNamespace", delete).await),
        "ResourceNotFound"
    );
    let listed = act(
        &app,
        &ALICE,
        "DescribeNamespaces",
        json!({"RegistryId": reg}),
    )
    .await;
    assert_eq!(listed["TotalCount"], 1);
}

#[actix_web::test]
async fn bad_input_gets_the_vendors_codes_and_changes_nothing() {
    let h = Harness::with_config(unlimited_config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "bad-reg").await;
    let reg_b = create_registry(&app, &BOB, "bad-reg-of-b").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg, "kept", false).await,
        ""
    );
    let base = |extra: Value| {
        let mut body = json!({"RegistryId": reg, "NamespaceName": "fresh", "IsPublic": false});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let bad_name = "InvalidParameter.ErrorTcrInvalidParameter";
    let cases = [
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "a"})),
            bad_name,
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "-ab"})),
            bad_name,
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "a--b"})),
            bad_name,
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "Team"})),
            bad_name,
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "x".repeat(31)})),
            bad_name,
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": 7})),
            "InvalidParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": null})),
            "MissingParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"IsPublic": null})),
            "MissingParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"IsPublic": "yes"})),
            "InvalidParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"Severity": "critical"})),
            "InvalidParameterValue",
        ),
        (
            "CreateNamespace",
            base(json!({"Color": "red"})),
            "UnknownParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"TagSpecification": {"ResourceType": "instance", "Tags": []}})),
            "InvalidParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"TagSpecification": {"Tags": [{"Key": "k", "Value": "v", "X": 1}]}})),
            "InvalidParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"CVEWhitelistItems": [{"CVEID": ""}]})),
            "InvalidParameter",
        ),
        (
            "CreateNamespace",
            base(json!({"NamespaceName": "kept"})),
            "FailedOperation.ErrorTcrResourceConflict",
        ),
        (
            "CreateNamespace",
            base(json!({"RegistryId": reg_b})),
            "ResourceNotFound.TcrResourceNotFound",
        ),
        (
            "CreateNamespace",
            base(json!({"RegistryId": "tcr-nothere"})),
            "ResourceNotFound.TcrResourceNotFound",
        ),
        (
            "ModifyNamespace",
            json!({"RegistryId": reg, "NamespaceName": "ghost", "IsPublic": true}),
            "ResourceNotFound",
        ),
        (
            "ModifyNamespace",
            json!({"RegistryId": reg, "NamespaceName": "kept", "IsAutoScan": 1}),
            "InvalidParameter",
        ),
        (
            "DeleteNamespace",
            json!({"RegistryId": reg, "NamespaceName": "ghost"}),
            "ResourceNotFound",
        ),
        (
            "DeleteNamespace",
            json!({"RegistryId": reg, "NamespaceName": "kept", "Force": true}),
            "UnknownParameter",
        ),
        (
            "DescribeNamespaces",
            json!({"RegistryId": reg, "Filters": [{"Name": "Owner", "Values": ["me"]}]}),
            "InvalidParameterValue",
        ),
        (
            "DescribeNamespaces",
            json!({"RegistryId": reg, "Filters": [{"Name": "Tags", "Values": ["no-colon"]}]}),
            "InvalidParameter",
        ),
        (
            "DescribeNamespaces",
            json!({"RegistryId": reg, "Filters": "Tags"}),
            "InvalidParameter",
        ),
        (
            "DescribeNamespaces",
            json!({"RegistryId": reg, "Limit": 0}),
            "InvalidParameterValue",
        ),
        ("DescribeNamespaces", json!({}), "MissingParameter"),
        (
            "DescribeInstanceAllNamespaces",
            json!({"Offset": -1}),
            "InvalidParameterValue",
        ),
    ];
    let rows = |h: &Harness| {
        let mut conn = h.db.pool.get().unwrap();
        namespaces::table
            .select((
                namespaces::name,
                namespaces::public,
                namespaces::auto_scan,
                namespaces::deleted_at,
            ))
            .order(namespaces::name)
            .load::<(String, bool, bool, Option<chrono::NaiveDateTime>)>(&mut conn)
            .unwrap()
    };
    let before = rows(&h);
    for (action, body, want) in cases {
        let r = act(&app, &ALICE, action, body.clone()).await;
        assert_eq!(code(&r), want, "{action} {body}: {r}");
        assert!(!r["Error"]["Message"].as_str().unwrap().is_empty());
        assert_eq!(rows(&h), before, "{action} {body}");
    }
}

#[actix_web::test]
async fn a_name_is_held_per_registry_service_and_a_tombstone_only_by_its_registry() {
    let h = Harness::with_config(unlimited_config());
    let app = h.app().await;
    let reg_a = create_registry(&app, &ALICE, "held-reg-a").await;
    let reg_a2 = create_registry(&app, &ALICE, "held-reg-a-two").await;
    let reg_b = create_registry(&app, &BOB, "held-reg-b").await;
    let taken = "FailedOperation.ErrorTcrResourceConflict";
    assert_eq!(
        create_namespace(&app, &ALICE, &reg_a, "shared", false).await,
        ""
    );
    // Another account's registry, and another registry of the same account.
    assert_eq!(
        create_namespace(&app, &BOB, &reg_b, "shared", false).await,
        taken
    );
    assert_eq!(
        create_namespace(&app, &ALICE, &reg_a2, "shared", false).await,
        taken
    );
    let delete = json!({"RegistryId": reg_a, "NamespaceName": "shared"});
    assert_eq!(
        code(&act(&app, &ALICE, "DeleteNamespace", delete).await),
        ""
    );
    assert_eq!(
        create_namespace(&app, &BOB, &reg_b, "shared", true).await,
        taken
    );
    assert_eq!(
        create_namespace(&app, &ALICE, &reg_a2, "shared", true).await,
        taken
    );
    // Its own registry brings it back, as a new namespace with the settings sent now.
    let revive = json!({"RegistryId": reg_a, "NamespaceName": "shared", "IsPublic": true});
    assert_eq!(code(&act(&app, &MEMO, "CreateNamespace", revive).await), "");
    let listed = act(
        &app,
        &ALICE,
        "DescribeNamespaces",
        json!({"RegistryId": reg_a}),
    )
    .await;
    assert_eq!(listed["NamespaceList"][0]["Public"], true);
    assert_eq!(listed["TotalCount"], 1);
    // One row per name, however often it was deleted and brought back.
    let mut conn = h.db.pool.get().unwrap();
    let count: i64 = namespaces::table
        .filter(namespaces::name.eq("shared"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(count, 1);
}

#[actix_web::test]
async fn two_accounts_racing_for_one_name_leave_exactly_one_winner() {
    let h = Harness::shared_with(unlimited_config());
    let app = h.app().await;
    let reg_a = create_registry(&app, &ALICE, "race-reg-a").await;
    let reg_b = create_registry(&app, &BOB, "race-reg-b").await;
    for round in 0..8 {
        let name = format!("race-{round}");
        let attempts = (0..4).map(|n| {
            let (key, reg) = if n % 2 == 0 {
                (&ALICE, &reg_a)
            } else {
                (&BOB, &reg_b)
            };
            create_namespace(&app, key, reg, &name, false)
        });
        let codes = join_all(attempts).await;
        let won = codes.iter().filter(|c| c.is_empty()).count();
        assert_eq!(won, 1, "{name}: {codes:?}");
        assert!(
            codes
                .iter()
                .all(|c| c.is_empty() || c == "FailedOperation.ErrorTcrResourceConflict"),
            "{codes:?}"
        );
        let mut conn = h.db.pool.get().unwrap();
        let rows: i64 = namespaces::table
            .filter(namespaces::name.eq(&name))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(rows, 1, "{name}");
    }
}

#[actix_web::test]
async fn a_registry_deleted_while_namespaces_are_made_leaves_none_of_them_live() {
    let h = Harness::shared_with(unlimited_config());
    let app = h.app().await;
    for round in 0..4 {
        let reg = create_registry(&app, &ALICE, &format!("doomed-{round}")).await;
        let creates = (0..6).map(|n| {
            let (app, reg) = (&app, reg.clone());
            async move {
                let code =
                    create_namespace(app, &ALICE, &reg, &format!("r{round}-ns{n}"), false).await;
                assert!(
                    ["", "ResourceNotFound.TcrResourceNotFound"].contains(&code.as_str()),
                    "{code}"
                );
            }
        });
        let delete = async {
            let body = json!({ "RegistryId": reg });
            assert_eq!(code(&act(&app, &ALICE, "DeleteInstance", body).await), "");
        };
        futures_util::future::join(join_all(creates), delete).await;
        let mut conn = h.db.pool.get().unwrap();
        let live: i64 = namespaces::table
            .filter(namespaces::registry_id.eq(&reg))
            .filter(namespaces::deleted_at.is_null())
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(live, 0, "round {round}");
    }
}
