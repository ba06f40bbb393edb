//! The policy table, cell by cell, through the HTTP app: for every action and every kind
//! of caller, the answer `tcr_svc::policy::cell` gives is what the caller gets, and a
//! refusal changes nothing in the database. docs/policy/tcr.md must show the same table.

use diesel::prelude::*;
use serde_json::Value;
use service_kit::auth::wire::RevocationKind;
use service_kit::testing::policy_doc::PolicyTable;
use tcr_svc::policy::{self, Action, CallerKind, Cell, Grant, KeyKind, Role};
use tcr_svc::schema::{instance_tokens, namespaces, registries, service_accounts};

use crate::common::*;

/// The namespace of the fixture's registry the namespace actions act on.
const NAMESPACE: &str = "matrix-ns";

/// The registry every case acts on, with the namespace [`NAMESPACE`], and a long-term
/// token of each of its users.
struct Fixture {
    h: Harness,
    registry: String,
    /// User id -> a long-term token of theirs (disabled by themselves for the enable
    /// action), and one disabled by the admin.
    tokens: Vec<(&'static str, String, Option<String>)>,
}

impl Fixture {
    async fn new(action: Action) -> Fixture {
        let (h, app) = Harness::start().await;
        let registry = create_registry(&app, &ALICE, "matrix-reg").await;
        let body = format!(
            r#"{{"RegistryId": "{registry}", "NamespaceName": "{NAMESPACE}", "IsPublic": false}}"#
        );
        assert_eq!(code(&act(&app, &ALICE, "CreateNamespace", &body).await), "");
        let mut tokens = Vec::new();
        for owner in [ALICE, MEMO, RITA] {
            let own = longterm(&app, &owner, &registry).await;
            let by_admin = longterm(&app, &owner, &registry).await;
            if action == Action::EnableInstanceToken {
                assert_eq!(set_enabled(&app, &owner, &registry, &own, false).await, "");
                assert_eq!(
                    set_enabled(&app, &ALICE, &registry, &by_admin, false).await,
                    ""
                );
            }
            let by_admin = (action == Action::EnableInstanceToken).then_some(by_admin);
            tokens.push((owner.user, own, by_admin));
        }
        if is_service_account_action(action) {
            let body = format!(
                r#"{{"RegistryId": "{registry}", "Name": "matrix-robot", "Permissions": {MATRIX_PERMISSIONS}}}"#
            );
            let r = act(&app, &ALICE, "CreateServiceAccount", &body).await;
            assert_eq!(code(&r), "", "{r}");
        }
        // Dora was disabled after her temporary key was issued.
        feed_revocation(&h.state.verifier, RevocationKind::UserAccess, DORA.user);
        Fixture {
            h,
            registry,
            tokens,
        }
    }

    fn token_of(&self, user: &str) -> &str {
        &self.tokens.iter().find(|t| t.0 == user).unwrap().1
    }

    fn admin_disabled_token_of(&self, user: &str) -> &str {
        let found = self.tokens.iter().find(|t| t.0 == user).unwrap();
        found.2.as_deref().unwrap()
    }

    /// Every row of the tables, to show that a refusal changed nothing.
    fn snapshot(&self) -> String {
        let mut conn = self.h.db.pool.get().unwrap();
        let regs: Vec<(String, String)> = registries::table
            .select((registries::id, registries::domain_id))
            .order(registries::id)
            .load(&mut conn)
            .unwrap();
        let tokens: Vec<(String, String, bool, Option<String>, String)> = instance_tokens::table
            .select((
                instance_tokens::id,
                instance_tokens::user_id,
                instance_tokens::enabled,
                instance_tokens::disabled_by,
                instance_tokens::description,
            ))
            .order(instance_tokens::id)
            .load(&mut conn)
            .unwrap();
        type NamespaceRow = (String, String, bool, Option<chrono::NaiveDateTime>);
        let spaces: Vec<NamespaceRow> = namespaces::table
            .select((
                namespaces::name,
                namespaces::registry_id,
                namespaces::public,
                namespaces::deleted_at,
            ))
            .order(namespaces::name)
            .load(&mut conn)
            .unwrap();
        let accounts: Vec<(String, String, String, bool)> = service_accounts::table
            .select((
                service_accounts::name,
                service_accounts::description,
                service_accounts::password_digest,
                service_accounts::disabled,
            ))
            .order(service_accounts::id)
            .load(&mut conn)
            .unwrap();
        format!("{regs:?} {tokens:?} {spaces:?} {accounts:?}")
    }
}

/// The permissions of the fixture's service account: on [`NAMESPACE`].
const MATRIX_PERMISSIONS: &str =
    r#"[{"Resource": "matrix-ns", "Actions": ["tcr:PushRepository"]}]"#;

fn is_service_account_action(action: Action) -> bool {
    matches!(
        action,
        Action::CreateServiceAccount
            | Action::DescribeServiceAccounts
            | Action::ModifyServiceAccount
            | Action::ModifyServiceAccountPassword
            | Action::DeleteServiceAccount
    )
}

async fn longterm(app: &TestApp, key: &Key, registry: &str) -> String {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "longterm"}}"#);
    let r = act(app, key, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    r["TokenId"].as_str().unwrap().to_string()
}

async fn set_enabled(app: &TestApp, key: &Key, registry: &str, id: &str, on: bool) -> String {
    let body = format!(
        r#"{{"RegistryId": "{registry}", "TokenId": "{id}", "ModifyFlag": 2, "Enable": {on}}}"#
    );
    code(&act(app, key, "ModifyInstanceToken", &body).await)
}

/// The API action and body of `action` on the fixture's registry and, for the token
/// actions, on `token`.
fn request(action: Action, registry: &str, token: &str) -> (&'static str, String) {
    match action {
        Action::CreateInstance => (
            "CreateInstance",
            r#"{"RegistryName": "made-here", "RegistryType": "basic"}"#.into(),
        ),
        Action::DescribeInstances => ("DescribeInstances", "{}".into()),
        Action::DeleteInstance => (
            "DeleteInstance",
            format!(r#"{{"RegistryId": "{registry}"}}"#),
        ),
        Action::DescribeInstanceStatus => (
            "DescribeInstanceStatus",
            format!(r#"{{"RegistryIds": ["{registry}"]}}"#),
        ),
        Action::CheckInstanceName => (
            "CheckInstanceName",
            r#"{"RegistryName": "matrix-reg"}"#.into(),
        ),
        Action::CheckInstance => (
            "CheckInstance",
            format!(r#"{{"RegistryId": "{registry}"}}"#),
        ),
        Action::CreateTempToken => (
            "CreateInstanceToken",
            format!(r#"{{"RegistryId": "{registry}", "TokenType": "temp"}}"#),
        ),
        Action::CreateLongtermToken => (
            "CreateInstanceToken",
            format!(r#"{{"RegistryId": "{registry}", "TokenType": "longterm"}}"#),
        ),
        Action::DescribeInstanceToken => (
            "DescribeInstanceToken",
            format!(r#"{{"RegistryId": "{registry}"}}"#),
        ),
        Action::ModifyInstanceToken => (
            "ModifyInstanceToken",
            format!(
                r#"{{"RegistryId": "{registry}", "TokenId": "{token}", "ModifyFlag": 2, "Enable": false}}"#
            ),
        ),
        Action::EnableInstanceToken => (
            "ModifyInstanceToken",
            format!(
                r#"{{"RegistryId": "{registry}", "TokenId": "{token}", "ModifyFlag": 2, "Enable": true}}"#
            ),
        ),
        Action::DeleteInstanceToken => (
            "DeleteInstanceToken",
            format!(r#"{{"RegistryId": "{registry}", "TokenId": "{token}"}}"#),
        ),
        Action::CreateNamespace => (
            "CreateNamespace",
            format!(
                r#"{{"RegistryId": "{registry}", "NamespaceName": "made-here", "IsPublic": false}}"#
            ),
        ),
        Action::DescribeNamespaces => (
            "DescribeNamespaces",
            format!(r#"{{"RegistryId": "{registry}"}}"#),
        ),
        Action::ModifyNamespace => (
            "ModifyNamespace",
            format!(
                r#"{{"RegistryId": "{registry}", "NamespaceName": "{NAMESPACE}", "IsPublic": true}}"#
            ),
        ),
        Action::DeleteNamespace => (
            "DeleteNamespace",
            format!(r#"{{"RegistryId": "{registry}", "NamespaceName": "{NAMESPACE}"}}"#),
        ),
        Action::DescribeInstanceAllNamespaces => ("DescribeInstanceAllNamespaces", "{}".into()),
        Action::CreateServiceAccount => (
            "CreateServiceAccount",
            format!(
                r#"{{"RegistryId": "{registry}", "Name": "made-here", "Permissions": {MATRIX_PERMISSIONS}}}"#
            ),
        ),
        Action::DescribeServiceAccounts => (
            "DescribeServiceAccounts",
            format!(r#"{{"RegistryId": "{registry}"}}"#),
        ),
        Action::ModifyServiceAccount => (
            "ModifyServiceAccount",
            format!(
                r#"{{"RegistryId": "{registry}", "Name": "matrix-robot", "Description": "changed"}}"#
            ),
        ),
        Action::ModifyServiceAccountPassword => (
            "ModifyServiceAccountPassword",
            format!(r#"{{"RegistryId": "{registry}", "Name": "matrix-robot", "Random": true}}"#),
        ),
        Action::DeleteServiceAccount => (
            "DeleteServiceAccount",
            format!(r#"{{"RegistryId": "{registry}", "Name": "matrix-robot"}}"#),
        ),
    }
}

/// What a successful `action` by `user` left in the database.
fn succeeded(f: &Fixture, action: Action, user: &str, token: &str, answer: &Value) -> bool {
    let mut conn = f.h.db.pool.get().unwrap();
    let token_row = |conn: &mut service_kit::db::DbConnection| {
        instance_tokens::table
            .find(token)
            .select((instance_tokens::enabled, instance_tokens::disabled_by))
            .first::<(bool, Option<String>)>(conn)
            .optional()
            .unwrap()
    };
    match action {
        Action::CreateInstance => answer["RegistryId"].as_str().is_some_and(|id| {
            registries::table
                .find(id)
                .select(registries::id)
                .first::<String>(&mut conn)
                .is_ok()
        }),
        Action::DescribeInstances => answer["Registries"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["RegistryId"] == f.registry.as_str())),
        Action::DeleteInstance => {
            registries::table
                .find(&f.registry)
                .count()
                .get_result::<i64>(&mut conn)
                .unwrap()
                == 0
        }
        // Each sees the fixture's registry: its status, its name taken, its region.
        Action::DescribeInstanceStatus => {
            answer["RegistryStatusSet"]
                == serde_json::json!([
                    {"RegistryId": f.registry, "Status": "Running", "Conditions": []}
                ])
        }
        Action::CheckInstanceName => answer["IsValidated"] == false && answer["DetailCode"] == 3,
        Action::CheckInstance => answer["IsValidated"] == true && answer["RegionId"] == 1,
        Action::CreateTempToken | Action::CreateLongtermToken => {
            answer["Username"] == user && answer["Token"].as_str().is_some()
        }
        Action::DescribeInstanceToken => answer["TotalCount"].as_i64().is_some_and(|n| n >= 6),
        Action::ModifyInstanceToken => {
            token_row(&mut conn) == Some((false, Some(user.to_string())))
        }
        Action::EnableInstanceToken => token_row(&mut conn) == Some((true, None)),
        Action::DeleteInstanceToken => token_row(&mut conn).is_none(),
        Action::CreateNamespace => namespace_row(&mut conn, "made-here")
            .is_some_and(|(registry, _, deleted)| registry == f.registry && deleted.is_none()),
        Action::DescribeNamespaces => answer["NamespaceList"]
            .as_array()
            .is_some_and(|l| l.iter().any(|n| n["Name"] == NAMESPACE)),
        Action::ModifyNamespace => {
            namespace_row(&mut conn, NAMESPACE).is_some_and(|(_, public, _)| public)
        }
        Action::DeleteNamespace => {
            namespace_row(&mut conn, NAMESPACE).is_some_and(|(.., deleted)| deleted.is_some())
        }
        Action::DescribeInstanceAllNamespaces => {
            answer["NamespaceList"].as_array().is_some_and(|l| {
                l.iter()
                    .any(|n| n["Namespace"] == NAMESPACE && n["RegistryId"] == f.registry.as_str())
            })
        }
        Action::CreateServiceAccount => account_row(&mut conn, "tcr$made-here").is_some(),
        Action::DescribeServiceAccounts => answer["TotalCount"] == 1,
        Action::ModifyServiceAccount => account_row(&mut conn, "tcr$matrix-robot")
            .is_some_and(|(description, _)| description == "changed"),
        Action::ModifyServiceAccountPassword => {
            let shown = answer["Password"].as_str().unwrap_or_default();
            let digest = credential_core::digest::sha256_hex(shown.as_bytes());
            account_row(&mut conn, "tcr$matrix-robot")
                .is_some_and(|(_, stored)| stored == format!("sha256${digest}"))
        }
        Action::DeleteServiceAccount => account_row(&mut conn, "tcr$matrix-robot").is_none(),
    }
}

/// The registry, visibility and deletion time of the namespace `name`.
fn namespace_row(
    conn: &mut service_kit::db::DbConnection,
    name: &str,
) -> Option<(String, bool, Option<chrono::NaiveDateTime>)> {
    namespaces::table
        .filter(namespaces::name.eq(name))
        .select((
            namespaces::registry_id,
            namespaces::public,
            namespaces::deleted_at,
        ))
        .first(conn)
        .optional()
        .unwrap()
}

/// The description and password digest of the service account `name`, if it exists.
fn account_row(conn: &mut service_kit::db::DbConnection, name: &str) -> Option<(String, String)> {
    service_accounts::table
        .filter(service_accounts::name.eq(name))
        .select((
            service_accounts::description,
            service_accounts::password_digest,
        ))
        .first(conn)
        .optional()
        .unwrap()
}

/// The caller a kind stands for in these cases: its key, and the key of the same user
/// that signs the cases the kind is checked with twice (DORA's two keys).
fn callers(kind: CallerKind) -> Vec<Option<Key>> {
    match kind {
        CallerKind::Admin | CallerKind::PermanentKey => vec![Some(ALICE)],
        CallerKind::Member => vec![Some(MEMO)],
        CallerKind::Readonly => vec![Some(RITA)],
        CallerKind::TemporaryKey => vec![Some(ALICE_TEMP)],
        CallerKind::DisabledUser => vec![Some(DORA), Some(DORA_TEMP)],
        CallerKind::OtherAccount => vec![Some(BOB), Some(BEA)],
        CallerKind::Internal => vec![None],
    }
}

/// A request with the internal credential and no signature.
fn internal<'a>(app: &'a TestApp, action: &str, body: &str) -> TestCall<'a> {
    app.post("/")
        .header("Content-Type", "application/json")
        .header("Host", HOST)
        .header("X-TC-Timestamp", chrono::Utc::now().timestamp().to_string())
        .header("X-TC-Action", action)
        .header("X-TC-Version", "2019-09-24")
        .header("X-Internal-Token", "internal-test-credential")
        .body(body)
}

/// One attempt: the caller acts on `token`; the error code, or "" and whether the
/// expected change happened.
async fn attempt(f: &Fixture, action: Action, caller: &Option<Key>, token: &str) -> (String, bool) {
    let app = f.h.app().await;
    let (name, body) = request(action, &f.registry, token);
    let req = match caller {
        Some(key) => signed(&app, key, name, &body),
        None => internal(&app, name, &body),
    };
    let before = f.snapshot();
    let answer = response(req).await;
    let code = code(&answer);
    if !code.is_empty() {
        assert_eq!(
            f.snapshot(),
            before,
            "a refusal changed the database: {answer}"
        );
        return (code, false);
    }
    let user = caller.as_ref().map(|k| k.user).unwrap_or_default();
    (code, succeeded(f, action, user, token, &answer))
}

/// Check one cell; `Err` says what differed.
async fn check(action: Action, kind: CallerKind) -> Result<(), String> {
    let want = policy::cell(action, kind);
    for caller in callers(kind) {
        let f = Fixture::new(action).await;
        let user = caller.as_ref().map(|k| k.user).unwrap_or_default();
        // Someone else's token: MEMO's, or RITA's for MEMO himself.
        let other = if user == MEMO.user {
            RITA.user
        } else {
            MEMO.user
        };
        let others = f.token_of(other).to_string();
        let outcome = attempt(&f, action, &caller, &others).await;
        let refused = |c: &str| (c.to_string(), false);
        let expected = match want {
            Cell::Policy(Grant::Yes) | Cell::OwnAccountOnly => (String::new(), true),
            Cell::Policy(Grant::No) => refused("UnauthorizedOperation"),
            Cell::Policy(Grant::Own | Grant::OwnUnlessAdminDisabled) => {
                refused("UnauthorizedOperation")
            }
            Cell::KeyRefused if caller.as_ref().is_some_and(|k| k.temporary) => {
                refused("AuthFailure.TokenFailure")
            }
            Cell::KeyRefused => refused("AuthFailure.SecretIdNotFound"),
            Cell::NotFound => refused("ResourceNotFound.TcrResourceNotFound"),
            Cell::NotACredential => refused("AuthFailure.InvalidAuthorization"),
        };
        // A member of another account is refused by role before anything is looked up.
        let member_elsewhere = caller.as_ref().is_some_and(|k| k.id == BOB.id)
            && policy::answer(action, Role::Member, KeyKind::Permanent) == Grant::No;
        let expected = match (want, action) {
            // Another account sees only its own registries and namespaces: the checks
            // answer as for a name free and a registry unknown there.
            (
                Cell::OwnAccountOnly,
                Action::DescribeInstances
                | Action::DescribeInstanceStatus
                | Action::CheckInstanceName
                | Action::DescribeInstanceAllNamespaces,
            ) => (String::new(), false),
            (Cell::NotFound, Action::CheckInstance) => (String::new(), false),
            (Cell::NotFound, _) if member_elsewhere => refused("UnauthorizedOperation"),
            _ => expected,
        };
        if outcome != expected {
            return Err(format!(
                "{caller:?} on someone else's: {outcome:?}, want {expected:?}",
                caller = caller.as_ref().map(|k| k.id)
            ));
        }
        // The caller's own token, and for the enable one an admin disabled.
        if let Cell::Policy(grant @ (Grant::Own | Grant::OwnUnlessAdminDisabled)) = want {
            let f = Fixture::new(action).await;
            let own = f.token_of(user).to_string();
            let outcome = attempt(&f, action, &caller, &own).await;
            if outcome != (String::new(), true) {
                return Err(format!("own token: {outcome:?}"));
            }
            if grant == Grant::OwnUnlessAdminDisabled {
                let f = Fixture::new(action).await;
                let own = f.admin_disabled_token_of(user).to_string();
                let outcome = attempt(&f, action, &caller, &own).await;
                if outcome != refused("UnauthorizedOperation") {
                    return Err(format!("own token an admin disabled: {outcome:?}"));
                }
            }
        }
    }
    Ok(())
}

/// Every caller kind for one action; the failures name their cells.
async fn row(action: Action) {
    let mut failures = Vec::new();
    for kind in CallerKind::ALL {
        if let Err(e) = check(action, kind).await {
            failures.push(format!(
                "{} / {} ({}): {e}",
                action.name(),
                kind.label(),
                policy::cell(action, kind).text()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! matrix {
    ($($test:ident => $action:ident),* $(,)?) => {
        $(
            #[actix_web::test]
            async fn $test() {
                row(Action::$action).await;
            }
        )*

        #[test]
        fn every_action_has_its_row() {
            let tested = [$(Action::$action),*];
            assert_eq!(tested, Action::ALL);
        }
    };
}

matrix! {
    create_instance => CreateInstance,
    describe_instances => DescribeInstances,
    delete_instance => DeleteInstance,
    describe_instance_status => DescribeInstanceStatus,
    check_instance_name => CheckInstanceName,
    check_instance => CheckInstance,
    create_temp_token => CreateTempToken,
    create_longterm_token => CreateLongtermToken,
    describe_instance_token => DescribeInstanceToken,
    modify_instance_token => ModifyInstanceToken,
    enable_instance_token => EnableInstanceToken,
    delete_instance_token => DeleteInstanceToken,
    create_namespace => CreateNamespace,
    describe_namespaces => DescribeNamespaces,
    modify_namespace => ModifyNamespace,
    delete_namespace => DeleteNamespace,
    describe_instance_all_namespaces => DescribeInstanceAllNamespaces,
    create_service_account => CreateServiceAccount,
    describe_service_accounts => DescribeServiceAccounts,
    modify_service_account => ModifyServiceAccount,
    modify_service_account_password => ModifyServiceAccountPassword,
    delete_service_account => DeleteServiceAccount,
}

/// The table docs/policy/tcr.md shows, as the code answers it.
#[test]
fn the_documented_table_is_the_codes() {
    let labels = CallerKind::ALL.map(CallerKind::label);
    let mut table = PolicyTable::new(std::iter::once("action").chain(labels));
    for action in Action::ALL {
        table.row(
            &[action.name()],
            CallerKind::ALL.map(|k| policy::cell(action, k).text()),
        );
    }
    table.assert_documented(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/policy/tcr.md"
    ));
}
