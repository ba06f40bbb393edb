//! The domain layer without HTTP: its functions called on a connection with a caller and
//! a time of the test's choosing, as the handlers call them.

use chrono::{DateTime, Duration, NaiveDateTime};
use lakeformation_svc::error::LfError;
use lakeformation_svc::instances::query::Page;
use lakeformation_svc::instances::{self, NewInstance};
use lakeformation_svc::issue::{self, IdentityInput, NewCredential};
use lakeformation_svc::policy::Grant;
use lakeformation_svc::repo;
use lakeformation_svc::revoke::{self, Target};
use service_kit::auth::{Principal, ProjectRef};

use crate::common::*;

fn principal(user: &str, role: &str) -> Principal {
    Principal {
        user_id: format!("{user}-id"),
        user_name: user.into(),
        domain_id: DOMAIN.into(),
        domain_name: "local".into(),
        project: Some(ProjectRef {
            id: PROJECT.into(),
            name: format!("{PROJECT}-name"),
        }),
        roles: vec![role.into()],
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

fn named(name: &str) -> NewInstance {
    serde_json::from_value(serde_json::json!({ "name": name })).unwrap()
}

/// The first page of a project's instances.
fn first_page() -> Page {
    Page {
        offset: 0,
        limit: 10,
        name: None,
        in_recycle_bin: false,
        enterprise_project_id: None,
        tags: Vec::new(),
    }
}

#[actix_web::test]
async fn an_instance_is_dated_by_the_time_given_and_found_only_in_its_project() {
    let h = Harness::new().await;
    let mut conn = h.db.pool.get().unwrap();
    let alice = principal("alice", "member");
    let row = instances::create(&mut conn, &alice, PROJECT, named("lake_one"), at())
        .unwrap()
        .row;
    assert_eq!(
        (row.created_at, row.created_by.as_str()),
        (at(), "alice-id")
    );
    let again = instances::create(&mut conn, &alice, PROJECT, named("lake_one"), at());
    assert!(matches!(again, Err(LfError::Conflict(_))));
    let shown = instances::show(&mut conn, PROJECT, &row.id).unwrap();
    assert_eq!(shown.row.name, "lake_one");
    let elsewhere = instances::show(&mut conn, OTHER_PROJECT, &row.id);
    assert!(matches!(elsewhere, Err(LfError::NotFound(_))));
    let (rows, total) = instances::page(&mut conn, PROJECT, first_page()).unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    let refused = instances::delete(&mut conn, OTHER_PROJECT, &row.id, false, at());
    assert!(matches!(refused, Err(LfError::NotFound(_))));
    instances::delete(&mut conn, PROJECT, &row.id, false, at()).unwrap();
    let (rows, total) = instances::page(&mut conn, PROJECT, first_page()).unwrap();
    assert_eq!((rows.len(), total), (0, 0));
}

#[actix_web::test]
async fn a_credential_lives_from_the_time_given_and_is_revoked_at_the_time_given() {
    let h = Harness::new().await;
    let mut conn = h.db.pool.get().unwrap();
    let alice = principal("alice", "member");
    let instance = instances::create(&mut conn, &alice, PROJECT, named("lake_two"), at())
        .unwrap()
        .row;
    let keyring = h.state.temporary.keys().keyring();
    let lifetime = Duration::hours(1);
    let new = |instance_id: &str| NewCredential {
        project_id: PROJECT.into(),
        instance_id: instance_id.into(),
        asked: issue::asked(&alice, IdentityInput::default()).unwrap(),
        lifetime,
    };
    let sealed = issue::seal(&alice, new("no-such-instance"), keyring, at()).unwrap();
    let missing = issue::record(&mut conn, sealed);
    assert!(matches!(missing, Err(LfError::NotFound(_))));
    let sealed = issue::seal(&alice, new(&instance.id), keyring, at()).unwrap();
    let issued = issue::record(&mut conn, sealed).unwrap();
    assert_eq!(issued.expires_at, at() + lifetime);
    let record = repo::issuance_by_access(&mut conn, &issued.access)
        .unwrap()
        .unwrap();
    assert_eq!((record.issued_at, record.roles.as_str()), (at(), "member"));

    let bob = principal("bob", "member");
    let later = at() + Duration::minutes(5);
    let target = || Target::Access(issued.access.clone());
    let refused = revoke::revoke(&mut conn, &bob, Grant::Own, PROJECT, target(), later);
    assert!(matches!(refused, Err(LfError::Forbidden(_))));
    revoke::revoke(&mut conn, &alice, Grant::Own, PROJECT, target(), later).unwrap();
    let much_later = later + Duration::minutes(5);
    revoke::revoke(&mut conn, &alice, Grant::Own, PROJECT, target(), much_later).unwrap();
    let record = repo::issuance_by_access(&mut conn, &issued.access)
        .unwrap()
        .unwrap();
    assert_eq!(
        record.revoked_at,
        Some(later),
        "the first revocation stands"
    );
}
