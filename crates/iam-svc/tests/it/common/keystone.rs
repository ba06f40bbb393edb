//! The Keystone wire as the tests write and read it: login bodies and scopes, the
//! messages and error envelope iam-svc answers with, and the reply assertion that checks
//! a reply is exactly one such error.

use actix_web::http::StatusCode;
use actix_web::test;
use iam_svc::bootstrap;
use serde_json::{json, Value};
use service_kit::testing::TestResponse;

use super::ADMIN_PASSWORD;

/// The Keystone password login body.
pub fn password_body(domain: &str, user: &str, password: &str, scope: Value) -> Value {
    let mut auth = json!({
        "identity": {
            "methods": ["password"],
            "password": { "user": { "domain": { "name": domain }, "name": user, "password": password } }
        }
    });
    if !scope.is_null() {
        auth["scope"] = scope;
    }
    json!({ "auth": auth })
}

/// The bootstrap admin's password login body, scoped to `scope` (or unscoped: Null).
pub fn admin_login_body(scope: Value) -> Value {
    password_body(bootstrap::DOMAIN, bootstrap::USER, ADMIN_PASSWORD, scope)
}

/// Scope helpers.
pub fn project_scope(id: &str) -> Value {
    json!({ "project": { "id": id } })
}

pub fn domain_scope(id: &str) -> Value {
    json!({ "domain": { "id": id } })
}

/// Keystone's messages, as the caller sees them.
pub const MSG_LOGIN_FAILED: &str = "The username or password is wrong.";
pub const MSG_NEEDS_AUTH: &str = "The request you have made requires authentication.";
pub const MSG_FORBIDDEN: &str = "You are not authorized to perform the requested action.";
pub const MSG_SCOPE_REFUSED: &str = "The user has no access to the requested scope.";

/// The Keystone error envelope `{"error": {"code", "message", "title"}}`.
pub fn keystone_error_body(code: u16, message: &str) -> Value {
    let title = match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        other => panic!("no title known for {other}"),
    };
    json!({ "error": { "code": code, "message": message, "title": title } })
}

/// Assert a response is exactly the Keystone error `code` with `message`.
#[track_caller]
pub fn assert_keystone_error(status: StatusCode, body: &Value, code: u16, message: &str) {
    assert_eq!(status.as_u16(), code, "{body}");
    assert_eq!(body, &keystone_error_body(code, message));
}

/// `req` with the caller's `X-Auth-Token`.
pub fn with_token(req: test::TestRequest, token: &str) -> test::TestRequest {
    req.insert_header(("X-Auth-Token", token.to_string()))
}

pub trait KeystoneReply {
    /// Panics unless the reply is exactly the Keystone error `code` with `message`.
    fn assert_keystone_error(self, code: u16, message: &str) -> Self;
}

impl KeystoneReply for TestResponse {
    #[track_caller]
    fn assert_keystone_error(self, code: u16, message: &str) -> Self {
        assert_keystone_error(self.status(), &self.json(), code, message);
        self
    }
}
