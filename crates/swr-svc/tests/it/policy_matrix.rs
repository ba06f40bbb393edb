//! The policy table through HTTP: one test per (action, kind of caller), each asking the
//! real app and checking the status, SWR's envelope and the rows against what
//! `swr_svc::policy::documented` says; and docs/policy/swr.md against the same table.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};
use service_kit::auth::wire::RevocationKind;
use service_kit::auth::INTERNAL_TOKEN_HEADER;
use swr_svc::policy::{documented, Action, Answer, CallerKind, Grant};
use swr_svc::schema::{credentials, instances, jobs, namespaces};

use crate::common::*;

/// How the caller authenticates.
enum Caller {
    Token(String),
    Key(Key),
    /// Only service-to-service credentials, which no public endpoint accepts.
    Internal,
}

impl Caller {
    fn request<'a>(
        &'a self,
        app: &'a TestApp,
        method: &str,
        uri: &str,
        body: Option<&Value>,
    ) -> TestCall<'a> {
        let plain = || {
            let call = app.request(method, uri);
            match body {
                Some(body) => call.json(body),
                None => call,
            }
        };
        match self {
            Caller::Token(token) => plain().token(token),
            Caller::Key(key) => signed(app, key, method, uri, body),
            Caller::Internal => plain().header(INTERNAL_TOKEN_HEADER, "i".repeat(48)),
        }
    }
}

/// The world each case starts from: an instance with the namespace `team`, and long-term
/// credentials of the caller ("carol") and of another member ("owen"). For the enable action they are disabled by
/// their owners, and one more of carol's is disabled by an admin.
struct World {
    instance: String,
    job: String,
    own: String,
    others: String,
    admin_disabled: String,
}

async fn world(h: &Harness, app: &TestApp, action: Action) -> World {
    let admin = h.token("adam", PROJECT, &["admin"]);
    let made = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&json!({ "name": "registry" }))
        .await
        .assert_created()
        .json();
    let instance = made["instance_id"].as_str().unwrap().to_string();
    let base = format!("/v2/{PROJECT}/instances/{instance}");
    app.post(&format!("{base}/namespaces"))
        .token(&admin)
        .json(&json!({ "namespace_name": "team", "metadata": { "public": "false" } }))
        .await
        .assert_created();
    let carol = h.token("carol", PROJECT, &["member"]);
    let owen = h.token("owen", PROJECT, &["member"]);
    let mut ids = Vec::new();
    for (token, name) in [
        (&carol, "own"),
        (&owen, "others"),
        (&carol, "admin-disabled"),
    ] {
        let body = app
            .post(&format!("{base}/long-term-credential"))
            .token(token)
            .json(&json!({ "name": name }))
            .await
            .assert_created()
            .json();
        ids.push(body["token_id"].as_str().unwrap().to_string());
    }
    let disable = |token: &str, id: &str| {
        app.put(&format!("{base}/long-term-credentials/{id}"))
            .token(token)
            .json(&json!({ "enable": false }))
    };
    let mut disables = vec![disable(&admin, &ids[2])];
    if action == Action::EnableLongTermCredential {
        disables.push(disable(&carol, &ids[0]));
        disables.push(disable(&owen, &ids[1]));
    }
    for req in disables {
        req.await.assert_created();
    }
    World {
        instance,
        job: made["job_id"].as_str().unwrap().to_string(),
        own: ids[0].clone(),
        others: ids[1].clone(),
        admin_disabled: ids[2].clone(),
    }
}

/// The caller of a kind; carol, unless the kind is someone else.
fn caller(h: &Harness, kind: CallerKind) -> Caller {
    match kind {
        CallerKind::Admin => Caller::Token(h.token("carol", PROJECT, &["admin"])),
        CallerKind::Member => Caller::Token(h.token("carol", PROJECT, &["member"])),
        CallerKind::Readonly => Caller::Token(h.token("carol", PROJECT, &["readonly"])),
        // The same user, as admin of another project.
        CallerKind::OtherProject => Caller::Token(h.token("carol", OTHER_PROJECT, &["admin"])),
        CallerKind::OtherDomain => {
            Caller::Token(h.token_in("domain-2", "mallory", "project-of-domain-2", &["admin"]))
        }
        CallerKind::PermanentKey => Caller::Key(h.permanent_key("carol", PROJECT, &["member"])),
        CallerKind::TemporaryKey => {
            Caller::Key(h.temporary_key("carol", PROJECT, &["member"], key_lifetime(3600)))
        }
        CallerKind::DisabledUser => {
            let token = h.token("carol", PROJECT, &["member"]);
            feed_revocation(&h.state.verifier, RevocationKind::UserAccess, "carol-id");
            Caller::Token(token)
        }
        CallerKind::Internal => Caller::Internal,
    }
}

/// The request for `action`; `target` is the credential it acts on, if it acts on one.
fn request(w: &World, action: Action, target: &str) -> (&'static str, String, Option<Value>) {
    let project = format!("/v2/{PROJECT}");
    let instance = format!("{project}/instances/{}", w.instance);
    let one = format!("{instance}/long-term-credentials/{target}");
    let named = Some(json!({ "name": "made-by-caller" }));
    match action {
        Action::CreateInstance => ("POST", format!("{project}/instances"), named),
        Action::ListInstances => ("GET", format!("{project}/instances"), None),
        Action::GetInstance => ("GET", instance, None),
        Action::DeleteInstance => ("DELETE", instance, None),
        Action::ListJobs => ("GET", format!("{project}/jobs"), None),
        Action::GetJob => ("GET", format!("{project}/jobs/{}", w.job), None),
        Action::DeleteJob => ("DELETE", format!("{project}/jobs/{}", w.job), None),
        Action::CreateLongTermCredential => {
            ("POST", format!("{instance}/long-term-credential"), named)
        }
        Action::CreateTempCredential => ("POST", format!("{instance}/temp-credential"), None),
        Action::ListOwnLongTermCredentials => {
            ("GET", format!("{instance}/long-term-credentials"), None)
        }
        Action::ListAllLongTermCredentials => (
            "GET",
            format!("{instance}/long-term-credentials?self_only=false"),
            None,
        ),
        Action::DisableLongTermCredential => ("PUT", one, Some(json!({ "enable": false }))),
        Action::EnableLongTermCredential => ("PUT", one, Some(json!({ "enable": true }))),
        Action::DeleteLongTermCredential => ("DELETE", one, None),
        Action::CreateNamespace => (
            "POST",
            format!("{instance}/namespaces"),
            Some(json!({ "namespace_name": "made-by-caller", "metadata": { "public": "false" } })),
        ),
        Action::ListNamespaces => ("GET", format!("{instance}/namespaces"), None),
        Action::GetNamespace => ("GET", format!("{instance}/namespaces/team"), None),
        Action::UpdateNamespace => (
            "PUT",
            format!("{instance}/namespaces/team"),
            Some(json!({ "metadata": { "public": "true" } })),
        ),
        Action::DeleteNamespace => ("DELETE", format!("{instance}/namespaces/team"), None),
    }
}

fn success(action: Action) -> u16 {
    match action {
        Action::DeleteInstance => 202,
        Action::DeleteLongTermCredential | Action::DeleteJob => 204,
        Action::CreateInstance
        | Action::CreateNamespace
        | Action::CreateLongTermCredential
        | Action::CreateTempCredential
        | Action::DisableLongTermCredential
        | Action::EnableLongTermCredential => 201,
        _ => 200,
    }
}

fn is_write(action: Action) -> bool {
    success(action) != 200 || matches!(action, Action::UpdateNamespace | Action::DeleteNamespace)
}

/// Every row a request could change.
type Rows = (
    Vec<(String, String)>,
    Vec<(String, bool, Option<String>)>,
    Vec<(String, bool, bool)>,
    Vec<String>,
);

fn rows(h: &Harness) -> Rows {
    let mut conn = h.db.pool.get().unwrap();
    let instances = instances::table
        .select((instances::id, instances::name))
        .order(instances::id)
        .load(&mut conn)
        .unwrap();
    let credentials = credentials::table
        .select((
            credentials::id,
            credentials::enabled,
            credentials::disabled_by,
        ))
        .order(credentials::id)
        .load(&mut conn)
        .unwrap();
    let namespaces = namespaces::table
        .select((
            namespaces::name,
            namespaces::public,
            namespaces::deleted_at.is_null(),
        ))
        .order(namespaces::name)
        .load(&mut conn)
        .unwrap();
    let jobs = jobs::table
        .select(jobs::id)
        .order(jobs::id)
        .load(&mut conn)
        .unwrap();
    (instances, credentials, namespaces, jobs)
}

/// One cell: `kind` asks for `action`, on carol's and on owen's credential where the
/// answer depends on whose it is.
async fn check(action: Action, kind: CallerKind) {
    let (h, app) = Harness::start().await;
    let w = world(&h, &app, action).await;
    let who = caller(&h, kind);
    let answer = documented(action, kind);
    let case = format!("{} by {}: {}", action.name(), kind.heading(), answer.cell());
    let send = |target: &str| {
        let (method, uri, body) = request(&w, action, target);
        let req = who.request(&app, method, &uri, body.as_ref());
        let h = &h;
        let case = case.clone();
        async move {
            let before = rows(h);
            let (status, body, _) = req.await.parts();
            let after = rows(h);
            (status, body, before != after, case)
        }
    };
    let refused = |(status, body, changed, case): (StatusCode, Value, bool, String), code: u16| {
        // A caller scoped elsewhere is refused as the vendor refuses another's resources.
        let want = match (code, kind) {
            (401, _) => "SVCSTG.SWR.4010000",
            (_, CallerKind::OtherProject | CallerKind::OtherDomain) => "SVCSTG.SWR.4039001",
            _ => "SVCSTG.SWR.4039002",
        };
        assert_eq!(status.as_u16(), code, "{case}: {body}");
        assert_eq!(body["error_code"], want, "{case}: {body}");
        assert!(!changed, "{case}: a refused request changed rows");
    };
    let allowed = |(status, body, changed, case): (StatusCode, Value, bool, String)| {
        assert_eq!(status.as_u16(), success(action), "{case}: {body}");
        assert_eq!(changed, is_write(action), "{case}: rows changed: {changed}");
    };
    match answer {
        Answer::Unauthenticated => refused(send(&w.own).await, 401),
        Answer::Granted(Grant::No) => refused(send(&w.own).await, 403),
        Answer::Granted(Grant::Yes) => allowed(send(&w.others).await),
        Answer::Granted(Grant::Own) => {
            refused(send(&w.others).await, 403);
            allowed(send(&w.own).await);
        }
        Answer::Granted(Grant::OwnUnlessAdminDisabled) => {
            refused(send(&w.others).await, 403);
            refused(send(&w.admin_disabled).await, 403);
            allowed(send(&w.own).await);
        }
    }
}

// One module per action, one test per kind of caller in it.
service_kit::project_policy_matrix! {
    page: "swr.md";
    create_instance: CreateInstance,
    list_instances: ListInstances,
    get_instance: GetInstance,
    delete_instance: DeleteInstance,
    list_jobs: ListJobs,
    get_job: GetJob,
    delete_job: DeleteJob,
    create_long_term_credential: CreateLongTermCredential,
    create_temp_credential: CreateTempCredential,
    list_own_long_term_credentials: ListOwnLongTermCredentials,
    list_all_long_term_credentials: ListAllLongTermCredentials,
    disable_long_term_credential: DisableLongTermCredential,
    enable_long_term_credential: EnableLongTermCredential,
    delete_long_term_credential: DeleteLongTermCredential,
    create_namespace: CreateNamespace,
    list_namespaces: ListNamespaces,
    get_namespace: GetNamespace,
    update_namespace: UpdateNamespace,
    delete_namespace: DeleteNamespace,
}
