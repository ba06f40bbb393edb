//! Registry logins as a service account through `/service/token`: exactly the actions its
//! permissions map to, in its own registry's listed namespaces and nowhere else, and a
//! disabled, expired, deleted or re-passworded account refused at once.

use base64::Engine as _;
use diesel::prelude::*;
use serde_json::json;
use tcr_svc::schema::service_accounts;

use super::*;

/// Status and the actions granted per scope (or the body, when refused).
async fn login(
    app: &TestApp,
    service: &str,
    user: &str,
    password: &str,
    scopes: &[&str],
) -> (u16, Value) {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let query: String = scopes
        .iter()
        .map(|s| {
            format!(
                "&scope={}",
                s.replace(':', "%3A")
                    .replace('/', "%2F")
                    .replace(',', "%2C")
            )
        })
        .collect();
    let req = app
        .get(&format!("/service/token?service={service}{query}"))
        .header("Authorization", format!("Basic {basic}"));
    let res = req.await;
    let status = res.status().as_u16();
    let body: Value = serde_json::from_slice(res.bytes()).unwrap();
    if status != 200 {
        return (status, body);
    }
    let payload = body["token"].as_str().unwrap().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], user);
    let actions = claims["access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["actions"].clone())
        .collect();
    (status, Value::Array(actions))
}

const ONE: &[&str] = &["repository:ci/app:pull,push"];

#[actix_web::test]
async fn a_login_gets_exactly_its_listed_actions_in_its_own_namespaces() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-login").await;
    let foreign = create_registry(&app, &BOB, "sa-login-b").await;
    for ns in ["ci", "base", "charts", "prod", "made"] {
        add_namespace(&app, &ALICE, &reg, ns).await;
    }
    add_namespace(&app, &BOB, &foreign, "theirs").await;
    let permissions = r#"[
        {"Resource": "ci", "Actions": ["tcr:PushRepository"]},
        {"Resource": "base", "Actions": ["tcr:PullRepository"]},
        {"Resource": "charts", "Actions": ["tcr:CreateHelmChart", "tcr:DescribeHelmCharts"]},
        {"Resource": "made", "Actions": ["tcr:CreateRepository"]}
    ]"#;
    let created = create_account(&app, &reg, "scoped", permissions, "").await;
    let password = created["Password"].as_str().unwrap();
    let asked = [
        "repository:ci/app:pull,push,delete,*",
        "repository:base/app:push,pull",
        "repository:charts/app:pull,push",
        "repository:made/app:pull,push",
        "repository:prod/app:pull",
        "repository:theirs/app:pull,push",
        "repository:ghost/app:pull",
        "registry:catalog:*",
    ];
    let (status, granted) = login(&app, SERVICE, "tcr$scoped", password, &asked).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(
        granted,
        json!([["pull", "push"], ["pull"], [], [], [], [], [], []])
    );
    // The other account's robot gets nothing in this registry either.
    let r = act(&app, &BEA, "CreateServiceAccount", &format!(
        r#"{{"RegistryId": "{foreign}", "Name": "other", "Permissions": [{{"Resource": "theirs", "Actions": ["tcr:PushRepository"]}}]}}"#
    )).await;
    let (status, granted) = login(
        &app,
        SERVICE,
        "tcr$other",
        r["Password"].as_str().unwrap(),
        &["repository:ci/app:pull", "repository:theirs/app:push"],
    )
    .await;
    assert_eq!((status, granted), (200, json!([[], ["push"]])));
    // A namespace deleted since grants nothing, though the permission still names it.
    let delete = format!(r#"{{"RegistryId": "{reg}", "NamespaceName": "base"}}"#);
    assert_eq!(
        code(&act(&app, &ALICE, "DeleteNamespace", &delete).await),
        ""
    );
    let (status, granted) = login(&app, SERVICE, "tcr$scoped", password, &asked[..2]).await;
    assert_eq!((status, granted), (200, json!([["pull", "push"], []])));
}

#[actix_web::test]
async fn disabled_expired_deleted_and_wrong_passwords_are_refused_at_once() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-refuse").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    let created = create_account(
        &app,
        &reg,
        "robot",
        r#"[{"Resource": "ci", "Actions": ["tcr:PushRepository"]}]"#,
        "",
    )
    .await;
    let password = created["Password"].as_str().unwrap().to_string();
    let ok = (200, json!([["pull", "push"]]));
    assert_eq!(login(&app, SERVICE, "tcr$robot", &password, ONE).await, ok);

    let refused = |r: (u16, Value)| {
        assert_eq!(r.0, 401, "{}", r.1);
        assert_eq!(r.1["errors"][0]["code"], "UNAUTHORIZED");
    };
    refused(login(&app, SERVICE, "tcr$robot", "Wrong-password-1", ONE).await);
    refused(login(&app, SERVICE, "tcr$robot", &password.to_uppercase(), ONE).await);
    refused(login(&app, SERVICE, "tcr$nobody", &password, ONE).await);
    refused(login(&app, "other-registry", "tcr$robot", &password, ONE).await);

    let modify = |fields: &str| format!(r#"{{"RegistryId": "{reg}", "Name": "robot"{fields}}}"#);
    act(
        &app,
        &ALICE,
        "ModifyServiceAccount",
        &modify(r#", "Disable": true"#),
    )
    .await;
    refused(login(&app, SERVICE, "tcr$robot", &password, ONE).await);
    act(
        &app,
        &ALICE,
        "ModifyServiceAccount",
        &modify(r#", "Disable": false"#),
    )
    .await;
    assert_eq!(login(&app, SERVICE, "tcr$robot", &password, ONE).await, ok);

    // Expired a moment ago: refused on the next login, with nothing cached.
    {
        let mut conn = h.db.pool.get().unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
        diesel::update(service_accounts::table.filter(service_accounts::name.eq("tcr$robot")))
            .set(service_accounts::expires_at.eq(Some(past)))
            .execute(&mut conn)
            .unwrap();
    }
    refused(login(&app, SERVICE, "tcr$robot", &password, ONE).await);
    act(
        &app,
        &ALICE,
        "ModifyServiceAccount",
        &modify(r#", "Duration": 1"#),
    )
    .await;
    assert_eq!(login(&app, SERVICE, "tcr$robot", &password, ONE).await, ok);

    // A new password ends the old one; a chosen password logs in through its slow hash.
    act(
        &app,
        &ALICE,
        "ModifyServiceAccountPassword",
        &modify(r#", "Password": "Chosen123""#),
    )
    .await;
    refused(login(&app, SERVICE, "tcr$robot", &password, ONE).await);
    assert_eq!(
        login(&app, SERVICE, "tcr$robot", "Chosen123", ONE).await,
        ok
    );
    refused(login(&app, SERVICE, "tcr$robot", "Chosen124", ONE).await);

    // Permissions changed: the next login has the new ones.
    act(
        &app,
        &ALICE,
        "ModifyServiceAccount",
        &modify(r#", "Permissions": [{"Resource": "ci", "Actions": ["tcr:PullRepository"]}]"#),
    )
    .await;
    assert_eq!(
        login(&app, SERVICE, "tcr$robot", "Chosen123", ONE).await,
        (200, json!([["pull"]]))
    );

    act(&app, &ALICE, "DeleteServiceAccount", &modify("")).await;
    refused(login(&app, SERVICE, "tcr$robot", "Chosen123", ONE).await);
}

/// An instance token's username never starts with `tcr$`: the two logins cannot be mixed.
#[actix_web::test]
async fn an_instance_token_is_no_service_account_password() {
    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-mixed").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    create_account(
        &app,
        &reg,
        "mixed",
        r#"[{"Resource": "ci", "Actions": ["tcr:PullRepository"]}]"#,
        "",
    )
    .await;
    let token = act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    let (status, _) = login(
        &app,
        SERVICE,
        "tcr$mixed",
        token["Token"].as_str().unwrap(),
        ONE,
    )
    .await;
    assert_eq!(status, 401);
}

/// The account belongs to its registry: its creator's off-boarding, which revokes their
/// instance tokens, leaves it logging in (as with Tencent).
#[actix_web::test]
async fn the_creators_offboarding_leaves_the_account_working() {
    use service_kit::auth::wire::{RevocationEvent, RevocationKind, DURABLE_EVENT_RELEVANCE};
    use service_kit::auth::RevocationSink;
    use tcr_svc::revocations::TokenRevoker;

    let h = Harness::with_config(config());
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "sa-offboard").await;
    add_namespace(&app, &ALICE, &reg, "ci").await;
    let created = create_account(
        &app,
        &reg,
        "survivor",
        r#"[{"Resource": "ci", "Actions": ["tcr:PullRepository"]}]"#,
        "",
    )
    .await;
    let password = created["Password"].as_str().unwrap();
    let token = act(
        &app,
        &ALICE,
        "CreateInstanceToken",
        &format!(r#"{{"RegistryId": "{reg}"}}"#),
    )
    .await;
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let gone = RevocationEvent {
        seq: 1,
        kind: RevocationKind::UserAccess,
        subject: ALICE.user.into(),
        revoked_at: now,
        relevant_until: now + DURABLE_EVENT_RELEVANCE,
    };
    TokenRevoker::new(h.db.pool.clone(), h.state.clock.clone())
        .revoke(vec![gone])
        .await
        .unwrap();
    let user = token["Username"].as_str().unwrap();
    let (status, _) = login(&app, SERVICE, user, token["Token"].as_str().unwrap(), ONE).await;
    assert_eq!(status, 401, "the creator's instance token is revoked");
    let granted = login(&app, SERVICE, "tcr$survivor", password, ONE).await;
    assert_eq!(granted, (200, json!([["pull"]])));
}

/// Disabling the account (an iam-svc domain) revokes the service accounts of its
/// registries for good; another account's keep working.
#[actix_web::test]
async fn a_disabled_account_loses_its_service_accounts() {
    use service_kit::auth::wire::{RevocationEvent, RevocationKind, DURABLE_EVENT_RELEVANCE};
    use service_kit::auth::RevocationSink;
    use tcr_svc::revocations::TokenRevoker;

    let h = Harness::with_config(config());
    let app = h.app().await;
    let mut passwords = Vec::new();
    for (key, name) in [(&ALICE, "sa-gone"), (&BEA, "sa-kept")] {
        let reg = create_registry(&app, key, name).await;
        let namespace = format!("{name}-ns");
        add_namespace(&app, key, &reg, &namespace).await;
        let permissions =
            format!(r#"[{{"Resource": "{namespace}", "Actions": ["tcr:PullRepository"]}}]"#);
        let created = create_account_as(&app, key, &reg, name, &permissions, "").await;
        let scope = format!("repository:{namespace}/app:pull");
        passwords.push((
            name,
            created["Password"].as_str().unwrap().to_string(),
            scope,
        ));
    }
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let gone = RevocationEvent {
        seq: 1,
        kind: RevocationKind::Domain,
        subject: ALICE.account.into(),
        revoked_at: now,
        relevant_until: now + DURABLE_EVENT_RELEVANCE,
    };
    TokenRevoker::new(h.db.pool.clone(), h.state.clock.clone())
        .revoke(vec![gone])
        .await
        .unwrap();
    let (name, password, scope) = &passwords[0];
    let user = format!("tcr${name}");
    let (status, _) = login(&app, SERVICE, &user, password, &[scope]).await;
    assert_eq!(status, 401, "the disabled account's robot is refused");
    let (name, password, scope) = &passwords[1];
    let user = format!("tcr${name}");
    let granted = login(&app, SERVICE, &user, password, &[scope]).await;
    assert_eq!(granted, (200, json!([["pull"]])));
}
