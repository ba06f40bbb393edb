//! The calls to iam-svc that many tests make to set the scene (log in; create a user, a
//! group, a project; make a project member), as methods on the kit's [`TestApp`], so a
//! test reads `app.login(…)` whichever replica's app it holds.

use actix_web::http::StatusCode;
use iam_svc::bootstrap;
use serde_json::{json, Value};
use service_kit::testing::TestApp;

use super::{
    password_body, project_scope, Harness, ProjectMember, ADMIN_PASSWORD, MEMBER_ROLE_ID,
    USER_PASSWORD,
};

pub trait IamCalls {
    /// Log in and return the token, or panic with the answer.
    async fn login(&self, domain: &str, user: &str, password: &str, scope: Value) -> String;

    /// The bootstrap admin's token, scoped to the bootstrap project of `h`.
    async fn admin_token(&self, h: &Harness) -> String;

    /// Create a user with [`USER_PASSWORD`] as the holder of `token`; returns the id.
    async fn create_user_as(&self, token: &str, name: &str) -> String;

    /// Create a group as the holder of `token`; returns the id.
    async fn create_group_as(&self, token: &str, name: &str) -> String;

    /// Create a top-level project as the holder of `token`; returns the id.
    async fn create_project_as(&self, token: &str, name: &str) -> String;

    /// Create `name` as a [`ProjectMember`] of `project_id` in the domain of `admin`.
    async fn project_member(&self, admin: &str, name: &str, project_id: &str) -> ProjectMember;
}

impl IamCalls for TestApp {
    async fn login(&self, domain: &str, user: &str, password: &str, scope: Value) -> String {
        let res = self
            .post("/v3/auth/tokens")
            .json(&password_body(domain, user, password, scope))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "login failed: {}",
            res.text()
        );
        match res.header("x-subject-token") {
            Some(token) => token.to_string(),
            None => panic!("no X-Subject-Token in the login answer"),
        }
    }

    async fn admin_token(&self, h: &Harness) -> String {
        let scope = project_scope(&h.boot.project_id);
        self.login(bootstrap::DOMAIN, bootstrap::USER, ADMIN_PASSWORD, scope)
            .await
    }

    async fn create_user_as(&self, token: &str, name: &str) -> String {
        let body = json!({ "user": { "name": name, "password": USER_PASSWORD } });
        created_id(self, token, "/v3/users", "user", name, body).await
    }

    async fn create_group_as(&self, token: &str, name: &str) -> String {
        let body = json!({ "group": { "name": name } });
        created_id(self, token, "/v3/groups", "group", name, body).await
    }

    async fn create_project_as(&self, token: &str, name: &str) -> String {
        let body = json!({ "project": { "name": name } });
        created_id(self, token, "/v3/projects", "project", name, body).await
    }

    async fn project_member(&self, admin: &str, name: &str, project_id: &str) -> ProjectMember {
        let user_id = self.create_user_as(admin, name).await;
        let group_id = self.create_group_as(admin, &format!("{name}-group")).await;
        self.put(&format!("/v3/groups/{group_id}/users/{user_id}"))
            .token(admin)
            .await
            .assert_no_content();
        let grant = format!("/v3/projects/{project_id}/groups/{group_id}/roles/{MEMBER_ROLE_ID}");
        self.put(&grant).token(admin).await.assert_no_content();
        let token = self
            .login(
                bootstrap::DOMAIN,
                name,
                USER_PASSWORD,
                project_scope(project_id),
            )
            .await;
        ProjectMember {
            user_id,
            group_id,
            token,
        }
    }
}

/// POST `body` to `uri` as the holder of `token`; the id of the `kind` it created.
async fn created_id(
    app: &TestApp,
    token: &str,
    uri: &str,
    kind: &str,
    name: &str,
    body: Value,
) -> String {
    let res = app.post(uri).token(token).json(&body).await;
    let (status, body, _) = res.parts();
    assert_eq!(status, StatusCode::CREATED, "create {kind} {name}: {body}");
    let Some(id) = body[kind]["id"].as_str() else {
        panic!("no {kind} id in {body}")
    };
    id.to_string()
}
