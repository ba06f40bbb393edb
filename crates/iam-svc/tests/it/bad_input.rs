use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn probe() {
    let h = Harness::new().await;
    let app = h.app().await;
    let admin = admin_token(&app, &h).await;
    let pid = h.boot.project_id.clone();
    let reqs: Vec<(&str, TestRequest)> = vec![
        ("405 delete project", TestRequest::delete().uri(&format!("/v3/projects/{pid}"))),
        ("405 post auth projects", TestRequest::post().uri("/v3/auth/projects")),
        ("nul login", TestRequest::post().uri("/v3/auth/tokens").set_json(password_body("local", "ad\u{0}min", "x", serde_json::Value::Null))),
        ("nul domain login", TestRequest::post().uri("/v3/auth/tokens").set_json(password_body("lo\u{0}cal", "admin", "x", serde_json::Value::Null))),
        ("nul desc", TestRequest::post().uri("/v3/users").set_json(json!({"user": {"name": "bob", "description": "a\u{0}b"}}))),
        ("nul query", TestRequest::get().uri("/v3/users?name=%00")),
        ("nul path", TestRequest::get().uri("/v3/users/%00")),
        ("nul scope", TestRequest::post().uri("/v3/auth/tokens").set_json(password_body("local", "admin", ADMIN_PASSWORD, json!({"project": {"id": "a\u{0}"}})))),
        ("nul proj desc", TestRequest::patch().uri(&format!("/v3/projects/{pid}")).set_json(json!({"project": {"description": "a\u{0}b"}}))),
        ("empty", TestRequest::post().uri("/v3/users").insert_header(("content-type", "application/json"))),
        ("array", TestRequest::post().uri("/v3/users").insert_header(("content-type", "application/json")).set_payload("[]")),
        ("malformed", TestRequest::post().uri("/v3/users").insert_header(("content-type", "application/json")).set_payload("{\"user\": ")),
        ("malformed2", TestRequest::post().uri("/v3/users").insert_header(("content-type", "application/json")).set_payload("not json")),
        ("wrongtype", TestRequest::post().uri("/v3/users").set_json(json!({"user": {"name": "bob", "enabled": "yes"}}))),
        ("pwnum", TestRequest::post().uri("/v3/users").set_json(json!({"user": {"name": "bob", "password": 98765432123u64}}))),
        ("unknown", TestRequest::post().uri("/v3/users").set_json(json!({"user": {"name": "bob", "admin": true}}))),
        ("missing", TestRequest::post().uri("/v3/users").set_json(json!({"user": {}}))),
        ("textplain", TestRequest::post().uri("/v3/users").insert_header(("content-type", "text/plain")).set_payload("{\"user\": {\"name\": \"bob\"}}")),
        ("noctype", TestRequest::post().uri("/v3/users").set_payload("{\"user\": {\"name\": \"bob\"}}")),
        ("big", TestRequest::post().uri("/v3/users").set_json(json!({"user": {"name": "bob", "description": "x".repeat(70000)}}))),
        ("head unknown", TestRequest::default().method(Method::HEAD).uri("/nothing")),
        ("bad percent", TestRequest::get().uri("/v3/users?name=%FF")),
        ("bad path pct", TestRequest::get().uri("/v3/users/%FF")),
        ("dup field", TestRequest::post().uri("/v3/users").insert_header(("content-type", "application/json")).set_payload("{\"user\": {\"name\": \"bob\", \"name\": \"x\"}}")),
    ];
    for (label, req) in reqs {
        let (status, body, headers) = call(&app, with_token(req, &admin)).await;
        println!("{label}: {status} {body} rid={:?}", headers.get("x-request-id"));
    }
}
