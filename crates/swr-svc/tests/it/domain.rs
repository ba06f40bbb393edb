//! The domain layer called without HTTP: its functions run on a connection of the test
//! database with a caller and a time of the test's choosing, as the handlers run them.

use chrono::{DateTime, Duration, NaiveDateTime};
use serde_json::json;
use service_kit::auth::{Principal, ProjectRef};
use swr_svc::config::CredentialRules;
use swr_svc::domain::{credentials, instances, InstancePath};
use swr_svc::error::SwrError;
use swr_svc::repo;

use crate::common::*;

fn principal(user: &str, project: &str, roles: &[&str]) -> Principal {
    Principal {
        user_id: format!("{user}-id"),
        user_name: user.to_string(),
        domain_id: "domain-1".into(),
        domain_name: "local".into(),
        project: Some(ProjectRef {
            id: project.into(),
            name: format!("{project}-name"),
        }),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        access_key: None,
        temporary: None,
        token: None,
    }
}

fn at() -> NaiveDateTime {
    DateTime::from_timestamp(1_700_000_000, 0)
        .unwrap()
        .naive_utc()
}

fn on(instance_id: &str) -> InstancePath {
    InstancePath {
        project_id: PROJECT.into(),
        instance_id: instance_id.into(),
    }
}

#[actix_web::test]
async fn an_instance_and_its_credential_are_made_at_the_time_given_and_listed_without_http() {
    let h = Harness::new().await;
    let (registry, rules) = (&h.state.config.registry, &h.state.config.credentials);
    let mut conn = h.db.pool.get().unwrap();
    let alice = principal("alice", PROJECT, &["member"]);
    let body = serde_json::from_value(json!({ "name": "direct" })).unwrap();
    let (instance, _) =
        instances::create(&mut conn, &alice, PROJECT.into(), body, registry, at()).unwrap();
    assert_eq!(instance.created_at, at());

    let issued =
        credentials::create_temporary(&mut conn, &alice, on(&instance.id), rules, at()).unwrap();
    assert!(issued.token.expose().starts_with(credentials::TOKEN_PREFIX));
    assert_eq!(issued.credential.user_id, "alice-id");
    assert_eq!(issued.credential.created_at, at());
    assert_eq!(issued.credential.expires_at, at() + Duration::hours(1));

    let stranger = principal("eve", OTHER_PROJECT, &["admin"]);
    let refused =
        credentials::create_temporary(&mut conn, &stranger, on(&instance.id), rules, at());
    assert!(matches!(refused, Err(SwrError::Forbidden(_))));

    let listed = instances::list(&mut conn, &alice, PROJECT, &Default::default()).unwrap();
    assert_eq!((listed.0.len(), listed.1), (1, 1));
}

#[actix_web::test]
async fn the_quota_counts_temporary_credentials_until_the_time_given_passes_their_expiry() {
    let h = Harness::new().await;
    let mut conn = h.db.pool.get().unwrap();
    let rules = CredentialRules {
        max_per_user_per_instance: 2,
        ..h.state.config.credentials.clone()
    };
    let bob = principal("bob", PROJECT, &["member"]);
    let body = serde_json::from_value(json!({ "name": "quota" })).unwrap();
    let registry = &h.state.config.registry;
    let (instance, _) =
        instances::create(&mut conn, &bob, PROJECT.into(), body, registry, at()).unwrap();
    let issue = |conn: &mut _, now| {
        credentials::create_temporary(conn, &bob, on(&instance.id), &rules, now)
    };

    issue(&mut conn, at()).unwrap();
    issue(&mut conn, at()).unwrap();
    let full = issue(&mut conn, at() + Duration::minutes(59));
    assert!(matches!(full, Err(SwrError::QuotaExceeded(2))));

    let later = issue(&mut conn, at() + Duration::hours(1)).unwrap();
    assert_eq!(later.credential.created_at, at() + Duration::hours(1));
    let held = repo::credentials::count_for_user(&mut conn, &instance.id, "bob-id").unwrap();
    assert_eq!(held, 1, "the two expired ones made room and are gone");
}
