//! The shortest path a new user takes: log in, list projects with the token.

use actix_web::http::StatusCode;

use crate::common::*;

#[actix_web::test]
async fn login_then_list_projects() {
    let (h, app, token) = Harness::with_admin().await;
    let (status, body, headers) = app
        .get("/v3/projects")
        .header("X-Auth-Token", token)
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.contains_key("x-request-id"));
    let projects = body["projects"].as_array().expect("projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], h.boot.project_id.as_str());
    assert_eq!(projects[0]["name"], "local-1");
}
