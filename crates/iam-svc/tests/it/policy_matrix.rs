//! The policy table, cell by cell, through the HTTP app: for every action and every kind
//! of caller, a fresh domain is set up, the caller makes the action's request, and the
//! answer must be the table's (for an `own` cell, both on the caller's own resource and
//! on someone else's). And the table in docs/policy/iam.md must be the code's.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use iam_svc::policy::{Action, Answer, Kind};
use serde_json::{json, Value};
use service_kit::testing::policy_doc::PolicyTable;

use crate::common::*;

/// Everything the cases need: a domain with an admin, a member, a readonly user, a
/// victim (the "someone else"), a disabled user, a spare project and group, keys, and
/// another domain.
struct World {
    h: Harness,
    admin: Person,
    member: Person,
    reader: Person,
    victim: Person,
    gone: Person,
    other: Person,
    /// The admin's permanent key.
    admin_key: (String, String),
    victims_group: String,
    spares_group: String,
    spare_project: String,
}

struct Person {
    id: String,
    name: String,
    domain: String,
    password: &'static str,
    token: String,
    /// An access key of theirs, if any.
    key: Option<String>,
}

async fn person_with_role(
    app: &TestApp,
    admin: &str,
    name: &str,
    project_id: &str,
    role_id: &str,
) -> (Person, String) {
    let id = app.create_user_as(admin, name).await;
    let group = app.create_group_as(admin, &format!("{name}s")).await;
    let membership = format!("/v3/groups/{group}/users/{id}");
    app.put(&membership).token(admin).await.assert_no_content();
    let grant = format!("/v3/projects/{project_id}/groups/{group}/roles/{role_id}");
    app.put(&grant).token(admin).await.assert_no_content();
    let token = app
        .login(
            iam_svc::bootstrap::DOMAIN,
            name,
            USER_PASSWORD,
            project_scope(project_id),
        )
        .await;
    let person = Person {
        id,
        name: name.into(),
        domain: iam_svc::bootstrap::DOMAIN.into(),
        password: USER_PASSWORD,
        token,
        key: None,
    };
    (person, group)
}

async fn new_key(app: &TestApp, token: &str, user_id: &str) -> (String, String) {
    let body = app
        .post("/v3.0/OS-CREDENTIAL/credentials")
        .token(token)
        .json(&json!({ "credential": { "user_id": user_id } }))
        .await
        .assert_created()
        .json();
    let field = |f: &str| body["credential"][f].as_str().expect(f).to_string();
    (field("access"), field("secret"))
}

impl World {
    async fn new() -> World {
        let (h, app, admin_token) = Harness::with_admin().await;
        let project = h.boot.project_id.clone();
        let (mut member, _) =
            person_with_role(&app, &admin_token, "member", &project, MEMBER_ROLE_ID).await;
        let (mut reader, _) =
            person_with_role(&app, &admin_token, "reader", &project, READONLY_ROLE_ID).await;
        let (mut victim, victims_group) =
            person_with_role(&app, &admin_token, "victim", &project, MEMBER_ROLE_ID).await;
        let (gone, _) =
            person_with_role(&app, &admin_token, "gone", &project, MEMBER_ROLE_ID).await;
        // The victims' group also holds readonly on the domain, for the domain grant cases.
        let domain_grant = format!(
            "/v3/domains/{}/groups/{victims_group}/roles/{READONLY_ROLE_ID}",
            h.boot.domain_id
        );
        app.put(&domain_grant)
            .token(&admin_token)
            .await
            .assert_no_content();
        assert_eq!(
            app.patch(&format!("/v3/users/{}", gone.id))
                .token(&admin_token)
                .json(&json!({ "user": { "enabled": false } }))
                .await
                .parts()
                .0,
            StatusCode::OK
        );
        let spares_group = app.create_group_as(&admin_token, "spares").await;
        let spare_project = app.create_project_as(&admin_token, "spare").await;
        let admin_key = new_key(&app, &admin_token, &h.boot.user_id).await;
        member.key = Some(new_key(&app, &member.token, &member.id).await.0);
        reader.key = Some(new_key(&app, &reader.token, &reader.id).await.0);
        victim.key = Some(new_key(&app, &admin_token, &victim.id).await.0);
        let tenant = h.other_tenant("elsewhere");
        let other_token = app
            .login(
                &tenant.domain_name,
                "admin",
                ADMIN_PASSWORD,
                project_scope(&tenant.project_id),
            )
            .await;
        let admin = Person {
            id: h.boot.user_id.clone(),
            name: iam_svc::bootstrap::USER.into(),
            domain: iam_svc::bootstrap::DOMAIN.into(),
            password: ADMIN_PASSWORD,
            token: admin_token,
            key: Some(admin_key.0.clone()),
        };
        let other = Person {
            id: tenant.admin_id,
            name: "admin".into(),
            domain: tenant.domain_name,
            password: ADMIN_PASSWORD,
            token: other_token,
            key: None,
        };
        World {
            h,
            admin,
            member,
            reader,
            victim,
            gone,
            other,
            admin_key,
            victims_group,
            spares_group,
            spare_project,
        }
    }

    /// Whose credential a kind of caller uses (a key acts as the admin's).
    fn person(&self, kind: Kind) -> &Person {
        match kind {
            Kind::Admin | Kind::PermanentKey | Kind::TemporaryKey | Kind::Internal => &self.admin,
            Kind::Member => &self.member,
            Kind::Readonly => &self.reader,
            Kind::OtherDomain => &self.other,
            Kind::DisabledOrDeleted => &self.gone,
        }
    }

    /// The action's request, aimed at the caller's own resource or at the victim's.
    fn request(&self, action: Action, kind: Kind, own: bool) -> (&'static str, String, Value) {
        let me = self.person(kind);
        let target = if own { me } else { &self.victim };
        let domain = &self.h.boot.domain_id;
        let project = &self.h.boot.project_id;
        let victims = &self.victims_group;
        let creds = "/v3.0/OS-CREDENTIAL/credentials";
        let key = target.key.clone().unwrap_or_default();
        let null = Value::Null;
        use Action::*;
        match action {
            CreateToken => (
                "POST",
                "/v3/auth/tokens".into(),
                password_body(&me.domain, &me.name, me.password, Value::Null),
            ),
            ValidateToken => ("GET", "/v3/auth/tokens".into(), null),
            CheckToken => ("HEAD", "/v3/auth/tokens".into(), null),
            RevokeToken => ("DELETE", "/v3/auth/tokens".into(), null),
            ListAuthProjects => ("GET", "/v3/auth/projects".into(), null),
            ListAuthDomains => ("GET", "/v3/auth/domains".into(), null),
            ShowCatalog => ("GET", "/v3/auth/catalog".into(), null),
            CreateUser => (
                "POST",
                "/v3/users".into(),
                json!({ "user": { "name": "newbie", "domain_id": domain, "password": USER_PASSWORD } }),
            ),
            ListUsers => ("GET", "/v3/users".into(), null),
            GetUser => ("GET", format!("/v3/users/{}", target.id), null),
            UpdateUser => (
                "PATCH",
                format!("/v3/users/{}", target.id),
                json!({ "user": { "description": "changed" } }),
            ),
            DeleteUser => ("DELETE", format!("/v3/users/{}", target.id), null),
            ChangePassword => (
                "POST",
                format!("/v3/users/{}/password", target.id),
                json!({ "user": { "original_password": target.password, "password": "N3w-Passw0rd!" } }),
            ),
            ListGroupsForUser => ("GET", format!("/v3/users/{}/groups", target.id), null),
            ListProjectsForUser => ("GET", format!("/v3/users/{}/projects", target.id), null),
            CreateProject => (
                "POST",
                "/v3/projects".into(),
                json!({ "project": { "name": "newproject", "domain_id": domain } }),
            ),
            ListProjects => ("GET", "/v3/projects".into(), null),
            // Own: a project the caller holds a role on; else one they hold none on.
            GetProject => {
                let id = if own { project } else { &self.spare_project };
                ("GET", format!("/v3/projects/{id}"), null)
            }
            UpdateProject => (
                "PATCH",
                format!("/v3/projects/{}", self.spare_project),
                json!({ "project": { "description": "changed" } }),
            ),
            DeleteProject => (
                "DELETE",
                format!("/v3/projects/{}", self.spare_project),
                null,
            ),
            CreateGroup => (
                "POST",
                "/v3/groups".into(),
                json!({ "group": { "name": "newgroup", "domain_id": domain } }),
            ),
            ListGroups => ("GET", "/v3/groups".into(), null),
            GetGroup => ("GET", format!("/v3/groups/{victims}"), null),
            UpdateGroup => (
                "PATCH",
                format!("/v3/groups/{victims}"),
                json!({ "group": { "description": "changed" } }),
            ),
            DeleteGroup => ("DELETE", format!("/v3/groups/{victims}"), null),
            ListUsersInGroup => ("GET", format!("/v3/groups/{victims}/users"), null),
            AddUserToGroup => (
                "PUT",
                format!("/v3/groups/{}/users/{}", self.spares_group, self.victim.id),
                null,
            ),
            CheckUserInGroup => (
                "HEAD",
                format!("/v3/groups/{victims}/users/{}", self.victim.id),
                null,
            ),
            RemoveUserFromGroup => (
                "DELETE",
                format!("/v3/groups/{victims}/users/{}", self.victim.id),
                null,
            ),
            ListProjectPermissions => (
                "GET",
                format!("/v3/projects/{project}/groups/{victims}/roles"),
                null,
            ),
            GrantProjectPermission => (
                "PUT",
                format!("/v3/projects/{project}/groups/{victims}/roles/{READONLY_ROLE_ID}"),
                null,
            ),
            CheckProjectPermission => (
                "HEAD",
                format!("/v3/projects/{project}/groups/{victims}/roles/{MEMBER_ROLE_ID}"),
                null,
            ),
            RevokeProjectPermission => (
                "DELETE",
                format!("/v3/projects/{project}/groups/{victims}/roles/{MEMBER_ROLE_ID}"),
                null,
            ),
            ListDomainPermissions => (
                "GET",
                format!("/v3/domains/{domain}/groups/{victims}/roles"),
                null,
            ),
            GrantDomainPermission => (
                "PUT",
                format!("/v3/domains/{domain}/groups/{victims}/roles/{MEMBER_ROLE_ID}"),
                null,
            ),
            CheckDomainPermission => (
                "HEAD",
                format!("/v3/domains/{domain}/groups/{victims}/roles/{READONLY_ROLE_ID}"),
                null,
            ),
            RevokeDomainPermission => (
                "DELETE",
                format!("/v3/domains/{domain}/groups/{victims}/roles/{READONLY_ROLE_ID}"),
                null,
            ),
            ListRoles => ("GET", "/v3/roles".into(), null),
            GetRole => ("GET", format!("/v3/roles/{MEMBER_ROLE_ID}"), null),
            CreateCredential => (
                "POST",
                creds.into(),
                json!({ "credential": { "user_id": target.id } }),
            ),
            ListCredentials => ("GET", format!("{creds}?user_id={}", target.id), null),
            GetCredential => ("GET", format!("{creds}/{key}"), null),
            UpdateCredential => (
                "PUT",
                format!("{creds}/{key}"),
                json!({ "credential": { "description": "changed" } }),
            ),
            DeleteCredential => ("DELETE", format!("{creds}/{key}"), null),
            CreateCredentialV5 => ("POST", format!("/v5/users/{}/access-keys", target.id), null),
            ListCredentialsV5 => ("GET", format!("/v5/users/{}/access-keys", target.id), null),
            UpdateCredentialV5 => (
                "PUT",
                format!("/v5/users/{}/access-keys/{key}", target.id),
                json!({ "status": "inactive" }),
            ),
            DeleteCredentialV5 => (
                "DELETE",
                format!("/v5/users/{}/access-keys/{key}", target.id),
                null,
            ),
            GetCredentialLastUsedV5 => (
                "GET",
                format!("/v5/users/{}/access-keys/{key}/last-used", target.id),
                null,
            ),
            // The body names the caller's own token: a key is always for oneself.
            CreateTemporaryAccessKey => (
                "POST",
                "/v3.0/OS-CREDENTIAL/securitytokens".into(),
                json!({ "auth": { "identity": { "methods": ["token"],
                        "token": { "id": me.token } } } }),
            ),
            GetTokenKeys => ("GET", "/internal/v1/token-keys".into(), null),
            ListRevocations => ("GET", "/internal/v1/revocations?after=0".into(), null),
            CheckSignature => (
                "POST",
                "/internal/v1/signature-checks".into(),
                json!({ "algorithm": "SDK-HMAC-SHA256", "access": self.admin_key.0,
                        "string_to_sign": "SDK-HMAC-SHA256\n20240101T000000Z\nabc",
                        "signature": "00" }),
            ),
            ReleaseSignature => (
                "POST",
                "/internal/v1/signature-releases".into(),
                json!({ "access": self.admin_key.0, "signature": "00" }),
            ),
            CheckDirectory => (
                "POST",
                "/internal/v1/directory-checks".into(),
                json!({ "domain_id": domain, "user_names": ["victim"] }),
            ),
        }
    }

    /// The request as `kind` sends it. The subject of a token action is the caller's own
    /// token, or the victim's.
    fn sent_by(&self, kind: Kind, action: Action, own: bool) -> TestRequest {
        let (method, uri, body) = self.request(action, kind, own);
        let me = self.person(kind);
        let project = &self.h.boot.project_id;
        let mut req = match kind {
            Kind::PermanentKey => {
                let bytes = if body.is_null() {
                    Vec::new()
                } else {
                    serde_json::to_vec(&body).expect("json")
                };
                let (ak, sk) = (&self.admin_key.0, &self.admin_key.1);
                sdk_signed(method, &uri, &bytes, (ak, sk), project, None)
            }
            Kind::TemporaryKey => temporary_signed(method, &uri, &body, &me.id, project),
            _ => {
                let req = TestRequest::default()
                    .method(method.parse().expect("method"))
                    .uri(&uri);
                let req = if body.is_null() {
                    req
                } else {
                    req.set_json(&body)
                };
                match kind {
                    Kind::Internal => req.insert_header(("X-Internal-Token", INTERNAL_SECRET)),
                    _ if action == Action::CreateToken => req,
                    _ => with_token(req, &me.token),
                }
            }
        };
        let subject = if own { &me.token } else { &self.victim.token };
        if uri.starts_with("/v3/auth/tokens") && action != Action::CreateToken {
            req = req.insert_header(("X-Subject-Token", subject.clone()));
        }
        req
    }
}

async fn run_case(action: Action, kind: Kind, own: bool) -> (u16, Value) {
    let world = World::new().await;
    let (status, body, _) = world
        .h
        .app
        .call(world.sent_by(kind, action, own))
        .await
        .parts();
    (status.as_u16(), body)
}

/// Whether a status is the one a cell asks for.
type StatusCheck = fn(u16) -> bool;

/// Every cell of `action`'s row, each on a fresh world.
async fn check_row(action: Action) {
    for kind in Kind::ALL {
        let answer = action.answer(kind);
        let expect: &[(bool, StatusCheck)] = match answer {
            Answer::Allow => &[(false, |s| (200..300).contains(&s))],
            Answer::Own => &[(true, |s| (200..300).contains(&s)), (false, |s| s == 403)],
            Answer::Deny => &[(false, |s| s == 403)],
            Answer::Hidden => &[(false, |s| s == 404)],
            Answer::NoAuth => &[(false, |s| s == 401)],
        };
        for (own, ok) in expect {
            let (status, body) = run_case(action, kind, *own).await;
            let case = format!(
                "{} ({}) as {} on {}: the table says {}, got {status} {body}",
                action.name(),
                action.route(),
                kind.heading(),
                if *own { "their own" } else { "someone else's" },
                answer.word(),
            );
            assert!(ok(status), "{case}");
            if status >= 400 && action.route().contains(" /v5/") {
                assert!(body["error_code"].is_string(), "{case}");
                assert!(
                    body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
                    "{case}"
                );
            } else if status >= 400 {
                assert_eq!(body["error"]["code"], status, "{case}");
            }
        }
    }
}

macro_rules! matrix {
    ($($test:ident: $action:ident,)+) => {
        $(
            #[actix_web::test]
            async fn $test() {
                check_row(Action::$action).await;
            }
        )+

        #[test]
        fn the_matrix_covers_every_action() {
            let covered = [$(Action::$action),+];
            for action in Action::ALL {
                assert!(covered.contains(action), "{} has no matrix test", action.name());
            }
        }
    };
}

matrix! {
    create_token: CreateToken,
    validate_token: ValidateToken,
    check_token: CheckToken,
    revoke_token: RevokeToken,
    list_auth_projects: ListAuthProjects,
    list_auth_domains: ListAuthDomains,
    show_catalog: ShowCatalog,
    create_user: CreateUser,
    list_users: ListUsers,
    get_user: GetUser,
    update_user: UpdateUser,
    delete_user: DeleteUser,
    change_password: ChangePassword,
    list_groups_for_user: ListGroupsForUser,
    list_projects_for_user: ListProjectsForUser,
    create_project: CreateProject,
    list_projects: ListProjects,
    get_project: GetProject,
    update_project: UpdateProject,
    delete_project: DeleteProject,
    create_group: CreateGroup,
    list_groups: ListGroups,
    get_group: GetGroup,
    update_group: UpdateGroup,
    delete_group: DeleteGroup,
    list_users_in_group: ListUsersInGroup,
    add_user_to_group: AddUserToGroup,
    check_user_in_group: CheckUserInGroup,
    remove_user_from_group: RemoveUserFromGroup,
    list_project_permissions: ListProjectPermissions,
    grant_project_permission: GrantProjectPermission,
    check_project_permission: CheckProjectPermission,
    revoke_project_permission: RevokeProjectPermission,
    list_domain_permissions: ListDomainPermissions,
    grant_domain_permission: GrantDomainPermission,
    check_domain_permission: CheckDomainPermission,
    revoke_domain_permission: RevokeDomainPermission,
    list_roles: ListRoles,
    get_role: GetRole,
    create_credential: CreateCredential,
    list_credentials: ListCredentials,
    get_credential: GetCredential,
    update_credential: UpdateCredential,
    delete_credential: DeleteCredential,
    create_credential_v5: CreateCredentialV5,
    list_credentials_v5: ListCredentialsV5,
    update_credential_v5: UpdateCredentialV5,
    delete_credential_v5: DeleteCredentialV5,
    get_credential_last_used_v5: GetCredentialLastUsedV5,
    create_temporary_access_key: CreateTemporaryAccessKey,
    get_token_keys: GetTokenKeys,
    list_revocations: ListRevocations,
    check_signature: CheckSignature,
    release_signature: ReleaseSignature,
    check_directory: CheckDirectory,
}

/// The code's table as docs/policy/iam.md writes it: the action, its request, then one
/// cell per kind of caller.
#[test]
fn the_documented_table_is_the_codes() {
    let headings = Kind::ALL.map(Kind::heading);
    let mut table = PolicyTable::new(["action", "request"].into_iter().chain(headings));
    for action in Action::ALL {
        table.row(
            &[action.name(), action.route()],
            Kind::ALL.map(|k| action.answer(k).word()),
        );
    }
    table.assert_documented(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/policy/iam.md"
    ));
}
