//! At start every instance and namespace is pointed at the configured registry: rows made
//! when a caller could name a registry stop naming theirs, and logins follow.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::json;
use swr_svc::schema::{instances, namespaces};
use swr_svc::startup::assign_registry;

use crate::common::*;

#[actix_web::test]
async fn rows_naming_a_caller_chosen_registry_are_moved_to_the_configured_one() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "legacy").await;
    create_namespace(&app, &admin, PROJECT, &instance, "legacy-ns", false).await;
    let (_, credential, _) = app
        .post(&format!(
            "/v2/{PROJECT}/instances/{instance}/long-term-credential"
        ))
        .token(&admin)
        .json(&json!({ "name": "ci" }))
        .await
        .parts();
    let (user, password) = (
        credential["user_id"].as_str().unwrap(),
        credential["auth_token"].as_str().unwrap(),
    );
    // As an instance made when the caller chose the registry would be.
    {
        let mut conn = h.db.pool.get().unwrap();
        diesel::update(instances::table.find(&instance))
            .set((
                instances::registry_service.eq("team-a-registry"),
                instances::registry_address.eq("registry.team-a:5000"),
            ))
            .execute(&mut conn)
            .unwrap();
        diesel::update(namespaces::table)
            .set(namespaces::registry_service.eq("team-a-registry"))
            .execute(&mut conn)
            .unwrap();
    }
    let scope = "scope=repository:legacy-ns/app:pull,push";
    let login =
        |service: &str| token_request(&app, &format!("service={service}&{scope}"), user, password);
    assert_eq!(login("team-a-registry").await.parts().0, StatusCode::OK);

    let registry = &h.state.config.registry;
    let moved_at = h.state.clock.stored_now() + chrono::Duration::minutes(5);
    assert_eq!(
        assign_registry(&h.db.pool, registry, moved_at).unwrap(),
        (1, 1)
    );
    assert_eq!(
        assign_registry(
            &h.db.pool,
            registry,
            moved_at + chrono::Duration::minutes(5)
        )
        .unwrap(),
        (0, 0),
        "idempotent"
    );
    // The instance changed (its access address did) when it moved, and not since.
    let shown = app
        .get(&format!("/v2/{PROJECT}/instances/{instance}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(shown["updated_at"], swr_svc::views::swr_time(moved_at));
    assert_ne!(shown["updated_at"], shown["created_at"]);

    login("team-a-registry").await.assert_unauthorized();
    let body = login(SERVICE).await.assert_ok().json();
    let access = &claims(body["token"].as_str().unwrap())["access"];
    assert_eq!(access[0]["actions"], json!(["pull", "push"]));
    let (_, shown, _) = app
        .get(&format!("/v2/{PROJECT}/instances/{instance}"))
        .token(&admin)
        .await
        .parts();
    assert_eq!(
        shown["registry"],
        json!({ "service": SERVICE, "address": "127.0.0.1:5000" })
    );
}
