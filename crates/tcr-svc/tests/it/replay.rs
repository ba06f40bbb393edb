//! What tcr-svc asks of the issuer for each signed action: reads bound to their action
//! (the SDKs leave `X-TC-Action` unsigned), everything else accepted once; and a failed
//! action gives its signature back, so the SDK may send the same request again.

use service_kit::auth::wire::{Replay, RevocationKind};

use crate::common::*;

#[actix_web::test]
async fn reads_are_bound_to_their_action_and_writes_accepted_once() {
    let (h, app) = Harness::start().await;
    let registry = create_registry(&app, &ALICE, "replay-reg").await;
    let body = format!(r#"{{"RegistryId": "{registry}"}}"#);
    let r = act(&app, &ALICE, "DescribeInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    let accepted: Vec<Replay> = h
        .seen
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|(_, replay)| replay.clone())
        .collect();
    assert_eq!(accepted, [Replay::Once, Replay::Read]);
    assert!(h.seen.lock().unwrap().released.is_empty());
}

#[actix_web::test]
async fn a_failed_action_gives_its_signature_back() {
    let (h, app) = Harness::start().await;
    let body = r#"{"RegistryId": "tcr-nosuchregistry", "TokenType": "temp"}"#;
    let r = act(&app, &ALICE, "CreateInstanceToken", body).await;
    assert_ne!(code(&r), "", "{r}");
    let seen = h.seen.lock().unwrap();
    assert_eq!(seen.accepted.len(), 1);
    assert_eq!(
        seen.released.len(),
        1,
        "the failed action kept its signature"
    );
    assert_eq!(seen.released[0].access, ALICE.id);
    assert!(!seen.released[0].temporary);
}

#[actix_web::test]
async fn a_refused_temporary_key_gives_its_signature_back() {
    let (h, app) = Harness::start().await;
    feed_revocation(&h.state.verifier, RevocationKind::User, ALICE_TEMP.user);
    let r = act(&app, &ALICE_TEMP, "DescribeInstances", "{}").await;
    assert_eq!(code(&r), "AuthFailure.TokenFailure", "{r}");
    let seen = h.seen.lock().unwrap();
    assert_eq!(seen.released.len(), 1);
    assert!(seen.released[0].temporary);
}
