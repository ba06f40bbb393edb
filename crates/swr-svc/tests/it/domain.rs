//! The domain layer called without HTTP: the same rules the handlers reach, from a
//! caller and typed input straight to the store.

use serde_json::json;
use service_kit::auth::{Principal, ProjectRef};
use swr_svc::domain::{credentials, instances};
use swr_svc::error::SwrError;

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

#[actix_web::test]
async fn an_instance_and_its_credential_are_made_and_listed_without_http() {
    let h = Harness::new().await;
    let alice = principal("alice", PROJECT, &["member"]);
    let body = serde_json::from_value(json!({ "name": "direct" })).unwrap();
    let instance = instances::create(&h.state, &alice, PROJECT.into(), body)
        .await
        .unwrap();

    let issued =
        credentials::create_temporary(&h.state, &alice, PROJECT.into(), instance.id.clone())
            .await
            .unwrap();
    assert!(issued.token.expose().starts_with(credentials::TOKEN_PREFIX));
    assert_eq!(issued.credential.user_id, "alice-id");

    let stranger = principal("eve", OTHER_PROJECT, &["admin"]);
    let refused =
        credentials::create_temporary(&h.state, &stranger, PROJECT.into(), instance.id).await;
    assert!(matches!(refused, Err(SwrError::Forbidden(_))));

    let listed = instances::list(&h.state, &alice, PROJECT.into(), &Default::default())
        .await
        .unwrap();
    assert_eq!((listed.0.len(), listed.1), (1, 1));
}
