//! Registry login with instance tokens through `/service/token`: a token opens the live
//! namespaces of its own registry, with the actions its creator's role allows; public
//! namespaces give pull to anyone; everything else gets no action.

use base64::Engine as _;
use serde_json::{json, Value};
use service_kit::clock::Clock;

use crate::common::*;

const SERVICE: &str = "tcr-registry";

/// A token's login: its `Username` and `Token`.
type Login = (String, String);

/// What the token endpoint answered: the status and, on success, the JWT's `sub` and
/// `access` (the body otherwise).
struct Answer {
    status: u16,
    sub: Value,
    access: Value,
}

fn encode(scope: &str) -> String {
    scope
        .replace(':', "%3A")
        .replace('/', "%2F")
        .replace(',', "%2C")
        .replace('*', "%2A")
}

/// Ask the token endpoint of `service` for `scopes`, as `login` or anonymously.
async fn ask(app: &TestApp, login: Option<&Login>, service: &str, scopes: &[&str]) -> Answer {
    let mut uri = format!("/service/token?service={service}");
    for scope in scopes {
        uri.push_str(&format!("&scope={}", encode(scope)));
    }
    let mut req = app.get(&uri);
    if let Some((user, token)) = login {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
        req = req.header("Authorization", format!("Basic {basic}"));
    }
    let res = req.await;
    let status = res.status().as_u16();
    let body: Value = serde_json::from_slice(res.bytes()).unwrap();
    if status != 200 {
        return Answer {
            status,
            sub: Value::Null,
            access: body,
        };
    }
    let payload = body["token"].as_str().unwrap().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    Answer {
        status,
        sub: claims["sub"].clone(),
        access: claims["access"].clone(),
    }
}

/// The actions granted on each repository asked for, in order.
async fn granted(app: &TestApp, login: Option<&Login>, scopes: &[&str]) -> Vec<Vec<String>> {
    let answer = ask(app, login, SERVICE, scopes).await;
    assert_eq!(answer.status, 200, "{}", answer.access);
    answer
        .access
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn actions(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

async fn token(app: &TestApp, key: &Key, registry: &str, kind: &str) -> (Login, Value) {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "{kind}"}}"#);
    let r = act(app, key, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let login = (
        r["Username"].as_str().unwrap().to_string(),
        r["Token"].as_str().unwrap().to_string(),
    );
    (login, r)
}

#[actix_web::test]
async fn temp_and_longterm_tokens_log_in_until_disabled_or_deleted() {
    let (_h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "login-reg").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg, "team", false).await,
        ""
    );
    let (temp, _) = token(&app, &ALICE, &reg, "temp").await;
    let (long, answer) = token(&app, &ALICE, &reg, "longterm").await;
    let scope = ["repository:team/app:pull,push"];
    let full = json!([{ "type": "repository", "name": "team/app", "actions": ["pull", "push"] }]);
    for login in [&temp, &long] {
        let answer = ask(&app, Some(login), SERVICE, &scope).await;
        assert_eq!((answer.status, answer.access), (200, full.clone()));
        assert_eq!(answer.sub, ALICE.user);
    }
    let someone_else = ("someone-else".to_string(), long.1.clone());
    assert_eq!(
        ask(&app, Some(&someone_else), SERVICE, &scope).await.status,
        401
    );
    let id = answer["TokenId"].as_str().unwrap();
    let disable = format!(
        r#"{{"TokenId": "{id}", "RegistryId": "{reg}", "ModifyFlag": 2, "Enable": false}}"#
    );
    act(&app, &ALICE, "ModifyInstanceToken", &disable).await;
    let refused = ask(&app, Some(&long), SERVICE, &scope).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.access["errors"][0]["code"], "UNAUTHORIZED");
    let enable = disable.replace("false", "true");
    act(&app, &ALICE, "ModifyInstanceToken", &enable).await;
    assert_eq!(ask(&app, Some(&long), SERVICE, &scope).await.status, 200);
    let delete = format!(r#"{{"RegistryId": "{reg}", "TokenId": "{id}"}}"#);
    act(&app, &ALICE, "DeleteInstanceToken", &delete).await;
    assert_eq!(ask(&app, Some(&long), SERVICE, &scope).await.status, 401);
    // Deleting the registry ends its temp tokens too.
    let body = format!(r#"{{"RegistryId": "{reg}"}}"#);
    act(&app, &ALICE, "DeleteInstance", &body).await;
    assert_eq!(ask(&app, Some(&temp), SERVICE, &scope).await.status, 401);
}

#[actix_web::test]
async fn a_temp_token_logs_in_until_the_clock_reaches_its_expiry() {
    let clock = Clock::fixed(chrono::Utc::now());
    let h = Harness::with_clock(test_config(), clock.clone());
    let lifetime = i64::from(h.state.config.tokens.temp_lifetime_seconds);
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "expiry-reg").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg, "team", false).await,
        ""
    );
    let (temp, _) = token(&app, &ALICE, &reg, "temp").await;
    let (long, _) = token(&app, &ALICE, &reg, "longterm").await;
    let scope = ["repository:team/app:pull"];
    clock.advance(chrono::Duration::seconds(lifetime - 1));
    assert_eq!(ask(&app, Some(&temp), SERVICE, &scope).await.status, 200);
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(ask(&app, Some(&temp), SERVICE, &scope).await.status, 401);
    assert_eq!(ask(&app, Some(&long), SERVICE, &scope).await.status, 200);
}

#[actix_web::test]
async fn a_tokens_actions_follow_its_creators_role() {
    let (_h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "role-reg").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg, "team", false).await,
        ""
    );
    let scope = ["repository:team/app:pull,push,delete"];
    for (key, want) in [
        (ALICE, actions(&["pull", "push", "delete"])),
        (MEMO, actions(&["pull", "push"])),
        (RITA, actions(&["pull"])),
    ] {
        let (login, _) = token(&app, &key, &reg, "temp").await;
        assert_eq!(
            granted(&app, Some(&login), &scope).await,
            [want],
            "{}",
            key.id
        );
    }
}

/// Account A (ALICE) and account B (BOB), each with a registry holding a private and a
/// public namespace, and a token of each.
struct TwoAccounts {
    reg_b: String,
    alice: Login,
    bob: Login,
}

async fn two_accounts(app: &TestApp) -> TwoAccounts {
    let reg_a = create_registry(app, &ALICE, "reg-of-a").await;
    let reg_b = create_registry(app, &BOB, "reg-of-b").await;
    for (key, reg, private, public) in [
        (&ALICE, &reg_a, "team-a", "pub-a"),
        (&BOB, &reg_b, "team-b", "pub-b"),
    ] {
        assert_eq!(create_namespace(app, key, reg, private, false).await, "");
        assert_eq!(create_namespace(app, key, reg, public, true).await, "");
    }
    let (alice, _) = token(app, &ALICE, &reg_a, "longterm").await;
    let (bob, _) = token(app, &BOB, &reg_b, "longterm").await;
    TwoAccounts { reg_b, alice, bob }
}

#[actix_web::test]
async fn a_token_opens_its_own_registrys_namespaces_and_nothing_of_another_account() {
    let (_h, app) = Harness::start().await;
    let t = two_accounts(&app).await;
    let asked = [
        "repository:team-b/app:pull,push,delete,*",
        "repository:team-b/deep/app:pull",
        "repository:pub-b/app:pull,push,delete",
        "repository:team-a/app:pull,push,delete",
        "repository:pub-a/app:push,pull",
        "repository:ghost/app:pull,push",
        "repository:app:pull",
        "registry:catalog:*",
    ];
    let got = granted(&app, Some(&t.alice), &asked).await;
    let none = Vec::<String>::new();
    assert_eq!(
        got,
        [
            none.clone(),
            none.clone(),
            actions(&["pull"]),
            actions(&["pull", "push", "delete"]),
            actions(&["push", "pull"]),
            none.clone(),
            none.clone(),
            none.clone(),
        ]
    );
    // B's member token: its own namespaces with its own rights, A's private one not at all.
    let got = granted(
        &app,
        Some(&t.bob),
        &[
            "repository:team-b/app:pull,push,delete",
            "repository:team-a/app:pull",
        ],
    )
    .await;
    assert_eq!(got, [actions(&["pull", "push"]), none]);
}

#[actix_web::test]
async fn a_token_of_another_registry_service_is_refused() {
    let (_h, app) = Harness::start().await;
    let t = two_accounts(&app).await;
    for service in ["swr-registry", "tcr-registry-2", ""] {
        let answer = ask(
            &app,
            Some(&t.alice),
            service,
            &["repository:team-a/app:pull"],
        )
        .await;
        assert!([400, 401].contains(&answer.status), "{service:?}");
    }
    let answer = ask(
        &app,
        Some(&t.alice),
        "other-registry",
        &["repository:team-a/app:pull"],
    )
    .await;
    assert_eq!(answer.status, 401, "{}", answer.access);
}

#[actix_web::test]
async fn without_a_login_only_public_namespaces_may_be_pulled() {
    let (_h, app) = Harness::start().await;
    two_accounts(&app).await;
    let answer = ask(
        &app,
        None,
        SERVICE,
        &[
            "repository:pub-b/app:pull,push",
            "repository:team-b/app:pull",
            "repository:pub-a/app:pull",
        ],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.access);
    assert_eq!(answer.sub, "");
    let got: Vec<Value> = answer.access.as_array().unwrap().clone();
    assert_eq!(got[0]["actions"], json!(["pull"]));
    assert_eq!(got[1]["actions"], json!([]));
    assert_eq!(got[2]["actions"], json!(["pull"]));
    // A login check without any scope must prove something.
    assert_eq!(ask(&app, None, SERVICE, &[]).await.status, 401);
}

#[actix_web::test]
async fn a_deleted_namespace_opens_nothing_and_no_other_account_may_take_its_name() {
    let (_h, app) = Harness::start().await;
    let t = two_accounts(&app).await;
    let body = format!(
        r#"{{"RegistryId": "{}", "NamespaceName": "team-b"}}"#,
        t.reg_b
    );
    assert_eq!(code(&act(&app, &BOB, "DeleteNamespace", &body).await), "");
    let own = granted(&app, Some(&t.bob), &["repository:team-b/app:pull,push"]).await;
    assert_eq!(own, [Vec::<String>::new()]);
    // Account A cannot take the name: B's registry may still hold its images.
    let reg_a2 = create_registry(&app, &ALICE, "reg-of-a-two").await;
    let taken = create_namespace(&app, &ALICE, &reg_a2, "team-b", false).await;
    assert_eq!(taken, "FailedOperation.ErrorTcrResourceConflict");
    let alice = granted(&app, Some(&t.alice), &["repository:team-b/app:pull"]).await;
    assert_eq!(alice, [Vec::<String>::new()]);
    // B's registry may bring it back.
    assert_eq!(
        create_namespace(&app, &BOB, &t.reg_b, "team-b", false).await,
        ""
    );
    let own = granted(&app, Some(&t.bob), &["repository:team-b/app:pull,push"]).await;
    assert_eq!(own, [actions(&["pull", "push"])]);
    // Deleting B's registry tombstones its namespaces: the public one opens to nobody, and
    // its names stay taken.
    let body = format!(r#"{{"RegistryId": "{}"}}"#, t.reg_b);
    assert_eq!(code(&act(&app, &BOB, "DeleteInstance", &body).await), "");
    let anonymous = granted(&app, None, &["repository:pub-b/app:pull"]).await;
    assert_eq!(anonymous, [Vec::<String>::new()]);
    for name in ["pub-b", "team-b"] {
        let taken = create_namespace(&app, &ALICE, &reg_a2, name, true).await;
        assert_eq!(taken, "FailedOperation.ErrorTcrResourceConflict", "{name}");
    }
}
