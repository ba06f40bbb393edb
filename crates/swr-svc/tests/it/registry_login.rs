//! Registry login with SWR credentials through `/service/token`: what the JWT grants in
//! the credential's own namespaces, and every credential that must be refused. Other
//! tenants' namespaces are `registry_tenancy`'s.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::*;

struct Setup {
    instance: String,
    /// A private namespace of the instance.
    namespace: String,
    user_id: String,
    token_id: String,
    password: String,
}

async fn setup(h: &Harness, app: &TestApp, roles: &[&str]) -> Setup {
    let admin = h.token("adam", PROJECT, &["admin"]);
    let name = format!("reg-{}", roles.join("-"));
    let instance = create_instance(app, &admin, PROJECT, &name).await;
    create_namespace(app, &admin, PROJECT, &instance, &name, false).await;
    let user = h.token("carol", PROJECT, roles);
    let body = app
        .post(&format!(
            "/v2/{PROJECT}/instances/{instance}/long-term-credential"
        ))
        .token(&user)
        .json(&json!({ "name": "login" }))
        .await
        .assert_created()
        .json();
    Setup {
        instance,
        namespace: name,
        user_id: body["user_id"].as_str().unwrap().into(),
        token_id: body["token_id"].as_str().unwrap().into(),
        password: body["auth_token"].as_str().unwrap().into(),
    }
}

#[actix_web::test]
async fn a_member_credential_gets_pull_and_push_in_its_instances_namespaces() {
    let (h, app) = Harness::start().await;
    let s = setup(&h, &app, &["member"]).await;
    // Login check (what `docker login` sends): no scope, empty access.
    let body = token_request(
        &app,
        &format!("account={}&service={SERVICE}", s.user_id),
        &s.user_id,
        &s.password,
    )
    .await
    .assert_ok()
    .json();
    assert_eq!(body["token"], body["access_token"]);
    assert!(body["expires_in"].as_i64().unwrap() >= 60);
    let c = claims(body["token"].as_str().unwrap());
    assert_eq!(c["aud"], SERVICE);
    assert_eq!(c["iss"], "swr-svc");
    assert_eq!(c["sub"], s.user_id.as_str());
    assert_eq!(c["access"], json!([]));

    let repository = format!("{}/app", s.namespace);
    let asked = granted(&app, &s, &repository, "pull,push,delete").await;
    assert_eq!(
        asked,
        json!([{ "type": "repository", "name": repository, "actions": ["pull", "push"] }])
    );
}

/// The JWT's access for `repository:<repository>:<actions>` with the setup's credential.
async fn granted(app: &TestApp, s: &Setup, repository: &str, actions: &str) -> Value {
    let q = format!("service={SERVICE}&scope=repository:{repository}:{actions}");
    let body = token_request(app, &q, &s.user_id, &s.password)
        .await
        .assert_ok()
        .json();
    claims(body["token"].as_str().unwrap())["access"].clone()
}

#[actix_web::test]
async fn an_admin_credential_may_also_delete() {
    let (h, app) = Harness::start().await;
    let s = setup(&h, &app, &["admin"]).await;
    let repository = format!("{}/app", s.namespace);
    let asked = granted(&app, &s, &repository, "pull,push,delete").await;
    assert_eq!(asked[0]["actions"], json!(["pull", "push", "delete"]));
}

#[actix_web::test]
async fn a_readonly_credential_can_pull_but_not_push() {
    let (h, app) = Harness::start().await;
    let s = setup(&h, &app, &["readonly"]).await;
    let repository = format!("{}/app", s.namespace);
    let asked = granted(&app, &s, &repository, "pull,push,delete").await;
    assert_eq!(
        asked,
        json!([{ "type": "repository", "name": repository, "actions": ["pull"] }])
    );
}

async fn refused(app: &TestApp, query: &str, user: &str, password: &str) {
    let (status, body, headers) = token_request(app, query, user, password).await.parts();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED", "{body}");
    assert!(headers.contains_key("www-authenticate"));
}

#[actix_web::test]
async fn wrong_disabled_expired_deleted_and_foreign_credentials_are_refused() {
    let (h, app) = Harness::start().await;
    let s = setup(&h, &app, &["member"]).await;
    let q = format!("service={SERVICE}");
    let mut wrong = s.password.clone();
    wrong.replace_range(10..11, if &wrong[10..11] == "A" { "B" } else { "A" });
    refused(&app, &q, &s.user_id, &wrong).await;
    refused(&app, &q, &s.user_id, "not-even-a-token").await;
    refused(&app, &q, "someone-else", &s.password).await;
    // Another registry's service name.
    refused(&app, "service=other-registry", &s.user_id, &s.password).await;

    let one = format!(
        "/v2/{PROJECT}/instances/{}/long-term-credentials/{}",
        s.instance, s.token_id
    );
    let user = h.token("carol", PROJECT, &["member"]);
    app.put(&one)
        .token(&user)
        .json(&json!({ "enable": false }))
        .await
        .parts();
    refused(&app, &q, &s.user_id, &s.password).await;
    app.put(&one)
        .token(&user)
        .json(&json!({ "enable": true }))
        .await
        .parts();
    let (status, _, _) = token_request(&app, &q, &s.user_id, &s.password)
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "enabled again");

    {
        use swr_svc::schema::credentials::dsl;
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
        let mut conn = h.db.pool.get().unwrap();
        diesel::update(dsl::credentials.find(&s.token_id))
            .set(dsl::expires_at.eq(past))
            .execute(&mut conn)
            .unwrap();
    }
    refused(&app, &q, &s.user_id, &s.password).await;

    let fresh = setup(&h, &app, &["admin"]).await;
    let one = format!(
        "/v2/{PROJECT}/instances/{}/long-term-credentials/{}",
        fresh.instance, fresh.token_id
    );
    let user = h.token("carol", PROJECT, &["admin"]);
    assert_eq!(
        app.delete(&one).token(&user).await.parts().0,
        StatusCode::NO_CONTENT
    );
    refused(&app, &q, &fresh.user_id, &fresh.password).await;
}

#[actix_web::test]
async fn a_temporary_credential_logs_in_too() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let temp = app
        .post(&format!(
            "/v2/{PROJECT}/instances/{instance}/temp-credential"
        ))
        .token(&alice)
        .await
        .assert_created()
        .json();
    create_namespace(&app, &alice, PROJECT, &instance, "builds", false).await;
    let q = format!("service={SERVICE}&scope=repository%3Abuilds%2Fapp%3Apush%2Cpull");
    let body = token_request(
        &app,
        &q,
        temp["user_id"].as_str().unwrap(),
        temp["auth_token"].as_str().unwrap(),
    )
    .await
    .assert_ok()
    .json();
    let c = claims(body["token"].as_str().unwrap());
    assert_eq!(c["access"][0]["actions"], json!(["push", "pull"]));
}
