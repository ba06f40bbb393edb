//! The policy table through HTTP: one test per (action, kind of caller), each asking the
//! real app and checking the status, LakeFormation's envelope and the rows against what
//! `lakeformation_svc::policy::documented` says; and docs/policy/lakeformation.md against
//! the same table.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use lakeformation_svc::policy::{documented, Action, Answer, CallerKind, Grant};
use lakeformation_svc::schema::{instances, issuances};
use serde_json::{json, Value};
use service_kit::auth::wire::RevocationKind;
use service_kit::auth::INTERNAL_TOKEN_HEADER;

use crate::common::*;

/// How the caller authenticates.
enum Caller {
    Token(String),
    Permanent,
    Temporary(Issued),
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
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let call = app.request(method, uri);
        let plain = |call: TestCall<'a>| match body {
            Some(body) => call.json(body),
            None => call,
        };
        match self {
            Caller::Token(token) => plain(call).token(token),
            Caller::Permanent => call.body(bytes).signed(permanent_key(PROJECT)),
            Caller::Temporary(key) => call.body(bytes).signed(key.sdk(PROJECT)),
            Caller::Internal => plain(call).header(INTERNAL_TOKEN_HEADER, INTERNAL_SECRET),
        }
    }
}

/// The world each case starts from: an instance, one in the recycle bin, and a temporary
/// credential of the caller ("carol") and of another member ("owen").
struct World {
    instance: String,
    recycled: String,
    own: String,
    others: String,
}

async fn world(h: &Harness, app: &TestApp) -> World {
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(app, &admin, PROJECT, "lake-1").await;
    let recycled = create_instance(app, &admin, PROJECT, "lake-recycled").await;
    app.delete(&format!(
        "/v1/{PROJECT}/instances/{recycled}?to_recycle_bin=true"
    ))
    .token(&admin)
    .await
    .assert_accepted();
    let carol = h.token("carol", PROJECT, &["member"]);
    let owen = h.token("owen", PROJECT, &["member"]);
    World {
        own: issue(app, &carol, &instance, None).await.access,
        others: issue(app, &owen, &instance, None).await.access,
        instance,
        recycled,
    }
}

/// The caller of a kind; carol, unless the kind is someone else.
async fn caller(h: &Harness, app: &TestApp, w: &World, kind: CallerKind) -> Caller {
    match kind {
        CallerKind::Admin => Caller::Token(h.token("carol", PROJECT, &["admin"])),
        CallerKind::Member => Caller::Token(h.token("carol", PROJECT, &["member"])),
        CallerKind::Readonly => Caller::Token(h.token("carol", PROJECT, &["readonly"])),
        // The same user, as admin of another project.
        CallerKind::OtherProject => Caller::Token(h.token("carol", OTHER_PROJECT, &["admin"])),
        CallerKind::OtherDomain => {
            Caller::Token(h.token_in("domain-2", "mallory", "project-of-domain-2", &["admin"]))
        }
        CallerKind::PermanentKey => Caller::Permanent,
        CallerKind::TemporaryKey => {
            let carol = h.token("carol", PROJECT, &["member"]);
            Caller::Temporary(issue(app, &carol, &w.instance, None).await)
        }
        CallerKind::DisabledUser => {
            let token = h.token("carol", PROJECT, &["member"]);
            feed_revocation(&h.state.verifier, RevocationKind::UserAccess, "carol-id");
            Caller::Token(token)
        }
        CallerKind::Internal => Caller::Internal,
    }
}

/// Whose credentials a revocation names: carol's own or owen's.
#[derive(Clone, Copy)]
enum Whose {
    Own,
    Others,
}

/// The request for `action`, on `whose` credentials where it acts on some.
fn request(w: &World, action: Action, whose: Whose) -> (&'static str, String, Option<Value>) {
    let project = format!("/v1/{PROJECT}");
    let instance = format!("{project}/instances/{}", w.instance);
    let revocations = format!("{project}/credential-revocations");
    let (access, user) = match whose {
        Whose::Own => (&w.own, "carol-id"),
        Whose::Others => (&w.others, "owen-id"),
    };
    match action {
        Action::CreateInstance => (
            "POST",
            format!("{project}/instances"),
            Some(json!({ "name": "made-by-caller" })),
        ),
        Action::ListInstances => ("GET", format!("{project}/instances"), None),
        Action::DescribeInstance => ("GET", instance, None),
        Action::UpdateInstance => ("PUT", instance, Some(json!({ "name": "renamed" }))),
        Action::DeleteInstance => ("DELETE", instance, None),
        Action::RecoverInstance => (
            "POST",
            format!("{project}/instances/{}/recover", w.recycled),
            None,
        ),
        Action::CreateCredential => ("POST", format!("{instance}/credential"), Some(json!({}))),
        Action::RevokeCredential => ("POST", revocations, Some(json!({ "access": access }))),
        Action::RevokeUserCredentials => ("POST", revocations, Some(json!({ "user_id": user }))),
    }
}

fn success(action: Action) -> u16 {
    match action {
        Action::CreateInstance | Action::DeleteInstance => 202,
        Action::RevokeCredential | Action::RevokeUserCredentials => 204,
        Action::ListInstances
        | Action::DescribeInstance
        | Action::UpdateInstance
        | Action::RecoverInstance
        | Action::CreateCredential => 200,
    }
}

fn is_write(action: Action) -> bool {
    !matches!(action, Action::ListInstances | Action::DescribeInstance)
}

/// Every row a request could change: instances with whether each is in the recycle bin,
/// and credentials with whether each is revoked.
type Rows = (Vec<(String, String, bool)>, Vec<(String, String, bool)>);

fn rows(h: &Harness) -> Rows {
    let mut conn = h.db.pool.get().unwrap();
    let instances = instances::table
        .select((
            instances::id,
            instances::name,
            instances::recycled_at.is_not_null(),
        ))
        .order(instances::id)
        .load(&mut conn)
        .unwrap();
    let credentials = issuances::table
        .select((
            issuances::id,
            issuances::user_id,
            issuances::revoked_at.is_not_null(),
        ))
        .order(issuances::id)
        .load(&mut conn)
        .unwrap();
    (instances, credentials)
}

/// One cell: `kind` asks for `action`, on carol's and on owen's credentials where the
/// answer depends on whose they are.
async fn check(action: Action, kind: CallerKind) {
    let (h, app) = Harness::start().await;
    let w = world(&h, &app).await;
    let who = caller(&h, &app, &w, kind).await;
    let answer = documented(action, kind);
    let case = format!("{} by {}: {}", action.name(), kind.heading(), answer.cell());
    let send = |whose: Whose| {
        let (method, uri, body) = request(&w, action, whose);
        let req = who.request(&app, method, &uri, body.as_ref());
        let h = &h;
        async move {
            let before = rows(h);
            let (status, body, _) = req.await.parts();
            let after = rows(h);
            (status, body, before != after)
        }
    };
    let refused = |(status, body, changed): (StatusCode, Value, bool), code: u16| {
        let want = if code == 401 { "APIG.1002" } else { "403" };
        assert_eq!(status.as_u16(), code, "{case}: {body}");
        assert_eq!(body["error_code"], want, "{case}: {body}");
        for field in ["error_msg", "solution_msg"] {
            assert!(
                body[field].as_str().is_some_and(|m| !m.is_empty()),
                "{case}: {body}"
            );
        }
        assert!(!changed, "{case}: a refused request changed rows");
    };
    let allowed = |(status, body, changed): (StatusCode, Value, bool)| {
        assert_eq!(status.as_u16(), success(action), "{case}: {body}");
        assert_eq!(changed, is_write(action), "{case}: rows changed: {changed}");
    };
    match answer {
        Answer::Unauthenticated => refused(send(Whose::Own).await, 401),
        Answer::Granted(Grant::No) => refused(send(Whose::Own).await, 403),
        Answer::Granted(Grant::Yes) => allowed(send(Whose::Others).await),
        // No admin disables a temporary credential (it is revoked): the table never says
        // "unless an admin disabled it", and it would mean "own" here.
        Answer::Granted(Grant::Own | Grant::OwnUnlessAdminDisabled) => {
            refused(send(Whose::Others).await, 403);
            allowed(send(Whose::Own).await);
        }
    }
}

// One module per action, one test per kind of caller in it.
service_kit::project_policy_matrix! {
    page: "lakeformation.md";
    create_instance: CreateInstance,
    list_instances: ListInstances,
    describe_instance: DescribeInstance,
    update_instance: UpdateInstance,
    delete_instance: DeleteInstance,
    recover_instance: RecoverInstance,
    create_credential: CreateCredential,
    revoke_credential: RevokeCredential,
    revoke_user_credentials: RevokeUserCredentials,
}
