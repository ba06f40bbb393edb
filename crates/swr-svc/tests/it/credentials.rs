//! Long-term and temporary credentials: shapes, paging, ownership, quota under
//! concurrency, and storage as digests only.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

fn base(instance: &str) -> String {
    format!("/v2/{PROJECT}/instances/{instance}")
}

async fn create_credential(
    app: &TestApp,
    token: &str,
    instance: &str,
    name: &str,
) -> (StatusCode, Value) {
    let (status, body, _) = app
        .post(&format!("{}/long-term-credential", base(instance)))
        .token(token)
        .json(&json!({ "name": name }))
        .await
        .parts();
    (status, body)
}

#[actix_web::test]
async fn create_returns_the_token_once_and_list_pages_without_it() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;

    let (status, created) = create_credential(&app, &alice, &instance, "ci-a").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["auth_token"].as_str().unwrap();
    assert!(
        token.starts_with("swr_") && token.len() == 4 + 43 + 6,
        "{token}"
    );
    assert_eq!(created["user_id"], "alice-id");
    let created_at =
        chrono::DateTime::parse_from_rfc3339(created["created_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(created["expire_date"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created_at).num_days(), 365);
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    for name in ["ci-b", "ci-c"] {
        assert_eq!(
            create_credential(&app, &alice, &instance, name).await.0,
            StatusCode::CREATED
        );
    }

    let list = |q: &str| {
        app.get(&format!("{}/long-term-credentials{q}", base(&instance)))
            .token(&alice)
    };
    let first = list("?limit=2&offset=0").await.assert_ok().json();
    let (_, second, _) = list("?limit=2&offset=2").await.parts();
    assert_eq!(first["total"], 3);
    assert_eq!(second["total"], 3);
    let names = |v: &Value| {
        v["auth_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["ci-a", "ci-b"]);
    assert_eq!(names(&second), ["ci-c"]);
    let item = &first["auth_tokens"][0];
    assert_eq!(item["enable"], true);
    assert_eq!(item["instance_id"], instance.as_str());
    assert_eq!(item["user_id"], "alice-id");
    assert_eq!(item["status"], "active");
    assert!(
        !first.to_string().contains(token),
        "the list must not show a token"
    );
    assert!(item.get("auth_token").is_none());
    // Defaults: offset 0, limit 100.
    let (_, all, _) = list("").await.parts();
    assert_eq!(names(&all), ["ci-a", "ci-b", "ci-c"]);
}

#[actix_web::test]
async fn enable_disable_and_delete() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let (_, created) = create_credential(&app, &alice, &instance, "ci-a").await;
    let id = created["token_id"].as_str().unwrap();
    let one = format!("{}/long-term-credentials/{id}", base(&instance));
    app.put(&one)
        .token(&alice)
        .json(&json!({ "enable": false }))
        .await
        .assert_created();
    let (_, listed, _) = app
        .get(&format!("{}/long-term-credentials", base(&instance)))
        .token(&alice)
        .await
        .parts();
    assert_eq!(listed["auth_tokens"][0]["enable"], false);
    assert_eq!(listed["auth_tokens"][0]["status"], "disabled");
    for bad in [
        json!({ "enable": "false" }),
        json!({}),
        json!({ "enable": false, "x": 1 }),
    ] {
        let (status, body, _) = app.put(&one).token(&alice).json(&bad).await.parts();
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000014");
    }
    app.delete(&one).token(&alice).await.assert_no_content();
    let (status, body, _) = app.delete(&one).token(&alice).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048002");
}

#[actix_web::test]
async fn names_pagination_and_scope_are_validated() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    for bad in [
        "Bad_Name",
        "",
        "a..b",
        "-lead",
        "trail-",
        &"a".repeat(65),
        "ünï",
    ] {
        let (status, body) = create_credential(&app, &alice, &instance, bad).await;
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4001008");
    }
    assert_eq!(
        create_credential(&app, &alice, &instance, "twin").await.0,
        StatusCode::CREATED
    );
    let (status, body) = create_credential(&app, &alice, &instance, "twin").await;
    assert_swr_error(status, &body, 409, "SVCSTG.SWR.4098001");
    // Another user may use the same name.
    let bob = h.token("bob", PROJECT, &["member"]);
    assert_eq!(
        create_credential(&app, &bob, &instance, "twin").await.0,
        StatusCode::CREATED
    );

    let list = format!("{}/long-term-credentials", base(&instance));
    for q in [
        "?offset=-1",
        "?limit=0",
        "?limit=101",
        "?limit=abc",
        "?offset=1.5",
    ] {
        let (status, body, _) = app.get(&format!("{list}{q}")).token(&alice).await.parts();
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000056");
    }
    let (status, body) = create_credential(&app, &alice, "no-such-instance", "x").await;
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048001");
    let stranger = h.token("eve", OTHER_PROJECT, &["admin"]);
    let (status, body) = create_credential(&app, &stranger, &instance, "x").await;
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
    let (status, body, _) = app
        .post(&format!("{}/long-term-credential", base(&instance)))
        .token(&alice)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"name": "{}"}}"#, "x".repeat(70_000)))
        .await
        .parts();
    assert_swr_error(status, &body, 413, "SVCSTG.SWR.4131001");
    let (status, body, _) = app
        .post(&format!("{}/long-term-credential", base(&instance)))
        .token(&alice)
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .await
        .parts();
    assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000014");
}

#[actix_web::test]
async fn self_only_and_ownership() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    create_credential(&app, &admin, &instance, "admin-cred").await;
    let (_, mine) = create_credential(&app, &alice, &instance, "alice-cred").await;
    let list = |q: &str, t: &str| {
        app.get(&format!("{}/long-term-credentials{q}", base(&instance)))
            .token(t)
    };
    let (_, own, _) = list("", &alice).await.parts();
    assert_eq!(own["total"], 1);
    let (status, body, _) = list("?self_only=false", &alice).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
    let (_, everyone, _) = list("?self_only=false", &admin).await.parts();
    assert_eq!(everyone["total"], 2);
    // A member cannot touch the admin's credential; the admin can touch the member's.
    let (_, admins) = create_credential(&app, &admin, &instance, "admin-two").await;
    let theirs = format!(
        "{}/long-term-credentials/{}",
        base(&instance),
        admins["token_id"].as_str().unwrap()
    );
    let (status, body, _) = app.delete(&theirs).token(&alice).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
    let alices = format!(
        "{}/long-term-credentials/{}",
        base(&instance),
        mine["token_id"].as_str().unwrap()
    );
    assert_eq!(
        app.delete(&alices).token(&admin).await.parts().0,
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn temporary_credentials_last_an_hour_and_stay_out_of_the_list() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let temp = app
        .post(&format!("{}/temp-credential", base(&instance)))
        .token(&alice)
        .await
        .assert_created()
        .json();
    let created =
        chrono::DateTime::parse_from_rfc3339(temp["created_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(temp["expire_date"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created).num_seconds(), 3600);
    let (_, listed, _) = app
        .get(&format!("{}/long-term-credentials", base(&instance)))
        .token(&alice)
        .await
        .parts();
    assert_eq!(listed["total"], 0);
}

#[actix_web::test]
async fn expired_credentials_are_listed_as_such() {
    use swr_svc::schema::credentials::dsl;
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let (_, created) = create_credential(&app, &alice, &instance, "old").await;
    let id = created["token_id"].as_str().unwrap().to_string();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
    let mut conn = h.db.pool.get().unwrap();
    diesel::update(dsl::credentials.find(&id))
        .set(dsl::expires_at.eq(past))
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    let (_, listed, _) = app
        .get(&format!("{}/long-term-credentials", base(&instance)))
        .token(&alice)
        .await
        .parts();
    assert_eq!(listed["auth_tokens"][0]["status"], "expired");
}

#[actix_web::test]
async fn the_quota_holds_under_concurrent_creates() {
    let mut config = test_config();
    config.credentials.max_per_user_per_instance = 5;
    // Several connections, so the creates really race.
    let h = Harness::shared_with(config).await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let max = h.state.config.credentials.max_per_user_per_instance as usize;
    let attempts = max + 10;
    let results = join_all((0..attempts).map(|n| {
        let name = format!("c{n}");
        let alice = alice.clone();
        let instance = instance.clone();
        let app = &app;
        async move { create_credential(app, &alice, &instance, &name).await }
    }))
    .await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let refused = results
        .iter()
        .filter(|(s, b)| s.as_u16() == 400 && b["error_code"] == "SVCSTG.SWR.4008001")
        .count();
    assert_eq!(
        (created, refused),
        (max, 10),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
}

#[actix_web::test]
async fn tokens_are_stored_as_digests_only() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "registry").await;
    let (_, created) = create_credential(&app, &alice, &instance, "secret").await;
    let token = created["auth_token"].as_str().unwrap();
    let mut conn = h.db.pool.get().unwrap();
    let digests: Vec<String> = swr_svc::schema::credentials::table
        .select(swr_svc::schema::credentials::token_digest)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        digests,
        vec![credential_core::digest::sha256_hex(token.as_bytes())]
    );
    drop(conn);
    if h.db.backend == service_kit::db::Backend::Sqlite {
        use diesel::connection::SimpleConnection;
        h.db.pool
            .get()
            .unwrap()
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        for suffix in ["", "-wal"] {
            if let Ok(bytes) = std::fs::read(format!("{}{suffix}", h.db.url)) {
                assert!(
                    !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                    "token in the database file"
                );
            }
        }
    }
}
