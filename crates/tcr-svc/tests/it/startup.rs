//! At start every registry record comes to front the configured registry (service and
//! address), with its namespaces: records made under an earlier setting follow it, and
//! running it again changes nothing.

use base64::Engine as _;
use diesel::prelude::*;
use serde_json::{json, Value};
use tcr_svc::schema::{namespaces, registries};
use tcr_svc::startup::assign_registry_service;

use crate::common::*;

/// Move a registry and its namespaces to another registry service, as if made when the
/// configuration named it.
fn put_on(h: &Harness, registry: &str, service: &str, address: &str) {
    let mut conn = h.db.pool.get().unwrap();
    diesel::update(registries::table.find(registry))
        .set((
            registries::registry_service.eq(service),
            registries::registry_address.eq(address),
        ))
        .execute(&mut conn)
        .unwrap();
    diesel::update(namespaces::table.filter(namespaces::registry_id.eq(registry)))
        .set(namespaces::registry_service.eq(service))
        .execute(&mut conn)
        .unwrap();
}

/// Each registry's id, service and address; each namespace's name and service.
type Placement = (Vec<(String, String, String)>, Vec<(String, String)>);

/// Every registry's and namespace's service and address.
fn placement(h: &Harness) -> Placement {
    let mut conn = h.db.pool.get().unwrap();
    let regs = registries::table
        .select((
            registries::id,
            registries::registry_service,
            registries::registry_address,
        ))
        .order(registries::id)
        .load(&mut conn)
        .unwrap();
    let spaces = namespaces::table
        .select((namespaces::name, namespaces::registry_service))
        .order(namespaces::name)
        .load(&mut conn)
        .unwrap();
    (regs, spaces)
}

/// The actions a login gets on `ns/app` from the token endpoint of `service`, or the status.
async fn pull_push(app: &TestApp, login: &Value, service: &str) -> Result<Value, u16> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        login["Username"].as_str().unwrap(),
        login["Token"].as_str().unwrap()
    ));
    let req = app
        .get(&format!(
            "/service/token?service={service}&scope=repository%3Ans-one%2Fapp%3Apull%2Cpush"
        ))
        .header("Authorization", format!("Basic {basic}"));
    let res = req.await;
    let status = res.status().as_u16();
    let body: Value = serde_json::from_slice(res.bytes()).unwrap();
    if status != 200 {
        return Err(status);
    }
    let payload = body["token"].as_str().unwrap().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    Ok(claims["access"][0]["actions"].clone())
}

#[actix_web::test]
async fn registries_made_under_another_setting_follow_the_configured_registry() {
    let (h, app) = Harness::start().await;
    let cfg = h.state.config.registry.clone();
    let reg = create_registry(&app, &ALICE, "moved-reg").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg, "ns-one", false).await,
        ""
    );
    let body = format!(r#"{{"RegistryId": "{reg}"}}"#);
    let login = act(&app, &ALICE, "CreateInstanceToken", &body).await;
    put_on(&h, &reg, "old-registry", "old.example.com:5000");
    assert_eq!(pull_push(&app, &login, &cfg.service).await, Err(401));

    assert_eq!(assign_registry_service(&h.db.pool, &cfg), Ok(1));
    let here = (cfg.service.clone(), cfg.address.clone());
    assert_eq!(
        placement(&h),
        (
            vec![(reg.clone(), here.0.clone(), here.1.clone())],
            vec![("ns-one".to_string(), here.0.clone())]
        )
    );
    assert_eq!(
        pull_push(&app, &login, &cfg.service).await,
        Ok(json!(["pull", "push"]))
    );
    assert_eq!(pull_push(&app, &login, "old-registry").await, Err(401));
    let listed = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(listed["Registries"][0]["PublicDomain"], here.1.as_str());

    // Again: nothing to do.
    let before = placement(&h);
    assert_eq!(assign_registry_service(&h.db.pool, &cfg), Ok(0));
    assert_eq!(placement(&h), before);
}

#[actix_web::test]
async fn a_name_two_services_held_stops_the_start_and_changes_nothing() {
    let (h, app) = Harness::start().await;
    let cfg = h.state.config.registry.clone();
    let reg_a = create_registry(&app, &ALICE, "clash-reg-a").await;
    assert_eq!(
        create_namespace(&app, &ALICE, &reg_a, "ns-one", false).await,
        ""
    );
    put_on(&h, &reg_a, "old-registry", "old.example.com:5000");
    // On the configured service the name is free, so another account takes it.
    let reg_b = create_registry(&app, &BOB, "clash-reg-b").await;
    assert_eq!(
        create_namespace(&app, &BOB, &reg_b, "ns-one", false).await,
        ""
    );
    let before = placement(&h);
    let refused = assign_registry_service(&h.db.pool, &cfg).unwrap_err();
    assert!(refused.contains("same name"), "{refused}");
    assert_eq!(placement(&h), before);
}
