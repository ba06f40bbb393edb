//! Hostile and broken requests against the three body-taking calls clients use most
//! (`POST /v3/users`, `POST /v3/auth/tokens`, `PATCH /v3/projects/{id}`) and the request id
//! every answer carries. Each refusal is a Keystone envelope, never a 5xx, never echoes a
//! submitted secret, and leaves the stored rows as they were.

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;

/// The calls under test.
#[derive(Clone, Copy, Debug)]
enum Target {
    CreateUser,
    CreateToken,
    UpdateProject,
}

const TARGETS: [Target; 3] = [
    Target::CreateUser,
    Target::CreateToken,
    Target::UpdateProject,
];

/// An app with a known user and project, and their answers before any bad request.
struct Fixture {
    h: Harness,
    admin: String,
    user_id: String,
    user_before: Value,
    users_before: Value,
    project_before: Value,
}

impl Fixture {
    /// A fresh harness's fixture, and its app.
    async fn init() -> (Fixture, TestApp) {
        Self::over(Harness::new().await).await
    }

    /// The fixture over `h`, and its app.
    async fn over(h: Harness) -> (Fixture, TestApp) {
        let app = h.app.clone();
        let fx = Self::new(h, &app).await;
        (fx, app)
    }

    async fn new(h: Harness, app: &TestApp) -> Fixture {
        let admin = app.admin_token(&h).await;
        let user_id = app.create_user_as(&admin, "alice").await;
        let mut fx = Fixture {
            h,
            admin,
            user_id,
            user_before: Value::Null,
            users_before: Value::Null,
            project_before: Value::Null,
        };
        (fx.user_before, fx.users_before, fx.project_before) = fx.snapshot(app).await;
        fx
    }

    fn project_uri(&self) -> String {
        format!("/v3/projects/{}", self.h.boot.project_id)
    }

    async fn snapshot(&self, app: &TestApp) -> (Value, Value, Value) {
        let get = |uri: String| with_token(TestRequest::get().uri(&uri), &self.admin);
        let (s1, user, _) = app
            .call(get(format!("/v3/users/{}", self.user_id)))
            .await
            .parts();
        let (s2, users, _) = app.call(get("/v3/users".into())).await.parts();
        let (s3, project, _) = app.call(get(self.project_uri())).await.parts();
        assert_eq!(
            [s1, s2, s3],
            [StatusCode::OK; 3],
            "{user} {users} {project}"
        );
        (user, users, project)
    }

    /// The stored user, user list and project answer exactly as before.
    async fn assert_unchanged(&self, app: &TestApp, what: &str) {
        let (user, users, project) = self.snapshot(app).await;
        assert_eq!(user, self.user_before, "user changed after {what}");
        assert_eq!(users, self.users_before, "user list changed after {what}");
        assert_eq!(project, self.project_before, "project changed after {what}");
    }

    /// The request for `target` with the admin's token (which POST /v3/auth/tokens ignores).
    fn request(&self, target: Target) -> TestRequest {
        let req = match target {
            Target::CreateUser => TestRequest::post().uri("/v3/users"),
            Target::CreateToken => TestRequest::post().uri("/v3/auth/tokens"),
            Target::UpdateProject => TestRequest::patch().uri(&self.project_uri()),
        };
        with_token(req, &self.admin)
    }

    fn with_raw(
        &self,
        target: Target,
        content_type: &str,
        payload: impl Into<actix_web::web::Bytes>,
    ) -> TestRequest {
        self.request(target)
            .insert_header(("Content-Type", content_type.to_string()))
            .set_payload(payload)
    }

    fn with_json(&self, target: Target, body: Value) -> TestRequest {
        self.request(target).set_json(body)
    }
}

/// A well-formed body for `target`.
fn valid_body(target: Target) -> Value {
    match target {
        Target::CreateUser => json!({ "user": { "name": "bob", "password": USER_PASSWORD } }),
        Target::CreateToken => {
            password_body(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        }
        Target::UpdateProject => json!({ "project": { "name": "renamed" } }),
    }
}

/// Send, check the answer is the 400 envelope with `message`, and that nothing changed.
async fn expect_400(app: &TestApp, fx: &Fixture, req: TestRequest, message: &str, what: &str) {
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    assert_keystone_error(status, &body, 400, message);
    fx.assert_unchanged(app, what).await;
}

/// Like [`expect_400`] when the message carries a position that depends on the body.
async fn expect_400_starting(
    app: &TestApp,
    fx: &Fixture,
    req: TestRequest,
    prefix: &str,
    what: &str,
) {
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no message in {body}"));
    assert!(message.starts_with(prefix), "{what}: {message}");
    assert_eq!(body, keystone_error_body(400, message), "{what}");
    fx.assert_unchanged(app, what).await;
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let (fx, app) = Fixture::init().await;
    let cases = [
        ("not json", "Malformed JSON at line 1 column 2."),
        ("{", "Malformed JSON at line 1 column 1."),
        ("{,}", "Malformed JSON at line 1 column 2."),
        ("{'user': 1}", "Malformed JSON at line 1 column 2."),
        ("{\n\n", "Malformed JSON at line 3 column 0."),
        ("{\"unterminated", "Malformed JSON at line 1 column 14."),
    ];
    for target in TARGETS {
        for (payload, message) in cases {
            let req = fx.with_raw(target, "application/json", payload);
            expect_400(&app, &fx, req, message, &format!("{target:?} {payload:?}")).await;
        }
    }
}

#[actix_web::test]
async fn an_empty_body_is_400() {
    let (fx, app) = Fixture::init().await;
    for target in TARGETS {
        let req = fx.with_raw(target, "application/json;charset=utf-8", "");
        expect_400(
            &app,
            &fx,
            req,
            "Malformed JSON at line 1 column 0.",
            &format!("{target:?}"),
        )
        .await;
        let req = fx.with_raw(target, "application/json", "   \n");
        expect_400(
            &app,
            &fx,
            req,
            "Malformed JSON at line 2 column 0.",
            &format!("{target:?} blank"),
        )
        .await;
    }
}

#[actix_web::test]
async fn a_json_scalar_body_is_400() {
    let (fx, app) = Fixture::init().await;
    for target in TARGETS {
        for payload in ["null", "42", "true", "\"text\"", "[]"] {
            let req = fx.with_raw(target, "application/json", payload);
            expect_400_starting(
                &app,
                &fx,
                req,
                "Invalid request body: a value has the wrong type or form.",
                &format!("{target:?} {payload}"),
            )
            .await;
        }
    }
}

/// Keystone bodies are JSON objects. serde's derived structs would also read a JSON array
/// positionally (`[{"name": "bob"}]` as `{"user": {"name": "bob"}}`); that must be refused.
#[actix_web::test]
async fn a_json_array_body_is_400() {
    let cases = [
        (Target::CreateUser, json!([{ "user": { "name": "bob" } }])),
        (Target::CreateUser, json!([{ "name": "bob" }])),
        (Target::CreateUser, json!([["carol"]])),
        (
            Target::CreateUser,
            json!({ "user": ["dave", null, USER_PASSWORD] }),
        ),
        (
            Target::CreateToken,
            json!([valid_body(Target::CreateToken)["auth"]]),
        ),
        (
            Target::CreateToken,
            json!({ "auth": [{ "methods": ["password"], "password": { "user": {
            "name": "alice", "domain": { "name": "local" }, "password": USER_PASSWORD } } }] }),
        ),
        (Target::UpdateProject, json!([{ "name": "renamed" }])),
        (Target::UpdateProject, json!({ "project": ["renamed"] })),
        (Target::UpdateProject, json!({ "project": [] })),
    ];
    let (mut fx, app) = Fixture::init().await;
    // All cases are reported together; one that got through is compared from its result on.
    let mut accepted = Vec::new();
    for (target, body) in cases {
        let what = format!("{target:?} {body}");
        let (status, got, headers) = app.call(fx.with_json(target, body)).await.parts();
        let message = got["error"]["message"].as_str().unwrap_or_default();
        if status != StatusCode::BAD_REQUEST || !message.starts_with("Invalid request body") {
            accepted.push(format!("{what} -> {status}"));
            (fx.user_before, fx.users_before, fx.project_before) = fx.snapshot(&app).await;
            continue;
        }
        assert_eq!(got, keystone_error_body(400, message));
        assert!(!headers.contains_key("x-subject-token"), "{what}");
        fx.assert_unchanged(&app, &what).await;
    }
    assert!(
        accepted.is_empty(),
        "array bodies read positionally:\n{}",
        accepted.join("\n")
    );
}

#[actix_web::test]
async fn wrong_types_are_400() {
    let (fx, app) = Fixture::init().await;
    let project = fx.h.boot.project_id.clone();
    let cases = [
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "enabled": "yes" } }),
        ),
        (Target::CreateUser, json!({ "user": { "name": 42 } })),
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "description": ["a"] } }),
        ),
        (Target::CreateUser, json!({ "user": "bob" })),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": "password" } } }),
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": [1] } } }),
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
            "name": "alice", "domain": "local", "password": USER_PASSWORD } } } } }),
        ),
        (
            Target::CreateToken,
            json!({ "auth": {
            "identity": { "methods": ["password"], "password": { "user": {
                "name": "alice", "domain": { "name": "local" }, "password": USER_PASSWORD } } },
            "scope": { "project": project } } }),
        ),
        (Target::UpdateProject, json!({ "project": { "name": 5 } })),
        (
            Target::UpdateProject,
            json!({ "project": { "description": false } }),
        ),
        (Target::UpdateProject, json!({ "project": "renamed" })),
    ];
    for (target, body) in cases {
        let what = format!("{target:?} {body}");
        let req = fx.with_json(target, body);
        expect_400_starting(
            &app,
            &fx,
            req,
            "Invalid request body: a value has the wrong type or form.",
            &what,
        )
        .await;
    }
}

#[actix_web::test]
async fn a_wrongly_typed_password_is_never_echoed() {
    let (fx, app) = Fixture::init().await;
    let secrets = [
        json!(98765432123u64),
        json!(-31415926535i64),
        json!(1.234567891),
        json!(true),
        json!(["S3cret-In-A-List"]),
    ];
    for secret in secrets {
        let text = secret.to_string();
        let requests = [
            fx.with_json(
                Target::CreateUser,
                json!({ "user": { "name": "bob", "password": secret } }),
            ),
            fx.with_json(
                Target::CreateToken,
                json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
                "name": "alice", "domain": { "name": "local" }, "password": secret } } } } }),
            ),
            with_token(
                TestRequest::patch().uri(&format!("/v3/users/{}", fx.user_id)),
                &fx.admin,
            )
            .set_json(json!({ "user": { "password": secret } })),
            with_token(
                TestRequest::post().uri(&format!("/v3/users/{}/password", fx.h.boot.user_id)),
                &fx.admin,
            )
            .set_json(
                json!({ "user": { "original_password": secret, "password": USER_PASSWORD } }),
            ),
        ];
        for req in requests {
            let body = app.call(req).await.assert_bad_request().json();
            let message = body["error"]["message"].as_str().expect("message");
            assert!(
                message.starts_with("Invalid request body: a value has the wrong type or form"),
                "{message}"
            );
            let shown = body.to_string();
            assert!(
                !shown.contains(text.trim_matches(|c| c == '[' || c == ']' || c == '"')),
                "{text} echoed: {shown}"
            );
        }
    }
    fx.assert_unchanged(&app, "wrongly typed passwords").await;
    app.login(
        bootstrap::DOMAIN,
        bootstrap::USER,
        ADMIN_PASSWORD,
        Value::Null,
    )
    .await;
}

#[actix_web::test]
async fn unknown_fields_are_400_and_named() {
    let (fx, app) = Fixture::init().await;
    let cases = [
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "is_admin": true } }),
            "is_admin",
        ),
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob" }, "group": {} }),
            "group",
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
            "name": "alice", "domain": { "name": "local" }, "password": USER_PASSWORD, "otp": "123456" } } } } }),
            "otp",
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": ["password"] }, "trust": {} } }),
            "trust",
        ),
        (
            Target::UpdateProject,
            json!({ "project": { "name": "x", "enabled": false } }),
            "enabled",
        ),
        (
            Target::UpdateProject,
            json!({ "project": { "domain_id": "elsewhere" } }),
            "domain_id",
        ),
    ];
    for (target, body, field) in cases {
        let what = format!("{target:?} {body}");
        let req = fx.with_json(target, body);
        expect_400_starting(
            &app,
            &fx,
            req,
            &format!("Invalid request body: unknown field `{field}`"),
            &what,
        )
        .await;
    }
}

#[actix_web::test]
async fn missing_required_fields_are_400() {
    let (fx, app) = Fixture::init().await;
    let cases = [
        (
            Target::CreateUser,
            json!({}),
            "Invalid request body: missing field `user`",
        ),
        (
            Target::CreateUser,
            json!({ "user": { "password": USER_PASSWORD } }),
            "Invalid request body: missing field `name`",
        ),
        (
            Target::CreateToken,
            json!({}),
            "Invalid request body: missing field `auth`",
        ),
        (
            Target::CreateToken,
            json!({ "auth": {} }),
            "Invalid request body: missing field `identity`",
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": {} } }),
            "Invalid request body: missing field `methods`",
        ),
        (
            Target::CreateToken,
            json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
            "name": "alice", "domain": { "name": "local" } } } } } }),
            "Invalid request body: missing field `password`",
        ),
        (
            Target::UpdateProject,
            json!({}),
            "Invalid request body: missing field `project`",
        ),
    ];
    for (target, body, prefix) in cases {
        let what = format!("{target:?} {body}");
        let req = fx.with_json(target, body);
        expect_400_starting(&app, &fx, req, prefix, &what).await;
    }
    // Well-formed JSON that still lacks what a login needs.
    let cases = [
        (
            json!({ "auth": { "identity": { "methods": ["password"] } } }),
            "Expecting to find password in identity",
        ),
        (
            json!({ "auth": { "identity": { "methods": ["token"] } } }),
            "Expecting to find token in identity",
        ),
        (
            json!({ "auth": { "identity": { "methods": [] } } }),
            "identity.methods must be [\"password\"] or [\"token\"]",
        ),
        (
            json!({ "auth": { "identity": { "methods": ["totp"] } } }),
            "identity.methods must be [\"password\"] or [\"token\"]",
        ),
        (
            json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": { "name": "alice", "password": USER_PASSWORD } } } } }),
            "Expecting to find user id, or user name with its domain, in password",
        ),
        (
            password_body(
                bootstrap::DOMAIN,
                "alice",
                USER_PASSWORD,
                json!({ "project": {} }),
            ),
            "Expecting a project id or name in scope",
        ),
        (
            password_body(
                bootstrap::DOMAIN,
                "alice",
                USER_PASSWORD,
                json!({ "domain": {} }),
            ),
            "Expecting a domain id or name",
        ),
    ];
    for (body, message) in cases {
        let what = body.to_string();
        expect_400(
            &app,
            &fx,
            fx.with_json(Target::CreateToken, body),
            message,
            &what,
        )
        .await;
    }
}

#[actix_web::test]
async fn a_body_that_is_not_declared_json_is_400() {
    let (fx, app) = Fixture::init().await;
    for target in TARGETS {
        let payload = valid_body(target).to_string();
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let req = fx.with_raw(target, content_type, payload.clone());
            expect_400(
                &app,
                &fx,
                req,
                "Content-Type must be application/json.",
                &format!("{target:?} {content_type}"),
            )
            .await;
        }
        let req = fx.request(target).set_payload(payload.clone());
        expect_400(
            &app,
            &fx,
            req,
            "Content-Type must be application/json.",
            &format!("{target:?} without Content-Type"),
        )
        .await;
    }
}

#[actix_web::test]
async fn a_body_over_64_kib_is_413() {
    let (fx, app) = Fixture::init().await;
    let filler = "x".repeat(64 * 1024);
    let bodies = [
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "description": filler } }),
        ),
        (
            Target::CreateToken,
            password_body(bootstrap::DOMAIN, "alice", &filler, Value::Null),
        ),
        (
            Target::UpdateProject,
            json!({ "project": { "description": filler } }),
        ),
    ];
    for (target, body) in bodies {
        app.call(fx.with_json(target, body))
            .await
            .assert_keystone_error(413, "The request body is too large.");
        fx.assert_unchanged(&app, &format!("{target:?} oversized"))
            .await;
    }
    // Just under the limit is read (and then judged on its content).
    let fits = "x".repeat(60 * 1024);
    let (status, body, _) = app
        .call(fx.with_json(
            Target::UpdateProject,
            json!({ "project": { "description": fits } }),
        ))
        .await
        .parts();
    assert_keystone_error(
        status,
        &body,
        400,
        "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters.",
    );
}

#[actix_web::test]
async fn very_long_strings_are_refused_without_a_server_error() {
    let (fx, app) = Fixture::init().await;
    let long = "a".repeat(10_000);
    let bad_user_name =
        "Invalid user name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let bad_project_name =
        "Invalid project name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let bad_description =
        "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters.";
    let bad_password =
        "Invalid password: 8 to 128 characters with at least two of lower case, upper case, digits and symbols.";
    let cases = [
        (
            Target::CreateUser,
            json!({ "user": { "name": long } }),
            bad_user_name,
        ),
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "description": long } }),
            bad_description,
        ),
        (
            Target::CreateUser,
            json!({ "user": { "name": "bob", "password": format!("A1-{long}") } }),
            bad_password,
        ),
        (
            Target::UpdateProject,
            json!({ "project": { "name": long } }),
            bad_project_name,
        ),
        (
            Target::UpdateProject,
            json!({ "project": { "description": long } }),
            bad_description,
        ),
    ];
    for (target, body, message) in cases {
        let what = format!("{target:?} long");
        expect_400(&app, &fx, fx.with_json(target, body), message, &what).await;
    }
    // Logins with absurd names or passwords are plain wrong logins.
    for body in [
        password_body(bootstrap::DOMAIN, &long, USER_PASSWORD, Value::Null),
        password_body(&long, "alice", USER_PASSWORD, Value::Null),
        password_body(bootstrap::DOMAIN, "alice", &long, Value::Null),
    ] {
        let (status, body, _) = app
            .call(fx.with_json(Target::CreateToken, body))
            .await
            .parts();
        assert_keystone_error(status, &body, 401, MSG_LOGIN_FAILED);
    }
    let body = password_body(
        bootstrap::DOMAIN,
        "alice",
        USER_PASSWORD,
        json!({ "project": { "id": long } }),
    );
    app.call(fx.with_json(Target::CreateToken, body))
        .await
        .assert_keystone_error(401, MSG_SCOPE_REFUSED);
    app.get(&format!("/v3/users/{long}"))
        .token(&fx.admin)
        .await
        .assert_keystone_error(404, "Could not find user.");
    let body = app
        .get(&format!("/v3/users?name={long}"))
        .token(&fx.admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["users"], json!([]));
    fx.assert_unchanged(&app, "long logins").await;
}

#[actix_web::test]
async fn non_ascii_names_are_400_and_non_ascii_logins_fail_plainly() {
    let (fx, app) = Fixture::init().await;
    let bad_user_name =
        "Invalid user name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    let bad_project_name =
        "Invalid project name: use 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space.";
    for name in ["jürgen", "用户", "ali\u{0301}ce", "al\u{200b}ice", "👤"] {
        expect_400(
            &app,
            &fx,
            fx.with_json(Target::CreateUser, json!({ "user": { "name": name } })),
            bad_user_name,
            name,
        )
        .await;
        expect_400(
            &app,
            &fx,
            fx.with_json(
                Target::UpdateProject,
                json!({ "project": { "name": name } }),
            ),
            bad_project_name,
            name,
        )
        .await;
        app.call(fx.with_json(
            Target::CreateToken,
            password_body(name, name, "pässwörd-1", Value::Null),
        ))
        .await
        .assert_keystone_error(401, MSG_LOGIN_FAILED);
    }
    // Descriptions may hold any language; they come back as sent.
    let description = "Équipe d'exploitation — 运维 ☕";
    let req = fx.with_json(
        Target::UpdateProject,
        json!({ "project": { "description": description } }),
    );
    app.call(req).await.assert_ok();
    let (_, body, _) = app.get(&fx.project_uri()).token(&fx.admin).await.parts();
    assert_eq!(body["project"]["description"], description);
}

/// PostgreSQL refuses NUL in text and SQLite would treat it as a miss; so a NUL in a
/// name, id or filter is refused up front with the same 400 on every backend.
#[actix_web::test]
async fn nul_bytes_in_lookups_are_400_on_every_backend() {
    let (fx, app) = Fixture::init().await;
    let login_as = |domain: &str, user: &str, scope: Value| {
        fx.with_json(
            Target::CreateToken,
            password_body(domain, user, USER_PASSWORD, scope),
        )
    };
    let get = |uri: &str| with_token(TestRequest::get().uri(uri), &fx.admin);
    let in_body = keystone_error_body(400, "Text must not contain NUL characters.");
    let in_url = keystone_error_body(400, "The URL must not contain NUL characters.");
    let cases = [
        (
            "user name",
            login_as(bootstrap::DOMAIN, "ali\u{0}ce", Value::Null),
            in_body.clone(),
        ),
        (
            "domain name",
            login_as("lo\u{0}cal", "alice", Value::Null),
            in_body.clone(),
        ),
        (
            "scope project id",
            login_as(
                bootstrap::DOMAIN,
                "alice",
                json!({ "project": { "id": "p\u{0}" } }),
            ),
            in_body.clone(),
        ),
        ("user id in path", get("/v3/users/%00"), in_url.clone()),
        (
            "project id in path",
            get("/v3/projects/%00"),
            in_url.clone(),
        ),
        ("group id in path", get("/v3/groups/x%00"), in_url.clone()),
        ("role id in path", get("/v3/roles/%00"), in_url.clone()),
        ("name filter", get("/v3/users?name=%00"), in_url.clone()),
    ];
    // All cases are reported together.
    let mut wrong = Vec::new();
    for (what, req, expected) in cases {
        let (_, body, _) = app.call(req).await.parts();
        if body != expected {
            wrong.push(format!("NUL in {what}: {body}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    fx.assert_unchanged(&app, "NUL lookups").await;
}

/// A NUL in a description is either refused with a 400 or stored and returned as sent;
/// it is never a server error.
#[actix_web::test]
async fn a_nul_byte_in_a_description_is_not_a_server_error() {
    let (fx, app) = Fixture::init().await;
    let description = "before\u{0}after";
    let req = fx.with_json(
        Target::UpdateProject,
        json!({ "project": { "description": description } }),
    );
    let (status, body, _) = app.call(req).await.parts();
    match status {
        StatusCode::BAD_REQUEST => {
            assert_eq!(body["error"]["code"], 400, "{body}");
            fx.assert_unchanged(&app, "NUL description").await;
        }
        StatusCode::OK => {
            let (_, shown, _) = app.get(&fx.project_uri()).token(&fx.admin).await.parts();
            assert_eq!(shown["project"]["description"], description);
        }
        other => panic!("NUL description answered {other}: {body}"),
    }
}

#[actix_web::test]
async fn invalid_query_values_are_400() {
    let (fx, app) = Fixture::init().await;
    let cases = [
        ("/v3/users?enabled=maybe", "enabled must be true or false"),
        ("/v3/users?enabled=", "enabled must be true or false"),
        ("/v3/users?enabled=1", "enabled must be true or false"),
        (
            "/v3/projects?enabled=maybe",
            "enabled must be true or false",
        ),
        (
            "/v3/projects?per_page=many",
            "per_page must be a positive integer",
        ),
        ("/v3/projects?page=0", "page must be a positive integer"),
    ];
    for (uri, message) in cases {
        expect_400(
            &app,
            &fx,
            with_token(TestRequest::get().uri(uri), &fx.admin),
            message,
            uri,
        )
        .await;
    }
    // Keystone spellings are accepted in any case.
    let body = app
        .get("/v3/users?enabled=TRUE")
        .token(&fx.admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(body["users"].as_array().expect("users").len(), 2);
}

#[actix_web::test]
async fn unknown_paths_are_404_in_the_envelope() {
    let (fx, app) = Fixture::init().await;
    let requests = [
        (Method::GET, "/v2"),
        (Method::GET, "/v3.0"),
        (Method::GET, "/v3/nothing"),
        (Method::GET, "/v2.0/tokens"),
        (Method::POST, "/v3/users/x/y/z"),
        (
            Method::GET,
            "/v3/OS-INHERIT/domains/x/groups/y/roles/inherited_to_projects",
        ),
        (Method::HEAD, "/nothing"),
    ];
    for (method, uri) in requests {
        for authenticated in [false, true] {
            let req = TestRequest::default().method(method.clone()).uri(uri);
            let req = if authenticated {
                with_token(req, &fx.admin)
            } else {
                req
            };
            let (status, body, headers) = app.call(req).await.parts();
            assert_keystone_error(status, &body, 404, "Could not find the requested resource.");
            assert!(headers.contains_key("x-request-id"));
        }
    }
    fx.assert_unchanged(&app, "unknown paths").await;
}

/// A known path with a method it does not support is refused in the same envelope as
/// every other error.
#[actix_web::test]
async fn an_unsupported_method_on_a_known_path_is_405_in_the_envelope() {
    let (fx, app) = Fixture::init().await;
    let requests = [
        app.put(&fx.project_uri()),
        app.put("/v3/users"),
        app.post(&format!("/v3/users/{}", fx.user_id)),
    ];
    for req in requests {
        let (status, body, headers) = req.token(&fx.admin).await.parts();
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
        assert!(headers.contains_key("x-request-id"));
        assert_eq!(body["error"]["code"], 405, "{body}");
        assert_eq!(body["error"]["title"], "Method Not Allowed", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    fx.assert_unchanged(&app, "unsupported methods").await;
}

#[actix_web::test]
async fn a_missing_or_bad_auth_token_is_401() {
    let (fx, app) = Fixture::init().await;
    let expired = {
        let now = chrono::Utc::now();
        let claims = credential_core::iam_token::TokenClaims {
            token_id: "0123456789abcdef0123456789abcdef".into(),
            user_id: fx.h.boot.user_id.clone(),
            user_name: bootstrap::USER.into(),
            domain_id: fx.h.boot.domain_id.clone(),
            domain_name: bootstrap::DOMAIN.into(),
            scope: credential_core::iam_token::TokenScope::Project {
                id: fx.h.boot.project_id.clone(),
                name: bootstrap::PROJECT.into(),
                domain_id: fx.h.boot.domain_id.clone(),
                domain_name: bootstrap::DOMAIN.into(),
            },
            roles: vec![credential_core::iam_token::RoleRef {
                id: ADMIN_ROLE_ID.into(),
                name: "admin".into(),
            }],
            methods: vec!["password".into()],
            issued_at: now - chrono::Duration::hours(25),
            expires_at: now - chrono::Duration::hours(1),
        };
        fx.h.state.signer.sign(&claims).expect("sign")
    };
    let foreign_key = {
        let claims =
            fx.h.state
                .verifier
                .verify(&fx.admin, chrono::Utc::now())
                .expect("admin token");
        TestTokens::new("test-key").sign(&claims)
    };
    let tokens: [Option<&str>; 7] = [
        None,
        Some(""),
        Some("garbage"),
        Some("v1.test-key.e30.c2ln"),
        Some(&expired),
        Some(&foreign_key),
        Some("Bearer x"),
    ];
    for token in tokens {
        let requests = [
            app.post("/v3/users").json(&valid_body(Target::CreateUser)),
            app.patch(&fx.project_uri())
                .json(&valid_body(Target::UpdateProject)),
            app.get("/v3/users"),
        ];
        for req in requests {
            let req = match token {
                Some(token) => req.token(token),
                None => req,
            };
            req.await.assert_keystone_error(401, MSG_NEEDS_AUTH);
        }
    }
    fx.assert_unchanged(&app, "bad tokens").await;
}

/// `POST /v3/auth/tokens` needs no token; one that is sent (even a bad one) is ignored.
#[actix_web::test]
async fn login_ignores_any_auth_token_sent_along() {
    let (fx, app) = Fixture::init().await;
    for token in ["garbage", fx.admin.as_str()] {
        let (status, body, headers) = app
            .post("/v3/auth/tokens")
            .token(token)
            .json(&valid_body(Target::CreateToken))
            .await
            .parts();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["token"]["user"]["name"], "alice");
        assert!(headers.contains_key("x-subject-token"));
    }
}

/// Bad requests are not failed logins: they never lock anyone out.
#[actix_web::test]
async fn malformed_logins_do_not_count_towards_the_lockout() {
    let mut config = test_config();
    config.login_limits.max_failures_per_user = 1;
    let (fx, app) = Fixture::over(Harness::with_config(config).await).await;
    let wrong = "Wr0ng-Passw0rd!";
    for _ in 0..3 {
        let requests = [
            fx.with_json(
                Target::CreateToken,
                json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
                "name": "alice", "password": wrong } } } } }),
            ),
            fx.with_json(
                Target::CreateToken,
                json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": {
                "name": "alice", "domain": { "name": "local" }, "password": 12345678 } } } } }),
            ),
            fx.with_raw(Target::CreateToken, "application/json", "{\"auth\": "),
            fx.with_raw(
                Target::CreateToken,
                "text/plain",
                password_body(bootstrap::DOMAIN, "alice", wrong, Value::Null).to_string(),
            ),
        ];
        for req in requests {
            app.call(req).await.assert_bad_request();
        }
    }
    app.login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
}

#[actix_web::test]
async fn every_answer_carries_a_request_id() {
    let mut config = test_config();
    config.login_limits.max_failures_per_user = 1;
    let (fx, app) = Fixture::over(Harness::with_config(config).await).await;
    let wrong = password_body(
        bootstrap::DOMAIN,
        bootstrap::USER,
        "Wr0ng-Passw0rd!",
        Value::Null,
    );
    let plain_user = app
        .login(bootstrap::DOMAIN, "alice", USER_PASSWORD, Value::Null)
        .await;
    let requests = [
        (
            fx.with_json(Target::CreateToken, valid_body(Target::CreateToken)),
            201,
        ),
        (
            with_token(TestRequest::get().uri("/v3/users"), &plain_user),
            403,
        ),
        (
            with_token(TestRequest::put().uri(&fx.project_uri()), &fx.admin),
            405,
        ),
        (
            with_token(TestRequest::get().uri("/v3/users"), &fx.admin),
            200,
        ),
        (
            with_token(
                TestRequest::put().uri(&format!("/v3/groups/{}/users/{}", "x", fx.user_id)),
                &fx.admin,
            ),
            404,
        ),
        (
            fx.with_raw(Target::CreateUser, "application/json", "{"),
            400,
        ),
        (TestRequest::get().uri("/v3/users"), 401),
        (fx.with_json(Target::CreateToken, wrong.clone()), 401),
        (fx.with_json(Target::CreateToken, wrong), 429),
        (TestRequest::get().uri("/no/such/path"), 404),
        (
            fx.with_json(
                Target::UpdateProject,
                json!({ "project": { "description": "x".repeat(70_000) } }),
            ),
            413,
        ),
        (TestRequest::get().uri("/healthz"), 200),
    ];
    for (req, expected) in requests {
        let (status, body, headers) = app.call(req).await.parts();
        assert_eq!(status.as_u16(), expected, "{body}");
        let id = headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id on {status}"));
        let id = id.to_str().expect("ascii");
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
    }
    let (status, _, headers) = app
        .delete(&format!("/v3/users/{}", fx.user_id))
        .token(&fx.admin)
        .await
        .parts();
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers.contains_key("x-request-id"));
}

#[actix_web::test]
async fn a_sane_incoming_request_id_is_echoed() {
    let (fx, app) = Fixture::init().await;
    let longest = "a".repeat(128);
    for id in ["req-123_abc.DEF", "0", longest.as_str()] {
        for req in [
            with_token(TestRequest::get().uri("/v3/users"), &fx.admin),
            TestRequest::get().uri("/v3/users"),
            TestRequest::get().uri("/nowhere"),
        ] {
            let (_, _, headers) = app
                .call(req.insert_header(("X-Request-Id", id)))
                .await
                .parts();
            assert_eq!(
                headers
                    .get("x-request-id")
                    .expect("id")
                    .to_str()
                    .expect("ascii"),
                id
            );
        }
    }
}

#[actix_web::test]
async fn an_odd_incoming_request_id_is_replaced() {
    let (fx, app) = Fixture::init().await;
    let too_long = "a".repeat(200);
    let just_too_long = "b".repeat(129);
    let odd: Vec<HeaderValue> = [
        too_long.as_str(),
        just_too_long.as_str(),
        "a b",
        "a\tb",
        "<script>alert(1)</script>",
        "id;rm -rf /",
        "%0d%0aSet-Cookie: x=1",
        "",
    ]
    .iter()
    .map(|v| HeaderValue::from_str(v).expect("header"))
    .chain([HeaderValue::from_bytes(b"caf\xc3\xa9").expect("obs-text header")])
    .collect();
    // A raw CR or LF cannot even be put into a header value; the HTTP layer refuses it.
    assert!(HeaderValue::from_str("a\nb").is_err() && HeaderValue::from_str("a\r\nb").is_err());
    for value in odd {
        for req in [
            with_token(TestRequest::get().uri("/v3/users"), &fx.admin),
            TestRequest::get().uri("/nowhere"),
        ] {
            let (_, _, headers) = app
                .call(req.insert_header(("X-Request-Id", value.clone())))
                .await
                .parts();
            let id = headers.get("x-request-id").expect("id");
            assert_ne!(id, &value);
            let id = id.to_str().expect("ascii");
            assert!(
                id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
                "{value:?} became {id}"
            );
        }
    }
}
